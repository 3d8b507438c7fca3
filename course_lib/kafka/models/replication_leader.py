"""One run's partition as the replication engine holds it: the brokers' logs, the ISR, the
leader, and the leader's answers to the producer's requests (append, acknowledge, fail, retry,
time out). The engine, :mod:`course_lib.kafka.models.replication_engine`, adds the processes
that move time on (the producer, the followers' fetches, the ISR check, the failures) on top of
this class. The rules are those listed in :mod:`course_lib.kafka.models.replication`. (05.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from typing import Any

import simpy

from course_lib.core.engines import stream
from course_lib.kafka.models.replication import ReplicationScenario
from course_lib.kafka.models.replication_shortcuts import Environment, Synced

__all__ = ["Partition", "Process"]

Process = Generator[simpy.Event, Any, None]


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
        self.caught_up_at = {b: 0.0 for b in self.replicas}
        self.pending: dict[int, tuple[int, int]] = {}  # write id -> (offset, epoch)
        self.attempt_at: dict[int, float] = {}  # write id -> when its current attempt was sent
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
            self.hw = max(self.hw, min(len(self.logs[b]) for b in self.isr))
        return self.hw

    def take_over(self, leader: int) -> None:
        """A new leader starts from its own high watermark, the one its last fetch brought (a
        fetch behind the old leader's), cut to its log; the old leader keeps what it had."""
        if self.leader is not None:
            self.known_hw[self.leader] = self.hw
        self.leader = leader
        self.hw = min(self.known_hw[leader], len(self.logs[leader]))

    def decide(self, wid: int, outcome: str, reason: str = "") -> None:
        w = self.writes[wid]
        w["outcome"], w["reason"], w["decided_at"] = outcome, reason, round(self.env.now, 6)
        self.pending.pop(wid, None)

    def fail(self, wid: int, reason: str) -> None:
        """A request failed: retry after ``retry_backoff`` if the producer may, else reject."""
        s, w = self.s, self.writes[wid]
        self.pending.pop(wid, None)
        expires = w["sent_at"] + s.delivery_timeout
        # exponential backoff, as Kafka's producer since 3.7 (retry.backoff.max.ms, KIP-580)
        backoff = min(s.retry_backoff * 2 ** (w["attempts"] - 1), max(s.retry_backoff, 1.0))
        if w["attempts"] <= s.retries and self.env.now + backoff < expires:
            self.env.process(self.retry(wid, w["attempts"], backoff))
        else:
            self.decide(wid, "rejected", reason)

    def retry(self, wid: int, attempt: int, backoff: float) -> Process:
        yield self.env.timeout(backoff)
        if self.writes[wid]["attempts"] == attempt:
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
        """Acknowledge acks=all writes below the HW; fail those whose ISR fell below the minimum.

        Pending writes are in the order sent: within an epoch offsets grow and send times do
        not fall, so once a current-epoch write is neither below the HW nor timed out, no later
        one is, and the scan stops (an idempotent retry may get an older offset: then all are
        visited). Answers change neither epoch, ISR nor HW: choosing first, then answering, is
        exact (tests/test_replication_settle.py compares it with a full scan)."""
        s, now, answers = self.s, self.env.now, []
        hw = self.high_watermark()
        short = len(self.isr) < s.min_insync_replicas
        for wid, (offset, epoch) in self.pending.items():
            if epoch != self.epoch:
                answers.append((wid, "NOT_LEADER (leader changed before ack)"))
            elif short:
                answers.append((wid, "NOT_ENOUGH_REPLICAS_AFTER_APPEND"))
            elif offset < hw:
                answers.append((wid, ""))
            elif now - self.attempt_at[wid] >= s.request_timeout:
                answers.append((wid, "REQUEST_TIMED_OUT"))
            elif not s.idempotence:
                break
        stamp = round(now, 6)
        for wid, error in answers:
            if error:
                self.fail(wid, error)
            elif s.lost_ack_rate:
                self.acknowledge(wid)
            else:  # acknowledge() when every answer arrives, inline: a fetch answers dozens
                w = self.writes[wid]
                w["outcome"], w["reason"], w["decided_at"] = "acknowledged", "", stamp
                del self.pending[wid]

    def send(self, wid: int) -> None:
        s, leader = self.s, self.leader
        self.writes[wid]["attempts"] += 1
        self.attempt_at[wid] = round(self.env.now, 6)
        if leader is None:
            self.fail(wid, "LEADER_NOT_AVAILABLE (partition offline)")
        elif not self.alive[leader]:  # the request goes to a machine that is gone
            if s.acks == "0":
                self.decide(wid, "acknowledged")  # assumed; nobody will ever say otherwise
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
                self.settle()
            elif s.acks == "1":
                self.acknowledge(wid)
            else:
                self.decide(wid, "acknowledged")

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
                self.decide(wid, "rejected", "REQUEST_TIMED_OUT")
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
