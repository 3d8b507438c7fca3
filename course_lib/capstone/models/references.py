"""Named reference designs, sweeps over many designs, and the cost-vs-availability Pareto front.

The three references bracket the problem: a *single server* with one broker (cheap, and every
failure in the script reaches the customer), an *N+1* design (enough for the peak with one API
server gone, RF 3 with ``min.insync.replicas=2``: the textbook answer), and an
*over-provisioned* one (meets the objectives too, at a higher price). :func:`sweep` scores many
designs on the same seed, :func:`pareto_front` keeps those no other design beats on both cost and
availability, and :func:`cheapest_meeting` is the capstone's question.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product

from course_lib.capstone.models.design import Design
from course_lib.capstone.models.engine import Problem, evaluate
from course_lib.capstone.models.score import Score
from course_lib.core import progress

__all__ = ["REFERENCE_DESIGNS", "cheapest_meeting", "design_grid", "pareto_front",
           "reference_rows", "sweep"]

REFERENCE_DESIGNS: dict[str, Design] = {
    "single server": Design(api_servers=1, workers=2, brokers=1, partitions=1,
                            replication_factor=1, min_insync_replicas=1, consumers=1),
    "N+1": Design(),
    "over-provisioned": Design(api_servers=5, workers=4, standby="hot", brokers=5, partitions=12,
                               replication_factor=3, min_insync_replicas=2, consumers=6,
                               db_pool=8),
}

# (brokers, replication_factor, min_insync_replicas) choices of the grid
KAFKA_CHOICES = ((1, 1, 1), (2, 2, 1), (3, 3, 1), (3, 3, 2))


def design_grid(api_servers: Sequence[int] = (1, 2, 3, 4), workers: Sequence[int] = (2, 4),
                kafka: Sequence[tuple[int, int, int]] = KAFKA_CHOICES,
                consumers: Sequence[int] = (1, 2, 3), standby: Sequence[str] = ("none",),
                base: Design | None = None) -> list[Design]:
    """Every combination of the given choices, other fields as in ``base`` (4·2·4·3 = 96 by
    default; add ``standby=("none", "hot")`` and five server counts for a 240-design sweep)."""
    fields = (Design() if base is None else base).__dict__
    out = []
    for n, w, (b, rf, isr), c, sb in product(api_servers, workers, kafka, consumers, standby):
        out.append(Design(**{**fields, "api_servers": n, "workers": w, "brokers": b,
                             "replication_factor": rf, "min_insync_replicas": isr,
                             "consumers": c, "standby": sb}))
    return out


def sweep(designs: Iterable[Design], seed: int | None = None,
          problem: Problem | None = None) -> list[tuple[Design, Score]]:
    """Each design with its score, all on the same seed (so they face the same arrivals)."""
    problem = Problem() if problem is None else problem
    designs = list(designs)  # lesson 07's grid of 64 takes several seconds: say how far it is
    with progress.task("sweep", f"{len(designs)} designs scored") as task:
        return [(d, evaluate(d, seed=seed, problem=problem))
                for d in task.steps(designs, lambda d: "design")]


def pareto_front(scored: Sequence[tuple[Design, Score]]) -> list[tuple[Design, Score]]:
    """The designs no other design beats: none is at most as expensive *and* at least as
    available while strictly better in one of the two. Sorted by cost."""
    ordered = sorted(scored, key=lambda ds: (ds[1].cost_per_hour, -ds[1].availability))
    front, best = [], -1.0
    for design, result in ordered:
        if result.availability > best:
            front.append((design, result))
            best = result.availability
    return front


def cheapest_meeting(scored: Sequence[tuple[Design, Score]]) -> tuple[Design, Score] | None:
    """The cheapest design whose score meets every objective (None if none does)."""
    meeting = [ds for ds in scored if ds[1].meets_slo]
    return min(meeting, key=lambda ds: ds[1].cost_per_hour) if meeting else None


def reference_rows(seed: int | None = None, problem: Problem | None = None) -> list[dict]:
    """One row per reference design: its name, the score's summary, and the design's label."""
    problem = Problem() if problem is None else problem
    rows = []
    for name, design in REFERENCE_DESIGNS.items():
        rows.append({"design": name, **evaluate(design, seed=seed, problem=problem).summary()})
    return rows
