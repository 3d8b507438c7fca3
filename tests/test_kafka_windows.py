"""Tumbling and sliding windows on event time: streaming equals batch when nothing is late."""

from __future__ import annotations

import pytest

from course_lib.core.data import load_orders
from course_lib.kafka.live.windows import stream_from_topic
from course_lib.kafka.models.windows import (
    WindowAggregator,
    Windowing,
    batch_aggregate,
    compare,
    max_lateness_ms,
    stream_aggregate,
)
from course_lib.kafka.views.windows import render_windows, windows_figure


def ev(order_id: int, t: int, cents: int = 100) -> dict:
    return {"order_id": order_id, "event_time_ms": t, "quantity": 1, "unit_price_cents": cents,
            "category": "tea"}


def test_window_membership():
    assert Windowing(60_000).starts(59_999) == [0]
    assert Windowing(60_000).starts(60_000) == [60_000]
    assert Windowing(60_000, 15_000).starts(70_000) == [15_000, 30_000, 45_000, 60_000]
    assert Windowing(60_000, 15_000).starts(5_000) == [0]  # no windows before time 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"size_ms": 0}, r"size_ms must be a finite number > 0 \(got 0\)"),
    ({"size_ms": 60, "advance_ms": 70}, r"advance_ms must be in \(0, size_ms=60\] \(got 70\)"),
    ({"size_ms": 60, "advance_ms": 25}, r"size_ms must be a multiple of advance_ms"),
    ({"size_ms": 60, "grace_ms": -1}, r"grace_ms must be a finite number >= 0 \(got -1\)"),
])
def test_validation_names_field_rule_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Windowing(**kwargs)


def test_tiny_stream_late_event_dropped_or_accepted():
    events = [ev(1, 1_000), ev(2, 61_000), ev(3, 59_000), ev(4, 125_000), ev(5, 2_000)]
    strict = stream_aggregate(events, Windowing(60_000))
    assert [e["order_id"] for e in strict.dropped] == [3, 5]  # window [0, 60 s) had closed
    assert strict.as_dict() == {(None, 0): (1, 100), (None, 60_000): (1, 100),
                                (None, 120_000): (1, 100)}
    relaxed = stream_aggregate(events, Windowing(60_000, grace_ms=5_000))
    assert [e["order_id"] for e in relaxed.dropped] == [5]  # order 3 arrived within the grace
    assert relaxed.late_accepted == 1
    assert relaxed.emitted[0] == (None, 0)  # [0, 60 s) closed when stream time hit 65 s


@pytest.mark.parametrize("windowing", [Windowing(60_000), Windowing(60_000, 15_000)])
@pytest.mark.parametrize("by", [None, "category"])
def test_stream_equals_batch_on_the_dataset_with_enough_grace(windowing, by):
    orders = load_orders()
    grace = Windowing(windowing.size_ms, windowing.advance_ms, max_lateness_ms(orders))
    stream = stream_aggregate(orders, grace, by)
    assert stream.dropped == []
    assert stream.as_dict() == batch_aggregate(orders, grace, by)


@pytest.mark.parametrize("windowing", [Windowing(60_000), Windowing(60_000, 15_000, 5_000)])
def test_without_grace_the_difference_is_exactly_the_dropped_events(windowing):
    orders = load_orders()
    stream, batch = stream_aggregate(orders, windowing), batch_aggregate(orders, windowing)
    c = compare(stream, batch)
    assert c["dropped_events"] > 0 and not c["identical"]
    assert c["explained"]
    total_stream = sum(v[0] for v in stream.as_dict().values())
    total_batch = sum(v[0] for v in batch.values())
    missed = sum(len(starts) for _, starts in stream.missed)
    assert total_batch - total_stream == missed


class ScanEveryEvent(WindowAggregator):
    """The aggregator as it was: the open windows scanned for closed ones after every event."""

    def add(self, event: dict) -> None:
        super().add(event)
        self._emit_closed()


@pytest.mark.parametrize("windowing", [Windowing(60_000), Windowing(60_000, 15_000, 10_000),
                                       Windowing(30_000, 10_000, 120_000), Windowing(10, 5)])
@pytest.mark.parametrize("by", [None, "category"])
def test_scanning_only_once_the_oldest_window_closes_emits_the_same(windowing, by):
    """The aggregator skips the scan while its oldest open window is open: the same windows
    are emitted at the same events, in the same order, in order, reversed and shuffled."""
    import random

    orders = load_orders()
    for events in (orders, orders[::-1][:1000], random.Random(7).sample(orders, 1500)):
        fast, scan = WindowAggregator(windowing, by), ScanEveryEvent(windowing, by)
        for i, e in enumerate(events):
            fast.add(e)
            scan.add(e)
            if i % 97 == 0:  # at the same events, not only in the end
                assert fast.result.emitted == scan.result.emitted
        assert fast.close() == scan.close()


def test_every_event_counted_once_per_window_it_belongs_to():
    orders = load_orders()
    w = Windowing(60_000, 20_000)
    assert sum(v[0] for v in batch_aggregate(orders, w).values()) == sum(
        len(w.starts(o["event_time_ms"])) for o in orders)


def test_figure_data_are_plain_lists():
    orders = load_orders(limit=300)
    w = Windowing(60_000)
    fig = windows_figure(stream_aggregate(orders, w), batch_aggregate(orders, w))
    assert isinstance(fig.data[0].y, tuple | list) and fig.data[1].line.dash == "dash"


@pytest.mark.kafka
def test_stream_from_a_real_topic_equals_batch():
    from course_lib.core.naming import unique_name
    from course_lib.kafka.clients.io import produce_at_rate
    from course_lib.kafka.clients.topics import create_topic

    orders = load_orders(limit=800)
    topic = create_topic(unique_name("windows-test"), 1)
    produce_at_rate(topic, orders, float("inf"), key_field="order_id", stamp=False)
    w = Windowing(60_000, 30_000, grace_ms=max_lateness_ms(orders))
    stream = stream_from_topic(topic, len(orders), w)
    assert stream.as_dict() == batch_aggregate(orders, w)


def test_render_windows_grace_trades_freshness_for_completeness():
    _, strict = render_windows(grace_s=0)
    assert "222 orders dropped" in strict and "identical to batch: False" in strict
    fig, relaxed = render_windows(grace_s=180)  # > the worst lateness (179.068 s)
    assert "0 orders dropped" in relaxed and "identical to batch: True" in relaxed
    assert fig.data[0].y == fig.data[1].y
    with pytest.raises(ValueError, match=r"size_ms must be a multiple of advance_ms"):
        render_windows(size_s=60, advance_s=25)
