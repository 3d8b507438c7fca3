"""The replication model against Kafka 3.x/4.x: the failure table of
``shared/notes/failover-semantics.md`` row by row, the producer's retries and idempotence,
unclean leader election, controlled shutdown and broker recovery.

As in ``test_replication.py`` the assertions are mechanisms ("lost > 0 where Kafka documents
loss, == 0 where it guarantees none", bounds that follow from the protocol), never tuned counts.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.kafka.models.replication import (
    METADATA_REFRESH_S,
    SHUTDOWN_MOVE_S,
    SHUTDOWN_STALE_S,
    ReplicationScenario,
)
from course_lib.kafka.models.replication_engine import (
    replication_table,
    simulate,
    simulate_replication,
)
from course_lib.kafka.views.replication import format_table, render_replication

SEEDS = (0, 1, 2)
# RF 3, min ISR 1: both followers crash (10 s, 12 s), so the ISR shrinks to the leader, which
# crashes at 30 s; every broker restarts 25 s after its crash (the followers first)
SHRUNK = {"broker_failures": [(1, 10.0), (2, 12.0), (0, 30.0)], "down_time": 25.0}


def at(result, kind):
    return [e["at"] for e in result.events if e["kind"] == kind]


# -- the failure table ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_row_acks0_leader_dies_loss_is_silent_and_retries_cannot_help(seed):
    plain = simulate_replication(0, 3, 1, 1, seed=seed)
    retrying = simulate_replication(0, 3, 1, 1, seed=seed, retries=5)
    for r in (plain, retrying):
        assert r.rejected == 0 and r.lost > 0  # the producer never hears of a problem
        assert all(w["attempts"] == 1 for w in r.writes)  # so it never retries
    assert plain.summary()["lost"] == retrying.summary()["lost"]


@pytest.mark.parametrize("seed", SEEDS)
def test_row_acks1_leader_dies_loses_unreplicated_writes_and_the_old_leader_truncates(seed):
    r = simulate_replication(1, 3, 1, 1, seed=seed, fetch_interval=0.5, down_time=15.0)
    s, crash = r.scenario, at(r, "crash")[0]
    lost = [w for w in r.writes if w["fate"] == "lost"]
    assert lost  # acknowledged by the leader only, never fetched by the new leader
    assert all(crash - 1.5 * s.fetch_interval - 2 * s.network_delay <= w["sent_at"] < crash
               for w in lost)
    # the old leader came back and rejoined the ISR: it cut its tail to the new leader's log
    assert at(r, "restart") == [crash + 15.0]
    assert any("broker 0 caught up" in e["detail"] for e in r.events if e["at"] > crash + 15)
    assert r.timeline[-1]["isr_size"] == 3


def test_row_acks1_expected_loss_is_write_rate_times_replication_lag():
    """The table's "expected loss ≈ produce rate × replication lag", derived: the new leader
    (broker 1) lacks what arrived since its last fetch. Fetch gaps are X ~ U(0.5, 1.5)·f, so the
    time since the last fetch at a random instant has mean E[X²]/(2·E[X]) = (13/24)·f, and
    the expected loss is rate·(13/24)·f ≈ 27 for 100 writes/s and f = 0.5 s. One run's loss
    has sd ≈ √(27 + 100²·Var) ≈ 16-17, so the mean of 30 runs is within ±4·3.1 of 27."""
    rate, f = 100.0, 0.5
    lost = [simulate_replication(1, 3, 1, 1, seed=s, fetch_interval=f).lost for s in range(30)]
    expected = rate * 13 / 24 * f
    assert abs(sum(lost) / len(lost) - expected) < 4 * 17 / 30 ** 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_row_isr_shrunk_to_leader_unclean_disabled_waits_offline_and_loses_nothing(seed):
    r = simulate_replication("all", 3, 1, seed=seed, **SHRUNK)
    assert r.lost == 0
    offline = at(r, "offline")[0]
    elected = [e for e in r.events if e["kind"] == "leader_elected"][-1]
    back = elected["at"]
    assert offline == 30.0 + r.scenario.session_timeout  # the leader was fenced...
    assert back == 55.0  # ...and only the last ISR member, returning, may lead
    assert elected["detail"].startswith("broker 0 becomes leader")
    assert "unclean_leader_elected" not in {e["kind"] for e in r.events}
    # the stale followers restarted at 35 s and 37 s but could not lead
    assert all(not t["leader_alive"] for t in r.timeline if offline <= t["at"] < back)
    # the producer held the writes sent meanwhile, and sent them when the leader returned
    waited = [w for w in r.writes if offline + 0.1 <= w["sent_at"] < back]
    assert waited and all(w["outcome"] == "acknowledged" and w["decided_at"] >= back
                          for w in waited)


def test_row_isr_shrunk_to_leader_without_restart_stays_unavailable_not_lost():
    r = simulate_replication("all", 3, 1, broker_failures=SHRUNK["broker_failures"], seed=0)
    assert r.lost == 0 and r.unavailable == r.acknowledged > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_row_isr_shrunk_to_leader_unclean_enabled_loses_what_only_the_old_leader_had(seed):
    r = simulate_replication("all", 3, 1, seed=seed, unclean_leader_election=True, **SHRUNK)
    assert r.lost > 0
    s = r.scenario
    # broker 1 is back at 35 s; it leads, out of sync, once the controller fences the leader
    assert at(r, "unclean_leader_elected") == [30.0 + s.session_timeout]
    # lost writes were acknowledged after broker 1 stopped fetching and before the leader died
    assert all(10.0 - 1.5 * s.fetch_interval - 2 * s.network_delay <= w["sent_at"] < 30.0
               for w in r.writes if w["fate"] == "lost")
    # availability bought with data: the writes sent after the election are acknowledged at
    # once, where with unclean election disabled they wait for the old leader's return
    soon = [w for w in r.writes if 30.0 + s.session_timeout + 1 <= w["sent_at"] < 50.0]
    assert soon and all(w["decided_at"] - w["sent_at"] < 1.0 for w in soon)


@pytest.mark.parametrize("kind", ["crash", "controlled"])
@pytest.mark.parametrize("broker", [0, 1, 2])
def test_row_rf3_min_isr2_any_one_broker_loses_nothing_and_writes_continue(broker, kind):
    r = simulate_replication(-1, 3, 2, [(broker, 20.0)], seed=broker, failure_kind=kind)
    assert r.lost == 0 and r.unavailable == 0
    assert "NOT_ENOUGH_REPLICAS" not in r.reasons()
    after = [w for w in r.writes if w["sent_at"] > 20.0 + r.scenario.session_timeout + 1]
    assert after and all(w["outcome"] == "acknowledged" for w in after)


@pytest.mark.parametrize("acks", ["all", -1, "-1"])
def test_row_rf3_min_isr2_two_brokers_reject_writes_lose_nothing_reads_go_on(acks):
    r = simulate_replication(acks, 3, 2, 2, seed=5)
    assert r.lost == 0 and r.reasons()["NOT_ENOUGH_REPLICAS"] > 0
    assert r.reads_served_after_last_failure > 0
    # with the default producer (retries, idempotence) still nothing is lost; the retries
    # only delay the NOT_ENOUGH_REPLICAS verdict by delivery_timeout
    k = simulate_replication(acks, 3, 2, 2, seed=5, retries=10, idempotence=True,
                             delivery_timeout=40.0)
    assert k.lost == 0 and k.duplicates == 0 and k.reasons()["NOT_ENOUGH_REPLICAS"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_row_lost_acknowledgement_retried_without_idempotence_is_duplicated(seed):
    r = simulate_replication(1, 3, 1, 0, seed=seed, retries=3, lost_ack_rate=0.02)
    assert r.duplicates > 0 and r.lost == 0
    # with no broker failure, every retry was caused by a lost answer, and appended again
    assert all(w["copies"] == w["attempts"] for w in r.writes)
    assert r.duplicates == sum(w["attempts"] - 1 for w in r.writes)
    assert r.summary()["duplicates"] == r.duplicates


@pytest.mark.parametrize("seed", SEEDS)
def test_row_lost_acknowledgement_with_idempotence_is_not_duplicated(seed):
    r = simulate_replication("all", 3, 2, 0, seed=seed, retries=3, lost_ack_rate=0.02,
                             idempotence=True)
    assert any(w["attempts"] > 1 for w in r.writes)  # the retries happened...
    assert r.duplicates == 0 and all(w["copies"] == 1 for w in r.writes)  # ...and were dropped
    assert r.acknowledged == len(r.writes)


def test_leader_failover_retries_duplicate_unless_idempotent():
    """Writes pending when the leader dies fail with NOT_LEADER; some had already reached the
    new leader, so a plain retry appends them twice. The idempotent producer rides through."""
    plain = [simulate_replication("all", 3, 2, 1, seed=s, retries=5) for s in range(6)]
    idem = [simulate_replication("all", 3, 2, 1, seed=s, retries=5, idempotence=True)
            for s in range(6)]
    assert sum(r.duplicates for r in plain) > 0
    assert all(r.duplicates == 0 and r.lost == 0 and r.rejected == 0 for r in idem)


# -- the new knobs -------------------------------------------------------------------------------

def test_acks_spellings_are_equivalent():
    for spellings in ([0, "0"], [1, "1"], ["all", "ALL", -1, "-1"]):
        runs = [simulate_replication(a, 3, 2, 1, seed=3) for a in spellings]
        assert all(r.writes == runs[0].writes and r.summary() == runs[0].summary()
                   for r in runs)
    assert ReplicationScenario(acks=-1).acks == "all"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"idempotence": True, "retries": 3, "acks": 1},
     r"idempotence requires acks='all' \(got acks='1'\)"),
    ({"idempotence": True}, r"idempotence requires retries > 0 \(got retries=0\)"),
    ({"idempotence": "yes", "retries": 1}, r"idempotence must be True or False \(got 'yes'\)"),
    ({"delivery_timeout": 10.0},
     r"delivery_timeout must be a finite number >= request_timeout=30 \(got 10.0\)"),
    ({"lost_ack_rate": 1.0}, r"lost_ack_rate must be in \[0, 1\) \(got 1.0\)"),
    ({"down_time": 0}, r"down_time must be a finite number > 0 \(got 0\)"),
    ({"failure_kind": "sigstop"}, r"failure_kind must be one of crash, kill, controlled"),
    ({"broker_failures": 1.5}, r"broker_failures must be a count or \(broker, at\) pairs"),
    ({"broker_failures": [(1,)]}, r"broker_failures\[0\] must be a \(broker, at\) pair"),
])
def test_new_knobs_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReplicationScenario(**kwargs)


@pytest.mark.parametrize("seed", SEEDS)
def test_controlled_shutdown_moves_the_leader_within_its_window_a_crash_leaves_a_gap(seed):
    crash = simulate_replication("all", 3, 2, 1, seed=seed)
    clean = simulate_replication("all", 3, 2, 1, seed=seed, failure_kind="controlled")
    assert at(clean, "controlled_shutdown") == [20.0]
    assert at(clean, "leader_elected") == [20.0 + SHUTDOWN_MOVE_S]
    assert at(crash, "leader_elected") == [20.0 + crash.scenario.session_timeout]
    assert "REQUEST_TIMED_OUT (leader down)" not in clean.reasons()
    assert crash.reasons()["REQUEST_TIMED_OUT (leader down)"] > 0
    # only the writes in flight at the handover fail, or sent before the client's metadata
    # names the new leader (a retrying producer would resend them)
    assert set(clean.reasons()) <= {"NOT_LEADER (leader changed before ack)",
                                    "NOT_LEADER_OR_FOLLOWER"}
    assert clean.rejected < crash.rejected / 10 and clean.lost == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_a_killed_process_keeps_acks0_writes_a_vanished_host_loses_them(seed):
    vanished = simulate_replication(0, 3, 1, 1, seed=seed)
    killed = simulate_replication(0, 3, 1, 1, seed=seed, failure_kind="kill")
    # a vanished host takes the 9 s before the fencing; a killed one only what was in the
    # dead connection and not yet fetched
    assert vanished.lost > 10 * max(killed.lost, 1)
    one = simulate_replication(1, 3, 1, 1, seed=seed, failure_kind="kill")
    assert one.rejected <= 0.01 * one.acknowledged  # held, then sent to the new leader


@pytest.mark.parametrize("seed", SEEDS)
def test_a_controlled_shutdown_under_load_loses_acks1_writes_of_its_window(seed):
    r = simulate_replication(1, 3, 1, 1, seed=seed, failure_kind="controlled",
                             produce_rate=1000, duration=40.0)
    window = 1000 * (SHUTDOWN_STALE_S + METADATA_REFRESH_S)
    assert r.lost >= 0.5 * 1000 * SHUTDOWN_STALE_S and r.rejected <= 1.5 * window
    assert set(r.reasons()) == {"NOT_LEADER_OR_FOLLOWER"}


def test_eligible_leader_replicas_lead_cleanly_below_min_isr():
    """acks=1, min ISR 2, followers frozen past the session timeout, then the leader dies:
    the follower that took the ISR below the minimum is eligible and leads at the fencing."""
    r = simulate_replication(1, 3, 2, 1, seed=3, freeze_time=12, failure_kind="kill")
    elected = [e for e in r.events if e["kind"] == "leader_elected"]
    assert elected and "eligible leader replicas" in elected[0]["detail"]
    assert elected[0]["at"] == 20.0 + r.scenario.session_timeout
    assert not any(e["kind"] == "offline" for e in r.events)
    assert r.lost > 0.5 * 100 * 12  # acknowledged above the frozen watermark


def test_broker_recovery_ends_not_enough_replicas():
    down = simulate_replication("all", 3, 2, 2, seed=1)
    back = simulate_replication("all", 3, 2, 2, seed=1, down_time=30.0)
    assert at(back, "restart") == [50.0, 65.0]  # crashes at 20 s and 35 s, each back 30 s later
    expand = [e["at"] for e in back.events if e["kind"] == "isr_expand"]
    assert expand and 50.0 < expand[0] < 52.0  # caught up within a few fetches
    late = [w for w in back.writes if w["sent_at"] > expand[0]]
    assert late and all(w["outcome"] == "acknowledged" for w in late)
    assert back.rejected < down.rejected and back.lost == 0


def test_restart_before_the_controller_noticed_fences_the_old_incarnation_first():
    r = simulate_replication("all", 3, 2, 1, seed=0, down_time=2.0)
    assert at(r, "crash") == [20.0] and at(r, "leader_elected") == [22.0]
    assert at(r, "restart") == [22.0] and r.lost == 0


def test_retries_extend_the_run_to_the_delivery_timeout_but_not_the_read_samples():
    base = simulate_replication("all", 3, 2, 2, seed=2)
    retried = simulate_replication("all", 3, 2, 2, seed=2, retries=100, delivery_timeout=50.0)
    assert len(retried.timeline) == len(base.timeline)
    assert max(w["decided_at"] for w in retried.writes) > max(w["decided_at"]
                                                               for w in base.writes)
    assert all(w["decided_at"] - w["sent_at"] <= 50.0 + retried.scenario.request_timeout
               for w in retried.writes)


def test_views_show_duplicates_only_for_retrying_producers():
    plain = format_table(replication_table(seed=0))
    assert "duplicates" not in plain  # lesson 05's table is unchanged
    rows = replication_table([(1, 3, 1, 1)], seed=0, retries=3, lost_ack_rate=0.01)
    assert "duplicates" in format_table(rows).splitlines()[0]
    fig, text = render_replication(acks="all", retries=3, idempotence=True, lost_ack_rate=0.01)
    assert "duplicates 0" in text and len(fig.data) == 4


# -- the guarantee, as a property ------------------------------------------------------------

failures = st.one_of(
    st.integers(0, 3),
    st.lists(st.tuples(st.integers(0, 2), st.floats(0, 29.0)), min_size=1, max_size=3))


@st.composite
def scenarios(draw):
    rf = draw(st.integers(1, 3))
    retries = draw(st.integers(0, 3))
    return ReplicationScenario(
        acks="all", replication_factor=rf, min_insync_replicas=draw(st.integers(1, rf)),
        broker_failures=draw(failures), produce_rate=50.0, duration=30.0,
        first_failure_at=draw(st.floats(0, 20)), failure_gap_time=draw(st.floats(0, 10)),
        fetch_interval=draw(st.floats(0.05, 2.0)),
        replica_lag_time_max=draw(st.floats(0.5, 30.0)),
        session_timeout=draw(st.floats(0.5, 9.0)), request_timeout=5.0,
        retries=retries, idempotence=retries > 0 and draw(st.booleans()),
        delivery_timeout=15.0, lost_ack_rate=draw(st.sampled_from([0.0, 0.01])),
        unclean_leader_election=draw(st.booleans()),
        failure_kind=draw(st.sampled_from(["crash", "controlled"])),
        down_time=draw(st.one_of(st.none(), st.floats(1.0, 20.0))),
        seed=draw(st.integers(0, 10_000)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(scenarios())
def test_acks_all_never_loses_an_acknowledged_write_without_an_unclean_election(scenario):
    """An acks=all write is acknowledged only once every ISR member has it, with at least
    min.insync.replicas of them; a clean election only picks an ISR member. So whatever fails,
    restarts or retries, losing it takes an unclean election."""
    r = simulate(scenario)
    unclean = "unclean_leader_elected" in {e["kind"] for e in r.events}
    if not unclean:
        assert r.lost == 0, r.events
    assert r.acknowledged + r.rejected == len(r.writes)
    assert r.lost + r.unavailable <= r.acknowledged
    if scenario.idempotence or scenario.retries == 0:
        assert r.duplicates == 0
