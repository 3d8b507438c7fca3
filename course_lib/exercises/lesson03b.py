"""Self-checks and reference solutions for ``notebooks/03b_failover_for_real.ipynb``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.lb import HealthCheck, detection_bounds

# Exercise 1's setting and its arithmetic live in the library (the prediction dashboard uses them
# too): 100 requests/s over 3 backends, one crashes for OUTAGE s, at most BUDGET failures.
from course_lib.lb.live.failover.budget import BUDGET, OUTAGE, RATE, worst_failed

declare = declarations(__name__)


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


check_budget_health_check = declare.that("budget_health_check", _within_budget)


def verify_live(health_check: HealthCheck, *, live: bool | None = None) -> int:
    """Failed requests when ``rr_crash`` runs with ``health_check`` (live when HAProxy is here,
    else the simulator with the same seed)."""
    from course_lib.lb.live import haproxy_binary, run_lab
    from course_lib.lb.live.failover.runs import base_scenario
    from course_lib.lb.models.simulate import simulate

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


check_hang_delay = declare.number(
    "hang_delay", rel_tol=0.0, abs_tol=1e-6, unit="s", minimum=0,
    facts={"crash_detection": HANG_CHECKS.fall * HANG_CHECKS.interval})


#: Exercise 3's setting: the lab's ``set_weight`` run with every backend at weight 100.
WEIGHTS, TARGET_SHARE = 100, 0.10


def solution_weight_percent() -> float:
    """b1's share is w / (w + 200) for w = 100 · p/100 (the others keep 100 each):
    p = 200 s / (1 − s) = 22.2 %, which HAProxy turns into weight 22 (9.9 %)."""
    return 2 * WEIGHTS * TARGET_SHARE / (1 - TARGET_SHARE)


check_weight_percent = declare.number("weight_percent", rel_tol=0.0, abs_tol=1.0)


def simulated_share(percent: float, weight: int = WEIGHTS) -> float:
    """b1's share after ``set weight app/b1 percent%`` in the simulated ``set_weight`` run, with
    every backend configured at ``weight`` (HAProxy's integer arithmetic included)."""
    from course_lib.lb import Operation
    from course_lib.lb.live.failover.runs import operator_scenarios
    from course_lib.lb.models.simulate import simulate

    scenario = operator_scenarios()["set_weight"]
    (op,) = scenario.operations
    scenario = replace(
        scenario, backends=tuple(replace(b, weight=weight) for b in scenario.backends),
        operations=(Operation(op.at, "b1", "weight", percent / 100),))
    return simulate(scenario).shares(op.at + 0.02, scenario.duration)["b1"]


hint, solution = helpers(__name__)
