"""Lesson 05 on a real broker: retention deletes, compaction keeps the latest value per key (and
the stream–table join over it equals the batch join), timestamp seeks, transactions."""

from __future__ import annotations

import pytest

from course_lib.core.data import load_customers, load_orders
from course_lib.kafka.clients import io
from course_lib.kafka.live import log_lab, table_join, transactions


def test_moves_and_batch_table_keep_the_latest_value_per_key():
    customers = load_customers()
    changes = table_join.moves(customers)
    assert len(changes) == 100 and all(c != o["country"] for (_, c), o in
                                       zip(changes, customers[::4], strict=True))
    table = table_join.batch_table(table_join.changelog(customers, changes))
    assert len(table) == len(customers)
    assert table[customers[0]["customer_id"]] == changes[0][1]  # moved: the new country
    assert table[customers[1]["customer_id"]] == customers[1]["country"]  # never moved


def test_join_marks_unknown_customers():
    orders = [{"order_id": 1, "customer_id": 7}, {"order_id": 2, "customer_id": 99999}]
    assert table_join.join(orders, {7: "NL"}) == [(1, 7, "NL"), (2, 99999, None)]


def test_skipped_reads_as_a_sentence():
    assert io.Skipped("no").report() == "skipped on the embedded broker: no"


@pytest.mark.kafka
@pytest.mark.apache_kafka
def test_stream_table_join_over_the_compacted_topic_equals_the_batch_join():
    r = table_join.run_table_join(n_orders=300)
    assert r.compacted is True and r.read_back == r.keys + 1 < r.written
    assert r.matches_batch and len(r.stream_join) == 300
    # not vacuous: a join with the signup countries (no moves applied) differs
    stale = table_join.join(load_orders(limit=300), {c["customer_id"]: c["country"]
                                                     for c in load_customers()})
    assert stale != r.batch_join


@pytest.mark.kafka
@pytest.mark.apache_kafka
def test_read_committed_never_sees_an_aborted_record():
    r = transactions.run_transactions()
    assert r.aborted == ("pay-3", "pay-4")
    assert [v for _, v in r.read_committed] == ["pay-1", "pay-2", "pay-5"]
    assert r.aborted_seen_by_read_committed == []
    assert {"pay-3", "pay-4"} <= {v for _, v in r.read_uncommitted}  # they are in the log
    # read back through the history checker: read_committed keeps every promise; read
    # uncommitted hands out the two records whose producer was told "aborted"
    assert r.history("read_committed").ok
    assert r.history("read_uncommitted").of("indefinite") == (2, 3)


def test_a_transactions_history_marks_aborted_records_a_reader_got_as_indefinite():
    r = transactions.TransactionsResult("t", ("b",), ((0, "a"), (3, "c")),
                                        ((0, "a"), (1, "b"), (3, "c")), ("a", "b", "c"))
    assert r.history().ok and r.history().rejected == 1
    assert r.history("read_uncommitted").of("indefinite") == (1,)
    lost = transactions.TransactionsResult("t", (), ((0, "a"),), ((0, "a"),), ("a", "b"))
    assert lost.history().of("lost") == (1,)
    with pytest.raises(ValueError, match="isolation must be"):
        r.history("serializable")


@pytest.mark.kafka
@pytest.mark.apache_kafka
def test_offsets_for_times_finds_the_first_record_at_or_after_the_instant():
    r = log_lab.replay_from_time(records=6, spacing_ms=1000, at_ms=2500)
    assert (r.offset, r.record_ms) == (3, 3000)
    assert r.replayed == ("event-3", "event-4", "event-5")


@pytest.mark.kafka
@pytest.mark.apache_kafka
@pytest.mark.slow
def test_retention_deletes_the_expired_segment_and_moves_the_log_start():
    r = log_lab.retention_lab(old=20, new=5)
    assert (r.start_before, r.end_before) == (0, 20)
    assert (r.start_after, r.end_after) == (20, 25)
    assert r.remaining == tuple(f"event-{i}" for i in range(20, 25))


def test_each_lab_refuses_clearly_on_the_embedded_broker(monkeypatch):
    monkeypatch.setattr("course_lib.kafka.clients.topics.backend", lambda: "embedded")
    for result in (log_lab.retention_lab(), log_lab.replay_from_time(),
                   transactions.run_transactions()):
        assert result.report().startswith("skipped on the embedded broker: The embedded "
                                          "broker cannot")
