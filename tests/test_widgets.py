"""Dashboards are thin: a control change re-renders the figure; a ValueError becomes a message."""

import plotly.graph_objects as go

from course_lib.ui import viz
from course_lib.ui.widgets import dashboard, dropdown, int_slider, slider


def render(rate: float, servers: int, mode: str = "a"):
    if rate <= 0:
        raise ValueError(f"rate must be > 0 (got {rate})")
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, rate * servers], name=mode))
    return viz.themed(fig, title="t", x_title="x (s)", y_title="y (req/s)"), f"{rate=}"


def make():
    return dashboard(render, rate=slider(1.0, -1.0, 5.0, 0.5, "rate"),
                     servers=int_slider(2, 1, 4, "servers"), mode=dropdown("a", ["a", "b"], "mode"))


def test_moving_a_slider_updates_the_figure_in_place():
    dash = make()
    assert dash.figure.data[0].y == (0, 2.0)
    dash.controls["servers"].value = 3
    assert dash.figure.data[0].y == (0, 3.0)
    dash.controls["mode"].value = "b"
    assert dash.figure.data[0].name == "b"
    assert "rate=1.0" in dash.summary.value
    assert dash.figure.layout.xaxis.title.text == "x (s)"


def test_invalid_input_shows_the_message_and_keeps_the_last_figure_dimmed():
    dash = make()
    dash.controls["rate"].value = -1.0
    assert "rate must be &gt; 0 (got -1.0)" in dash.message.value
    assert dash.error == "rate must be > 0 (got -1.0)"
    assert dash.figure.data[0].y == (0, 2.0) and dash.figure.data[0].opacity == 0.25
    assert dash.summary.value == ""  # the old "rate=1.0" no longer describes anything
    dash.controls["rate"].value = 2.0
    assert dash.message.value == "" and dash.error is None
    assert dash.figure.data[0].y == (0, 4.0) and dash.figure.data[0].opacity is None


def test_fixed_arguments_reach_render():
    dash = dashboard(render, fixed={"servers": 5}, rate=slider(1.0, 0.5, 5.0, 0.5, "rate"))
    assert dash.values() == {"servers": 5, "rate": 1.0}
    assert dash.figure.data[0].y == (0, 5.0)


def test_viz_helpers():
    assert viz.rounded([1, 2.123456, None, float("nan")], 2) == [1, 2.12, None, None]
    assert viz.colour_for("b", ["a", "b"]) == viz.PALETTE[1]
    assert viz.colour_for("x") == viz.colour_for("x")


def test_sweep_moves_every_control_and_restores_it():
    dash = make()
    response_times = dash.sweep(moves=5)
    # rate: 5 values (one equal to the start is skipped), servers: 4 distinct of 5, mode: cycles
    assert len(response_times) >= 10 and all(t >= 0 for t in response_times)
    assert dash.values() == {"rate": 1.0, "servers": 2, "mode": "a"}
    assert dash in list(type(dash).instances)


def test_refresh_pauses_the_garbage_collector_only_during_a_frame():
    import gc

    seen = []

    def spy(rate: float):
        seen.append(gc.isenabled())
        return render(rate, 1)

    dash = dashboard(spy, rate=slider(1.0, -1.0, 5.0, 0.5, "rate"))
    dash.controls["rate"].value = 2.0
    assert seen == [False, False] and gc.isenabled()
    dash.controls["rate"].value = -1.0  # render raises: the collector must come back on too
    assert dash.error and gc.isenabled()


def test_sweep_moves_a_dropdown_given_as_a_label_to_value_dict():
    """The benchmark's sweep sets values, not labels: {"off": False, "on": True} must work."""
    from course_lib.ui.widgets import dashboard, dropdown

    seen = []

    def render(flag: bool):
        seen.append(flag)
        import plotly.graph_objects as go

        return go.Figure()

    board = dashboard(render, flag=dropdown(False, {"off": False, "on": True}, "flag"))
    assert len(board.sweep(moves=4)) >= 1 and True in seen
    assert board.controls["flag"].value is False  # put back afterwards


def _shaped(kind: str, value: float, theme: bool = True):
    """Figures whose layouts differ in structure (shapes, a second axis) and in template, and
    whose traces differ in type and in keys."""
    named = {"name": "rising"} if value > 2 else {}  # a key some frames' trace lacks
    if kind == "bars":
        fig = go.Figure(go.Bar(x=[0, 1], y=[0, value]))
    else:
        fig = go.Figure(go.Scatter(x=[0, 1], y=[0, value], **named))
    if kind in ("marked", "two_axes"):
        viz.marked(fig, [viz.vline(value / 2, {"color": "grey"})],
                   [viz.top_label(value / 2, f"at {value:g}")])
    if kind == "two_axes":
        fig.add_trace(go.Scatter(x=[0, 1], y=[1, 0], xaxis="x2", yaxis="y2"))
        fig.update_layout(xaxis2={"domain": [0.6, 1]}, yaxis2={"anchor": "x2"})
    if theme:
        return viz.themed(fig, title=f"{kind} {value:g}", x_title="x", y_title="y"), ""
    return fig, ""


def test_the_figure_shown_is_exactly_the_one_rendered_through_every_change_of_shape():
    """Frames that keep the layout's keys and template update it in place, and traces of the
    same types and keys are updated in place; other changes replace them. Either way the widget
    ends up holding exactly the rendered figure."""
    dash = dashboard(lambda kind, value, theme: _shaped(kind, value, theme == "on"),
                     kind=dropdown("plain", ["plain", "marked", "two_axes", "bars"], "kind"),
                     value=slider(1.0, 1.0, 4.0, 1.0, "value"),
                     theme=dropdown("on", ["on", "off"], "theme"))
    moves = [("value", 2.0), ("kind", "marked"), ("value", 3.0), ("kind", "two_axes"),
             ("value", 4.0), ("kind", "marked"), ("theme", "off"), ("value", 1.0),
             ("theme", "on"), ("kind", "plain"), ("value", 2.0), ("value", 3.0),
             ("value", 1.0), ("kind", "bars"), ("value", 4.0), ("kind", "plain")]
    for name, value in moves:
        dash.controls[name].value = value
        expected, _ = _shaped(dash.controls["kind"].value, dash.controls["value"].value,
                              dash.controls["theme"].value == "on")
        shown = dash.figure.to_plotly_json()
        for trace in shown["data"]:
            trace.pop("uid")  # a figure widget names its traces for the browser
        assert shown == expected.to_plotly_json(), (name, value)
