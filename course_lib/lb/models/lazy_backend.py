"""The failover twin's moving parts: a request, an attempt, and a backend advanced lazily.

:mod:`course_lib.lb.models.failover_fast` schedules no event for the end of a service. A backend
is a FIFO single server, so what it did between two looks is determined: :meth:`LazyBackend.advance`
replays it, ending each attempt that finished before ``now`` at its own instant (an ``ok``
attempt record and request record, written straight into the run's lists) and starting the
next, whose service time it draws from the backend's own stream at that moment, as the simpy
engine's ``start_next`` does. The arithmetic is the engine's, operation for operation, so every
instant and every busy-time sum is the same float.

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from itertools import count
from math import log

from course_lib.core.engines import stream, uniforms
from course_lib.lb.models.result import AttemptRecord, RequestRecord
from course_lib.lb.models.scenario import Scenario

__all__ = ["Attempt", "LazyBackend", "Request", "RunRecords", "exponentials"]

_new = tuple.__new__  # a record without the Python-level ``__new__`` of a named tuple


def exponentials(rng: random.Random) -> Iterator[float]:
    """``-log(1.0 - rng.random())`` for each next draw, in blocks: ``rng.expovariate(rate)`` is
    this value divided by ``rate``, bit for bit (:func:`course_lib.core.engines.uniforms`)."""
    block = 256
    while True:
        yield from [-x for x in map(log, (1.0 - uniforms(rng, block)).tolist())]
        block = min(2 * block, 16_384)


class Request:
    """A request the balancer is still working on (its tries so far, its method)."""

    __slots__ = ("id", "arrival_at", "tried", "idempotent")

    def __init__(self, rid: int, arrival_at: float, idempotent: bool) -> None:
        self.id, self.arrival_at, self.idempotent = rid, arrival_at, idempotent
        self.tried: list[str] = []


class Attempt:
    """One try of a request on one backend; ``finish`` is set when its service starts."""

    __slots__ = ("request", "server", "sent_at", "ended", "deadline", "finish")

    def __init__(self, request: Request, server: LazyBackend, sent_at: float) -> None:
        self.request, self.server, self.sent_at = request, server, sent_at
        self.ended = False
        self.deadline = self.finish = 0.0


class RunRecords:
    """What a run writes: attempt records with their end and processing order (sorted into the
    engine's order at the end), and request records by id."""

    def __init__(self, requests: int) -> None:
        self.ended: list[tuple[float, int, AttemptRecord]] = []
        self.order = count()
        self.requests: list[RequestRecord | None] = [None] * requests


class LazyBackend:
    """A backend as :class:`~course_lib.lb.models.state.ServerState` keeps it, minus what the
    twin's scenarios never change (weights, admin state), plus the lazy service loop."""

    __slots__ = ("name", "rate", "usable_weight", "backup", "units", "actual", "factor",
                 "queue", "current", "watch", "watching", "service_started_at", "busy_time",
                 "active_up", "believed", "actual_log", "belief_log", "successes", "failures",
                 "records")

    def __init__(self, scenario: Scenario, index: int, records: RunRecords) -> None:
        backend = scenario.backends[index]
        cold = scenario.standby == "cold" and backend.backup
        self.name, self.rate, self.backup = backend.name, backend.service_rate, backend.backup
        self.usable_weight = backend.weight > 0  # no operator, agent or slow start changes it
        self.units = exponentials(stream(scenario.seed, f"service-{backend.name}"))
        self.actual, self.factor = "off" if cold else "up", 1.0
        self.queue: deque[Attempt] = deque()
        self.current: Attempt | None = None
        self.watch: deque[Attempt] = deque()  # sent here, oldest first (their deadlines)
        self.watching = False
        self.service_started_at = self.busy_time = 0.0
        self.active_up = self.believed = not cold
        self.actual_log: list[tuple[float, str]] = [(0.0, self.actual)]
        self.belief_log: list[tuple[float, bool]] = [(0.0, self.believed)]
        self.successes = self.failures = 0
        self.records = records

    def backlog_time(self) -> float:
        """Seconds of work queued here (mean service times): call :meth:`advance` first."""
        return (len(self.queue) + (self.current is not None)) * self.factor / self.rate

    def start_next(self, at: float) -> None:
        """The engine's ``start_next``: the queue's head starts at ``at``."""
        attempt = self.queue.popleft()
        self.current = attempt
        self.service_started_at = at
        attempt.finish = at + next(self.units) / (1 / (self.factor / self.rate))

    def advance(self, now: float) -> None:
        """End, in order, the services that finished before ``now`` (the engine's ``on_served``
        → ``end_attempt`` → ``finish`` → ``start_next``, inlined: this is the hot path)."""
        current = self.current
        if current is None or self.actual == "hung" or current.finish >= now:
            return
        queue, name, units = self.queue, self.name, self.units
        records = self.records
        ended, order, requests = records.ended, records.order, records.requests
        lam = 1 / (self.factor / self.rate)  # the engine's expovariate argument
        busy, started = self.busy_time, self.service_started_at
        while True:
            done = current.finish
            busy += done - started
            if not current.ended:  # a timed-out request is still served: wasted work
                current.ended = True
                request = current.request
                rid, arrival = request.id, request.arrival_at
                ended.append((done, next(order), _new(AttemptRecord, (
                    rid, name, current.sent_at, done, "ok"))))
                requests[rid] = _new(RequestRecord, (rid, arrival, name, "ok", done,
                                                     done - arrival, len(request.tried),
                                                     request.idempotent))
            if not queue:
                current = None
                break
            current = queue.popleft()
            started = done
            current.finish = done + next(units) / lam
            if current.finish >= now:
                break
        self.current, self.busy_time, self.service_started_at = current, busy, started
