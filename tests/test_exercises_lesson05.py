"""Lesson 05 self-checks: the solution passes, a typical wrong answer fails with a hint."""

from __future__ import annotations

import pytest

from course_lib.exercises.lesson05 import (
    _dropped_with_grace,
    check_duplicates,
    check_grace_needed,
    check_min_insync,
    solution_duplicates,
    solution_grace_needed,
    solution_min_insync,
)


def test_duplicates():
    assert solution_duplicates() == 10 and check_duplicates(solution_duplicates())
    wrong = check_duplicates(130)
    assert not wrong and "after each full batch" in wrong.message
    assert "exactly-once" in check_duplicates(0).message
    assert not check_duplicates(None).answered


def test_min_insync():
    """RF 5, two brokers down: 3, not the lesson's printed 2 (RF 3, one failure)."""
    assert solution_min_insync() == 3 and check_min_insync(solution_min_insync())
    wrong = check_min_insync(5)
    assert not wrong and "NOT_ENOUGH_REPLICAS" in wrong.message
    assert "RF − 1 tolerates one failure" in check_min_insync(4).message
    assert "lesson's setting for RF 3" in check_min_insync(2).message
    assert "fewer brokers than it could" in check_min_insync(1).message
    assert not check_min_insync(None).answered and not check_min_insync(...).answered
    assert "should be a number" in check_min_insync({3}).message


def test_min_insync_compares_with_the_solution(monkeypatch):
    """The checker asks the model (solution_min_insync), not a hard-coded 3."""
    from course_lib.exercises import lesson05

    monkeypatch.setattr(lesson05, "solution_min_insync", lambda: 4)
    assert check_min_insync(4) and not check_min_insync(3)


def test_grace_needed():
    """171 s is the least whole-second grace: 170 s still drops an order, 171 s none. The worst
    lateness (179 s, printed in the lesson) or the dashboard's 180 s suffice but are too much."""
    assert solution_grace_needed() == 171 and check_grace_needed(solution_grace_needed())
    assert _dropped_with_grace(170) > 0 and _dropped_with_grace(171) == 0
    for typical in (179, 180):  # the worst lateness; the first slider stop with no drops
        wrong = check_grace_needed(typical)
        assert not wrong and "The worst lateness (179 s) is an upper bound" in wrong.message
    wrong = check_grace_needed(170)
    assert not wrong and "some orders are still dropped" in wrong.message
    assert not check_grace_needed(222)  # the lesson's drop count with no grace is not a grace
    verdict = check_grace_needed(None)
    assert not verdict.answered and "Not answered yet" in str(verdict)


def test_grace_units_and_whole_seconds():
    assert "looks like milliseconds" in check_grace_needed(171_000).message
    assert check_grace_needed("171 s") and check_grace_needed("171,000 ms")
    assert "whole number" in check_grace_needed(170.5).message
    assert "only those come back" in check_duplicates(40).message
@pytest.mark.parametrize("grace", [170.5, 170.2])
def test_a_fractional_grace_is_asked_in_whole_seconds_without_a_false_dropped_hint(grace):
    verdict = check_grace_needed(grace)
    assert not verdict and "whole number" in verdict.message
    assert "still dropped" not in verdict.message


@pytest.mark.parametrize("answer", ["171 s", "171000 ms", "171 seconds", "2.85 min"])
def test_grace_reads_units(answer):
    assert check_grace_needed(answer)


def test_duplicates_read_with_a_unit():
    assert check_duplicates("10 messages")
