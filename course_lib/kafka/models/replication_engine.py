"""The engine of the replication model: :func:`simulate` runs a :class:`ReplicationScenario`
by the rules listed in :mod:`course_lib.kafka.models.replication`, in fresh simpy state. Send
times and fetch jitter keep their own seeded streams, so ``acks`` or retries leave the writes
unchanged; lost acknowledgements draw from a third, used only when ``lost_ack_rate > 0``. (05.)
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Generator, Sequence
from typing import Any

import simpy

from course_lib.core.engines import stream
from course_lib.kafka.models.replication import (
    ReplicationResult,
    ReplicationScenario,
    scenario_from,
)

__all__ = ["TABLE_SETTINGS", "replication_table", "simulate", "simulate_replication"]

TABLE_SETTINGS = (  # (acks, replication_factor, min_insync_replicas, broker_failures)
    ("0", 3, 1, 1), ("1", 3, 1, 1), ("all", 3, 2, 1), ("all", 3, 2, 2), ("all", 3, 1, 2),
    ("all", 1, 1, 1))

Process = Generator[simpy.Event, Any, None]


class _Cluster:
    """The simpy state of one run; :func:`simulate` builds a fresh one every call."""

    def __init__(self, s: ReplicationScenario) -> None:
        self.s = s
        self.env = simpy.Environment()
        # separate streams, so the writes are the same whatever the replication settings
        self.rng, self.fetch_rng = stream(s.seed, "writes"), stream(s.seed, "fetches")
        self.ack_rng = stream(s.seed, "lost-acks")
        self.replicas = list(range(s.replication_factor))
        self.alive, self.fenced = [True] * s.brokers, [False] * s.brokers
        self.logs: dict[int, list[int]] = {b: [] for b in self.replicas}
        self.leader: int | None = 0
        self.epoch, self.last_failure_handled = 0, False
        self.isr = set(self.replicas)
        self.caught_up_at = {b: 0.0 for b in self.replicas}
        self.pending: dict[int, tuple[int, int]] = {}  # write id -> (offset, epoch)
        self.attempt_at: dict[int, float] = {}  # write id -> when its current attempt was sent
        self.writes: list[dict] = []
        self.events: list[dict] = []
        self.timeline: list[dict] = []
        self.reads = [0, 0, 0]  # served, failed, served after the last failure was handled

    def log_event(self, kind: str, detail: str) -> None:
        self.events.append({"at": round(self.env.now, 6), "kind": kind, "detail": detail})

    # -- the leader's bookkeeping -------------------------------------------------------------
    def high_watermark(self) -> int:
        if self.leader is None:
            return 0
        return min(len(self.logs[b]) for b in self.isr)

    def decide(self, wid: int, outcome: str, reason: str = "") -> None:
        w = self.writes[wid]
        w.update(outcome=outcome, reason=reason, decided_at=round(self.env.now, 6))
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
            self.env.process(self.time_out(wid, "REQUEST_TIMED_OUT (acknowledgement lost)", wait))
        else:
            self.decide(wid, "acknowledged")

    def settle(self) -> None:
        """Acknowledge acks=all writes below the HW; fail those whose ISR fell below the minimum.

        Pending writes are in the order sent: within an epoch offsets grow and send times do
        not fall, so once a current-epoch write is neither below the HW nor timed out, no later
        one is, and the scan stops (an idempotent retry may get an older offset: then all are
        visited). Answers change neither epoch, ISR nor HW: choosing first, then answering, is
        exact (tests/test_replication_settle.py compares it with a full scan)."""
        s, hw, now, answers = self.s, self.high_watermark(), self.env.now, []
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
        for wid, error in answers:
            self.fail(wid, error) if error else self.acknowledge(wid)

    # -- processes ------------------------------------------------------------------------------
    def producer(self) -> Process:
        s, wid = self.s, 0
        while True:
            yield self.env.timeout(self.rng.expovariate(s.produce_rate))
            if self.env.now >= s.duration:
                return
            self.writes.append({"write_id": wid, "sent_at": round(self.env.now, 6),
                                "outcome": "pending", "reason": "", "decided_at": None,
                                "fate": "", "attempts": 0, "copies": 0})
            self.send(wid)
            wid += 1

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
                self.env.process(self.time_out(wid, "REQUEST_TIMED_OUT (leader down)",
                                               s.request_timeout))
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

    def time_out(self, wid: int, reason: str, wait: float) -> Process:
        attempt = self.writes[wid]["attempts"]
        yield self.env.timeout(max(wait, 0.0))
        if self.writes[wid]["attempts"] == attempt and self.writes[wid]["outcome"] == "pending":
            self.fail(wid, reason)

    def follower(self, b: int) -> Process:
        s = self.s
        while True:
            yield self.env.timeout(s.fetch_interval * self.fetch_rng.uniform(0.5, 1.5))
            leader, epoch = self.leader, self.epoch
            if not self.alive[b] or leader is None or leader == b or not self.alive[leader]:
                continue
            requested_at = self.env.now
            snapshot = list(self.logs[leader])
            yield self.env.timeout(2 * s.network_delay)
            if not (self.alive[b] and self.alive[leader] and self.epoch == epoch):
                continue
            # the fetch returns everything up to the leader's log end at request time, so the
            # follower was caught up as of then (Kafka's definition for replica.lag.time.max.ms);
            # a restarted broker's divergent tail is cut here (truncation to the leader's log)
            self.logs[b] = snapshot
            self.caught_up_at[b] = requested_at
            if b not in self.isr:
                self.isr.add(b)
                self.log_event("isr_expand", f"broker {b} caught up, rejoins the ISR")
            self.settle()

    def isr_checker(self) -> Process:
        s = self.s
        while True:
            yield self.env.timeout(0.5)
            if self.leader is not None and self.alive[self.leader]:
                for b in sorted(self.isr - {self.leader}):
                    if self.env.now - self.caught_up_at[b] > s.replica_lag_time_max:
                        self.isr.discard(b)
                        self.log_event("isr_shrink", f"broker {b} lags > "
                                       f"{s.replica_lag_time_max:g} s, leaves the ISR")
            self.settle()

    def stop(self, target: int | None, at: float, last: bool) -> Process:
        """A crash (fenced ``session_timeout`` later) or a controlled shutdown (fenced first)."""
        s = self.s
        yield self.env.timeout(at)
        b = self.leader if target is None else target
        if b is None or not self.alive[b]:
            self.log_event("crash_skipped", "no live leader to crash")
            self.last_failure_handled = self.last_failure_handled or last
            return
        was_leader = " (the leader)" if b == self.leader else ""
        self.alive[b] = False
        if s.failure_kind == "controlled":
            self.log_event("controlled_shutdown", f"broker {b} shuts down{was_leader}")
            self.fence(b)
        else:
            self.log_event("crash", f"broker {b} crashes{was_leader}")
            wait = s.session_timeout if s.down_time is None \
                else min(s.session_timeout, s.down_time)
            yield self.env.timeout(wait)
            if not self.fenced[b]:
                self.fence(b)
        if last:
            self.last_failure_handled = True
        if s.down_time is not None:
            yield self.env.timeout(at + s.down_time - self.env.now)
            self.restart(b)

    def elect(self, unclean_candidates: Sequence[int]) -> None:
        """Clean election from the live ISR; else unclean (if enabled) or offline."""
        clean = [r for r in self.replicas if r in self.isr and self.alive[r]]
        unclean = [r for r in unclean_candidates if self.alive[r]] \
            if self.s.unclean_leader_election else []
        self.epoch += 1
        if clean or unclean:
            self.leader = (clean or unclean)[0]
            if not clean:
                self.isr = {self.leader}
            new_log = self.logs[self.leader]
            for r in self.replicas:  # followers truncate to the new leader's log
                if self.alive[r] and r != self.leader and len(self.logs[r]) > len(new_log):
                    self.logs[r] = self.logs[r][:len(new_log)]
            kind = "leader_elected" if clean else "unclean_leader_elected"
            note = "" if clean else ", out of sync: records only the old leader had are lost"
            self.log_event(kind, f"broker {self.leader} becomes leader (epoch {self.epoch}){note}")
        else:
            self.leader = None
            self.log_event("offline", "no live in-sync replica: partition offline")

    def fence(self, b: int) -> None:
        """The controller notices the stopped broker: shrink ISRs, elect a new leader if needed."""
        self.fenced[b] = True
        if b in self.isr and len(self.isr) > 1:  # KRaft keeps the last ISR member
            self.isr.discard(b)
            self.log_event("isr_shrink", f"broker {b} fenced, leaves the ISR")
        if b == self.leader:
            self.elect(self.replicas)
        self.settle()

    def freeze(self, b: int, at: float, end_at: float) -> Process:
        """A SIGSTOP: no fetches, no heartbeats, fenced if it outlasts the session; the thaw
        is a restart without the fencing a new process brings (``freeze_time``)."""
        yield self.env.timeout(at)
        self.alive[b] = False
        self.log_event("freeze", f"broker {b} freezes")
        yield self.env.timeout(min(self.s.session_timeout, end_at - at))
        if self.env.now < end_at:
            self.fence(b)
        yield self.env.timeout(end_at - self.env.now)
        self.restart(b, "thaw", "thaws")

    def restart(self, b: int, kind: str = "restart", verb: str = "restarts") -> None:
        """The broker comes back with its log; it leads if the partition was waiting for it."""
        self.alive[b], self.fenced[b] = True, False
        self.log_event(kind, f"broker {b} {verb}")
        if self.leader is None and (b in self.isr or self.s.unclean_leader_election):
            self.elect([b])
        self.settle()

    def sampler(self) -> Process:
        end = self.s.duration + self.s.request_timeout + 1  # the same window whatever the retries
        while self.env.now < end:
            leader = self.leader
            up = leader is not None and self.alive[leader]
            self.reads[0 if up else 1] += 1
            if up and self.last_failure_handled:
                self.reads[2] += 1
            self.timeline.append({"at": round(self.env.now, 6), "leader": leader,
                                  "isr_size": len(self.isr), "high_watermark":
                                  self.high_watermark(), "leader_alive": up})
            yield self.env.timeout(0.5)

    def final_fates(self) -> None:
        """Where each acknowledged write ended up: kept, lost, or only on stopped brokers."""
        for wid, w in enumerate(self.writes):
            if w["outcome"] == "pending":
                self.decide(wid, "rejected", "REQUEST_TIMED_OUT")
        final = self.logs[self.leader] if self.leader is not None else \
            max(self.logs.values(), key=len)
        copies = Counter(final)
        anywhere = set().union(*self.logs.values())
        for w in self.writes:
            w["copies"] = copies[w["write_id"]]
            if w["outcome"] != "acknowledged":
                continue
            if self.leader is not None:
                w["fate"] = "kept" if w["copies"] else "lost"
            else:
                w["fate"] = "unavailable" if w["write_id"] in anywhere else "lost"


def simulate(scenario: ReplicationScenario) -> ReplicationResult:
    """Run one scenario to ``duration`` (plus time for pending requests to settle)."""
    c = _Cluster(scenario)
    plan = scenario.failure_plan()
    c.env.process(c.producer())
    for b in c.replicas:
        c.env.process(c.follower(b))
    c.env.process(c.isr_checker())
    c.env.process(c.sampler())
    for i, (target, at) in enumerate(plan):
        c.env.process(c.stop(target, at, i == len(plan) - 1))
    if scenario.freeze_time:
        for b in c.replicas[1:]:
            c.env.process(c.freeze(b, *scenario.freeze_window))
    c.last_failure_handled = not plan
    c.env.run(until=scenario.horizon)
    c.final_fates()
    return ReplicationResult(scenario, c.writes, c.events, c.timeline, *c.reads)


def simulate_replication(acks: str | int = "all", replication_factor: int = 3,
                         min_insync_replicas: int = 1,
                         broker_failures: int | Sequence[tuple[int, float]] = 1,
                         *, seed: int = 0, **options: Any) -> ReplicationResult:
    """The lesson's entry point: ``simulate_replication("all", 3, 2, broker_failures=1)``;
    ``acks`` in any of Kafka's spellings, ``options`` the other :class:`ReplicationScenario`
    fields; the result counts ``acknowledged``, ``lost``, ``duplicates``, ``rejected``..."""
    return simulate(scenario_from(acks, replication_factor, min_insync_replicas,
                                  broker_failures, seed=seed, **options))


def replication_table(settings: Sequence[tuple[Any, ...]] = TABLE_SETTINGS, seed: int = 0,
                      **options: Any) -> list[dict]:
    """One summary row per setting (``options`` apply to every row): lesson 05's table, laid
    out by :func:`~course_lib.kafka.views.replication.format_table`."""
    return [simulate_replication(*row, seed=seed, **options).summary() for row in settings]
