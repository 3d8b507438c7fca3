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

from dataclasses import dataclass, field

from course_lib.core.stats import lower_quantile
from course_lib.core.validate import FieldTypeError, description, integer, number, one_of

__all__ = ["SAMPLE_INTERVAL", "STYLES", "Costs", "IntegrationResult", "IntegrationScenario",
           "throughput_ceiling"]

STYLES = ("direct_api", "db_table", "message_broker", "kafka")
SAMPLE_INTERVAL = 0.5  # seconds between backlog samples


@description
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


@description
@dataclass(frozen=True)
class IntegrationScenario:
    """Traffic, consumers, the outage and the late subscriber; ``style`` picks the hand-over."""

    style: str = "kafka"
    produce_rate: float = 200.0  # messages per second (Poisson)
    consumers: int = 2
    processing_time: float = 0.002  # seconds per message in a consumer (exponential)
    outage_at: float = 10.0
    outage_time: float = 5.0  # the consumer service is down for [start, start + this)
    late_subscriber_at: float = 20.0
    duration: float = 30.0
    costs: Costs = field(default_factory=Costs)
    seed: int = 0  # of every random stream of the run (core.engines.stream)

    def __post_init__(self) -> None:
        one_of("style", self.style, STYLES)
        for name in ("produce_rate", "processing_time", "duration"):
            number(name, getattr(self, name), gt=0)
        for name in ("outage_at", "outage_time", "late_subscriber_at"):
            number(name, getattr(self, name), ge=0)
        integer("consumers", self.consumers, ge=1)
        integer("seed", self.seed, ge=0)
        if not isinstance(self.costs, Costs):
            raise FieldTypeError(f"costs must be a Costs (got {self.costs!r})")

    @property
    def outage_end_at(self) -> float:
        return self.outage_at + self.outage_time

    def down(self, t: float) -> bool:
        return self.outage_at <= t < self.outage_end_at


@dataclass
class IntegrationResult:
    scenario: IntegrationScenario
    produced: int
    delivered: int
    failed: int  # refused or timed out at the producer (the producer must handle these)
    response_times: list[tuple[float, float]]  # (produced_at, produced → processed in s), delivered
    backlog: list[tuple[float, int]]  # (time, accepted but not yet processed)
    replayable: int  # messages a subscriber arriving at late_subscriber_at can still read

    @property
    def in_flight(self) -> int:
        return self.produced - self.delivered - self.failed

    def quantile(self, q: float, before: float | None = None) -> float:
        """The lower ``q``-quantile (``q`` in [0, 1], :func:`~course_lib.core.stats.lower_quantile`)
        of the response time (s) of messages produced before ``before`` (default: the outage
        start, i.e. normal operation; ``math.inf`` for all messages)."""
        cut = self.scenario.outage_at if before is None else before
        return _quantile(sorted(lat for at, lat in self.response_times if at < cut), q)

    def summary(self) -> dict[str, float | int | str]:
        normal = sorted(lat for at, lat in self.response_times if at < self.scenario.outage_at)
        every = sorted(lat for _, lat in self.response_times)
        return {
            "style": self.scenario.style,
            "produced": self.produced,
            "delivered": self.delivered,
            "failed_at_producer": self.failed,
            "p50_response_time_ms": round(1000 * _quantile(normal, 0.5), 1),
            "p95_response_time_ms": round(1000 * _quantile(normal, 0.95), 1),
            "p95_response_time_all_ms": round(1000 * _quantile(every, 0.95), 1),
            "max_backlog": max((b for _, b in self.backlog), default=0),
            "history_for_new_subscriber": self.replayable,
        }


_quantile = lower_quantile  # lesson 06's stored numbers use it (see course_lib.core.stats)


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

