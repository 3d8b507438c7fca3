"""The engine of the replication model: :func:`simulate` runs a :class:`ReplicationScenario`
by the rules listed in :mod:`course_lib.kafka.models.replication`, in fresh simpy state. Send
times and fetch jitter keep their own seeded streams, so ``acks`` or retries leave the writes
unchanged; lost acknowledgements draw from a third, used only when ``lost_ack_rate > 0``.

The partition's state and the leader's answers are
:class:`~course_lib.kafka.models.replication_leader.Partition`; here are the processes that move
time on. A dashboard redraws a whole run per slider move, so the busiest paths take the exact
shortcuts of :mod:`~course_lib.kafka.models.replication_shortcuts`. (05.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from course_lib.kafka.models.replication import (
    METADATA_REFRESH_S,
    SHUTDOWN_MOVE_S,
    SHUTDOWN_STALE_S,
    ReplicationResult,
    ReplicationScenario,
    scenario_from,
)
from course_lib.kafka.models.replication_leader import Partition, Process
from course_lib.kafka.models.replication_shortcuts import fetch_into, gaps

__all__ = ["TABLE_SETTINGS", "replication_table", "simulate", "simulate_replication"]

TABLE_SETTINGS = (  # (acks, replication_factor, min_insync_replicas, broker_failures)
    ("0", 3, 1, 1), ("1", 3, 1, 1), ("all", 3, 2, 1), ("all", 3, 2, 2), ("all", 3, 1, 2),
    ("all", 1, 1, 1))


class _Cluster(Partition):
    """A partition and the processes that run it; :func:`simulate` builds a fresh one per run."""

    def producer(self) -> Process:
        s, env, writes, pending = self.s, self.env, self.writes, self.pending
        # the common case of send(), inline: a live leader that takes the write appends it,
        # and with acks=0, or acks=1 and every answer arriving, acknowledges it at once
        at_once = s.acks == "0" or (s.acks == "1" and not s.lost_ack_rate)
        expected = int(s.produce_rate * s.duration * 1.05) + 64  # writes, and a few more
        for gap in gaps(self.rng, s.produce_rate, expected):
            if not env.skip_to(env.now + gap):
                yield env.timeout(gap)
            if env.now >= s.duration:
                return
            wid, stamp, leader = len(writes), round(env.now, 6), self.leader
            slots = self.slots
            if leader is not None and self.alive[leader] and env.now >= self.refresh_until and (
                    at_once or s.acks == "all" and len(self.isr) >= s.min_insync_replicas
                    and (slots is None or not slots.full())):
                writes.append({"write_id": wid, "sent_at": stamp,
                               "outcome": "acknowledged" if at_once else "pending",
                               "reason": "", "decided_at": stamp if at_once else None,
                               "fate": "", "attempts": 1, "copies": 0})
                self.attempt_at[wid] = stamp
                log = self.logs[leader]
                log.append(wid)
                if not at_once:
                    if slots is not None:
                        slots.open_request([wid])
                        self.time_out(wid, "REQUEST_TIMED_OUT", s.request_timeout)
                    pending[wid] = (len(log) - 1, self.epoch)
                    self.settle()
            else:
                writes.append({"write_id": wid, "sent_at": stamp, "outcome": "pending",
                               "reason": "", "decided_at": None, "fate": "", "attempts": 0,
                               "copies": 0})
                self.send(wid)

    def follower(self, b: int) -> Process:
        s, env, draw = self.s, self.env, self.fetch_rng.uniform
        while True:
            wait = s.fetch_interval * draw(0.5, 1.5)
            if not env.skip_to(env.now + wait):
                yield env.timeout(wait)
            leader, epoch = self.leader, self.epoch
            if not self.alive[b] or leader is None or leader == b or not self.alive[leader]:
                continue
            requested_at, source = env.now, self.logs[leader]
            end, asked = len(source), len(self.logs[b])
            if not env.skip_to(env.now + 2 * s.network_delay):
                yield env.timeout(2 * s.network_delay)
            if not (self.alive[b] and self.alive[leader] and self.epoch == epoch):
                continue
            # the fetch returns everything up to the leader's log end at request time, so the
            # follower was caught up as of then (Kafka's definition for replica.lag.time.max.ms);
            # a restarted broker's divergent tail is cut here (truncation to the leader's log)
            self.known_hw[b] = self.high_watermark()  # the answer carries the leader's HW
            fetch_into(self.logs, self.synced, b, source, end)
            self.reported[b] = min(asked, end)  # the leader knows what b asked from, no more
            self.caught_up_at[b] = requested_at
            if b not in self.isr:
                self.isr.add(b)
                self.elr.discard(b)
                if len(self.isr) >= s.min_insync_replicas:
                    self.elr.clear()  # the watermark moves again: nobody else is eligible
                self.log_event("isr_expand", f"broker {b} caught up, rejoins the ISR")
            self.settle()

    def isr_checker(self) -> Process:
        s = self.s
        while True:
            yield self.env.timeout(0.5)
            if self.leader is not None and self.alive[self.leader]:
                for b in sorted(self.isr - {self.leader}):
                    if self.env.now - self.caught_up_at[b] > s.replica_lag_time_max:
                        self.shrink(b, f"lags > {s.replica_lag_time_max:g} s")
            self.settle()

    def stop(self, target: int | None, at: float, last: bool) -> Process:
        """A crash or a kill (fenced ``session_timeout`` later) or a controlled shutdown (its
        leaderships moved ``SHUTDOWN_MOVE_S`` later); see ``failure_kind``."""
        s = self.s
        yield self.env.timeout(at)
        b = self.leader if target is None else target
        if b is None or not self.alive[b]:
            self.log_event("crash_skipped", "no live leader to crash")
            self.last_failure_handled = self.last_failure_handled or last
            return
        was_leader = " (the leader)" if b == self.leader else ""
        if s.failure_kind == "controlled":
            self.log_event("controlled_shutdown", f"broker {b} shuts down{was_leader}")
            yield self.env.timeout(SHUTDOWN_MOVE_S)  # it works on while the controller acts
            self.alive[b] = False
            if b == self.leader:  # the producer's metadata still names it for a while
                self.stale_leader = b
                self.stale_until = self.env.now + SHUTDOWN_STALE_S
                self.refresh_until = self.stale_until + METADATA_REFRESH_S
            self.fence(b)
        else:
            self.alive[b] = False
            if b == self.leader:
                self.drop_requests(killed=s.failure_kind == "kill")
            if s.failure_kind == "kill":
                self.killed_at[b] = self.env.now
            verb = "is killed" if s.failure_kind == "kill" else "crashes"
            self.log_event("crash", f"broker {b} {verb}{was_leader}")
            wait = s.session_timeout if s.down_time is None \
                else min(s.session_timeout, s.down_time)
            yield self.env.timeout(wait)
            if not self.fenced[b]:
                self.fence(b)
        if last:
            self.last_failure_handled = True
        if s.down_time is not None:
            yield self.env.timeout(at + s.down_time - self.env.now)
            self.killed_at.pop(b, None)
            if s.failure_kind != "controlled":
                self.elr.discard(b)  # back from an unclean shutdown: it may miss records
            self.restart(b)

    def drop_requests(self, killed: bool) -> None:
        """The leader stopped with acks=all requests waiting: a killed process's
        connection resets (they fail at once), a vanished host's requests time out."""
        waiting = list(self.pending)
        self.pending.clear()
        for wid in waiting:
            if killed:
                self.fail(wid, "KafkaConnectionError (connection reset)")
            else:
                wait = self.attempt_at[wid] + self.s.request_timeout - self.env.now
                self.time_out(wid, "REQUEST_TIMED_OUT (leader down)", wait)

    def shrink(self, b: int, why: str) -> None:
        """``b`` leaves the ISR; below ``min_insync_replicas`` it stays eligible (ELR)."""
        self.isr.discard(b)
        if len(self.isr) < self.s.min_insync_replicas:
            self.elr.add(b)
        self.log_event("isr_shrink", f"broker {b} {why}, leaves the ISR")

    def elect(self, unclean_candidates: Sequence[int]) -> None:
        """Clean election from the live ISR, then from the live ELR; else unclean (if
        enabled) or offline."""
        clean = [r for r in self.replicas if r in self.isr and self.alive[r]]
        eligible = [r for r in self.replicas if r in self.elr and self.alive[r]]
        unclean = [r for r in unclean_candidates if self.alive[r]] \
            if self.s.unclean_leader_election else []
        self.epoch += 1
        if clean or eligible or unclean:
            leader = (clean or eligible or unclean)[0]
            self.take_over(leader)
            if not clean:
                self.isr = {leader}
                self.elr.discard(leader)
                if not eligible:
                    self.elr.clear()
            new_log = self.logs[leader]
            for r in self.replicas:  # followers truncate to the new leader's log
                if self.alive[r] and r != leader and len(self.logs[r]) > len(new_log):
                    self.logs[r] = self.logs[r][:len(new_log)]
            kind = "leader_elected" if clean or eligible else "unclean_leader_elected"
            note = " from the eligible leader replicas (ELR)" if not clean and eligible \
                else "" if clean else ", out of sync: records only the old leader had are lost"
            self.log_event(kind, f"broker {leader} becomes leader (epoch {self.epoch}){note}")
            if self.held:
                self.env.process(self.release())
        else:
            if self.leader is not None:
                self.known_hw[self.leader] = self.hw
            self.leader = None
            self.log_event("offline", "no live in-sync replica: partition offline")

    def fence(self, b: int) -> None:
        """The controller notices the stopped broker: shrink ISRs, elect a new leader if needed."""
        self.fenced[b] = True
        if b in self.isr and len(self.isr) > 1:  # KRaft keeps the last ISR member
            self.shrink(b, "fenced")
        if b == self.leader:
            self.elect(self.replicas)
        self.settle()

    def freeze(self, b: int, at: float, end_at: float) -> Process:
        """A SIGSTOP: no fetches, no heartbeats, fenced if it outlasts the session; the thaw
        is a restart without the fencing a new process brings (``freeze_time``)."""
        yield self.env.timeout(at)
        self.alive[b] = False
        # its long-poll fetch stays parked on the leader, which answers it at its next append:
        # the frozen process never reads that answer (nor reports it), until it thaws
        leader = self.leader
        parked = (leader, len(self.logs[leader]) + 1) if leader is not None else None
        self.log_event("freeze", f"broker {b} freezes")
        yield self.env.timeout(min(self.s.session_timeout, end_at - at))
        if self.env.now < end_at:
            self.fence(b)
        yield self.env.timeout(end_at - self.env.now)
        if parked is not None and self.epoch == 0:  # read on thaw, if no election came first
            answer = self.logs[parked[0]][:parked[1]]
            if len(answer) > len(self.logs[b]) and answer[:len(self.logs[b])] == self.logs[b]:
                self.logs[b] = answer
        self.restart(b, "thaw", "thaws")

    def restart(self, b: int, kind: str = "restart", verb: str = "restarts") -> None:
        """The broker comes back with its log; it leads if the partition was waiting for it."""
        self.alive[b], self.fenced[b] = True, False
        self.log_event(kind, f"broker {b} {verb}")
        if self.leader is None:  # the controller acts once every broker back now is registered
            self.env.timeout(0).callbacks.append(lambda _: self.elect_returning(b))
        self.settle()

    def elect_returning(self, b: int) -> None:
        """A leaderless partition gets ``b`` (or an eligible replica back at the same
        instant) if it may lead: in the ISR, in the ELR, or by an unclean election."""
        if self.leader is None and (b in self.isr or b in self.elr
                                    or self.s.unclean_leader_election):
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
