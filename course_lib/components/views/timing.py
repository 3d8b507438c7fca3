"""Where a real request's time goes, layer by layer: the box plots of lesson 01's timing.

The numbers come from the model or the lab; this module only draws them.
Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import plotly.graph_objects as go

from course_lib.components.live.timing import LAYERS, PathTiming
from course_lib.ui.viz import colour, rounded, themed


def timing_figure(timing: PathTiming) -> go.Figure:
    """Box plots of each layer's time (ms, log scale): where does a request's time go?"""
    fig = go.Figure()
    for i, (label, name) in enumerate(LAYERS.items()):
        fig.add_trace(go.Box(y=rounded(timing.times(name) * 1e3, 4), name=label,
                             marker_color=colour(i), boxpoints=False))
    fig.update_yaxes(type="log")
    return themed(fig, title=f"One request, layer by layer ({len(timing.records)} requests)",
                  x_title="layer", y_title="time per request (ms, log scale)")
