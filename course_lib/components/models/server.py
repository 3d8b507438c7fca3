"""One server as a queue: the simpy model behind lesson 01's "knee" (M/M/c).

Requests arrive at random (a Poisson stream, ``arrival_rate`` per second) at a server with
``workers`` identical workers sharing one FIFO queue; each request keeps a worker busy for an
exponential time with mean ``1 / service_rate``. This is exactly the M/M/c queue of
:mod:`course_lib.core.queueing`, so the simulation can be checked against the formulas, and then
changed in ways the formulas cannot follow (:mod:`course_lib.components.models.path`).

How a run is measured. Arrivals happen during ``[0, duration)``; after ``duration`` no new
request arrives and the requests still inside are served to the end (the *drain*), so every
measured request has a response time and slow ones are not silently dropped. Statistics use the
requests that arrived in the measurement window ``[warmup, duration)``; the warm-up hides the
empty-system start. Time averages (the number in the system L, the workers' utilisation) are
integrated over the same window. ``in_system_at_end`` counts the requests still queued or in
service at ``duration``: in a stable system it is small, in an unstable one it grows with the run.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from course_lib.components.models.server_fast import server_run
from course_lib.core.engines import check_engine, stream
from course_lib.core.stats import batch_means, linear_quantile
from course_lib.core.validate import description, integer, number

__all__ = ["ServerResult", "ServerScenario", "batch_means", "check_rate", "simulate",
           "simulate_server"]  # batch_means: stats


def check_rate(name: str, value: float, *, allow_zero: bool = False) -> None:
    """Raise naming ``name`` unless ``value`` is a finite number > 0 (or ≥ 0); a thin name for
    :func:`course_lib.core.validate.number`, kept because lessons and exercises call it."""
    if allow_zero:
        number(name, value, ge=0)
    else:
        number(name, value, gt=0)


def check_count(name: str, value: int, low: int = 1) -> None:
    """Raise naming ``name`` unless ``value`` is an integer ≥ ``low``
    (:func:`course_lib.core.validate.integer`)."""
    integer(name, value, ge=low)


class _Integral:
    """∫ value dt over the window [start, end): for L (number in system) and busy workers."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end, self.value, self.last, self.total = start, end, 0, 0.0, 0.0

    def change(self, now: float, delta: int) -> None:
        low, high = max(self.last, self.start), min(now, self.end)
        if high > low:
            self.total += self.value * (high - low)
        self.value += delta
        self.last = now


@dataclass(frozen=True)
class ServerResult:
    """A finished run: one record per measured request, and the time averages of the window.

    ``requests`` holds ``(arrived_at, started_at, finished_at)`` tuples (seconds) for requests
    that arrived in ``[warmup, duration)``, in arrival order.
    """

    arrival_rate: float
    service_rate: float
    workers: int
    duration: float
    warmup: float
    seed: int
    requests: list[tuple[float, float, float]] = field(repr=False)
    in_system_at_end: int
    area_in_system: float = field(repr=False)
    area_busy: float = field(repr=False)
    completions_in_window: int = field(repr=False)
    #: Time inside the window spent by requests that arrived during the warm-up (for the exact
    #: sample-path form of Little's law, see :meth:`littles_law_edge`).
    carried_in_time: float = field(repr=False, default=0.0)

    @property
    def window(self) -> float:
        return self.duration - self.warmup

    @property
    def response_times(self) -> np.ndarray:
        return np.array([f - a for a, _, f in self.requests])

    @property
    def waiting_times(self) -> np.ndarray:
        return np.array([s - a for a, s, _ in self.requests])

    @property
    def mean_response_time(self) -> float:
        return float(self.response_times.mean())

    def response_time_percentile(self, q: float) -> float:
        """The ``q``-quantile (``q`` in [0, 1]: 0.95 for p95) of the measured response times, in
        seconds (:func:`~course_lib.core.stats.linear_quantile`, numpy's definition)."""
        return linear_quantile(self.response_times, q)

    @property
    def utilisation(self) -> float:
        """Fraction of worker-time busy in the window (≤ 1; near 1 means saturated)."""
        return self.area_busy / (self.workers * self.window)

    @property
    def throughput(self) -> float:
        """Completions per second within the window."""
        return self.completions_in_window / self.window

    @property
    def observed_arrival_rate(self) -> float:
        return len(self.requests) / self.window

    @property
    def mean_in_system(self) -> float:
        """L: the time-average number of requests queued or in service over the window."""
        return self.area_in_system / self.window

    def littles_law_edge(self) -> float:
        """L − λ·W that the window's edges explain exactly: (carried in − carried out) / T.

        Over a finite window, L·T counts time spent *inside* the window, λ·W·T the full stay of
        the requests that arrived in it. The two differ by the time requests from the warm-up
        spend in the window (carried in) minus the time this window's requests spend after it
        (carried out). Little's law L = λW is this identity with the edges made negligible.
        """
        carried_out = sum(max(0.0, f - self.duration) for _, _, f in self.requests)
        return (self.carried_in_time - carried_out) / self.window

    def summary(self) -> dict[str, float | int]:
        """The run in one flat dict (seconds, requests per second), for tables and checks."""
        return {
            "requests": len(self.requests),
            "mean_response_time": self.mean_response_time,
            "p50_response_time": self.response_time_percentile(0.50),
            "p95_response_time": self.response_time_percentile(0.95),
            "p99_response_time": self.response_time_percentile(0.99),
            "utilisation": self.utilisation,
            "throughput": self.throughput,
            "mean_in_system": self.mean_in_system,
            "in_system_at_end": self.in_system_at_end,
        }


