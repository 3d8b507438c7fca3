"""The replication model reproduces Kafka's documented acks / min.insync.replicas semantics.

Each test is one row of the lesson's table. The assertions are about mechanisms, not tuned
numbers: "lost > 0" where Kafka documents possible loss, "lost == 0" where it guarantees none,
and hard bounds that follow from the protocol (e.g. acks=1 can only lose what was sent within one
fetch interval before the crash).
"""

from __future__ import annotations

import pytest

from course_lib.kafka.models.replication import ReplicationScenario
from course_lib.kafka.models.replication_engine import replication_table, simulate_replication
from course_lib.kafka.models.replication_leader import EXPIRED
from course_lib.kafka.views.replication import format_table, render_replication

SEEDS = (0, 1, 2)


def crash_times(result):
    return [e["at"] for e in result.events if e["kind"] == "crash"]


@pytest.mark.parametrize("seed", SEEDS)
def test_acks0_loses_writes_silently(seed):
    r = simulate_replication("0", 3, 1, 1, seed=seed)
    assert r.rejected == 0  # the producer never hears about a problem
    assert r.lost > 0
    # everything sent to the dead leader before it was fenced is gone
    crash = crash_times(r)[0]
    fenced = crash + r.scenario.session_timeout
    in_window = [w for w in r.writes if crash <= w["sent_at"] < fenced]
    assert all(w["fate"] == "lost" for w in in_window)


@pytest.mark.parametrize("seed", SEEDS)
def test_acks1_leader_crash_loses_acknowledged_unreplicated_writes(seed):
    r = simulate_replication("1", 3, 1, 1, seed=seed, fetch_interval=0.5)
    assert r.lost > 0
    s = r.scenario
    crash = crash_times(r)[0]
    # only writes the new leader had not fetched yet: sent within one (jittered) fetch interval
    earliest = crash - 1.5 * s.fetch_interval - 2 * s.network_delay
    lost = [w for w in r.writes if w["fate"] == "lost"]
    assert all(earliest <= w["sent_at"] < crash for w in lost)
    # writes sent to the dead leader time out: the producer knows
    assert r.reasons() == {"REQUEST_TIMED_OUT (leader down)": r.rejected}


@pytest.mark.parametrize("seed", SEEDS)
def test_acks_all_rf3_min_isr2_one_failure_loses_nothing(seed):
    r = simulate_replication("all", 3, 2, 1, seed=seed)
    assert r.lost == 0 and r.unavailable == 0
    assert "NOT_ENOUGH_REPLICAS" not in r.reasons()
    assert r.acknowledged > 0.8 * len(r.writes)


@pytest.mark.parametrize("seed", SEEDS)
def test_acks_all_rf3_min_isr2_two_failures_reject_writes_reads_continue(seed):
    r = simulate_replication("all", 3, 2, 2, seed=seed)
    assert r.lost == 0
    assert r.reasons()["NOT_ENOUGH_REPLICAS"] > 0
    last_fenced = crash_times(r)[-1] + r.scenario.session_timeout
    after = [w for w in r.writes if w["sent_at"] > last_fenced]
    assert after and all(w["reason"] == "NOT_ENOUGH_REPLICAS" for w in after)
    assert r.reads_served_after_last_failure > 0  # the last replica still serves reads


def test_min_isr1_keeps_accepting_writes_with_one_replica_left():
    r = simulate_replication("all", 3, 1, 2, seed=0)
    assert r.lost == 0 and "NOT_ENOUGH_REPLICAS" not in r.reasons()
    last_fenced = crash_times(r)[-1] + r.scenario.session_timeout
    assert all(w["outcome"] == "acknowledged" for w in r.writes if w["sent_at"] > last_fenced + 1)


