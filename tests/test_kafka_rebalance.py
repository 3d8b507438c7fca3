"""Consumer groups as Kafka 4.x clients run them: eager vs cooperative rebalancing, static
membership, auto-commit's timing, and the group as the admin API describes it."""

from __future__ import annotations

import pytest

from course_lib.core.naming import unique_name
from course_lib.kafka.clients.factory import make_admin
from course_lib.kafka.clients.records import produce_keyed
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.live.group import rebalance
from course_lib.kafka.live.group import tools as group_tools
from course_lib.kafka.live.group.lab import ConsumerGroupLab

live = [pytest.mark.kafka, pytest.mark.apache_kafka]


def _live(test):
    for mark in live:
        test = mark(test)
    return test


def test_unknown_assignor_is_refused():
    with pytest.raises(ValueError, match=r"assignor must be one of range, cooperative-sticky "
                                         r"\(got 'sticky'\)"):
        ConsumerGroupLab("t", "g", 3, assignor="sticky")


@_live
@pytest.mark.slow
def test_eager_stops_every_partition_cooperative_only_the_moving_ones():
    eager = rebalance.rebalance_stops("range")
    cooperative = rebalance.rebalance_stops("cooperative-sticky")
    assert sorted(map(len, eager.after)) == sorted(map(len, cooperative.after)) == [2, 2, 2]
    assert eager.stopped == [0, 1, 2, 3, 4, 5]
    assert len(cooperative.stopped) == 2  # 3 + 3 -> 2 + 2 + 2 moves exactly two
    moved = {p for p in cooperative.stopped}
    newcomer = [a for a in cooperative.after if set(a) == moved]
    assert newcomer, "the revoked partitions are exactly the newcomer's"


@_live
@pytest.mark.slow
def test_a_static_member_restarted_within_the_session_causes_no_rebalance():
    static = rebalance.restart_member(static=True, session_timeout_ms=6000)
    dynamic = rebalance.restart_member(static=False, session_timeout_ms=3000)
    assert static.rebalances_seen == 0 and static.same_partition
    assert static.rejoined_after_s < 6.0
    assert dynamic.rebalances_seen >= 1
    assert dynamic.rejoined_after_s > 3.0 - 1.0 - 0.1  # it waited for the old session to expire


@_live
def test_auto_commit_commits_returned_records_from_a_later_poll():
    steps = group_tools.auto_commit_steps(records=30, interval_ms=500)
    assert steps == ["poll() returned 30 records; committed: None",
                     "1 s later, no poll() meanwhile: committed: None",
                     "after the next poll(): committed: 30"]


@_live
def test_describe_group_shows_owners_offsets_and_lag():
    topic = create_topic(unique_name("describe"), 3)
    produce_keyed(topic, [(f"a{i}", "x") for i in range(30)])
    admin = make_admin()
    with ConsumerGroupLab(topic, unique_name("describe-group"), 3) as lab:
        lab.add_consumer()
        lab.wait_until_stable()
        lab.add_consumer()
        lab.wait_until_stable()
        lab.wait_for(30)
        text = group_tools.describe_group(admin, lab.group_id, topic)
    admin.close()
    lines = text.splitlines()
    assert "state Stable, assignor range, 2 member(s)" in lines[0]
    assert lines[1].split() == list(group_tools.COLUMNS)
    rows = [line.split() for line in lines[2:]]
    assert [r[0] for r in rows] == ["0", "1", "2"]
    assert all(r[3] == "0" and r[1] == r[2] for r in rows)  # committed = log-end, lag 0
    assert sum(int(r[2]) for r in rows) == 30
    assert rows[0][4] == rows[1][4] != rows[2][4]  # range: one member owns 0-1, the other 2


def test_describe_group_on_the_embedded_broker_says_why_not(monkeypatch):
    monkeypatch.setattr("course_lib.kafka.clients.topics.backend", lambda: "embedded")
    assert group_tools.describe_group(None, "g", "t").startswith(
        "skipped on the embedded broker: The embedded broker cannot describe a group's members")
