"""Progress of long work in a notebook: one line, updated in place, gone when the work ends.

Labs report through :mod:`course_lib.core.progress`; this module draws it. While a task runs
the cell shows ``⏳ live runs: crash_leader 2/6… 41 s`` (refreshed every second, so a long
phase still visibly counts); when it ends the display is emptied, so the stored notebook never
holds it.

Why this leaves nbval's checked outputs alone (nbval 0.11, ``plugin.py``, ``run_cell``):

- the line is first shown as a ``display_data`` with an **empty** mime bundle and a
  ``display_id``. nbval records that output, but compares outputs key by key and an empty
  ``data`` contributes no key (``output_type`` and ``metadata`` are in ``skip_compare``), so it
  matches a stored cell that has no such output;
- every later change is an ``update_display_data`` message, which nbval does not record (it
  prints "unhandled iopub msg" and goes on);
- the last update empties the bundle again, so a notebook re-stored by nbclient (which applies
  updates by ``display_id``) holds ``{"data": {}, "metadata": {}, "output_type":
  "display_data"}``: the same bytes on every run, and again no key for nbval.

``tests/test_progress.py`` runs a generated notebook through nbval to prove it.

So the line cannot stay as the summary: any text left in it would be stored by nbclient but
never seen by nbval, and the cell would fail the next time its outputs are re-stored. The cell's
own printed result, which follows at once, is the one-line summary (a timer that emptied the
line later would race the end of the cell and store whichever state won).
"""

from __future__ import annotations

import threading
import time

from course_lib.core import progress

#: How often the elapsed seconds on the line are refreshed.
TICK_S = 1.0


def in_kernel() -> bool:
    """True inside a Jupyter kernel (not plain IPython, not a script or a test)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class NotebookLine:
    """A :class:`~course_lib.core.progress.Progress` drawn as one updating notebook line."""

    def __init__(self, title: str) -> None:
        from IPython.display import display

        self.title = title
        self._text = "starting"
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._handle = display({}, raw=True, display_id=True)
        self._ticker = threading.Thread(target=self._tick, name="progress-line", daemon=True)
        self._ticker.start()

    def _show(self, line: str) -> None:
        if self._handle is not None:
            self._handle.update({"text/plain": line}, raw=True)

    def _draw(self) -> None:
        with self._lock:
            elapsed = time.monotonic() - self._started
            self._show(f"⏳ {self.title}: {self._text}… {elapsed:.0f} s")

    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            self._draw()

    def update(self, text: str, elapsed_s: float) -> None:
        with self._lock:
            self._text = text
        self._draw()

    def close(self, summary: str, elapsed_s: float) -> None:
        self._stop.set()
        self._ticker.join()
        if self._handle is not None:
            self._handle.update({}, raw=True)


def notebook_or_quiet(title: str) -> progress.Progress:
    """The notebook line inside a kernel, nothing anywhere else."""
    return NotebookLine(title) if in_kernel() else progress.Quiet()


def install() -> None:
    """Show progress of every long lab or sweep in this notebook (idempotent)."""
    progress.install(notebook_or_quiet)


# Installed once, here, on import: every notebook that draws the course's figures or dashboards
# imports this module through ``ui.viz`` or ``ui.widgets`` and so shows the progress of its long
# labs and sweeps (labs cannot import ``ui`` to ask for it; outside a kernel nothing changes).
install()
