"""A live consumer group: real kafka-python consumers, one thread each, with manual commits.

A *consumer group* is a set of consumers sharing one ``group_id``. The partitions are split
among the members by the group *leader*: one of the consumers themselves (the first to join),
which runs the assignor on the client side (kafka-python's default is Kafka's *range* assignor:
members sorted by id, each gets a contiguous run of partitions). The broker's group coordinator
only manages membership: it collects the members (JoinGroup), picks the leader, and relays the
leader's assignment to everyone (SyncGroup). So each partition is read by exactly one member.
When a member joins or leaves, the group *rebalances*: everyone rejoins and the leader deals the
partitions again. With more members than partitions, the extra members get nothing and sit idle.

Each member here runs the classic loop in its own thread::

    records = consumer.poll(timeout_ms=100)   # fetch (and take part in rebalances)
    for record in records: process(record)    # our "work": remember it, sleep processing_time
    consumer.commit()                         # manual commit: "done up to here"

Committing *after* processing gives at-least-once delivery: a crash between the two re-delivers
the uncommitted records. A commit that lands in the middle of a rebalance raises
``RebalanceInProgressError`` (or ``CommitFailedError``); the loop commits again after its next poll
rather than crash, and counts how often that happened.

Joining costs about half of ``session_timeout_ms`` on the embedded broker (~3 s with the course's
6000 ms): the coordinator holds the join phase open that long for other members before the
leader can compute the assignment.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

from kafka import ConsumerRebalanceListener
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.errors import CommitFailedError, RebalanceInProgressError
from kafka.structs import MemberState

from course_lib.core import progress
from course_lib.core.errors import BrokerError, WaitTimeout
from course_lib.core.waiting import wait_until
from course_lib.kafka.clients.factory import make_consumer
from course_lib.kafka.clients.records import Record, StrDeserializer

__all__ = ["ASSIGNORS", "ConsumerGroupLab", "Processed", "consume_exactly"]

#: The assignors a lab can use: range (eager: every member gives up everything at a rebalance)
#: and cooperative sticky (KIP-429: only the partitions that move are given up).
ASSIGNORS = {"range": RangePartitionAssignor,
             "cooperative-sticky": CooperativeStickyAssignor}


@dataclass(frozen=True)
class Processed:
    """One record as processed: global processing order ``seq``, the member, the record."""

    seq: int
    member: int
    record: Record


@dataclass
class _Member:
    index: int
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    assignment: tuple[int, ...] = ()
    generation: int = -1
    joined: bool = False
    commit_retries: int = 0
    error: BaseException | None = None
    revoked: list[int] = field(default_factory=list)  # partitions given up, in order


class _Recorder(ConsumerRebalanceListener):
    """Remembers every partition a member gives up during rebalances (it stops reading them)."""

    def __init__(self, member: _Member) -> None:
        self.member = member

    def on_partitions_revoked(self, revoked) -> None:
        self.member.revoked.extend(tp.partition for tp in revoked)

    def on_partitions_assigned(self, assigned) -> None:
        pass


class ConsumerGroupLab:
    """Start, watch and stop the members of one consumer group on one topic.

    Use as a context manager so that every consumer is closed (and leaves the group) at the end.
    :meth:`pause` holds processing while members still join and rebalance, so a test or a lesson
    can let the group settle before any record is consumed. ``max_poll_records`` (50) bounds a
    poll's batch, hence how far the committed offset jumps at each commit.
    """

    def __init__(self, topic: str, group_id: str, partitions: int, *,
                 processing_time: float = 0.0, max_poll_records: int = 50,
                 assignor: str = "range") -> None:
        if processing_time < 0:
            raise ValueError(f"processing_time must be >= 0 (got {processing_time!r})")
        if assignor not in ASSIGNORS:
            raise ValueError(f"assignor must be one of {', '.join(ASSIGNORS)} (got {assignor!r})")
        self.assignor = assignor
        self.topic, self.group_id, self.partitions = topic, group_id, partitions
        self.processing_time = processing_time
        self.max_poll_records = max_poll_records
        self.processed: list[Processed] = []
        self._members: list[_Member] = []
        self._lock = threading.Lock()
        self._go = threading.Event()
        self._go.set()

    # -- members ---------------------------------------------------------------------------
    def add_consumer(self) -> int:
        """Start one more member; returns its index (0, 1, …). It joins in the background."""
        member = _Member(len(self._members))
        member.thread = threading.Thread(target=self._run, args=(member,), daemon=True,
                                         name=f"{self.group_id}-member-{member.index}")
        self._members.append(member)
        member.thread.start()
        return member.index

    def remove_consumer(self, index: int, timeout_s: float = 10.0) -> None:
        """Stop member ``index``: it closes its consumer, which leaves the group (a rebalance)."""
        member = self._members[index]
        member.stop.set()
        if member.thread is not None:
            member.thread.join(timeout_s)

    def active(self) -> list[_Member]:
        return [m for m in self._members if not m.stop.is_set()]

    def _run(self, member: _Member) -> None:
        consumer = None
        try:
            consumer = make_consumer(group_id=self.group_id,
                                     key_deserializer=StrDeserializer(),
                                     value_deserializer=StrDeserializer(),
                                     max_poll_records=self.max_poll_records,
                                     partition_assignment_strategy=[ASSIGNORS[self.assignor]])
            # Know the topic's partitions before joining: a leader that assigns with metadata
            # lacking a just-created topic hands out nothing until its next refresh (minutes).
            with contextlib.suppress(WaitTimeout):  # then join anyway, as before
                wait_until(lambda: len(consumer.partitions_for_topic(self.topic))
                           >= self.partitions, 10, f"{self.topic}'s partitions")
            consumer.subscribe([self.topic], listener=_Recorder(member))
            pending_commit = False
            while not member.stop.is_set():
                gate_open = self._go.is_set()
                if gate_open:
                    consumer.resume(*consumer.paused())
                else:
                    consumer.pause(*consumer.assignment())
                batches = consumer.poll(timeout_ms=100)
                meta = consumer.group_metadata()
                member.generation = meta.generation_id
                member.joined = (bool(meta.member_id) and meta.generation_id >= 0
                                 and meta.state == MemberState.STABLE)
                member.assignment = tuple(sorted(tp.partition for tp in consumer.assignment()))
                for batch in batches.values():
                    for r in batch:
                        if self.processing_time:
                            time.sleep(self.processing_time)
                        with self._lock:
                            self.processed.append(Processed(
                                len(self.processed), member.index,
                                Record(r.key, r.value, r.partition, r.offset)))
                if batches or pending_commit:
                    try:
                        consumer.commit(timeout_ms=10000)
                        pending_commit = False
                    except (RebalanceInProgressError, CommitFailedError):
                        member.commit_retries += 1
                        pending_commit = True  # commit again after the next poll
        except BaseException as exc:  # reported by wait_* in the caller's thread
            member.error = exc
        finally:
            if consumer is not None:
                consumer.close(autocommit=False, timeout_ms=5000)

    # -- watching --------------------------------------------------------------------------
    def _raise_errors(self) -> None:
        for m in self._members:
            if m.error is not None:
                raise BrokerError(f"consumer {m.index} of group {self.group_id!r} stopped: "
                                  f"{type(m.error).__name__}: {m.error}") from m.error

    def assignments(self) -> list[list[int]]:
        """Each active member's partitions, sorted (idle members show as ``[]``).

        Member ids are random, so *which* member gets which partitions varies between runs;
        the sorted list of assignments does not.
        """
        return sorted(list(m.assignment) for m in self.active())

    def stable(self) -> bool:
        """All active members joined the same generation, and every partition has one owner."""
        members = self.active()
        if not members or not all(m.joined for m in members):
            return False
        if len({m.generation for m in members}) != 1:
            return False
        owned = [p for m in members for p in m.assignment]
        return sorted(owned) == list(range(self.partitions))

    def wait_until_stable(self, timeout_s: float = 30.0) -> list[list[int]]:
        """Block until :meth:`stable` with the same assignments 0.5 s apart; returns them."""
        def settled() -> list[list[int]] | None:
            self._raise_errors()
            members = self.active()
            task.phase(f"{sum(m.joined for m in members)} of {len(members)} members joined")
            if not self.stable():
                return None
            seen = self.assignments()
            time.sleep(0.5)
            return seen if self.stable() and self.assignments() == seen else None

        try:  # a join or a rebalance takes seconds: the progress line shows who has joined
            with progress.task("consumer group", "the group settled") as task:
                return wait_until(settled, timeout_s, f"group {self.group_id!r} to settle",
                                  interval_s=0.05)
        except WaitTimeout as exc:
            raise BrokerError(
                f"group {self.group_id!r} did not settle within {timeout_s:g} s "
                f"(assignments so far: {self.assignments()}); is the broker still running?"
            ) from exc

    def wait_for(self, count: int, timeout_s: float = 30.0) -> None:
        """Block until at least ``count`` records have been processed (all members together)."""
        def enough() -> bool:
            self._raise_errors()
            return len(self.processed) >= count

        try:
            wait_until(enough, timeout_s, f"{count} records to be processed", interval_s=0.02)
        except WaitTimeout as exc:
            raise BrokerError(f"processed {len(self.processed)} of {count} records within "
                              f"{timeout_s:g} s; is the broker still running?") from exc

    def revoked(self, members: range | list[int] | None = None) -> list[int]:
        """Partitions the given members (default: all) gave up, each once, sorted."""
        chosen = self._members if members is None else [self._members[i] for i in members]
        return sorted({p for m in chosen for p in m.revoked})

    def forget_revocations(self) -> None:
        for m in self._members:
            m.revoked.clear()

    @property
    def commit_retries(self) -> int:
        return sum(m.commit_retries for m in self._members)

    # -- processing gate -------------------------------------------------------------------
    def pause(self) -> None:
        """Stop handing out records (members keep polling, so they stay in the group)."""
        self._go.clear()

    def resume(self) -> None:
        self._go.set()

    # -- lifecycle -------------------------------------------------------------------------
    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop every member and wait for their consumers to close."""
        for m in self._members:
            m.stop.set()
        for m in self._members:
            if m.thread is not None:
                m.thread.join(timeout_s)

    def __enter__(self) -> ConsumerGroupLab:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def consume_exactly(lab: ConsumerGroupLab) -> dict[str, int]:
    """Counts that prove (or disprove) exactly-once processing: records, distinct, duplicates."""
    seen = {(p.record.partition, p.record.offset) for p in lab.processed}
    return {"processed": len(lab.processed), "distinct": len(seen),
            "duplicates": len(lab.processed) - len(seen)}

