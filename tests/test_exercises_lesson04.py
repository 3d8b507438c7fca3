"""Lesson 04's self-checks: the solutions pass, typical wrong answers fail with a hint."""

import pytest

from course_lib.exercises.lesson04 import (
    check_consumers_needed,
    check_lag_growth,
    solution_consumers_needed,
    solution_lag_growth,
)


def test_consumers_needed():
    """8 partitions at 30 msg/s each: one each (8), not 5 (240/50) nor the lesson's printed 6."""
    assert solution_consumers_needed() == 8
    assert check_consumers_needed(solution_consumers_needed())
    wrong = check_consumers_needed(5)  # 240/50 rounded up: ignores the uneven split
    assert not wrong and "some consumer owns 2 partitions" in wrong.message
    assert "lesson's 6 partitions" in check_consumers_needed(6).message
    assert "4 divides 8 evenly" in check_consumers_needed(4).message
    assert "60 msg/s" in check_consumers_needed(7).message
    assert "fewer consumers" in check_consumers_needed(10).message
    assert not check_consumers_needed(...).answered
    assert "should be a number" in check_consumers_needed([8]).message
    verdict = check_consumers_needed(None)
    assert not verdict.answered and "Not answered yet" in str(verdict)


def test_lag_growth():
    assert solution_lag_growth() == 10.0
    assert check_lag_growth(solution_lag_growth())
    wrong = check_lag_growth(0)  # 2 × 50 > 90, "so no growth"
    assert not wrong and "range assignor" in wrong.message
    assert "Only the consumer with two partitions" in check_lag_growth(40).message
    assert not check_lag_growth(None).answered
    assert "should be a number" in check_lag_growth("ten").message


def test_consumers_needed_is_strict_at_exactly_capacity(monkeypatch):
    """150 msg/s, 6 partitions, 20 ms: 3 consumers give capacity exactly 150 (100 % busy, lag
    unbounded), and 4 or 5 are no better, so the smallest group that keeps up is 6."""
    from course_lib.exercises import lesson04

    monkeypatch.setattr(lesson04, "SIZING", {**lesson04.SIZING, "produce_rate": 150.0,
                                             "partitions": 6})
    assert lesson04.solution_consumers_needed() == 6


def test_counts_must_be_whole_and_receiving_is_not_growing():
    assert "whole number" in check_consumers_needed(5.5).message
    assert check_consumers_needed("8 consumers")
    assert "per consumer" in check_lag_growth(60).message
@pytest.mark.parametrize("answer", [5.5, "5.5", 6.5])
def test_a_fractional_consumer_count_is_rejected_as_such(answer):
    verdict = check_consumers_needed(answer)
    assert not verdict and "should be a whole number" in verdict.message


@pytest.mark.parametrize("answer", ["8", "8 consumers", 8.0])
def test_consumer_count_as_written(answer):
    assert check_consumers_needed(answer)


@pytest.mark.parametrize("answer", ["10 msg/s", " 10 "])
def test_lag_growth_reads_units(answer):
    assert check_lag_growth(answer)
