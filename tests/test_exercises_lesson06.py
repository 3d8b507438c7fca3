"""Lesson 06's self-checks: each solution passes, a typical wrong answer fails with a hint."""

import pytest

from course_lib.exercises.lesson06 import (
    check_checkout,
    check_direct_failures,
    check_fraud_history,
    check_welcome_emails,
    solution_checkout,
    solution_direct_failures,
    solution_fraud_history,
    solution_welcome_emails,
)


def test_quiz_solutions_pass_and_wrong_choices_get_hints():
    assert check_checkout(solution_checkout())
    assert "reply channel" in check_checkout("Kafka").message
    assert check_fraud_history(solution_fraud_history())
    assert check_fraud_history("kafka")  # case and spaces ignored
    assert "deletes a message once it is acknowledged" in check_fraud_history(
        "message broker").message
    assert check_welcome_emails(solution_welcome_emails())
    assert "50 messages an hour" in check_welcome_emails("Kafka").message
    assert "not one of the options" in check_checkout("carrier pigeon").message
    assert "message broker is not it" in check_checkout("RabbitMQ").message  # an alias
    assert "not one of the options" in check_checkout("carrier pigeon").message  # aliases aside
    for check in (check_checkout, check_fraud_history, check_welcome_emails):
        assert not check(None).answered


def test_direct_failures():
    """150 msg/s and a 12 s outage: ≈ 1,800 failed calls, not the table's default-scenario 1006."""
    solution = solution_direct_failures()
    assert 1600 < solution < 2000  # ≈ 150 msg/s × 12 s (Poisson: sd ≈ 42)
    assert check_direct_failures(solution) and check_direct_failures(150 * 12)
    wrong = check_direct_failures(0)
    assert not wrong and "nobody holds the messages" in wrong.message
    assert not check_direct_failures(None).answered
    assert not check_direct_failures(...).answered
    assert "should be a number" in check_direct_failures(["1800"]).message


def test_direct_failures_typical_mistakes_are_named():
    table = check_direct_failures(1006)  # the lesson's printed default scenario
    assert not table and "table's default scenario" in table.message
    assert "default 200 msg/s" in check_direct_failures(200 * 12).message
    assert "default 5 s outage" in check_direct_failures(150 * 5).message


def test_aliases_and_thousands_separators():
    assert check_checkout("direct API call") and check_checkout("REST")
    assert check_welcome_emails("jobs table")
    solution = solution_direct_failures()
    assert check_direct_failures(f"{solution:,}") and check_direct_failures(f"{solution} orders")
    assert "decimals with a point" in check_direct_failures("1,0,06").message
@pytest.mark.parametrize("answer", ["direct API call", "Direct  API Call", "REST", "api call"])
def test_the_lessons_own_label_and_aliases_are_accepted(answer):
    assert check_checkout(answer)


@pytest.mark.parametrize(("check", "answer"), [(check_fraud_history, "Apache Kafka"),
                                               (check_welcome_emails, "jobs table")])
def test_aliases_of_other_options(check, answer):
    assert check(answer)


def test_an_alias_of_a_wrong_option_gets_its_hint():
    verdict = check_checkout("RabbitMQ")
    assert not verdict and "Request/reply over a broker" in verdict.message


@pytest.mark.parametrize("spelling", ["{:,}", "{} calls", "{:,} failed calls"])
def test_direct_failures_read_thousands_separators_and_units(spelling):
    assert check_direct_failures(spelling.format(solution_direct_failures()))
