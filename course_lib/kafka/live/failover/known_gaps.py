"""Where the replication model is known to part from Kafka 4.3, and which scenarios show it.

A disagreement between a live run and the model (:mod:`course_lib.kafka.live.failover.differential`)
is either one of these gaps, each found in a generated sweep, traced to its cause in a live
history or in Kafka's code, and named after the review that listed it
(``../shared/notes/reviews/kafka-2026-12.md``, M1-M6), or it is news: ``make bench`` prints it as
"not explained" and the CI test fails with the seed to replay. A gap is matched on the claim,
the side the live run took, and the scenario's settings, never on the counts, so a gap cannot
quietly swallow a disagreement of another kind.

Closing a gap in the model means deleting its entry here: the sweep then shows whether the
model now agrees. Closed so far, each after a live sweep showed it: the high watermark frozen
below ``min.insync.replicas`` (M2), eligible leader replicas (M2, KIP-966), the dead leader that
acknowledged nothing (M1) and the frozen follower's parked fetch, the killed process whose port
refuses connections (M3), the controlled shutdown's window (M6), the spurious shrink after an
election (M5), kafka-python's constant retry backoff and a JVM's restart time (R1). The requests
in flight (M4) too. What is left are timings that vary run to run by about what decides them,
and one habit of kafka-python's (K1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from course_lib.kafka.models.failover import SESSION_TIMEOUT_S, LiveScenario

__all__ = ["GAPS", "Gap", "explain"]


@dataclass(frozen=True)
class Gap:
    """One known difference: the claim it flips, which side the live run takes, why, and the
    scenarios where it can show."""

    name: str
    claim: str
    live_says: bool
    cause: str
    shows_in: Callable[[LiveScenario], bool]


def _retries_without_idempotence(sc: LiveScenario) -> bool:
    return sc.retries > 0 and not sc.idempotence


def _followers_restarted_under_acks_all(sc: LiveScenario) -> bool:
    """Both followers killed and restarted while an acks=all producer waits for them."""
    return sc.acks == "all" and sc.down_time is not None and sc.failure == "two_followers_down"


def _acks_all_retried_without_idempotence(sc: LiveScenario, failure: str) -> bool:
    return sc.failure == failure and sc.acks == "all" and _retries_without_idempotence(sc)


_RESTART = "a restarted broker is a new JVM: it rejoins the ISR 2.9 to 4.2 s after the restart " \
    "command (the lab's sweeps on 2 cores), the model's after the mean, JVM_START_S = 3.3 s; " \
    "whether the followers are back before a write's delivery.timeout.ms decides this claim, "
_RACE = "the followers are fenced 2.9-3.5 s after the kill (the model: 3.1 s), and the " \
    "requests that waited for them time out after request.timeout.ms and are retried 0.1 s " \
    "later: with a request timeout within half a second of the session timeout, whichever " \
    "comes first decides whether the retried writes are appended (and wait for the followers) " \
    "or refused with NOT_ENOUGH_REPLICAS, and spend their last retries."


def _retry_races_the_fencing(sc: LiveScenario) -> bool:
    return (sc.failure == "two_followers_down" and sc.acks == "all" and sc.retries < 1_000
            and abs(sc.request_timeout - SESSION_TIMEOUT_S) <= 0.5)


GAPS: tuple[Gap, ...] = (
    Gap("T1 a retry or the fencing first", "rejected", False, _RACE,
        _retry_races_the_fencing),
    Gap("T1 a retry or the fencing first (rejected)", "rejected", True, _RACE,
        _retry_races_the_fencing),
    Gap("T1 a retry or the fencing first (appended)", "indefinite", False, _RACE,
        _retry_races_the_fencing),
    Gap("T1 a retry or the fencing first (not appended)", "indefinite", True, _RACE,
        _retry_races_the_fencing),
    Gap("R1 a restart after the writes expired", "rejected", True,
        _RESTART + "live it came later than the writes' expiry.",
        _followers_restarted_under_acks_all),
    Gap("R1 a restart before the writes expired", "rejected", False,
        _RESTART + "live it came before the writes' expiry.",
        _followers_restarted_under_acks_all),
    Gap("R1 timed-out writes landed after a late restart", "indefinite", True,
        _RESTART + "the acks=all writes that timed out had been appended and became readable "
        "when the followers caught up; in the model they came back in time.",
        _followers_restarted_under_acks_all),
    Gap("R1 timed-out writes expired before the restart", "indefinite", False,
        _RESTART + "in the model the followers came back after the writes' expiry.",
        _followers_restarted_under_acks_all),
    Gap("R1 no duplicates before the delivery timeout", "duplicated", False,
        _RESTART + "in the model the followers are back before the retried writes expire, "
        "and the retries land twice; live the delivery timeout failed them first.",
        lambda sc: _followers_restarted_under_acks_all(sc) and _retries_without_idempotence(sc)),
    Gap("K1 kafka-python forgets acks=0 batches held for a killed leader", "rejected", True,
        "kafka-python keeps the acks=0 batches it could not send to the killed leader, but "
        "when no new record for the partition comes after the election, its sender never "
        "drains them to the new leader: they wait until delivery.timeout.ms expires them "
        "(seed 5024, replayed 3 times: 1,754-1,760 KafkaTimeoutErrors; the same run with "
        "acks=1 sent them all). The Java client sends them as soon as it learns the new "
        "leader, as the model does.",
        lambda sc: sc.acks == "0" and sc.leader_dies_at is not None
        and sc.failure != "term_leader"
        and sc.duration < sc.leader_dies_at + SESSION_TIMEOUT_S + 0.5),
    Gap("F1 the last fetch before a kill", "duplicated", False,
        "a killed leader's pending acks=all writes are retried on the new leader, and those it "
        "had already fetched (but not yet reported in its next fetch) land twice. A live "
        "follower keeps a fetch open and reports within a fraction of a millisecond; the "
        "model's polls every 2 ms (1-3 ms), so at 800 writes/s it finds a few such writes where "
        "live runs found none.",
        lambda sc: _acks_all_retried_without_idempotence(sc, "kill_leader")),
    Gap("F1 followers trail by a fetch", "lost", False,
        "live followers keep a fetch open that returns as soon as the leader appends "
        "(replica.fetch.wait.max.ms), so they trail by well under a millisecond; the model's "
        "followers poll every 2 ms and an acks=1 leader crash can lose what they had not "
        "fetched yet.",
        lambda sc: sc.acks == "1" and sc.failure in ("kill_leader", "stale_followers")),
    Gap("F1 the new leader's watermark, a fetch behind", "lost", False,
        "a follower learns the high watermark from its fetches, so a new leader starts from "
        "the one its last fetch brought; with min.insync.replicas=3 the shrunken ISR then "
        "freezes it there, and acks=all writes acknowledged in the old leader's last moments "
        "are unreadable. Live a follower's fetch returns on every append, so it is well under a "
        "millisecond behind and the live runs usually read everything (seed 1011 lost 2, "
        "seed 5021 none); the model's 2 ms polls leave a few writes above it.",
        lambda sc: sc.acks == "all" and sc.min_insync_replicas == 3
        and sc.failure in ("kill_leader", "term_leader", "stale_followers")),
    Gap("M6 the old leader's last answers", "duplicated", False,
        "at a controlled shutdown the model fails every acks=all write still pending on the "
        "old leader with NOT_LEADER_OR_FOLLOWER, and a producer retrying without idempotence "
        "appends again those the new leader had fetched. Live, the old leader had completed "
        "nearly all of them before it applied the change: 0 duplicates at 200-800 writes/s, "
        "4 in one run at 200/s.",
        lambda sc: _acks_all_retried_without_idempotence(sc, "term_leader")),
    Gap("M6 failed yet replicated at a controlled shutdown", "indefinite", False,
        "the model fails the acks=all writes pending on the old leader when leadership moves, "
        "though the new leader had fetched some of them: each is 'told failed, yet in the "
        "log'. Live, the old leader completed them within its window: the same generated "
        "scenario (seed 1029) gave 3 such writes in one run and 0 in the next.",
        lambda sc: sc.failure == "term_leader" and sc.acks == "all"),
)


def explain(sc: LiveScenario, claim: str, live_says: bool) -> Gap | None:
    """The known gap behind a disagreement on ``claim`` where the live run said ``live_says``."""
    return next((g for g in GAPS if g.claim == claim and g.live_says == live_says
                 and g.shows_in(sc)), None)
