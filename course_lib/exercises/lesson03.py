"""Self-checks and reference solutions for ``notebooks/03_failover.ipynb``."""

from __future__ import annotations

from typing import Any

from course_lib.checks import CheckResult, Mistake, check_choice, check_number, check_that
from course_lib.grading.exercise import exercise, helpers
from course_lib.lb import HealthCheck, detection_bounds

__all__ = [
    "check_failed_during_detection", "check_fast_health_check", "check_n_plus_one_utilisation",
    "hint", "solution", "solution_failed_during_detection",
    "solution_fast_health_check", "solution_n_plus_one_utilisation",
    "check_safe_retry_on", "solution_safe_retry_on", "RETRY_ON_OPTIONS",
]


def solution_failed_during_detection() -> float:
    """λ = 200/s, 4 backends, inter 2 s, fall 3: mean detection (fall − ½)·inter = 5 s,
    a quarter of the traffic goes to the dead backend: 200 × 5 × ¼ = 250."""
    low, high = detection_bounds(HealthCheck(interval=2.0, fall=3), "crash")
    return 200.0 * (low + high) / 2 * 0.25


def _failed_mistakes() -> list[Mistake]:
    low, high = detection_bounds(HealthCheck(interval=2.0, fall=3), "crash")
    mean = (low + high) / 2
    return [
        Mistake(200.0 * high * 0.25, "That uses the worst-case detection time fall·inter = "
                                     f"{high:g} s; on average a crash lands halfway through an "
                                     f"interval, so use the mean, {mean:g} s."),
        Mistake(200.0 * low * 0.25, f"That uses the best case (fall−1)·inter = {low:g} s; use "
                                    f"the *mean* detection time, {mean:g} s."),
        Mistake(200.0 * mean, "That counts every request, but only the dead backend's share "
                              "fails: one request in four (per server, not the total)."),
        Mistake(200.0 * high, "That is all the traffic for the worst-case time: use the dead "
                              "backend's share (one in four) and the *mean* detection time."),
    ]


@exercise(1, hints=(
    "Only requests sent to the dead backend fail, and only until it is marked down.",
    "Failed ≈ arrival rate × mean detection time × the dead backend's share of the traffic.",
    "The mean detection time is halfway between (fall − 1)·inter = 4 s and fall·inter = 6 s.",
), worked="Mean detection = ((fall − 1)·inter + fall·inter)/2 = (4 + 6)/2 = 5 s; round robin "
          "sends the dead backend 1/4 of 200 req/s: 200 × 5 × 1/4 = {answer:g} failed requests.")
def check_failed_during_detection(answer: Any) -> CheckResult:
    """Expected failed requests while a crash of one of 4 round-robin backends goes unnoticed."""
    return check_number(
        answer, solution_failed_during_detection(), rel_tol=0.05,
        what="the expected number of failed requests", minimum=0, mistakes=_failed_mistakes(),
        too_low="Use the *mean* detection time, halfway between (fall−1)·inter and fall·inter.",
        too_high="Only the dead backend's share of the traffic fails: one request in four.",
        explain="Failed ≈ arrival rate × detection time × the failed backend's share.",
    )


def solution_n_plus_one_utilisation() -> float:
    """N = 5: the survivors carry ρ·N/(N−1) < 1, so ρ < (N−1)/N = 0.8."""
    return 4 / 5


@exercise(2, hints=(
    "After one failure the same traffic lands on one server fewer.",
    "Each survivor then runs at ρ · N/(N − 1); it must stay at or below 1.",
    "Solve ρ · 5/4 = 1.",
), worked="The load of 5 servers at ρ lands on 4: each survivor runs at ρ · 5/4, which must "
          "stay ≤ 1, so ρ ≤ 4/5 = {answer:g} (80 %). N+1 sizing runs N servers below (N−1)/N.")
def check_n_plus_one_utilisation(answer: Any) -> CheckResult:
    """The highest utilisation 5 servers may run at and still survive losing one."""
    return check_number(
        answer, solution_n_plus_one_utilisation(), rel_tol=0.01,
        what="the highest safe utilisation", unit="fraction", minimum=0, maximum=1,
        mistakes=[Mistake(0.75, "0.75 = 3/4 is the rule for 4 servers; with 5 servers one failure "
                                "moves the load onto 4: ρ · 5/4 = 1."),
                  Mistake(1.25, "5/4 is the factor by which the survivors' load grows, not the "
                                "safe utilisation: solve ρ · 5/4 = 1.")],
        too_high="After one failure the load of 5 servers lands on 4: multiply by 5/4.",
        too_low="The survivors may run up to 100 %: solve ρ·5/4 = 1 for the highest value (in "
                "production you would then keep some headroom below it).",
        explain="N+1: run N servers below (N−1)/N so N−1 can carry the load.",
    )


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


@exercise(3, hints=(
    "Tolerating 2 lost checks means the third one marks the server down.",
    "Worst-case crash detection is fall · interval: fix fall, then choose the interval.",
    "With fall = 3, fall · interval ≤ 3 s needs interval ≤ 1 s (but not absurdly small).",
), worked="fall = 3 tolerates two lost checks; the worst case fall · interval ≤ 3 s then needs "
          "interval ≤ 1 s: {answer!r}. A much shorter interval also passes the target but "
          "multiplies the check traffic, so 0.1 s is the floor.")
def check_fast_health_check(answer: Any) -> CheckResult:
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
    """With ``disable-l7-retry`` on POSTs, a POST is re-sent only after a failed connection
    whatever ``retry-on`` lists, so the broadest line is safe and retries the most GETs."""
    return "all-retryable-errors"


@exercise(4, hints=(
    "Ask first what `http-request disable-l7-retry if { method POST PATCH LOCK }` leaves of "
    "retry-on for a POST.",
    "For a POST, that rule allows only connection failures, whatever retry-on lists; GETs can be "
    "replayed safely. So every line is safe for the orders: which one retries GETs on the most "
    "failures?",
    "The three lines are nested: each one retries on everything the previous one does, and more.",
), worked="http-request disable-l7-retry keeps every POST, PATCH and LOCK to connection failures, "
          "which never reached a server, so no line can place an order twice; a GET may be "
          "replayed on any failure. The broadest line, retry-on {answer}, also retries a GET "
          "after a 5xx, a time-out or an empty response. Without the rule only conn-failure "
          "would be safe.")
def check_safe_retry_on(answer: Any) -> CheckResult:
    """The broadest ``retry-on`` that, with ``disable-l7-retry`` on POSTs, never re-sends an
    order that may already have been placed."""
    return check_choice(
        answer, solution_safe_retry_on(), options=RETRY_ON_OPTIONS,
        what="the retry-on line",
        hints={
            "conn-failure":
                "It is safe, and it is the answer without the rule; but with "
                "disable-l7-retry on POSTs the orders are already limited to connection "
                "failures, and this line gives up retrying GETs after time-outs, empty "
                "responses and 5xx.",
            "conn-failure empty-response response-timeout":
                "It is safe (it is what the lesson's generated file uses), but not the broadest: "
                "a GET answered with a 5xx can be replayed too, and disable-l7-retry still keeps "
                "the POSTs to connection failures.",
        },
        explain="disable-l7-retry confines the non-idempotent requests to connection failures; "
                "idempotent ones may be retried on any failure.",
    )


hint, solution = helpers(__name__)
