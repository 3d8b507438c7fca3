"""Lesson 02 self-checks: the solution passes, typical wrong answers fail with a hint."""

from course_lib.exercises import lesson02 as ex


def test_fast_weight():
    """50, 20, 20 req/s with the slow ones at weight 2: 5, not the lesson's printed 3."""
    assert ex.solution_fast_weight() == 5.0
    assert ex.check_fast_weight(ex.solution_fast_weight())
    assert ex.check_fast_weight("5")
    wrong = ex.check_fast_weight(1)
    assert not wrong and "proportion to capacity" in wrong.message
    assert "saturates first" in ex.check_fast_weight(8).message
    assert not ex.check_fast_weight(None).answered
    assert not ex.check_fast_weight(...).answered
    assert "should be a number" in ex.check_fast_weight([5]).message


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
    assert ex.check_many_balancers(ex.solution_many_balancers())
    wrong = ex.check_many_balancers("least_connections")
    assert not wrong and "best single balancer" in wrong.message
    assert "not one of the options" in ex.check_many_balancers("fastest").message
    assert not ex.check_many_balancers(None).answered
    assert not ex.check_many_balancers(...).answered


def test_many_balancers_answer_is_what_the_fleet_run_measures():
    """The reference answer is the simulator's: on 20 balancers weights beat both adaptive
    policies clearly (not within noise), on other seeds too, and the lesson's single-balancer
    and equal-server answers are wrong here."""
    for seed in (2026, 7):
        p95 = ex.fleet_p95.__wrapped__(seed)
        best = min(p95, key=p95.__getitem__)
        assert best == "weighted_round_robin", (seed, p95)
        runner_up = min(v for k, v in p95.items() if k != best)
        assert p95[best] < 0.6 * runner_up, (seed, p95)
    assert ex.solution_many_balancers() == "weighted_round_robin"
    for lesson_answer in ("power_of_two", "least_connections"):
        assert not ex.check_many_balancers(lesson_answer)


def test_typical_mistakes_are_named():
    assert "upside down" in ex.check_fast_weight(0.4).message
    assert "upside down" in ex.check_fast_weight(0.8).message
    assert "weight 2, so the fast one needs twice" in ex.check_fast_weight(2.5).message
    assert "lesson's 30, 10, 10" in ex.check_fast_weight(3).message
    assert "capacity in req/s" in ex.check_fast_weight(50).message
    slip = ex.check_random_mean_time(1)  # seconds given for milliseconds
    assert not slip and "looks like seconds" in slip.message
    assert ex.check_random_mean_time("1000 ms") and ex.check_random_mean_time("1 s")
    assert ex.check_random_mean_time("1,000")
    shared = 1000 * ex.queueing.mmc_mean_response_time(45.0, 10.0, 5)
    assert "one shared queue" in ex.check_random_mean_time(shared).message
    assert "one server 5× as fast" in ex.check_random_mean_time(200).message
    for alias in ("weighted round robin", "WRR", "Weighted-Round-Robin", "static-rr"):
        assert ex.check_many_balancers(alias), alias
    p2c = ex.check_many_balancers("P2C")
    assert not p2c and "*equal* servers" in p2c.message and "nearly always 0" in p2c.message
    assert "nearly always 0" in ex.check_many_balancers("leastconn").message
    for blind in ("round_robin", "random"):
        assert "11.7 req/s" in ex.check_many_balancers(blind).message, blind
    assert "(a string)" in ex.check_many_balancers(3).message
