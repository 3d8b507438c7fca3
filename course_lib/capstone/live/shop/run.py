"""Run a design for real: :func:`run_live` stands it up on 127.0.0.1 and plays the (compressed)
busy day against it, then scores the measurements with the simulation's own scorer.

What runs, all started by this module and all gone when it returns (also after an error):

* ``design.api_servers`` checkout servers (:mod:`.live_api`: lesson 01's API server over SQLite
  plus ``POST /checkout``), and one more as HAProxy ``backup`` when the design has a standby
  (a *cold* standby runs hot here: HAProxy cannot boot a server);
* a real HAProxy with the design's ``balance`` policy, ``check inter``/``fall``, ``retries`` +
  ``option redispatch`` and ``timeout server`` (lesson 03b's configuration, :mod:`course_lib.lb.
  live.config`);
* Apache Kafka: the ``orders`` topic with the design's partitions, replication factor and
  ``min.insync.replicas``, produced with its ``acks`` and idempotence, on a cluster of
  ``replication_factor`` brokers started here (or the one passed in, e.g. a test's shared
  3-broker cluster);
* ``design.consumers`` fulfilment consumer processes (:mod:`.live_consumer`) writing orders into
  SQLite idempotently;
* an open-loop load generator replaying the traffic profile (Poisson arrivals at the profile's
  rate, the peak included), one ``POST /checkout`` per order, with an ``Idempotency-Key`` when
  the design sends one.

The failure script, **for real** except where said: the first API server is killed (SIGKILL) and
a fresh process started in its place; the second is frozen (SIGSTOP) and continued (SIGCONT);
the broker leading partition 0 is killed (SIGKILL) and restarted on its data; the slow database
is an *injected* delay on every database call (:mod:`.live_db`), not a slowed disk.

The day is the problem's, compressed by :data:`~.live_records.COMPRESS` (120 s → 48 s, rates
unchanged, see :func:`~.live_records.live_problem`), and the simulation it is compared with runs
on the same compressed day. A run takes about 70–90 s on two cores (plus ~15 s to start Kafka
when no cluster is passed). Where HAProxy or Apache Kafka cannot run, a stored run of a
reference design is shown instead, labelled as such.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_lib.capstone.live.shop.records import COMPRESS, Processed, Sent, live_problem
from course_lib.capstone.live.shop.result import LiveRun, load_stored, stored_runs
from course_lib.capstone.models.design import Design
from course_lib.capstone.models.engine import Problem, evaluate
from course_lib.capstone.models.problem import TrafficProfile
from course_lib.capstone.models.references import REFERENCE_DESIGNS
from course_lib.capstone.runtime.db import connect, deliveries, owned_partitions, write_slow_factor
from course_lib.core import procs, progress
from course_lib.core.naming import unique_name
from course_lib.core.runs import REFERENCE_MACHINE, why_stored
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.runtime.cluster import ClusterError, KafkaCluster
from course_lib.kafka.runtime.default_broker import apache_unavailable
from course_lib.lb.live.failover.config import live_config
from course_lib.lb.models.scenario import Backend, HealthCheck, Scenario
from course_lib.lb.runtime.backends import Backends, free_port
from course_lib.lb.runtime.haproxy import INSTALL_HINT, HAProxy, haproxy_binary
from course_lib.lb.runtime.loadgen import LoadGenerator

__all__ = ["OWNER", "arrivals", "record", "run_live", "why_not_live"]

OWNER = "capstone.live"
ITEMS = ("latte", "espresso", "cappuccino", "flat white", "tea")
READY_TIMEOUT_S = 45.0


def why_not_live() -> str | None:
    """Why a live run cannot happen here (None when HAProxy and Apache Kafka can both run)."""
    return INSTALL_HINT if haproxy_binary() is None else apache_unavailable()


def arrivals(profile: TrafficProfile, seed: int) -> list[float]:
    """Checkout instants of a Poisson process at ``profile.rate_at(t)`` (by thinning: draw at
    the peak rate, keep each with probability rate/peak), seeded, so a seed replays a day."""
    rng = random.Random(seed)
    top = profile.base_rate * profile.peak_factor
    out: list[float] = []
    at = 0.0
    while True:
        at += rng.expovariate(top)
        if at >= profile.duration:
            return out
        if rng.random() < profile.rate_at(at) / top:
            out.append(at)


def _scenario(design: Design, problem: Problem, names: list[str]) -> Scenario:
    """The balancer part of the design as lesson 03's Scenario (HAProxy's configuration)."""
    service = design.concurrency / (problem.work.app_time + problem.work.db_time)
    backends = [Backend(n, service, backup=n == "standby") for n in names]
    return Scenario(tuple(backends), policy=design.policy, arrival_rate=problem.profile.base_rate,
                    duration=problem.profile.duration, retries=design.retries,
                    health_check=HealthCheck(interval=design.interval,
                                             fall=design.fall),
                    request_timeout=problem.work.request_timeout, standby="hot")


def _api_argv(design: Design, problem: Problem, folder: Path, bootstrap: str, topic: str
              ) -> Callable[[str, int], list[str]]:
    work = problem.work

    def argv(name: str, port: int) -> list[str]:
        return [sys.executable, "-m", "course_lib.capstone.runtime.api", "--port", str(port),
                "--name", name, "--folder", str(folder), "--bootstrap", bootstrap,
                "--topic", topic, "--acks", str(design.acks),
                "--idempotence", str(int(design.idempotence)),
                "--keyed", str(int(design.idempotency_key)),
                "--concurrency", str(design.concurrency), "--app-time", str(work.app_time),
                "--db-time", str(work.db_time), "--produce-timeout", str(work.produce_timeout)]
    return argv


def _consumers(stack: contextlib.ExitStack, design: Design, problem: Problem, folder: Path,
               bootstrap: str, topic: str) -> None:
    group = unique_name("capstone-fulfilment")
    for i in range(design.consumers):
        child = procs.spawn([sys.executable, "-m", "course_lib.capstone.clients.consumer",
                             "--name", f"c{i + 1}", "--folder", str(folder), "--bootstrap",
                             bootstrap, "--topic", topic, "--group", group, "--consume-time",
                             str(problem.work.consume_time)], owner=OWNER,
                            log=folder / f"c{i + 1}.log")
        stack.callback(procs.stop, child, 5.0)


def _play(design: Design, problem: Problem, seed: int, port: int, backends: Backends,
          cluster: KafkaCluster, topic: str, folder: Path) -> tuple[list[Sent], float, dict]:
    """The day: load, and the failure script injected at its instants (times from t0)."""
    script, names = problem.script, [f"api{i + 1}" for i in range(design.api_servers)]
    hung = names[1] if len(names) > 1 else names[0]
    victim = cluster.leader(topic, 0)
    assert victim is not None  # _create_topic waited for every leader
    injected: list[list[Any]] = []
    t0, t0_wall = time.monotonic(), time.time()

    def at(when: float, what: str, action: Callable[[], object]) -> threading.Timer:
        def run() -> None:
            action()
            injected.append([what, round(time.monotonic() - t0, 3)])
        timer = threading.Timer(max(0.0, t0 + when - time.monotonic()), run)
        timer.daemon = True
        timer.start()
        return timer

    def body(i: int) -> tuple[bytes, dict[str, str]]:
        order = {"order_id": i, "item": ITEMS[i % len(ITEMS)], "quantity": 1}
        key = {"Idempotency-Key": f"order-{i}"} if design.idempotency_key else {}
        return json.dumps(order).encode(), key

    schedule = arrivals(problem.profile, seed)
    timeout = problem.work.request_timeout * (design.retries + 1) + 2.0
    timers = [at(script.crash_at, f"SIGKILL {names[0]}", lambda: backends.crash(names[0])),
              at(script.hang_at, f"SIGSTOP {hung}", lambda: backends.hang(hung)),
              at(script.hang_end_at, f"SIGCONT {hung}", lambda: backends.recover(hung)),
              at(script.broker_crash_at, f"SIGKILL broker {victim}", lambda: cluster.kill(victim)),
              at(script.db_slow_at, f"database {script.db_slow_factor:g}x slower",
                 lambda: write_slow_factor(folder, script.db_slow_factor)),
              at(script.db_slow_end_at, "database normal", lambda: write_slow_factor(folder, 1))]
    back_at = script.broker_crash_at + script.broker_down_time
    try:
        with LoadGenerator(port, rate=1.0, duration=problem.profile.duration, t0=t0,
                           timeout=timeout, path="/checkout", arrivals=schedule,
                           request_for=body) as load:
            # starting processes stays on the main thread (procs: the parent-death signal)
            for when, what, action in sorted([
                    (script.crash_end_at, f"restart {names[0]}",
                     lambda: backends.recover(names[0])),
                    (back_at, f"restart broker {victim}", lambda: cluster.restart(victim))]):
                time.sleep(max(0.0, t0 + when - time.monotonic()))
                action()
                injected.append([what, round(time.monotonic() - t0, 3)])
    finally:
        for timer in timers:
            timer.cancel()
    sent = [Sent(r.index, r.sent_at, r.ok, r.response_time if r.ok else None) for r in load.join()]
    return sent, t0_wall, {"injected": sorted(injected, key=lambda e: e[1]), "victim": victim}


def run_live(design: Design, seed: int = 0, *, cluster: KafkaCluster | None = None,
             problem: Problem | None = None, compress: float = COMPRESS, name: str | None = None,
             live: bool | None = None, drain_timeout_s: float = 20.0) -> LiveRun:
    """Stand ``design`` up, play the compressed day, score it; see the module docstring.

    ``live=None`` runs for real when HAProxy and Apache Kafka can (else the stored run called
    ``name``, by default the reference design equal to ``design``, beside the simulation of the
    seed it was measured with); ``live=False`` always shows the stored run.
    ``drain_timeout_s`` bounds the wait for the last orders after the load.
    """
    day = live_problem(problem, compress)
    why = why_stored(live, why_not_live)
    if why is not None:
        known = next((n for n, d in REFERENCE_DESIGNS.items() if d == design), None)
        return load_stored(name or known or design.label(), day, why)
    if cluster is not None and len(cluster.broker_ids) < design.replication_factor:
        raise ValueError(f"replication_factor={design.replication_factor} needs at least that "
                         f"many brokers (the cluster passed has {len(cluster.broker_ids)})")
    simulated = evaluate(design, seed, day)
    started = time.perf_counter()
    # about a minute of silence otherwise: each phase goes to the notebook's progress line
    with progress.task("live run", f"{design.label()} measured") as task, \
            contextlib.ExitStack() as stack:
        if cluster is None:
            cluster = stack.enter_context(KafkaCluster(brokers=design.replication_factor))
        folder = Path(tempfile.mkdtemp(prefix="sdl-capstone-"))
        stack.callback(shutil.rmtree, folder, True)
        connect(folder / "shop.db").close()  # the schema, before any process needs it
        topic = create_topic(unique_name("capstone-orders"), design.partitions,
                             replication_factor=design.replication_factor,
                             configs={"min.insync.replicas": str(design.min_insync_replicas)},
                             bootstrap_servers=cluster.up_bootstrap_servers())
        _consumers(stack, design, day, folder, cluster.bootstrap_servers, topic)
        names = [f"api{i + 1}" for i in range(design.api_servers)]
        names += ["standby"] if design.standby != "none" else []
        task.phase(f"starting {len(names)} API servers, {design.consumers} consumers and HAProxy")
        backends = stack.enter_context(Backends(
            len(names), names=names, argv_for=_api_argv(design, day, folder,
                                                         cluster.bootstrap_servers, topic)))
        proxy = stack.enter_context(HAProxy())
        port = free_port()
        proxy.start(live_config(_scenario(design, day, names), backends.ports,
                                frontend_port=port, socket_path=proxy.socket_path))
        proxy.wait_all_up(timeout=15)
        every = set(range(design.partitions))
        task.phase("waiting for the consumer group to own every partition")
        cluster.wait_for(lambda: owned_partitions(folder / "shop.db") == every,
                         READY_TIMEOUT_S, "the consumer group to own every partition", 0.2)
        task.phase(f"playing the {day.profile.duration:g} s day with its failures")
        sent, t0_wall, meta = _play(design, day, seed, port, backends, cluster, topic, folder)
        wanted = {s.order_id for s in sent if s.ok}
        task.phase("waiting for the last orders")
        with contextlib.suppress(ClusterError):  # what is missing by then counts as lost
            cluster.wait_for(lambda: wanted <= {row[0] for row in deliveries(folder / "shop.db")},
                             drain_timeout_s, "the last orders", 0.2)
        processed = [Processed(o, p, off, at - t0_wall)
                     for o, p, off, at in deliveries(folder / "shop.db")]
    meta |= {"wall_s": round(time.perf_counter() - started, 1), "brokers": len(cluster.broker_ids),
             "topic": topic, "seed": seed, "compress": compress}
    return LiveRun(design, day, sent, processed, simulated, meta=meta)


def record(names: tuple[str, ...] = tuple(REFERENCE_DESIGNS), seed: int = 0) -> dict[str, LiveRun]:
    """Run reference designs live and store them (:data:`.result.STORED_PATH`); an author's
    tool, run on a machine with HAProxy and Apache Kafka."""
    runs = {n: run_live(REFERENCE_DESIGNS[n], seed, live=True) for n in names}
    return stored_runs(live_problem()).record(runs, REFERENCE_MACHINE)
