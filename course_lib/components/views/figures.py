"""Lesson 01's figures and the render functions its dashboards call.

Each ``render_*`` function takes the dashboard's knobs as keyword arguments (in the units the
sliders show: milliseconds, requests per second), builds the model's description from them
(whose checks name the knob), runs the engine, and returns ``(figure, text)``. The live
dashboard and its checked twin in the notebook call the same function, so nbval compares exactly
what the learner sees.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from course_lib.components.models.load_curve import load_curve
from course_lib.components.models.path import PathKnobs
from course_lib.components.models.path_engine import simulate_path
from course_lib.components.models.server import check_count, check_rate
from course_lib.core import queueing
from course_lib.core.stats import linear_quantile
from course_lib.ui.viz import FAIL_COLOUR, THEORY_DASH, colour, rounded, themed, top_label, vline

__all__ = ["response_time_histogram", "load_curve_figure", "render_load_curve",
           "render_network", "render_path"]

PERCENTILES = (0.50, 0.95, 0.99)  # marked on every histogram (fractions, as core.stats takes them)



def response_time_histogram(times: np.ndarray, *, title: str, bins: int = 40) -> go.Figure:
    """A histogram of response times (ms) with the p50/p95/p99 marked as vertical lines.

    Built as one dict and validated once (``go.Figure(dict)``): the figure ``add_vline`` calls
    would give, several times faster, so the dashboards keep up with their sliders.
    """
    ms = np.asarray(times) * 1e3
    high = linear_quantile(ms, 0.995)
    counts, edges = np.histogram(ms, bins=bins, range=(0.0, high))
    centres = (edges[:-1] + edges[1:]) / 2
    shapes, labels = [], []
    for i, q in enumerate(PERCENTILES):
        value = linear_quantile(ms, q)
        shapes.append(vline(round(value, 3), {"color": colour(i + 1), "dash": "dot"}))
        labels.append(top_label(round(value, 3), f"p{round(100 * q)} {value:.1f} ms"))
    bar = {"type": "bar", "x": rounded(centres, 3), "y": [int(c) for c in counts],
           "width": float(round(edges[1] - edges[0], 4)), "name": "requests",
           "marker": {"color": colour(0)}}
    fig = go.Figure({"data": [bar], "layout": {"shapes": shapes, "annotations": labels,
                                               "showlegend": False}})
    return themed(fig, title=title, x_title="response time (ms)",
                  y_title="requests (count, last 0.5% not shown)")


def _path_text(summary: dict) -> str:
    return (f"{summary['requests']} requests measured: mean {summary['mean_response_time']*1e3:.1f}"
            f" ms, p50 {summary['p50_response_time']*1e3:.1f} ms, p95 "
            f"{summary['p95_response_time']*1e3:.1f} ms, p99 {summary['p99_response_time']*1e3:.1f}"
            f" ms; retries {summary['retries']}, failed {summary['failed']}; workers busy "
            f"{summary['worker_utilisation']:.0%}")


def render_path(arrival_rate: float = 50.0, network_delay_ms: float = 1.0,
                workers: int = 4, db_time_ms: float = 10.0, cache_hit_ratio: float = 0.0,
                network_jitter_ms: float = 0.2, loss_percent: float = 0.0,
                seed: int = 2026) -> tuple[go.Figure, str]:
    """The whole path at one setting: the response-time distribution and its percentiles.

    Bad knobs are refused by :class:`~course_lib.components.models.path.PathKnobs` and an
    unstable setting by :meth:`~course_lib.components.models.path.PathScenario.check_stable`
    ("the queue grows without bound"), each a ``ValueError`` the dashboard shows rather than
    percentiles of a growing queue.
    """
    scenario = PathKnobs(arrival_rate, network_delay_ms, workers, db_time_ms, cache_hit_ratio,
                         network_jitter_ms, loss_percent).scenario()
    scenario.check_stable()
    result = simulate_path(scenario, seed=seed)
    title = (f"Response time at {arrival_rate:g} req/s, {network_delay_ms:g} ms each way, "
             f"{workers} workers, cache hits {cache_hit_ratio:.0%}")
    return response_time_histogram(result.response_times, title=title), _path_text(result.summary())


def render_network(network_delay_ms: float = 1.0, network_jitter_ms: float = 0.2,
                   loss_percent: float = 0.0, seed: int = 2026) -> tuple[go.Figure, str]:
    """The path with only the network knobs exposed (the rest at :func:`render_path` defaults)."""
    return render_path(network_delay_ms=network_delay_ms, network_jitter_ms=network_jitter_ms,
                       loss_percent=loss_percent, seed=seed)


def load_curve_figure(workers: int, service_rate: float, *, requests_per_point: int = 3000,
                      seed: int = 2026) -> tuple[go.Figure, list[dict]]:
    """Throughput and mean response time against offered load: simulation and M/M/c theory.

    Error bars are ±2 standard errors by batch means: short runs near saturation scatter a lot,
    and the bar says how much, so each point runs ``requests_per_point / (1 − fraction)``
    requests (a queue near saturation forgets its past slowly). Returns the figure and one row
    per offered load. Beyond capacity the simulated mean is not drawn: a run of any length would
    give a different, meaningless finite number. The rows come from
    :func:`course_lib.components.models.load_curve.load_curve`.
    """
    capacity = workers * service_rate
    rows = load_curve(workers, service_rate, requests_per_point=requests_per_point, seed=seed)
    x = rounded([r["offered"] for r in rows], 3)
    fine = np.linspace(0.02, 0.97, 60) * capacity
    scatter = {"type": "scatter", "x": x, "xaxis": "x", "yaxis": "y"}
    data = [
        {**scatter, "y": rounded([r["throughput"] for r in rows], 3), "mode": "lines+markers",
         "name": "throughput (simulated)", "line": {"color": colour(0)}},
        {**scatter, "y": x, "mode": "lines", "name": "offered = served",
         "line": {"dash": THEORY_DASH, "color": "grey"}},
        {"type": "scatter", "x": rounded(fine, 3), "mode": "lines",
         "name": f"M/M/{workers} theory", "xaxis": "x2", "yaxis": "y2",
         "y": rounded([queueing.mmc_mean_response_time(r, service_rate, workers) * 1e3
                       for r in fine], 3), "line": {"dash": THEORY_DASH, "color": colour(1)}},
        {**scatter, "xaxis": "x2", "yaxis": "y2", "mode": "markers",
         "y": rounded([None if r["mean"] is None else r["mean"] * 1e3 for r in rows], 3),
         "error_y": {"type": "data", "array": rounded(
             [None if r["mean"] is None else 2e3 * r["standard_error"] for r in rows], 3)},
         "name": "mean ± 2 SE (simulated)", "marker": {"color": colour(0)}},
    ]
    titles = ("throughput: flat once the server saturates", "mean response time: the knee")
    layout = {  # two plots side by side (what make_subplots(rows=1, cols=2) lays out)
        "xaxis": {"anchor": "y", "domain": [0.0, 0.45]},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
        "xaxis2": {"anchor": "y2", "domain": [0.55, 1.0],
                   "title": {"text": "offered load (req/s)"}},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 1.0],
                   "title": {"text": "mean response time (ms)"}},
        "annotations": [{"font": {"size": 16}, "showarrow": False, "text": text, "x": x0,
                         "xanchor": "center", "xref": "paper", "y": 1.0, "yanchor": "bottom",
                         "yref": "paper"} for text, x0 in zip(titles, (0.225, 0.775), strict=True)],
        "shapes": [vline(round(capacity, 3), {"color": FAIL_COLOUR, "dash": "dot"}, xref=xref)
                   for xref in ("x", "x2")],
    }
    fig = themed(go.Figure({"data": data, "layout": layout}),
           title=f"{workers} worker(s), service rate {service_rate:g}/s each: capacity "
                 f"{capacity:g} req/s (dotted)", x_title="offered load (req/s)",
                 y_title="throughput (req/s)", height=400)
    return fig, rows


def render_load_curve(workers: int = 1, service_time_ms: float = 20.0,
                      seed: int = 2026) -> tuple[go.Figure, str]:
    """Dashboard view of :func:`load_curve_figure` with the knobs in the slider's units."""
    check_count("workers", workers)
    check_rate("service_time_ms", service_time_ms)
    fig, rows = load_curve_figure(workers, 1e3 / service_time_ms, seed=seed)
    capacity = workers * 1e3 / service_time_ms
    beyond = rows[-1]
    top = rows[-3]
    text = (f"capacity = workers × service rate = {capacity:.4g} req/s. At {top['offered']:.4g} "
            f"req/s ({top['offered'] / capacity:.0%}) the mean is {top['mean'] * 1e3:.1f} ms ± "
            f"{2e3 * top['standard_error']:.1f} ms (2 SE; theory "
            f"{top['theory'] * 1e3:.1f} ms). At {beyond['offered']:.4g} req/s "
            f"({beyond['offered'] / capacity:.0%}) the queue"
            f" grows without bound: {beyond['in_system_at_end']} requests were still waiting "
            "when the run stopped, and a longer run would leave more.")
    return fig, text
