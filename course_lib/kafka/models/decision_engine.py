"""Lesson 06's engines: :func:`simulate` runs one hand-over style, :func:`compare` all.

:func:`simulate_integration` is the name lesson 06 calls, with its old ``seed=`` argument.

The description, the costs and the result live in :mod:`course_lib.kafka.models.decision`; the
twin engine in :mod:`course_lib.kafka.models.decision_fast`. Apart, so that no import is circular.
Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from dataclasses import replace

import simpy

from course_lib.core.engines import check_engine, seeded, stream
from course_lib.kafka.models.decision import (
    SAMPLE_INTERVAL,
    STYLES,
    IntegrationResult,
    IntegrationScenario,
)
from course_lib.kafka.models.decision_fast import simulate_integration_fast

__all__ = ["compare", "simulate", "simulate_integration"]


def simulate_integration(scenario: IntegrationScenario, seed: int | None = None, *,
                         engine: str = "auto") -> IntegrationResult:
    """:func:`simulate`, under lesson 06's name; ``seed`` (kept for one release) overrides
    ``scenario.seed`` (:func:`course_lib.core.engines.seeded`)."""
    return simulate(seeded(scenario, seed), engine=engine)


def simulate(scenario: IntegrationScenario, *, engine: str = "auto") -> IntegrationResult:
    """Run one hand-over style for ``duration`` seconds; deterministic for its ``seed``.

    ``engine="simpy"`` runs the simpy model below (fresh state per call). The default ``"auto"``
    computes the very same result by event arithmetic
    (:mod:`course_lib.kafka.models.decision_fast`), fast enough for the dashboard to re-run four
    styles on every slider move.
    """
    if check_engine(engine) == "auto":
        return simulate_integration_fast(scenario)
    return _simulate_simpy(scenario)


def _simulate_simpy(scenario: IntegrationScenario) -> IntegrationResult:
    s, c, seed = scenario, scenario.costs, scenario.seed
    env = simpy.Environment()
    arrivals_rng, work_rng = stream(seed, "arrivals"), stream(seed, "work")
    stats = {"produced": 0, "delivered": 0, "failed": 0, "accepted": 0, "before_late": 0}
    response_times: list[tuple[float, float]] = []
    backlog: list[tuple[float, int]] = []
    store = simpy.Store(env)  # the intermediary's waiting messages (produced_at times)
    table: list[float] = []  # db_table rows not yet claimed
    db = simpy.Resource(env, capacity=1)  # one database: writes are serialized
    hub = simpy.Resource(env, capacity=1)  # one broker / one partition leader's append path
    pool = simpy.Resource(env, capacity=s.consumers)  # direct_api: the consumer's workers

    def wait_if_down():
        if s.down(env.now):
            yield env.timeout(s.outage_end_at - env.now)

    def process(produced_at: float):
        yield env.timeout(work_rng.expovariate(1.0 / s.processing_time))
        response_times.append((produced_at, env.now - produced_at))
        stats["delivered"] += 1

    def direct_call(produced_at: float):
        if s.down(env.now):
            stats["failed"] += 1  # connection refused: the producer sees an error
            return
        stats["accepted"] += 1
        yield env.timeout(c.network_hop)  # the request travels; the worker is not yet held
        with pool.request() as req:
            got = yield req | env.timeout(c.request_timeout)
            if req not in got:
                stats["failed"] += 1  # timed out waiting for a free worker
                stats["accepted"] -= 1
                return
            yield from process(produced_at)

    def publish(produced_at: float):
        stats["accepted"] += 1
        yield env.timeout(c.network_hop)  # producer → intermediary: a second hop
        if s.style == "db_table":
            with db.request() as req:
                yield req
                yield env.timeout(c.db_write_time)  # INSERT
            table.append(produced_at)
            return
        with hub.request() as req:
            yield req
            yield env.timeout(c.broker_time if s.style == "message_broker" else c.append_time)
        yield env.timeout(c.network_hop)  # delivery (push or prefetch) overlaps processing
        yield store.put(produced_at)

    def pushed_consumer():  # message_broker (push) and kafka (long-poll fetch)
        while True:
            produced_at = yield store.get()
            yield from wait_if_down()
            yield from process(produced_at)

    def polling_consumer(phase: float):  # db_table
        yield env.timeout(phase)
        full = False
        while True:
            yield from wait_if_down()
            if not full:
                yield env.timeout(c.poll_interval)
            full = len(table) >= c.db_batch
            if s.down(env.now) or not table:
                continue
            batch = [table.pop(0) for _ in range(min(c.db_batch, len(table)))]
            with db.request() as req:
                yield req
                yield env.timeout(c.db_write_time)  # UPDATE … claim the batch
            for produced_at in batch:
                yield from process(produced_at)
            with db.request() as req:
                yield req
                yield env.timeout(c.db_write_time)  # DELETE the finished batch

    def producer():
        while True:
            yield env.timeout(arrivals_rng.expovariate(s.produce_rate))
            stats["produced"] += 1
            if env.now < s.late_subscriber_at:
                stats["before_late"] += 1
            if s.style == "direct_api":
                env.process(direct_call(env.now))
            else:
                env.process(publish(env.now))

    def sampler():
        while True:
            backlog.append((round(env.now, 6), stats["accepted"] - stats["delivered"]))
            yield env.timeout(SAMPLE_INTERVAL)

    env.process(producer())
    env.process(sampler())
    if s.style in ("message_broker", "kafka"):
        for _ in range(s.consumers):
            env.process(pushed_consumer())
    elif s.style == "db_table":
        for i in range(s.consumers):
            env.process(polling_consumer(c.poll_interval * i / s.consumers))
    env.run(until=s.duration + 1e-9)
    replayable = stats["before_late"] if s.style == "kafka" else 0
    return IntegrationResult(s, stats["produced"], stats["delivered"], stats["failed"],
                             response_times, backlog, replayable)


def compare(base: IntegrationScenario, seed: int | None = None, *,
            engine: str = "auto") -> dict[str, IntegrationResult]:
    """The same scenario (same seed, same traffic) under each of the four hand-over styles.
    ``seed`` (kept for one release) overrides ``base.seed``."""
    base = seeded(base, seed)
    return {style: simulate(replace(base, style=style), engine=engine) for style in STYLES}
