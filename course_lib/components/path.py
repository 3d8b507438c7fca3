"""The whole request path as a simpy model: client → network → server → cache/database → back.

Where :mod:`~course_lib.components.model` is one queue, this is the path a real request takes, with
the parts lesson 01 argues about:

* **network**: each way costs ``network_latency`` plus an exponential ``network_jitter``; each
  way is lost with ``loss_probability``. A client that hears nothing within ``retry_timeout``
  sends the request again, at most ``max_attempts`` times in all (then the request *fails*). A
  lost *response* means the server did the work for nothing, and the retry does it again;
* **server**: ``workers`` threads; a request holds one for its whole stay (a blocking server),
  an exponential ``server_time`` of its own work plus its data access;
* **cache**: with probability ``cache_hit_ratio`` the data is in the cache (``cache_time``, a
  constant); otherwise the request takes a connection from a pool of ``db_pool`` and queries the
  **database** (exponential ``db_time``), waiting for a free connection if all are taken.

:class:`PathScenario` is the description (validated: every message names the field),
:func:`simulate_path` the engine. :meth:`PathScenario.check_stable` refuses a steady-state
question when the offered load on the workers or the database pool is ≥ 1, because then the
queue grows without bound and any percentile from a finite run is an artefact of its length.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from course_lib.components.model import check_count, check_rate
from course_lib.components.pathfast import simulate_path_fast
from course_lib.engines import check_engine, stream
from course_lib.validate import number

__all__ = ["PathResult", "PathScenario", "simulate_path"]


@dataclass(frozen=True)
class PathScenario:
    """One request path; times in seconds, rates per second (see the module docstring)."""

    arrival_rate: float = 50.0
    network_latency: float = 0.001
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

    def __post_init__(self) -> None:
        check_rate("arrival_rate", self.arrival_rate)
        for name in ("network_latency", "network_jitter", "cache_time", "warmup"):
            check_rate(name, getattr(self, name), allow_zero=True)
        for name in ("retry_timeout", "server_time", "db_time", "duration"):
            check_rate(name, getattr(self, name))
        for name in ("max_attempts", "workers", "db_pool"):
            check_count(name, getattr(self, name))
        number("loss_probability", self.loss_probability, ge=0, lt=1)
        number("cache_hit_ratio", self.cache_hit_ratio, ge=0, le=1)
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
        return float(np.percentile(self.response_times, q))

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
            "p50_response_time": float(np.percentile(times, 50)),
            "p95_response_time": float(np.percentile(times, 95)),
            "p99_response_time": float(np.percentile(times, 99)),
            "worker_utilisation": self.worker_utilisation,
            "in_system_at_end": self.in_system_at_end,
        }


def simulate_path(scenario: PathScenario, seed: int = 0, *, engine: str = "auto"
                  ) -> PathResult:
    """Run ``scenario`` for its ``duration`` (then drain); deterministic for a given ``seed``.

    ``engine="simpy"`` runs the simpy model below. The default ``"auto"`` runs the same model on
    a lighter event loop (:mod:`course_lib.components.pathfast`): an identical result, five to
    six times faster.
    """
    check_engine(engine)
    if engine == "auto":
        return simulate_path_fast(scenario, seed)
    s = scenario
    rng = {k: stream(seed, k) for k in ("arrivals", "net", "server", "data")}
    env = simpy.Environment()
    workers = simpy.Resource(env, capacity=s.workers)
    pool = simpy.Resource(env, capacity=s.db_pool)
    records: list[tuple[float, float | None, int, int]] = []
    busy = [0.0]
    active = [0]

    def one_way():
        """A network leg: its delay, and whether the packet is lost."""
        net = rng["net"]
        jitter = net.expovariate(1 / s.network_jitter) if s.network_jitter else 0.0
        return s.network_latency + jitter, net.random() < s.loss_probability

    def attempt(done: simpy.Event, visits: list[int]):
        delay, lost = one_way()
        yield env.timeout(delay)
        if lost:
            return
        visits[0] += 1
        with workers.request() as worker:
            yield worker
            started = env.now
            yield env.timeout(rng["server"].expovariate(1 / s.server_time))
            if rng["data"].random() < s.cache_hit_ratio:
                yield env.timeout(s.cache_time)
            else:
                with pool.request() as connection:
                    yield connection
                    yield env.timeout(rng["data"].expovariate(1 / s.db_time))
            low, high = max(started, s.warmup), min(env.now, s.duration)
            busy[0] += max(0.0, high - low)
        delay, lost = one_way()
        yield env.timeout(delay)
        if not lost and not done.triggered:
            done.succeed()

    def client(sent_at: float):
        active[0] += 1
        done, visits, attempts = env.event(), [0], 0
        while attempts < s.max_attempts and not done.triggered:
            attempts += 1
            env.process(attempt(done, visits))
            yield done | env.timeout(s.retry_timeout)
        active[0] -= 1
        if sent_at >= s.warmup:
            records.append((sent_at, env.now if done.triggered else None, attempts, visits[0]))

    def source():
        while True:
            gap = rng["arrivals"].expovariate(s.arrival_rate)
            if env.now + gap >= s.duration:
                return
            yield env.timeout(gap)
            env.process(client(env.now))

    env.process(source())
    env.run(until=s.duration)
    at_end = active[0]
    env.run()
    records.sort(key=lambda r: r[0])
    return PathResult(s, seed, records, at_end, busy[0])
