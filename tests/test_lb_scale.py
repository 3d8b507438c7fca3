"""Lesson 02's scale figure: mean response time against the number of servers at fixed ρ.

The figure is what the section argues, so the tests read its data: one line per policy with
±2 standard-error bars (batch means: 10 batches of the requests arriving in a 380 s window
after a 20 s warm-up; at ρ = 0.8 and μ = 10/s the M/M/1 relaxation time is
1/(μ(1 − √ρ)²) ≈ 9 s and the integrated correlation time of the queue about 4.5 s, so each
batch spans several of them and the batch means are nearly independent). Tolerances are 4 of
those standard errors (combined in quadrature for a difference), not numbers tuned to pass.
"""

from __future__ import annotations

import pytest

from course_lib.core import queueing
from course_lib.lb.models.experiments import SCALE_SERVERS, scale_curves
from course_lib.lb.views.dashboards import render_scale
from course_lib.ui.widgets import dashboard, int_slider


@pytest.fixture(scope="module")
def curves() -> dict[str, list[tuple[float, float]]]:
    """policy (and the two theory lines) → [(mean ms, SE ms)] per server count, read from the
    figure: the error bars are 2 SE."""
    fig, _ = render_scale()
    out = {}
    for trace in fig.data:
        errors = trace.error_y.array if trace.error_y.array is not None else [0.0] * len(trace.y)
        out[trace.name] = [(y, e / 2) for y, e in zip(trace.y, errors, strict=True)]
    return out


def _below(lower: tuple[float, float], upper: tuple[float, float], gap: float = 0.0) -> bool:
    """lower + gap < upper, up to 4 combined standard errors (gap=0: 'not above')."""
    sigma = (lower[1] ** 2 + upper[1] ** 2) ** 0.5
    return upper[0] - lower[0] > (4 * sigma if gap else -4 * sigma)


def test_one_line_per_policy_and_the_theory_lines(curves):
    assert list(curves) == ["random", "round_robin", "power_of_two", "least_connections",
                            "M/M/1 (theory for random)", "M/M/N, one shared queue (bound)"]
    assert all(len(v) == len(SCALE_SERVERS) for k, v in curves.items() if "M/M/1" not in k)


def test_random_matches_mm1_at_every_server_count(curves):
    """Random splitting of Poisson arrivals gives each server an M/M/1 queue at ρ: the mean
    response time 1/(μ(1 − ρ)) = 500 ms, whatever the number of servers."""
    theory = queueing.mm1_mean_response_time(8.0, 10.0) * 1000
    for n, (mean, se) in zip(SCALE_SERVERS, curves["random"], strict=True):
        assert abs(mean - theory) < 4 * se, f"{n} servers: {mean} ± {se} against {theory}"


def test_ordering_least_connections_power_of_two_random(curves):
    """At every count, least_connections ≤ power_of_two ≤ random and least_connections is no
    better than one shared queue (M/M/N), each within 4 combined standard errors."""
    lc, p2, rnd = (curves[p] for p in ("least_connections", "power_of_two", "random"))
    mmn = curves["M/M/N, one shared queue (bound)"]
    for k, n in enumerate(SCALE_SERVERS):
        assert _below(lc[k], p2[k]), n
        assert _below(p2[k], rnd[k]), n
        assert lc[k][0] > mmn[k][0] - 4 * lc[k][1], n


def test_what_the_section_claims_at_twelve_servers(curves):
    """With 12 servers the gaps are clear (more than 4 combined SE): least_connections <
    power_of_two < round_robin < random, and least connections has improved on 2 servers."""
    lc, p2, rr, rnd = (curves[p][-1] for p in
                       ("least_connections", "power_of_two", "round_robin", "random"))
    assert _below(lc, p2, gap=True) and _below(p2, rr, gap=True) and _below(rr, rnd, gap=True)
    assert _below(lc, curves["least_connections"][0], gap=True)


def test_the_marker_knob_only_moves_the_marker_and_the_text():
    fig4, text4 = render_scale(servers=4)
    fig12, text12 = render_scale(servers=12)
    assert [t.y for t in fig4.data] == [t.y for t in fig12.data]
    assert fig12.layout.shapes[0].x0 == 12
    assert text12.startswith("12 servers at ρ = 0.80 — random:")


@pytest.mark.parametrize(("knobs", "message"), [
    ({"servers": 13}, r"^servers must be an integer in \[2, 12\] \(got 13\)$"),
    ({"servers": 2.5}, r"^servers must be an integer in \[2, 12\] \(got 2.5\)$"),
    ({"rho": 1.0}, r"^rho must be in \(0, 1\) \(got 1.0\)$"),
    ({"rho": 0.0}, r"^rho must be in \(0, 1\) \(got 0.0\)$"),
    ({"service_rate": -1.0}, r"^service_rate must be a finite number > 0 \(got -1.0\)$"),
])
def test_bad_knobs_name_the_parameter(knobs, message):
    """Refused by lb.models.experiments.ScaleSetting, in core.validate's words."""
    with pytest.raises(ValueError, match=message):
        render_scale(**knobs)


def test_dashboard_moves_fast_once_the_curves_are_computed():
    dash = dashboard(render_scale, servers=int_slider(4, 2, 12, "servers"))
    dash.controls["servers"].value = 9
    assert dash.error is None and "9 servers" in dash.summary.value
    misses = scale_curves.cache_info().misses
    dash.sweep(moves=11)
    assert scale_curves.cache_info().misses == misses  # memoised: only the figure is rebuilt
