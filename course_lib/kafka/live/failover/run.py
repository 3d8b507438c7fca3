"""Play a :class:`~course_lib.kafka.models.failover.LiveScenario` on a real Kafka cluster.

Why each step is there:

* a **fresh topic** per run (RF 3, assignment ``[b1, b2, b3]``, so broker ``b1`` leads and the
  roles of the description are known), with the run's ``min.insync.replicas`` and
  ``unclean.leader.election.enable`` as topic configs;
* a **kafka-python producer** configured exactly as described, sending at a fixed rate; every
  value carries its sequence number, and every send's outcome (acknowledged with its offset, or
  the error the producer reported) is recorded by the future's callbacks;
* the **load** runs in its own thread, so that a SIGTERM that waits for a controlled shutdown
  does not stall it; the failure and restarts stay in the main thread (a JVM started by a
  helper thread would be killed with that thread: ``PR_SET_PDEATHSIG`` follows the thread);
* a **watcher** thread polls the partition's leader and ISR every :data:`POLL_S` seconds, which
  gives the time to a new leader, the time offline and the ISR changes (each measured to within
  one poll);
* after the load, the scenario's restarts, then the partition is **read back** from offset 0 to
  the high watermark once it has stopped rising (a follower a moment behind is not a loss), and
  the whole history is checked (:mod:`course_lib.kafka.models.history`): acknowledged and not
  there is ``lost``, read twice a duplicate, told failed yet there ``indefinite``.

Every wait is bounded (:data:`WAIT_S`); a run takes ``duration`` plus a few seconds.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from course_lib.core.naming import unique_name
from course_lib.core.waiting import retry
from course_lib.kafka.live.failover.read_back import read_back
from course_lib.kafka.live.failover.result import POLL_S, FailoverRun
from course_lib.kafka.models.failover import LiveScenario
from course_lib.kafka.runtime.cluster import ClusterError
from course_lib.kafka.runtime.cluster_observe import ClusterTimeout, transient_errors

__all__ = ["FailoverRun", "heal", "quiet_client_logs", "run_live"]  # FailoverRun re-exported

WAIT_S = 30.0


@contextlib.contextmanager
def quiet_client_logs() -> Any:
    """Hold kafka-python's log messages while brokers are broken on purpose.

    A failover makes the client log warnings (a leader gone, a request timed out) through
    Python's last-resort handler to stderr: expected here, and measured by the run instead.
    """
    logger = logging.getLogger("kafka")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _create_topic(cluster: Any, sc: LiveScenario) -> str:
    """A fresh topic led by the first broker; creation is retried while a just-restarted
    cluster settles (a refused connection to the broker serving as controller), within WAIT_S."""
    from kafka.errors import TopicAlreadyExistsError

    name = unique_name("failover")
    configs = {"min.insync.replicas": str(sc.min_insync_replicas),
               "unclean.leader.election.enable": str(sc.unclean_leader_election).lower()}

    def create() -> None:
        admin = cluster.admin()
        try:
            admin.create_topics({name: {"assignments": {0: list(cluster.broker_ids[:3])},
                                        "configs": configs}})
        except TopicAlreadyExistsError:  # an earlier attempt got through
            pass
        finally:
            admin.close()

    # kafka-python's retriable errors (a refused connection, a timeout), a broker just gone
    retry(create, WAIT_S, f"{name} to be created", retriable=transient_errors(), interval_s=0.5,
          error=ClusterTimeout)

    def ready() -> bool:
        try:
            return len(cluster.isr(name)) == 3 and cluster.leader(name) is not None
        except ClusterError:  # the metadata does not list the new partition yet
            return False

    cluster.wait_for(ready, WAIT_S, f"{name} to have a leader and 3 in-sync replicas")
    return name


def _followers_fetching(cluster: Any, topic: str) -> None:
    """One record acknowledged by every replica (``acks=all``) before the run starts.

    A new partition's followers are in its ISR from the start (an empty log is caught up) but
    begin fetching a moment later; a leader killed within the topic's first second could take
    every ``acks=1`` record written so far with it (seen live: the first 80 of a generated
    run), a loss of the lab's making, not of the scenario's. Followers that have acknowledged
    a record are fetching.
    """
    from course_lib.kafka.clients.producer import CourseProducer

    warm = CourseProducer(bootstrap_servers=cluster.bootstrap_servers, acks=-1,
                          max_block_ms=5000)
    try:
        warm.send(topic, b"-2").get(timeout=WAIT_S)
    finally:
        warm.close(timeout=5)


def _producer(cluster: Any, sc: LiveScenario) -> Any:
    from course_lib.kafka.clients.producer import CourseProducer  # names a missing topic

    return CourseProducer(
        bootstrap_servers=cluster.bootstrap_servers, acks=-1 if sc.acks == "all" else int(sc.acks),
        retries=sc.retries, enable_idempotence=sc.idempotence, linger_ms=5,
        request_timeout_ms=int(sc.request_timeout * 1000),
        delivery_timeout_ms=int(sc.delivery_timeout * 1000), max_block_ms=5000,
        metadata_max_age_ms=1000, reconnect_backoff_max_ms=500)


class _Watcher(threading.Thread):
    """Polls leader and ISR; turns changes into events (stamped relative to ``t0``)."""

    def __init__(self, cluster: Any, topic: str, t0: float, events: list[dict]) -> None:
        super().__init__(daemon=True)
        self.cluster, self.topic, self.t0, self.events = cluster, topic, t0, events
        self.samples: list[dict] = []
        self.done = threading.Event()

    def elr(self) -> str:
        """KIP-966's view of a leaderless partition: who may still lead cleanly."""
        admin = self.cluster.admin()
        try:
            topic = admin.describe_topic_partitions([self.topic])
        finally:
            admin.close()
        p = topic["topics"][0]["partitions"][0] if "topics" in topic else topic[0]["partitions"][0]
        return (f"ISR {sorted(p['isr_nodes'])}, ELR {sorted(p['eligible_leader_replicas'] or [])}"
                f", last known ELR {sorted(p['last_known_elr'] or [])}")

    def run(self) -> None:
        first = last = None
        while not self.done.is_set():
            with contextlib.suppress(Exception):
                p = self.cluster.partition(self.topic)
                at = round(time.monotonic() - self.t0, 3)
                leader = None if p["leader_id"] < 0 else int(p["leader_id"])
                isr = sorted(p["isr_nodes"])
                self.samples.append({"at": at, "leader": leader, "isr": isr})
                if first is None:
                    first = last = (leader, isr)
                assert last is not None  # set with first, on the first sample
                if leader != last[0]:
                    kind = "offline" if leader is None else "new_leader"
                    self.events.append({"at": at, "kind": kind, "detail": f"leader {leader}"})
                    if leader is None:
                        self.events.append({"at": at, "kind": "elr", "detail": self.elr()})
                if len(isr) != len(last[1]):
                    kind = "isr_shrink" if len(isr) < len(last[1]) else "isr_expand"
                    self.events.append({"at": at, "kind": kind, "detail": f"ISR {isr}"})
                last = (leader, isr)
            self.done.wait(POLL_S)


