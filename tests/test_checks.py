"""The self-check helpers: friendly verdicts for every kind of learner input, never a traceback."""

import pytest

from course_lib.grading.checks import (
    FAIL_MARK,
    PASS_MARK,
    WAIT_MARK,
    check_choice,
    check_number,
    check_range,
    check_that,
)


def test_number_pass_and_fail_sides_give_their_hints():
    assert check_number(10.2, 10, rel_tol=0.05)
    low = check_number(5, 10, too_low="Remember the queue.", too_high="Too pessimistic.")
    high = check_number(20, 10, too_low="Remember the queue.", too_high="Too pessimistic.")
    assert not low and "too low" in low.message and "Remember the queue." in low.message
    assert not high and "too high" in high.message and "Too pessimistic." in high.message


@pytest.mark.parametrize("answer", ["abc", [1, 2], True, float("nan")])
def test_number_rejects_non_numbers_with_a_sentence(answer):
    verdict = check_number(answer, 1.0)
    assert not verdict.passed and verdict.answered
    assert str(verdict).startswith(FAIL_MARK)


def test_numeric_strings_are_accepted():
    assert check_number(" 0.5 ", 0.5)


def test_none_means_not_answered_yet():
    for verdict in (check_number(None, 1), check_range(None, 0, 1), check_choice(None, "a"),
                    check_that(None, bool)):
        assert not verdict.passed and not verdict.answered
        assert str(verdict).startswith(WAIT_MARK) and "Not answered yet" in str(verdict)


def test_range():
    assert check_range(3, 2, 4)
    assert "too low" in check_range(1, 2, 4, too_low="hint").message
    assert "too high" in check_range(5, 2, 4).message


def test_choice_is_case_insensitive_and_hints_the_misconception():
    assert check_choice(" Kafka ", "kafka")
    verdict = check_choice("REST call", "kafka", hints={"rest call": "Who buffers?"})
    assert not verdict and "Who buffers?" in verdict.message
    unknown = check_choice("carrier pigeon", "kafka", options=["kafka", "REST call"])
    assert not unknown and "not one of the options" in unknown.message


def test_that_turns_predicate_errors_into_verdicts():
    def predicate(x):
        if x < 0:
            raise ValueError("workers must be >= 1 (got -1)")
        return x > 3, f"p99 with {x} workers"

    assert check_that(4, predicate)
    assert "p99 with 2 workers" in check_that(2, predicate, hint="Add workers.").message
    failed = check_that(-1, predicate)
    assert not failed and "workers must be >= 1" in failed.message


def test_repr_and_html():
    verdict = check_number(1, 1)
    assert repr(verdict).startswith(PASS_MARK)
    assert "<div" in verdict._repr_html_() and PASS_MARK in verdict._repr_html_()
