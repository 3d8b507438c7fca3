"""Lesson 06's trade-off model: Kafka vs a direct API call, a database table and a classic broker.

Four ways for an *order service* (the producer) to hand work to a *shipping service* (the
consumer), with the same traffic, the same consumers, and the same accident: the shipping service
is down for ``outage_time`` seconds. A second application (say, analytics) subscribes late, at
``late_subscriber_at``, and wants the history.

* ``direct_api``: the producer calls the consumer synchronously. Lowest latency, no extra system;
  but while the consumer is down every call fails (the producer must retry or drop), a call that
  waits longer than ``request_timeout`` fails too, and a new subscriber means changing the producer.
* ``db_table``: the producer INSERTs a row; consumers poll every ``poll_interval``, claim a batch
  (one UPDATE) and delete it when done (one DELETE). Buffers through outages, no new
  infrastructure, but every message costs database writes (a ceiling of roughly
  1 / ``db_write_time`` messages/s on one database) and polling adds latency.
* ``message_broker`` (RabbitMQ-style): the broker pushes each message to a free consumer and
  deletes it on acknowledgement. Buffers, low latency, per-message routing; but once acknowledged a
  message is gone: a late subscriber gets only what is published after it subscribes.
* ``kafka``: the producer appends to a partitioned log; consumers pull, commit offsets, and the log
  is kept for the retention period. Buffers, low latency, cheap appends; and a late subscriber can
  replay the whole retained history. The price: a cluster to run and partitions to plan.

Costs are *illustrative assumptions* (:class:`Costs`), not benchmarks; change them and watch which
conclusions survive. The structural differences (who fails during an outage, who can replay,
who polls) do not depend on them.

Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import simpy

from course_lib.engines import check_engine, stream
from course_lib.stats import lower_quantile
from course_lib.validate import FieldTypeError, integer, number, one_of

__all__ = ["SAMPLE_INTERVAL", "STYLES", "Costs", "IntegrationResult", "IntegrationScenario",
           "compare", "simulate_integration", "throughput_ceiling"]

STYLES = ("direct_api", "db_table", "message_broker", "kafka")
SAMPLE_INTERVAL = 0.5  # seconds between backlog samples


@dataclass(frozen=True)
class Costs:
    """Per-message costs (seconds) of each hand-over; illustrative defaults, change freely."""

    network_hop: float = 0.001  # one request or delivery over the network
    db_write_time: float = 0.002  # one committed write (INSERT/UPDATE/DELETE) on the database
    poll_interval: float = 0.5  # how often a db_table consumer looks for new rows
    db_batch: int = 100  # rows claimed per poll (a full batch → poll again at once)
    broker_time: float = 0.0002  # a classic broker routing + acknowledging one message
    append_time: float = 0.00002  # Kafka appending one message to a batch in the log
    request_timeout: float = 1.0  # a direct call that waits longer than this fails

    def __post_init__(self) -> None:
        # checked here, not in the engine: a negative hop would surface as simpy's anonymous
        # "Negative delay" deep inside a run; errors name the field as ``costs.<name>``
        for name in ("network_hop", "db_write_time", "broker_time", "append_time"):
            number(f"costs.{name}", getattr(self, name), ge=0)
        for name in ("poll_interval", "request_timeout"):
            number(f"costs.{name}", getattr(self, name), gt=0)
        integer("costs.db_batch", self.db_batch, ge=1)


@dataclass(frozen=True)
class IntegrationScenario:
    """Traffic, consumers, the outage and the late subscriber; ``style`` picks the hand-over."""

    style: str = "kafka"
    produce_rate: float = 200.0  # messages per second (Poisson)
    consumers: int = 2
    processing_time: float = 0.002  # seconds per message in a consumer (exponential)
    outage_start: float = 10.0
    outage_time: float = 5.0  # the consumer service is down for [start, start + this)
    late_subscriber_at: float = 20.0
    duration: float = 30.0
    costs: Costs = field(default_factory=Costs)

    def __post_init__(self) -> None:
        one_of("style", self.style, STYLES)
        for name in ("produce_rate", "processing_time", "duration"):
            number(name, getattr(self, name), gt=0)
        for name in ("outage_start", "outage_time", "late_subscriber_at"):
            number(name, getattr(self, name), ge=0)
        integer("consumers", self.consumers, ge=1)
        if not isinstance(self.costs, Costs):
            raise FieldTypeError(f"costs must be a Costs (got {self.costs!r})")

    @property
    def outage_end(self) -> float:
        return self.outage_start + self.outage_time

    def down(self, t: float) -> bool:
        return self.outage_start <= t < self.outage_end


@dataclass
class IntegrationResult:
    scenario: IntegrationScenario
    produced: int
    delivered: int
    failed: int  # refused or timed out at the producer (the producer must handle these)
    latencies: list[tuple[float, float]]  # (produced_at, produced → processed in s), delivered
    backlog: list[tuple[float, int]]  # (time, accepted but not yet processed)
    replayable: int  # messages a subscriber arriving at late_subscriber_at can still read

    @property
    def in_flight(self) -> int:
        return self.produced - self.delivered - self.failed

    def quantile(self, q: float, before: float | None = None) -> float:
        """The ``q``-quantile of latency (s) of messages produced before ``before`` (default:
        the outage start, i.e. normal operation; ``math.inf`` for all messages)."""
        cut = self.scenario.outage_start if before is None else before
        return _quantile(sorted(lat for at, lat in self.latencies if at < cut), q)

    def summary(self) -> dict[str, float | int | str]:
        normal = sorted(lat for at, lat in self.latencies if at < self.scenario.outage_start)
        every = sorted(lat for _, lat in self.latencies)
        return {
            "style": self.scenario.style,
            "produced": self.produced,
            "delivered": self.delivered,
            "failed_at_producer": self.failed,
            "p50_latency_ms": round(1000 * _quantile(normal, 0.5), 1),
            "p95_latency_ms": round(1000 * _quantile(normal, 0.95), 1),
            "p95_latency_all_ms": round(1000 * _quantile(every, 0.95), 1),
            "max_backlog": max((b for _, b in self.backlog), default=0),
            "history_for_new_subscriber": self.replayable,
        }


_quantile = lower_quantile  # lesson 06's stored numbers use it (see course_lib.stats)


def simulate_integration(scenario: IntegrationScenario, seed: int = 0, *,
                         engine: str = "auto") -> IntegrationResult:
    """Run one hand-over style for ``duration`` seconds; deterministic for a given ``seed``.

    ``engine="simpy"`` runs the simpy model below (fresh state per call). The default ``"auto"``
    computes the very same result by event arithmetic (:mod:`course_lib.kafka.decision_fast`),
    fast enough for the dashboard to re-run four styles on every slider move.
    """
    if check_engine(engine) == "auto":
        from course_lib.kafka.decision_fast import simulate_integration_fast  # imports this module

        return simulate_integration_fast(scenario, seed)
    return _simulate_simpy(scenario, seed)


def _simulate_simpy(scenario: IntegrationScenario, seed: int) -> IntegrationResult:
    s, c = scenario, scenario.costs
    env = simpy.Environment()
    arrivals_rng, work_rng = stream(seed, "arrivals"), stream(seed, "work")
    stats = {"produced": 0, "delivered": 0, "failed": 0, "accepted": 0, "before_late": 0}
    latencies: list[tuple[float, float]] = []
    backlog: list[tuple[float, int]] = []
    store = simpy.Store(env)  # the intermediary's waiting messages (produced_at times)
    table: list[float] = []  # db_table rows not yet claimed
    db = simpy.Resource(env, capacity=1)  # one database: writes are serialized
    hub = simpy.Resource(env, capacity=1)  # one broker / one partition leader's append path
    pool = simpy.Resource(env, capacity=s.consumers)  # direct_api: the consumer's workers

    def wait_if_down():
        if s.down(env.now):
            yield env.timeout(s.outage_end - env.now)

    def process(produced_at: float):
        yield env.timeout(work_rng.expovariate(1.0 / s.processing_time))
        latencies.append((produced_at, env.now - produced_at))
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
                             latencies, backlog, replayable)


def throughput_ceiling(style: str, scenario: IntegrationScenario) -> float:
    """Messages/s the hand-over itself sustains on one node, from :class:`Costs` (analytic).

    ``direct_api`` has no intermediary, so its ceiling is the consumers' own capacity; the others
    are limited by their intermediary (one database, one broker, one partition leader; Kafka
    scales further by adding partitions on more brokers).
    """
    c = scenario.costs
    if style == "direct_api":
        return scenario.consumers / scenario.processing_time
    if style == "db_table":
        return 1.0 / (c.db_write_time * (1 + 2 / c.db_batch))
    if style == "message_broker":
        return 1.0 / c.broker_time
    if style == "kafka":
        return 1.0 / c.append_time
    raise ValueError(f"style must be one of {', '.join(STYLES)} (got {style!r})")


def compare(base: IntegrationScenario, seed: int = 0, *,
            engine: str = "auto") -> dict[str, IntegrationResult]:
    """The same scenario (same seed, same traffic) under each of the four hand-over styles."""
    return {style: simulate_integration(replace(base, style=style), seed, engine=engine)
            for style in STYLES}
