"""Self-checks and reference solutions for ``notebooks/03_failover.ipynb``."""

from __future__ import annotations

from typing import Any

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.lb import HealthCheck, detection_bounds

__all__ = [
    "check_failed_during_detection", "check_fast_health_check", "check_n_plus_one_utilisation",
    "hint", "solution", "solution_failed_during_detection",
    "solution_fast_health_check", "solution_n_plus_one_utilisation",
    "check_safe_retry_on", "solution_safe_retry_on", "RETRY_ON_OPTIONS",
]

declare = declarations(__name__)


#: Exercise 1: 200 req/s over 4 round-robin backends, checks every 2 s, fall 3: the earliest and
#: latest moment a crash is detected.
DETECTION_LOW, DETECTION_HIGH = detection_bounds(HealthCheck(interval=2.0, fall=3), "crash")
DETECTION_MEAN = (DETECTION_LOW + DETECTION_HIGH) / 2


def solution_failed_during_detection() -> float:
    """λ = 200/s, 4 backends, inter 2 s, fall 3: mean detection (fall − ½)·inter = 5 s,
    a quarter of the traffic goes to the dead backend: 200 × 5 × ¼ = 250."""
    return 200.0 * DETECTION_MEAN * 0.25


check_failed_during_detection = declare.number(
    "failed_during_detection", rel_tol=0.05, minimum=0,
    facts={"worst_case": 200.0 * DETECTION_HIGH * 0.25, "best_case": 200.0 * DETECTION_LOW * 0.25,
           "every_backend": 200.0 * DETECTION_MEAN,
           "all_traffic_worst_case": 200.0 * DETECTION_HIGH})


def solution_n_plus_one_utilisation() -> float:
    """N = 5: the survivors carry ρ·N/(N−1) < 1, so ρ < (N−1)/N = 0.8."""
    return 4 / 5


check_n_plus_one_utilisation = declare.number(
    "n_plus_one_utilisation", rel_tol=0.01, unit="fraction", minimum=0, maximum=1)


def _fast_and_tolerant(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, HealthCheck):
        return False, f"Expected a HealthCheck(...), got {type(answer).__name__}."
    worst = detection_bounds(answer, "crash")[1]
    if answer.fall < 3:
        return False, f"fall={answer.fall} marks a server down after fewer than 3 lost checks."
    if answer.interval < 0.1:
        return False, (f"interval={answer.interval:g} s sends {1 / answer.interval:g} checks "
                       "per second to every server; stay at 0.1 s or more.")
    if worst > 3.0:
        return False, f"Worst-case detection is fall·interval = {worst:g} s > 3 s."
    return True, f"Worst case {worst:g} s with fall={answer.fall}."


def solution_fast_health_check() -> HealthCheck:
    return HealthCheck(interval=1.0, fall=3)


check_fast_health_check = declare.that("fast_health_check", _fast_and_tolerant)


RETRY_ON_OPTIONS = (
    "conn-failure",
    "conn-failure empty-response response-timeout",
    "all-retryable-errors",
)


def solution_safe_retry_on() -> str:
    """With ``disable-l7-retry`` on POSTs, a POST is re-sent only after a failed connection
    whatever ``retry-on`` lists, so the broadest line is safe and retries the most GETs."""
    return "all-retryable-errors"


check_safe_retry_on = declare.choice("safe_retry_on", options=RETRY_ON_OPTIONS)


hint, solution = helpers(__name__)
