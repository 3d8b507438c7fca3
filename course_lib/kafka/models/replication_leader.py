"""One run's partition as the replication engine holds it: the brokers' logs, the ISR, the
leader, and the leader's answers to the producer's requests (append, acknowledge, fail, retry,
time out). The engine, :mod:`course_lib.kafka.models.replication_engine`, adds the processes
that move time on (the producer, the followers' fetches, the ISR check, the failures) on top of
this class. The rules are those listed in :mod:`course_lib.kafka.models.replication`. (05.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator
from typing import Any

import simpy

from course_lib.core.engines import stream
from course_lib.kafka.models.replication import (
    KILL_NOTICE_S,
    METADATA_REFRESH_S,
    ReplicationScenario,
)
from course_lib.kafka.models.replication_inflight import RequestSlots
from course_lib.kafka.models.replication_shortcuts import Environment, Synced

__all__ = ["Partition", "Process"]

Process = Generator[simpy.Event, Any, None]
#: Why a batch that waited in the producer for a reachable leader failed.
EXPIRED = "KafkaTimeoutError (expired in the producer, never sent)"


class Partition:
    """The simpy state of one run and the leader's bookkeeping; a fresh one for every run."""

    def __init__(self, s: ReplicationScenario) -> None:
        self.s = s
        self.env = Environment()
        # separate streams, so the writes are the same whatever the replication settings
        self.rng, self.fetch_rng = stream(s.seed, "writes"), stream(s.seed, "fetches")
        self.ack_rng = stream(s.seed, "lost-acks")
        self.replicas = list(range(s.replication_factor))
        self.alive, self.fenced = [True] * s.brokers, [False] * s.brokers
        self.logs: dict[int, list[int]] = {b: [] for b in self.replicas}
        self.synced: Synced = {}  # see fetch_into()
        self.leader: int | None = 0
        self.epoch, self.last_failure_handled = 0, False
        self.isr = set(self.replicas)
        self.hw = 0  # the leader's high watermark (see high_watermark)
        self.known_hw = {b: 0 for b in self.replicas}  # each replica's own, from its last fetch
        # how far the leader knows each follower has the log: the offset its last fetch
        # *asked* from, so what that fetch brought counts only at the next one
        self.reported = {b: 0 for b in self.replicas}
        self.caught_up_at = {b: 0.0 for b in self.replicas}
        self.pending: dict[int, tuple[int, int]] = {}  # write id -> (offset, epoch)
        self.attempt_at: dict[int, float] = {}  # write id -> when its current attempt was sent
        self.held: dict[int, None] = {}  # writes waiting in the producer for a leader it can reach
        self.killed_at: dict[int, float] = {}  # killed brokers (their port refuses) -> when
        self.elr: set[int] = set()  # eligible leader replicas (KIP-966)
        # a controlled shutdown's old leader, until when it still takes writes, and until when
        # the producer's metadata still names it
        self.stale_leader: int | None = None
        # requests in flight and the accumulator (max.in.flight.requests.per.connection, M4)
        self.slots = None if s.max_in_flight is None else RequestSlots(s.max_in_flight)
        self.answering = self.dispatch_due = False  # a freed slot waits for settle's answers
        self.stale_until = self.refresh_until = 0.0
        self.writes: list[dict] = []
        self.events: list[dict] = []
        self.timeline: list[dict] = []
        self.reads = [0, 0, 0]  # served, failed, served after the last failure was handled

    def log_event(self, kind: str, detail: str) -> None:
        self.events.append({"at": round(self.env.now, 6), "kind": kind, "detail": detail})

    def high_watermark(self) -> int:
        """The offset every ISR member has, advanced only while the ISR has at least
        ``min_insync_replicas`` members (KAFKA-15583, every release since 3.7): below that it
        stays where it was, and what the leader appends above it is invisible to consumers.
        It never moves back while a leader keeps its log."""
        if self.leader is None:
            return 0
        if len(self.isr) >= self.s.min_insync_replicas:
            lead, reported = self.leader, self.reported
            self.hw = max(self.hw, min(len(self.logs[b]) if b == lead else reported[b]
                                       for b in self.isr))
        return self.hw

    def take_over(self, leader: int) -> None:
        """A new leader starts from its own high watermark, the one its last fetch brought (a
        fetch behind the old leader's), cut to its log; the old leader keeps what it had."""
        if self.leader is not None:
            self.known_hw[self.leader] = self.hw
        self.leader = leader
        self.hw = min(self.known_hw[leader], len(self.logs[leader]))
        for b in self.isr:  # Kafka's resetReplicaState: no ISR shrink for the election itself
            self.caught_up_at[b] = self.env.now
        for b in self.replicas:  # it learns where its followers are from their next fetches
            self.reported[b] = 0

    def decide(self, wid: int, outcome: str, reason: str = "") -> None:
        w = self.writes[wid]
        w["outcome"], w["reason"], w["decided_at"] = outcome, reason, round(self.env.now, 6)
        self.pending.pop(wid, None)
        if self.slots is not None:
            self.leave_slot(wid)

    def fail(self, wid: int, reason: str) -> None:
        """A request failed: retry after ``retry_backoff`` if the producer may, else reject."""
        s, w = self.s, self.writes[wid]
        self.pending.pop(wid, None)
        if self.slots is not None:
            self.leave_slot(wid)
        expires = w["sent_at"] + s.delivery_timeout
        # exponential backoff, as Kafka's producer since 3.7 (retry.backoff.max.ms, KIP-580)
        backoff = min(s.retry_backoff * 2 ** (w["attempts"] - 1), s.retry_backoff_max)
        if w["attempts"] <= s.retries and self.env.now < expires:
            self.env.process(self.retry(wid, w["attempts"], min(backoff, expires - self.env.now),
                                        reason))
        else:
            self.decide(wid, "rejected", reason)

    def retry(self, wid: int, attempt: int, backoff: float, reason: str) -> Process:
        """Send again after ``backoff``; a batch whose delivery timeout came first expires."""
        yield self.env.timeout(backoff)
        w = self.writes[wid]
        if w["attempts"] == attempt:
            if self.env.now >= w["sent_at"] + self.s.delivery_timeout:
                self.decide(wid, "rejected", reason)
            else:
                self.send(wid)

    def acknowledge(self, wid: int) -> None:
        """The leader answers success; the answer itself may be lost on the way back."""
        if self.s.lost_ack_rate and self.ack_rng.random() < self.s.lost_ack_rate:
            self.pending.pop(wid, None)
            wait = self.attempt_at[wid] + self.s.request_timeout - self.env.now
            self.time_out(wid, "REQUEST_TIMED_OUT (acknowledgement lost)", wait)
        else:
            self.decide(wid, "acknowledged")

    def settle(self) -> None:
        """Answer the acks=all writes the HW has passed: acknowledged, or, if the ISR fell below
        the minimum meanwhile, ``NOT_ENOUGH_REPLICAS_AFTER_APPEND`` (Kafka's
        ``checkEnoughReplicasReachOffset``). The others wait; below the minimum the HW is frozen
        (KAFKA-15583), so they wait for the ISR to recover or for their request to time out.

        Pending writes are in the order sent: within an epoch offsets grow and send times do
        not fall, so once a current-epoch write is neither below the HW nor timed out, no later
        one is, and the scan stops (an idempotent retry may get an older offset: then all are
        visited). Answers change neither epoch, ISR nor HW: choosing first, then answering, is
        exact (tests/test_replication_settle.py compares it with a full scan)."""
        s, now, answers = self.s, self.env.now, []
        if self.leader is None or not self.alive[self.leader]:
            return  # a dead leader answers nothing (its requests time out or fail at the kill)
        hw = self.high_watermark()
        short = len(self.isr) < s.min_insync_replicas
        for wid, (offset, epoch) in self.pending.items():
            if epoch != self.epoch:
                answers.append((wid, "NOT_LEADER (leader changed before ack)"))
            elif offset < hw:
                answers.append((wid, "NOT_ENOUGH_REPLICAS_AFTER_APPEND" if short else ""))
            elif now - self.attempt_at[wid] >= s.request_timeout:
                answers.append((wid, "REQUEST_TIMED_OUT"))
            elif not s.idempotence:
                break
        stamp = round(now, 6)
        self.answering = True
        for wid, error in answers:
            if error:
                self.fail(wid, error)
            elif s.lost_ack_rate:
                self.acknowledge(wid)
            else:  # acknowledge() when every answer arrives, inline: a fetch answers dozens
                w = self.writes[wid]
                w["outcome"], w["reason"], w["decided_at"] = "acknowledged", "", stamp
                del self.pending[wid]
                if self.slots is not None:
                    self.leave_slot(wid)
        self.answering = False
        if self.dispatch_due:
            self.dispatch()

    def send(self, wid: int) -> None:
        s, leader, now = self.s, self.leader, self.env.now
        if self.stale_leader is not None and now < self.refresh_until:
            self.send_stale(wid)
            return
        if leader is None or (leader in self.killed_at
                              and now >= self.killed_at[leader] + KILL_NOTICE_S):
            self.hold(wid)  # no leader it can reach: the batch waits in the producer
            return
        slots = self.slots
        if slots is not None and s.acks == "all" and wid not in slots.request_of:
            if slots.full():  # every request slot taken: the write waits in the accumulator
                self.accumulate(wid)
                return
            slots.open_request([wid])
        self.writes[wid]["attempts"] += 1
        self.attempt_at[wid] = round(now, 6)
        if not self.alive[leader]:  # killed a moment ago, or a machine that is gone
            if s.acks == "0":
                self.decide(wid, "acknowledged")  # assumed; nobody will ever say otherwise
            elif leader in self.killed_at:
                self.fail(wid, "KafkaConnectionError (connection reset)")
            else:
                self.time_out(wid, "REQUEST_TIMED_OUT (leader down)", s.request_timeout)
        elif s.acks == "all" and len(self.isr) < s.min_insync_replicas:
            self.fail(wid, "NOT_ENOUGH_REPLICAS")
        else:
            log = self.logs[leader]
            # the idempotent producer's retry: same producer id and sequence as a record the
            # leader already has, so it answers with that record's offset instead of appending
            offset = log.index(wid) if s.idempotence and self.writes[wid]["attempts"] > 1 \
                and wid in log else None
            if offset is None:
                log.append(wid)
                offset = len(log) - 1
            if s.acks == "all":
                self.pending[wid] = (offset, self.epoch)
                if slots is not None:  # a request in flight times out on its own clock
                    self.time_out(wid, "REQUEST_TIMED_OUT", s.request_timeout)
                self.settle()
            elif s.acks == "1":
                self.acknowledge(wid)
            else:
                self.decide(wid, "acknowledged")

    def send_stale(self, wid: int) -> None:
        """A send while the producer's metadata still names a controlled shutdown's old leader:
        it appends and answers as leader until it applies the change (acks 0/1: acknowledged,
        then cut; acks=all: ``NOT_LEADER_OR_FOLLOWER`` then), and refuses after that."""
        s, old, now = self.s, self.stale_leader, self.env.now
        assert old is not None
        self.writes[wid]["attempts"] += 1
        self.attempt_at[wid] = round(now, 6)
        if now >= self.stale_until:  # acks=0 hears nothing: the broker drops it, closes
            if s.acks == "0":
                self.decide(wid, "acknowledged")
            else:
                self.fail(wid, "NOT_LEADER_OR_FOLLOWER")
            return
        self.logs[old].append(wid)
        if s.acks == "all":
            self.time_out(wid, "NOT_LEADER_OR_FOLLOWER", self.stale_until - now)
        else:
            self.decide(wid, "acknowledged")

    def hold(self, wid: int) -> None:
        """Keep ``wid`` in the producer until :meth:`release` (no leader it can reach)."""
        self.held[wid] = None
        if self.slots is not None:
            self.leave_slot(wid)
        self.expire_unsent(wid, self.held.__contains__, self.held.__delitem__)

    def accumulate(self, wid: int) -> None:
        """Wait for a free request slot (:meth:`dispatch`), never appended meanwhile."""
        slots = self.slots
        assert slots is not None
        slots.wait(wid, retried=self.writes[wid]["attempts"] > 0)
        self.expire_unsent(wid, slots.queued.__contains__, slots.queued.remove)

    def expire_unsent(self, wid: int, waiting: Callable[[int], bool],
                      forget: Callable[[int], None]) -> None:
        """Reject ``wid`` if it still waits in the producer (``waiting``) when
        ``delivery_timeout`` has passed since it was first sent: the client's expiry."""
        expires = self.writes[wid]["sent_at"] + self.s.delivery_timeout - self.env.now

        def expire(_: simpy.Event) -> None:
            if waiting(wid):
                forget(wid)
                self.decide(wid, "rejected", EXPIRED)
        self.env.timeout(max(expires, 0.0)).callbacks.append(expire)

    def leave_slot(self, wid: int) -> None:
        """``wid`` left its request (answered, failed or held): a freed slot sends the next."""
        assert self.slots is not None
        if self.slots.leave(wid):
            self.dispatch()

    def dispatch(self) -> None:
        """A request slot came free: the accumulator's next batch goes as one request."""
        assert self.slots is not None
        if self.answering:  # settle is answering a list it chose: send once it is done
            self.dispatch_due = True
            return
        self.dispatch_due = False
        while batch := self.slots.next_batch():
            for wid in batch:
                self.send(wid)

    def release(self) -> Process:
        """A leader was elected: once the producer's metadata names it, send what was held."""
        yield self.env.timeout(METADATA_REFRESH_S)
        for wid in list(self.held):
            if wid in self.held:
                del self.held[wid]
                self.send(wid)

    def time_out(self, wid: int, reason: str, wait: float) -> None:
        """Fail this attempt of ``wid`` ``wait`` from now unless it was answered by then.

        A crash leaves ~100 of these a second; as callbacks they cost a third of what a simpy
        process each did, with the same events in the same order (see
        :meth:`~course_lib.kafka.models.replication_shortcuts.Environment.start`).
        """
        def start(_: simpy.Event) -> None:
            attempt, w = self.writes[wid]["attempts"], self.writes[wid]

            def expire(_: simpy.Event) -> None:
                if w["attempts"] == attempt and w["outcome"] == "pending":
                    self.fail(wid, reason)
            self.env.timeout(max(wait, 0.0)).callbacks.append(expire)
        self.env.start(start)

    def final_fates(self) -> None:
        """Where each acknowledged write ended up: kept (a consumer reads it), unavailable (it
        exists, but only on stopped brokers, or above a watermark frozen below
        ``min_insync_replicas``: readable once the ISR recovers), or lost."""
        for wid, w in enumerate(self.writes):
            if w["outcome"] == "pending":
                waiting = wid in self.held or (self.slots is not None
                                               and wid in self.slots.queued)
                self.decide(wid, "rejected", EXPIRED if waiting else "REQUEST_TIMED_OUT")
        final = self.logs[self.leader] if self.leader is not None else \
            max(self.logs.values(), key=len)
        frozen = self.leader is not None and len(self.isr) < self.s.min_insync_replicas
        # what is there but unreadable: only an offline partition or a frozen watermark asks
        # (18,000 ids to gather)
        anywhere = set().union(*self.logs.values()) if self.leader is None else \
            set(final) if frozen else set()
        if frozen:
            final = final[:self.high_watermark()]  # a reader stops at the frozen watermark
        copies = Counter(final)
        for w in self.writes:
            w["copies"] = copies[w["write_id"]]
            if w["outcome"] != "acknowledged":
                continue
            if w["copies"] and self.leader is not None:
                w["fate"] = "kept"
            else:
                w["fate"] = "unavailable" if w["write_id"] in anywhere else "lost"
