"""Figures for lessons 02–03: policies side by side, and the failover timeline.

Builders take :class:`~course_lib.lb.result.Result` objects and return ``go.Figure`` (never
shown here). Each backend keeps one colour across a lesson; outcomes use the shared green (ok) and
vermillion (failed); theory is dashed. All data goes through :func:`course_lib.viz.rounded` so
that stored notebook outputs compare exactly.

Introduced in ``notebooks/02_load_balancing.ipynb`` and ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib.lb.result import Result
from course_lib.viz import FAIL_COLOUR, OK_COLOUR, THEORY_DASH, colour, rounded, themed

__all__ = ["latency_figure", "timeline_figure", "utilisation_figure", "format_requests"]

DOWN_BAND = "rgba(213, 94, 0, 0.15)"  # the backend is actually broken
BELIEF_BAND = "rgba(90, 90, 90, 0.25)"  # the balancer believes it is down


def utilisation_figure(results: Mapping[str, Result], title: str = "Utilisation per server"
                       ) -> go.Figure:
    """Grouped bars: x = backend, one bar per policy (the keys of ``results``)."""
    fig = go.Figure()
    for i, (label, result) in enumerate(results.items()):
        table = result.per_backend()
        names = list(table)
        fig.add_bar(x=names, y=rounded(table[n]["utilisation"] for n in names), name=label,
                    marker_color=colour(i))
    fig.add_hline(y=1.0, line_dash=THEORY_DASH, line_color="grey",
                  annotation_text="saturated", annotation_position="top left")
    fig.update_layout(barmode="group", yaxis_range=[0, 1.1])
    return themed(fig, title=title, x_title="server", y_title="utilisation (busy fraction)",
                  legend_title="policy")


def latency_figure(results: Mapping[str, Result], theory: float | None = None,
                   theory_label: str = "M/M/1 mean (random)", since: float = 0.0,
                   title: str = "Response time by policy") -> go.Figure:
    """Mean, p95 and p99 response time per policy; ``theory`` (seconds) as a dashed line."""
    labels = list(results)
    summaries = [results[k].summary(since=since) for k in labels]
    fig = go.Figure()
    for i, key in enumerate(("mean_latency", "p95", "p99")):
        values = [s[key] * 1000 if s[key] is not None else None for s in summaries]
        fig.add_bar(x=labels, y=rounded(values, 2), name=key.replace("_latency", ""),
                    marker_color=colour(i))
    if theory is not None:
        fig.add_hline(y=round(theory * 1000, 2), line_dash=THEORY_DASH, line_color="black",
                      annotation_text=theory_label, annotation_position="top left")
    fig.update_layout(barmode="group")
    return themed(fig, title=title, x_title="policy", y_title="response time (ms)",
                  legend_title="statistic")


def _bands(fig: go.Figure, result: Result, name: str, row: int) -> None:
    for seg in result.health:
        if seg.backend != name:
            continue
        if seg.actual not in ("up", "slow"):
            fig.add_vrect(x0=round(seg.from_at, 3), x1=round(seg.to_at, 3), fillcolor=DOWN_BAND,
                          line_width=0, layer="below", row=row, col=1)
        if not seg.believed_up:
            fig.add_shape(type="rect", x0=round(seg.from_at, 3), x1=round(seg.to_at, 3),
                          y0=0.0, y1=0.12, yref=f"y{row if row > 1 else ''} domain",
                          xref=f"x{row if row > 1 else ''}", fillcolor=BELIEF_BAND,
                          line_width=0)


def timeline_figure(result: Result, bin_time: float = 1.0, title: str | None = None
                    ) -> go.Figure:
    """Requests per backend over time, ok (green) / failed (vermillion), with health bands.

    One row per backend. A light vermillion band marks when the backend is *actually* broken
    (crashed, hung, off, booting); a grey strip along the bottom marks when the balancer
    *believes* it is down. The gap between the start of the two is the detection time.
    """
    scenario = result.scenario
    names = list(scenario.names)
    bins = math.ceil(scenario.duration / bin_time)
    counts = {n: ([0] * bins, [0] * bins) for n in names}
    for a in result.attempts:
        k = min(bins - 1, int(a.sent_at / bin_time))
        counts[a.backend][0 if a.outcome == "ok" else 1][k] += 1
    rate = 1 / bin_time
    x = rounded((k + 0.5) * bin_time for k in range(bins))
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        row_titles=names)
    for row, name in enumerate(names, start=1):
        ok, failed = counts[name]
        first = row == 1
        fig.add_bar(x=x, y=rounded(v * rate for v in ok), name="ok", marker_color=OK_COLOUR,
                    legendgroup="ok", showlegend=first, row=row, col=1)
        fig.add_bar(x=x, y=rounded(v * rate for v in failed), name="failed",
                    marker_color=FAIL_COLOUR, legendgroup="failed", showlegend=first,
                    row=row, col=1)
        _bands(fig, result, name, row)
    fig.add_bar(x=[None], y=[None], name="actually down", marker_color=DOWN_BAND)
    fig.add_bar(x=[None], y=[None], name="believed down", marker_color=BELIEF_BAND)
    fig.update_layout(barmode="stack", bargap=0.0)
    fig.update_xaxes(range=[0, scenario.duration])
    themed(fig, title=title or f"Requests per backend ({scenario.policy})",
           x_title="", y_title="", height=110 + 95 * len(names), legend_title="")
    fig.update_xaxes(title_text="time (s)", row=len(names), col=1)
    fig.update_yaxes(title_text="req/s", row=(len(names) + 1) // 2, col=1)
    return fig


def format_requests(result: Result, limit: int = 5) -> str:
    """A plain-text trace of the first ``limit`` requests: arrival, backend(s), outcome."""
    tries: dict[int, list[str]] = {}
    for a in result.attempts:
        tries.setdefault(a.request_id, []).append(f"{a.backend}:{a.outcome}")
    lines = [f"{'id':>3}  {'arrival (s)':>11}  {'latency (ms)':>12}  attempts"]
    for r in result.requests[:limit]:
        latency = "" if r.latency is None else f"{r.latency * 1000:.1f}"
        lines.append(f"{r.id:>3}  {r.arrival_at:>11.3f}  {latency:>12}  "
                     + " → ".join(tries.get(r.id, [r.outcome])))
    return "\n".join(lines)