@description
@dataclass(frozen=True)
class ServerScenario:
    """The description of one run of the M/M/c server: rates, workers, window and seed.

    ``warmup=None`` means 10 % of ``duration``. Any rates are accepted, also ρ ≥ 1: the run then
    shows the queue growing (``in_system_at_end``); only the *formulas* refuse ρ ≥ 1.
    """

    arrival_rate: float
    service_rate: float
    workers: int = 1
    duration: float = 1000.0
    seed: int = 0
    warmup: float | None = None

    def __post_init__(self) -> None:
        check_rate("arrival_rate", self.arrival_rate)
        check_rate("service_rate", self.service_rate)
        check_count("workers", self.workers)
        check_rate("duration", self.duration)
        warmup = self.duration * 0.1 if self.warmup is None else self.warmup
        check_rate("warmup", warmup, allow_zero=True)
        if warmup >= self.duration:
            raise ValueError(f"warmup must be < duration (got warmup={warmup!r}, "
                             f"duration={self.duration!r})")
        object.__setattr__(self, "warmup", warmup)


def simulate_server(arrival_rate: float, service_rate: float, workers: int = 1,
                    duration: float = 1000.0, seed: int = 0, warmup: float | None = None,
                    *, engine: str = "auto") -> ServerResult:
    """Run the M/M/c server for ``duration`` seconds: :func:`simulate` of a :class:`ServerScenario`.

    The lessons call the server with its knobs; the description validates them.
    """
    return simulate(ServerScenario(arrival_rate, service_rate, workers, duration, seed, warmup),
                    engine=engine)


def simulate(scenario: ServerScenario, *, engine: str = "auto") -> ServerResult:
    """Run ``scenario`` (deterministic for its ``seed``); see the module docstring.

    ``engine="simpy"`` runs the simpy model below; the default ``"auto"`` computes the very same
    run (identical per-request times) by a recurrence, about ten times faster
    (:mod:`course_lib.components.models.server_fast`).
    """
    if not isinstance(scenario, ServerScenario):
        raise TypeError(f"scenario must be a ServerScenario (got {scenario!r})")
    check_engine(engine)
    arrival_rate, service_rate, workers = (scenario.arrival_rate, scenario.service_rate,
                                           scenario.workers)
    duration, seed = scenario.duration, scenario.seed
    warmup = scenario.warmup
    assert warmup is not None  # resolved by ServerScenario.__post_init__
    if engine == "auto":
        return ServerResult(arrival_rate, service_rate, workers, duration, warmup, seed,
                            *server_run(arrival_rate, service_rate, workers, duration, seed,
                                        warmup))
    # Separate, named streams: changing the service rate leaves the arrival times unchanged.
    arrivals = stream(seed, "arrivals")
    services = stream(seed, "services")
    env = simpy.Environment()
    pool = simpy.Resource(env, capacity=workers)
    in_system, busy = _Integral(warmup, duration), _Integral(warmup, duration)
    records: list[tuple[float, float, float]] = []
    completions = [0]
    carried_in = [0.0]

    def request(arrived_at: float, service_time: float):
        with pool.request() as turn:
            yield turn
            started_at = env.now
            busy.change(started_at, +1)
            yield env.timeout(service_time)
        finished_at = env.now
        busy.change(finished_at, -1)
        in_system.change(finished_at, -1)
        if warmup <= finished_at < duration:
            completions[0] += 1
        if arrived_at >= warmup:
            records.append((arrived_at, started_at, finished_at))
        elif finished_at > warmup:
            carried_in[0] += min(finished_at, duration) - warmup

    def source():
        while True:
            gap = arrivals.expovariate(arrival_rate)
            if env.now + gap >= duration:
                return
            yield env.timeout(gap)
            in_system.change(env.now, +1)
            env.process(request(env.now, services.expovariate(service_rate)))

    env.process(source())
    env.run(until=duration)
    at_end = in_system.value
    env.run()  # drain: serve what is left, no new arrivals
    in_system.change(env.now, 0)
    busy.change(env.now, 0)
    records.sort()
    return ServerResult(arrival_rate, service_rate, workers, duration, warmup, seed, records,
                        at_end, in_system.total, busy.total, completions[0], carried_in[0])
