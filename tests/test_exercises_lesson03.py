"""Lesson 03 self-checks: the solution passes, typical wrong answers fail with a hint."""

from course_lib.exercises import lesson03 as ex
from course_lib.lb import HealthCheck


def test_failed_during_detection():
    assert ex.solution_failed_during_detection() == 250.0
    assert ex.check_failed_during_detection(ex.solution_failed_during_detection())
    assert "mean* detection time" in ex.check_failed_during_detection(200).message
    assert "one request in four" in ex.check_failed_during_detection(1000).message
    assert not ex.check_failed_during_detection(None).answered


def test_n_plus_one_utilisation():
    assert ex.check_n_plus_one_utilisation(0.8)
    assert "multiply by 5/4" in ex.check_n_plus_one_utilisation(0.9).message
    assert not ex.check_n_plus_one_utilisation(None).answered


def test_fast_health_check():
    assert ex.check_fast_health_check(ex.solution_fast_health_check())
    slow = ex.check_fast_health_check(HealthCheck())  # defaults: 6 s worst case
    assert not slow and "6 s > 3 s" in slow.message
    twitchy = ex.check_fast_health_check(HealthCheck(interval=1.0, fall=1))
    assert not twitchy and "fewer than 3 lost checks" in twitchy.message
    assert "Expected a HealthCheck" in ex.check_fast_health_check(3).message
    assert not ex.check_fast_health_check(None).answered


def test_typical_mistakes_are_named():
    worst = ex.check_failed_during_detection(300)  # the worst-case 6 s instead of the mean 5 s
    assert not worst and "worst-case detection time" in worst.message
    total = ex.check_failed_during_detection(1000)  # all traffic, not the dead server's share
    assert not total and "per server, not the total" in total.message
    for percentage in (80, "80 %", "80%"):  # a percentage is read as one, as in lesson 00
        assert ex.check_n_plus_one_utilisation(percentage), percentage
    assert "rule for 4 servers" in ex.check_n_plus_one_utilisation(0.75).message
    assert "not the safe utilisation" in ex.check_n_plus_one_utilisation(1.25).message
    frantic = ex.check_fast_health_check(HealthCheck(interval=0.001, fall=3))
    assert not frantic and "stay at 0.1 s or more" in frantic.message  # as in lesson 03b
    both = ex.check_failed_during_detection(1200)  # all traffic and the worst case
    assert not both and "dead backend's share (one in four)" in both.message


def test_safe_retry_on():
    """With disable-l7-retry on POSTs the broadest line is safe; conn-failure (the answer
    without the rule, which the lesson states) and the lesson's generated line are too narrow."""
    assert ex.check_safe_retry_on(ex.solution_safe_retry_on())
    assert ex.check_safe_retry_on("  ALL-RETRYABLE-ERRORS ")
    narrow = ex.check_safe_retry_on("conn-failure")
    assert not narrow and "answer without the rule" in narrow.message
    generated = ex.check_safe_retry_on("conn-failure empty-response response-timeout")
    assert not generated and "not the broadest" in generated.message
    assert "not one of the options" in ex.check_safe_retry_on("none of them").message
    assert not ex.check_safe_retry_on(None).answered
    assert not ex.check_safe_retry_on(...).answered
    assert "(a string)" in ex.check_safe_retry_on(1).message
