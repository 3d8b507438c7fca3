"""The failover twin gives the simpy engine's Result, record for record, wherever it applies.

``simulate(scenario)`` takes :mod:`course_lib.lb.models.failover_fast` for scenarios with health
checks, failures, timeouts and retries when the policy ignores in-flight counts (lesson 03's
dashboards). The comparison is exact equality of every request and attempt record (values and
order), the busy times and the health logs, on scenarios generated from a seeded stream (crash,
hang and slow failures with and without recovery, two failures at once, backups hot and cold,
weights of 0, overload that fails the checks, short request timeouts, retries, non-idempotent
requests, no health check at all), and on the dashboards' own slider settings.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from lb_same import assert_same_run

from course_lib.lb import Backend, Failure, HealthCheck, PassiveCheck, Scenario
from course_lib.lb.models.experiments import failover_scenario
from course_lib.lb.models.failover_fast import COUNT_BLIND, applies, simulate_failover
from course_lib.lb.models.simulate import simulate


def _generated(seed: int) -> Scenario:
    """A random scenario the twin applies to: every feature it mirrors, in some combination."""
    rng = random.Random(seed)
    n = rng.randint(2, 5)
    backends = [Backend(f"s{i}", rng.choice([20.0, 50.0, 80.0]),
                        weight=rng.choice([1, 1, 2, 0.5, 0] if i else [1, 3]),
                        backup=i == n - 1 and rng.random() < 0.4)
                for i in range(n)]
    capacity = sum(b.service_rate for b in backends if not b.backup)
    failures = []
    for victim in rng.sample(backends, rng.choice([1, 1, 2])):  # scenarios refuse overlaps
        kind = rng.choice(["crash", "hang", "slow"])
        at = round(rng.uniform(2.0, 20.0), 2)
        end = rng.choice([None, round(at + rng.uniform(1.0, 12.0), 2)])
        failures.append(Failure(victim.name, at, kind, end,
                                rng.choice([2.0, 6.0]) if kind == "slow" else None))
    check = rng.choice([None] + [HealthCheck(rng.choice([0.5, 1.0, 2.0]),
                                             rng.choice([None, 0.3, 1.0]),
                                             rng.randint(1, 3), rng.randint(1, 3))] * 4)
    return Scenario(
        tuple(backends), rng.choice(COUNT_BLIND), rng.uniform(0.3, 1.05) * capacity, 30.0,
        health_check=check, failures=tuple(failures), retries=rng.randint(0, 2),
        standby=rng.choice(["hot", "cold"]), cold_start_time=rng.choice([2.0, 5.0]),
        request_timeout=rng.choice([0.5, 2.0, 100.0]),
        non_idempotent=rng.choice([0.0, 0.0, 0.3]), seed=seed)


@pytest.mark.parametrize("seed", range(40))
def test_generated_scenarios_are_identical_to_simpy(seed):
    scenario = _generated(seed)
    assert applies(scenario)
    assert_same_run(simulate_failover(scenario), simulate(scenario, engine="simpy"))


@pytest.mark.parametrize("knobs", [
    {}, {"kind": "hang", "interval": 0.5, "fall": 1}, {"kind": "slow", "rise": 6, "timeout": 5.0},
    {"kind": "hang", "interval": 10.0, "timeout": 0.5}, {"approach": "weighted", "retries": 2},
    {"approach": "standby", "standby": "cold"}, {"approach": "standby", "retries": 1},
    {"arrival_rate": 195.0, "recover_at": None}, {"arrival_rate": 40.0, "recover_at": None},
    {"kind": "slow", "recover_at": None}, {"retries": 1, "kind": "hang", "seed": 7},
])
def test_the_dashboards_settings_are_identical_to_simpy(knobs):
    scenario = failover_scenario(**knobs)
    assert applies(scenario)
    assert_same_run(simulate(scenario), simulate(scenario, engine="simpy"))


@pytest.mark.parametrize("change", [
    {"policy": "least_connections"}, {"policy": "power_of_two"}, {"balancers": 2},
    {"passive": PassiveCheck()}, {"service": "deterministic"},
])
def test_twin_does_not_apply_where_it_does_not_mirror_the_engine(change):
    scenario = replace(failover_scenario(), **change)
    assert not applies(scenario)
    with pytest.raises(ValueError, match="scenario must use a policy that ignores in-flight"):
        simulate_failover(scenario)
    # auto falls back to simpy
    assert_same_run(simulate(scenario), simulate(scenario, engine="simpy"))


def test_the_generated_scenarios_reach_every_outcome_and_state():
    """Guards the comparison above: it must see every way a request ends and a backend fares."""
    outcomes, states = set(), set()
    for seed in range(40):
        result = simulate_failover(_generated(seed))
        outcomes |= {r.outcome for r in result.requests} | {a.outcome for a in result.attempts}
        states |= {state for log in result.actual_log.values() for _, state in log}
    assert outcomes == {"ok", "refused", "reset", "timeout", "no_server", "in_flight"}
    assert states == {"up", "crashed", "hung", "slow", "off", "starting"}


def test_a_run_leaves_no_garbage_for_the_collector():
    """A run's objects are freed as it returns (reference counting): without that, the cycles
    between attempts and their backend's queue left thousands of objects to the garbage
    collector, and each dashboard move paid for collecting them (``_Twin.release``)."""
    import gc

    scenario = failover_scenario(kind="hang", retries=1)
    gc.collect()
    gc.disable()
    try:
        result = simulate_failover(scenario)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert any(a.outcome == "timeout" for a in result.attempts)  # attempts did wait in queues
