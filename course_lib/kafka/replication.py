"""Use case 4, a distributed fault-tolerant log: a simpy model of one partition on 3 brokers.

One laptop runs one broker, so crashing brokers is simulated. The model follows Apache Kafka's
replication protocol closely enough to reproduce its documented guarantees:

* A partition has ``replication_factor`` replicas on different brokers. The **leader** takes all
  writes; **followers** fetch from it every ``fetch_interval`` (that delay is replication lag).
* The **ISR** (in-sync replicas) are the replicas that are caught up. A follower that has not
  caught up for ``replica_lag_time_max`` (``replica.lag.time.max.ms``, 30 s) leaves it; a broker
  that stops heartbeating is fenced by the controller after ``session_timeout``
  (``broker.session.timeout.ms``, 9 s) and leaves every ISR at once.
* The **high watermark** (HW) is the offset every ISR member has; consumers read up to it.
* Producer ``acks``: ``"0"`` — fire and forget, the producer counts every send as done;
  ``"1"`` — the leader acknowledges once it has appended; ``"all"`` — once the HW passes the write,
  i.e. every current ISR member has it. With ``acks="all"`` the leader refuses a write when the
  ISR is smaller than ``min_insync_replicas`` (``NOT_ENOUGH_REPLICAS``), and fails a pending one
  whose ISR shrinks below it (``NOT_ENOUGH_REPLICAS_AFTER_APPEND``). Reads go on regardless.
* When the leader's broker is fenced, the controller elects the first replica (in assignment
  order) that is alive and in the ISR (clean election; ``unclean.leader.election.enable`` is
  false, so with none the partition goes *offline* rather than lose data). The new leader's log is
  the truth: followers cut anything beyond it, and acknowledged writes that only the old leader
  had are **lost**.

A crashed broker's machine is gone: requests to it get no answer. With ``acks`` 1 or ``all`` the
producer times out (``request_timeout``) and knows the write failed (*rejected*); with ``acks=0`` it
never waits, so those writes vanish silently. Simplifications: one partition; the producer does not
retry (a real one retries for ``delivery.timeout.ms``, 2 min); crashed brokers stay down.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import simpy

from course_lib.viz import FAIL_COLOUR, OK_COLOUR, colour, rounded, themed

ACKS = ("0", "1", "all")


@dataclass(frozen=True)
class ReplicationScenario:
    """One partition, its producer and the broker crashes (times in seconds)."""

    acks: str = "all"
    replication_factor: int = 3
    min_insync_replicas: int = 1
    broker_failures: int | tuple[tuple[int, float], ...] = 1
    brokers: int = 3
    write_rate: float = 100.0
    duration: float = 60.0
    first_failure_at: float = 20.0
    failure_gap: float = 15.0
    fetch_interval: float = 0.2
    network_delay: float = 0.001
    session_timeout: float = 9.0
    replica_lag_time_max: float = 30.0
    request_timeout: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        acks = str(self.acks).lower()
        if acks not in ACKS:
            raise ValueError(f"acks must be one of 0, 1, 'all' (got {self.acks!r})")
        object.__setattr__(self, "acks", acks)
        if self.brokers < 1:
            raise ValueError(f"brokers must be >= 1 (got {self.brokers})")
        if not 1 <= self.replication_factor <= self.brokers:
            raise ValueError(f"replication_factor must be in [1, brokers={self.brokers}] "
                             f"(got {self.replication_factor})")
        if not 1 <= self.min_insync_replicas <= self.replication_factor:
            raise ValueError(f"min_insync_replicas must be in [1, replication_factor="
                             f"{self.replication_factor}] (got {self.min_insync_replicas})")
        for name in ("write_rate", "duration", "fetch_interval", "session_timeout",
                     "replica_lag_time_max", "request_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0 (got {getattr(self, name)})")
        if self.network_delay < 0:
            raise ValueError(f"network_delay must be >= 0 (got {self.network_delay})")
        failures = self.broker_failures
        if isinstance(failures, int):
            if not 0 <= failures <= self.brokers:
                raise ValueError(f"broker_failures must be in [0, brokers={self.brokers}] "
                                 f"(got {failures})")
        else:
            failures = tuple((int(b), float(at)) for b, at in failures)
            object.__setattr__(self, "broker_failures", failures)
            for i, (b, at) in enumerate(failures):
                if not 0 <= b < self.brokers:
                    raise ValueError(f"broker_failures[{i}].broker must be in [0, "
                                     f"{self.brokers}) (got {b})")
                if not 0 <= at < self.duration:
                    raise ValueError(f"broker_failures[{i}].at must be in [0, duration="
                                     f"{self.duration}) (got {at})")

    def failure_plan(self) -> list[tuple[int | None, float]]:
        """(broker or None for "the leader at that moment", time) for each crash."""
        if isinstance(self.broker_failures, int):
            return [(None, self.first_failure_at + i * self.failure_gap)
                    for i in range(self.broker_failures)]
        return sorted(self.broker_failures, key=lambda f: f[1])


@dataclass
class ReplicationResult:
    """Flat per-write records, the cluster's events and a sampled timeline."""

    scenario: ReplicationScenario
    writes: list[dict] = field(repr=False)
    events: list[dict]
    timeline: list[dict] = field(repr=False)
    reads_served: int = 0
    reads_failed: int = 0
    reads_served_after_last_failure: int = 0

    def _count(self, **match: Any) -> int:
        return sum(1 for w in self.writes if all(w[k] == v for k, v in match.items()))

    @property
    def acknowledged(self) -> int:
        """Writes the producer was told (or, with acks=0, assumed) succeeded."""
        return self._count(outcome="acknowledged")

    @property
    def lost(self) -> int:
        """Acknowledged, then gone: not in the partition's log at the end."""
        return self._count(outcome="acknowledged", fate="lost")

    @property
    def unavailable(self) -> int:
        """Acknowledged and kept only by crashed brokers (the partition is offline)."""
        return self._count(outcome="acknowledged", fate="unavailable")

    @property
    def rejected(self) -> int:
        """Writes the producer knows failed (an error or a timeout)."""
        return self._count(outcome="rejected")

    def reasons(self) -> dict[str, int]:
        return dict(sorted(Counter(w["reason"] for w in self.writes
                                   if w["outcome"] == "rejected").items()))

    def summary(self) -> dict[str, Any]:
        s = self.scenario
        return {"acks": s.acks, "replication_factor": s.replication_factor,
                "min_insync_replicas": s.min_insync_replicas,
                "broker_failures": len(s.failure_plan()), "writes": len(self.writes),
                "acknowledged": self.acknowledged, "lost": self.lost,
                "unavailable": self.unavailable, "rejected": self.rejected,
                "reads_after_last_failure": self.reads_served_after_last_failure}


