"""What the learner chooses: a :class:`Design` for the coffee shop's order system.

One frozen, validated description of every knob the capstone offers, taken from the lessons
that introduced it: API servers and their workers (lesson 01), the balancer's policy, health
checks, retries and standby (lessons 02–03), the Kafka topic's partitions, replication factor,
``min.insync.replicas``, ``acks`` and producer idempotence (lessons 04–05), the consumers and
the database pool (lessons 01 and 04). Every field is checked with :mod:`course_lib.core.validate`
when the design is built, so a slider, the evaluator and a test all show the same sentence,
naming the field and the allowed range: ``api_servers must be an integer in [1, 8] (got 0)``.

The ranges are the capstone's, not the software's: they keep a sweep of every design small
enough to run in a lesson, and every value in them is a design someone might defend.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.core.validate import description, flag, integer, number, one_of
from course_lib.kafka.models.replication import canonical_acks
from course_lib.lb.models.policies import POLICIES

__all__ = ["RANGES", "STANDBY", "Design"]

STANDBY = ("none", "hot", "cold")
# field -> (lowest, highest) allowed; one table, so the lesson can print it
RANGES: dict[str, tuple[float, float]] = {
    "api_servers": (1, 8),
    "workers": (1, 16),
    "interval": (0.1, 10.0),
    "fall": (1, 10),
    "retries": (0, 3),
    "partitions": (1, 24),
    "brokers": (1, 5),
    "consumers": (1, 24),
    "db_pool": (1, 32),
}


@description
@dataclass(frozen=True)
class Design:
    """The learner's order system (every count per design, times in seconds).

    * ``api_servers`` × ``workers``: lesson 01's API behind the balancer; a server serves at most
      ``min(workers, db_pool)`` checkouts at once (a worker without a database connection waits);
    * ``policy``, ``interval``, ``fall``: HAProxy's ``balance``, ``inter`` and ``fall``, named
      as :class:`~course_lib.lb.models.scenario.HealthCheck` names them
      (the course's words; the health check's ``rise`` is HealthCheck's default, 2);
      ``retries``: HAProxy ``retries`` with ``option redispatch``;
      ``idempotency_key``: the client sends one per checkout, so a retried checkout that had
      already been stored is recognised instead of stored twice;
    * ``standby``: ``"none"``, or one extra ``"hot"`` (running, checked) or ``"cold"`` (booted
      when needed) API server, HAProxy's ``backup``;
    * ``brokers``, ``partitions``, ``replication_factor``, ``min_insync_replicas``, ``acks``,
      ``idempotence``: the ``orders`` topic and its producer (the checkout);
    * ``consumers``: the fulfilment group that writes orders into the database.
    """

    api_servers: int = 3
    workers: int = 2
    policy: str = "least_connections"
    interval: float = 1.0
    fall: int = 2
    retries: int = 1
    idempotency_key: bool = True
    standby: str = "none"
    brokers: int = 3
    partitions: int = 6
    replication_factor: int = 3
    min_insync_replicas: int = 2
    acks: str | int = "all"
    idempotence: bool = True
    consumers: int = 2
    db_pool: int = 4

    def __post_init__(self) -> None:
        for name in ("api_servers", "workers", "fall", "retries", "brokers", "partitions",
                     "consumers", "db_pool"):
            low, high = RANGES[name]
            integer(name, getattr(self, name), ge=int(low), le=int(high))
        low, high = RANGES["interval"]
        number("interval", self.interval, ge=low, le=high)
        one_of("policy", self.policy, POLICIES)
        one_of("standby", self.standby, STANDBY)
        flag("idempotency_key", self.idempotency_key)
        flag("idempotence", self.idempotence)
        integer("replication_factor", self.replication_factor, ge=1, le=self.brokers,
                high_name=f"brokers={self.brokers}")
        integer("min_insync_replicas", self.min_insync_replicas, ge=1,
                le=self.replication_factor,
                high_name=f"replication_factor={self.replication_factor}")
        object.__setattr__(self, "acks", canonical_acks(self.acks))
        if self.idempotence and self.acks != "all":
            raise ValueError(f"idempotence requires acks='all' (got acks={self.acks!r})")

    @property
    def idle_consumers(self) -> int:
        """Consumers beyond the partition count: legal in Kafka (standbys for a rebalance), but
        they process nothing, so the score and the checker say how many (lesson 04)."""
        return max(0, self.consumers - self.partitions)

    @property
    def concurrency(self) -> int:
        """Checkouts one API server works on at once: its workers, capped by its DB pool."""
        return min(self.workers, self.db_pool)

    def label(self) -> str:
        """A short name for tables and hover text:
        ``3×2 least_connections · 3b RF3 ISR2 acks=all · 2c`` (servers × workers, policy,
        standby if any, brokers, RF, min ISR, acks, consumers)."""
        return (f"{self.api_servers}×{self.workers} {self.policy}"
                f"{'' if self.standby == 'none' else ' +' + self.standby}"
                f" · {self.brokers}b RF{self.replication_factor} ISR{self.min_insync_replicas}"
                f" acks={self.acks} · {self.consumers}c")
