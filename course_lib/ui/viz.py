"""Figure builders' shared theme: one palette, one layout, units on every axis.

Every figure in the course comes from a builder that returns a ``plotly.graph_objects.Figure``
and never calls ``.show()``; the notebook decides when to display it. The palette is Okabe & Ito's
colour-blind-safe set, and each named thing (a backend, a broker, a consumer) keeps its colour
across a lesson because ``colour_for`` hashes the name deterministically rather than by order of
appearance. Theory is drawn dashed, simulation solid, so a reader can tell them apart in grey too.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import plotly.graph_objects as go
import plotly.io as pio

from course_lib.ui import progress  # noqa: F401  (installs the notebook's progress line)

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
#: deficiency. Black is left out so that annotations stay readable on top of traces.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
OK_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
THEORY_DASH = "dash"


def colour(index: int) -> str:
    """The ``index``-th palette colour (wrapping around)."""
    return PALETTE[index % len(PALETTE)]


def colour_for(name: str, names: Sequence[str] | None = None) -> str:
    """A stable colour for ``name``: its position in ``names`` when given, else a hash of it."""
    if names is not None and name in names:
        return colour(list(names).index(name))
    return colour(zlib.crc32(name.encode()))


def rounded(values: Iterable[float | int | None], digits: int = 4) -> list[float | int | None]:
    """Plain, rounded lists for figure data.

    Stored notebook outputs are compared exactly by nbval; numpy arrays would be stored as base64
    (unreadable in a diff) and full-precision floats make diffs noisy. Round, then list.
    """
    out: list[float | int | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif isinstance(v, int):
            out.append(v)
        else:
            f = float(v)
            out.append(None if f != f else round(f, digits))
    return out


def _apply_template(fig: go.Figure) -> None:
    """Give ``fig`` the ``plotly_white`` template, the way plotly gives a new figure its default.

    Assigning ``template="plotly_white"`` validates the whole template (every trace type's
    defaults) again: about 8 ms, a tenth of a slider move's budget, spent on every redraw of
    every dashboard. The template is plotly's own, already valid; plotly's figure constructor
    skips validation for the same reason when it applies the default template. The result is
    the same template (the figure gets a copy, not the shared object: tests/test_viz.py).
    """
    layout = fig.layout
    validating = layout._validate
    layout._validate = False
    try:
        layout.template = pio.templates["plotly_white"]
    finally:
        layout._validate = validating


def themed(
    fig: go.Figure,
    *,
    title: str,
    x_title: str,
    y_title: str,
    height: int = 380,
    legend_title: str | None = None,
) -> go.Figure:
    """Apply the course layout: a title, axis titles (with units), a light template.

    The stored notebooks drop ``layout.template`` (``course_lib.authoring``), and the test
    harness ignores it, because plotly releases change its contents.
    """
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    _apply_template(fig)
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend_title_text=legend_title,
        colorway=list(PALETTE),
    )
    return fig


# Lines, bands and their labels as plain dicts, the ones plotly's ``add_vline``, ``add_hline``
# and ``add_vrect`` would add. Each of those calls re-validates every shape and annotation the
# figure has (about 15 ms a line), so a dashboard that marks three events spent half its slider
# budget on them; :func:`marked` adds them all in one validated update instead.


def vline(x: float, line: dict, *, xref: str = "x") -> dict:
    """A vertical line at ``x`` over the whole height of the plot of x axis ``xref``."""
    return {"type": "line", "xref": xref, "x0": x, "x1": x, "yref": f"y{xref[1:]} domain",
            "y0": 0, "y1": 1, "line": line}


def hline(y: float, line: dict) -> dict:
    """A horizontal line at ``y`` across the whole width of the plot."""
    return {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y,
            "y1": y, "line": line}


def vrect(x0: float, x1: float, **style: object) -> dict:
    """A band from ``x0`` to ``x1`` over the whole height (``fillcolor``, ``opacity``, ...)."""
    return {"type": "rect", "xref": "x", "x0": x0, "x1": x1, "yref": "y domain", "y0": 0,
            "y1": 1, **style}


def top_label(x: float, text: str, *, xref: str = "x", **style: object) -> dict:
    """A label at the top of the plot, starting at ``x`` (where ``add_vline`` puts one)."""
    return {"text": text, "showarrow": False, "xref": xref, "x": x, "xanchor": "left",
            "yref": f"y{xref[1:]} domain", "y": 1, "yanchor": "top", **style}


def line_label(y: float, text: str, *, end: str = "right") -> dict:
    """A label just above a horizontal line at ``y``, at its ``end`` ("left" or "right")."""
    return {"text": text, "showarrow": False, "xref": "x domain", "x": 0 if end == "left" else 1,
            "xanchor": end, "yref": "y", "y": y, "yanchor": "bottom"}


def marked(fig: go.Figure, shapes: Sequence[dict] = (),
           labels: Sequence[dict] = ()) -> go.Figure:
    """Add ``shapes`` and ``labels`` (after any the figure has) in one validated update."""
    update: dict[str, list] = {}
    if shapes:
        update["shapes"] = [*fig.layout.shapes, *shapes]
    if labels:
        update["annotations"] = [*fig.layout.annotations, *labels]
    return fig.update_layout(update) if update else fig
