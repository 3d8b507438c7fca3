"""The capstone's model: Design validation, determinism, the reference designs' ordering, each
knob reaching the objective it should, and the scorer on hand-made records with known answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from course_lib.capstone import (
    CheckoutRecord,
    Design,
    Objectives,
    OrderRecord,
    RunRecords,
    evaluate,
    simulate_run,
)
from course_lib.capstone.models.problem import FailureScript, TrafficProfile
from course_lib.capstone.models.references import (
    REFERENCE_DESIGNS,
    cheapest_meeting,
    design_grid,
    pareto_front,
)
from course_lib.capstone.models.score import (
    Score,
    cause_at,
    cause_timeline,
    cost_per_hour,
    explain,
    score,
)
from course_lib.capstone.views.report import pareto_figure, render_design

SEEDS = (0, 1, 2)


@pytest.mark.parametrize(("fields", "message"), [
    ({"api_servers": 9}, r"^api_servers must be an integer in \[1, 8\] \(got 9\)$"),
    ({"workers": 0}, r"^workers must be an integer in \[1, 16\] \(got 0\)$"),
    ({"interval": 0.0}, r"^interval must be in \[0.1, 10\] \(got 0.0\)$"),
    ({"retries": 4}, r"^retries must be an integer in \[0, 3\] \(got 4\)$"),
    ({"brokers": 2}, r"^replication_factor must be an integer in \[1, brokers=2\] \(got 3\)$"),
    ({"min_insync_replicas": 4},
     r"^min_insync_replicas must be an integer in \[1, replication_factor=3\] \(got 4\)$"),
    ({"acks": 1}, r"^idempotence requires acks='all' \(got acks='1'\)$"),
    ({"standby": "warm"}, r"^standby must be one of none, hot, cold \(got 'warm'\)$"),
    ({"idempotency_key": 1}, r"^idempotency_key must be True or False \(got 1\)$"),
])
def test_design_errors_name_the_field_and_the_allowed_range(fields, message):
    with pytest.raises(ValueError, match=message):
        Design(**fields)


def test_kafka_spellings_of_acks_are_accepted():
    assert Design(acks=-1).acks == "all"
    assert Design(acks=0, idempotence=False).acks == "0"


def test_a_seed_gives_the_same_run_and_other_seeds_other_runs():
    design = REFERENCE_DESIGNS["N+1"]
    first, again = simulate_run(design, seed=3), simulate_run(design, seed=3)
    assert first == again
    assert evaluate(design, seed=3) == evaluate(design, seed=3)
    assert simulate_run(design, seed=4).checkouts != first.checkouts


@pytest.mark.parametrize("seed", SEEDS)
def test_single_server_fails_and_n_plus_one_meets_the_objectives(seed):
    single = evaluate(REFERENCE_DESIGNS["single server"], seed=seed)
    n_plus_one = evaluate(REFERENCE_DESIGNS["N+1"], seed=seed)
    big = evaluate(REFERENCE_DESIGNS["over-provisioned"], seed=seed)
    assert not single.meets_slo and "availability" in single.failing
    # the crash and the hang of a lone server fail checkouts where the script put them
    assert single.breakdown["api crash"]["failed"] > 0
    assert single.breakdown["api hang"]["failed"] > 0
    assert n_plus_one.meets_slo, n_plus_one.summary()
    assert big.meets_slo, big.summary()
    assert single.cost_per_hour < n_plus_one.cost_per_hour < big.cost_per_hour


def test_every_checkout_is_counted_once_and_every_success_makes_one_order():
    run = simulate_run(REFERENCE_DESIGNS["N+1"], seed=0)
    profile = TrafficProfile()
    expected = profile.base_rate * (profile.duration - (profile.peak_end_at
                                                        - profile.peak_start_at)) + \
        profile.base_rate * profile.peak_factor * (profile.peak_end_at - profile.peak_start_at)
    # Poisson count: within 4 standard deviations (sqrt of the mean) of the mean
    assert abs(len(run.checkouts) - expected) < 4 * expected ** 0.5
    assert len(run.orders) == sum(c.ok for c in run.checkouts)
    assert sorted(o.order_id for o in run.orders) == list(range(len(run.orders)))


@pytest.mark.parametrize(("change", "objective"), [
    ({"retries": 0}, "availability"),
    ({"idempotence": False}, "duplicates"),
    ({"min_insync_replicas": 3}, "freshness_p99_s"),
    ({"consumers": 1}, "freshness_p99_s"),
    ({"api_servers": 2}, "p99_ms"),
])
def test_each_knob_reaches_the_objective_it_should(change, objective):
    result = evaluate(replace(REFERENCE_DESIGNS["N+1"], **change), seed=0)
    assert objective in result.failing, result.summary()


def test_acks_1_loses_acknowledged_orders_on_some_seed_and_acks_all_never():
    acks_1 = replace(REFERENCE_DESIGNS["N+1"], acks=1, idempotence=False)
    assert any(evaluate(acks_1, seed=s).orders_lost for s in range(6))
    assert not any(evaluate(REFERENCE_DESIGNS["N+1"], seed=s).orders_lost for s in range(6))


def test_retries_without_an_idempotency_key_store_orders_twice_on_some_seed():
    no_key = replace(REFERENCE_DESIGNS["N+1"], idempotency_key=False)
    assert any(evaluate(no_key, seed=s).duplicates for s in range(6))


def _hand_made() -> RunRecords:
    # 200 checkouts: 190 ok at 0.1 s, 8 ok at 0.9 s during the hang, 2 failed during the crash
    checkouts = [CheckoutRecord(float(i), True, 0.1, "normal") for i in range(190)]
    checkouts += [CheckoutRecord(200.0 + i, True, 0.9, "api hang") for i in range(8)]
    checkouts += [CheckoutRecord(300.0 + i, False, None, "api crash") for i in range(2)]
    orders = [OrderRecord(i, float(i), "delivered", 1, 2.0, "normal") for i in range(195)]
    orders += [OrderRecord(195, 195.0, "delivered", 2, 2.0, "broker loss"),
               OrderRecord(196, 196.0, "lost", 1, None, "broker loss"),
               OrderRecord(197, 197.0, "delivered", 1, 30.0, "slow database")]
    return RunRecords(checkouts, orders, "hand-made")


def test_the_scorer_on_hand_made_records_with_known_answers():
    result = score(_hand_made(), REFERENCE_DESIGNS["N+1"])
    assert result.availability == pytest.approx(198 / 200)
    # 198 sorted response times, 190 of 0.1 then 8 of 0.9: the 0.99 point is rank 0.99·197 = 195.03,
    # between two 0.9 s values
    assert result.p99_ms == pytest.approx(900.0)
    assert result.orders_lost == 1 and result.duplicates == 1
    # 197 delivered freshness values: 196 of 2 s and one of 30 s; rank 0.99·196 = 194.04 → 2 s
    assert result.freshness_p99_s == pytest.approx(2.0)
    assert result.failing == ("availability", "p99_ms", "orders_lost", "duplicates")
    assert result.breakdown["api crash"]["failed"] == 2
    assert result.breakdown["api hang"]["slow"] == 8
    assert result.breakdown["broker loss"] == {"failed": 0, "slow": 0, "lost": 1,
                                              "duplicates": 1, "late": 0}
    assert result.breakdown["slow database"]["late"] == 1
    assert result.source == "hand-made"
    text = explain(result)
    assert "availability 0.99, objective >= 0.995; most failed checkouts during 'api crash' (2)" \
        in text
    assert "during 'broker loss'" in text


def test_the_objectives_are_data_so_a_looser_promise_is_met_by_the_same_records():
    loose = Objectives(availability=0.99, p99_ms=1000, orders_lost=1, duplicates=1)
    assert score(_hand_made(), REFERENCE_DESIGNS["N+1"], loose).meets_slo


def test_an_empty_run_fails_every_latency_objective_rather_than_passing():
    result = score(RunRecords([], []), REFERENCE_DESIGNS["N+1"])
    assert result.availability == 0.0
    assert {"availability", "p99_ms", "freshness_p99_s"} <= set(result.failing)


def test_cost_per_hour_by_hand():
    # 3 servers × (0.10 + 2 × 0.02) + 3 brokers × 0.25 + 6 × 0.002 + 2 × 0.05 + 3 × 4 × 0.005
    # + 0.45 fixed
    assert cost_per_hour(REFERENCE_DESIGNS["N+1"]) == pytest.approx(1.792)
    hot = replace(REFERENCE_DESIGNS["N+1"], standby="hot")
    cold = replace(REFERENCE_DESIGNS["N+1"], standby="cold")
    assert cost_per_hour(hot) == pytest.approx(1.792 + 0.14)
    assert cost_per_hour(cold) == pytest.approx(1.792 + 0.02)


def test_causes_follow_the_script_and_the_profile():
    profile, script = TrafficProfile(), FailureScript()
    assert cause_at(0.0, profile, script) == "normal"
    assert cause_at(31.0, profile, script) == "peak"
    assert cause_at(35.0, profile, script) == "api crash"
    assert cause_at(50.0, profile, script) == "api hang"
    assert cause_at(80.0, profile, script) == "broker loss"
    assert cause_at(108.0, profile, script) == "slow database"



@pytest.mark.parametrize(("profile", "script"), [
    (TrafficProfile(), FailureScript()),
    # overlapping windows (the one that started last wins), a failure starting at the peak's
    # bound, a peak that is no peak (factor 1) and a broker window reaching past the day
    (TrafficProfile(peak_start_at=20.0, peak_end_at=50.0),
     FailureScript(crash_at=20.0, crash_end_at=60.0, hang_at=40.0, hang_end_at=45.0,
                   broker_crash_at=100.0, broker_down_time=50.0, db_slow_at=30.0)),
    (TrafficProfile(peak_factor=1.0, duration=300.0),
     FailureScript(crash_at=0.0, hang_at=34.0, hang_end_at=44.0, db_slow_at=65.0,
                   db_slow_end_at=66.0)),
])
def test_cause_timeline_gives_cause_at_for_every_instant(profile, script):
    """The bisected timeline the engine uses answers like :func:`cause_at` everywhere: on every
    bound, just either side of it, and on a fine grid over (and beyond) the day."""
    timeline = cause_timeline(profile, script)
    bounds = [b for name in ("crash_at", "crash_end_at", "hang_at", "hang_end_at",
                             "broker_crash_at", "db_slow_at", "db_slow_end_at")
              for b in (getattr(script, name),)]
    bounds += [script.broker_crash_at + script.broker_down_time, profile.peak_start_at,
               profile.peak_end_at]
    instants = [x for b in bounds for x in (b, b - 1e-9, b + 1e-9)]
    instants += [i / 8 - 10.0 for i in range(8 * (int(profile.duration) + 80))]
    assert [timeline(t) for t in instants] == [cause_at(t, profile, script) for t in instants]
    assert {timeline(t) for t in instants} >= {"normal", "api crash", "api hang"}

def _fake(cost: float, availability: float, meets: bool) -> tuple[Design, Score]:
    return Design(), Score(availability, 100.0, 0, 0, 1.0, cost,
                           () if meets else ("p99_ms",), {})


def test_pareto_front_and_cheapest_meeting_on_known_points():
    points = [_fake(1.0, 0.90, False), _fake(2.0, 0.95, False), _fake(2.0, 0.99, True),
              _fake(3.0, 0.98, True), _fake(4.0, 1.0, True)]
    front = pareto_front(points)
    assert [(s.cost_per_hour, s.availability) for _, s in front] == [(1.0, 0.9), (2.0, 0.99),
                                                                      (4.0, 1.0)]
    assert cheapest_meeting(points)[1].cost_per_hour == 2.0
    assert cheapest_meeting(points[:2]) is None


def test_the_grid_and_the_figure():
    grid = design_grid(api_servers=(1, 3), workers=(2,), kafka=((1, 1, 1), (3, 3, 2)),
                       consumers=(2,))
    assert len(grid) == 4 and len(set(grid)) == 4
    scored = [(d, evaluate(d, seed=0)) for d in grid]
    fig = pareto_figure(scored, learner=scored[-1])
    names = [t.name for t in fig.data]
    assert names[-1] == "your design" and "cheapest meeting every objective" in names
    assert fig.layout.xaxis.title.text.startswith("cost per hour")


def test_render_design_shows_the_verdict():
    _, text = render_design(api_servers=1)
    assert "availability" in text.splitlines()[1]
    _, text = render_design()
    assert text.endswith("meets every objective")


def test_a_failure_after_the_end_of_the_day_is_refused_naming_both_fields():
    from course_lib.capstone import Problem

    with pytest.raises(ValueError, match=r"^script\.broker_crash_at must be a finite number < "
                                         r"profile\.duration=120 \(got 130\.0\)$"):
        Problem(script=FailureScript(broker_crash_at=130.0))


def test_more_consumers_than_partitions_is_accepted_and_the_learner_is_told_how_many_idle():
    from course_lib.exercises import lesson07

    design = Design(consumers=24, partitions=6)
    assert design.idle_consumers == 18 and Design().idle_consumers == 0
    result = evaluate(design, seed=1)
    assert result.idle_consumers == 18 and result.summary()["idle_consumers"] == 18
    assert "idle_consumers" not in evaluate(Design(), seed=1).summary()
    _, text = render_design(consumers=8)  # N+1 has 6 partitions
    assert text.splitlines()[-1].startswith("2 of 8 consumers idle: ")
    assert "idle" not in render_design(consumers=6)[1]
    verdict = lesson07.check_cheapest_design(design)
    assert not verdict and "18 of 24 consumers idle: " in verdict.message
