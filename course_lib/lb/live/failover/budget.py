"""The failed-request budget of lesson 03b's crash run, and the worst case a health check allows.

The live lab's ``rr_crash`` run sends RATE requests/s round-robin over BACKENDS backends and
kills one for OUTAGE seconds. Until the balancer marks it down, a third of the traffic fails;
the learner's health-check settings must keep the worst case within BUDGET. The prediction
dashboard (``predict.py``) and exercise 1 of the lesson (``exercises/lesson03b.py``) both use
this arithmetic, so it lives here, in the library, and the exercise imports it.
"""

from __future__ import annotations

from course_lib.lb.models.scenario import HealthCheck, detection_bounds

#: 100 requests/s, round-robin over 3 backends, one crashes for OUTAGE s (killed at 1 s,
#: restarted at 3.5 s); at most BUDGET failed requests are allowed.
RATE, BACKENDS, BUDGET, OUTAGE = 100.0, 3, 50, 2.5


def worst_failed(health_check: HealthCheck) -> float:
    """Worst-case failed requests while a crash goes unnoticed: rate · share · fall · inter, plus
    the allowance :data:`course_lib.lb.live.failover.compare.EXTRA_FAILURES` (the request in service
    and the rotation's phase). Failures stop when the server comes back, so the unnoticed time is
    at most the outage: checks slower than that never help, but never cost more either."""
    from course_lib.lb.live.failover.compare import EXTRA_FAILURES

    unnoticed = min(detection_bounds(health_check, "crash")[1], OUTAGE)
    return RATE / BACKENDS * unnoticed + EXTRA_FAILURES
