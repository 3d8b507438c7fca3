"""The consumer-group lag model (lesson 04) against the capacity arithmetic and M/M/1 theory."""

from __future__ import annotations

import math
import statistics

import pytest

from course_lib.kafka.models.group import (
    GroupScenario,
    consumer_loads,
    group_capacity,
    lag_growth_rate,
    range_assignment,
    simulate_group,
)
from course_lib.kafka.views.group import capacity_sweep_figure, live_lag_figure, render_group


def test_range_assignment_matches_kafkas_range_assignor():
    assert range_assignment(3, 2) == [[0, 1], [2]]
    assert range_assignment(6, 4) == [[0, 1], [2, 3], [4], [5]]
    assert range_assignment(3, 5) == [[0], [1], [2], [], []]
    for p in range(1, 13):
        for c in range(1, 13):
            parts = [x for a in range_assignment(p, c) for x in a]
            assert parts == list(range(p))  # every partition exactly once


@pytest.mark.parametrize(
    ("partitions", "consumers"), [(6, 1), (6, 2), (6, 3), (6, 6), (6, 9), (4, 4), (4, 2), (2, 7)]
)
def test_capacity_is_min_consumers_partitions_times_mu_when_the_split_is_even(
    partitions, consumers
):
    """When consumers divide the partitions (or outnumber them) capacity = min(C, P)·μ."""
    s = GroupScenario(produce_rate=100, partitions=partitions, consumers=consumers,
                      processing_time=0.02)
    assert group_capacity(s) == pytest.approx(min(consumers, partitions) * 50)
    for rate in (0.9 * group_capacity(s), 1.1 * group_capacity(s)):
        s2 = GroupScenario(produce_rate=rate, partitions=partitions, consumers=consumers,
                           processing_time=0.02)
        grows = rate > min(consumers, partitions) * s2.consumer_rate
        assert (lag_growth_rate(s2) > 0) == grows
        assert (s2.produce_rate > group_capacity(s2)) == grows


def test_an_uneven_split_is_limited_by_the_busiest_consumer():
    """3 partitions, 2 consumers: one owns 2/3 of the traffic, so capacity is 1.5 μ, not 2 μ."""
    s = GroupScenario(produce_rate=90, partitions=3, consumers=2, processing_time=0.02)
    assert consumer_loads(s) == pytest.approx([60, 30])
    assert group_capacity(s) == pytest.approx(75)
    assert lag_growth_rate(s) == pytest.approx(10)


def _growth_sd(s: GroupScenario, window: float) -> float:
    """Standard deviation of the measured growth rate over ``window`` seconds.

    An overloaded consumer is busy all the time, so in a window w its arrivals are Poisson(λ_c w)
    and its completions Poisson(μ w) (exponential processing): the change of its lag has
    variance (λ_c + μ)·w. A consumer that keeps up is an M/M/1 queue whose lag at any instant has
    variance ρ/(1−ρ)²; the difference of two such instants at most twice that. The slope's sd is
    the square root of the sum divided by w.
    """
    var = 0.0
    for load in consumer_loads(s):
        if load > s.consumer_rate:
            var += (load + s.consumer_rate) * window
        elif load > 0:
            rho = load / s.consumer_rate
            var += 2 * rho / (1 - rho) ** 2
    return math.sqrt(var) / window


@pytest.mark.parametrize(
    ("rate", "partitions", "consumers"),
    [(120, 6, 2), (90, 3, 2), (160, 6, 4), (120, 6, 3), (80, 4, 4), (200, 2, 5)],
)
def test_simulated_lag_growth_agrees_with_the_capacity_arithmetic(rate, partitions, consumers):
    """Measured growth (lag(T) − lag(T/2)) / (T/2) within 4 sd (see ``_growth_sd``) of theory."""
    s = GroupScenario(produce_rate=rate, partitions=partitions, consumers=consumers,
                      processing_time=0.02, duration=400.0)
    result = simulate_group(s, seed=7)
    measured = result.measured_growth_rate()
    tolerance = 4 * _growth_sd(s, window=200.0)
    assert abs(measured - lag_growth_rate(s)) <= tolerance
    assert result.summary()["lag_grows"] == (rate >= group_capacity(s))


def test_exactly_at_capacity_the_lag_has_no_drift_but_is_not_bounded():
    """λ = capacity: the busiest consumer is 100 % busy, null-recurrent (no trend, no bound).

    So the theory's drift is 0 msg/s, yet the summary and the dashboard must not say "stays
    bounded" (render_group's 100 msg/s, 2 consumers, 20 ms, 6 partitions is exactly this case).
    """
    s = GroupScenario(produce_rate=100, partitions=6, consumers=2, processing_time=0.02,
                      duration=20.0)
    assert group_capacity(s) == pytest.approx(100) and lag_growth_rate(s) == 0
    assert simulate_group(s, seed=1).summary()["lag_grows"] is True
    fig, text = render_group(produce_rate=100.0)
    assert "is unbounded (no drift at exactly 100 % load" in text
    assert "stays bounded" not in text
    just_below = GroupScenario(**{**s.__dict__, "produce_rate": 99.0})
    assert simulate_group(just_below, seed=1).summary()["lag_grows"] is False


