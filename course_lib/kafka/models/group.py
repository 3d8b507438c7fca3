"""A simpy model of producers, partitions and one consumer group: when does lag grow?

One laptop cannot show an hour of traffic, so lesson 04 models it. Producers write ``produce_rate``
messages per second (Poisson), each to a partition chosen by hashing its key (uniformly over the
``partitions``). The group's ``consumers`` split the partitions with Kafka's *range* assignor;
each consumer processes one message at a time, ``processing_time`` seconds each, and commits after
each message. The lag of a partition is its log-end offset minus its committed offset, exactly
what :mod:`course_lib.kafka.clients.lag` measures on the real broker.

The capacity arithmetic the simulation is checked against:

* one consumer handles at most μ = 1 / ``processing_time`` messages per second;
* a consumer that owns k of the P partitions receives λ·k/P of the traffic (keys are uniform);
* its lag drifts upwards (at λ·k/P − μ per second) iff λ·k/P > μ; at exactly λ·k/P = μ there
  is no drift but no bound either (a queue at 100 % utilisation is null-recurrent: its lag
  wanders ever further, like a random walk). So the lag stays bounded iff λ·k/P < μ, and the
  group keeps up iff the *busiest* consumer does: λ < μ·P / max_k. When the consumers divide the
  partitions evenly this is the familiar λ < min(consumers, partitions)·μ; consumers beyond the
  partition count get no partition and add nothing;
* a consumer that keeps up is an M/M/1 queue (Poisson arrivals thinned by hashing, exponential
  processing), so its mean lag is ρ/(1 − ρ) with ρ = λ·k/(P·μ).

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import simpy

from course_lib.core import progress
from course_lib.core.engines import check_engine, seeded, stream
from course_lib.core.validate import description, integer, number, one_of
from course_lib.kafka.models.group_fast import simulate_group_fast

__all__ = ["GroupResult", "GroupScenario", "LagSample", "consumer_loads", "group_capacity",
           "idle_note", "lag_growth_rate", "range_assignment", "simulate", "simulate_group",
           "sweep"]


def range_assignment(partitions: int, consumers: int) -> list[list[int]]:
    """Kafka's range assignor for one topic: consumer i gets a contiguous run of partitions.

    The first ``partitions % consumers`` consumers get one extra; consumers beyond the partition
    count get ``[]``. E.g. ``range_assignment(3, 2) == [[0, 1], [2]]``.
    """
    per, extra = divmod(partitions, consumers)
    out, start = [], 0
    for i in range(consumers):
        n = per + (1 if i < extra else 0)
        out.append(list(range(start, start + n)))
        start += n
    return out


def idle_note(consumers: int, partitions: int) -> str:
    """The sentence a learner sees when a group has more consumers than partitions ("" when
    none idle). Not an error: Kafka accepts them, and they are standbys for a rebalance."""
    idle = max(0, consumers - partitions)
    if not idle:
        return ""
    return (f"{idle} of {consumers} consumers idle: each partition goes to one consumer of the "
            f"group, so {partitions} partitions keep at most {partitions} busy; the idle ones are "
            f"standbys that take over in a rebalance (more partitions would put them to work)")


@description
@dataclass(frozen=True)
class GroupScenario:
    """What the system is: traffic, partitions, consumers, work per message, how long to run."""

    produce_rate: float = 100.0  # messages per second, all producers together
    partitions: int = 6
    consumers: int = 2
    processing_time: float = 0.02  # seconds per message (mean), per consumer
    duration: float = 60.0  # seconds of simulated time
    sample_interval: float = 1.0  # seconds between lag samples
    processing: str = "exponential"  # or "fixed"
    seed: int = 0  # of every random stream of the run (core.engines.stream)

    def __post_init__(self) -> None:
        for name in ("produce_rate", "processing_time", "duration", "sample_interval"):
            number(name, getattr(self, name), gt=0)
        for name in ("partitions", "consumers"):
            integer(name, getattr(self, name), ge=1)
        if self.sample_interval > self.duration:
            raise ValueError(f"sample_interval must be <= duration ({self.duration!r}) "
                             f"(got {self.sample_interval!r})")
        one_of("processing", self.processing, ("exponential", "fixed"))
        integer("seed", self.seed, ge=0)

    @property
    def idle_consumers(self) -> int:
        """Consumers the range assignor gives no partition (those beyond the partition count)."""
        return max(0, self.consumers - self.partitions)

    @property
    def consumer_rate(self) -> float:
        """μ: messages per second one busy consumer completes."""
        return 1.0 / self.processing_time

    def assignment(self) -> list[list[int]]:
        return range_assignment(self.partitions, self.consumers)


def consumer_loads(s: GroupScenario) -> list[float]:
    """Messages per second arriving at each consumer's partitions: λ·k/P."""
    return [s.produce_rate * len(parts) / s.partitions for parts in s.assignment()]


