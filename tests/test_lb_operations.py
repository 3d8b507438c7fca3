"""An operator's drain, maintenance, ready and set weight: the description, the simulator, the lab.

The simulator's claims are exact (deterministic service, no failures), so they are asserted
exactly; the stored live runs are checked with :func:`operator_verdicts` (±3 points of share);
one live run is played when HAProxy is installed.
"""

from dataclasses import replace

import pytest

from course_lib.lb import Backend, Failure, Operation, Scenario, haproxy_config
from course_lib.lb.live import (
    haproxy_binary,
    live_children,
    live_or_stored,
    operator_scenarios,
    operator_verdicts,
    request_timeline,
    run_lab,
    shares,
)
from course_lib.lb.models.operations import runtime_command
from course_lib.lb.models.simulate import simulate
from course_lib.lb.runtime.haproxy import INSTALL_HINT

SCENARIOS = operator_scenarios()


def test_runtime_commands_are_haproxys():
    assert runtime_command(Operation(1.0, "b1", "drain")) == "set server app/b1 state drain"
    assert runtime_command(Operation(1.0, "b1", "ready")) == "set server app/b1 state ready"
    assert runtime_command(Operation(1.0, "b1", "weight", 0.5)) == "set weight app/b1 50%"


@pytest.mark.parametrize(("operation", "policy", "message"), [
    (Operation(1.0, "zz", "drain"), "round_robin", r"operations\[0\]\.backend must name a backend"),
    (Operation(1.0, "b1", "reboot"), "round_robin",
     r"operations\[0\]\.action must be one of drain, maint, ready, weight \(got 'reboot'\)"),
    (Operation(-1.0, "b1", "drain"), "round_robin", r"operations\[0\]\.at must be a number >= 0"),
    (Operation(1.0, "b1", "drain", 0.5), "round_robin",
     r"operations\[0\]\.weight must be None for action 'drain' \(got 0.5\)"),
    (Operation(1.0, "b1", "weight", 0.5), "round_robin",
     r"weight must be 0 or 1 with policy 'round_robin' \(got 0.5\): only weighted_round_robin"),
    (Operation(1.0, "b1", "weight", 3.0), "weighted_round_robin",
     r"weight must be a fraction of the configured weight from 0 to 2.56"),
])
def test_operations_are_validated_with_field_rule_and_value(operation, policy, message):
    with pytest.raises(ValueError, match=message):
        Scenario((Backend("b1", 10.0), Backend("b2", 10.0)), policy, operations=(operation,))


def _attempts_sent(result, start, end):
    return [a.backend for a in result.attempts if start <= a.sent_at < end]


def test_simulated_maintenance_fails_nothing_and_skips_the_server_until_ready():
    result = simulate(SCENARIOS["maintenance"])
    assert result.summary()["failed"] == 0
    assert "b1" not in _attempts_sent(result, 1.0, 2.5)
    assert "b1" in _attempts_sent(result, 0.0, 1.0) and "b1" in _attempts_sent(result, 2.5, 4.0)


def test_simulated_manual_failover_goes_to_the_backup_and_back():
    result = simulate(SCENARIOS["manual_failover"])
    assert result.summary()["failed"] == 0
    assert set(_attempts_sent(result, 1.0, 2.5)) == {"b2"}
    assert set(_attempts_sent(result, 0.0, 1.0)) == set(_attempts_sent(result, 2.5, 4.0)) == {
        "b1"}


def test_simulated_set_weight_shifts_the_share_to_the_new_weights():
    result = simulate(SCENARIOS["set_weight"])
    before, after = shares(result, 0.0, 1.5), shares(result, 1.52, 4.0)
    assert all(abs(v - 1 / 3) < 0.02 for v in before.values())
    assert after["b1"] == pytest.approx(0.2, abs=0.02)  # 2 : 4 : 4
    assert after["b2"] == pytest.approx(0.4, abs=0.02)


def test_a_crash_costs_requests_that_a_planned_drain_does_not():
    """The same three backends: a crash of b1 at 1 s (automatic detection) against a drain."""
    planned = SCENARIOS["maintenance"]
    crash = simulate(replace(planned, operations=(), failures=(Failure("b1", 1.0, "crash", 2.5),)))
    assert crash.summary()["failed"] > 30  # a third of 100 req/s for 1–1.5 s
    assert simulate(planned).summary()["failed"] == 0


def test_the_generated_config_is_unchanged_by_operations():
    """Operations happen at run time on the socket: the configuration file does not mention them."""
    sc = SCENARIOS["set_weight"]
    assert haproxy_config(sc) == haproxy_config(replace(sc, operations=()))
    assert "weight 4" in haproxy_config(sc)


def test_stored_operator_runs_hold_every_verdict():
    stored = live_or_stored(SCENARIOS, live=False)
    assert set(stored) == set(SCENARIOS)
    for name, run in stored.items():
        verdicts = operator_verdicts(run, simulate(run.scenario))
        assert verdicts and all(v.agree for v in verdicts), (name, [str(v) for v in verdicts])
        assert [op[2] for op in run.meta["operations"]] == [o.action for o in
                                                             run.scenario.operations]


def test_verdicts_can_fail():
    """A run in which b1 kept serving while 'drained' is caught."""
    stored = live_or_stored({"set_weight": SCENARIOS["set_weight"]}, live=False)["set_weight"]
    pretend = replace(SCENARIOS["maintenance"], backends=SCENARIOS["set_weight"].backends,
                      policy="weighted_round_robin")
    stored.scenario = pretend  # the set_weight run never drained b1
    verdicts = operator_verdicts(stored, simulate(pretend))
    assert any(not v.agree and str(v).startswith("❌") for v in verdicts)
    run = live_or_stored({"set_weight": SCENARIOS["set_weight"]}, live=False)["set_weight"]
    run.meta["operations"][0][4] = "Backend is using a static LB algorithm"
    assert "❌ HAProxy answered 'Backend is using a static LB algorithm' to 'weight'" in (
        [str(v) for v in operator_verdicts(run, simulate(run.scenario))])


def test_timeline_shows_the_operators_window():
    fig = request_timeline(simulate(SCENARIOS["maintenance"]), title="t")
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(b.x0, b.x1, b.label.text) for b in bands] == [(1.0, 1.5, "drain"),
                                                            (1.5, 2.5, "maint")]


@pytest.mark.skipif(haproxy_binary() is None, reason=INSTALL_HINT)
def test_live_set_weight_on_roundrobin_matches_the_simulator():
    run = run_lab(SCENARIOS["set_weight"])
    verdicts = operator_verdicts(run, simulate(run.scenario))
    assert all(v.agree for v in verdicts), [str(v) for v in verdicts]
    assert run.meta["operations"][0][4] == ""  # HAProxy accepted the command silently
    assert live_children() == []
