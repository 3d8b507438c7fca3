"""The dashboards' render functions and the measured request path."""

from __future__ import annotations

import json

import pytest

from course_lib.components import (
    ApiClient,
    ApiServer,
    measure_request_path,
    render_load_curve,
    render_network,
    render_path,
    timing_figure,
)
from course_lib.ui.widgets import dashboard, int_slider, slider


def _no_numpy_in(fig) -> None:
    """Stored figure data must be plain lists (nbval compares them; numpy becomes base64)."""
    assert "bdata" not in json.dumps(fig.to_plotly_json(), default=str)


def test_render_path_is_deterministic_and_plain():
    fig_a, text_a = render_path()
    fig_b, text_b = render_path()
    assert text_a == text_b and fig_a.to_plotly_json() == fig_b.to_plotly_json()
    assert text_a.startswith("2765 requests measured: mean")
    _no_numpy_in(fig_a)


def test_render_network_latency_moves_the_distribution():
    _, loopback = render_network(network_delay_ms=0.05, network_jitter_ms=0.0)
    _, wan = render_network(network_delay_ms=40.0, network_jitter_ms=0.0)
    mean = [float(t.split("mean ")[1].split(" ms")[0]) for t in (loopback, wan)]
    assert mean[1] - mean[0] == pytest.approx(80 - 0.1, abs=1.0)


def test_render_load_curve_marks_the_unstable_side():
    fig, text = render_load_curve(workers=2, service_time_ms=20.0)
    assert "capacity = workers × service rate = 100 req/s" in text
    assert "the queue grows without bound" in text
    simulated = next(t for t in fig.data if t.name == "mean ± 2 SE (simulated)")
    assert simulated.y[-2:] == (None, None)  # no finite number for unstable loads
    throughput = fig.data[0].y
    assert max(throughput) == pytest.approx(100, rel=0.05)  # saturates at capacity
    _no_numpy_in(fig)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workers": 0}, r"workers must be an integer >= 1 \(got 0\)"),
        ({"arrival_rate": -5.0}, r"arrival_rate must be a finite number > 0 \(got -5.0\)"),
        ({"db_time_ms": 0.0}, r"db_time_ms must be a finite number > 0 \(got 0.0\)"),
        ({"cache_hit_ratio": 2.0}, r"cache_hit_ratio must be in \[0, 1\] \(got 2.0\)"),
        ({"arrival_rate": 500.0}, "the queue grows without bound"),
        ({"loss_percent": 100.0}, r"loss_percent must be in \[0, 100\) \(got 100.0\)"),
    ],
)
def test_render_path_rejects_bad_knobs_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        render_path(**kwargs)


def test_dashboard_shows_the_message_instead_of_crashing():
    board = dashboard(render_path, arrival_rate=slider(50.0, 10.0, 600.0, 10.0, "req/s"),
                      workers=int_slider(4, 1, 16, "workers"))
    assert board.error is None and "requests measured" in board.summary.value
    board.controls["arrival_rate"].value = 600.0
    assert "the queue grows without bound" in board.message.value
    board.controls["arrival_rate"].value = 50.0
    assert board.error is None and board.message.value == ""
    board = dashboard(render_load_curve, workers=int_slider(1, 1, 8, "workers"),
                      service_time_ms=slider(20.0, 0.0, 100.0, 5.0, "ms"))
    board.controls["service_time_ms"].value = 0.0
    assert board.error == "service_time_ms must be a finite number > 0 (got 0.0)"


def test_measured_request_path_is_nested_and_complete():
    with ApiServer() as server:
        timing = measure_request_path(ApiClient(server.url), 50, seed=1)
    assert len(timing.records) == 50 and timing.all_ok and timing.nested
    kinds = [r[0] for r in timing.records]
    assert kinds.count("write") == sum(1 for r in timing.records if r[1] == 201)
    assert "database" in timing.table() and len(timing_figure(timing).data) == 4
    with pytest.raises(ValueError, match=r"requests must be an integer >= 1 \(got 0\)"):
        measure_request_path(ApiClient("http://127.0.0.1:1"), 0)