def group_capacity(s: GroupScenario) -> float:
    """μ·P / (partitions of the busiest): the group keeps up with any produce rate *below* this.

    At exactly this rate the busiest consumer is 100 % utilised and its lag is unbounded.
    """
    busiest = max(len(parts) for parts in s.assignment())
    return s.consumer_rate * s.partitions / busiest


def lag_growth_rate(s: GroupScenario) -> float:
    """Long-run growth of the total lag, messages/s: Σ over consumers of max(0, load − μ)."""
    return sum(max(0.0, load - s.consumer_rate) for load in consumer_loads(s))


@dataclass(frozen=True)
class LagSample:
    """A partition's offsets at one instant (flat record, one per partition per sample)."""

    time_at: float
    partition: int
    consumer: int | None  # None: no consumer owns the partition (cannot happen with range)
    log_end_offset: int
    committed_offset: int

    @property
    def lag(self) -> int:
        return self.log_end_offset - self.committed_offset


@dataclass
class GroupResult:
    scenario: GroupScenario
    samples: list[LagSample]
    produced: int
    processed: int
    response_time_sum: float = field(repr=False, default=0.0)

    def times(self) -> list[float]:
        return sorted({x.time_at for x in self.samples})

    def total_lag(self) -> list[int]:
        """Total lag at each sample time (same order as :meth:`times`)."""
        totals: dict[float, int] = {}
        for x in self.samples:
            totals[x.time_at] = totals.get(x.time_at, 0) + x.lag
        return [totals[t] for t in sorted(totals)]

    def consumer_lag(self, consumer: int) -> list[int]:
        """Lag summed over ``consumer``'s partitions at each sample time."""
        totals = dict.fromkeys(self.times(), 0)
        for x in self.samples:
            if x.consumer == consumer:
                totals[x.time_at] += x.lag
        return [totals[t] for t in sorted(totals)]

    def measured_growth_rate(self) -> float:
        """(lag at the end − lag at half time) / (half the horizon): messages per second.

        With very few samples (a run barely longer than one ``sample_interval``) the half-time
        sample is the last one; the one before it is used then, and 0.0 with a single sample."""
        times, lag = self.times(), self.total_lag()
        if len(times) < 2:
            return 0.0
        half = next(i for i, t in enumerate(times) if t >= times[-1] / 2)
        half = min(half, len(times) - 2)
        return (lag[-1] - lag[half]) / (times[-1] - times[half])

    @property
    def idle_consumers(self) -> int:
        """Consumers with no partition: they process nothing (see :func:`idle_note`)."""
        return self.scenario.idle_consumers

    def summary(self) -> dict[str, float | int | bool]:
        """The headline numbers; ``idle_consumers`` only when some are (lesson 04's stored
        summaries predate it, and none of them has more consumers than partitions)."""
        s = self.scenario
        out: dict[str, float | int | bool] = {
            "produced": self.produced,
            "processed": self.processed,
            "final_lag": self.total_lag()[-1],
            "capacity_per_s": round(group_capacity(s), 3),
            # >=: at exactly 100 % load the lag has no drift but is unbounded (null-recurrent)
            "lag_grows": s.produce_rate >= group_capacity(s),
            "theory_growth_per_s": round(lag_growth_rate(s), 3),
            "measured_growth_per_s": round(self.measured_growth_rate(), 3),
            "mean_response_time_s": (round(self.response_time_sum / self.processed, 4)
                                     if self.processed else 0),
        }
        if self.idle_consumers:
            out["idle_consumers"] = self.idle_consumers
        return out


