"""Use case 4, a distributed fault-tolerant log: a simpy model of one partition on 3 brokers.

The description (:class:`ReplicationScenario`) and its result (:class:`ReplicationResult`); the
engine is :mod:`course_lib.kafka.models.replication_engine`, the views
:mod:`course_lib.kafka.views.replication`. The rules follow Apache Kafka 3.x/4.x:

* A partition has ``replication_factor`` replicas on different brokers. The **leader** takes all
  writes; **followers** fetch from it every ``fetch_interval`` (that delay is replication lag).
* The **ISR** (in-sync replicas) are the replicas that are caught up. A follower that has not
  caught up for ``replica_lag_time_max`` (``replica.lag.time.max.ms``, 30 s) leaves it; a broker
  that stops heartbeating is fenced by the controller after ``session_timeout``
  (``broker.session.timeout.ms``, 9 s) and leaves every ISR at once — except the last member,
  which stays (KRaft keeps it so that only it can later lead cleanly). A follower that catches up
  again rejoins the ISR (``isr_expand``).
* The **high watermark** (HW) is the offset every ISR member has; consumers read up to it. It
  advances only while the ISR has at least ``min_insync_replicas`` members (every release since
  3.7, KAFKA-15583): below that it stays put, and what the leader appends above it (``acks``
  0/1 writes, acknowledged all the same) is invisible to consumers until the ISR recovers; a
  run that ends so counts them **lost** (unreadable), as a live read-back finds them. A new
  leader starts from its own HW, the one its last fetch brought, a fetch behind the old
  leader's: with the ISR then below the minimum it stays there, and even ``acks=all`` writes
  acknowledged just before the change are unreadable.
* Producer ``acks`` (Kafka's spellings ``0``, ``1``, ``"all"``, ``-1`` are all accepted):
  ``0`` — fire and forget, the producer counts every send as done; ``1`` — the leader
  acknowledges once it has appended; ``all`` — once the HW passes the write. With ``acks=all``
  the leader refuses a write when the ISR is smaller than ``min_insync_replicas``
  (``NOT_ENOUGH_REPLICAS``); a pending one waits, since the frozen HW cannot pass it, until
  the ISR recovers or its request times out (``NOT_ENOUGH_REPLICAS_AFTER_APPEND`` only for a
  write the HW had passed when the ISR was found short). Reads go on regardless.
* ``retries``: a failed request is sent again after ``retry_backoff``, doubled per attempt up to
  ``retry_backoff_max`` (the Java client since 3.7, KIP-580; kafka-python keeps it constant:
  ``retry_backoff_max = retry_backoff``), while less than
  ``delivery_timeout`` has passed since the first send. A retry of a write whose
  acknowledgement was lost (``lost_ack_rate``, or a leader change before the ack) appends it
  **again** — a duplicate — unless ``idempotence`` is on: then the leader recognises the producer
  id and sequence number of a record already in its log and acknowledges it without appending.
  As in Kafka, idempotence needs ``acks="all"`` and ``retries > 0``. (Kafka's defaults since 3.0
  are ``acks=all``, retries without limit and idempotence on; this model's defaults, no retries
  and no idempotence, keep lesson 05's original producer.)
* When the leader's broker is fenced, the controller elects the first replica (in assignment
  order) that is alive and in the ISR (clean election). With none, the partition goes *offline*
  until an ISR member returns — or, with ``unclean_leader_election``
  (``unclean.leader.election.enable``), the first live out-of-sync replica leads at once (also a
  restarted one): the partition is available again and acknowledged writes that only the old
  leader had are **lost**. The new leader's log is the truth: the others cut what goes beyond it.
  (As Kafka's controller does: it runs the unclean election in the same step as fencing the
  dead leader; ``unclean.leader.election.interval.ms`` only paces a retry for partitions still
  leaderless.)
* ``failure_kind`` says how a broker stops, as Kafka and its clients see it:
  ``"crash"``, a host that vanished or a cut link: nothing answers, requests to it time out
  (``request_timeout``) until the controller fences it, and ``acks=0`` sends to it vanish;
  ``"kill"``, a killed process (SIGKILL) on a live host: its port refuses connections at once,
  so requests in flight fail with a connection error and the client *keeps* every batch for it
  in its accumulator until a new leader is known (or ``delivery_timeout`` expires them): only
  what it wrote into the dead connection in the first ``KILL_NOTICE_S`` is lost with ``acks=0``;
  ``"controlled"`` (SIGTERM), a controlled shutdown: the broker asks the controller to move its
  leaderships (``SHUTDOWN_MOVE_S`` later the new leader takes over), but the old leader applies
  the change a moment after its follower did (``SHUTDOWN_STALE_S``): ``acks`` 0/1 writes it
  takes then are acknowledged and lost, ``acks=all`` ones fail with ``NOT_LEADER_OR_FOLLOWER``,
  and so does every send until the client's metadata names the new leader
  (``METADATA_REFRESH_S``). A partition without a live leader keeps the producer's batches
  waiting the same way (as the Java and Python clients do), until one is elected or they expire.
  ``down_time``: each stopped broker starts again that long after it stopped (with its log,
  fenced first if the controller had not yet noticed), fetches and rejoins the ISR.
* A dead leader answers nothing: its pending ``acks=all`` writes time out (or, killed, fail at
  once); an ISR shrink does not acknowledge them. A new leader counts its in-sync followers as
  caught up from the moment it takes over (Kafka's ``resetReplicaState``), so an election does
  not shrink the ISR by itself.
* **Eligible leader replicas** (ELR, KIP-966, on for new clusters since Kafka 4.1): a replica
  that leaves the ISR while it is (or thereby falls) below ``min_insync_replicas`` holds every
  record below the frozen high watermark, so it stays *eligible* to lead cleanly. When no ISR
  member is alive, the controller elects a live ELR member before it considers an unclean
  election; a broker that restarts after a crash or kill leaves the ELR (it may have lost
  unflushed records), a thawed one does not, and the ELR empties when the ISR is back at the
  minimum.
* ``freeze_time`` (lesson 05b's stale followers): every follower of the first leader freezes
  (SIGSTOP: no fetches, no heartbeats) that long before the first failure and thaws just after
  it (``THAW_DELAY``). A freeze longer than ``session_timeout`` gets them fenced, so the ISR
  shrinks to the leader alone *while stale replicas live*: the one case where
  ``unclean_leader_election`` decides the outcome (without a freeze, broker failures end the ISR
  on a live member, or on no live broker at all, and the switch changes nothing). A shorter
  freeze leaves them in the ISR, behind: a clean election then loses ``acks`` 0/1 writes.

* ``max_in_flight`` (``max.in.flight.requests.per.connection``, 5 in Kafka): at most that many
  ``acks=all`` requests wait for an answer; what is produced meanwhile waits in the producer's
  accumulator and goes, a batch per request, when one is answered
  (:mod:`~course_lib.kafka.models.replication_inflight`): only the writes in flight are
  appended, time out and spend retries. ``None`` (this model's default, lesson 05's producer)
  sends every write at once.

Where the model stops: one partition; no preferred-leader re-election after a restart;
followers that fetch every ``fetch_interval``
(live ones keep a fetch open that returns on the next append). Measured on Kafka 4.3.2 (lesson
05b): fencing the last ISR member leaves the ISR *empty* and that broker in the ELR, where this
model keeps it in the ISR; both mean "only it may lead cleanly", so the outcome is the same.
The generated live scenarios where the model and the cluster still part are listed, with
their causes, in :mod:`course_lib.kafka.live.failover.known_gaps`.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from course_lib.core.tallies import tally_count
from course_lib.core.validate import (
    FieldTypeError,
    description,
    flag,
    indexed,
    integer,
    number,
    one_of,
)

__all__ = ["ACKS", "FAILURE_KINDS", "KILL_NOTICE_S", "MAX_WRITES", "METADATA_REFRESH_S",
           "SHUTDOWN_MOVE_S", "SHUTDOWN_STALE_S", "THAW_DELAY", "ReplicationResult",
           "ReplicationScenario", "canonical_acks", "scenario_from"]

ACKS = ("0", "1", "all")  # canonical spellings; -1 and "-1" mean "all"
FAILURE_KINDS = ("crash", "kill", "controlled")
MAX_WRITES = 1_000_000  # produce_rate × duration above this would take minutes, not seconds
#: Frozen followers thaw this long after the first failure (the lab's SIGCONT right after the kill).
THAW_DELAY = 0.05
#: A killed leader: the client writes into the dead connection this long before the reset
#: reaches it (acks=0 sends in that moment are gone; later ones wait in its accumulator).
KILL_NOTICE_S = 0.02
#: A controlled shutdown: from SIGTERM to the new leader taking over (live, 0.2-0.3 s) ...
SHUTDOWN_MOVE_S = 0.25
#: ... and how much later the old leader applies the change (it takes writes until then).
SHUTDOWN_STALE_S = 0.05
#: How long after an election, or the old leader's "not the leader", the client's metadata
#: names the new leader (a refresh; retries sent before then fail or wait).
METADATA_REFRESH_S = 0.05
_ACKS_SPELLINGS: dict[Any, str] = {"0": "0", "1": "1", "all": "all", "-1": "all",
                                    0: "0", 1: "1", -1: "all"}


def canonical_acks(acks: Any) -> str:
    """``"0"``, ``"1"`` or ``"all"`` for any of Kafka's spellings, else a clear error."""
    key = acks.lower() if isinstance(acks, str) else acks
    one_of("acks", key, tuple(_ACKS_SPELLINGS), shown="one of 0, 1, 'all', -1")
    return _ACKS_SPELLINGS[key]


