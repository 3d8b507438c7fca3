"""The whole request path as a simpy model: client → network → server → cache/database → back.

Where :mod:`~course_lib.components.models.server` is one queue, this is the path a real request
takes, with the parts lesson 01 argues about:

* **network**: each way costs ``network_delay`` plus an exponential ``network_jitter``; each
  way is lost with ``loss_probability``. A client that hears nothing within ``retry_timeout``
  sends the request again, at most ``max_attempts`` times in all (then the request *fails*). A
  lost *response* means the server did the work for nothing, and the retry does it again;
* **server**: ``workers`` threads; a request holds one for its whole stay (a blocking server),
  an exponential ``server_time`` of its own work plus its data access;
* **cache**: with probability ``cache_hit_ratio`` the data is in the cache (``cache_time``, a
  constant); otherwise the request takes a connection from a pool of ``db_pool`` and queries the
  **database** (exponential ``db_time``), waiting for a free connection if all are taken.

:class:`PathScenario` is the description (validated: every message names the field),
:func:`~course_lib.components.models.path_engine.simulate` the engine.
:meth:`PathScenario.check_stable` refuses a steady-state question when the offered load on the
workers or the database pool is ≥ 1, because then the queue grows without bound and any
percentile from a finite run is an artefact of its length.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course_lib.components.models.server import check_count, check_rate
from course_lib.core.stats import linear_quantile
from course_lib.core.validate import description, integer, number

__all__ = ["PathKnobs", "PathResult", "PathScenario"]


@description
@dataclass(frozen=True)
class PathScenario:
    """One request path; times in seconds, rates per second (see the module docstring)."""

    arrival_rate: float = 50.0
    network_delay: float = 0.001
    network_jitter: float = 0.0002
    loss_probability: float = 0.0
    retry_timeout: float = 1.0
    max_attempts: int = 3
    workers: int = 4
    server_time: float = 0.002
    db_time: float = 0.010
    db_pool: int = 4
    cache_hit_ratio: float = 0.0
    cache_time: float = 0.0005
    duration: float = 60.0
    warmup: float = 5.0
    seed: int = 0  # of every random stream of the run (core.engines.stream)

    def __post_init__(self) -> None:
        check_rate("arrival_rate", self.arrival_rate)
        for name in ("network_delay", "network_jitter", "cache_time", "warmup"):
            check_rate(name, getattr(self, name), allow_zero=True)
        for name in ("retry_timeout", "server_time", "db_time", "duration"):
            check_rate(name, getattr(self, name))
        for name in ("max_attempts", "workers", "db_pool"):
            check_count(name, getattr(self, name))
        number("loss_probability", self.loss_probability, ge=0, lt=1)
        number("cache_hit_ratio", self.cache_hit_ratio, ge=0, le=1)
        integer("seed", self.seed, ge=0)
        if self.warmup >= self.duration:
            raise ValueError(f"warmup must be < duration (got warmup={self.warmup!r}, "
                             f"duration={self.duration!r})")

    @property
    def server_visits(self) -> float:
        """Mean server visits per request when only lost packets cause retries.

        An attempt reaches the server with probability 1−p and comes back with (1−p)², so a
        client sends a geometric number of attempts, capped at ``max_attempts`` = m:
        E[attempts] = (1 − (1−q)^m) / q with q = (1−p)², and visits = (1−p)·E[attempts]. With
        no cap this is 1/(1−p); the cap matters at high loss (p = 0.5, m = 3: 1.16 visits,
        not 2), and ignoring it would call a stable server overloaded. Answers slower than
        ``retry_timeout`` cause further retries that this formula does not count.
        """
        p, m = self.loss_probability, self.max_attempts
        if p == 0:
            return 1.0
        q = (1 - p) ** 2
        return (1 - p) * (1 - (1 - q) ** m) / q

    @property
    def db_utilisation(self) -> float:
        """Offered load per database connection: λ·visits·(1−h)·db_time / db_pool."""
        misses = self.arrival_rate * self.server_visits * (1 - self.cache_hit_ratio)
        return misses * self.db_time / self.db_pool

    @property
    def worker_utilisation(self) -> float:
        """Offered load per worker, counting its own work and data access (pool waits excluded)."""
        h = self.cache_hit_ratio
        hold = self.server_time + h * self.cache_time + (1 - h) * self.db_time
        return self.arrival_rate * self.server_visits * hold / self.workers

    def check_stable(self) -> None:
        """Raise ``ValueError`` if the workers or the pool are offered a load ≥ 1."""
        for name, rho in (("workers", self.worker_utilisation),
                          ("db_pool", self.db_utilisation)):
            if rho >= 1:
                raise ValueError(
                    f"offered load on {name} is {rho:.2f} ≥ 1 at arrival_rate="
                    f"{self.arrival_rate:g}/s: the queue grows without bound (no steady state)"
                )


@description
@dataclass(frozen=True)
class PathKnobs:
    """The path as lesson 01's dashboards set it: times in milliseconds, loss in percent.

    A knob is refused here, naming the knob the learner moved (``loss_percent``, not the
    ``loss_probability`` it becomes), before :meth:`scenario` converts it to a
    :class:`PathScenario` in seconds and fractions. The retry timeout follows the delay (20
    round trips' worth of one-way delay, at least 0.2 s), so a slow network is not mistaken for
    a lossy one.
    """

    arrival_rate: float = 50.0
    network_delay_ms: float = 1.0
    workers: int = 4
    db_time_ms: float = 10.0
    cache_hit_ratio: float = 0.0
    network_jitter_ms: float = 0.2
    loss_percent: float = 0.0

    def __post_init__(self) -> None:
        check_rate("network_delay_ms", self.network_delay_ms, allow_zero=True)
        check_rate("network_jitter_ms", self.network_jitter_ms, allow_zero=True)
        number("loss_percent", self.loss_percent, ge=0, lt=100)
        check_rate("arrival_rate", self.arrival_rate)
        check_rate("db_time_ms", self.db_time_ms)
        check_count("workers", self.workers)

    def scenario(self) -> PathScenario:
        """The same setting in the model's units (its own checks cover ``cache_hit_ratio``)."""
        return PathScenario(
            arrival_rate=self.arrival_rate, network_delay=self.network_delay_ms / 1e3,
            network_jitter=self.network_jitter_ms / 1e3, loss_probability=self.loss_percent / 100,
            workers=self.workers, db_time=self.db_time_ms / 1e3,
            cache_hit_ratio=self.cache_hit_ratio,
            retry_timeout=max(0.2, 20 * self.network_delay_ms / 1e3))


@dataclass(frozen=True)
class PathResult:
    """Per-request records (arrived in the window) and the run's time averages.

    ``requests``: ``(sent_at, done_at, attempts, server_visits)``; ``done_at`` is ``None`` for a
    request that failed after ``max_attempts``.
    """

    scenario: PathScenario
    seed: int
    requests: list[tuple[float, float | None, int, int]] = field(repr=False)
    in_system_at_end: int
    worker_busy_time: float = field(repr=False)

    @property
    def response_times(self) -> np.ndarray:
        return np.array([d - s for s, d, _, _ in self.requests if d is not None])

    @property
    def failed(self) -> int:
        return sum(d is None for _, d, _, _ in self.requests)

    @property
    def retries(self) -> int:
        return sum(a - 1 for _, _, a, _ in self.requests)

    def response_time_percentile(self, q: float) -> float:
        """The ``q``-quantile (``q`` in [0, 1]: 0.95 for p95) of the answered requests' response
        times, in seconds (:func:`~course_lib.core.stats.linear_quantile`)."""
        return linear_quantile(self.response_times, q)

    @property
    def worker_utilisation(self) -> float:
        s = self.scenario
        return self.worker_busy_time / (s.workers * (s.duration - s.warmup))

    def summary(self) -> dict[str, float | int]:
        times = self.response_times
        return {
            "requests": len(self.requests),
            "failed": self.failed,
            "retries": self.retries,
            "mean_response_time": float(times.mean()),
            "p50_response_time": linear_quantile(times, 0.50),
            "p95_response_time": linear_quantile(times, 0.95),
            "p99_response_time": linear_quantile(times, 0.99),
            "worker_utilisation": self.worker_utilisation,
            "in_system_at_end": self.in_system_at_end,
        }

