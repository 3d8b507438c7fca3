"""Figures for lessons 02–03: policies side by side, and the failover timeline.

Builders take :class:`~course_lib.lb.models.result.Result` objects and return ``go.Figure`` (never
shown here). Each backend keeps one colour across a lesson; outcomes use the shared green (ok) and
vermillion (failed); theory is dashed. All data goes through :func:`course_lib.ui.viz.rounded` so
that stored notebook outputs compare exactly.

Introduced in ``notebooks/02_load_balancing.ipynb`` and ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Protocol

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib.lb.models.result import Result
from course_lib.lb.models.scenario import Scenario
from course_lib.ui.viz import (
    FAIL_COLOUR,
    OK_COLOUR,
    THEORY_DASH,
    colour,
    hline,
    line_label,
    rounded,
    themed,
)

__all__ = ["POLICY_LABELS", "approach_label", "format_requests", "response_time_figure",
           "redistribution_figure", "scale_figure", "timeline_figure", "utilisation_figure"]


class RunSummaries(Protocol):
    """What the policy-race figures read from a run: a :class:`Result`, or the dashboards'
    memoised digest of one (its summary after the warm-up and its per-backend table)."""

    def summary(self, since: float = 0.0) -> Mapping[str, float | int | None]: ...

    def per_backend(self) -> Mapping[str, Mapping[str, float | int]]: ...


DOWN_BAND = "rgba(213, 94, 0, 0.15)"  # the backend is actually broken
BELIEF_BAND = "rgba(90, 90, 90, 0.25)"  # the balancer believes it is down

# Figures are built as one plain dict and validated once by ``go.Figure(dict)``: the same figure
# as ``add_bar``/``add_hline``/``make_subplots`` calls would give, in a fraction of the time
# (each of those calls re-validates the figure), which keeps the dashboards responsive.


def _hline(y: float, text: str, line_colour: str) -> tuple[dict, dict]:
    """A dashed (theory) horizontal line across the plot, labelled above its left end."""
    return (hline(y, {"dash": THEORY_DASH, "color": line_colour}),
            line_label(y, text, end="left"))


def _bar(x: list, y: list, name: str, colour_: str, **extra) -> dict:
    return {"type": "bar", "x": x, "y": y, "name": name, "marker": {"color": colour_}, **extra}


def utilisation_figure(results: Mapping[str, RunSummaries], title: str = "Utilisation per server"
                       ) -> go.Figure:
    """Grouped bars: x = backend, one bar per policy (the keys of ``results``)."""
    data = []
    for i, (label, result) in enumerate(results.items()):
        table = result.per_backend()
        names = list(table)
        data.append(_bar(names, rounded(table[n]["utilisation"] for n in names), label,
                         colour(i)))
    shape, annotation = _hline(1.0, "saturated", "grey")
    fig = go.Figure({"data": data, "layout": {"shapes": [shape], "annotations": [annotation],
                                              "barmode": "group", "yaxis": {"range": [0, 1.1]}}})
    return themed(fig, title=title, x_title="server", y_title="utilisation (busy fraction)",
                  legend_title="policy")


def redistribution_figure(result: Result, title: str) -> go.Figure:
    """Requests/s each backend was sent before its failure and after it was marked down.

    The picture of "the survivors take the dead server's traffic": with weights, in proportion
    to them. Windows: from 0 to the first failure, and from the first detection (plus 1 s for
    the queue to settle) to the recovery or the end of the run.
    """
    (d, *_) = result.detections
    end = d.recovered_at if d.recovered_at is not None else result.scenario.duration
    assert d.marked_down_at is not None, "the figure needs a failure the balancer detected"
    windows = {"before the failure": (0.0, d.failed_at),
               "after detection": (d.marked_down_at + 1.0, end)}
    names = list(result.scenario.names)
    data = []
    for i, (label, (start, stop)) in enumerate(windows.items()):
        sent = [a.backend for a in result.attempts if start <= a.sent_at < stop]
        rates = [sent.count(n) / (stop - start) for n in names]
        data.append(_bar(names, rounded(rates, 1), label, colour(i)))
    fig = go.Figure({"data": data, "layout": {"barmode": "group"}})
    return themed(fig, title=title, x_title="server", y_title="requests sent (req/s)",
                  legend_title="window")


def response_time_figure(results: Mapping[str, RunSummaries], theory: float | None = None,
                   theory_label: str = "M/M/1 mean (random)", since: float = 0.0,
                   title: str = "Response time by policy") -> go.Figure:
    """Mean, p95 and p99 response time per policy; ``theory`` (seconds) as a dashed line."""
    labels = list(results)
    summaries = [results[k].summary(since=since) for k in labels]
    data = []
    for i, key in enumerate(("mean_response_time", "p95", "p99")):
        values = [v * 1000 if (v := s[key]) is not None else None for s in summaries]
        data.append(_bar(labels, rounded(values, 2), key.replace("_response_time", ""), colour(i)))
    layout: dict = {"barmode": "group"}
    if theory is not None:
        shape, label = _hline(round(theory * 1000, 2), theory_label, "black")
        layout.update(shapes=[shape], annotations=[label])
    fig = go.Figure({"data": data, "layout": layout})
    return themed(fig, title=title, x_title="policy", y_title="response time (ms)",
                  legend_title="statistic")


def scale_figure(servers: Sequence[int], curves: Mapping[str, Sequence[tuple[float, float]]],
                 mm1: float, shared: Sequence[float], marker: int | None = None,
                 title: str = "Mean response time against the number of servers") -> go.Figure:
    """Mean response time (ms) against the number of servers: one line per policy.

    ``curves`` maps a policy to one ``(mean, standard error)`` pair (seconds) per entry of
    ``servers``; error bars are ±2 standard errors. ``mm1`` (seconds: what random splitting
    gives) and ``shared`` (one M/M/N value per server count: one shared queue, the best any
    balancer can do) are drawn dashed; ``marker`` draws a dotted vertical line at that count.
    """
    x = list(servers)
    data = []
    for i, (policy, points) in enumerate(curves.items()):
        data.append({"type": "scatter", "mode": "lines+markers", "name": policy, "x": x,
                     "y": rounded((m * 1000 for m, _ in points), 1),
                     "error_y": {"type": "data", "array": rounded((2000 * se for _, se in points),
                                                                  1)},
                     "line": {"color": colour(i)}, "marker": {"color": colour(i)}})
    data.append({"type": "scatter", "mode": "lines", "name": "M/M/1 (theory for random)",
                 "x": [x[0], x[-1]], "y": rounded([mm1 * 1000] * 2, 1),
                 "line": {"color": "black", "dash": THEORY_DASH}})
    data.append({"type": "scatter", "mode": "lines", "name": "M/M/N, one shared queue (bound)",
                 "x": x, "y": rounded((w * 1000 for w in shared), 1),
                 "line": {"color": "grey", "dash": THEORY_DASH}})
    layout: dict = {"xaxis": {"dtick": 1}, "yaxis": {"rangemode": "tozero"}}
    if marker is not None:
        layout["shapes"] = [{"type": "line", "x0": marker, "x1": marker, "xref": "x",
                             "y0": 0, "y1": 1, "yref": "y domain",
                             "line": {"dash": "dot", "color": "grey"}}]
    fig = go.Figure({"data": data, "layout": layout})
    return themed(fig, title=title, x_title="number of servers",
                  y_title="mean response time (ms)", legend_title="policy", height=420)


def _axis(row: int) -> str:
    return "" if row == 1 else str(row)


def _bands(result: Result, name: str, row: int) -> list[dict]:
    """The health bands of backend ``name`` (subplot ``row``) as layout shapes."""
    shapes = []
    for seg in result.health:
        if seg.backend != name:
            continue
        x0, x1 = round(seg.from_at, 3), round(seg.to_at, 3)
        if seg.actual not in ("up", "slow"):
            shapes.append({"type": "rect", "x0": x0, "x1": x1, "xref": f"x{_axis(row)}",
                           "y0": 0, "y1": 1, "yref": f"y{_axis(row)} domain",
                           "fillcolor": DOWN_BAND, "line": {"width": 0}, "layer": "below"})
        if not seg.believed_up:
            shapes.append({"type": "rect", "x0": x0, "x1": x1, "xref": f"x{_axis(row)}",
                           "y0": 0.0, "y1": 0.12, "yref": f"y{_axis(row)} domain",
                           "fillcolor": BELIEF_BAND, "line": {"width": 0}})
    return shapes


@lru_cache(maxsize=32)
def _rows_layout(names: tuple[str, ...]) -> str:
    """The layout of ``make_subplots`` with one row per backend (as JSON, copied per figure)."""
    grid = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.03,
                         row_titles=list(names))
    layout = grid.layout.to_plotly_json()
    layout.pop("template", None)
    return json.dumps(layout)


POLICY_LABELS = {
    "round_robin": "round-robin",
    "weighted_round_robin": "weighted round-robin",
    "least_connections": "least connections",
    "random": "random",
    "power_of_two": "power of two",
}


def approach_label(scenario: Scenario) -> str:
    """What a reader calls the design: "hot standby" or "cold standby" when the scenario has a
    backup server (the policy then only matters among primaries), else the policy's name."""
    if any(b.backup for b in scenario.backends):
        return f"{scenario.standby} standby"
    return POLICY_LABELS.get(scenario.policy, scenario.policy)


