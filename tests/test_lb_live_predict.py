"""Lesson 03b's prediction dashboard: the lab's scenario simulated with other checks."""

import pytest

from course_lib.lb import HealthCheck, detection_bounds
from course_lib.lb.views.predict import render_prediction


def test_defaults_predict_the_lab_run_within_the_guaranteed_range():
    fig, text = render_prediction()
    low, high = detection_bounds(HealthCheck(interval=0.5, timeout=0.2, fall=3), "crash")
    assert f"[{low:.2f}, {high:.2f}] s" in text
    seen = float(text.split("; ")[1].split(" s after")[0])
    assert low <= seen <= high
    assert ("worst case for a crash at the lab's steady 100 req/s: 52 failed requests — OVER the "
            "budget of 50") in text
    assert fig.layout.title.text.startswith("Predicted: b1 crashes at 1 s")


def test_the_exercise_solution_is_within_budget_and_fails_fewer_requests():
    _, default = render_prediction()
    _, tuned = render_prediction(interval=0.5, fall=2)
    assert "within the budget of 50" in tuned

    def failed(text):
        return int(text.split("(Poisson arrivals): ")[1].split()[0])

    assert failed(tuned) < failed(default)


def test_a_hang_is_detected_later_and_has_no_crash_budget_line():
    _, text = render_prediction(kind="hang")
    assert "[1.60, 2.10] s" in text and "worst case" not in text


def test_checks_slower_than_the_outage_never_mark_it_down():
    _, text = render_prediction(interval=2.0, fall=5)
    assert "b1 came back at 3.5 s before the checks marked it down" in text
    # the worst case is capped by the 2.5 s outage: 100/3 × 2.5 + 2 ≈ 85, not 100/3 × 10 + 2
    assert "steady 100 req/s: 85 failed requests — OVER" in text


@pytest.mark.parametrize(("knobs", "match"), [
    ({"fall": 0}, r"health_check\.fall must be"),
    ({"interval": 0.0}, r"health_check\.interval must be"),
    ({"kind": "slow"}, r"kind must be 'crash' or 'hang' \(got 'slow'\)"),
])
def test_bad_knobs_name_the_field(knobs, match):
    with pytest.raises(ValueError, match=match):
        render_prediction(**knobs)
