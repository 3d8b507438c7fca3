"""Self-checks and reference solutions for ``notebooks/03b_failover_for_real.ipynb``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from course_lib.checks import CheckResult, Mistake, check_number, check_that
from course_lib.grading.exercise import exercise, helpers
from course_lib.lb import HealthCheck, detection_bounds

# Exercise 1's setting and its arithmetic live in the library (the prediction dashboard uses them
# too): 100 requests/s over 3 backends, one crashes for OUTAGE s, at most BUDGET failures.
from course_lib.lb.live.budget import BUDGET, OUTAGE, RATE, worst_failed


def _within_budget(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, HealthCheck):
        return False, f"Expected a HealthCheck(...), got {type(answer).__name__}."
    worst = worst_failed(answer)
    if answer.fall < 2:
        return False, ("fall=1 marks a server down after a single lost check: one dropped "
                       "packet would take a healthy server out. Keep fall >= 2.")
    if answer.interval < 0.1:
        return False, (f"interval={answer.interval:g} s sends {1 / answer.interval:g} checks "
                       "per second to every server; stay at 0.1 s or more.")
    if worst > BUDGET:
        return False, (f"Worst case {worst:.0f} failed requests > {BUDGET}: a third of "
                       f"{RATE:g} req/s fails for up to fall·interval seconds (at most the "
                       f"{OUTAGE:g} s outage).")
    return True, f"Worst case {worst:.0f} failed requests (fall={answer.fall})."


def solution_budget_health_check() -> HealthCheck:
    """fall = 2, interval 0.5 s: worst case 100/3 × 1.0 + 2 ≈ 35 ≤ 50."""
    return HealthCheck(interval=0.5, timeout=0.2, rise=2, fall=2)


@exercise(1, hints=(
    "Failures last from the crash until HAProxy marks the server down, and never longer than "
    "the 2.5 s outage.",
    "Worst case ≈ rate × the dead server's share × fall · interval (+2 for the request in "
    "service and the rotation's phase); keep fall ≥ 2 and the interval ≥ 0.1 s.",
    "100/3 req/s reach the dead server: fall · interval must stay under about 1.4 s.",
), worked="A third of 100 req/s reaches the crashed server until it is marked down, at worst "
          "fall · interval later (never more than the 2.5 s outage), plus 2 requests of "
          "allowance. fall = 2 keeps one lost packet from taking a healthy server out; then "
          "100/3 × 2 × interval + 2 ≤ 50 needs interval ≤ 0.72 s. {answer!r} gives a worst "
          "case of about 35 failed requests.")
def check_budget_health_check(answer: Any) -> CheckResult:
    """A HealthCheck with which no more than 50 requests fail when one of 3 backends crashes."""
    return check_that(
        answer, _within_budget, what="your HealthCheck",
        success="Now run it live below and see the measured count stay under 50.",
        hint="Worst case ≈ 100/3 × fall × interval (+2): shrink interval or fall.",
    )


def verify_live(health_check: HealthCheck, *, live: bool | None = None) -> int:
    """Failed requests when ``rr_crash`` runs with ``health_check`` (live when HAProxy is here,
    else the simulator with the same seed)."""
    from course_lib.lb import simulate
    from course_lib.lb.live import haproxy_binary, run_lab
    from course_lib.lb.live.runs import base_scenario

    scenario = replace(base_scenario(), health_check=health_check)
    if live is None:
        live = haproxy_binary() is not None
    if live:
        return len(run_lab(scenario).failed())
    return int(simulate(scenario).summary()["failed"] or 0)


#: Exercise 2's checks: not the lab's (inter 0.5 s, timeout 0.2 s, fall 3), whose ranges the
#: lesson prints, so the answer must be worked out rather than read.
HANG_CHECKS = HealthCheck(interval=1.0, timeout=0.4, fall=2)


def solution_hang_delay() -> float:
    """Each of the ``fall`` failing checks of a hung server waits for the timeout: 2 × 0.4 s."""
    crash = detection_bounds(HANG_CHECKS, "crash")
    hang = detection_bounds(HANG_CHECKS, "hang")
    return hang[0] - crash[0]


@exercise(2, hints=(
    "A hung server accepts the connection but never answers, so every check waits for its "
    "timeout.",
    "Compare the two detections check by check: each of the fall failing checks of a hang ends "
    "a timeout later than the refused check of a crash.",
    "It is fall × something, and that something is not the interval.",
), worked="Checks are still scheduled interval apart, but each of the fall failing checks of a "
          "hung server only fails when its timeout expires: fall × timeout = 2 × 0.4 s = "
          "{answer:g} s later than a crash.")
def check_hang_delay(answer: Any) -> CheckResult:
    """How much later (s) a hang is detected than a crash, with inter 1 s, timeout 0.4 s, fall 2."""
    return check_number(
        answer, solution_hang_delay(), rel_tol=0.0, abs_tol=1e-6,
        what="the extra detection time of a hang (s)", unit="s", minimum=0,
        mistakes=[Mistake(0.4, "0.4 s is a single timeout: every one of the fall failing checks "
                               "waits for its timeout before the next check is scheduled."),
                  Mistake(2 * 1.0, "2 s is fall × interval, the crash's own detection time; "
                                   "the question asks how much *later* a hang is detected."),
                  Mistake(0.6, "0.6 s is the lab's own answer (3 × 0.2 s, inter 0.5 s): this "
                               "question's checks are inter 1 s, timeout 0.4 s, fall 2.")],
        too_low="Not one timeout: every one of the fall failing checks waits for its timeout "
                "before the next check is scheduled.",
        too_high="The timeout replaces nothing: checks still come interval apart, each "
                 "failing one adds only its timeout (0.4 s), not another interval.",
        explain="A hung server costs fall × timeout more than a crash: 2 × 0.4 s.",
    )


#: Exercise 3's setting: the lab's ``set_weight`` run with every backend at weight 100.
WEIGHTS, TARGET_SHARE = 100, 0.10


def solution_weight_percent() -> float:
    """b1's share is w / (w + 200) for w = 100 · p/100 (the others keep 100 each):
    p = 200 s / (1 − s) = 22.2 %, which HAProxy turns into weight 22 (9.9 %)."""
    return 2 * WEIGHTS * TARGET_SHARE / (1 - TARGET_SHARE)


@exercise(3, hints=(
    "The other two backends keep their weight 100 while b1's changes.",
    "b1's share of the traffic is w / (w + 200); set it equal to 10 % and solve for w.",
    "w / (w + 200) = 0.1 gives w = 200 · 0.1 / 0.9.",
), worked="b1's share is w / (w + 200) = 0.1, so w = 200 × 0.1 / 0.9 = {answer:.1f}: "
          "set weight app/b1 22% (HAProxy computes 100 × 22 / 100 = 22 in integers: 9.9 % of the "
          "traffic).")
def check_weight_percent(answer: Any) -> CheckResult:
    """The ``set weight app/b1 N%`` that gives b1 10 % of the traffic (N in percent)."""
    return check_number(
        answer, solution_weight_percent(), rel_tol=0.0, abs_tol=1.0,
        what="the weight of b1 (%)",
        too_low="Answer in percent of b1's configured weight (22, not 0.22). The other two keep "
                "their weight 100: b1's share is w / (w + 200), not w / 300.",
        too_high="10 % of the weight is not 10 % of the traffic: the other two keep weight 100, "
                 "so b1's share is w / (w + 200); 50 % would give 50 / 250 = 20 %.",
        explain="w / (w + 200) = 0.1 gives w = 22.2: set weight app/b1 22% (HAProxy computes "
                "100 × 22 / 100 = 22 in integers: 9.9 % of the traffic).",
    )


def simulated_share(percent: float, weight: int = WEIGHTS) -> float:
    """b1's share after ``set weight app/b1 percent%`` in the simulated ``set_weight`` run, with
    every backend configured at ``weight`` (HAProxy's integer arithmetic included)."""
    from course_lib.lb import Operation, simulate
    from course_lib.lb.live.runs import operator_scenarios

    scenario = operator_scenarios()["set_weight"]
    (op,) = scenario.operations
    scenario = replace(
        scenario, backends=tuple(replace(b, weight=weight) for b in scenario.backends),
        operations=(Operation(op.at, "b1", "weight", percent / 100),))
    return simulate(scenario).shares(op.at + 0.02, scenario.duration)["b1"]


hint, solution = helpers(__name__)
