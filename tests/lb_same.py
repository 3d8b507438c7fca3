"""One check that two lb engines produced the same run, for every test of an exact twin."""

from __future__ import annotations


def assert_same_run(a, b) -> None:
    """Every record in order, every log, busy times, detections and the summaries."""
    assert a.requests == b.requests
    assert a.attempts == b.attempts
    assert a.busy_time == b.busy_time
    assert a.actual_log == b.actual_log
    assert a.belief_log == b.belief_log
    assert a.detections == b.detections
    assert a.summary() == b.summary() and a.summary(5.0) == b.summary(5.0)
    assert a.per_backend() == b.per_backend()
