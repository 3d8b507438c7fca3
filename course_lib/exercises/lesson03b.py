"""Self-checks and reference solutions for ``notebooks/03b_failover_for_real.ipynb``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from course_lib.checks import Verdict, check_number, check_that
from course_lib.lb import HealthCheck, detection_bounds

#: Exercise 1's setting: 100 requests/s, round-robin over 3 backends, one crashes for OUTAGE s
#: (the lab's ``rr_crash``: killed at 1 s, restarted at 3.5 s).
RATE, BACKENDS, BUDGET, OUTAGE = 100.0, 3, 50, 2.5


def worst_failed(health_check: HealthCheck) -> float:
    """Worst-case failed requests while a crash goes unnoticed: rate · share · fall · inter, plus
    the allowance :data:`course_lib.lb.live.compare.EXTRA_FAILURES` (the request in service and
    the rotation's phase). Failures stop when the server comes back, so the unnoticed time is
    at most the outage: checks slower than that never help, but never cost more either."""
    from course_lib.lb.live.compare import EXTRA_FAILURES

    unnoticed = min(detection_bounds(health_check, "crash")[1], OUTAGE)
    return RATE / BACKENDS * unnoticed + EXTRA_FAILURES


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


def check_budget_health_check(answer: Any) -> Verdict:
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
    return simulate(scenario).summary()["failed"]


def solution_hang_delay() -> float:
    """Each of the ``fall`` failing checks of a hung server waits for the timeout: 3 × 0.2 s."""
    crash = detection_bounds(HealthCheck(interval=0.5, timeout=0.2, fall=3), "crash")
    hang = detection_bounds(HealthCheck(interval=0.5, timeout=0.2, fall=3), "hang")
    return hang[0] - crash[0]


def check_hang_delay(answer: Any) -> Verdict:
    """How much later (s) a hang is detected than a crash, with inter 0.5, timeout 0.2, fall 3."""
    return check_number(
        answer, solution_hang_delay(), rel_tol=0.0, abs_tol=1e-6,
        what="the extra detection time of a hang (s)",
        too_low="Not one timeout: every one of the fall failing checks waits for its timeout "
                "before the next check is scheduled.",
        too_high="The timeout replaces nothing: checks still come interval apart, each "
                 "failing one adds only its timeout (0.2 s), not another interval.",
        explain="A hung server costs fall × timeout more than a crash: 3 × 0.2 s.",
    )


#: Exercise 3's setting: the lab's ``set_weight`` run with every backend at weight 100.
WEIGHTS, TARGET_SHARE = 100, 0.10


def solution_weight_percent() -> float:
    """b1's share is w / (w + 200) for w = 100 · p/100 (the others keep 100 each):
    p = 200 s / (1 − s) = 22.2 %, which HAProxy turns into weight 22 (9.9 %)."""
    return 2 * WEIGHTS * TARGET_SHARE / (1 - TARGET_SHARE)


def check_weight_percent(answer: Any) -> Verdict:
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
