"""The queue lab's view: how often each message was processed, and where the crash committed.

The numbers come from the model or the lab; this module only draws them.
Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import plotly.graph_objects as go

from course_lib.kafka.live.queue_lab import QueueLabResult
from course_lib.ui.viz import FAIL_COLOUR, OK_COLOUR, colour, marked, themed, top_label, vline


def deliveries_figure(result: QueueLabResult) -> go.Figure:
    """Deliveries per message offset: 1 is right, 2 a duplicate, 0 a skipped message.

    A skipped message is a bar of height 0, which no one can see, so each one also gets a
    vermillion ✕ on the axis (trace "skipped (0 deliveries)"): the gap at-most-once leaves.
    """
    d = result.deliveries
    colours = [FAIL_COLOUR if n == 0 else colour(1) if n > 1 else OK_COLOUR for n in d]
    fig = go.Figure(go.Bar(x=list(range(len(d))), y=list(d), marker={"color": colours},
                           name="deliveries"))
    skipped = [offset for offset, n in enumerate(d) if n == 0]
    if skipped:
        fig.add_trace(go.Scatter(x=skipped, y=[0] * len(skipped), mode="markers",
                                 name="skipped (0 deliveries)", cliponaxis=False,
                                 marker={"color": FAIL_COLOUR, "symbol": "x", "size": 8}))
    if result.committed_at_crash is not None:
        at = result.committed_at_crash - 0.5
        marked(fig, [vline(at, {"dash": "dash", "color": "grey"})],
               [top_label(at, "committed at crash")])
    return themed(fig, title=f"{result.lab.mode}: how often each message was processed",
                  x_title="offset (message)", y_title="deliveries", height=300)
