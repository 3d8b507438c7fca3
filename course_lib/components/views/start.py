"""Lesson 00's first live slider: how waiting time explodes as a server gets busy.

One M/M/1 server (one worker, exponential service) with a fixed service rate; the slider sets
the arrival rate. The figure plots the theoretical mean response time against utilisation and
marks where the slider puts you. It is the course's first "knee": response time 1/(μ − λ) stays
flat until about 70 % busy, then climbs steeply, and at 100 % there is no steady state at all.

Introduced in ``notebooks/00_start_here.ipynb``; lesson 01 derives and simulates it properly.
"""

from __future__ import annotations

import plotly.graph_objects as go

from course_lib.components.models.knee import SERVICE_RATE, LoadPoint
from course_lib.core.queueing import mm1_mean_response_time
from course_lib.ui import viz


def response_time_figure(arrival_rate: float, service_rate: float = SERVICE_RATE):
    """The M/M/1 response-time curve with the current load marked; returns (figure, text).

    The knobs become a :class:`~course_lib.components.models.knee.LoadPoint`, whose
    ``ValueError`` (shown by the dashboard) refuses a rate that is not positive and a server at
    or beyond 100 % utilisation: the queue then grows without bound.
    """
    point = LoadPoint(arrival_rate, service_rate)
    rho = point.utilisation
    grid = [i / 100 for i in range(1, 98)]
    curve = [1000 * mm1_mean_response_time(u * service_rate, service_rate) for u in grid]
    here = 1000 * point.mean_response_time
    fig = go.Figure()
    fig.add_scatter(x=viz.rounded([100 * u for u in grid], 1), y=viz.rounded(curve, 2),
                    name="M/M/1 theory", line={"dash": viz.THEORY_DASH, "color": viz.colour(0)})
    fig.add_scatter(x=[round(100 * rho, 1)], y=[round(here, 2)], mode="markers",
                    name="you are here", marker={"size": 12, "color": viz.colour(5)})
    viz.themed(fig, title="Mean response time of one server as it gets busier",
               x_title="utilisation ρ = λ/μ (%)", y_title="mean response time (ms)")
    fig.update_yaxes(range=[0, 1000])
    text = (f"arrival rate {arrival_rate:g}/s, service rate {service_rate:g}/s → utilisation "
            f"{rho:.0%}, mean response time {here:.0f} ms ({here * service_rate / 1000:.1f}× the "
            f"{1000 / service_rate:.0f} ms service time)")
    return fig, text
