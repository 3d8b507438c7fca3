"""Frozen followers (``freeze_time``) and the one case where unclean leader election matters.

Lesson 05b's dashboard has an "unclean election" switch. Broker failures alone never make it
matter: each crash leaves a live in-sync follower to elect cleanly, and after the last one no
broker is alive at all, so there is never an out-of-sync replica to elect. Freezing the followers
for longer than ``session_timeout`` before the leader dies gets them fenced (the ISR shrinks to
the leader alone) while they still live: then the switch trades acknowledged records (on) for
an offline partition (off). These tests pin both halves, with the reason, on the dashboard's own
scenario (lesson 05's: 100 writes/s for 60 s, failures every 15 s from 20 s, Kafka's timers).
"""

from __future__ import annotations

import itertools

import pytest

from course_lib.kafka.models.replication import (
    SHUTDOWN_MOVE_S,
    SHUTDOWN_STALE_S,
    THAW_DELAY,
    ReplicationScenario,
)
from course_lib.kafka.models.replication_engine import simulate, simulate_replication
from course_lib.kafka.models.replication_leader import EXPIRED
from course_lib.kafka.views.replication import render_replication

# the dashboard's settings where min ISR means something: acks x min ISR x failures x kind
SETTINGS = [("1", 1), ("all", 1), ("all", 2)]
KINDS = ("crash", "controlled")


def both(acks, min_isr, failures, **options):
    """(unclean off, unclean on) for one dashboard setting."""
    return tuple(simulate_replication(acks, 3, min_isr, failures, unclean_leader_election=u,
                                      **options) for u in (False, True))


def kinds(result):
    return {e["kind"] for e in result.events}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("acks", "min_isr"), SETTINGS)
@pytest.mark.parametrize("failures", [0, 1, 2, 3])
def test_without_a_freeze_the_switch_changes_nothing_because_no_stale_replica_lives(
        acks, min_isr, failures, kind):
    off, on = both(acks, min_isr, failures, failure_kind=kind)
    assert off.summary() == on.summary() and off.events == on.events
    # the reason: whenever the leader is fenced, a live ISR member exists, or no broker lives
    assert "unclean_leader_elected" not in kinds(on)
    for e in on.events:
        if e["kind"] == "offline":
            assert not [t for t in on.timeline if t["at"] >= e["at"] and t["leader_alive"]]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("acks", "min_isr"), [("1", 1), ("all", 1)])
@pytest.mark.parametrize("failures", [1, 2])
def test_a_long_freeze_makes_unclean_election_trade_records_for_availability(
        acks, min_isr, failures, kind):
    off, on = both(acks, min_isr, failures, failure_kind=kind, freeze_time=12)
    s = on.scenario
    start, _ = s.freeze_window
    # off: the ISR was the leader alone when it died, so the partition waits offline for it
    # (it never returns here): nothing lost, everything acknowledged is unavailable
    assert "offline" in kinds(off) and "unclean_leader_elected" not in kinds(off)
    assert off.lost == 0 and off.unavailable == off.acknowledged > 0
    assert off.reasons()[EXPIRED] > 1000  # held by the producer for a leader that never came
    # on: a stale follower leads, writes flow again, and what only the leader had is lost:
    # records acknowledged between the freeze and the leader's death (a second crash, of the
    # new leader, adds acks=1's usual few: what its follower had not fetched yet)
    assert "unclean_leader_elected" in kinds(on)
    assert on.lost > 1000 and on.acknowledged > off.acknowledged and on.rejected < off.rejected
    lost = [w["sent_at"] for w in on.writes if w["fate"] == "lost"]
    assert min(lost) >= start - 1.5 * s.fetch_interval
    assert sum(t < s.first_failure_at for t in lost) > 0.9 * on.lost
    if failures == 1:  # a controlled shutdown's old leader takes writes in its window too
        window = SHUTDOWN_MOVE_S + SHUTDOWN_STALE_S if kind == "controlled" else 0.0
        assert max(lost) < s.first_failure_at + window


@pytest.mark.parametrize("kind", KINDS)
def test_with_min_isr_2_an_eligible_replica_leads_so_the_switch_changes_nothing(kind):
    """The second follower fenced took the ISR below 2, so it joined the eligible leader
    replicas (KIP-966) with every record below the frozen watermark; the leader refused
    acks=all writes from then on. When the leader dies that follower leads cleanly at the
    fencing, with nothing lost, and unclean election has nothing left to decide."""
    off, on = both("all", 2, 1, failure_kind=kind, freeze_time=12)
    assert off.summary() == on.summary() and off.lost == 0
    elected = [e for e in off.events if e["kind"] == "leader_elected"]
    assert elected and "eligible leader replicas" in elected[0]["detail"]
    assert "unclean_leader_elected" not in kinds(on)
    # offline at most between a controlled shutdown's move and the thaw just after it
    assert all(t["leader"] is not None for t in off.timeline if t["at"] >= 21.0)


@pytest.mark.parametrize(("acks", "min_isr"), SETTINGS)
def test_a_long_freeze_without_a_leader_failure_changes_nothing_either(acks, min_isr):
    off, on = both(acks, min_isr, 0, freeze_time=12)
    assert off.summary() == on.summary()
    assert "isr_shrink" in kinds(on) and "isr_expand" in kinds(on)  # fenced, thawed, caught up


@pytest.mark.parametrize(("acks", "min_isr"), SETTINGS)
def test_a_freeze_shorter_than_the_session_keeps_followers_in_the_isr_so_elections_are_clean(
        acks, min_isr):
    off, on = both(acks, min_isr, 1, freeze_time=5)
    assert off.summary() == on.summary()
    assert "isr_shrink" not in {e["kind"] for e in on.events if e["at"] < 20.0}
    assert "leader_elected" in kinds(on)


def test_the_dashboard_text_differs_exactly_where_the_model_says():
    """render_replication (the dashboard's render) over its knobs: with a 12 s freeze and min
    ISR 1 the switch changes the text whenever a leader fails; with none, never; with min ISR
    2 never either, since an eligible leader replica (KIP-966) leads cleanly."""
    changed = {}
    for acks, m, f, freeze in itertools.product(("1", "all"), (1, 2), (0, 1, 2), (0, 12)):
        off, on = (render_replication(acks=acks, min_insync_replicas=m, broker_failures=f,
                                      freeze_time=freeze, unclean_leader_election=u)[1]
                   for u in (False, True))
        changed[acks, m, f, freeze] = off != on
    assert {k for k, v in changed.items() if v} == {
        (a, 1, f, 12) for a in ("1", "all") for f in (1, 2)}


def test_a_freeze_fences_after_the_session_timeout_and_thaws_after_the_first_failure():
    r = simulate(ReplicationScenario(acks="1", broker_failures=1, freeze_time=12))
    events = [(e["at"], e["kind"]) for e in r.events]
    assert events[:4] == [(8.0, "freeze"), (8.0, "freeze"), (17.0, "isr_shrink"),
                          (17.0, "isr_shrink")]
    assert (20.0 + THAW_DELAY, "thaw") in events


@pytest.mark.parametrize("value", [-1.0, 20.5, float("nan")])
def test_freeze_time_must_end_by_the_first_failure(value):
    with pytest.raises(ValueError, match="freeze_time must be"):
        ReplicationScenario(freeze_time=value)
