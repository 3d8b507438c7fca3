"""The course theme: ``themed`` applies plotly's own ``plotly_white`` template quickly, and
gives each figure its own copy of it."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from course_lib.ui import viz
from course_lib.ui.viz import themed


def _themed() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 2]))
    return themed(fig, title="t", x_title="x (s)", y_title="y", legend_title="l")


def test_template_is_plotly_white_as_if_assigned_by_name() -> None:
    fast = _themed().to_plotly_json()
    slow = go.Figure(go.Scatter(x=[0, 1], y=[1, 2]))
    slow.update_layout(template="plotly_white")
    assert fast["layout"]["template"] == slow.to_plotly_json()["layout"]["template"]
    assert fast["layout"]["template"] == pio.templates["plotly_white"].to_plotly_json()


def test_each_figure_gets_its_own_template() -> None:
    fig = _themed()
    fig.layout.template.layout.plot_bgcolor = "red"
    assert pio.templates["plotly_white"].layout.plot_bgcolor == "white"
    assert _themed().layout.template.layout.plot_bgcolor == "white"


def test_validation_is_back_on_after_theming() -> None:
    fig = _themed()
    try:
        fig.update_layout(height="tall")
    except ValueError as exc:
        assert "height" in str(exc)
    else:  # pragma: no cover - the assertion below explains the failure
        raise AssertionError("themed left the figure's validation off")


def test_the_rest_of_the_theme() -> None:
    layout = _themed().layout
    assert layout.title.text == "t" and layout.title.x == 0.0
    assert layout.xaxis.title.text == "x (s)" and layout.yaxis.title.text == "y"
    assert layout.height == 380 and layout.legend.title.text == "l"


def _layout(fig: go.Figure) -> tuple[list, list]:
    layout = fig.to_plotly_json()["layout"]
    return layout.get("shapes", []), layout.get("annotations", [])


def _base() -> go.Figure:
    return go.Figure(go.Scatter(x=[0, 10], y=[0, 5]))


def test_marks_are_what_plotlys_add_calls_add() -> None:
    """The dict builders give the same figure as add_vline/add_hline/add_vrect (stored
    notebook outputs were made with those calls, and must not change)."""
    line = {"dash": "dash", "color": "grey", "width": 1}
    slow = _base()
    slow.add_vline(x=2.5, line=line, annotation_text="crash", annotation_textangle=-90,
                   annotation_font_size=10)
    slow.add_vline(x=4.0, line_dash="dot", line_color="red")
    slow.add_hline(y=3.0, line={"color": "grey", "width": 1}, annotation_text="rate")
    slow.add_vrect(x0=1, x1=2, fillcolor="grey", opacity=0.15, line_width=0,
                   annotation_text="down", annotation_position="top left")
    fast = viz.marked(_base(), [viz.vline(2.5, line), viz.vline(4.0, {"dash": "dot",
                                                                         "color": "red"})],
                      [viz.top_label(2.5, "crash", textangle=-90, font={"size": 10})])
    viz.marked(fast, [viz.hline(3.0, {"color": "grey", "width": 1})],
               [viz.line_label(3.0, "rate")])
    viz.marked(fast, [viz.vrect(1, 2, fillcolor="grey", opacity=0.15, line={"width": 0})],
               [viz.top_label(1, "down")])
    assert _layout(fast) == _layout(slow)


def test_marks_on_a_second_axis_and_from_the_left() -> None:
    fast = viz.marked(_base(), [viz.vline(1.0, {"color": "red"}, xref="x2")],
                      [viz.line_label(2.0, "theory", end="left")])
    shapes, labels = _layout(fast)
    assert shapes[0]["xref"] == "x2" and shapes[0]["yref"] == "y2 domain"
    assert labels[0]["x"] == 0 and labels[0]["xanchor"] == "left"


def test_marked_with_nothing_leaves_the_figure_alone() -> None:
    assert _layout(viz.marked(_base())) == ([], [])