def simulate_group(scenario: GroupScenario, seed: int | None = None, *,
                   engine: str = "auto") -> GroupResult:
    """:func:`simulate`, under the name lesson 04 calls; ``seed`` (kept for one release)
    overrides ``scenario.seed`` (:func:`course_lib.core.engines.seeded`)."""
    return simulate(seeded(scenario, seed), engine=engine)


def simulate(scenario: GroupScenario, *, engine: str = "auto") -> GroupResult:
    """Run the model for ``duration`` seconds; fresh simpy state and RNG on every call.

    ``engine="simpy"`` runs the simpy model below. The default ``"auto"`` computes the same run
    by event arithmetic (:mod:`course_lib.kafka.models.group_fast`): an identical result, several
    times faster, so that lesson 04's dashboard redraws within 100 ms of a slider move.
    """
    if check_engine(engine) == "auto":
        run = simulate_group_fast(scenario)
        return GroupResult(scenario, [LagSample(*row) for row in run.samples], run.produced,
                           run.processed, run.response_time_sum)
    s = scenario
    env = simpy.Environment()
    # streams named 0, 1, 2 (not "arrivals", "keys", "work"): the names are part of the draws,
    # and lesson 04's stored lag figures and tests' numbers were made with these
    arrivals_rng, keys_rng, work_rng = (stream(s.seed, n) for n in range(3))
    assignment = s.assignment()
    owner = {p: c for c, parts in enumerate(assignment) for p in parts}
    end = [0] * s.partitions  # log-end offsets
    committed = [0] * s.partitions
    produced_at: list[list[float]] = [[] for _ in range(s.partitions)]
    wakeups = [env.event() for _ in assignment]
    samples: list[LagSample] = []
    stats: dict[str, float] = {"produced": 0, "processed": 0, "response_time": 0.0}

    def producer():
        while True:
            yield env.timeout(arrivals_rng.expovariate(s.produce_rate))
            p = keys_rng.randrange(s.partitions)
            end[p] += 1
            produced_at[p].append(env.now)
            stats["produced"] += 1
            c = owner[p]
            if not wakeups[c].triggered:
                wakeups[c].succeed()

    def consumer(c: int, parts: list[int]):
        turn = 0
        while True:
            ready = [p for p in parts if committed[p] < end[p]]
            if not ready:
                wakeups[c] = env.event()
                yield wakeups[c]
                continue
            p = ready[turn % len(ready)]  # round robin over partitions with a backlog
            turn += 1
            work = (work_rng.expovariate(s.consumer_rate) if s.processing == "exponential"
                    else s.processing_time)
            yield env.timeout(work)
            stats["response_time"] += env.now - produced_at[p][committed[p]]
            committed[p] += 1  # commit after processing
            stats["processed"] += 1

    def sampler():
        while True:
            for p in range(s.partitions):
                samples.append(LagSample(round(env.now, 9), p, owner.get(p), end[p], committed[p]))
            yield env.timeout(s.sample_interval)

    env.process(producer())
    for c, parts in enumerate(assignment):
        if parts:
            env.process(consumer(c, parts))
    env.process(sampler())
    env.run(until=s.duration + 1e-9)
    return GroupResult(s, samples, int(stats["produced"]), int(stats["processed"]),
                       stats["response_time"])


def sweep(base: GroupScenario, consumers: Sequence[int], seed: int | None = None) -> list[dict]:
    """Simulate ``base`` with each consumer count; one row per count (theory and measured).
    ``seed`` (kept for one release) overrides ``base.seed``."""
    base = seeded(base, seed)
    rows = []
    consumers = list(consumers)  # lesson 04's sweep of 9 takes seconds: say how far it is
    with progress.task("sweep", f"{len(consumers)} group sizes simulated") as task:
        for n in task.steps(consumers, lambda n: f"{n} consumers, run"):
            r = simulate(replace(base, consumers=n)).summary()
            rows.append({"consumers": n, "capacity_per_s": r["capacity_per_s"],
                         "theory_growth_per_s": r["theory_growth_per_s"],
                         "measured_growth_per_s": r["measured_growth_per_s"]})
    return rows
