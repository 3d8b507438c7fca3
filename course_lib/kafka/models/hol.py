"""Partitions in the decision model: per-partition order and head-of-line blocking.

What distinguishes Kafka from a classic broker is not speed but the partitioned log:

* **Kafka**: records are spread over ``partitions`` by key; within a consumer group each
  partition is read by exactly one consumer, in offset order, and the group's progress is one
  committed offset per partition. A consumer cannot skip a record and come back to it: the
  offset only moves forward. So one **slow** record (a call that hangs, a huge payload) or
  **poison** record (one that fails every time and is retried) holds up every record behind it
  *in its partition* until it is done, while the other partitions flow on. That is
  **head-of-line blocking**, the price of per-key order. Consumers beyond the partition count
  idle (lesson 04).
* **A classic broker** (RabbitMQ-style): one queue, each message handed to any free consumer
  and acknowledged on its own. A slow message occupies one consumer; the others keep taking the
  messages behind it, so nothing waits behind it (and nothing keeps per-key order unless you
  arrange it). A poison message is redelivered a bounded number of times, then dead-lettered.
  Kafka 4.2's *share groups* (KIP-932) bring the same per-record acknowledgement to topics.

The model is deterministic on purpose (records arrive every ``1 / produce_rate`` s, keyed
round-robin over the partitions, each takes ``processing_time``; record ``slow_index`` takes
``slow_time``): so a run with the slow record and one without differ *only* by the slow
record's effect, which is what :func:`extra_delays` measures per partition. Its figures are
assumptions, not measurements.

Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import simpy

from course_lib.core.validate import description, integer, number, one_of
from course_lib.kafka.models.group import range_assignment

HOL_STYLES = ("kafka", "message_broker")


@description
@dataclass(frozen=True)
class HolScenario:
    """Traffic, partitions and consumers, and the one slow record."""

    style: str = "kafka"
    partitions: int = 3
    consumers: int = 3
    records: int = 300
    produce_rate: float = 300.0  # records per second, evenly spaced
    processing_time: float = 0.002  # seconds per ordinary record
    slow_index: int | None = 30  # which record is slow (None: no slow record)
    slow_time: float = 0.5  # seconds the slow record takes

    def __post_init__(self) -> None:
        one_of("style", self.style, HOL_STYLES)
        integer("partitions", self.partitions, ge=1)
        integer("consumers", self.consumers, ge=1)
        integer("records", self.records, ge=1)
        number("produce_rate", self.produce_rate, gt=0)
        number("processing_time", self.processing_time, ge=0)
        number("slow_time", self.slow_time, ge=0)
        if self.slow_index is not None:
            integer("slow_index", self.slow_index, ge=0, le=self.records - 1,
                    high_name="records - 1")

    def partition_of(self, index: int) -> int:
        return index % self.partitions

    def owners(self) -> list[list[int]]:
        """The range assignment: consumer i's partitions (extra consumers get none)."""
        return range_assignment(self.partitions, self.consumers)


@dataclass(frozen=True)
class HolResult:
    """Per record: (partition, arrived at, done at), in record order."""

    scenario: HolScenario
    records: list[tuple[int, float, float]]

    def response_times(self) -> list[float]:
        return [done - at for _, at, done in self.records]

    def consumers_used(self) -> int:
        """Consumers that get work: all of them for a broker, only partition owners for Kafka."""
        if self.scenario.style == "message_broker":
            return min(self.scenario.consumers, self.scenario.records)
        return sum(1 for owned in self.scenario.owners() if owned)


def simulate(scenario: HolScenario) -> HolResult:
    """Run the records through Kafka's per-partition order or a broker's shared queue."""
    env = simpy.Environment()
    done: dict[int, float] = {}
    cost = [scenario.slow_time if i == scenario.slow_index else scenario.processing_time
            for i in range(scenario.records)]
    if scenario.style == "kafka":
        logs = [simpy.Store(env) for _ in range(scenario.partitions)]
        for owned in scenario.owners():
            member = simpy.Resource(env, capacity=1)  # one consumer: one record at a time
            for p in owned:
                env.process(_partition_reader(env, logs[p], member, cost, done))
    else:
        queue = simpy.Store(env)
        logs = [queue] * scenario.partitions
        for _ in range(scenario.consumers):
            env.process(_queue_consumer(env, queue, cost, done))
    env.process(_producer(env, scenario, logs))
    env.run()
    gap = 1 / scenario.produce_rate
    return HolResult(scenario, [(scenario.partition_of(i), i * gap, done[i])
                                for i in range(scenario.records)])


simulate_hol = simulate  # its first name, which its tests use (every model's engine: simulate)


def _producer(env, scenario: HolScenario, logs):
    for i in range(scenario.records):
        yield logs[scenario.partition_of(i)].put(i)
        if i + 1 < scenario.records:
            yield env.timeout(1 / scenario.produce_rate)


def _partition_reader(env, log, member, cost, done):
    """One partition, read strictly in offset order by the member that owns it."""
    while True:
        index = yield log.get()  # the next offset; the one after waits until this one is done
        with member.request() as turn:
            yield turn
            yield env.timeout(cost[index])
        done[index] = env.now


def _queue_consumer(env, queue, cost, done):
    while True:
        index = yield queue.get()
        yield env.timeout(cost[index])
        done[index] = env.now


def extra_delays(scenario: HolScenario) -> dict[str, str | float | int]:
    """What the slow record cost: the same run with and without it, compared record by record."""
    if scenario.slow_index is None:
        raise ValueError("slow_index is None: there is no slow record to measure")
    slow = simulate(scenario)
    base = simulate(replace(scenario, slow_index=None))
    p_slow = scenario.partition_of(scenario.slow_index)
    extra = [(p, round(s_done - b_done, 6)) for i, ((p, _, s_done), (_, _, b_done))
             in enumerate(zip(slow.records, base.records, strict=True))
             if i != scenario.slow_index]
    same = [e for p, e in extra if p == p_slow]
    other = [e for p, e in extra if p != p_slow]
    return {"style": scenario.style, "consumers_used": slow.consumers_used(),
            "delayed_same_partition": sum(1 for e in same if e > 0),
            "max_extra_delay_same_partition_ms": round(1000 * max(same, default=0.0), 1),
            "delayed_other_partitions": sum(1 for e in other if e > 0),
            "max_extra_delay_other_partitions_ms": round(1000 * max(other, default=0.0), 1)}

