"""The simulator's moving parts: a pending request, one attempt, one backend's state.

Plain mutable objects (slots where there are many of them) that :mod:`course_lib.lb.models.simulate`
creates fresh for every run; kept apart so the engine reads as the story of a request.

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

from collections import deque

from course_lib.core.engines import stream
from course_lib.lb.models.result import RequestRecord
from course_lib.lb.models.scenario import Backend

__all__ = ["Attempt", "PendingRequest", "ServerState"]


class PendingRequest:
    """A request the balancer is still working on (its tries so far, its method, its balancer)."""

    __slots__ = ("id", "arrival_at", "tried", "record", "idempotent", "balancer")

    def __init__(self, rid: int, arrival_at: float, idempotent: bool = True,
                 balancer: int = 0) -> None:
        self.id = rid
        self.balancer = balancer
        self.arrival_at = arrival_at
        self.tried: list[str] = []
        self.record: RequestRecord | None = None
        self.idempotent = idempotent


class Attempt:
    """One try of a request on one backend, until it ends (ok, refused, reset, timeout)."""

    __slots__ = ("request", "server", "sent_at", "ended", "deadline")

    def __init__(self, request: PendingRequest, server: ServerState, sent_at: float) -> None:
        self.request = request
        self.server = server
        self.sent_at = sent_at
        self.ended = False
        self.deadline = 0.0


class ServerState:
    """One backend's true state, its FIFO queue and the balancer's belief about it."""

    def __init__(self, backend: Backend, seed: int, cold: bool) -> None:
        self.name = backend.name
        self.rate = backend.service_rate
        self.weight = backend.weight  # effective: configured × operator × slow start × agent
        self.configured_weight = backend.weight
        self.operator_fraction = self.agent_fraction = 1.0
        self.slowstart = backend.slowstart
        self.ramp_since: float | None = None  # when a slow start began (None: not ramping)
        self.admin = "ready"  # the operator's state: ready, drain or maint
        self.backup = backend.backup
        self.rng = stream(seed, f"service-{backend.name}")
        self.actual = "off" if cold else "up"
        self.factor = 1.0
        self.queue: deque[Attempt] = deque()
        self.current: Attempt | None = None
        self.watch: deque[Attempt] = deque()  # attempts sent here, oldest first (deadlines)
        self.watching = False
        self.service_started_at = 0.0
        self.busy_time = 0.0
        self.epoch = 0
        self.in_flight = 0
        self.active_up = not cold
        self.passive_down_until = -1.0
        self.fail_times: deque[float] = deque()
        self.believed = not cold
        self.actual_log: list[tuple[float, str]] = [(0.0, self.actual)]
        self.belief_log: list[tuple[float, bool]] = [(0.0, self.believed)]

    @property
    def usable(self) -> bool:
        """Offered new requests: believed up, a positive weight, not drained or in maintenance."""
        return self.believed and self.weight > 0 and self.admin == "ready"

    def backlog_time(self) -> float:
        """Seconds of work queued here (mean service times), what a new arrival would wait."""
        n = len(self.queue) + (self.current is not None)
        return n * self.factor / self.rate
