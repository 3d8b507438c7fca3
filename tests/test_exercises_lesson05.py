"""Lesson 05 self-checks: the solution passes, a typical wrong answer fails with a hint."""

from __future__ import annotations

from course_lib.exercises.lesson05 import (
    check_dropped,
    check_duplicates,
    check_min_insync,
    solution_dropped,
    solution_duplicates,
    solution_min_insync,
)


def test_duplicates():
    assert solution_duplicates() == 10 and check_duplicates(solution_duplicates())
    wrong = check_duplicates(130)
    assert not wrong and "after each full batch" in wrong.message
    assert "exactly-once" in check_duplicates(0).message
    assert not check_duplicates(None).answered


def test_min_insync():
    assert solution_min_insync() == 2 and check_min_insync(solution_min_insync())
    wrong = check_min_insync(3)
    assert not wrong and "NOT_ENOUGH_REPLICAS" in wrong.message
    assert "single broker" in check_min_insync(1).message
    assert not check_min_insync(None).answered


def test_dropped():
    assert check_dropped(solution_dropped())
    wrong = check_dropped(1428)  # every out-of-order event
    assert not wrong and "Out of order is not the same as late" in wrong.message
    assert not check_dropped(None).answered
