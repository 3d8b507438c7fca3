"""pytest configuration shared by the unit tests and nbval's notebook checks.

nbval internals are used below, so nbval's version is pinned in pyproject.toml.
"""

from __future__ import annotations

import copy
import os

# plotly picks its renderer at import time; kernels started by nbval inherit this environment.
# A renderer different from the one the outputs were stored with makes every figure cell fail.
os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype")
os.environ.setdefault("PYTHONHASHSEED", "0")
# Checks run by nbval's kernels must not write to the learner's progress record.
os.environ.setdefault("SDL_PROGRESS_FILE", "off")

PLOTLY_JSON = "application/vnd.plotly.v1+json"
#: nbval waits a hard-coded 5 s for a cell's output messages (nbval issues #136, #231); a slow
#: simulation cell then fails intermittently in CI. The cell itself is bounded by
#: --nbval-cell-timeout; this only bounds the wait for its messages.
OUTPUT_TIMEOUT_S = 120


def _sanitize_plotly(figure: dict) -> dict:
    """Drop ``layout.template`` (its contents change between plotly releases)."""
    figure = copy.deepcopy(figure)
    figure.get("layout", {}).pop("template", None)
    return figure


def _long_files_first(items: list) -> None:
    """Start the files that take long first: those with a ``slow`` test, then every notebook and
    every file that talks to a Kafka broker, then the rest.

    ``make test`` gives whole files to two workers (``--dist loadfile``) in collection order. In
    alphabetical order the longest files (the lessons with live parts, a minute or more each)
    came last, and one worker often finished them alone while the other sat idle; started
    first, they leave the many short unit tests to even out the end. The sort is stable, so
    each file's tests, and a notebook's cells, keep their order.
    """
    rank: dict = {}
    for item in items:
        if item.get_closest_marker("slow"):
            here = 0
        elif item.path.suffix == ".ipynb" or any(
                item.get_closest_marker(m) for m in ("kafka", "apache_kafka")):
            here = 1
        else:
            here = 2
        rank[item.path] = min(here, rank.get(item.path, 2))
    items.sort(key=lambda item: rank[item.path])


def pytest_collection_modifyitems(session, config, items):
    _long_files_first(items)
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to adjust
        return
    for item in items:
        if isinstance(item, IPyNbCell):
            item.output_timeout = OUTPUT_TIMEOUT_S
            original = item.sanitize

            def sanitize(value, _original=original):
                if isinstance(value, dict) and "data" in value and "layout" in value:
                    return _sanitize_plotly(value)
                return _original(value)

            item.sanitize = sanitize
