"""Self-checks and reference solutions for lesson 01 (``notebooks/01_essential_components.ipynb``).

1. :func:`check_p95_rate` — with 2 workers and 50 ms mean service time, the arrival rate at
   which the p95 response time reaches 200 ms (M/M/2 theory).
2. :func:`check_workers_for_p99` — the fewest workers that keep p99 under 250 ms at 100 req/s,
   50 ms per request.
3. :func:`check_cache_hit_ratio` — the smallest cache hit ratio (to 0.05) that keeps the whole
   path's p95 under 25 ms at 300 req/s (judged by running the simpy model, so the lesson's
   printed "90 %: 12.8 ms" meets the target but is not the answer).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from course_lib.components.models.path import PathScenario
from course_lib.components.models.path_engine import simulate_path
from course_lib.core import queueing
from course_lib.grading.answers import Unreadable, read_number
from course_lib.grading.checks import CheckResult, check_number, incorrect
from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers

__all__ = [
    "check_cache_hit_ratio", "check_p95_rate", "check_workers_for_p99", "hint", "solution",
    "solution_cache_hit_ratio", "solution_p95_rate", "solution_workers_for_p99",
]

declare = declarations(__name__)

SERVICE_RATE = 20.0  # per worker: 50 ms mean service time
P95_TARGET = 0.200
P99_TARGET = 0.250
P99_ARRIVAL_RATE = 100.0
CACHE_ARRIVAL_RATE = 300.0
CACHE_P95_TARGET = 0.025
CACHE_SEED = 2026
CACHE_STEP = 0.05  # the answer's resolution


def solution_p95_rate(workers: int = 2) -> float:
    """Bisection on λ for p95(λ) = 200 ms; p95 grows with λ, so the crossing is unique."""
    low, high = 1e-6, workers * SERVICE_RATE * (1 - 1e-9)
    for _ in range(80):
        mid = (low + high) / 2
        p95 = queueing.mmc_response_time_quantile(0.95, mid, SERVICE_RATE, workers)
        low, high = (mid, high) if p95 < P95_TARGET else (low, mid)
    return (low + high) / 2


check_p95_rate = declare.number(
    "p95_rate", rel_tol=0.05, minimum=0, facts={"capacity": 2 * SERVICE_RATE})


def _p99_or_inf(workers: int) -> float:
    if workers * SERVICE_RATE <= P99_ARRIVAL_RATE:
        return math.inf
    return queueing.mmc_response_time_quantile(0.99, P99_ARRIVAL_RATE, SERVICE_RATE, workers)


def solution_workers_for_p99() -> int:
    """Add workers until the M/M/c p99 is under the target."""
    workers = 1
    while _p99_or_inf(workers) >= P99_TARGET:
        workers += 1
    return workers


@declare.custom("workers_for_p99")
def check_workers_for_p99(answer: Any) -> CheckResult:
    expected = solution_workers_for_p99()
    verdict = check_number(answer, expected, rel_tol=0, abs_tol=0.0, what="workers",
                           integer=True, minimum=0,
                           explain="One worker fewer and the p99 is over 250 ms.")
    if verdict.passed or not verdict.answered or "Not yet" not in verdict.message:
        return verdict
    read = read_number(answer, what="workers")
    given = read[0] if isinstance(read, tuple) else math.nan
    if given < expected:
        p99 = _p99_or_inf(int(given)) if given >= 1 else math.inf
        why = ("ρ ≥ 1: the queue grows without bound, there is no p99 at all" if p99 == math.inf
               else f"p99 is {p99 * 1e3:.0f} ms")
        advice = ("Capacity equal to the load is not enough." if p99 == math.inf
                  else "The tail needs more headroom than the mean.")
        return incorrect(f"Not yet: with {given:g} workers {why}. {advice}")
    return incorrect(f"Not yet: {given:g} workers work, but fewer do too: find the smallest.")


@functools.lru_cache(maxsize=64)  # seeded: the same run every time; a check asks for several
def _cache_run(hit_ratio: float):
    scenario = PathScenario(arrival_rate=CACHE_ARRIVAL_RATE, workers=4,
                            cache_hit_ratio=hit_ratio, duration=30.0, warmup=3.0)
    scenario.check_stable()
    return simulate_path(scenario, seed=CACHE_SEED)


def _cache_ok(answer: Any) -> tuple[bool, str]:
    read = read_number(answer, unit="fraction", what="cache_hit_ratio")
    if isinstance(read, Unreadable):
        raise ValueError(read.sentence)
    hit_ratio, typed = read
    if not typed and 1 < hit_ratio <= 100:
        hit_ratio /= 100  # a percentage, as everywhere in the course
    if not 0 <= hit_ratio <= 1:
        raise ValueError(f"cache_hit_ratio must be in [0, 1] (got {answer!r})")
    p95 = _cache_run(float(hit_ratio)).response_time_percentile(0.95)
    return p95 < CACHE_P95_TARGET, f"With cache_hit_ratio={hit_ratio:g}, p95 = {p95 * 1e3:.1f} ms."


@functools.cache
def solution_cache_hit_ratio() -> float:
    """The smallest hit ratio on a 0.05 grid that meets the target (p95 falls as hits rise)."""
    steps = round(1 / CACHE_STEP)
    for step in range(steps + 1):
        if _cache_ok(step / steps)[0]:
            return step / steps
    raise AssertionError("no hit ratio meets the target")  # pragma: no cover


def _smallest_ok(answer: Any) -> tuple[bool, str]:
    ok, detail = _cache_ok(answer)
    if not ok:
        return ok, detail
    read = read_number(answer, unit="fraction")
    ratio = read[0] if isinstance(read, tuple) else math.nan
    ratio = ratio / 100 if isinstance(read, tuple) and not read[1] and ratio > 1 else ratio
    if ratio >= solution_cache_hit_ratio() + CACHE_STEP - 1e-9:
        return False, (f"{detail} That meets the target, but a smaller ratio does too: find "
                       f"the smallest, to {CACHE_STEP:g}.")
    return True, detail


check_cache_hit_ratio = declare.that("cache_hit_ratio", _smallest_ok)


hint, solution = helpers(__name__)
