"""Several balancers, each counting only its own requests in flight (Scenario.balancers)."""

import pytest

from course_lib.lb import Backend, Scenario
from course_lib.lb.models.fleet import fleet_runs
from course_lib.lb.models.simulate import simulate
from course_lib.lb.views.fleet import fleet_figure


def _scenario(policy: str, balancers: int, duration: float = 60.0) -> Scenario:
    return Scenario(tuple(Backend(f"s{i}", 10.0) for i in range(4)), policy, 32.0, duration,
                    health_check=None, request_timeout=1e6, seed=11, balancers=balancers)


def test_one_balancer_is_the_engine_as_before():
    """balancers=1 takes the exact fast path; the simpy engine gives the same records."""
    sc = _scenario("power_of_two", 1)
    assert simulate(sc).requests == simulate(sc, engine="simpy").requests


def test_a_fleet_conserves_requests_and_changes_only_the_routing():
    one, fleet = simulate(_scenario("least_connections", 1)), simulate(
        _scenario("least_connections", 20))
    assert [r.arrival_at for r in one.requests] == [r.arrival_at for r in fleet.requests]
    s = fleet.summary()
    assert s["sent"] == s["ok"] + s["in_flight"] and s["failed"] == 0
    assert [r.backend for r in one.requests] != [r.backend for r in fleet.requests]


def test_local_counts_lose_most_of_least_connections_gain():
    """The gap to round-robin shrinks from many standard errors to about one."""
    runs = fleet_runs((1, 20))
    (lc1, lc_se1), (lc20, lc_se20) = runs["least_connections"]
    (rr1, rr_se1), (rr20, rr_se20) = runs["round_robin"]
    assert rr1 - lc1 > 3 * (lc_se1 ** 2 + rr_se1 ** 2) ** 0.5
    assert abs(rr20 - lc20) < 2 * (lc_se20 ** 2 + rr_se20 ** 2) ** 0.5
    (rnd20, rnd_se20) = runs["random"][1]
    (p2c20, p2c_se20) = runs["power_of_two"][1]
    assert rnd20 - p2c20 > 2 * (rnd_se20 ** 2 + p2c_se20 ** 2) ** 0.5  # still beats random


def test_balancers_and_fleets_are_validated():
    with pytest.raises(ValueError, match=r"balancers must be an integer >= 1 \(got 0\)"):
        _scenario("random", 0)
    with pytest.raises(ValueError, match=r"fleets must be integers from 1 to 1000 \(got 0\)"):
        fleet_runs((0,))


def test_fleet_figure_has_a_bar_group_per_policy():
    fig = fleet_figure(fleet_runs((1, 20)), (1, 20), title="t")
    assert [t.name for t in fig.data] == ["random", "round_robin", "power_of_two",
                                          "least_connections"]
    assert list(fig.data[0].x) == ["1 balancer", "20 balancers"]
