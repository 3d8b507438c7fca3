"""The exact shortcut for healthy scenarios gives the simpy engine's Result, record for record.

``simulate(scenario)`` takes :mod:`course_lib.lb.models.fastpath` when nothing can fail (no health
checks, failures, passive checks, or request timeouts shorter than the run), the policy races
of lesson 02. The comparison is exact equality of every request and attempt record, the busy
times and the health logs, for every policy, equal and unequal servers, weights of 0, backups,
hot and cold standby, both service distributions and several seeds.
"""

from __future__ import annotations

import pytest
from lb_same import assert_same_run

from course_lib.lb import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.models.fastpath import applies, simulate_healthy
from course_lib.lb.models.policies import POLICIES
from course_lib.lb.models.simulate import simulate

BACKENDS = {
    "equal": (tuple(Backend(f"s{i + 1}", 10.0) for i in range(4))),
    "unequal": (Backend("fast", 30.0, weight=3), Backend("slow1", 10.0), Backend("slow2", 10.0)),
    "drained_and_backup": (Backend("a", 10.0), Backend("b", 5.0, weight=0),
                           Backend("c", 8.0, backup=True)),
}


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("backends", list(BACKENDS))
@pytest.mark.parametrize(("arrival_rate", "service", "standby"), [
    (32.0, "exponential", "hot"), (39.0, "deterministic", "cold"), (60.0, "exponential", "cold"),
])
@pytest.mark.parametrize("seed", [0, 2026])
def test_shortcut_is_identical_to_simpy(policy, backends, arrival_rate, service, standby, seed):
    scenario = Scenario(BACKENDS[backends], policy, arrival_rate, 40.0, health_check=None,
                        request_timeout=1e6, seed=seed, standby=standby, service=service)
    assert applies(scenario)
    assert_same_run(simulate(scenario), simulate(scenario, engine="simpy"))


def test_twelve_servers_least_connections_is_identical():
    scenario = Scenario(tuple(Backend(f"s{i + 1}", 10.0) for i in range(12)),
                        "least_connections", 96.0, 60.0, health_check=None,
                        request_timeout=60.0, seed=2026)
    assert_same_run(simulate(scenario), simulate(scenario, engine="simpy"))


@pytest.mark.parametrize("change", [
    {"health_check": HealthCheck()},
    {"failures": (Failure("s1", 10.0),)},
    {"request_timeout": 5.0},
])
def test_shortcut_does_not_apply_when_something_can_fail(change):
    base = {"backends": BACKENDS["equal"], "arrival_rate": 20.0, "duration": 30.0,
            "health_check": None, "request_timeout": 1e6}
    scenario = Scenario(**{**base, **change})
    assert not applies(scenario)
    with pytest.raises(ValueError, match="scenario must have no health checks"):
        simulate_healthy(scenario)


def test_unknown_engine_is_refused_by_name():
    scenario = Scenario(BACKENDS["equal"], health_check=None)
    with pytest.raises(ValueError, match=r"engine must be 'auto' or 'simpy' \(got 'fast'\)"):
        simulate(scenario, engine="fast")


def test_weights_change_nothing_but_weighted_round_robin():
    """Why the dashboards may look up non-weighted runs with weights set to 1: same Result."""
    for policy in ("round_robin", "least_connections", "power_of_two", "random"):
        runs = [simulate(Scenario((Backend("fast", 30.0, weight=w), Backend("slow", 10.0)),
                                  policy, 25.0, 30.0, health_check=None, request_timeout=1e6,
                                  seed=3)) for w in (1, 4.5)]
        assert runs[0].requests == runs[1].requests
        assert runs[0].busy_time == runs[1].busy_time


def test_dashboard_renders_are_memoised_and_unchanged():
    from course_lib.lb.models.experiments import _race_digest
    from course_lib.lb.views.dashboards import render_unequal

    first = render_unequal(policy="power_of_two", fast_weight=2.0)
    before = _race_digest.cache_info()
    again = render_unequal(policy="power_of_two", fast_weight=2.0)
    after = _race_digest.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 2
    assert again[1] == first[1]
    assert again[0].to_plotly_json() == first[0].to_plotly_json()


def test_summary_is_computed_once_and_returned_as_a_copy():
    result = simulate(Scenario(BACKENDS["equal"], arrival_rate=20.0, duration=20.0,
                               health_check=None, request_timeout=1e6))
    first = result.summary(5.0)
    first["sent"] = -1
    assert result.summary(5.0)["sent"] > 0
    assert result.summary(0.0)["sent"] >= result.summary(5.0)["sent"]


def test_renders_leave_the_garbage_collector_as_they_found_it():
    import gc

    from course_lib.lb.views.dashboards import render_failover, render_policy_race

    assert gc.isenabled()
    render_policy_race(arrival_rate=21.0)
    render_failover(kind="slow")
    assert gc.isenabled()
    gc.disable()
    try:
        render_policy_race(arrival_rate=22.0)
        assert not gc.isenabled()
    finally:
        gc.enable()


