"""The problem every design is scored on: a busy day, what goes wrong, what was promised, prices.

Four frozen descriptions with defaults, so the lesson states the problem once and every engine
(the simulation and a measured run alike) reads it from here:

* :class:`TrafficProfile`: checkouts of lesson 05's coffee shop, time compressed (a day in two
  minutes): a base rate and a peak ``peak_factor`` times higher;
* :class:`FailureScript`: an API server crashes and restarts, another hangs, a Kafka broker
  dies and comes back, the database turns slow for a while;
* :class:`Objectives`: the service-level objectives (SLOs) the design must keep;
* :class:`Prices`: cost per hour of each part. **These are assumptions** made for the lesson
  (round numbers in the range of small cloud machines), not a price list: the point is that
  redundancy costs money, so the cheapest design that keeps the promise is the interesting one.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.core.validate import description, number

__all__ = ["FailureScript", "Objectives", "Prices", "TrafficProfile", "Work"]


@description
@dataclass(frozen=True)
class TrafficProfile:
    """Checkouts per second over ``duration`` seconds: ``base_rate``, and ``base_rate ×
    peak_factor`` from ``peak_start_at`` to ``peak_end_at`` (the morning rush)."""

    base_rate: float = 8.0
    peak_factor: float = 4.0
    peak_start_at: float = 30.0
    peak_end_at: float = 60.0
    duration: float = 120.0

    def __post_init__(self) -> None:
        number("base_rate", self.base_rate, gt=0, le=50)
        number("peak_factor", self.peak_factor, ge=1, le=10)
        number("duration", self.duration, gt=0, le=600)
        number("peak_start_at", self.peak_start_at, ge=0, lt=self.duration,
               high_name=f"duration={self.duration:g}")
        number("peak_end_at", self.peak_end_at, gt=self.peak_start_at, le=self.duration,
               low_name=f"peak_start_at={self.peak_start_at:g}",
               high_name=f"duration={self.duration:g}")

    def rate_at(self, at: float) -> float:
        """Checkouts per second at instant ``at``."""
        peak = self.peak_start_at <= at < self.peak_end_at
        return self.base_rate * (self.peak_factor if peak else 1.0)


@description
@dataclass(frozen=True)
class FailureScript:
    """What goes wrong, and when (seconds from the start of the day).

    The first API server crashes at ``crash_at`` (SIGKILL) and is restarted at ``crash_end_at``;
    the second hangs (SIGSTOP) from ``hang_at`` to ``hang_end_at``; a broker (the leader of some
    orders partitions, a follower of others) dies (SIGKILL) at ``broker_crash_at`` and is restarted
    ``broker_down_time`` seconds later; every database call takes ``db_slow_factor`` times
    as long from ``db_slow_at`` to ``db_slow_end_at``. The defaults put both API failures in the
    peak (that is when they hurt) and let no two failures overlap, so the breakdown can say
    which one cost what.
    """

    crash_at: float = 34.0
    crash_end_at: float = 44.0
    hang_at: float = 47.0
    hang_end_at: float = 57.0
    broker_crash_at: float = 65.0
    broker_down_time: float = 20.0
    db_slow_at: float = 90.0
    db_slow_end_at: float = 110.0
    db_slow_factor: float = 4.0

    def __post_init__(self) -> None:
        for start, end in (("crash_at", "crash_end_at"), ("hang_at", "hang_end_at"),
                           ("db_slow_at", "db_slow_end_at")):
            number(start, getattr(self, start), ge=0)
            number(end, getattr(self, end), gt=getattr(self, start),
                   low_name=f"{start}={getattr(self, start):g}")
        number("broker_crash_at", self.broker_crash_at, ge=0)
        number("broker_down_time", self.broker_down_time, gt=0)
        number("db_slow_factor", self.db_slow_factor, ge=1, le=20)


@description
@dataclass(frozen=True)
class Work:
    """How long each step takes when nothing is wrong (seconds), and the clients' timeouts.

    A checkout spends ``app_time`` in the API's code and ``db_time`` in the database (the part
    the slow database multiplies); a consumer spends ``consume_time`` per order, a third of it in
    the database. ``request_timeout`` is the balancer's ``timeout server``; the producer's
    ``produce_timeout`` is its ``request.timeout.ms`` (short, so it retries on a new leader soon).
    ``broker_start_time`` is how long a restarted broker takes before it serves again: a JVM
    starting, loading its log and registering with the controller (about 3 s measured by
    ``run_live`` on the course's idle 2-core machine, 5–9 s while other jobs loaded it; the first
    model had the broker back the instant it was restarted).
    """

    app_time: float = 0.020
    db_time: float = 0.030
    consume_time: float = 0.060
    request_timeout: float = 0.5
    produce_timeout: float = 2.0
    broker_start_time: float = 3.0

    def __post_init__(self) -> None:
        for name in ("app_time", "db_time", "consume_time", "request_timeout",
                     "produce_timeout", "broker_start_time"):
            number(name, getattr(self, name), gt=0)


@description
@dataclass(frozen=True)
class Objectives:
    """The promise (SLOs): checkouts answered successfully, their p99 latency, no acknowledged
    order lost, no order processed twice, and orders processed within ``freshness_p99_s``
    (99 % of them)."""

    availability: float = 0.995
    p99_ms: float = 500.0
    orders_lost: int = 0
    duplicates: int = 0
    freshness_p99_s: float = 15.0

    def __post_init__(self) -> None:
        number("availability", self.availability, gt=0, le=1)
        number("p99_ms", self.p99_ms, gt=0)
        number("orders_lost", self.orders_lost, ge=0)
        number("duplicates", self.duplicates, ge=0)
        number("freshness_p99_s", self.freshness_p99_s, gt=0)


@description
@dataclass(frozen=True)
class Prices:
    """Cost per hour of each part, in dollars. ASSUMPTIONS for the lesson, not quotes."""

    api_server: float = 0.10
    per_worker: float = 0.02
    cold_standby: float = 0.02  # a stopped machine: its disk and image only
    broker: float = 0.25
    per_partition: float = 0.002
    consumer: float = 0.05
    per_db_connection: float = 0.005  # memory the database holds for each pooled connection
    fixed: float = 0.45  # the database server and the balancer, whatever the design

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            number(name, value, ge=0)
