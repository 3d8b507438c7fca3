"""Where the replication model is known to part from Kafka 4.3, and which scenarios show it.

A disagreement between a live run and the model (:mod:`course_lib.kafka.live.failover.differential`)
is either one of these gaps, each found in a generated sweep, traced to its cause in a live
history or in Kafka's code, and named after the review that listed it
(``../shared/notes/reviews/kafka-2026-12.md``, M1-M6), or it is news: ``make bench`` prints it as
"not explained" and the CI test fails with the seed to replay. A gap is matched on the claim,
the side the live run took, and the scenario's settings, never on the counts, so a gap cannot
quietly swallow a disagreement of another kind.

Closing a gap in the model means deleting its entry here: the sweep then shows whether the
model now agrees. The first closed: the high watermark frozen below ``min.insync.replicas``
(M2's first half), which 6 of the first sweep's 20 disagreements were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from course_lib.kafka.models.failover import REPLICA_LAG_MAX_S, LiveScenario

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


def _fenced_followers_then_leader_dies(sc: LiveScenario) -> bool:
    """Followers out of the ISR while it was below the minimum, then the leader gone: the
    case KIP-966's eligible leader replicas (ELR) are for."""
    return (sc.failure == "stale_followers" and sc.freeze_time >= REPLICA_LAG_MAX_S
            and sc.min_insync_replicas >= 2 and not sc.unclean_leader_election)


def _acks0_leader_killed(sc: LiveScenario) -> bool:
    """An acks=0 producer whose leader's process is killed (with or without a freeze first)."""
    return sc.acks == "0" and sc.failure in ("kill_leader", "stale_followers")


def _followers_restarted_under_acks_all(sc: LiveScenario) -> bool:
    """Both followers killed and restarted while an acks=all producer waits for them."""
    return sc.acks == "all" and sc.down_time is not None and sc.failure == "two_followers_down"


_RESTART = "a restarted broker is a new JVM: it starts, registers, catches up and rejoins the " \
    "ISR seconds after the moment of its restart (live, 3 to 5 s on 2 cores); the model's " \
    "restart is instant. "

GAPS: tuple[Gap, ...] = (
    Gap("M2 eligible leader replicas (KIP-966)", "offline", False,
        "followers dropped from the ISR while it was below min.insync.replicas stay eligible "
        "leaders (ELR, Kafka 4.1+): when the last ISR member dies, the controller elects one of "
        "them cleanly as soon as the leader is fenced. The model has no ELR and waits offline "
        "for the old leader.",
        _fenced_followers_then_leader_dies),
    Gap("M3 a killed process refuses connections", "lost", False,
        "a SIGKILLed broker's port refuses connections at once, so kafka-python keeps its "
        "acks=0 batches, refreshes metadata and sends them to the new leader: few or none are "
        "lost. The model's crash is a silent machine: every acks=0 write sent to the dead "
        "leader until it is fenced is gone.",
        _acks0_leader_killed),
    Gap("M3 held batches expire", "rejected", True,
        "kafka-python holds the acks=0 batches for a leader whose connection is refused; when "
        "no new leader comes within delivery.timeout.ms they expire with KafkaTimeoutError, so "
        "the producer is told. The model's acks=0 producer never hears of a failure.",
        _acks0_leader_killed),
    Gap("M6 a controlled shutdown has a window", "lost", True,
        "during a controlled shutdown the old leader keeps answering until it applies the new "
        "leader epoch (live, leadership moved 0.2-0.3 s after SIGTERM): acks=0/1 writes it took "
        "in that window are not on the new leader. The model moves leadership at the instant "
        "of the shutdown.",
        lambda sc: sc.failure == "term_leader"),
    Gap("M6 no retried duplicates at a controlled shutdown", "duplicated", False,
        "the model moves leadership at the instant of the shutdown and answers every acks=all "
        "write then pending with NOT_LEADER, so a producer retrying without idempotence "
        "appends those already replicated twice. Live, the old leader went on completing "
        "requests through the 0.2-0.3 s window and the live history shows no NOT_LEADER at "
        "all at 100-200 writes/s.",
        lambda sc: sc.failure == "term_leader" and sc.acks == "all"
        and _retries_without_idempotence(sc)),
    Gap("M6 failed at the instant of a controlled shutdown", "indefinite", False,
        "the model fails every acks=all write pending at the instant of the shutdown with "
        "NOT_LEADER, though the followers already hold most of them: each is 'told failed, yet "
        "in the log'. Live, the old leader completes most requests within its window: the same "
        "generated scenario (seed 1029) gave 3 such writes in one run and 0 in the next.",
        lambda sc: sc.failure == "term_leader" and sc.acks == "all"),
    Gap("M1 acknowledged by a dead leader", "duplicated", True,
        "the model acknowledges a dead, not yet fenced leader's pending acks=all writes when "
        "the ISR shrinks; live they time out, and a producer retrying without idempotence "
        "appends them again.",
        lambda sc: sc.acks == "all" and _retries_without_idempotence(sc)
        and sc.failure in ("kill_leader", "stale_followers")),
    Gap("F1 followers trail by a fetch", "lost", False,
        "live followers keep a fetch open that returns as soon as the leader appends "
        "(replica.fetch.wait.max.ms), so they trail by about a millisecond: an acks=1 leader "
        "crash at a few hundred writes/s often loses nothing. The model's followers fetch every "
        "10-30 ms and lose what they had not fetched.",
        lambda sc: sc.acks == "1" and sc.failure in ("kill_leader", "stale_followers")),
    Gap("R1 a restart takes seconds", "rejected", True,
        _RESTART + "acks=all writes that waited for the restarted followers time out live.",
        _followers_restarted_under_acks_all),
    Gap("R1 timed-out writes landed", "indefinite", True,
        _RESTART + "The acks=all writes that timed out meanwhile had been appended by the "
        "leader and become readable once the followers catch up.",
        _followers_restarted_under_acks_all),
    Gap("R1 no duplicates before the delivery timeout", "duplicated", False,
        _RESTART + "In the model the followers are back before the retried writes expire, "
        "and the retries land twice; live the delivery timeout fails them first.",
        lambda sc: _followers_restarted_under_acks_all(sc) and _retries_without_idempotence(sc)),
)


def explain(sc: LiveScenario, claim: str, live_says: bool) -> Gap | None:
    """The known gap behind a disagreement on ``claim`` where the live run said ``live_says``."""
    return next((g for g in GAPS if g.claim == claim and g.live_says == live_says
                 and g.shows_in(sc)), None)