def _inject(cluster: Any, sc: LiveScenario, roles: dict[str, int], t0: float,
            events: list[dict]) -> None:
    """The failure at its moments, then the restarts (in the main thread, see the module doc)."""
    def at(moment: float) -> None:
        time.sleep(max(0.0, t0 + moment - time.monotonic()))

    def note(kind: str, detail: str) -> None:
        events.append({"at": round(time.monotonic() - t0, 3), "kind": kind, "detail": detail})

    leader, followers = roles["leader"], [roles["follower1"], roles["follower2"]]
    at(sc.failure_at)
    if sc.failure in ("kill_leader", "term_leader"):
        how = "kill" if sc.failure == "kill_leader" else "term"
        note(f"{how}", f"SIG{how.upper()} broker {leader} (the leader)")
        cluster.kill(leader, how=how)
    elif sc.failure == "two_followers_down":
        for b in followers:
            cluster.kill(b)
        note("kill", f"SIGKILL brokers {followers} (the followers)")
    else:
        for b in followers:
            cluster.kill(b, how="stop")
        note("stop", f"SIGSTOP brokers {followers} (the followers)")
        at(sc.failure_at + sc.freeze_time)
        cluster.kill(leader)
        note("kill", f"SIGKILL broker {leader} (the leader)")
        for b in followers:
            cluster.resume(b)
        note("resume", f"SIGCONT brokers {followers}")
    _restart_dead(cluster, sc, roles, t0, events)


def _restart_dead(cluster: Any, sc: LiveScenario, roles: dict[str, int], t0: float,
                  events: list[dict]) -> None:
    if sc.down_time is None:
        return
    died = sc.leader_dies_at if sc.leader_dies_at is not None else sc.failure_at
    time.sleep(max(0.0, t0 + died + sc.down_time - time.monotonic()))
    dead = [b for b in roles.values() if not cluster.running(b)]
    events.append({"at": round(time.monotonic() - t0, 3), "kind": "restart",
                   "detail": f"restart brokers {dead}"})
    for b in dead:
        cluster.restart(b, timeout_s=WAIT_S)


def run_live(cluster: Any, sc: LiveScenario) -> FailoverRun:
    """Play ``sc`` on ``cluster`` (healthy, 3 brokers); returns what was measured."""
    with quiet_client_logs():
        return _run(cluster, sc)


