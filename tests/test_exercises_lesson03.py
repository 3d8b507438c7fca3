"""Lesson 03 self-checks: the solution passes, typical wrong answers fail with a hint."""

from course_lib.exercises import lesson03 as ex
from course_lib.lb import HealthCheck


def test_worst_detection():
    assert ex.solution_worst_detection() == 6.0
    assert ex.check_worst_detection(6)
    wrong = ex.check_worst_detection(3)  # (fall−1)·inter: the best case
    assert not wrong and "up to a whole interval later" in wrong.message
    assert "refuses a check at once" in ex.check_worst_detection(12).message
    assert not ex.check_worst_detection(None).answered


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


def test_safe_retry_on():
    assert ex.check_safe_retry_on(ex.solution_safe_retry_on())
    assert ex.check_safe_retry_on("  CONN-FAILURE ")
    blind = ex.check_safe_retry_on("conn-failure empty-response response-timeout")
    assert not blind and "places it again" in blind.message
    assert "5xx" in ex.check_safe_retry_on("all-retryable-errors").message
    assert "not one of the options" in ex.check_safe_retry_on("none of them").message
    assert not ex.check_safe_retry_on(None).answered
