"""The event-arithmetic engine returns exactly what lesson 04's simpy group model returns.

Exactness is the contract (no tolerances): the same lag samples (offsets, times and their types:
the first sample is at the int 0), the same counts, the same response-time sum to the last bit.
The cases cover what could reorder the shared ``work`` stream or the sums: one to twelve
consumers on one to twelve partitions (idle consumers, uneven splits), light load (consumers idle
and woken) and overload (round robin over backlogged partitions), fixed and exponential work,
sample intervals off the second, horizons that end mid-message.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.kafka.models.group import GroupScenario, simulate, simulate_group

#: lesson 04's dashboard (views/group.py: group_dashboard) and its render_group's scenario
DASHBOARD = GroupScenario(produce_rate=120.0, partitions=6, consumers=2, processing_time=0.02,
                          seed=2026)


def assert_identical(scenario: GroupScenario) -> None:
    slow, fast = simulate(scenario, engine="simpy"), simulate(scenario)
    assert (fast.produced, fast.processed) == (slow.produced, slow.processed), scenario
    assert repr(fast.samples) == repr(slow.samples), scenario  # repr: the types too (0 vs 0.0)
    assert fast.response_time_sum == slow.response_time_sum, scenario
    assert repr(fast.summary()) == repr(slow.summary()), scenario
    assert fast == slow


@pytest.mark.parametrize("knob", [
    {}, {"produce_rate": 10.0}, {"produce_rate": 400.0}, {"consumers": 1}, {"consumers": 12},
    {"processing_time": 0.001}, {"processing_time": 0.1}, {"partitions": 1}, {"partitions": 12},
])
def test_identical_at_the_dashboards_default_and_each_sliders_ends(knob):
    """Each slider of lesson 04's dashboard at its two ends, the others at their defaults."""
    assert_identical(replace(DASHBOARD, **knob))


def test_identical_on_lesson_04s_runs():
    """The lesson's own runs: the cell that simulates ``small`` and the capacity sweep (1–9
    consumers, the rows ``capacity_sweep_figure`` draws)."""
    small = GroupScenario(produce_rate=120, partitions=6, consumers=2, processing_time=0.02)
    assert simulate_group(small, seed=2026) == simulate_group(small, seed=2026, engine="simpy")
    for n in range(1, 10):
        assert_identical(replace(small, consumers=n, seed=2026))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(produce_rate=st.floats(0.5, 500.0), partitions=st.integers(1, 12),
       consumers=st.integers(1, 12), processing_time=st.floats(0.0005, 0.2),
       duration=st.floats(0.5, 20.0), sample_interval=st.sampled_from([0.1, 0.25, 0.7, 1.0]),
       processing=st.sampled_from(["exponential", "fixed"]), seed=st.integers(0, 10**6))
def test_identical_on_generated_scenarios(produce_rate, partitions, consumers, processing_time,
                                          duration, sample_interval, processing, seed):
    assert_identical(GroupScenario(
        produce_rate=produce_rate, partitions=partitions, consumers=consumers,
        processing_time=processing_time, duration=duration,
        # at least 4 samples: the summary's growth rate needs two instants in the second half
        sample_interval=min(sample_interval, duration / 4), processing=processing, seed=seed))


def test_a_run_with_no_message_and_one_message():
    """The edges of the event loop: nothing arrives before the horizon, or a single message."""
    for rate, duration in ((0.01, 1.0), (1.0, 0.5), (1.0, 3.0)):
        for seed in range(10):
            assert_identical(GroupScenario(produce_rate=rate, duration=duration,
                                           sample_interval=0.1, seed=seed))
    empty = simulate(GroupScenario(produce_rate=0.01, duration=1.0, seed=0))
    assert (empty.produced, empty.processed, empty.total_lag()) == (0, 0, [0, 0])
