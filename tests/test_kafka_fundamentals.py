"""Lesson 04 against a real broker (the embedded one unless KAFKA_BOOTSTRAP_SERVERS is set)."""

from __future__ import annotations

import time

import pytest

from course_lib.core.naming import unique_name
from course_lib.kafka import BrokerError, make_admin
from course_lib.kafka.clients.lag import group_lag, lag_table, log_end_offsets, total_lag
from course_lib.kafka.clients.records import (
    Record,
    create_topic,
    history,
    key_order_ok,
    produce_keyed,
    read_partitions,
)
from course_lib.kafka.live.group.lab import ConsumerGroupLab, consume_exactly

pytestmark = pytest.mark.kafka


def test_key_order_ok_compares_order_within_each_key_only():
    sent = [("a", "1"), ("b", "2"), ("a", "3")]
    assert key_order_ok(sent, [Record("b", "2", 1, 0), Record("a", "1", 0, 0),
                               Record("a", "3", 0, 1)])
    assert not key_order_ok(sent, [Record("a", "3", 0, 1), Record("a", "1", 0, 0),
                                   Record("b", "2", 1, 0)])
    assert not key_order_ok(sent, [Record("a", "1", 0, 0), Record("b", "2", 1, 0)])  # one lost


def test_the_produce_and_read_lab_reports_through_the_history_checker():
    sent = [Record("a", "1", 0, 0), Record("b", "2", 1, 0), Record("a", "3", 0, 1)]
    assert history(sent, sent).ok and history(sent, sent).acknowledged == 3
    lost = history(sent, sent[:2])
    assert lost.of("lost") == (2,) and lost.count("duplicated") == 0
    twice = history(sent, [*sent, Record("b", "2", 1, 1)])
    assert twice.of("duplicated") == (1,)
    swapped = history(sent, [Record("a", "3", 0, 0), Record("b", "2", 1, 0),
                             Record("a", "1", 0, 1)])
    assert swapped.count("out_of_order") == 1
    assert history(sent, [*sent, Record("c", "9", 2, 0)]).ok  # another run's record


def test_same_key_same_partition_and_offsets_count_up():
    topic = create_topic(unique_name("test-keys"), 3)
    items = [(f"customer-{i % 5}", f"order-{i}") for i in range(30)]
    sent = produce_keyed(topic, items)
    by_key = {}
    for r in sent:
        by_key.setdefault(r.key, set()).add(r.partition)
    assert all(len(parts) == 1 for parts in by_key.values())
    stored = read_partitions(topic, [0, 1, 2], expected=30)
    for p in range(3):
        offsets = [r.offset for r in stored if r.partition == p]
        assert offsets == list(range(len(offsets)))
    assert key_order_ok(items, stored)
    admin = make_admin()
    try:
        ends = log_end_offsets(admin, topic)
    finally:
        admin.close()
    assert ends == {p: sum(r.partition == p for r in sent) for p in range(3)}


def test_a_group_of_two_consumes_every_record_exactly_once_and_lag_reaches_zero():
    """The must-show: N keyed records, 2 members, manual commits; then 2 more members (idle)."""
    n, topic, group = 400, create_topic(unique_name("test-group"), 3), unique_name("test-g")
    admin = make_admin()
    try:
        with ConsumerGroupLab(topic, group, 3) as lab:
            lab.pause()
            lab.add_consumer()
            lab.add_consumer()
            assert lab.wait_until_stable() == [[0, 1], [2]]
            items = [(f"account-{i % 17}", f"payment-{i}") for i in range(n)]
            produce_keyed(topic, items)
            before = group_lag(admin, group, topic)
            assert total_lag(before) == n and all(r.committed_offset is None for r in before)
            lab.resume()
            lab.wait_for(n)
            counts = consume_exactly(lab)
            assert counts == {"processed": n, "distinct": n, "duplicates": 0}
            assert key_order_ok(items, [p.record for p in lab.processed])
            assert {p.member for p in lab.processed} == {0, 1}
            for _ in range(50):  # the last commit may land just after the last record
                rows = group_lag(admin, group, topic)
                if total_lag(rows) == 0:
                    break
                time.sleep(0.1)
            assert total_lag(rows) == 0
            assert [r.committed_offset for r in rows] == [r.log_end_offset for r in rows]
            assert "total" in lag_table(rows)
            lab.add_consumer()
            lab.add_consumer()
            assert lab.wait_until_stable() == [[], [0], [1], [2]]
            assert consume_exactly(lab)["duplicates"] == 0
    finally:
        admin.close()


def test_unknown_topic_and_an_unsettled_group_give_clear_errors():
    admin = make_admin()
    try:
        with pytest.raises(BrokerError, match="is not known to the broker"):
            group_lag(admin, "g", unique_name("no-such-topic"))
    finally:
        admin.close()
    lab = ConsumerGroupLab(unique_name("never-created"), unique_name("g"), 3)
    with pytest.raises(BrokerError, match="did not settle within 0.2 s"):
        lab.wait_until_stable(timeout_s=0.2)
    with pytest.raises(ValueError, match=r"partitions must be an integer >= 1 \(got 0\)"):
        create_topic(unique_name("bad"), 0)
