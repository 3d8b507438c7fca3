"""Dashboards: sliders → a plain function → a figure, with no model logic of their own.

A lesson's dashboard is built by :func:`dashboard` from a *render* function (plain Python that
takes keyword arguments and returns a figure) and a mapping of widgets whose names are those
keyword arguments. Moving a slider calls ``render(**values)`` and updates one ``FigureWidget`` in
place. If ``render`` raises ``ValueError`` (a parameter out of range, an unstable system where a
steady state was asked for), the message is shown above the figure instead of a traceback and the
last good figure stays visible, dimmed.

Because the render function is plain, tests and the notebook's "checked twin" cell call it
directly; nbval then compares its figure, while the live dashboard cell is output-ignored.
"""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from html import escape
from typing import Any, ClassVar, TypeAlias

import ipywidgets as widgets
import plotly.graph_objects as go

from course_lib.core import progress as core_progress
from course_lib.ui import progress  # noqa: F401  (installs the notebook's progress line)

__all__ = ["Dashboard", "dashboard", "slider", "int_slider", "dropdown"]

RenderResult: TypeAlias = "go.Figure | tuple[go.Figure, str]"


def slider(value: float, low: float, high: float, step: float, description: str, **kw: Any):
    """A float slider that updates on release (``continuous_update=False``) to stay responsive."""
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=False, style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"), **kw,
    )


def int_slider(value: int, low: int, high: int, description: str, step: int = 1, **kw: Any):
    """An integer slider that updates on release."""
    return widgets.IntSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=False, style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"), **kw,
    )


