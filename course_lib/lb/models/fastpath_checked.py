"""The exact shortcut of :mod:`course_lib.lb.models.fastpath`, with health checks and request
timeouts that turn out never to fire.

:func:`~course_lib.lb.models.fastpath.simulate_healthy` needs a scenario where nothing *can*
fail. Many runs have health checks and a ``timeout server`` but no failure, and there the checks
and the timeouts only *might* act: a check fails only when a backend's backlog would take longer
than the check timeout to clear, and a timeout fires only when an attempt is still unanswered at
its deadline. This module computes the healthy run (the same lists, the same floating-point
operations) and then verifies, from those lists, that neither happened:

* every attempt finished before its deadline ``sent + request_timeout``, or that deadline is at
  or after the end of the run (the run stops first);
* every health check a working backend receives (at ``phase``, ``phase + interval``, …, the
  instants the simpy checker wakes up at, with the phases drawn from the same ``checks``
  stream in the same order) finds a backlog of at most ``check_timeout`` seconds: the requests
  sent there before the check and finished after it, times the mean service time. A cold
  standby is ``off``: it fails every check, but it starts believed down, so failing changes
  nothing.

When both hold, a check that passes and a deadline that finds its attempt already answered
change nothing in the simpy engine, so its :class:`~course_lib.lb.models.result.Result` is the
healthy one, record for record. When either fails (or an instant ties exactly, which has
probability zero with exponential gaps), :func:`simulate_checked` returns ``None`` and
:func:`~course_lib.lb.models.simulate.simulate` runs the simpy engine, which models what then
happens (the healthy run cost it about a quarter of a simpy run). ``tests/test_lb_speed.py``
compares the two on many scenarios, including ones where checks and timeouts do fire.

Why: the capstone's day (``notebooks/07_capstone.ipynb``) is five API-tier runs, four of them
without a failure but with health checks; the shortcut cuts each about threefold, a tenth of the
capstone dashboard's frame.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from course_lib.core.engines import stream
from course_lib.lb.models.fastpath import _eligible, _recurrence, _result
from course_lib.lb.models.result import Result
from course_lib.lb.models.scenario import Scenario

__all__ = ["applies_checked", "simulate_checked"]


def applies_checked(scenario: Scenario) -> bool:
    """True when only health checks and request timeouts could change the healthy run."""
    s = scenario
    return (not s.failures and s.passive is None and bool(_eligible(s))
            and not s.non_idempotent and not s.operations and s.agent is None
            and s.balancers == 1)


def _nothing_fires(s: Scenario, sent: list[float], chosen: list[str],
                   finishes: list[float]) -> bool:
    """No request timeout and no failed health check of a working backend during the run."""
    end, timeout = s.duration, s.request_timeout
    for at, finish in zip(sent, finishes, strict=True):
        deadline = at + timeout  # the engine's ``attempt.deadline = now + request_timeout``
        if deadline < end and finish >= deadline:
            return False
    hc = s.health_check
    if hc is None:
        return True
    sent_at: dict[str, list[float]] = {b.name: [] for b in s.backends}
    done_at: dict[str, list[float]] = {b.name: [] for b in s.backends}
    for at, name, finish in zip(sent, chosen, finishes, strict=True):
        sent_at[name].append(at)
        done_at[name].append(finish)  # FIFO: finishes in the order sent, so sorted
    phases = stream(s.seed, "checks")
    limit, interval = hc.check_timeout, hc.interval
    cold = s.standby == "cold"
    for b in s.backends:
        t = 0.0 + phases.uniform(0, interval)  # drawn for every backend, in the engine's order
        if cold and b.backup:
            continue
        sends, dones = sent_at[b.name], done_at[b.name]
        while t < end:
            arrived, done = bisect_left(sends, t), bisect_right(dones, t)
            if arrived != bisect_right(sends, t) or done != bisect_left(dones, t):
                return False  # an exact tie: the engine's event order would decide
            if (arrived - done) * 1.0 / b.service_rate > limit:  # ServerState.backlog_time
                return False
            t = t + interval
    return True


def simulate_checked(scenario: Scenario) -> Result | None:
    """The simpy engine's :class:`Result` for ``scenario`` when no health check fails and no
    request times out (checked on the healthy run); ``None`` when one would."""
    if not applies_checked(scenario):
        raise ValueError("scenario must have no failures, passive checks, non-idempotent "
                         "requests, operations, agent checks or second balancer (got one "
                         "that has)")
    sent, chosen, starts, finishes = _recurrence(scenario)
    if not _nothing_fires(scenario, sent, chosen, finishes):
        return None
    return _result(scenario, sent, chosen, starts, finishes)