def _run(cluster: Any, sc: LiveScenario) -> FailoverRun:
    topic = _create_topic(cluster, sc)
    replicas = cluster.partition(topic)["replica_nodes"]
    roles = {"leader": replicas[0], "follower1": replicas[1], "follower2": replicas[2]}
    producer = _producer(cluster, sc)
    _followers_fetching(cluster, topic)
    producer.send(topic, b"-1").get(timeout=WAIT_S)      # metadata and connections first
    sends: list[dict] = []
    events: list[dict] = []
    t0 = time.monotonic()
    watcher = _Watcher(cluster, topic, t0, events)
    watcher.start()
    problems: list[BaseException] = []

    def produce() -> None:
        try:
            _produce(producer, topic, sc, t0, sends)
        except BaseException as exc:  # reported by the main thread
            problems.append(exc)

    # The failure and the restarts run in the main thread: a JVM started from a helper thread
    # would get SIGKILL when that thread ends (PR_SET_PDEATHSIG follows the parent *thread*).
    load = threading.Thread(target=produce, daemon=True)
    load.start()
    try:
        _inject(cluster, sc, roles, t0, events)
        load.join(sc.duration + WAIT_S)
        if problems:
            raise problems[0]
        _flush(producer, sc, t0, events)
        if sc.down_time is not None:
            def rejoined() -> bool:  # a broker still starting may fail the metadata request
                try:
                    return len(cluster.isr(topic)) == 3
                except Exception:
                    return False
            with contextlib.suppress(Exception):  # not back within WAIT_S: read what is there
                cluster.wait_for(rejoined, WAIT_S, "the restarted brokers to rejoin the ISR",
                                 interval_s=POLL_S)
            time.sleep(2 * POLL_S)                        # let the watcher see the rejoin
        read = read_back(cluster, topic, WAIT_S)
    finally:
        watcher.done.set()
        watcher.join(5)
        producer.close(timeout=5)  # forcefully when the time is up: unanswered sends are failed
    events.sort(key=lambda e: e["at"])
    return FailoverRun(sc, sends, [v for v in read if v >= 0], watcher.samples, events)


def _flush(producer: Any, sc: LiveScenario, t0: float, events: list[dict]) -> None:
    """Wait for every answer, ``delivery_timeout`` and 5 s at most.

    kafka-python expires a batch after ``delivery.timeout.ms`` only while it waits in the
    accumulator; a batch already sent and retried on ``NOT_ENOUGH_REPLICAS`` can go unanswered
    for longer (the Java client would fail it). The producer's close then fails them
    (:meth:`~course_lib.kafka.clients.producer.CourseProducer.close`), as Java's does.
    """
    from kafka.errors import KafkaTimeoutError

    try:
        producer.flush(timeout=sc.delivery_timeout + 5)
    except KafkaTimeoutError:
        events.append({"at": round(time.monotonic() - t0, 3), "kind": "unanswered",
                       "detail": "sends still unanswered when the producer closed"})


def _produce(producer: Any, topic: str, sc: LiveScenario, t0: float, sends: list[dict]) -> None:
    """Send ``produce_rate × duration`` records at a fixed rate; callbacks record each outcome."""
    def record(seq: int) -> dict:
        entry = {"seq": seq, "sent_at": round(time.monotonic() - t0, 4), "outcome": "pending",
                 "error": "", "offset": None}
        sends.append(entry)
        return entry

    def ok(entry: dict, metadata: Any) -> None:
        entry.update(outcome="acknowledged", offset=metadata.offset)

    def failed(entry: dict, exc: BaseException) -> None:
        entry.update(outcome="rejected", error=type(exc).__name__)

    for seq in range(round(sc.produce_rate * sc.duration)):
        time.sleep(max(0.0, t0 + seq / sc.produce_rate - time.monotonic()))
        entry = record(seq)
        try:
            future = producer.send(topic, str(seq).encode())
        except Exception as exc:  # KafkaTimeoutError: no metadata within max_block_ms
            failed(entry, exc)
            continue
        future.add_callback(lambda md, e=entry: ok(e, md))
        future.add_errback(lambda exc, e=entry: failed(e, exc))


def heal(cluster: Any, timeout_s: float = WAIT_S) -> None:
    """Make the cluster whole again for the next run (thaw, restart, wait for registration)."""
    for b in list(cluster.frozen):
        cluster.resume(b)
    for b in cluster.broker_ids:
        if not cluster.running(b):
            cluster.restart(b, timeout_s=timeout_s)
    cluster.wait_for(lambda: cluster.registered_brokers() == cluster.broker_ids, timeout_s,
                     "every broker to be registered again")