class _PerAttemptTimers:
    """Builds the engine as first written: one simpy timer per attempt for its request timeout
    (created where ``dispatch`` now calls ``arm``), instead of one wake-up per backend."""

    @staticmethod
    def run(scenario: Scenario):
        from course_lib.lb.models.simulate import _Engine

        class Engine(_Engine):
            def arm(self, server, at):
                attempt = server.watch.pop()  # the attempt just sent; nobody else watches
                assert at == attempt.deadline
                timer = self.env.timeout(self.s.request_timeout)
                timer.callbacks.append(
                    lambda _e, a=attempt: a.ended or self.end_attempt(a, "timeout"))

        return Engine(scenario).run()


def _failure_scenarios():
    from course_lib.lb import PassiveCheck
    from course_lib.lb.views.dashboards import failover_scenario

    for approach in ("round_robin", "weighted", "standby"):
        for kind in ("crash", "hang", "slow"):
            yield failover_scenario(approach=approach, kind=kind, retries=1, standby="cold",
                                    duration=40.0)
    yield failover_scenario(recover_at=None, arrival_rate=190.0, duration=40.0)
    backends = (Backend("a", 20.0), Backend("b", 15.0, weight=2),
                Backend("c", 25.0, backup=True))
    for policy, service in (("least_connections", "deterministic"), ("power_of_two",
                                                                     "exponential")):
        yield Scenario(backends, policy, 30.0, 40.0, health_check=HealthCheck(1.0, 0.5, 2, 2),
                       failures=(Failure("a", 5.0, "crash", 15.0), Failure("b", 20.0, "hang", 30.0),
                                 Failure("a", 25.0, "slow", 35.0, 5.0)),
                       retries=1, seed=3, passive=PassiveCheck(2, 5.0), request_timeout=1.5,
                       service=service)


@pytest.mark.parametrize("scenario", list(_failure_scenarios()))
def test_one_wake_up_per_backend_times_out_exactly_like_one_timer_per_attempt(scenario):
    """Request timeouts by per-backend wake-ups: the same records as per-attempt timers, in
    failovers with crashes, hangs, slow servers, retries, cold standby, passive checks and
    overload (where timeouts are many)."""
    fast = simulate(scenario, engine="simpy")
    if any(f.kind == "hang" for f in scenario.failures):  # a hang: requests do time out
        assert any(a.outcome == "timeout" for a in fast.attempts)
    assert_same_run(fast, _PerAttemptTimers.run(scenario))


def _checked_scenarios(seed: int):
    """Scenarios with health checks or request timeouts but no failure: light ones where
    neither acts, and loaded ones where checks fail (a backlog longer than a tight check
    timeout) or requests time out."""
    settings = [  # arrival rate, health check, request timeout, standby, service
        (20.0, HealthCheck(1.0, None, 2, 2), 5.0, "hot", "exponential"),
        (20.0, HealthCheck(0.7, 0.5, 2, 3), 0.8, "cold", "deterministic"),
        (30.0, HealthCheck(0.5, 0.1, 2, 1), 100.0, "cold", "exponential"),  # checks only
        # a check timeout shorter than one service: one request in service fails a check
        (8.0, HealthCheck(1.0, 0.05, 2, 1), 100.0, "hot", "deterministic"),
        (28.0, HealthCheck(1.0, 0.3, 2, 2), 0.6, "hot", "exponential"),
        (36.0, None, 0.3, "hot", "deterministic"),
    ]
    for policy in POLICIES:
        for backends in BACKENDS.values():
            for rate, check, timeout, standby, service in settings:
                yield Scenario(backends, policy, rate, 30.0, health_check=check,
                               request_timeout=timeout, seed=seed, standby=standby,
                               service=service)


@pytest.mark.parametrize("seed", [0, 7, 2026])
def test_checked_shortcut_is_identical_to_simpy_or_declines(seed):
    """fastpath_checked: the simpy engine's Result exactly when no check fails and no request
    times out; ``None`` (and the simpy engine under ``engine="auto"``) when one would. Both
    branches are taken, and a run where the simpy engine shows a timeout or a change of
    belief is never answered by the shortcut."""
    from course_lib.lb.models.fastpath_checked import applies_checked, simulate_checked

    taken = declined = 0
    for scenario in _checked_scenarios(seed):
        assert applies_checked(scenario)
        reference = simulate(scenario, engine="simpy")
        acted = (any(a.outcome == "timeout" for a in reference.attempts)
                 or any(len(log) > 1 for log in reference.belief_log.values()))
        fast = simulate_checked(scenario)
        if fast is None:
            declined += 1
        else:
            assert not acted
            assert_same_run(fast, reference)
            taken += 1
        assert_same_run(simulate(scenario), reference)
    assert taken >= 10 and declined >= 10


def test_checked_shortcut_does_not_apply_to_failures_or_passive_checks():
    from course_lib.lb import PassiveCheck
    from course_lib.lb.models.fastpath_checked import applies_checked, simulate_checked

    for change in ({"failures": (Failure("s1", 10.0),)}, {"passive": PassiveCheck()},
                   {"balancers": 2}, {"non_idempotent": 0.5}):
        scenario = Scenario(BACKENDS["equal"], arrival_rate=20.0, duration=30.0, **change)
        assert not applies_checked(scenario)
        with pytest.raises(ValueError, match="scenario must have no failures"):
            simulate_checked(scenario)