def dropdown(value: str, options: list[str] | dict[str, Any], description: str, **kw: Any):
    """A dropdown for a categorical knob (a policy, a mode)."""
    return widgets.Dropdown(
        value=value, options=options, description=description,
        style={"description_width": "initial"}, **kw,
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while one dashboard frame is computed.

    A simulation allocates tens of thousands of short-lived objects; with the collector on they
    trigger full collections of the whole kernel (~250,000 objects once plotly and the widgets
    are loaded, ~70 ms each), which made about one slider move in ten several times slower than
    the rest. Reference counting still frees the run's objects; cycles wait for the next
    collection after the frame.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settle_collector() -> None:
    """Move every object the collector tracks to its permanent generation (``gc.freeze``).

    A frame holds the collector (:func:`gc_paused`); the collection it put off runs at the
    first allocation after it, which is the start of the *next* slider move, and a full one
    walks every object the kernel holds (~460,000 once a lesson's runs, plotly and the widgets
    are loaded: 20-70 ms, the gap between a 70 ms and a 120 ms move). The lesson's objects
    made before its dashboard are long-lived; frozen, they are no longer walked, and a full
    collection costs what the frames themselves left. Reference counting still frees them;
    only a cycle among them (or one already unreachable) is kept until the kernel ends. No
    collection first: in a test session holding a million objects, one per dashboard would
    cost more than every frame it saves.
    """
    gc.freeze()


class Dashboard:
    """Controls, a message line, a figure and an optional text summary, wired to ``render``.

    Attributes tests use: ``controls`` (name → widget), ``figure`` (the ``go.FigureWidget``),
    ``message`` (an HTML widget: empty, or the last error), ``summary`` (an HTML widget with the
    text ``render`` returned), ``widget`` (the whole box), and ``refresh()``.

    Every dashboard alive in a kernel is listed in ``Dashboard.instances``, so the benchmarks can
    sweep the sliders of every dashboard a lesson builds without knowing their names.
    """

    instances: ClassVar[weakref.WeakSet[Dashboard]] = weakref.WeakSet()

    def __init__(
        self,
        render: Callable[..., RenderResult],
        controls: Mapping[str, widgets.ValueWidget],
        *,
        fixed: Mapping[str, Any] | None = None,
    ) -> None:
        self.render = render
        self.controls = dict(controls)
        self.fixed = dict(fixed or {})
        # A kernel's first figure widget loads plotly's widget bundle (about 3 s, 10 s on a busy
        # machine) and a first frame may run a sweep: the cell says so while it waits.
        with core_progress.task("dashboard", "drawn") as task:
            task.phase("loading the figure widget")
            self.figure = go.FigureWidget()
            self.message = widgets.HTML()
            self.summary = widgets.HTML()
            self.error: str | None = None
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            knobs = widgets.HBox(list(self.controls.values()),
                                 layout=widgets.Layout(flex_flow="row wrap"))
            self.widget = widgets.VBox([knobs, self.message, self.figure, self.summary])
            task.phase("drawing the first frame")
            self.refresh()
        Dashboard.instances.add(self)
        settle_collector()

    def values(self) -> dict[str, Any]:
        """The keyword arguments ``render`` receives: the controls' values plus the fixed ones."""
        return {**self.fixed, **{k: c.value for k, c in self.controls.items()}}

    def _on_change(self, _change: dict) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-run ``render`` with the current values and update the figure in place.

        The collector is held for the whole frame, the widget's update too: that update
        validates and serialises every trace (10–20 ms) and, after a large run, used to be where
        the postponed collection of the kernel's objects landed (20–70 ms), inside the move.
        """
        with gc_paused():
            self._draw()

    def _draw(self) -> None:
        try:
            result = self.render(**self.values())
        except ValueError as exc:
            self.error = str(exc)
            self.message.value = (
                f'<div style="color:#D55E00;font-weight:bold">⚠ {escape(str(exc))}</div>'
            )
            self.summary.value = ""  # the old numbers described a figure no longer valid
            with self.figure.batch_update():
                for trace in self.figure.data:
                    trace.opacity = 0.25
            return
        fig, text = result if isinstance(result, tuple) else (result, "")
        self.error = None
        self.message.value = ""
        self.summary.value = f"<pre>{escape(text)}</pre>" if text else ""
        with self.figure.batch_update():
            self._show_traces(fig.data)
            self._show_layout(fig.layout)

    def _show_traces(self, data: tuple) -> None:
        """Give the figure widget ``data``, setting only what changed when the traces match.

        Replacing every trace re-validates and copies all of them (about half of a large
        frame's widget update). A slider move usually changes a few arrays of traces of the
        same types with the same keys: then only the keys whose values differ are set on the
        traces shown; any other change of shape replaces the traces whole.
        """
        shown = self.figure.data
        same_shape = len(shown) == len(data) and all(
            old.type == new.type and old._props.keys() - {"uid"} == new._props.keys()
            for old, new in zip(shown, data, strict=True))
        if not same_shape:
            self.figure.data = ()
            self.figure.add_traces(list(data))
            return
        for old, new in zip(shown, data, strict=True):
            changed = {k: v for k, v in new._props.items() if old._props.get(k) != v}
            if changed:
                old.update(changed, overwrite=True)

    def _show_layout(self, layout: go.Layout) -> None:
        """Give the figure widget ``layout``, re-validating the template only when it changed.

        Assigning a whole layout copies and validates everything in it, the template too (every
        trace type's defaults): 5–10 ms of each slider move, while the template is the same in
        every frame. When the new layout has the same keys and the same template as the one
        shown, the keys whose values differ are set over the old ones instead (the same
        validated path, which sends the browser only what changed); otherwise the layout is
        replaced whole.
        """
        new, shown = layout._props, self.figure.layout._props
        if new.keys() != shown.keys() or new.get("template") != shown.get("template"):
            self.figure.layout = layout
            return
        changed = {k: v for k, v in new.items() if k != "template" and shown.get(k) != v}
        if changed:
            self.figure.layout.update(changed, overwrite=True)

    def sweep(self, moves: int = 30) -> list[float]:
        """Move every control across its range ``moves`` times; seconds from change to new figure.

        Numeric sliders visit ``moves`` evenly spaced values from min to max, dropdowns cycle
        through their options. Each time covers the whole callback: render + figure update.
        The controls are put back to their starting values afterwards.
        """
        response_times = []
        for control in self.controls.values():
            start = control.value
            if hasattr(control, "min") and hasattr(control, "max"):
                span = control.max - control.min
                values = [control.min + span * i / max(1, moves - 1) for i in range(moves)]
                if isinstance(start, int):
                    values = [round(v) for v in values]
            elif getattr(control, "options", None):
                # The values behind the labels, whichever way the options were given (a list,
                # (label, value) pairs, or a {label: value} dict).
                choices = list(getattr(control, "_options_values", ()) or
                               [o[1] if isinstance(o, tuple) else o for o in control.options])
                values = [choices[i % len(choices)] for i in range(moves)]
            else:
                continue
            for value in values:
                if value == control.value:  # no change event would fire
                    continue
                began = time.perf_counter()
                control.value = value
                response_times.append(time.perf_counter() - began)
            control.value = start
        return response_times

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)


def dashboard(
    render: Callable[..., RenderResult],
    fixed: Mapping[str, Any] | None = None,
    **controls: widgets.ValueWidget,
) -> Dashboard:
    """Build a :class:`Dashboard`: ``dashboard(render, rate=slider(...), n=int_slider(...))``."""
    return Dashboard(render, controls, fixed=fixed)
