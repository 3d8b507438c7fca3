"""What a simulation run returns: flat records, the health timeline, detections and a summary.

Every request ends in exactly one :class:`RequestRecord` (``sent = ok + failed + in_flight``);
every try of a request on one backend is an :class:`AttemptRecord` (a retried request has
several). :attr:`Result.health` cuts each backend's run into segments where both the *actual*
state (``up``, ``crashed``, ``hung``, ``slow``, ``off``, ``starting``) and the balancer's
*belief* (up or down) are constant. :attr:`Result.detections` reads, for every injected failure,
when the balancer noticed it and when it noticed the recovery.

Outcomes: ``ok``; ``refused`` (crashed backend), ``reset`` (the backend died or restarted while
holding the request), ``timeout`` (no answer within ``request_timeout``), ``no_server`` (no
backend believed up); ``in_flight`` (still running when the simulation stopped).

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from course_lib.core.stats import percentile
from course_lib.lb.models.scenario import Scenario

__all__ = ["AttemptRecord", "Detection", "HealthSegment", "RequestRecord", "Result"]

FAILED_OUTCOMES = ("refused", "reset", "timeout", "no_server")


class RequestRecord(NamedTuple):
    """One request: when it arrived, where it ended, how, and its response time (seconds).

    Records are named tuples (immutable, like Ciw's data records): a run makes one per request
    and one per attempt, hundreds of thousands in a policy race, and a named tuple is three
    times cheaper to create than a frozen dataclass.
    """

    id: int
    arrival_at: float
    backend: str | None
    outcome: str
    finished_at: float | None
    response_time: float | None
    attempts: int
    idempotent: bool = True  # False: a POST that must not be replayed (Scenario.non_idempotent)


class AttemptRecord(NamedTuple):
    """One try of request ``request_id`` on ``backend``, sent at ``sent_at``."""

    request_id: int
    backend: str
    sent_at: float
    ended_at: float
    outcome: str


@dataclass(frozen=True, slots=True)
class HealthSegment:
    """``backend`` from ``from_at`` to ``to_at``: its ``actual`` state and what was ``believed``."""

    backend: str
    from_at: float
    to_at: float
    actual: str
    believed_up: bool


@dataclass(frozen=True)
class Detection:
    """How the balancer noticed one injected failure (``None``: it never did within the run).

    One shape for the simulator and for HAProxy (``lb.live``), so that measured and simulated
    detections compare field by field. ``failed_attempts`` (requests sent to the backend between
    the failure and its marking down) is counted by the simulator; a live run leaves it ``None``
    (HAProxy does not report it; the live lab counts failed requests from its own records).
    """

    backend: str
    kind: str
    failed_at: float
    marked_down_at: float | None
    recovered_at: float | None
    marked_up_at: float | None
    failed_attempts: int | None = None

    @property
    def detection_time(self) -> float | None:
        """Seconds from the failure to the balancer marking the backend down."""
        return None if self.marked_down_at is None else self.marked_down_at - self.failed_at


_percentile = percentile  # the course's one interpolated definition (course_lib.core.stats)


@dataclass
class Result:
    """The outcome of :func:`course_lib.lb.models.simulate` for one scenario and seed."""

    scenario: Scenario
    requests: list[RequestRecord]
    attempts: list[AttemptRecord]
    actual_log: dict[str, list[tuple[float, str]]]
    belief_log: dict[str, list[tuple[float, bool]]]
    busy_time: dict[str, float]
    _health: list[HealthSegment] | None = field(default=None, repr=False)
    _summaries: dict[float, dict] = field(default_factory=dict, repr=False, compare=False)

    def summary(self, since: float = 0.0) -> dict[str, float | int | None]:
        """Counts and response-time statistics of the requests that arrived at or after ``since``.

        Response times (seconds) are those of successful requests; ``failed`` counts every failure
        outcome, ``in_flight`` the requests still running at the end. Computed once per
        ``since`` (figures and texts ask for the same summary): a copy is returned.
        """
        if since not in self._summaries:
            self._summaries[since] = self._summary(since)
        return dict(self._summaries[since])

    def _summary(self, since: float) -> dict[str, float | int | None]:
        chosen = [r for r in self.requests if r.arrival_at >= since]
        # an "ok" request always has a response time (None only for failed or in-flight ones)
        ok = sorted(r.response_time for r in chosen
                    if r.outcome == "ok" and r.response_time is not None)
        counts = {o: 0 for o in FAILED_OUTCOMES}
        in_flight = retried = 0
        for r in chosen:
            if r.outcome in counts:
                counts[r.outcome] += 1
            elif r.outcome == "in_flight":
                in_flight += 1
            retried += r.attempts > 1
        return {
            "sent": len(chosen),
            "ok": len(ok),
            "failed": sum(counts.values()),
            "in_flight": in_flight,
            **counts,
            "retried": retried,
            "mean_response_time": sum(ok) / len(ok) if ok else None,
            "p50": _percentile(ok, 0.50),
            "p95": _percentile(ok, 0.95),
            "p99": _percentile(ok, 0.99),
        }

    def shares(self, start: float, end: float) -> dict[str, float]:
        """Each backend's share of the attempts sent in ``[start, end)`` (0 when none were)."""
        sent = [a.backend for a in self.attempts if start <= a.sent_at < end]
        return {n: sent.count(n) / len(sent) if sent else 0.0 for n in self.scenario.names}

    def replays(self) -> dict[str, int]:
        """Requests re-sent after an attempt that may already have acted (reset or timeout).

        Keys ``idempotent`` and ``non_idempotent``. A replayed idempotent request (a GET) is
        harmless; a replayed ``POST /orders`` may place the order twice. The simulator never
        replays a non-idempotent request, so that count is 0 unless the model is broken.
        """
        by_id = {r.id: r for r in self.requests}
        tried: dict[int, list[str]] = {}
        for a in sorted(self.attempts, key=lambda a: (a.request_id, a.sent_at)):
            tried.setdefault(a.request_id, []).append(a.outcome)
        counts = {"idempotent": 0, "non_idempotent": 0}
        for rid, outcomes in tried.items():
            acted = [i for i, o in enumerate(outcomes) if o in ("reset", "timeout")]
            if acted and by_id[rid].attempts > acted[0] + 1:  # another try after that one
                counts["idempotent" if by_id[rid].idempotent else "non_idempotent"] += 1
        return counts

    def per_backend(self) -> dict[str, dict[str, float | int]]:
        """Per backend: attempts sent, ok, failed, and utilisation (busy time / duration)."""
        table = {
            name: {"sent": 0, "ok": 0, "failed": 0,
                   "utilisation": self.busy_time[name] / self.scenario.duration}
            for name in self.scenario.names
        }
        for a in self.attempts:
            row = table[a.backend]
            row["sent"] += 1
            row["ok" if a.outcome == "ok" else "failed"] += 1
        return table

    @property
    def health(self) -> list[HealthSegment]:
        """Segments per backend where the actual state and the belief are both constant."""
        if self._health is None:
            segments = []
            end = self.scenario.duration
            for name in self.scenario.names:
                changes = sorted(
                    {t for t, _ in self.actual_log[name]} | {t for t, _ in self.belief_log[name]}
                )
                changes.append(end)
                for start, stop in zip(changes, changes[1:], strict=False):
                    if stop > start:
                        segments.append(HealthSegment(
                            name, start, stop, self.actual_at(name, start),
                            self.believed_up_at(name, start),
                        ))
            self._health = segments
        return self._health

    def actual_at(self, backend: str, at: float) -> str:
        """The actual state of ``backend`` at time ``at`` (after any change at that instant)."""
        log = self.actual_log[backend]
        state = log[0][1]
        for t, s in log:
            if t > at:
                break
            state = s
        return state

    def believed_up_at(self, backend: str, at: float, *, before: bool = False) -> bool:
        """The balancer's belief about ``backend`` at ``at``; with ``before=True`` changes made
        at that very instant are not yet counted (what a request sent at ``at`` saw)."""
        log = self.belief_log[backend]
        times = [t for t, _ in log]
        idx = bisect_left(times, at) if before else bisect_right(times, at)
        idx = max(idx, 1)
        return log[idx - 1][1]

    @property
    def detections(self) -> list[Detection]:
        """For every injected failure: when it was marked down and (after recovery) up again."""
        out = []
        for failure in self.scenario.failures:
            log = self.belief_log[failure.backend]
            down = next((t for t, up in log if not up and t >= failure.at), None)
            up_at = None
            if failure.end_at is not None and down is not None:
                after = max(failure.end_at, down)
                up_at = next((t for t, up in log if up and t >= after), None)
            window_end = down if down is not None else math.inf
            failed = sum(
                1 for a in self.attempts
                if a.backend == failure.backend and a.outcome != "ok"
                and failure.at <= a.sent_at <= window_end
            )
            out.append(Detection(
                failure.backend, failure.kind, failure.at, down, failure.end_at, up_at, failed,
            ))
        return out