def timeline_figure(result: Result, bin_time: float = 1.0, title: str | None = None
                    ) -> go.Figure:
    """Requests per backend over time, ok (green) / failed (vermillion), with health bands.

    One row per backend. A light vermillion band marks when the backend is *actually* broken
    (crashed, hung, off, booting); a grey strip along the bottom marks when the balancer
    *believes* it is down. The gap between the start of the two is the detection time.
    Without a ``title``, the figure is named after the design (:func:`approach_label`).
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
    layout = json.loads(_rows_layout(tuple(names)))
    data, shapes = [], []
    for row, name in enumerate(names, start=1):
        ok, failed = counts[name]
        axes = {"xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}", "showlegend": row == 1}
        data.append(_bar(x, rounded(v * rate for v in ok), "ok", OK_COLOUR, legendgroup="ok",
                         **axes))
        data.append(_bar(x, rounded(v * rate for v in failed), "failed", FAIL_COLOUR,
                         legendgroup="failed", **axes))
        shapes += _bands(result, name, row)
        layout[f"xaxis{_axis(row)}"]["range"] = [0, scenario.duration]
    data.append(_bar([None], [None], "actually down", DOWN_BAND))
    data.append(_bar([None], [None], "believed down", BELIEF_BAND))
    last, middle = len(names), (len(names) + 1) // 2
    layout[f"xaxis{_axis(last)}"]["title"] = {"text": "time (s)"}
    layout[f"yaxis{_axis(middle)}"]["title"] = {"text": "req/s"}
    layout.update(shapes=shapes, barmode="stack", bargap=0.0)
    fig = go.Figure({"data": data, "layout": layout})
    return themed(fig, title=title or f"Requests per backend ({approach_label(scenario)})",
                  x_title="time (s)" if last == 1 else "",
                  y_title="req/s" if middle == 1 else "",
                  height=110 + 95 * len(names), legend_title="")


def format_requests(result: Result, limit: int = 5) -> str:
    """A plain-text trace of the first ``limit`` requests: arrival, backend(s), outcome."""
    tries: dict[int, list[str]] = {}
    for a in result.attempts:
        tries.setdefault(a.request_id, []).append(f"{a.backend}:{a.outcome}")
    lines = [f"{'id':>3}  {'arrival (s)':>11}  {'latency (ms)':>12}  attempts"]
    for r in result.requests[:limit]:
        response_time = "" if r.response_time is None else f"{r.response_time * 1000:.1f}"
        lines.append(f"{r.id:>3}  {r.arrival_at:>11.3f}  {response_time:>12}  "
                     + " → ".join(tries.get(r.id, [r.outcome])))
    return "\n".join(lines)
