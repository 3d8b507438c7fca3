"""Figures and the dashboard render function for lesson 04's consumer-group lag.

Views only: every number comes from :mod:`course_lib.kafka.models.group` (the simulation and its
capacity arithmetic) or from lag samples taken on the real broker
(:mod:`course_lib.kafka.clients.lag`). Simulation is drawn solid, theory dashed.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from course_lib.kafka.models.group import (
    GroupResult,
    GroupScenario,
    group_capacity,
    idle_note,
    lag_growth_rate,
    simulate_group,
    sweep,
)
from course_lib.ui.viz import THEORY_DASH, colour, hline, line_label, marked, rounded, themed

__all__ = ["capacity_sweep_figure", "group_dashboard", "lag_figure", "live_lag_figure",
           "render_group"]


def _parts_label(parts: Sequence[int]) -> str:
    if not parts:
        return "idle"
    return f"P{parts[0]}" if len(parts) == 1 else f"P{parts[0]}–P{parts[-1]}"


def lag_figure(result: GroupResult) -> go.Figure:
    """Lag over time per consumer (solid), the total, and the theory's growth line (dashed)."""
    s = result.scenario
    times = rounded(result.times(), 3)
    fig = go.Figure()
    for c, parts in enumerate(s.assignment()):
        if c >= 8 and not parts:
            continue  # keep the legend readable: idle consumers beyond 8 add nothing to see
        fig.add_trace(go.Scatter(x=times, y=result.consumer_lag(c), mode="lines",
                                 name=f"consumer {c} ({_parts_label(parts)})",
                                 line={"color": colour(c), "width": 1.5}))
    fig.add_trace(go.Scatter(x=times, y=result.total_lag(), mode="lines", name="total lag",
                             line={"color": "black", "width": 2.5}))
    growth = lag_growth_rate(s)
    fig.add_trace(go.Scatter(x=[0, s.duration], y=rounded([0.0, growth * s.duration], 2),
                             mode="lines", name=f"theory: +{growth:g} msg/s",
                             line={"color": "black", "dash": THEORY_DASH, "width": 1.5}))
    return themed(fig, title=(f"Lag with {s.produce_rate:g} msg/s, {s.partitions} partitions, "
                              f"{s.consumers} consumers × {s.consumer_rate:g} msg/s"),
                  x_title="time (s)", y_title="lag (messages)")


def render_group(produce_rate: float = 120.0, consumers: int = 2,
                 processing_time_ms: float = 20.0, partitions: int = 6,
                 seed: int = 2026) -> tuple[go.Figure, str]:
    """The dashboard's render function: knobs → scenario → simulation → (figure, text)."""
    s = GroupScenario(produce_rate=produce_rate, partitions=partitions, consumers=consumers,
                      processing_time=processing_time_ms / 1000.0)
    result = simulate_group(s, seed=seed)
    summary = result.summary()
    busiest = max(len(p) for p in s.assignment())
    if not summary["lag_grows"]:
        verdict = "stays bounded"
    elif summary["theory_growth_per_s"] == 0:  # exactly 100 % load: no drift, yet no bound
        verdict = "is unbounded (no drift at exactly 100 % load, but it wanders ever further)"
    else:
        verdict = "GROWS without bound"
    text = (
        f"assignment (range): {s.assignment()}\n"
        f"capacity = μ·P / busiest = {s.consumer_rate:g} × {s.partitions} / {busiest} = "
        f"{group_capacity(s):g} msg/s  vs  produce rate {s.produce_rate:g} msg/s → lag {verdict}\n"
        f"lag growth: theory {summary['theory_growth_per_s']:g} msg/s, "
        f"simulated {summary['measured_growth_per_s']:g} msg/s; "
        f"final lag {summary['final_lag']} messages"
    )
    idle = idle_note(s.consumers, s.partitions)
    return lag_figure(result), text + (f"\n{idle}" if idle else "")


def capacity_sweep_figure(base: GroupScenario, max_consumers: int, seed: int = 0) -> go.Figure:
    """Group capacity and lag growth against the number of consumers (steps, then a plateau)."""
    rows = sweep(base, range(1, max_consumers + 1), seed=seed)
    xs = [r["consumers"] for r in rows]
    naive = [min(n, base.partitions) * base.consumer_rate for n in xs]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=xs, y=rounded([r["measured_growth_per_s"] for r in rows], 2),
                         name="simulated lag growth (msg/s)", marker_color=colour(5)))
    fig.add_trace(go.Scatter(x=xs, y=rounded([r["capacity_per_s"] for r in rows], 2),
                             mode="lines+markers", name="capacity μ·P/busiest (msg/s)",
                             line={"color": colour(0), "dash": THEORY_DASH, "shape": "hv"}))
    fig.add_trace(go.Scatter(x=xs, y=rounded(naive, 2), mode="lines",
                             name="min(consumers, partitions)·μ",
                             line={"color": colour(1), "dash": "dot", "shape": "hv"}))
    marked(fig, [hline(base.produce_rate, {"color": "grey", "width": 1})],
           [line_label(base.produce_rate, f"produce rate {base.produce_rate:g} msg/s")])
    return themed(fig, title=f"{base.partitions} partitions: what each extra consumer buys",
                  x_title="consumers in the group", y_title="messages per second")


def live_lag_figure(samples: Sequence[tuple[float, Mapping[int, int]]]) -> go.Figure:
    """Lag per partition measured on the broker: ``samples`` = [(seconds, {partition: lag})]."""
    fig = go.Figure()
    partitions = sorted({p for _, lags in samples for p in lags})
    xs = rounded([t for t, _ in samples], 2)
    for p in partitions:
        fig.add_trace(go.Scatter(x=xs, y=[lags.get(p, 0) for _, lags in samples],
                                 mode="lines+markers", name=f"partition {p}",
                                 line={"color": colour(p)}))
    return themed(fig, title="Lag measured with the admin client while the group catches up",
                  x_title="time since consumers started (s)", y_title="lag (messages)")


def group_dashboard():
    """The lesson's dashboard: the four knobs of :func:`render_group`; defaults tell the story."""
    from course_lib.ui.widgets import dashboard, int_slider, slider

    return dashboard(
        render_group,
        produce_rate=slider(120.0, 10.0, 400.0, 10.0, "produce rate (msg/s)"),
        consumers=int_slider(2, 1, 12, "consumers"),
        processing_time_ms=slider(20.0, 1.0, 100.0, 1.0, "processing time (ms/msg)"),
        partitions=int_slider(6, 1, 12, "partitions"),
    )
