"""From what a live run measured to the scorer's
:class:`~course_lib.capstone.models.score.RunRecords`.

A live run measures two things, and nothing else is needed to score it exactly as a simulated
day is scored:

* what the load generator saw, one :class:`Sent` per checkout (sent at, answered with a 2xx or
  not, latency);
* what the fulfilment consumers wrote, one :class:`Processed` per distinct Kafka record (order
  id, partition, offset, when it was processed).

:func:`to_records` joins them: each successful checkout's order is ``delivered`` if at least one
record of it was processed (``copies`` = distinct records, so an order written twice to the log
counts twice while a record re-read after a rebalance counts once; ``freshness`` = first
processed minus sent), else ``lost``: the checkout was answered and the order never made it by
the end of the run's drain. As in the simulation, only successful checkouts create orders.

:func:`history` reads the same run with the course's Kafka history checker
(:mod:`course_lib.kafka.models.history`), one record per order: a 2xx is an acknowledgement, the
processed records are the log. It is what decides ``lost`` here, and it also finds what the
scorer has no column for: an order whose checkout *failed* yet reached the log (``indefinite``:
a timeout that was not a failure).

:func:`live_problem` is the day the live run plays: the problem's times divided by ``compress``
(the rates, the work and the objectives unchanged), so that a run fits in about a minute. The
simulation it is compared with runs on the *same* compressed day.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import NamedTuple

from course_lib.capstone.models.engine import Problem
from course_lib.capstone.models.problem import FailureScript, TrafficProfile
from course_lib.capstone.models.score import CheckoutRecord, OrderRecord, RunRecords, cause_at
from course_lib.core.validate import number
from course_lib.kafka.models.history import HistoryReport, Logged, Send, check

__all__ = ["COMPRESS", "Processed", "Sent", "history", "live_problem", "to_records"]

#: 120 s of the problem's day become 48 s of load.
COMPRESS = 2.5
_KEEP = {"base_rate", "peak_factor", "db_slow_factor"}


class Sent(NamedTuple):
    """One checkout as the load generator saw it; ``sent_at`` in seconds from the start."""

    order_id: int
    sent_at: float
    ok: bool
    response_time: float | None


class Processed(NamedTuple):
    """One distinct Kafka record a consumer processed; ``processed_at`` from the start."""

    order_id: int
    partition: int
    offset: int
    processed_at: float


def live_problem(problem: Problem | None = None, compress: float = COMPRESS) -> Problem:
    """``problem`` with every instant and window of its profile and script divided by
    ``compress`` (rates, slow-down factor, work, objectives and prices kept)."""
    problem = Problem() if problem is None else problem
    number("compress", compress, ge=1, le=10)

    def scaled(value: TrafficProfile | FailureScript):
        return replace(value, **{f.name: getattr(value, f.name) / compress
                                 for f in fields(value) if f.name not in _KEEP})

    return replace(problem, profile=scaled(problem.profile), script=scaled(problem.script))


def history(sent: list[Sent], processed: list[Processed]) -> HistoryReport:
    """The run as a Kafka history: every checkout a send (acknowledged iff answered 2xx), every
    distinct processed record the log. Order ids are not a send order across API servers, so
    the report's ``out_of_order`` means nothing here; the other kinds do."""
    sends = [Send(s.order_id, "acknowledged" if s.ok else "rejected", at=s.sent_at) for s in sent]
    log = sorted({Logged(p.partition, p.offset, p.order_id) for p in processed},
                 key=lambda r: (r.partition, r.offset))
    return check(sends, log)


def to_records(sent: list[Sent], processed: list[Processed], problem: Problem,
               source: str = "measured") -> RunRecords:
    """The run's records (see the module docstring)."""
    profile, script = problem.profile, problem.script
    lost = set(history(sent, processed).of("lost"))
    seen: dict[int, set[tuple[int, int]]] = {}
    first: dict[int, float] = {}
    for p in processed:
        seen.setdefault(p.order_id, set()).add((p.partition, p.offset))
        first[p.order_id] = min(first.get(p.order_id, p.processed_at), p.processed_at)
    checkouts, orders = [], []
    for s in sorted(sent, key=lambda s: s.sent_at):
        cause = cause_at(s.sent_at, profile, script)
        checkouts.append(CheckoutRecord(s.sent_at, s.ok, s.response_time if s.ok else None, cause))
        if not s.ok:
            continue
        created = s.sent_at + (s.response_time or 0.0)
        if s.order_id not in lost:
            orders.append(OrderRecord(s.order_id, created, "delivered", len(seen[s.order_id]),
                                      first[s.order_id] - s.sent_at, cause))
        else:
            orders.append(OrderRecord(s.order_id, created, "lost", 0, None, cause))
    orders.sort(key=lambda o: o.order_id)
    return RunRecords(checkouts, orders, source)
