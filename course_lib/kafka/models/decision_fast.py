"""Lesson 06's hand-over model by event arithmetic: the same numbers as the simpy model, faster.

:func:`course_lib.kafka.models.decision_engine.simulate_integration` is the teaching model: one
simpy process per message, easy to read. A dashboard that runs it four times per slider move is too
slow to feel live (about 0.4 s at 200 msg/s, 1.8 s at 900 msg/s), so
:func:`simulate_integration_fast` computes the *same* run without simpy. It is not an approximation:
it draws the same random numbers in the same order and does the same floating-point additions, so
every count, latency and backlog sample is identical (``tests/test_decision_fast.py`` compares the
two field by field over many seeds, rates, outages, consumer counts and costs).

How, per style (``a`` = produced at, ``hop`` = one network hop, ``W`` = one database write):

* **FIFO servers are recurrences.** A first-come-first-served server with service time ``S`` starts
  job k at ``max(request_k, end_{k-1})``: the broker / partition leader (``S`` = broker or append
  time) and the database (``S`` = ``W``). A pool of ``n`` identical servers (the direct call's
  workers, the pushed consumers) starts job k at ``max(request_k, earliest free time)``, kept in a
  small heap. A direct call that would wait longer than ``request_timeout`` gives up instead.
* **Random work is drawn in time order**, as simpy would: consumers that claimed a message during
  the outage wait until it ends and draw their work then, in the order they started waiting.
* **Polling consumers** (``db_table``) are a few generators woken by a tiny time-ordered heap,
  because their timing depends on each other through the shared database.
* **Backlog samples** every 0.5 s count accepted minus processed messages before each instant.

Simultaneous events are ordered as simpy orders them where they happen by construction (consumers
resuming together at the outage end, polls on the same grid). Two *random* instants coinciding
exactly has probability zero; that is the one case this engine does not try to order like simpy.

Introduced in ``notebooks/06_when_to_use_kafka.ipynb`` (the trade-off dashboard runs on it).
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left
from functools import lru_cache
from operator import itemgetter

from course_lib.core.engines import arrival_times, seeded, stream
from course_lib.kafka.models.decision import SAMPLE_INTERVAL, IntegrationResult, IntegrationScenario

__all__ = ["simulate_integration_fast"]

Times = tuple[float, ...]  # instants (s), ascending


def simulate_integration_fast(scenario: IntegrationScenario, seed: int | None = None
                              ) -> IntegrationResult:
    """The same result as ``decision_engine.simulate(scenario)``, computed without simpy
    (``seed``, if given, overrides ``scenario.seed``, as for ``simulate_integration``)."""
    s = seeded(scenario, seed)
    seed = s.seed
    until = s.duration + 1e-9  # simpy's run(until=…): events at or after this never happen
    arrivals, work_rng = _arrivals(seed, s.produce_rate, until), stream(seed, "work")
    withdrawn: list[float] = []  # direct calls that timed out leave the backlog at these times
    if s.style == "direct_api":
        accepted, withdrawn, failed, done = _direct(s, arrivals, work_rng, until)
    elif s.style == "db_table":
        accepted, failed, done = arrivals, 0, _polled(s, arrivals, work_rng, until)
    else:
        accepted, failed, done = arrivals, 0, _pushed(s, arrivals, work_rng, until)
    finished = [f for f, _ in done]
    backlog: list[tuple[float, int]] = []
    tick: float = 0  # simpy's clock starts at the int 0 (it shows in the figure's JSON)
    while tick < until:
        backlog.append((round(tick, 6), bisect_left(accepted, tick) - bisect_left(withdrawn, tick)
                        - bisect_left(finished, tick)))
        tick = tick + SAMPLE_INTERVAL
    before_late = bisect_left(arrivals, s.late_subscriber_at)
    return IntegrationResult(s, len(arrivals), len(done), failed, [(a, f - a) for f, a in done],
                             backlog, before_late if s.style == "kafka" else 0)


@lru_cache(maxsize=8, typed=True)
def _arrivals(seed: object, produce_rate: float, until: float) -> Times:
    """When the producer sends each message (Poisson): the same stream for all four styles, so
    :func:`~course_lib.kafka.models.decision_engine.compare` draws it once, not four times."""
    return tuple(arrival_times(stream(seed, "arrivals"), produce_rate, until).tolist())


def _in_time_order(done: list[tuple[float, float]], until: float) -> list[tuple[float, float]]:
    """(finished_at, produced_at) in draw order → in the order simpy finishes them: by time, and
    at equal times by draw order (the sort is stable), dropping those after the horizon."""
    done.sort(key=itemgetter(0))
    return [x for x in done if x[0] < until]


def _direct(s: IntegrationScenario, arrivals: Times, work_rng: random.Random, until: float):
    """direct_api: refused while down; else a FIFO pool of ``consumers`` workers with a timeout."""
    c, rate = s.costs, 1.0 / s.processing_time
    start, end = s.outage_at, s.outage_end_at
    free = [0.0] * s.consumers  # when each worker is next free (a heap)
    accepted, withdrawn, done, failed = [], [], [], 0
    for a in arrivals:
        if start <= a < end:
            failed += 1  # connection refused
            continue
        accepted.append(a)
        t1 = a + c.network_hop
        deadline = t1 + c.request_timeout
        granted = t1 if free[0] <= t1 else free[0]
        if granted < deadline:
            if granted < until:
                f = granted + work_rng.expovariate(rate)
                heapq.heapreplace(free, f)
                done.append((f, a))
        elif deadline < until:
            failed += 1  # timed out waiting for a free worker
            withdrawn.append(deadline)
    return accepted, withdrawn, failed, _in_time_order(done, until)


def _pushed(s: IntegrationScenario, arrivals: Times, work_rng: random.Random, until: float):
    """message_broker / kafka: hop, one FIFO hub, hop, then the first free consumer takes it."""
    c, rate = s.costs, 1.0 / s.processing_time
    service = c.broker_time if s.style == "message_broker" else c.append_time
    start, end, hop = s.outage_at, s.outage_end_at, c.network_hop
    free = [0.0] * s.consumers  # consumers waiting for a message since (a heap)
    waiting: list[tuple[float, int, float]] = []  # (resumes at, order, produced_at): outage
    done: list[tuple[float, float]] = []
    hub_free, inf = 0.0, float("inf")

    def resume_first() -> None:
        at, _, a = heapq.heappop(waiting)
        f = at + work_rng.expovariate(rate)
        heapq.heappush(free, f)
        done.append((f, a))

    for claims, a in enumerate(arrivals):  # message k is the k-th claimed (FIFO store)
        t1 = a + hop
        hub_free = (t1 if t1 > hub_free else hub_free) + service
        ready = hub_free + hop  # in the store, ready for a consumer
        while True:
            claim = (ready if free[0] <= ready else free[0]) if free else inf
            if waiting and waiting[0][0] <= claim:
                resume_first()  # it drew its work first: it began waiting earlier
            else:
                break
        if claim >= until:
            break
        heapq.heappop(free)
        if start <= claim < end:
            heapq.heappush(waiting, (claim + (end - claim), claims, a))
        else:
            f = claim + work_rng.expovariate(rate)
            heapq.heappush(free, f)
            done.append((f, a))
    while waiting and waiting[0][0] < until:
        resume_first()
    return _in_time_order(done, until)


def _polled(s: IntegrationScenario, arrivals: Times, work_rng: random.Random, until: float):
    """db_table: INSERTs and the consumers' UPDATE/DELETE share one FIFO database."""
    c, rate = s.costs, 1.0 / s.processing_time
    start, end = s.outage_at, s.outage_end_at
    insert_at = [a + c.network_hop for a in arrivals]
    inserted: list[float] = []  # when each row's INSERT commits (row k visible after that)
    clock = {"free": 0.0}  # when the database is next free
    db = {"queued": 0, "visible": 0, "claimed": 0}  # row counts
    done: list[tuple[float, float]] = []

    def queue_inserts(now: float) -> None:  # INSERTs requested before ``now`` are ahead in line
        k, free = db["queued"], clock["free"]
        while k < len(insert_at) and insert_at[k] < now:
            t1 = insert_at[k]
            free = (t1 if t1 > free else free) + c.db_write_time
            inserted.append(free)
            k += 1
        db["queued"], clock["free"] = k, free

    def write(now: float) -> float:  # one UPDATE/DELETE: returns when it commits
        queue_inserts(now)
        free = clock["free"]
        clock["free"] = (now if now > free else free) + c.db_write_time
        return clock["free"]

    def consumer(now: float):
        yield now
        full = False
        while True:
            if start <= now < end:
                now = now + (end - now)
                yield now
            if not full:
                now = now + c.poll_interval
                yield now
            queue_inserts(now)
            while db["visible"] < db["queued"] and inserted[db["visible"]] < now:
                db["visible"] += 1
            rows = db["visible"] - db["claimed"]
            full = rows >= c.db_batch
            if start <= now < end or not rows:
                continue
            batch = arrivals[db["claimed"]:db["claimed"] + min(c.db_batch, rows)]
            db["claimed"] += len(batch)
            now = write(now)  # UPDATE … claim the batch
            yield now
            for a in batch:
                now = now + work_rng.expovariate(rate)
                yield now
                done.append((now, a))
            now = write(now)  # DELETE the finished batch
            yield now

    gens = [consumer(c.poll_interval * i / s.consumers) for i in range(s.consumers)]
    heap = [(next(g), i, i) for i, g in enumerate(gens)]  # (wakes at, scheduled order, consumer)
    heapq.heapify(heap)
    order = len(heap)
    while heap[0][0] < until:
        i = heap[0][2]
        heapq.heapreplace(heap, (next(gens[i]), order, i))
        order += 1
    return done
