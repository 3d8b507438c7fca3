"""Lesson 03b self-checks: the solution passes, typical wrong answers fail with a hint."""

from course_lib.exercises import lesson03b as ex
from course_lib.lb import HealthCheck


def test_budget_health_check():
    assert ex.check_budget_health_check(ex.solution_budget_health_check())
    # 2 s × 3 would be 200 failures, but the crash lasts 2.5 s: 100/3 × 2.5 + 2 ≈ 85
    slow = ex.check_budget_health_check(HealthCheck())
    assert not slow and "Worst case 85 failed requests > 50" in slow.message
    twitchy = ex.check_budget_health_check(HealthCheck(interval=0.5, fall=1))
    assert not twitchy and "single lost check" in twitchy.message
    frantic = ex.check_budget_health_check(HealthCheck(interval=0.05, fall=3))
    assert not frantic and "stay at 0.1 s or more" in frantic.message
    assert "Expected a HealthCheck" in ex.check_budget_health_check(0.5).message
    assert not ex.check_budget_health_check(None).answered


def test_verify_without_haproxy_uses_the_simulator():
    assert ex.verify_live(ex.solution_budget_health_check(), live=False) <= ex.BUDGET


def test_hang_delay():
    """inter 1 s, timeout 0.4 s, fall 2: 2 × 0.4 s; the lab's printed 0.6 s is not the answer."""
    assert abs(ex.solution_hang_delay() - 0.8) < 1e-9
    assert ex.check_hang_delay(0.8)
    one = ex.check_hang_delay(0.4)
    assert not one and "every one of the fall failing checks" in one.message
    assert "the lab's own answer" in ex.check_hang_delay(0.6).message
    assert "not another interval" in ex.check_hang_delay(2.5).message
    assert not ex.check_hang_delay(None).answered


def test_hang_delay_mistakes_are_named():
    assert "fall × interval" in ex.check_hang_delay(2).message
    assert "looks like milliseconds" in ex.check_hang_delay(800).message
    assert ex.check_hang_delay("800 ms")


def test_weight_percent():
    assert abs(ex.solution_weight_percent() - 200 / 9) < 1e-9
    assert ex.check_weight_percent(ex.solution_weight_percent())
    assert ex.check_weight_percent(22)
    fraction = ex.check_weight_percent(0.22)
    assert not fraction and "in percent" in fraction.message
    naive = ex.check_weight_percent(10)  # 10 % of the weight is not 10 % of the traffic
    assert not naive and "w / (w + 200)" in naive.message
    assert not ex.check_weight_percent(50)
    assert not ex.check_weight_percent(None).answered


def test_simulated_share_follows_the_set_weight_with_haproxys_integers():
    assert abs(ex.simulated_share(22) - 22 / 222) < 0.02
    assert abs(ex.simulated_share(50) - 0.20) < 0.02
    assert ex.simulated_share(22, weight=4) == 0.0  # 4 × 22 / 100 = 0 in integers: no traffic
