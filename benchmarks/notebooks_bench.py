"""Per-notebook timings under nbval, and slider-to-figure latency of every live dashboard.

Slider latency: each notebook is executed in a fresh kernel (nothing is saved) with one extra
cell appended that sweeps every :class:`course_lib.ui.widgets.Dashboard` the lesson built: each
control visits 30 values across its range, and each move is timed from the value change to the
updated figure data (render + FigureWidget update, the whole callback).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "BENCH-JSON:"
SWEEP_CELL = f"""
import json as _json, statistics as _st
from course_lib.ui.widgets import Dashboard as _Dashboard
_rows = []
for _d in list(_Dashboard.instances):
    _d.refresh()
    _default = _d.sweep(moves=1) or [0.0]
    _lat = sorted(_d.sweep(moves=30))
    _rows.append({{"render": getattr(_d.render, "__qualname__", repr(_d.render)),
                  "controls": sorted(_d.controls), "moves": len(_lat),
                  "median_ms": 1000 * _st.median(_lat),
                  "p95_ms": 1000 * _lat[min(len(_lat) - 1, int(0.95 * len(_lat)))],
                  "max_ms": 1000 * _lat[-1]}})
print({MARK!r} + _json.dumps(_rows))
"""


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


def nbval_seconds(path: Path) -> tuple[float, bool]:
    """Wall time of ``pytest --nbval`` on one notebook (the same options as make test)."""
    args = [sys.executable, "-m", "pytest", str(path.relative_to(ROOT)), "--nbval",
            "--nbval-current-env", "--nbval-cell-timeout=300", "--nbval-sanitize-with",
            "notebooks/nbval_sanitize.cfg", "-p", "no:cacheprovider", "-q"]
    env = {**os.environ, "PLOTLY_RENDERER": "plotly_mimetype", "PYTHONHASHSEED": "0"}
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    return time.perf_counter() - started, done.returncode == 0


def dashboard_response_times(path: Path) -> list[dict]:
    """Execute ``path`` in memory with the sweep cell appended; one row per dashboard."""
    import nbformat
    from nbclient import NotebookClient

    from course_lib.authoring import ipc_kernel_config

    os.environ.update({"PLOTLY_RENDERER": "plotly_mimetype", "PYTHONHASHSEED": "0"})
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(SWEEP_CELL))
    with tempfile.TemporaryDirectory(prefix="sdl-kernel-") as sockets:  # no TCP warning
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}},
                       config=ipc_kernel_config(Path(sockets))).execute()
    for out in nb.cells[-1].outputs:
        text = out.get("text", "")
        if MARK in text:
            return json.loads(text.split(MARK, 1)[1])
    return []


#: Test files and notebooks that exercise a Kafka broker (their share of ``make test`` is reported).
KAFKA_ITEMS = ("test_kafka_", "test_lessons_on_every_broker", "test_broker", "test_connectors",
               "test_doctor", "04_kafka", "05_kafka", "05b_kafka", "06_when")


PHASES = ("call", "setup", "teardown")


def make_test_seconds() -> tuple[float, bool, float]:
    """Wall seconds of ``make test``, whether it passed, and the seconds its Kafka items took.

    The Kafka share comes from pytest's own per-test durations (``--durations=0`` through
    ``PYTEST_ADDOPTS``), summed over the items whose path names a Kafka test or lesson.
    """
    started = time.perf_counter()
    env = {**os.environ, "PYTEST_ADDOPTS": "--durations=0 --durations-min=0"}
    done = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True,
                          timeout=3600, env=env)
    log = ROOT / "build" / "make-test.log"  # what the run printed, for when it failed
    log.parent.mkdir(exist_ok=True)
    log.write_text(done.stdout + done.stderr)
    kafka = 0.0
    for line in done.stdout.splitlines():
        parts = line.split()
        timed = len(parts) >= 3 and parts[0].endswith("s") and parts[1] in PHASES
        if timed and any(key in parts[2] for key in KAFKA_ITEMS):
            with contextlib.suppress(ValueError):
                kafka += float(parts[0][:-1])
    return time.perf_counter() - started, done.returncode == 0, kafka
