"""The scorer: a run's records in, a :class:`Score` out, the same rules for simulated and measured.

A run, simulated or real, is two flat lists (Ciw-style records, one per item):

* one :class:`CheckoutRecord` per checkout the load generator sent: when, whether it was answered
  successfully, how long it took, and the *cause* in force at that moment (which failure of the
  script was under way, see :func:`cause_at`);
* one :class:`OrderRecord` per order a successful checkout created: whether it reached the
  fulfilment database (``delivered``) or not (``lost``: acknowledged, then gone), how many times
  it was processed (``copies``), and its freshness (seconds from checkout to processed).

:func:`score` reads only these records, the design (for its cost) and the objectives, so a test
can feed it hand-made records with known answers, and a measured run is judged exactly like a
simulated one. Percentiles use the course's one definition
(:func:`course_lib.core.stats.percentile`).

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from course_lib.capstone.models.design import Design
from course_lib.capstone.models.problem import FailureScript, Objectives, Prices, TrafficProfile
from course_lib.core.stats import percentile

__all__ = ["CAUSES", "CheckoutRecord", "OrderRecord", "RunRecords", "Score", "cause_at",
           "cause_timeline", "cost_per_hour", "explain", "score"]

CAUSES = ("normal", "peak", "api crash", "api hang", "broker loss", "slow database")
OBJECTIVES = ("availability", "p99_ms", "orders_lost", "duplicates", "freshness_p99_s")


class CheckoutRecord(NamedTuple):
    """One checkout: sent at ``arrival_at``; ``ok``; ``response_time`` in seconds (None: failed)."""

    arrival_at: float
    ok: bool
    response_time: float | None
    cause: str


class OrderRecord(NamedTuple):
    """One order a successful checkout created: ``delivered`` or ``lost``, ``copies`` processed,
    ``freshness`` in seconds (None when lost)."""

    order_id: int
    created_at: float
    fate: str
    copies: int
    freshness: float | None
    cause: str


@dataclass
class RunRecords:
    """Everything a run produced, and where it came from (``simulated``, ``measured``)."""

    checkouts: list[CheckoutRecord]
    orders: list[OrderRecord]
    source: str = "simulated"


def _windows(script: FailureScript) -> tuple[tuple[str, float, float], ...]:
    """Each failure of the script as ``(cause, start, end)``: in progress while
    ``start <= at < end``."""
    return (("api crash", script.crash_at, script.crash_end_at),
            ("api hang", script.hang_at, script.hang_end_at),
            ("broker loss", script.broker_crash_at,
             script.broker_crash_at + script.broker_down_time),
            ("slow database", script.db_slow_at, script.db_slow_end_at))


def cause_at(at: float, profile: TrafficProfile, script: FailureScript) -> str:
    """Which part of the day ``at`` falls in: the failure of the script in progress (the one
    that started last, if windows overlap), else ``peak`` or ``normal``. This is how the
    breakdown says *where* requests were lost."""
    active = [(start, name) for name, start, end in _windows(script) if start <= at < end]
    if active:
        return max(active)[1]
    return "peak" if profile.rate_at(at) > profile.base_rate else "normal"


def cause_timeline(profile: TrafficProfile, script: FailureScript) -> Callable[[float], str]:
    """:func:`cause_at` for one profile and script, as a function of the instant alone.

    Every condition :func:`cause_at` tests is ``lo <= at < hi`` for a bound of a failure window
    or of the peak, so the cause is constant between two consecutive bounds: it is worked out
    once per interval (at the interval's first instant, which belongs to it) and looked up by
    bisection. A simulated day asks for the cause of every checkout (about 1,700), and building
    the windows each time was a tenth of a dashboard frame. The same answer for every instant
    (``tests/test_capstone.py``).
    """
    bounds = sorted({b for _, start, end in _windows(script) for b in (start, end)}
                    | {profile.peak_start_at, profile.peak_end_at})
    # index i of bisect_right: bounds[i-1] <= at < bounds[i]; index 0 is before every bound
    causes = [cause_at(float("-inf"), profile, script),
              *(cause_at(b, profile, script) for b in bounds)]
    return lambda at: causes[bisect_right(bounds, at)]


def cost_per_hour(design: Design, prices: Prices | None = None) -> float:
    """Dollars per hour (assumed prices): servers and their workers, the standby, brokers,
    partitions, consumers, database connections, and the fixed database and balancer."""
    prices = Prices() if prices is None else prices
    server = prices.api_server + prices.per_worker * design.workers
    standby = {"none": 0.0, "hot": server, "cold": prices.cold_standby}[design.standby]
    total = (design.api_servers * server + standby + design.brokers * prices.broker
             + design.partitions * prices.per_partition + design.consumers * prices.consumer
             + design.api_servers * design.db_pool * prices.per_db_connection + prices.fixed)
    return round(total, 4)


@dataclass(frozen=True)
class Score:
    """How a design did against the objectives; ``failing`` names the objectives it missed and
    ``breakdown`` says, per cause, how many checkouts failed or were slow and how many orders
    were lost, duplicated or late."""

    availability: float
    p99_ms: float | None
    orders_lost: int
    duplicates: int
    freshness_p99_s: float | None
    cost_per_hour: float
    failing: tuple[str, ...]
    breakdown: dict[str, dict[str, int]] = field(repr=False)
    checkouts: int = 0
    source: str = "simulated"
    idle_consumers: int = 0  # the design's consumers beyond its partitions (paid, never busy)

    @property
    def meets_slo(self) -> bool:
        """True when no objective failed."""
        return not self.failing

    def summary(self) -> dict[str, float | int | bool | str | None]:
        """The headline numbers as one flat row (rounded for tables)."""
        return {"availability": round(self.availability, 5),
                "p99_ms": None if self.p99_ms is None else round(self.p99_ms, 1),
                "orders_lost": self.orders_lost, "duplicates": self.duplicates,
                "freshness_p99_s": (None if self.freshness_p99_s is None
                                    else round(self.freshness_p99_s, 2)),
                "cost_per_hour": self.cost_per_hour, "meets_slo": self.meets_slo,
                "failing": ", ".join(self.failing) or "-"} | (
                    {"idle_consumers": self.idle_consumers} if self.idle_consumers else {})

    def worst_cause(self, objective: str) -> str | None:
        """The cause that cost ``objective`` the most (None if nothing was counted against it)."""
        key = _KEYS[objective]
        counts = {c: row[key] for c, row in self.breakdown.items() if row[key]}
        return max(counts, key=lambda c: counts[c]) if counts else None


def _breakdown_row() -> dict[str, int]:
    return {"failed": 0, "slow": 0, "lost": 0, "duplicates": 0, "late": 0}


def score(records: RunRecords, design: Design, objectives: Objectives | None = None,
          prices: Prices | None = None) -> Score:
    """Judge one run. ``availability`` = successful checkouts / checkouts sent; ``p99_ms`` over
    the successful ones (None when none succeeded, which fails the objective); ``orders_lost`` =
    orders whose fate is ``lost``; ``duplicates`` = extra copies processed; ``freshness_p99_s``
    over delivered orders. A checkout is *slow* when it took longer than the p99 objective, an
    order *late* when it took longer than the freshness objective."""
    objectives = Objectives() if objectives is None else objectives
    checkouts, orders = records.checkouts, records.orders
    # One pass over each list (a dashboard frame scores about 1,700 checkouts and orders).
    breakdown = {c: _breakdown_row() for c in CAUSES}
    slow_after, late_after = objectives.p99_ms, objectives.freshness_p99_s
    ok: list[float] = []
    answered = 0
    for _, success, response_time, cause in checkouts:
        row = breakdown.get(cause) or breakdown.setdefault(cause, _breakdown_row())
        answered += success
        if not success:
            row["failed"] += 1
        elif response_time is not None:
            ok.append(response_time)
            if response_time * 1000 > slow_after:
                row["slow"] += 1
    fresh: list[float] = []
    lost = duplicates = 0
    for _, _, fate, copies, freshness, cause in orders:
        row = breakdown.get(cause) or breakdown.setdefault(cause, _breakdown_row())
        extra = max(0, copies - 1)
        row["lost"] += fate == "lost"
        row["duplicates"] += extra
        row["late"] += freshness is not None and freshness > late_after
        lost += fate == "lost"
        duplicates += extra
        if fate == "delivered" and freshness is not None:
            fresh.append(freshness)
    ok.sort()
    fresh.sort()
    availability = answered / len(checkouts) if checkouts else 0.0
    p99 = percentile(ok, 0.99)
    p99_ms = None if p99 is None else p99 * 1000
    freshness = percentile(fresh, 0.99)
    failing = tuple(name for name, bad in (
        ("availability", availability < objectives.availability),
        ("p99_ms", p99_ms is None or p99_ms > objectives.p99_ms),
        ("orders_lost", lost > objectives.orders_lost),
        ("duplicates", duplicates > objectives.duplicates),
        ("freshness_p99_s", freshness is None or freshness > objectives.freshness_p99_s),
    ) if bad)
    return Score(availability, p99_ms, lost, duplicates, freshness,
                 cost_per_hour(design, prices), failing,
                 {c: row for c, row in breakdown.items()}, len(checkouts), records.source,
                 design.idle_consumers)


_WHAT = {"availability": ("availability", "failed checkouts"),
         "p99_ms": ("p99 latency (ms)", "checkouts slower than the objective"),
         "orders_lost": ("orders lost", "orders lost"),
         "duplicates": ("orders processed twice", "extra copies"),
         "freshness_p99_s": ("p99 freshness (s)", "orders later than the objective")}


def explain(result: Score, objectives: Objectives | None = None) -> str:
    """One sentence per failing objective: the value, the objective, and where it was lost
    (the cause that cost it most, from the breakdown). ``"meets every objective"`` otherwise."""
    objectives = Objectives() if objectives is None else objectives
    if result.meets_slo:
        return "meets every objective"
    lines = []
    for name in result.failing:
        label, counted = _WHAT[name]
        value, target = getattr(result, name), getattr(objectives, name)
        shown = "none" if value is None else f"{value:.4g}"
        relation = ">=" if name == "availability" else "<="
        cause = result.worst_cause(name)
        where = "" if cause is None else (
            f"; most {counted} during '{cause}' ({result.breakdown[cause][_KEYS[name]]})")
        lines.append(f"{label} {shown}, objective {relation} {target:g}{where}")
    return "\n".join(lines)


_KEYS = {"availability": "failed", "p99_ms": "slow", "orders_lost": "lost",
         "duplicates": "duplicates", "freshness_p99_s": "late"}