def test_mean_lag_of_a_group_that_keeps_up_matches_mm1():
    """Each consumer is M/M/1 with ρ = 0.8, so its mean lag is ρ/(1−ρ) = 4; 4 consumers → 16.

    Tolerance: the time-averaged total lag (sampled each second after a 50 s warm-up) is cut into
    20 batches of 100 s; batches far longer than the relaxation time (≈ 1/(μ(1−√ρ)²) ≈ 2 s) are
    nearly independent, so the standard error is sd(batch means)/√20; we allow 4 of them.
    """
    s = GroupScenario(produce_rate=160, partitions=4, consumers=4, processing_time=0.02,
                      duration=2050.0)
    result = simulate_group(s, seed=11)
    lags = result.total_lag()[51:]  # samples at t = 51 … 2050
    batches = [statistics.fmean(lags[i:i + 100]) for i in range(0, 2000, 100)]
    mean, se = statistics.fmean(batches), statistics.stdev(batches) / math.sqrt(len(batches))
    assert abs(mean - 4 * (0.8 / 0.2)) <= 4 * se


def test_consumers_beyond_the_partition_count_add_nothing():
    base = GroupScenario(produce_rate=330, partitions=6, consumers=6, processing_time=0.02,
                         duration=60.0)
    more = GroupScenario(**{**base.__dict__, "consumers": 9})
    a, b = simulate_group(base, seed=3), simulate_group(more, seed=3)
    assert a.total_lag() == b.total_lag()
    assert {**a.summary(), "idle_consumers": 3} == b.summary()  # the same run, 3 said idle
    assert group_capacity(base) == group_capacity(more) == 300


def test_conservation_and_determinism():
    s = GroupScenario(produce_rate=120, duration=30.0)
    a, b = simulate_group(s, seed=5), simulate_group(s, seed=5)
    assert a.samples == b.samples
    assert a.produced == a.processed + a.total_lag()[-1]
    assert simulate_group(s, seed=6).samples != a.samples


def test_fixed_processing_time_keeps_up_below_capacity():
    s = GroupScenario(produce_rate=90, partitions=2, consumers=2, processing_time=0.02,
                      processing="fixed", duration=120.0)
    assert simulate_group(s, seed=1).summary()["final_lag"] < 30


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"produce_rate": -1.0}, r"produce_rate must be a finite number > 0 \(got -1.0\)"),
        ({"processing_time": 0}, r"processing_time must be a finite number > 0 \(got 0\)"),
        ({"partitions": 0}, r"partitions must be an integer >= 1 \(got 0\)"),
        ({"consumers": 2.5}, r"consumers must be an integer >= 1 \(got 2.5\)"),
        ({"sample_interval": 100.0}, r"sample_interval must be <= duration"),
        ({"processing": "gamma"}, r"processing must be 'exponential' or 'fixed' \(got 'gamma'\)"),
    ],
)
def test_validation_names_field_rule_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GroupScenario(**kwargs)


def test_render_and_figures_are_plain_and_deterministic():
    fig, text = render_group()
    fig2, text2 = render_group()
    assert fig.to_plotly_json() == fig2.to_plotly_json() and text == text2
    assert "capacity = μ·P / busiest = 50 × 6 / 3 = 100 msg/s" in text
    assert "GROWS without bound" in text
    assert "stays bounded" in render_group(consumers=3)[1]
    with pytest.raises(ValueError, match="consumers must be an integer >= 1"):
        render_group(consumers=0)
    sweep = capacity_sweep_figure(GroupScenario(produce_rate=120, duration=30.0), 8)
    assert list(sweep.data[1].y) == [50, 100, 150, 150, 150, 300, 300, 300]
    live = live_lag_figure([(0.0, {0: 5, 1: 3}), (0.5, {0: 0, 1: 0})])
    assert [list(t.y) for t in live.data] == [[5, 0], [3, 0]]


def test_dashboard_slider_reruns_the_model():
    from course_lib.kafka.views.group import group_dashboard

    board = group_dashboard()
    assert "GROWS" in board.summary.value
    board.controls["consumers"].value = 3
    assert "stays bounded" in board.summary.value and board.error is None


# -- more consumers than partitions: accepted, and the result says how many idle ------------------

@pytest.mark.parametrize(("consumers", "partitions", "idle"), [(24, 6, 18), (7, 6, 1), (6, 6, 0),
                                                                (2, 6, 0)])
def test_consumers_beyond_the_partitions_idle_and_the_result_says_how_many(consumers, partitions,
                                                                           idle):
    s = GroupScenario(consumers=consumers, partitions=partitions, duration=5.0)  # not rejected
    r = simulate_group(s)
    assert s.idle_consumers == r.idle_consumers == idle
    # the range assignor gives them nothing, which is why they are idle
    assert sum(not parts for parts in s.assignment()) == idle
    assert r.summary().get("idle_consumers", 0) == idle  # listed only when some idle
    assert ("idle_consumers" in r.summary()) == bool(idle)


def test_the_dashboard_text_names_the_idle_consumers_and_why():
    _, text = render_group(consumers=24, partitions=6)
    assert text.splitlines()[-1] == (
        "18 of 24 consumers idle: each partition goes to one consumer of the group, so 6 "
        "partitions keep at most 6 busy; the idle ones are standbys that take over in a "
        "rebalance (more partitions would put them to work)")
    _, text = render_group(consumers=6, partitions=6)
    assert "idle" not in text  # lesson 04's stored twin (2 on 6) keeps its text


@pytest.mark.parametrize("duration, interval", [(1.0, 0.7), (1.0, 1.0), (0.5, 0.3)])
def test_a_run_barely_longer_than_one_sample_still_summarises(duration, interval):
    """Two samples (0 and one interval): the growth is measured between them, not divided by 0."""
    from course_lib.kafka.models.group import GroupScenario, simulate

    result = simulate(GroupScenario(duration=duration, sample_interval=interval))
    times, lag = result.times(), result.total_lag()
    summary = result.summary()
    assert summary["measured_growth_per_s"] == round((lag[-1] - lag[0]) / (times[-1] - times[0]),
                                                     3)
