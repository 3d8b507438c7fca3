"""Lesson 01's load curve: a server's throughput and mean response time against offered load.

The numbers behind :func:`course_lib.components.views.figures.load_curve_figure` (which only draws
them): for each offered load, a seeded run of
:func:`~course_lib.components.models.server.simulate_server`, its batch-means error bar,
and the M/M/c mean for comparison. The dashboard re-draws on every slider move, so the runs are
made once per worker count at service rate 1 and rescaled (see :func:`_unit_load_curve`).

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

from functools import lru_cache

from course_lib.components.models.server import ServerScenario, batch_means
from course_lib.components.models.server_fast import server_digest
from course_lib.core import queueing

__all__ = ["LOAD_FRACTIONS", "load_curve"]

#: Offered load as a fraction of capacity c·μ for the load curve; beyond 1 nothing is stable.
#: Short runs stop at 85%: nearer saturation a few thousand requests no longer pin the mean down
#: (the lesson and the tests check ρ = 0.9 with 100,000 requests instead).
LOAD_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 1.1, 1.3)


@lru_cache(maxsize=64)
def _unit_load_curve(workers: int, requests_per_point: int, seed: int) -> tuple[tuple, ...]:
    """The load curve's runs with service rate 1, i.e. with time in units of the mean service time.

    A run at service rate μ with the same random streams is this run with every time divided by
    μ (each exponential draw is ``−ln(1 − U) / rate``), so one set of runs per worker count serves
    every position of the service-time slider. Cached: the dashboard only simulates when the
    worker count changes. Each run is ``simulate_server``'s (the same seed, the same numbers),
    read through :func:`~course_lib.components.models.server_fast.server_digest`, which skips
    the per-request records and time averages the curve does not use.
    """
    rows = []
    for i, fraction in enumerate(LOAD_FRACTIONS):
        rate = fraction * workers
        requests = requests_per_point / (1 - fraction) if fraction < 1 else 2 * requests_per_point
        run = ServerScenario(rate, 1.0, workers, duration=requests / rate, seed=seed + i)
        assert run.warmup is not None  # resolved by the scenario
        times, throughput, at_end = server_digest(rate, 1.0, workers, run.duration, run.seed,
                                                  run.warmup)
        mean, error = batch_means(times, batches=10) if fraction < 1 else (None, None)
        rows.append((fraction, throughput, mean, error, at_end))
    return tuple(rows)


def load_curve(workers: int, service_rate: float, *, requests_per_point: int = 3000,
               seed: int = 2026) -> list[dict]:
    """One row per offered load: throughput, mean and its standard error, M/M/c theory.

    ``mean``/``standard_error``/``theory`` are ``None`` beyond capacity (no steady state);
    ``in_system_at_end`` counts the requests still waiting when the run stopped.
    """
    capacity = workers * service_rate
    rows = []
    for fraction, throughput, mean, error, at_end in _unit_load_curve(workers, requests_per_point,
                                                                        seed):
        rate = fraction * capacity
        stable = fraction < 1
        rows.append({"offered": rate, "throughput": throughput * service_rate, "stable": stable,
                     "mean": None if mean is None else mean / service_rate,
                     "standard_error": None if error is None else error / service_rate,
                     "theory": queueing.mmc_mean_response_time(rate, service_rate, workers)
                     if stable else None, "in_system_at_end": at_end})
    return rows
