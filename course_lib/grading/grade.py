"""Grades for instructors: run each learner's notebook in a fresh kernel, collect its checks.

``python -m course_lib grade NOTEBOOK... --format json|csv|gradescope`` executes every notebook
top to bottom in a new kernel (nbclient; a time limit per notebook and per cell, errors in a
learner's cell do not stop the run), with the progress record pointed at a fresh file. Every
check that runs in that kernel writes its result there (:mod:`course_lib.grading.progress`), so
the grade is the *same* check the learner saw, with the same message. Exercises whose check never
ran (a cell deleted, or the run stopped early) are reported as not attempted.

Rows are flat, one per exercise: notebook, lesson, exercise, name, outcome, score, max_score,
message. ``gradescope`` writes Gradescope's ``results.json`` (``{"score", "tests": [{"name",
"score", "max_score", "output", "visibility", "status"}], "stdout_visibility"}``, the schema
otter's ``to_gradescope_dict`` and pytest-gradescope emit). Everything goes to stdout or to the
``--output`` file, never to stderr: nbgrader scores any stderr output as zero.

Introduced in the instructor notes of ``README.md`` ("For instructors: grades, …").
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import re
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from course_lib.grading import progress
from course_lib.grading.exercise import lesson
from course_lib.grading.notebooks import is_solution_cell, lesson_of

__all__ = ["FIELDS", "Row", "format_rows", "grade_notebook"]

FIELDS = ("notebook", "lesson", "exercise", "name", "outcome", "score", "max_score", "message")
NOTEBOOK_TIMEOUT_S = 600.0
CELL_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Row:
    """One exercise of one learner's notebook."""

    notebook: str
    lesson: str
    exercise: int
    name: str
    outcome: str
    score: float
    max_score: float
    message: str


def _solutions_called(nb: Any) -> set[str]:
    """Exercise names whose reference ``solution_<name>()`` a learner's own cell calls."""
    called = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or is_solution_cell(cell):
            continue
        code = "\n".join(line.split("#", 1)[0] for line in cell.source.splitlines())
        called |= set(re.findall(r"\bsolution_(\w+)\s*\(", code))
    return called


def _execute(nb: Any, path: Path, record: Path, timeout: float, cell_timeout: float) -> str:
    """Run ``nb`` in a fresh kernel; returns "" or a sentence saying why the run stopped."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    quiet = logging.getLogger("course_lib.grading.nbclient")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False  # nbclient logs kernel trouble; nothing may reach stderr
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                            allow_errors=True, record_timing=False, log=quiet,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    env = {**os.environ, progress.ENV_VAR: str(record), "PLOTLY_RENDERER": "plotly_mimetype"}
    started = time.monotonic()
    try:
        # the kernel's own stderr (e.g. ipykernel start-up warnings) must not reach ours
        execution = client.async_execute(env=env, stderr=subprocess.DEVNULL)
        asyncio.run(asyncio.wait_for(execution, timeout))
    except TimeoutError:
        return f"the notebook did not finish within {timeout:g} s"
    except CellTimeoutError:
        return f"a cell ran for longer than {cell_timeout:g} s"
    except Exception as exc:  # a dead kernel, for instance: grade what ran
        if time.monotonic() - started >= timeout:  # cancelling the run may surface as this
            return f"the notebook did not finish within {timeout:g} s"
        return f"the notebook stopped early ({type(exc).__name__}: {str(exc)[:200]})"
    return ""


def grade_notebook(path: Path, *, timeout: float = NOTEBOOK_TIMEOUT_S,
                   cell_timeout: float = CELL_TIMEOUT_S) -> list[Row]:
    """Every exercise of the lessons the notebook's checks (or its file name) belong to."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such notebook: {path}")
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook: say so instead of a traceback
        raise ValueError(f"{path} is not a readable notebook ({exc})") from exc
    called = _solutions_called(nb)
    with tempfile.TemporaryDirectory(prefix="sdl-grade-") as tmp:
        record = Path(tmp) / "progress.json"
        stopped = _execute(nb, path, record, timeout, cell_timeout)
        results = progress.load(record)
    codes = {entry["lesson"] for entry in results.values()}
    if lesson_of(path):
        codes.add(str(lesson_of(path)))
    rows = []
    for code in sorted(codes):
        for number, ex in lesson(code).exercises.items():
            entry = results.get(f"{code}:{number}", {})
            seen = " (The worked solution was viewed.)" if entry.get("solution_viewed_at") else ""
            if "last_outcome" not in entry:
                why = stopped or "its check never ran in this notebook"
                rows.append(Row(str(path), code, number, ex.name, "not attempted", 0.0,
                                ex.points, f"Not attempted: {why}.{seen}"))
                continue
            score, message = float(entry["last_score"]), entry["last_message"] + seen
            if ex.name in called and score > 0:
                score, message = 0.0, (f"No credit: a cell calls solution_{ex.name}(), the "
                                       f"reference solution. {message}")
            rows.append(Row(str(path), code, number, ex.name, entry["last_outcome"], score,
                            float(entry["max_score"]), message))
    return rows


def format_rows(rows: list[Row], fmt: str) -> str:
    """``json`` (a list of rows), ``csv`` (a header and one line per row) or ``gradescope``."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], indent=1, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
        return buffer.getvalue()
    if fmt == "gradescope":
        several = len({r.notebook for r in rows}) > 1
        tests = [{
            "name": (f"{Path(r.notebook).name}: " if several else "")
            + f"lesson {r.lesson} exercise {r.exercise} ({r.name})",
            "score": r.score, "max_score": r.max_score, "output": r.message,
            "visibility": "visible", "status": "passed" if r.outcome == "correct" else "failed",
        } for r in rows]
        return json.dumps({"score": sum(r.score for r in rows), "tests": tests,
                           "stdout_visibility": "visible"}, indent=1, ensure_ascii=False) + "\n"
    raise ValueError(f"format must be json, csv or gradescope (got {fmt!r})")
