"""Use case 2's views: revenue per window, streamed against batch, and the dashboard's render.

The model (:mod:`course_lib.kafka.models.windows`) computes; this module only draws and words.
Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import plotly.graph_objects as go

from course_lib.core.data import load_orders
from course_lib.kafka.models.windows import (
    Key,
    Windowing,
    WindowResult,
    batch_aggregate,
    compare,
    stream_aggregate,
)
from course_lib.ui.viz import THEORY_DASH, colour, rounded, themed


def windows_figure(stream: WindowResult, batch: dict[Key, tuple[int, int]],
                   title: str = "Revenue per window: stream vs batch") -> go.Figure:
    """Revenue per window (in euros) from the stream (solid) and the batch job (dashed)."""
    starts = sorted({k[1] for k in batch})
    minutes = rounded([s / 60000 for s in starts])
    got = stream.as_dict()

    def euros(source: dict) -> list:
        return rounded([sum(v[1] for k, v in source.items() if k[1] == s) / 100 for s in starts], 2)

    fig = go.Figure([
        go.Scatter(x=minutes, y=euros(got), name="stream (final)", mode="lines+markers",
                   line={"color": colour(0)}, marker={"size": 4}),
        go.Scatter(x=minutes, y=euros(batch), name="batch", mode="lines",
                   line={"color": colour(1), "dash": THEORY_DASH}),
    ])
    return themed(fig, title=title, x_title="window start (min of event time)",
                  y_title="revenue (EUR)")


def render_windows(size_s: int = 60, advance_s: int = 60, grace_s: int = 0, events=None):
    """The dashboard's render function over ``data/orders.csv``: (figure, counts).

    ``events`` defaults to the CSV, read on every call; lesson 05's dashboard passes the orders
    it already loaded (``fixed={"events": orders}``), since reading the file took ~20 ms, half of
    a slider move.
    """
    events = load_orders() if events is None else events
    w = Windowing(size_s * 1000, None if advance_s == size_s else advance_s * 1000,
                  grace_s * 1000)
    stream, batch = stream_aggregate(events, w), batch_aggregate(events, w)
    c = compare(stream, batch)
    text = (f"{c['windows']} windows, {c['equal_windows']} equal to batch; "
            f"{c['dropped_events']} orders dropped as late, {c['late_accepted']} out of order "
            f"but accepted; identical to batch: {c['identical']}")
    title = f"{size_s} s windows every {advance_s} s, grace {grace_s} s"
    return windows_figure(stream, batch, title=title), text
