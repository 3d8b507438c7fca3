"""Several balancers, each counting only its own requests: the bars of lesson 02's fleet figure.

The numbers come from the model or the lab; this module only draws them.
Introduced in ``notebooks/02_load_balancing.ipynb``.
"""

from __future__ import annotations

import plotly.graph_objects as go

from course_lib.ui.viz import colour, rounded, themed


def fleet_figure(runs: dict[str, tuple], fleets: tuple[int, ...], title: str) -> go.Figure:
    """Grouped bars: x = number of balancers, one bar per policy, ±2 SE error bars (ms)."""
    fig = go.Figure()
    labels = [f"{b} balancer{'s' if b > 1 else ''}" for b in fleets]
    for i, (policy, points) in enumerate(runs.items()):
        fig.add_trace(go.Bar(
            x=labels, y=rounded([m * 1000 for m, _ in points], 1), name=policy,
            marker_color=colour(i),
            error_y={"type": "data", "array": rounded([2 * se * 1000 for _, se in points], 1)}))
    fig.update_layout(barmode="group")
    return themed(fig, title=title, x_title="balancers, each counting only its own requests",
                  y_title="mean response time (ms)", legend_title="policy")
