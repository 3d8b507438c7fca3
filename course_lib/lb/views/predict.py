"""Predict a live run before making it: the lab's scenario, simulated with the learner's checks.

Lesson 03b measures one setting of ``inter``/``fall`` at a time, and each live run costs seconds.
The simulator answers "what would happen with other checks?" instantly, for the very
:class:`~course_lib.lb.Scenario` the lab plays (three 5 ms backends, 100 req/s, ``b1`` fails at
1 s and comes back at 3.5 s). The dashboard shows the simulated timeline, the detection range
:func:`~course_lib.lb.detection_bounds` guarantees, and the worst-case failed requests against the
exercise's budget — the numbers a learner then checks live.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go

from course_lib.lb import Failure, HealthCheck, detection_bounds
from course_lib.lb.live.failover.budget import BUDGET, RATE, worst_failed
from course_lib.lb.live.failover.runs import base_scenario
from course_lib.lb.models.simulate import simulate
from course_lib.lb.views.live import request_timeline

KINDS = ("crash", "hang")


def render_prediction(interval: float = 0.5, fall: int = 3, kind: str = "crash",
                      seed: int = 2026) -> tuple[go.Figure, str]:
    """The lab's round-robin run with ``interval``/``fall`` checks and a ``kind`` failure of b1.

    The check timeout stays at the lab's 0.2 s. Invalid knobs raise the ``ValueError`` of
    :class:`~course_lib.lb.HealthCheck`, which names the field (the dashboard shows it).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} (got {kind!r})")
    base = base_scenario(seed)
    assert base.health_check is not None  # base_scenario: the lab's CHECKS
    checks = HealthCheck(interval=interval, timeout=base.health_check.timeout, rise=2, fall=fall)
    scenario = replace(base, health_check=checks,
                       failures=(Failure("b1", at=1.0, kind=kind, end_at=3.5),))
    result = simulate(scenario)
    low, high = detection_bounds(checks, kind)
    [detection] = result.detections
    seen = ("b1 came back at 3.5 s before the checks marked it down"
            if detection.detection_time is None
            else f"{detection.detection_time:.2f} s after the failure in this simulated run")
    failed = result.summary()["failed"]
    lines = [f"detection guaranteed within [{low:.2f}, {high:.2f}] s; {seen}",
             f"failed requests in this simulated run (Poisson arrivals): {failed}"]
    if kind == "crash":
        worst = worst_failed(checks)
        verdict = "within" if worst <= BUDGET else "OVER"
        lines.append(f"worst case for a crash at the lab's steady {RATE:g} req/s: {worst:.0f} "
                     f"failed requests — {verdict} the budget of {BUDGET}")
    verb = {"crash": "crashes", "hang": "hangs"}[kind]
    title = f"Predicted: b1 {verb} at 1 s, checks every {interval:g} s, fall {fall}"
    return request_timeline(result, title=title), "\n".join(lines)