@description
@dataclass(frozen=True)
class ReplicationScenario:
    """One partition, its producer and the broker failures (times in seconds)."""

    acks: str | int = "all"
    replication_factor: int = 3
    min_insync_replicas: int = 1
    broker_failures: int | Sequence[tuple[int, float]] = 1  # a tuple of pairs once built
    brokers: int = 3
    produce_rate: float = 100.0
    duration: float = 60.0
    first_failure_at: float = 20.0
    failure_gap_time: float = 15.0
    fetch_interval: float = 0.2
    network_delay: float = 0.001
    session_timeout: float = 9.0
    replica_lag_time_max: float = 30.0
    request_timeout: float = 30.0
    retries: int = 0
    idempotence: bool = False
    retry_backoff: float = 0.1
    retry_backoff_max: float = 1.0
    max_in_flight: int | None = None
    delivery_timeout: float = 120.0
    lost_ack_rate: float = 0.0
    unclean_leader_election: bool = False
    failure_kind: str = "crash"
    down_time: float | None = None
    freeze_time: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "acks", canonical_acks(self.acks))
        integer("brokers", self.brokers, ge=1)
        integer("replication_factor", self.replication_factor, ge=1, le=self.brokers,
                high_name=f"brokers={self.brokers}")
        integer("min_insync_replicas", self.min_insync_replicas, ge=1,
                le=self.replication_factor,
                high_name=f"replication_factor={self.replication_factor}")
        for name in ("produce_rate", "duration", "fetch_interval", "session_timeout",
                     "replica_lag_time_max", "request_timeout", "retry_backoff"):
            number(name, getattr(self, name), gt=0)
        for name in ("network_delay", "first_failure_at", "failure_gap_time"):
            number(name, getattr(self, name), ge=0)
        if self.produce_rate * self.duration > MAX_WRITES:
            raise ValueError(f"produce_rate must be <= {MAX_WRITES:,} / duration = "
                             f"{MAX_WRITES / self.duration:g} writes/s (got {self.produce_rate!r})")
        number("retry_backoff_max", self.retry_backoff_max, ge=self.retry_backoff,
               low_name=f"retry_backoff={self.retry_backoff:g}")
        number("delivery_timeout", self.delivery_timeout, ge=self.request_timeout,
               low_name=f"request_timeout={self.request_timeout:g}")
        number("lost_ack_rate", self.lost_ack_rate, ge=0, lt=1)
        integer("retries", self.retries, ge=0)
        if self.max_in_flight is not None:
            integer("max_in_flight", self.max_in_flight, ge=1)
        integer("seed", self.seed)
        for name in ("idempotence", "unclean_leader_election"):
            flag(name, getattr(self, name))
        if self.idempotence and self.acks != "all":
            raise ValueError(f"idempotence requires acks='all' (got acks={self.acks!r})")
        if self.idempotence and self.retries == 0:
            raise ValueError("idempotence requires retries > 0 (got retries=0)")
        one_of("failure_kind", self.failure_kind, FAILURE_KINDS)
        if self.down_time is not None:
            number("down_time", self.down_time, gt=0)
        self._check_failures()
        first = self.failure_plan()[0][1] if self.broker_failures else self.first_failure_at
        number("freeze_time", self.freeze_time, ge=0, le=first,
               high_name=f"the first failure at {first:g} s")

    def _check_failures(self) -> None:
        failures = self.broker_failures
        if isinstance(failures, bool):
            raise FieldTypeError(f"broker_failures must be a count or (broker, at) pairs "
                                 f"(got {failures!r})")
        if isinstance(failures, int):
            integer("broker_failures", failures, ge=0, le=self.brokers,
                    high_name=f"brokers={self.brokers}")
            return
        try:
            pairs = tuple(tuple(f) for f in failures)
        except TypeError:
            raise FieldTypeError(f"broker_failures must be a count or (broker, at) pairs "
                                 f"(got {failures!r})") from None
        for i, pair in enumerate(pairs):
            if len(pair) != 2:
                raise ValueError(f"{indexed('broker_failures', i)} must be a (broker, at) pair "
                                 f"(got {pair!r})")
            integer(indexed("broker_failures", i, "broker"), pair[0], ge=0, le=self.brokers - 1)
            number(indexed("broker_failures", i, "at"), pair[1], ge=0, lt=self.duration,
                   high_name=f"duration={self.duration:g}")
        object.__setattr__(self, "broker_failures",
                           tuple((int(b), float(at)) for b, at in pairs))

    def failure_plan(self) -> list[tuple[int | None, float]]:
        """(broker or None for "the leader at that moment", time) for each broker stop."""
        if isinstance(self.broker_failures, int):
            return [(None, self.first_failure_at + i * self.failure_gap_time)
                    for i in range(self.broker_failures)]
        return sorted(self.broker_failures, key=lambda f: f[1])

    @property
    def freeze_window(self) -> tuple[float, float]:
        """(when the followers freeze, when they thaw) for ``freeze_time > 0``: just after
        the first failure (a controlled shutdown's after leadership has moved)."""
        first = self.failure_plan()[0][1] if self.broker_failures else self.first_failure_at
        moved = SHUTDOWN_MOVE_S if self.failure_kind == "controlled" else 0.0  # its window
        return first - self.freeze_time, first + moved + THAW_DELAY

    @property
    def horizon(self) -> float:
        """How long the engine runs: ``duration`` plus time for the last writes to settle, and
        for the last stopped broker to come back (``down_time``)."""
        retrying = self.delivery_timeout if self.retries else 0.0
        settled = self.duration + retrying + self.request_timeout + 1
        plan = self.failure_plan()
        if self.down_time is None or not plan:
            return settled
        return max(settled, plan[-1][1] + self.down_time + 1)  # and the last one back


