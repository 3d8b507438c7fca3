"""Use case 1's view: how fresh each stored order was (emitted → queryable in SQLite).

The numbers come from the model or the lab; this module only draws them.
Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import plotly.graph_objects as go

from course_lib.kafka.live.pipeline import PipelineResult
from course_lib.ui.viz import colour, rounded, themed


def freshness_figure(result: PipelineResult):
    """Freshness (ms) of each stored order, in the order the orders were emitted."""
    ms = rounded([f * 1000 for f in result.freshness_times()], 1)
    fig = go.Figure(go.Scatter(x=list(range(len(ms))), y=ms, mode="markers",
                               marker={"size": 4, "color": colour(0)}, name="freshness"))
    return themed(fig, title="End-to-end freshness: emitted → stored in SQLite",
                  x_title="order (emission order)", y_title="freshness (ms)", height=320)
