"""Lesson 00's first slider: theory curve, marker, and clear refusals."""

import pytest

from course_lib.components.views.start import response_time_figure


def test_marker_sits_on_the_curve_at_the_chosen_load():
    fig, text = response_time_figure(arrival_rate=5.0, service_rate=10.0)
    curve, marker = fig.data
    assert marker.x == (50.0,) and marker.y == (200.0,)  # 1/(10 − 5) s = 200 ms
    assert curve.line.dash == "dash" and "200 ms" in text
    assert fig.layout.xaxis.title.text.endswith("(%)")


@pytest.mark.parametrize(("rate", "match"), [
    (0.0, r"arrival_rate must be a finite number > 0 \(got 0.0\)"),
    (10.0, "utilisation 100%, the queue grows without bound"),
    (15.0, "utilisation 150%, the queue grows without bound"),
])
def test_refusals_name_the_parameter(rate, match):
    with pytest.raises(ValueError, match=match):
        response_time_figure(arrival_rate=rate)
