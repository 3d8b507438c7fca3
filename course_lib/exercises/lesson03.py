"""Self-checks and reference solutions for ``notebooks/03_failover.ipynb``."""

from __future__ import annotations

from typing import Any

from course_lib.checks import Verdict, check_choice, check_number, check_that
from course_lib.lb import HealthCheck, detection_bounds


def solution_worst_detection() -> float:
    """inter = 3 s, fall = 2, crash: the worst case is fall · inter."""
    return detection_bounds(HealthCheck(interval=3.0, fall=2), "crash")[1]


def check_worst_detection(answer: Any) -> Verdict:
    """Worst-case seconds to detect a crash with inter 3 s and fall 2."""
    return check_number(
        answer, solution_worst_detection(), rel_tol=0.0, abs_tol=1e-6,
        what="the worst-case detection time (s)",
        too_low="The crash can happen just after a check passed: the first failing check "
                "comes up to a whole interval later, then fall − 1 more intervals.",
        too_high="A crashed server refuses a check at once: no timeout is added.",
        explain="Detection of a crash takes between (fall−1)·inter and fall·inter.",
    )


def solution_failed_during_detection() -> float:
    """λ = 200/s, 4 backends, inter 2 s, fall 3: mean detection (fall − ½)·inter = 5 s,
    a quarter of the traffic goes to the dead backend: 200 × 5 × ¼ = 250."""
    low, high = detection_bounds(HealthCheck(interval=2.0, fall=3), "crash")
    return 200.0 * (low + high) / 2 * 0.25


def check_failed_during_detection(answer: Any) -> Verdict:
    """Expected failed requests while a crash of one of 4 round-robin backends goes unnoticed."""
    return check_number(
        answer, solution_failed_during_detection(), rel_tol=0.05,
        what="the expected number of failed requests",
        too_low="Use the *mean* detection time, halfway between (fall−1)·inter and fall·inter.",
        too_high="Only the dead backend's share of the traffic fails: one request in four.",
        explain="Failed ≈ arrival rate × detection time × the failed backend's share.",
    )


def solution_n_plus_one_utilisation() -> float:
    """N = 5: the survivors carry ρ·N/(N−1) < 1, so ρ < (N−1)/N = 0.8."""
    return 4 / 5


def check_n_plus_one_utilisation(answer: Any) -> Verdict:
    """The highest utilisation 5 servers may run at and still survive losing one."""
    return check_number(
        answer, solution_n_plus_one_utilisation(), rel_tol=0.01,
        what="the highest safe utilisation",
        too_high="After one failure the load of 5 servers lands on 4: multiply by 5/4.",
        too_low="The survivors may run up to (just below) 100 %: solve ρ·5/4 = 1.",
        explain="N+1: run N servers below (N−1)/N so N−1 can carry the load.",
    )


def _fast_and_tolerant(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, HealthCheck):
        return False, f"Expected a HealthCheck(...), got {type(answer).__name__}."
    worst = detection_bounds(answer, "crash")[1]
    if answer.fall < 3:
        return False, f"fall={answer.fall} marks a server down after fewer than 3 lost checks."
    if worst > 3.0:
        return False, f"Worst-case detection is fall·interval = {worst:g} s > 3 s."
    return True, f"Worst case {worst:g} s with fall={answer.fall}."


def solution_fast_health_check() -> HealthCheck:
    return HealthCheck(interval=1.0, fall=3)


def check_fast_health_check(answer: Any) -> Verdict:
    """A HealthCheck that tolerates 2 lost checks and detects a crash within 3 s."""
    return check_that(
        answer, _fast_and_tolerant, what="your HealthCheck",
        success="Shorter intervals buy faster detection at the price of more check traffic.",
        hint="Keep fall ≥ 3 and shrink the interval until fall·interval ≤ 3 s.",
    )


RETRY_ON_OPTIONS = (
    "conn-failure",
    "conn-failure empty-response response-timeout",
    "all-retryable-errors",
)


def solution_safe_retry_on() -> str:
    """Only a failed connection proves the request never reached a server."""
    return "conn-failure"


def check_safe_retry_on(answer: Any) -> Verdict:
    """The ``retry-on`` that never re-sends a POST that may already have placed an order."""
    return check_choice(
        answer, solution_safe_retry_on(), options=RETRY_ON_OPTIONS,
        what="the retry-on line",
        hints={
            "conn-failure empty-response response-timeout":
                "A time-out or an empty response may come after the server placed the order; "
                "re-sending the POST places it again (unless http-request disable-l7-retry "
                "keeps POSTs to connection failures).",
            "all-retryable-errors":
                "That includes response-timeout, empty-response and 5xx statuses: every one can "
                "follow an order that was already placed.",
        },
        explain="A refused or failed connection never reached a server, so a retry cannot act "
                "twice; everything else needs idempotent requests or replay protection.",
    )