class _Cluster:
    """The simpy state of one run; :func:`simulate` builds a fresh one every call."""

    def __init__(self, s: ReplicationScenario) -> None:
        self.s = s
        self.env = simpy.Environment()
        # two streams, so the writes are the same whatever the replication settings
        self.rng = random.Random(2 * s.seed)
        self.fetch_rng = random.Random(2 * s.seed + 1)
        self.replicas = list(range(s.replication_factor))
        self.alive = [True] * s.brokers
        self.logs: dict[int, list[int]] = {b: [] for b in self.replicas}
        self.leader: int | None = 0
        self.epoch = 0
        self.isr = set(self.replicas)
        self.caught_up_at = {b: 0.0 for b in self.replicas}
        self.pending: dict[int, tuple[int, int]] = {}  # write id -> (offset, epoch)
        self.writes: list[dict] = []
        self.events: list[dict] = []
        self.timeline: list[dict] = []
        self.reads = [0, 0, 0]  # served, failed, served after the last failure was handled
        self.last_failure_handled = False

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

    def settle(self) -> None:
        """Acknowledge acks=all writes below the HW; fail those whose ISR fell below the minimum."""
        hw = self.high_watermark()
        for wid, (offset, epoch) in list(self.pending.items()):
            if epoch != self.epoch:
                self.decide(wid, "rejected", "NOT_LEADER (leader changed before ack)")
            elif len(self.isr) < self.s.min_insync_replicas:
                self.decide(wid, "rejected", "NOT_ENOUGH_REPLICAS_AFTER_APPEND")
            elif offset < hw:
                self.decide(wid, "acknowledged")
            elif self.env.now - self.writes[wid]["sent_at"] >= self.s.request_timeout:
                self.decide(wid, "rejected", "REQUEST_TIMED_OUT")

    # -- processes ------------------------------------------------------------------------------
    def producer(self):
        s, wid = self.s, 0
        while True:
            yield self.env.timeout(self.rng.expovariate(s.write_rate))
            if self.env.now >= s.duration:
                return
            self.writes.append({"write_id": wid, "sent_at": round(self.env.now, 6),
                                "outcome": "pending", "reason": "", "decided_at": None,
                                "fate": ""})
            self.send(wid)
            wid += 1

    def send(self, wid: int) -> None:
        s, leader = self.s, self.leader
        if leader is None:
            self.decide(wid, "rejected", "LEADER_NOT_AVAILABLE (partition offline)")
        elif not self.alive[leader]:  # the request goes to a machine that is gone
            if s.acks == "0":
                self.decide(wid, "acknowledged")  # assumed; nobody will ever say otherwise
            else:
                self.env.process(self.time_out(wid))
        elif s.acks == "all" and len(self.isr) < s.min_insync_replicas:
            self.decide(wid, "rejected", "NOT_ENOUGH_REPLICAS")
        else:
            self.logs[leader].append(wid)
            if s.acks == "all":
                self.pending[wid] = (len(self.logs[leader]) - 1, self.epoch)
                self.settle()
            else:
                self.decide(wid, "acknowledged")

    def time_out(self, wid: int):
        yield self.env.timeout(self.s.request_timeout)
        self.decide(wid, "rejected", "REQUEST_TIMED_OUT (leader down)")

    def follower(self, b: int):
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
            # follower was caught up as of then (Kafka's definition for replica.lag.time.max.ms)
            self.logs[b] = snapshot
            self.caught_up_at[b] = requested_at
            if b not in self.isr:
                self.isr.add(b)
                self.log_event("isr_expand", f"broker {b} caught up, rejoins the ISR")
            self.settle()

    def isr_checker(self):
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

    def crash(self, target: int | None, at: float, last: bool):
        yield self.env.timeout(at)
        b = self.leader if target is None else target
        if b is None or not self.alive[b]:
            self.log_event("crash_skipped", "no live leader to crash")
            self.last_failure_handled = self.last_failure_handled or last
            return
        self.alive[b] = False
        self.log_event("crash", f"broker {b} crashes" + (" (the leader)" if b == self.leader
                                                          else ""))
        yield self.env.timeout(self.s.session_timeout)
        self.fence(b)
        if last:
            self.last_failure_handled = True

    def fence(self, b: int) -> None:
        """The controller notices the dead broker: shrink ISRs, elect a new leader if needed."""
        if b in self.isr:
            self.isr.discard(b)
            self.log_event("isr_shrink", f"broker {b} fenced, leaves the ISR")
        if b == self.leader:
            candidates = [r for r in self.replicas if r in self.isr and self.alive[r]]
            self.epoch += 1
            if not candidates:
                self.leader = None
                self.log_event("offline", "no live in-sync replica: partition offline")
            else:
                self.leader = candidates[0]
                new_log = self.logs[self.leader]
                for r in self.replicas:  # followers truncate to the new leader's log
                    if self.alive[r] and r != self.leader and len(self.logs[r]) > len(new_log):
                        self.logs[r] = self.logs[r][:len(new_log)]
                self.log_event("leader_elected", f"broker {self.leader} becomes leader "
                               f"(epoch {self.epoch})")
        self.settle()

    def sampler(self):
        while True:
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
        c.env.process(c.crash(target, at, i == len(plan) - 1))
    c.last_failure_handled = not plan
    c.env.run(until=scenario.duration + scenario.request_timeout + 1)
    for wid in list(c.pending):
        c.decide(wid, "rejected", "REQUEST_TIMED_OUT")
    final = set(c.logs[c.leader]) if c.leader is not None else set()
    anywhere = set().union(*c.logs.values())
    for w in c.writes:
        if w["outcome"] != "acknowledged":
            continue
        if c.leader is not None:
            w["fate"] = "kept" if w["write_id"] in final else "lost"
        else:
            w["fate"] = "unavailable" if w["write_id"] in anywhere else "lost"
    return ReplicationResult(scenario, c.writes, c.events, c.timeline, *c.reads)


