"""Use case 1 against the embedded broker: every replayed order is stored exactly once."""

from __future__ import annotations

import pytest

from course_lib.core.naming import unique_name
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.live.pipeline import load_customers, load_orders, run_pipeline
from course_lib.kafka.views.pipeline import freshness_figure


def test_loaders_give_ints():
    orders = load_orders(limit=5)
    assert len(orders) == 5 and isinstance(orders[0]["unit_price_cents"], int)
    assert len(load_customers()) == 400


def test_validation_messages():
    with pytest.raises(ValueError, match=r"partitions must be an integer >= 1 \(got 0\)"):
        create_topic("x", 0)


@pytest.mark.kafka
def test_pipeline_stores_every_order_once_with_its_amount(tmp_path):
    orders = load_orders(limit=300)
    result = run_pipeline(orders, tmp_path / "p.db", produce_rate=1000.0)
    assert result.produced == result.consumed == result.stored == 300
    assert sorted(r["order_id"] for r in result.records) == sorted(o["order_id"] for o in orders)
    by_id = {o["order_id"]: o for o in orders}
    for r in result.records:
        o = by_id[r["order_id"]]
        assert r["amount_cents"] == o["quantity"] * o["unit_price_cents"]
        assert len(r["country"]) == 2
    assert min(result.freshness_times()) >= 0  # stored after it was emitted
    s = result.summary()
    assert s["freshness_p50_s"] <= s["freshness_p95_s"] <= s["freshness_max_s"]
    assert len(freshness_figure(result).data[0].y) == 300


@pytest.mark.kafka
def test_rate_is_validated_before_anything_is_sent(tmp_path):
    with pytest.raises(ValueError, match=r"produce_rate must be a number > 0 \(got 0\.0\)"):
        run_pipeline(load_orders(limit=3), tmp_path / "p.db", produce_rate=0.0, timeout_s=3)


@pytest.mark.kafka
def test_missing_messages_give_a_clear_error_not_a_hang():
    """What a learner sees when the broker (or the producer) goes away mid-lab: a deadline."""
    from course_lib.kafka.clients.io import PipelineError, consume_all

    topic = create_topic(unique_name("empty"), 1)
    with pytest.raises(PipelineError, match=r"only 0 of 5 messages of .* arrived within 1 s: "
                                            r"is the broker still running\?"):
        consume_all(topic, 1, expected=5, handle=lambda records: None, timeout_s=1.0)
