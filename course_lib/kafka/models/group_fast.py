"""Lesson 04's consumer-group model by event arithmetic: the simpy model's very run, faster.

:func:`course_lib.kafka.models.group.simulate` (``engine="simpy"``) is the teaching model: a
producer process that wakes once per message, one process per consumer, a sampler. Lesson 04's
dashboard re-runs it on every slider move, and at the produce-rate slider's top (400 msg/s for
60 s: 24,000 messages, about 100,000 simpy events) the run alone took about 60 ms of a 100 ms
redraw budget, more on a busy machine. :func:`simulate_group_fast` computes the *same* run, not
an approximation: it draws the same random numbers in the same order and does the same
floating-point additions, so every lag sample, count and the response-time sum are identical
(``tests/test_group_fast.py`` compares the two field by field over many seeds and settings).

How:

* **The producer depends on nothing else**, so its whole run is drawn up front from its two
  streams: the instants (``t = t + expovariate(rate)`` while ``t < until``,
  :func:`~course_lib.core.engines.arrival_times`) and each message's partition
  (``randrange(partitions)``, :func:`~course_lib.core.engines.randbelows`).
* **Only the consumers need events.** A consumer's next event is either the end of the message it
  is processing or, when idle, the next arrival on one of its partitions. A heap of at most one
  event per consumer (at most 12) pops them in time order, which is the order simpy runs them,
  so the shared ``work`` stream is drawn in the same order (each consumer draws when it starts a
  message) and the response times are summed in the same order (each one as its message ends).
* **Lag samples** count, per partition, the arrivals and the commits before each instant.

Simultaneous events: a woken consumer starts at its message's arrival instant, as in simpy.
Two *random* instants coinciding exactly (a message ending just as another arrives) has
probability zero; that is the one case this engine does not try to order like simpy.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb`` (the lag dashboard runs on it).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from course_lib.core.engines import arrival_times, expovariates, randbelows, stream

if TYPE_CHECKING:
    from course_lib.kafka.models.group import GroupScenario

__all__ = ["GroupRun", "simulate_group_fast"]

#: One lag sample: (time_at, partition, consumer, log_end_offset, committed_offset).
Row = tuple[float, int, int | None, int, int]


class GroupRun(NamedTuple):
    """What the run measured; :func:`course_lib.kafka.models.group.simulate` makes it a
    ``GroupResult`` (this module cannot import that one: ``group`` imports this one)."""

    samples: list[Row]
    produced: int
    processed: int
    response_time_sum: float


def simulate_group_fast(s: GroupScenario) -> GroupRun:
    """The run ``group.simulate(s, engine="simpy")`` makes, computed without simpy."""
    until = s.duration + 1e-9  # simpy's run(until=…): events at or after this never happen
    arrivals_rng, keys_rng, work_rng = (stream(s.seed, n) for n in range(3))  # as the model
    times = arrival_times(arrivals_rng, s.produce_rate, until)
    keys = randbelows(keys_rng, s.partitions, len(times))
    by_partition = [times[keys == p] for p in range(s.partitions)]
    arrived = [a.tolist() for a in by_partition]  # produced_at, per partition
    finished = _consume(s, arrived, until, _work(s, work_rng))
    owner = {p: c for c, parts in enumerate(s.assignment()) for p in parts}
    instants = []
    tick: float = 0  # simpy's clock starts at the int 0 (round(0, 9) stays an int)
    while tick < until:
        instants.append(tick)
        tick = tick + s.sample_interval
    ends = [np.searchsorted(a, instants, side="left").tolist() for a in by_partition]
    commits = [np.searchsorted(np.asarray(f, dtype=float), instants, side="left").tolist()
               for f in finished.instants]
    samples: list[Row] = [(round(t, 9), p, owner.get(p), ends[p][i], commits[p][i])
                          for i, t in enumerate(instants) for p in range(s.partitions)]
    return GroupRun(samples, len(times), sum(map(len, finished.instants)),
                    finished.response_time_sum)


class _Finished(NamedTuple):
    instants: list[list[float]]  # per partition, when each message's processing ended
    response_time_sum: float  # Σ (end − produced_at), added in order of end, as simpy does


def _work(s: GroupScenario, rng: random.Random) -> Callable[[], float]:
    """Each message's processing time, in the order consumers start them: the model's
    ``work_rng.expovariate(consumer_rate)`` calls, drawn in blocks, or the fixed time."""
    if s.processing == "fixed":
        return itertools.repeat(s.processing_time).__next__

    def blocks() -> Iterator[float]:
        block = 256
        while True:
            yield from expovariates(rng, s.consumer_rate, block).tolist()
            block = min(2 * block, 65_536)

    return blocks().__next__


def _consume(s: GroupScenario, arrived: list[list[float]], until: float,
             work: Callable[[], float]) -> _Finished:
    """The consumers' events in time order: a message ends (commit), or an idle consumer is
    woken by an arrival; either way the consumer then starts its next message, if any."""
    committed = [0] * s.partitions
    total = [len(a) for a in arrived]
    ended: list[list[float]] = [[] for _ in arrived]
    assignment = s.assignment()
    turns = [0] * len(assignment)
    response = 0.0
    events: list[tuple[float, int, int]] = []  # (instant, consumer, partition ended or -1)

    def wake_at(parts: list[int]) -> float | None:
        """An idle consumer's next arrival (its partitions have no backlog)."""
        return min((arrived[q][committed[q]] for q in parts if committed[q] < total[q]),
                   default=None)

    for c, parts in enumerate(assignment):
        first = wake_at(parts)
        if first is not None:
            events.append((first, c, -1))
    heapq.heapify(events)
    while events:
        now, c, p = heapq.heappop(events)
        if now >= until:
            break
        if p >= 0:  # processing ended: commit
            response += now - arrived[p][committed[p]]
            committed[p] += 1
            ended[p].append(now)
        parts = assignment[c]
        ready = [q for q in parts if committed[q] < total[q] and arrived[q][committed[q]] <= now]
        if ready:  # round robin over partitions with a backlog, as the model's consumer
            q = ready[turns[c] % len(ready)]
            turns[c] += 1
            heapq.heappush(events, (now + work(), c, q))
        else:
            nxt = wake_at(parts)
            if nxt is not None:
                heapq.heappush(events, (nxt, c, -1))
    return _Finished(ended, response)