def simulate_replication(acks: str | int = "all", replication_factor: int = 3,
                         min_insync_replicas: int = 1,
                         broker_failures: int | Sequence[tuple[int, float]] = 1,
                         *, seed: int = 0, **options: Any) -> ReplicationResult:
    """The lesson's entry point: ``simulate_replication("all", 3, 2, broker_failures=1)``.

    ``options`` are the other :class:`ReplicationScenario` fields (``write_rate``,
    ``fetch_interval``, ``session_timeout``, ...). The result reports ``acknowledged``, ``lost``
    (acknowledged, then gone) and ``rejected`` write counts.
    """
    if not isinstance(broker_failures, int):
        broker_failures = tuple(tuple(f) for f in broker_failures)
    return simulate(ReplicationScenario(acks=str(acks), replication_factor=replication_factor,
                                        min_insync_replicas=min_insync_replicas,
                                        broker_failures=broker_failures, seed=seed, **options))


# -- views: a table of settings, a timeline figure, the dashboard's render function ----------------

TABLE_SETTINGS = (  # (acks, replication_factor, min_insync_replicas, broker_failures)
    ("0", 3, 1, 1), ("1", 3, 1, 1), ("all", 3, 2, 1), ("all", 3, 2, 2), ("all", 3, 1, 2),
    ("all", 1, 1, 1),
)