def test_rf1_broker_failure_makes_the_partition_offline():
    r = simulate_replication("1", 1, 1, 1, seed=0)
    assert r.lost == 0 and r.unavailable == r.acknowledged > 0
    assert r.reasons()[EXPIRED] > 0  # held by the producer for a leader that never came
    assert r.reads_served_after_last_failure == 0


def test_a_follower_crash_only_delays_acks_all():
    r = simulate_replication("all", 3, 2, [(2, 20.0)], seed=0)
    assert r.lost == 0 and r.rejected == 0  # the leader lives; the ISR shrinks to {0, 1}
    slow = [w["decided_at"] - w["sent_at"] for w in r.writes if 20 < w["sent_at"] < 28]
    assert max(slow) > 5  # waited for the controller to fence the dead follower


def test_no_failure_everything_acknowledged_and_kept():
    for acks in ("0", "1", "all"):
        r = simulate_replication(acks, 3, 2, 0, seed=3)
        assert r.acknowledged == len(r.writes) and r.lost == 0


@pytest.mark.parametrize("acks", ["0", "1", "all"])
def test_every_write_has_exactly_one_outcome(acks):
    r = simulate_replication(acks, 3, 2, 2, seed=4)
    assert r.acknowledged + r.rejected == len(r.writes)
    assert r.lost + r.unavailable <= r.acknowledged


def test_deterministic_and_same_writes_across_settings():
    a = simulate_replication("1", 3, 1, 1, seed=7)
    b = simulate_replication("1", 3, 1, 1, seed=7)
    c = simulate_replication("all", 3, 2, 1, seed=7)
    assert a.writes == b.writes and a.events == b.events
    assert [w["sent_at"] for w in a.writes] == [w["sent_at"] for w in c.writes]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"acks": "2"}, r"acks must be one of 0, 1, 'all', -1 \(got '2'\)"),
    ({"replication_factor": 4},
     r"replication_factor must be an integer in \[1, brokers=3\] \(got 4\)"),
    ({"min_insync_replicas": 4},
     r"min_insync_replicas must be an integer in \[1, replication_factor=3\]"),
    ({"broker_failures": 5}, r"broker_failures must be an integer in \[0, brokers=3\] \(got 5\)"),
    ({"broker_failures": ((7, 1.0),)},
     r"broker_failures\[0\]\.broker must be an integer in \[0, 2\] \(got 7\)"),
    ({"broker_failures": ((1, 60.0),)},
     r"broker_failures\[0\]\.at must be in \[0, duration=60\) \(got 60.0\)"),
    ({"produce_rate": 0}, r"produce_rate must be a finite number > 0 \(got 0\)"),
])
def test_validation_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReplicationScenario(**kwargs)


def test_table_and_render():
    # Which rows lose acknowledged writes is a property of the settings, not of one seed: acks=0
    # and acks=1 lose some in (nearly) every run, acks=all never. acks=1 loses only the writes
    # the followers had not fetched when the leader died, so a run can miss them all: over 20
    # seeds it loses writes in 18 (19 with the streams before they were named).
    runs = [replication_table(seed=seed) for seed in range(20)]
    losing = [sum(rows[i]["lost"] > 0 for rows in runs) for i in range(6)]
    assert losing[0] == 20 and losing[1] >= 15 and losing[2:] == [0, 0, 0, 0], losing
    rows = runs[0]
    text = format_table(rows)
    assert text.splitlines()[0].split()[:2] == ["acks", "RF"]
    fig, summary = render_replication()
    assert summary.startswith("acknowledged") and len(fig.data) == 4


@pytest.mark.kafka
def test_real_topic_is_described_with_replicas_and_isr():
    from course_lib.kafka.live.replication import replicated_topic

    brokers, topic, partitions = replicated_topic(partitions=2)
    assert [p["partition"] for p in partitions] == [0, 1]
    for p in partitions:
        assert len(p["replicas"]) == min(3, brokers)
        assert p["leader"] in p["replicas"] and set(p["isr"]) <= set(p["replicas"])
