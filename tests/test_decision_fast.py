"""The event-arithmetic engine returns exactly what lesson 06's simpy model returns.

Exactness is the contract (no tolerances): same counts, same response_times in the same order (the
floats compared with ==), same backlog samples, same replay count. The cases cover every code
path that could reorder random draws: the outage (consumers that claimed a message wait and
draw at its end), queues at the broker / partition leader, direct calls timing out, database
polls with full batches, 1 to 5 consumers, outages that start at 0 or end between samples.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.kafka.models.decision import STYLES, Costs, IntegrationScenario
from course_lib.kafka.models.decision_engine import compare, simulate_integration
from course_lib.kafka.models.decision_fast import simulate_integration_fast
from course_lib.kafka.views.decision import (
    backlog_figure,
    render_tradeoffs,
    tradeoff_table,
)


def assert_identical(scenario: IntegrationScenario, seed: int) -> None:
    slow = simulate_integration(scenario, seed, engine="simpy")
    fast = simulate_integration_fast(scenario, seed)
    assert (fast.produced, fast.delivered, fast.failed, fast.replayable) == \
        (slow.produced, slow.delivered, slow.failed, slow.replayable), scenario
    # repr: the same floats to the last bit and the same types (the clock starts at the int 0)
    assert repr(fast.backlog) == repr(slow.backlog), scenario
    assert repr(fast.response_times) == repr(slow.response_times), scenario
    # ^ the same (completion) order
    assert repr(fast.summary()) == repr(slow.summary())  # repr: nan (no response_times) equals nan


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("produce_rate", "outage_time", "seed"),
                         [(200.0, 5.0, 2026), (50.0, 0.0, 1), (1200.0, 15.0, 7)])
def test_identical_on_the_dashboard_range(style, produce_rate, outage_time, seed):
    """The default story and both ends of the dashboard's two sliders (50–1200 msg/s, 0–15 s)."""
    assert_identical(IntegrationScenario(style=style, produce_rate=produce_rate,
                                         outage_time=outage_time), seed)


@pytest.mark.parametrize("style", STYLES)
def test_identical_when_queues_form_everywhere(style):
    """Slow broker and appends (queues at the hub), tiny request timeout (direct calls give
    up), batches of 3 rows (polls find full batches), 3 consumers, an outage off the 0.5 s grid."""
    costs = Costs(broker_time=0.004, append_time=0.003, request_timeout=0.01, db_batch=3,
                  poll_interval=0.3, db_write_time=0.001)
    scenario = IntegrationScenario(style=style, produce_rate=300.0, consumers=3,
                                   processing_time=0.012, outage_at=2.7, outage_time=1.3,
                                   late_subscriber_at=3.0, duration=8.0, costs=costs)
    assert_identical(scenario, seed=11)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(style=st.sampled_from(STYLES),
       produce_rate=st.sampled_from([20.0, 150.0, 400.0]),
       consumers=st.integers(1, 5),
       processing_time=st.sampled_from([0.002, 0.01, 0.04]),
       outage_at=st.sampled_from([0.0, 1.0, 2.7]),
       outage_time=st.sampled_from([0.0, 0.3, 1.3, 4.0]),
       hop=st.sampled_from([0.0, 0.001, 0.01]),
       hub=st.sampled_from([0.0002, 0.005]),
       batch=st.sampled_from([1, 7, 100]),
       poll=st.sampled_from([0.1, 0.5]),
       timeout=st.sampled_from([0.005, 1.0]),
       seed=st.integers(0, 10**6))
def test_identical_on_random_scenarios(style, produce_rate, consumers, processing_time,
                                       outage_at, outage_time, hop, hub, batch, poll,
                                       timeout, seed):
    costs = Costs(network_hop=hop, broker_time=hub, append_time=hub / 10, db_batch=batch,
                  poll_interval=poll, request_timeout=timeout)
    assert_identical(IntegrationScenario(style=style, produce_rate=produce_rate,
                                         consumers=consumers, processing_time=processing_time,
                                         outage_at=outage_at, outage_time=outage_time,
                                         late_subscriber_at=2.0, duration=6.0, costs=costs),
                     seed)


def test_the_dashboard_shows_what_the_simpy_model_computes():
    """render_tradeoffs (fast engine, memoised) == the figure and table built from simpy runs."""
    for produce_rate, outage_time in [(200.0, 5.0), (650.0, 12.0)]:
        fig, text = render_tradeoffs(produce_rate=produce_rate, outage_time=outage_time)
        slow = compare(IntegrationScenario(produce_rate=produce_rate, outage_time=outage_time),
                       seed=2026, engine="simpy")
        assert text == tradeoff_table(slow)
        assert fig.to_plotly_json() == backlog_figure(slow).to_plotly_json()
        again, again_text = render_tradeoffs(produce_rate=produce_rate, outage_time=outage_time)
        assert again_text == text and again.to_plotly_json() == fig.to_plotly_json()


def test_the_fast_engine_validates_through_the_same_description():
    base = IntegrationScenario()
    with pytest.raises(ValueError, match=r"produce_rate must be a finite number > 0 \(got -1\)"):
        simulate_integration_fast(replace(base, produce_rate=-1), seed=0)