def replication_table(settings=TABLE_SETTINGS, seed: int = 0, **options: Any) -> list[dict]:
    """One summary row per setting: the "acknowledged vs lost vs rejected" table."""
    return [simulate_replication(*row, seed=seed, **options).summary() for row in settings]


def format_table(rows: list[dict]) -> str:
    """Fixed-width text (deterministic, readable in a diff)."""
    cols = ("acks", "replication_factor", "min_insync_replicas", "broker_failures",
            "acknowledged", "lost", "unavailable", "rejected", "reads_after_last_failure")
    heads = ("acks", "RF", "min.isr", "failures", "acknowledged", "lost", "unavailable",
             "rejected", "reads after")
    widths = [max(len(h), *(len(str(r[c])) for r in rows)) for h, c in zip(heads, cols,
                                                                          strict=True)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    lines += ["  ".join(str(r[c]).rjust(w) for c, w in zip(cols, widths, strict=True))
              for r in rows]
    return "\n".join(lines)


def replication_figure(result: ReplicationResult) -> go.Figure:
    """Cumulative writes by outcome over send time, with the cluster's events marked."""
    s = result.scenario
    step = 0.5
    edges = [i * step for i in range(int(s.duration / step) + 1)]
    kinds = {"acknowledged, kept": (OK_COLOUR, lambda w: w["outcome"] == "acknowledged"
                                    and w["fate"] == "kept"),
             "acknowledged, then lost": (FAIL_COLOUR, lambda w: w["fate"] == "lost"),
             "acknowledged, unavailable": (colour(3), lambda w: w["fate"] == "unavailable"),
             "rejected (producer told)": (colour(1), lambda w: w["outcome"] == "rejected")}
    fig = go.Figure()
    for name, (col, pred) in kinds.items():
        times = sorted(w["sent_at"] for w in result.writes if pred(w))
        counts, i = [], 0
        for edge in edges:
            while i < len(times) and times[i] <= edge:
                i += 1
            counts.append(i)
        fig.add_trace(go.Scatter(x=rounded(edges, 2), y=counts, name=name, mode="lines",
                                 line={"color": col}))
    for e in result.events:
        if e["kind"] in ("crash", "leader_elected", "offline"):
            fig.add_vline(x=e["at"], line={"dash": "dash", "color": "grey", "width": 1},
                          annotation_text=e["detail"], annotation_textangle=-90,
                          annotation_font_size=10)
    title = (f"acks={s.acks}, RF={s.replication_factor}, "
             f"min.insync.replicas={s.min_insync_replicas}")
    return themed(fig, title=title, x_title="time the write was sent (s)",
                  y_title="writes (cumulative)", legend_title="outcome")


def render_replication(acks: str = "1", min_insync_replicas: int = 1, broker_failures: int = 1,
                       fetch_interval: float = 0.2, seed: int = 0):
    """The dashboard's render function: (figure, one-line summary)."""
    result = simulate_replication(acks, 3, min_insync_replicas, broker_failures,
                                  fetch_interval=fetch_interval, seed=seed)
    s = result.summary()
    text = (f"acknowledged {s['acknowledged']}, lost {s['lost']}, "
            f"unavailable {s['unavailable']}, rejected {s['rejected']} "
            f"{result.reasons() or ''}")
    return replication_figure(result), text.strip()


def describe_topic_replicas(topic: str) -> list[dict]:
    """The real topic's partitions: leader, replicas and ISR (from the broker's metadata)."""
    from course_lib.kafka.clients import make_admin

    admin = make_admin()
    try:
        described = admin.describe_topics([topic])
    finally:
        admin.close()
    return [{"partition": p["partition_index"], "leader": p["leader_id"],
             "replicas": list(p["replica_nodes"]), "isr": list(p["isr_nodes"])}
            for t in described for p in sorted(t["partitions"], key=lambda p: p["partition_index"])]


def replicated_topic(partitions: int = 2) -> tuple[int, str, list[dict]]:
    """Create a topic replicated ``min(3, brokers)`` times on the real cluster and describe it.

    Returns (number of brokers, topic name, partitions). The embedded broker is a single node,
    so there RF is 1; an external 3-broker cluster shows 3 replicas and the ISR of each partition.
    """
    from course_lib.kafka.clients import make_admin
    from course_lib.kafka.pipeline import create_topic

    admin = make_admin()
    try:
        brokers = len(admin.describe_cluster()["brokers"])
    finally:
        admin.close()
    topic = create_topic("replicated", partitions, replication_factor=min(3, brokers))
    return brokers, topic, describe_topic_replicas(topic)