def _counted(name: str, doc: str) -> property:
    """A read-only count of the result's writes (one of :meth:`ReplicationResult._counts`)."""
    return tally_count(lambda result: result._counts(), name, doc)


@dataclass
class ReplicationResult:
    """Flat per-write records, the cluster's events and a sampled timeline.

    Each write (one record the application sent) has an ``outcome`` as the producer saw it
    (``acknowledged`` or ``rejected``, with a ``reason``), the ``attempts`` it took, and a
    ``fate`` in the final log (``kept``, ``lost``, ``unavailable``) with its number of ``copies``.
    """

    scenario: ReplicationScenario
    writes: list[dict] = field(repr=False)
    events: list[dict]
    timeline: list[dict] = field(repr=False)
    reads_served: int = 0
    reads_failed: int = 0
    reads_served_after_last_failure: int = 0

    def _counts(self) -> dict[str, int]:
        """The four write counts, from one pass over the writes (a redraw reads all four)."""
        tally = Counter((w["outcome"], w["fate"]) for w in self.writes)
        acknowledged = {fate: n for (outcome, fate), n in tally.items()
                        if outcome == "acknowledged"}
        return {"acknowledged": sum(acknowledged.values()), "lost": acknowledged.get("lost", 0),
                "unavailable": acknowledged.get("unavailable", 0),
                "rejected": sum(n for (outcome, _), n in tally.items() if outcome == "rejected")}

    acknowledged = _counted("acknowledged",
                            "Writes the producer was told (or, with acks=0, assumed) succeeded.")
    lost = _counted("lost", "Acknowledged, then gone: not in the partition's log at the end.")
    unavailable = _counted("unavailable", "Acknowledged and kept only by stopped brokers (the "
                                          "partition is offline).")
    rejected = _counted("rejected", "Writes the producer knows failed (an error or a timeout, "
                                    "after any retries).")

    @property
    def indefinite(self) -> int:
        """Writes the producer was told failed that are in the final log all the same."""
        return sum(1 for w in self.writes if w["outcome"] == "rejected" and w["copies"])

    @property
    def duplicates(self) -> int:
        """Extra copies in the final log: a retry appended a record the log already had."""
        return sum(w["copies"] - 1 for w in self.writes if w["copies"] > 1)

    def reasons(self) -> dict[str, int]:
        """Why writes were rejected, with counts (the producer's last error for each)."""
        return dict(sorted(Counter(w["reason"] for w in self.writes
                                   if w["outcome"] == "rejected").items()))

    def summary(self) -> dict[str, Any]:
        """The settings and the counts. ``duplicates`` is listed when the producer retries
        (without retries it is 0 by construction, and lesson 05's tables predate it)."""
        s, counts = self.scenario, self._counts()
        out: dict[str, Any] = {
            "acks": s.acks, "replication_factor": s.replication_factor,
            "min_insync_replicas": s.min_insync_replicas,
            "broker_failures": len(s.failure_plan()), "writes": len(self.writes),
            "acknowledged": counts["acknowledged"], "lost": counts["lost"]}
        if s.retries:
            out["duplicates"] = self.duplicates
        out.update(unavailable=counts["unavailable"], rejected=counts["rejected"],
                   reads_after_last_failure=self.reads_served_after_last_failure)
        return out


def scenario_from(acks: str | int = "all", replication_factor: int = 3,
                  min_insync_replicas: int = 1,
                  broker_failures: int | Sequence[tuple[int, float]] = 1,
                  *, seed: int = 0, **options: Any) -> ReplicationScenario:
    """The lesson's short call form as a description (``options``: other fields; a list of
    ``(broker, at)`` pairs is converted and checked by the description)."""
    return ReplicationScenario(acks=acks, replication_factor=replication_factor,
                               min_insync_replicas=min_insync_replicas,
                               broker_failures=broker_failures, seed=seed, **options)
