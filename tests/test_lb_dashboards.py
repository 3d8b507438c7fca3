"""Render functions and dashboards of lessons 02–03 (in-process, no kernel)."""

import pytest

from course_lib.lb.models.simulate import simulate
from course_lib.lb.views.dashboards import (
    failover_scenario,
    render_failover,
    render_policy_race,
    render_unequal,
    saturated,
    unequal_backends,
)
from course_lib.lb.views.figures import format_requests, timeline_figure
from course_lib.ui.widgets import dashboard, slider


def test_failover_timeline_has_a_row_per_backend_and_describes_detection():
    fig, text = render_failover(duration=30.0, failure_at=10.0, recover_at=None)
    assert len([t for t in fig.data if t.name == "ok"]) == 4
    assert "b crash at 10 s: marked down after" in text


@pytest.mark.parametrize("approach", ["round_robin", "weighted", "standby"])
def test_three_approaches_survive_one_failure_after_detection(approach):
    result = simulate(failover_scenario(approach, recover_at=None))
    (d,) = result.detections
    after = result.summary(since=d.marked_down_at + 0.5)
    assert after["failed"] == 0


def test_weighted_approach_moves_the_share_in_proportion_to_capacity():
    result = simulate(failover_scenario("weighted", recover_at=None, duration=80.0))
    (d,) = result.detections
    later = [a for a in result.attempts if a.sent_at > d.marked_down_at]
    big = sum(a.backend == "big" for a in later) / len(later)
    assert big == pytest.approx(2 / 3, abs=0.01)  # weights 2:1 exactly, ±1 pick


def test_policy_race_and_unequal_renders():
    fig, text = render_policy_race(duration=40.0)
    assert [t.name for t in fig.data] == ["mean", "p95", "p99"]
    assert "least_connections" in text
    fig, text = render_unequal("weighted_round_robin", fast_weight=3.0, duration=40.0)
    assert {t.name for t in fig.data} == {"round_robin", "weighted_round_robin"}


def test_dashboard_shows_validation_errors_instead_of_a_traceback():
    dash = dashboard(render_failover, fixed={"duration": 10.0},
                     timeout=slider(1.0, 0.0, 3.0, 0.5, "check timeout (s)"))
    assert dash.error is None
    dash.controls["timeout"].value = 0.0
    assert dash.error == "health_check.timeout must be a finite number > 0 (got 0.0)"
    assert "must be a finite number &gt; 0" in dash.message.value
    dash.controls["timeout"].value = 0.5
    assert dash.error is None and dash.message.value == ""


def test_trace_text_lists_attempts():
    result = simulate(failover_scenario(duration=2.0))
    text = format_requests(result, 3)
    assert text.splitlines()[1].split()[0] == "0" and ":ok" in text


def test_unequal_weighted_at_its_default_weight_is_plain_round_robin():
    """The weight dashboard starts at weight 1 (its checked twin shows that): weighted
    round-robin with equal weights is round-robin, the same bars; weight 3 evens them out."""
    fig, _ = render_unequal("weighted_round_robin", duration=40.0)
    rr, wrr = fig.data
    assert rr.y == wrr.y
    fig, _ = render_unequal("weighted_round_robin", fast_weight=3.0, duration=40.0)
    assert max(fig.data[1].y) - min(fig.data[1].y) < max(fig.data[0].y) - min(fig.data[0].y)


@pytest.mark.parametrize(("knobs", "title"), [
    ({}, "Requests per backend (round-robin): b crash at 20 s"),
    ({"approach": "weighted", "kind": "hang"},
     "Requests per backend (weighted round-robin): small1 hang at 20 s"),
    ({"approach": "standby"}, "Requests per backend (hot standby): primary crash at 20 s"),
    ({"approach": "standby", "standby": "cold"},
     "Requests per backend (cold standby): primary crash at 20 s"),
])
def test_failover_timeline_is_titled_by_the_approach_not_the_policy(knobs, title):
    fig, _ = render_failover(duration=25.0, recover_at=None, **knobs)
    assert fig.layout.title.text == title


def test_timeline_default_title_names_a_standby_design():
    result = simulate(failover_scenario("standby", standby="cold", duration=5.0))
    assert timeline_figure(result).layout.title.text == "Requests per backend (cold standby)"


def test_saturated_servers_are_named_from_theory():
    """30, 10, 10 req/s at 35 req/s: round-robin offers each slow server 11.7 req/s (> 10)."""
    assert saturated("round_robin", unequal_backends(1.0), 35.0) == ["slow1", "slow2"]
    assert saturated("weighted_round_robin", unequal_backends(3.0), 35.0) == []
    assert saturated("weighted_round_robin", unequal_backends(12.0), 35.0) == ["fast"]
    assert saturated("least_connections", unequal_backends(1.0), 35.0) == []
    assert saturated("least_connections", unequal_backends(1.0), 50.0) == [
        "fast", "slow1", "slow2"]


def test_renders_say_grows_without_bound_instead_of_a_finite_number_at_full_load():
    _, text = render_unequal("round_robin", duration=40.0)
    assert text == "round_robin: p95 grows without bound (slow1, slow2 at ≥ 100 %)"
    _, text = render_unequal("weighted_round_robin", fast_weight=3.0, duration=40.0)
    assert "weighted_round_robin: p95 " in text and "ms" in text.split("  ")[1]
    _, text = render_policy_race(arrival_rate=40.0, duration=20.0)
    assert text.count("grows without bound") == 4
    _, text = render_policy_race(arrival_rate=32.0, duration=20.0)
    assert "without bound" not in text



def test_a_bad_policy_is_refused_by_the_description_before_any_run():
    """lb.models.experiments.UnequalRace judges the knob, in core.validate's words."""
    with pytest.raises(ValueError, match=r"^policy must be one of .*round_robin.* "
                                         r"\(got 'fastest'\)$"):
        render_unequal(policy="fastest")
