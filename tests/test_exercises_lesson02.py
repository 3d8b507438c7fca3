"""Lesson 02 self-checks: the solution passes, typical wrong answers fail with a hint."""

from course_lib.exercises import lesson02 as ex


def test_fast_weight():
    assert ex.check_fast_weight(ex.solution_fast_weight())
    wrong = ex.check_fast_weight(1)
    assert not wrong and "proportion to capacity" in wrong.message
    assert "saturates first" in ex.check_fast_weight(5).message
    assert not ex.check_fast_weight(None).answered


def test_random_mean_time():
    """5 servers of 10 req/s at 45 req/s: 1/(10 − 9) s = 1000 ms, not the lesson's 500 ms."""
    assert ex.solution_random_mean_time() == 1000.0
    assert ex.check_random_mean_time(ex.solution_random_mean_time())
    wrong = ex.check_random_mean_time(100)  # the bare service time
    assert not wrong and "W = 1/(μ − λ/N)" in wrong.message
    assert not ex.check_random_mean_time(500)  # the lesson's printed 4-server run
    assert "Divide the arrival rate" in ex.check_random_mean_time(5000).message
    assert not ex.check_random_mean_time(None).answered


def test_many_balancers():
    assert ex.check_many_balancers("power_of_two")
    wrong = ex.check_many_balancers("least_connections")
    assert not wrong and "herding" in wrong.message
    assert "not one of the options" in ex.check_many_balancers("fastest").message
    assert not ex.check_many_balancers(None).answered


def test_typical_mistakes_are_named():
    assert "upside down" in ex.check_fast_weight(1 / 3).message
    assert "capacity in req/s" in ex.check_fast_weight(30).message
    slip = ex.check_random_mean_time(1)  # seconds given for milliseconds
    assert not slip and "looks like seconds" in slip.message
    assert ex.check_random_mean_time("1000 ms") and ex.check_random_mean_time("1 s")
    assert ex.check_random_mean_time("1,000")
    shared = 1000 * ex.queueing.mmc_mean_response_time(45.0, 10.0, 5)
    assert "one shared queue" in ex.check_random_mean_time(shared).message
    assert "one server 5× as fast" in ex.check_random_mean_time(200).message
    for alias in ("power of two", "P2C", "Power-of-two"):
        assert ex.check_many_balancers(alias), alias
    assert "herding" in ex.check_many_balancers("leastconn").message
    assert "(a string)" in ex.check_many_balancers(3).message
