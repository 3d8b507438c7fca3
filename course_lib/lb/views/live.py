"""Figures for lesson 03b: one timeline for a live run or a simulated one, and the table.

Both timelines use the same layout, so they can be put one above the other: one lane per backend,
a dot per request at the time it was sent (coloured by the backend that answered, a vermillion
cross when it failed), a grey band while the balancer believed the backend down, a dotted line at
each injected failure, a sky-blue band while the operator kept a backend out of the rotation
(``drain``, ``maint``) and a grey dotted line at each ``set weight``. Data are rounded lists
(``viz.rounded``) so stored outputs diff.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from course_lib.lb.live.failover.lab import LiveResult
from course_lib.lb.models.result import Result
from course_lib.ui import viz

#: The shade of a backend the operator took out of the rotation (drain, then maintenance).
OPERATOR_FILL = "#56B4E9"


def _down_bands(result: LiveResult | Result) -> list[tuple[str, float, float]]:
    """(backend, from, to) while the balancer believed the backend down.

    For a live run this is HAProxy's own state as the runtime API reported it (``show stat``
    status ``DOWN`` or ``DOWN 1/2``, sampled every 20 ms); for a simulation, its detections.
    """
    end = result.scenario.duration
    bands = []
    if isinstance(result, LiveResult):
        since: dict[str, float] = {}
        for s in result.samples:
            down = s.status.startswith("DOWN")  # MAINT is the operator's: _operator_bands
            if down and s.server not in since:
                since[s.server] = s.at
            elif not down and s.server in since:
                bands.append((s.server, since.pop(s.server), s.at))
        bands += [(server, start, end) for server, start in since.items()]
        return bands
    for d in result.detections:
        if d.marked_down_at is not None:
            bands.append((d.backend, d.marked_down_at, d.marked_up_at or end))
    return bands


def _operator_bands(result: LiveResult | Result) -> list[tuple[str, float, float, str]]:
    """(backend, from, to, label) while the operator kept a backend out of the rotation.

    Read from the scenario's operations (what was asked), the same for both engines: a
    ``drain`` or ``maint`` opens a band, ``ready`` closes it.
    """
    end = result.scenario.duration
    since: dict[str, tuple[float, str]] = {}
    bands = []
    for op in sorted(result.scenario.operations, key=lambda o: o.at):
        if op.action in ("drain", "maint"):
            if op.backend in since:
                start, label = since.pop(op.backend)
                bands.append((op.backend, start, op.at, label))
            since[op.backend] = (op.at, op.action)
        elif op.action == "ready" and op.backend in since:
            start, label = since.pop(op.backend)
            bands.append((op.backend, start, op.at, label))
    bands += [(b, start, end, label) for b, (start, label) in since.items()]
    return bands


def _points(result: LiveResult | Result) -> list[tuple[float, str | None, bool]]:
    if isinstance(result, LiveResult):
        return [(r.sent_at, r.backend, r.ok) for r in result.requests]
    return [(r.arrival_at, r.backend, r.outcome == "ok") for r in result.requests]


def request_timeline(result: LiveResult | Result, *, title: str) -> go.Figure:
    """Requests per backend over time, failures marked, believed-down periods shaded."""
    names = list(result.scenario.names)
    lane = {n: i for i, n in enumerate(names)}
    fig = go.Figure()
    for backend, start, stop in _down_bands(result):
        y = lane[backend]
        fig.add_shape(type="rect", x0=round(start, 4), x1=round(stop, 4), y0=y - 0.4,
                      y1=y + 0.4, fillcolor="lightgrey", opacity=0.6, line_width=0, layer="below")
    for backend, start, stop, label in _operator_bands(result):
        y = lane[backend]
        fig.add_shape(type="rect", x0=round(start, 4), x1=round(stop, 4), y0=y - 0.4,
                      y1=y + 0.4, fillcolor=OPERATOR_FILL, opacity=0.5, line_width=0,
                      layer="below", label={"text": label, "textposition": "top left"})
    # dotted, not dashed: in this course dashed lines are theory
    lines = [viz.vline(f.at, {"dash": "dot", "color": viz.FAIL_COLOUR})
             for f in result.scenario.failures]
    labels = []
    for op in result.scenario.operations:
        if op.action == "weight":
            assert op.weight is not None  # Operation.validate: a "weight" operation carries one
            lines.append(viz.vline(op.at, {"dash": "dot", "color": "grey"}))
            labels.append(viz.top_label(op.at, f"set weight {round(op.weight * 100)}%"))
    viz.marked(fig, lines, labels)
    points = _points(result)
    for name in names:
        xs = [t for t, b, ok in points if b == name and ok]
        fig.add_trace(go.Scatter(
            x=viz.rounded(xs, 3), y=[lane[name]] * len(xs), mode="markers", name=name,
            marker={"size": 4, "color": viz.colour_for(name, names)}))
    bad = [(t, b) for t, b, ok in points if not ok]
    fig.add_trace(go.Scatter(
        x=viz.rounded([t for t, _ in bad], 3),
        y=[lane.get(b, -0.6) if b else -0.6 for _, b in bad], mode="markers", name="failed",
        marker={"symbol": "x", "size": 7, "color": viz.FAIL_COLOUR}))
    fig.update_yaxes(tickvals=list(range(len(names))), ticktext=names,
                     range=[-1, len(names) - 0.4])
    return viz.themed(fig, title=title, x_title="time since the first request (s)",
                      y_title="backend", height=300)


def comparison_table(rows: list[list], *, live_label: str) -> go.Figure:
    """A plotly table of :func:`.compare.table_rows`."""
    columns: Sequence[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    fig = go.Figure(go.Table(
        header={"values": ["run", "metric", f"measured ({live_label})", "simulated"],
                "align": "left"},
        cells={"values": [list(c) for c in columns], "align": "left"},
    ))
    fig.update_layout(height=110 + 22 * len(rows), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": "Measured vs. simulated, run by run", "x": 0.0,
                             "xanchor": "left"})
    return fig
