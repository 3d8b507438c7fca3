"""Lesson 06's self-checks: each solution passes, a typical wrong answer fails with a hint."""

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
    for check in (check_checkout, check_fraud_history, check_welcome_emails):
        assert not check(None).answered


def test_direct_failures():
    solution = solution_direct_failures()
    assert 800 < solution < 1200  # ≈ 200 msg/s × 5 s (Poisson: sd ≈ 32)
    assert check_direct_failures(solution)
    wrong = check_direct_failures(0)
    assert not wrong and "nobody holds the messages" in wrong.message
    assert not check_direct_failures(None).answered


def test_aliases_and_thousands_separators():
    assert check_checkout("direct API call") and check_checkout("REST")
    assert check_welcome_emails("jobs table")
    solution = solution_direct_failures()
    assert check_direct_failures(f"{solution:,}") and check_direct_failures(f"{solution} orders")
    assert "decimals with a point" in check_direct_failures("1,0,06").message
