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

    The template is named rather than embedded, which keeps stored outputs small; the test
    harness also ignores ``layout.template`` because plotly releases change its contents.
    """
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend_title_text=legend_title,
        colorway=list(PALETTE),
    )
    return fig
