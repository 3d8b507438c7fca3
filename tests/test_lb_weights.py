"""Weights that follow health: slow start after a recovery, an agent that reports latency."""

from dataclasses import replace

import pytest

from course_lib.lb import AgentCheck, Backend, Failure, HealthCheck, Scenario
from course_lib.lb.models.simulate import simulate
from course_lib.lb.models.weights import MIN_FRACTION, agent_fraction, slowstart_fraction
from course_lib.lb.views.dashboards import describe, failover_scenario
from course_lib.lb.views.figures import redistribution_figure


def test_ramp_and_agent_fractions():
    assert slowstart_fraction(10.0, 0.0) == MIN_FRACTION
    assert slowstart_fraction(10.0, 5.0) == 0.5
    assert slowstart_fraction(10.0, 12.0) == slowstart_fraction(0.0, 1.0) == 1.0
    agent = AgentCheck(interval=1.0, target=0.05)
    assert agent_fraction(agent, 0.04) == 1.0
    assert agent_fraction(agent, 0.1) == 0.5
    assert agent_fraction(agent, 1e9) == MIN_FRACTION


def _restart(slowstart: float) -> Scenario:
    base = replace(failover_scenario(recover_at=30.0), policy="weighted_round_robin")
    return replace(base, backends=tuple(replace(b, slowstart=slowstart) for b in base.backends))


def test_slowstart_ramps_a_recovered_servers_share_linearly():
    """Smooth WRR follows the weight at every pick: the share in each window tracks w/(w+3)."""
    result = simulate(_restart(10.0))
    up = result.detections[0].marked_up_at
    for k in range(5):
        mid = (2 * k + 1) / 10  # the ramp's mean fraction over the window
        expected = mid / (mid + 3)
        assert result.shares(up + 2 * k, up + 2 * k + 2)["b"] == pytest.approx(expected, abs=0.03)
    assert result.shares(up + 10.0, 60.0)["b"] == pytest.approx(0.25, abs=0.01)
    plain = simulate(_restart(0.0))
    up = plain.detections[0].marked_up_at
    assert plain.shares(up, up + 2.0)["b"] == pytest.approx(0.25, abs=0.01)


def test_slowstart_does_not_apply_at_the_start_of_a_run():
    result = simulate(_restart(10.0))
    assert result.shares(0.0, 2.0)["b"] == pytest.approx(0.25, abs=0.01)


def test_an_agent_takes_traffic_off_a_slow_server_instead_of_letting_it_flap():
    slow = replace(failover_scenario(kind="slow", recover_at=None), policy="weighted_round_robin")
    without = simulate(slow)
    with_agent = simulate(replace(slow, agent=AgentCheck(interval=0.5, target=0.05)))
    assert without.summary()["failed"] > 100 and with_agent.summary()["failed"] == 0
    (d,) = with_agent.detections
    assert d.marked_down_at is None
    # b can serve 12.5 of the 120 requests/s: the agent settles it near that share
    assert with_agent.shares(30.0, 60.0)["b"] == pytest.approx(12.5 / 120, abs=0.02)


def test_describe_reports_a_slow_server_readmitted_while_still_slow():
    text = describe(simulate(failover_scenario(kind="slow", recover_at=None)))
    assert "b slow at 20 s: marked down after 8.75 s; re-admitted 1× while still slow " \
           "(first at 41.75 s)" in text
    assert "re-admitted" not in describe(simulate(failover_scenario()))


@pytest.mark.parametrize(("kw", "message"), [
    ({"agent": AgentCheck()}, r"agent needs policy 'weighted_round_robin' \(got 'round_robin'\)"),
    ({"backends": (Backend("a", 10.0, slowstart=5.0), Backend("b", 10.0))},
     r"backends\[0\]\.slowstart needs policy 'weighted_round_robin'"),
    ({"agent": 3}, r"agent must be an AgentCheck or None \(got 3\)"),
])
def test_dynamic_weights_need_the_dynamic_policy(kw, message):
    base = {"backends": (Backend("a", 10.0), Backend("b", 10.0))}
    with pytest.raises(ValueError, match=message):
        Scenario(**{**base, **kw})


def test_agent_and_slowstart_values_are_validated():
    with pytest.raises(ValueError, match=r"agent.interval must be a finite number > 0 \(got 0\)"):
        AgentCheck(interval=0)
    with pytest.raises(ValueError,
                       match=r"backends\[0\].slowstart must be a finite number >= 0 \(got -1\)"):
        Scenario((Backend("a", 10.0, slowstart=-1),), "weighted_round_robin")


def test_redistribution_figure_shows_the_survivors_taking_the_share_by_weight():
    fig = redistribution_figure(simulate(failover_scenario("weighted")), title="t")
    before, after = fig.data
    assert after.y[1] == 0.0  # small1, the crashed one
    assert after.y[0] / after.y[2] == pytest.approx(2.0, rel=0.05)  # weights 2 : 1
    assert sum(after.y) == pytest.approx(120.0, rel=0.05) and sum(before.y) == pytest.approx(
        120.0, rel=0.05)


def test_a_hung_servers_agent_keeps_the_last_weight():
    sc = Scenario((Backend("a", 50.0), Backend("b", 50.0)), "weighted_round_robin", 40.0, 20.0,
                  health_check=HealthCheck(1.0, 0.5), failures=(Failure("b", 5.0, "hang"),),
                  agent=AgentCheck(0.5, 0.05), request_timeout=1.0)
    result = simulate(sc)
    (d,) = result.detections
    assert d.marked_down_at is not None  # the checks, not the agent, take a hung server out
