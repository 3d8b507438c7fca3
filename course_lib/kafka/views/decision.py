"""Figures, the comparison table and the dashboard for lesson 06 (views only; numbers come from
:mod:`course_lib.kafka.models.decision`).

Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go

from course_lib.kafka.models.decision import (
    IntegrationResult,
    IntegrationScenario,
    throughput_ceiling,
)
from course_lib.kafka.models.decision_engine import compare
from course_lib.ui.viz import colour, rounded, themed, top_label, vrect

__all__ = ["backlog_figure", "render_tradeoffs", "tradeoff_dashboard", "tradeoff_table"]

LABELS = {"direct_api": "direct API call", "db_table": "database table",
          "message_broker": "message broker", "kafka": "Kafka"}


def backlog_figure(results: dict[str, IntegrationResult]) -> go.Figure:
    """Messages accepted but not yet processed, per style, with the outage shaded."""
    scenario = next(iter(results.values())).scenario
    return _backlog_figure({style: r.backlog for style, r in results.items()}, scenario)


def _backlog_figure(backlogs: dict[str, list[tuple[float, int]]],
                    s: IntegrationScenario) -> go.Figure:
    data = [{"type": "scatter", "x": rounded([t for t, _ in backlog], 2),
             "y": [b for _, b in backlog], "mode": "lines", "name": LABELS[style],
             "line": {"color": colour(i), "width": 2,
                      "dash": "dot" if style == "message_broker" else "solid"}}
            for i, (style, backlog) in enumerate(backlogs.items())]
    layout = {}
    if s.outage_time > 0:
        layout = {"shapes": [vrect(s.outage_at, s.outage_end_at, fillcolor="grey", opacity=0.15,
                                   line={"width": 0})],
                  "annotations": [top_label(s.outage_at, "consumer down")]}
    fig = go.Figure({"data": data, "layout": layout})  # validated once (CONTRIBUTING.md)
    return themed(fig, title=f"Backlog at {s.produce_rate:g} msg/s with a "
                             f"{s.outage_time:g} s consumer outage",
                  x_title="time (s)", y_title="messages waiting")


def tradeoff_table(results: dict[str, IntegrationResult]) -> str:
    """One fixed-width row per style: delivered, failed, latency, backlog, replay, ceiling."""
    head = (f"{'':16} {'delivered':>9} {'failed':>7} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'max backlog':>11} {'history':>8} {'ceiling/s*':>10}")
    lines = [head]
    for style, r in results.items():
        x = r.summary()
        ceiling = throughput_ceiling(style, r.scenario)
        lines.append(f"{LABELS[style]:16} {x['delivered']:>9} {x['failed_at_producer']:>7} "
                     f"{x['p50_response_time_ms']:>7} {x['p95_response_time_ms']:>7} "
                     f"{x['max_backlog']:>11} "
                     f"{x['history_for_new_subscriber']:>8} {ceiling:>10.0f}")
    r = next(iter(results.values()))
    lines.append(f"produced: {r.produced}; latency = before the outage; history = messages a "
                 f"subscriber arriving at t = {r.scenario.late_subscriber_at:g} s can still read")
    lines.append("* ceiling = 1 / the assumed per-message cost (decision.Costs): an assumption, "
                 "not a measurement")
    return "\n".join(lines)


def render_tradeoffs(produce_rate: float = 200.0, outage_time: float = 5.0,
                     seed: int = 2026) -> tuple[go.Figure, str]:
    """The dashboard's render function: two knobs → four simulations → (figure, table).

    The simulations run on the fast engine (the same numbers as :func:`compare`'s simpy default)
    and what the view needs from them is remembered, so moving a slider back costs only the
    figure.
    """
    backlogs, table, scenario = _dashboard_numbers(produce_rate, outage_time, seed)
    return _backlog_figure(backlogs, scenario), table


@lru_cache(maxsize=256)
def _dashboard_numbers(produce_rate: float, outage_time: float, seed: int):
    """Backlog series, table and scenario for one knob setting (a few kB: cheap to keep)."""
    base = IntegrationScenario(produce_rate=produce_rate, outage_time=outage_time)
    results = compare(base, seed=seed)
    return {style: r.backlog for style, r in results.items()}, tradeoff_table(results), base


def tradeoff_dashboard():
    """Produce rate and outage length: the two knobs lesson 06's paragraphs discuss."""
    from course_lib.ui.widgets import dashboard, slider

    return dashboard(
        render_tradeoffs,
        produce_rate=slider(200.0, 50.0, 1200.0, 50.0, "produce rate (msg/s)"),
        outage_time=slider(5.0, 0.0, 15.0, 1.0, "consumer outage (s)"),
    )
