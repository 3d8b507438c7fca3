"""Lesson 06's trade-off model: the structural differences between the four hand-over styles."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from course_lib.kafka.models.decision import STYLES, Costs, IntegrationScenario, throughput_ceiling
from course_lib.kafka.models.decision_engine import compare, simulate_integration
from course_lib.kafka.views.decision import render_tradeoffs, tradeoff_dashboard

BASE = IntegrationScenario()  # 200 msg/s, 2 consumers × 500 msg/s, outage [10, 15), late at 20


@pytest.fixture(scope="module")
def results():
    return compare(BASE, seed=1)


def test_conservation(results):
    for r in results.values():
        assert r.produced == r.delivered + r.failed + r.in_flight
        assert r.in_flight >= 0


def test_only_the_direct_call_fails_during_an_outage(results):
    """Calls made while the consumer is down fail: Poisson(200 × 5) ± 4 sd (sd = √1000 ≈ 32)."""
    expected = BASE.produce_rate * BASE.outage_time
    assert abs(results["direct_api"].failed - expected) <= 4 * math.sqrt(expected)
    for style in ("db_table", "message_broker", "kafka"):
        assert results[style].failed == 0
        assert results[style].summary()["max_backlog"] >= 0.8 * expected  # buffered instead


def test_only_kafka_can_replay_history_to_a_late_subscriber(results):
    """Kafka keeps everything produced before t = 20 s: Poisson(4000) ± 4 sd (sd ≈ 63)."""
    expected = BASE.produce_rate * BASE.late_subscriber_at
    assert abs(results["kafka"].replayable - expected) <= 4 * math.sqrt(expected)
    for style in ("direct_api", "db_table", "message_broker"):
        assert results[style].replayable == 0


def test_latency_one_hop_two_hops_or_polling(results):
    """Direct: one hop; broker/Kafka: two hops; table: waits for the next poll (0.5 s apart)."""
    p50 = {s: r.quantile(0.5) for s, r in results.items()}
    assert p50["direct_api"] < p50["kafka"] < 0.02 and p50["message_broker"] < 0.02
    assert p50["db_table"] > BASE.costs.poll_interval / 4


def test_the_table_saturates_beyond_its_write_ceiling():
    ceiling = throughput_ceiling("db_table", BASE)
    assert ceiling == pytest.approx(1 / (0.002 * 1.02))
    busy = replace(BASE, produce_rate=1.4 * ceiling, outage_time=0.0)
    table = simulate_integration(replace(busy, style="db_table"), seed=2)
    kafka = simulate_integration(replace(busy, style="kafka"), seed=2)
    assert table.in_flight > 10 * max(1, kafka.in_flight)
    assert kafka.failed == table.failed == 0


def test_ceilings_follow_the_costs():
    costs = Costs()
    assert throughput_ceiling("direct_api", BASE) == 1000
    assert throughput_ceiling("message_broker", BASE) == pytest.approx(1 / costs.broker_time)
    assert throughput_ceiling("kafka", BASE) == pytest.approx(1 / costs.append_time)
    with pytest.raises(ValueError, match="style must be one of"):
        throughput_ceiling("carrier pigeon", BASE)


def test_no_outage_means_no_failures_and_small_backlogs():
    for style in STYLES:
        r = simulate_integration(replace(BASE, style=style, outage_time=0.0), seed=3)
        assert r.failed == 0 and r.in_flight < 150


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"style": "email"}, r"style must be one of direct_api, db_table, message_broker, "
                             r"kafka \(got 'email'\)"),
        ({"produce_rate": 0}, r"produce_rate must be a finite number > 0 \(got 0\)"),
        ({"outage_time": -1.0}, r"outage_time must be a finite number >= 0 \(got -1.0\)"),
        ({"consumers": 0}, r"consumers must be an integer >= 1 \(got 0\)"),
    ],
)
def test_validation_names_field_rule_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        IntegrationScenario(**kwargs)


def test_render_is_deterministic_and_the_dashboard_reacts():
    fig, text = render_tradeoffs()
    again, text_again = render_tradeoffs()
    assert text_again == text and fig.to_plotly_json() == again.to_plotly_json()
    assert text.splitlines()[0].split()[:2] == ["delivered", "failed"]
    board = tradeoff_dashboard()
    board.controls["outage_time"].value = 0.0
    assert board.error is None and "direct API call" in board.summary.value


def test_the_produce_rate_slider_reaches_past_the_consumers_capacity():
    """The lesson's point is past 1,000 orders/s (2 consumers × 500/s): the slider goes to 1,200,
    where every design falls behind: the buffers end with a backlog, the direct call fails more
    orders than the 1,200 × 5 = 6,000 the outage alone explains."""
    board = tradeoff_dashboard()
    assert board.controls["produce_rate"].max == 1200.0
    board.controls["produce_rate"].value = 1200.0
    assert board.error is None
    results = compare(IntegrationScenario(produce_rate=1200.0), seed=2026)
    assert results["kafka"].backlog[-1][1] > 10_000
    assert results["direct_api"].failed > 6_000
