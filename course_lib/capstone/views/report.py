"""Views of the capstone: the reference table, the cost-vs-availability figure, the dashboard.

Views only draw: every number comes from :func:`course_lib.capstone.evaluate` and
:mod:`course_lib.capstone.models.references`. :func:`render_design` is the dashboard's render
function (knobs → :class:`~course_lib.capstone.Design` → evaluate → a breakdown figure and the
verdict).

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import plotly.graph_objects as go

from course_lib.capstone.models.design import Design
from course_lib.capstone.models.engine import evaluate
from course_lib.capstone.models.references import REFERENCE_DESIGNS, cheapest_meeting, pareto_front
from course_lib.capstone.models.score import CAUSES, Score, explain
from course_lib.kafka.models.group import idle_note
from course_lib.ui.viz import FAIL_COLOUR, OK_COLOUR, colour, rounded, themed

__all__ = ["breakdown_figure", "format_rows", "pareto_figure", "render_design"]

_COLUMNS = ("design", "availability", "p99_ms", "orders_lost", "duplicates", "freshness_p99_s",
            "cost_per_hour", "meets_slo", "failing")


def format_rows(rows: Sequence[dict], columns: Sequence[str] = _COLUMNS) -> str:
    """Fixed-width text (deterministic, readable in a diff)."""
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(str(r[c]).rjust(w) for c, w in zip(columns, widths, strict=True))
              for r in rows]
    return "\n".join(lines)


def pareto_figure(scored: Sequence[tuple[Design, Score]],
                  learner: tuple[Design, Score] | None = None) -> go.Figure:
    """Cost per hour against availability for every scored design: green meets every objective,
    orange misses one; the Pareto front (cost vs. availability alone) as a dashed line, the
    cheapest design meeting every objective circled, the learner's design as a star."""
    fig = go.Figure()
    for meets, name, col in ((True, "meets every objective", OK_COLOUR),
                             (False, "misses an objective", FAIL_COLOUR)):
        chosen = [(d, s) for d, s in scored if s.meets_slo is meets]
        fig.add_trace(go.Scatter(
            x=rounded([s.cost_per_hour for _, s in chosen], 4),
            y=rounded([s.availability for _, s in chosen], 5), mode="markers", name=name,
            marker={"color": col, "size": 7, "opacity": 0.7},
            text=[f"{d.label()}<br>{s.summary()['failing']}" for d, s in chosen],
            hoverinfo="text"))
    front = pareto_front(scored)
    fig.add_trace(go.Scatter(
        x=rounded([s.cost_per_hour for _, s in front], 4),
        y=rounded([s.availability for _, s in front], 5), mode="lines",
        name="Pareto front (cost, availability)", line={"dash": "dash", "color": "grey"}))
    best = cheapest_meeting(scored)
    if best is not None:
        fig.add_trace(go.Scatter(
            x=[round(best[1].cost_per_hour, 4)], y=[round(best[1].availability, 5)],
            mode="markers", name="cheapest meeting every objective",
            marker={"symbol": "circle-open", "size": 16, "color": OK_COLOUR, "line": {"width": 2}},
            text=[best[0].label()], hoverinfo="text"))
    if learner is not None:
        fig.add_trace(go.Scatter(
            x=[round(learner[1].cost_per_hour, 4)], y=[round(learner[1].availability, 5)],
            mode="markers", name="your design", text=[learner[0].label()], hoverinfo="text",
            marker={"symbol": "star", "size": 16, "color": colour(4)}))
    return themed(fig, title="Cost against availability (prices are assumptions)",
                  x_title="cost per hour ($/h, assumed prices)",
                  y_title="availability (share of checkouts answered)", height=420)


def breakdown_figure(result: Score) -> go.Figure:
    """Where the failure script cost the design: per cause, failed and slow checkouts, and lost,
    duplicated and late orders."""
    causes = [c for c in CAUSES if c in result.breakdown]
    fig = go.Figure()
    for i, key in enumerate(("failed", "slow", "lost", "duplicates", "late")):
        fig.add_trace(go.Bar(x=causes, y=[result.breakdown[c][key] for c in causes], name=key,
                             marker={"color": colour(i)}))
    verdict = "meets every objective" if result.meets_slo else "misses " + ", ".join(
        result.failing)
    return themed(fig, title=f"Where requests were lost: {verdict}",
                  x_title="part of the day (the failure in progress)",
                  y_title="checkouts or orders", legend_title="counted as")


def render_design(api_servers: int = 3, workers: int = 2, consumers: int = 2,
                  min_insync_replicas: int = 2, seed: int = 0,
                  base: str = "N+1") -> tuple[go.Figure, str]:
    """The dashboard's render function: a reference design with four knobs changed, evaluated,
    drawn as its breakdown; the text is the score and the failing objectives explained."""
    design = replace(REFERENCE_DESIGNS[base], api_servers=api_servers, workers=workers,
                     consumers=consumers, min_insync_replicas=min_insync_replicas)
    result = evaluate(design, seed=seed)
    s = result.summary()
    text = (f"{design.label()}: availability {s['availability']}, p99 {s['p99_ms']} ms, "
            f"lost {s['orders_lost']}, duplicates {s['duplicates']}, freshness p99 "
            f"{s['freshness_p99_s']} s, ${s['cost_per_hour']}/h\n{explain(result)}")
    idle = idle_note(design.consumers, design.partitions)
    text += f"\n{idle}" if idle else ""
    return breakdown_figure(result), text
