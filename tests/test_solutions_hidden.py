"""Solutions stay hidden until asked for: nothing stored shows one, and *Run All* reveals none.

A solution cell holds only comments (``# ex.solution(2)``), so running it (as *Run All* does)
executes nothing and stores no output; nbval re-runs every lesson and compares each cell with
its stored output, so "stored outputs reveal no solution" also holds for a fresh *Run All*.

Lessons 04-06 are regenerated against a real Kafka by the lead; their solution cells are
converted with ``python -m course_lib hide-solutions NOTEBOOK`` and then added to
:data:`SOLUTIONS_HIDDEN` below. Until then their tests are expected failures (strict: a
converted notebook left off the list fails, as a reminder to extend it).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from course_lib.grading.exercise import lesson
from course_lib.grading.notebooks import is_solution_cell, lesson_of

ROOT = Path(__file__).resolve().parents[1]
#: Lessons whose solution cells ask before showing; extend when a lesson is converted.
SOLUTIONS_HIDDEN = ("00", "01", "02", "03", "03b", "04", "05", "05b", "06", "07")
NOT_CONVERTED = "lesson 04-06 notebooks not yet converted"


def _lessons():
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        code = lesson_of(path)
        marks = [] if code in SOLUTIONS_HIDDEN else [
            pytest.mark.xfail(reason=NOT_CONVERTED, strict=True)]
        yield pytest.param(path, marks=marks, id=path.stem)


def _stored_text(cells) -> str:
    parts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            for text in (out.get("text"), *out.get("data", {}).values()):
                if isinstance(text, list):
                    parts.append("".join(text))
                elif isinstance(text, str):
                    parts.append(text)
    return "\n".join(parts)


@pytest.mark.parametrize("path", list(_lessons()))
def test_solution_cells_store_nothing_and_run_nothing(path):
    cells = json.loads(path.read_text())["cells"]
    solutions = [c for c in cells if is_solution_cell(c)]
    ex = lesson(lesson_of(path))
    assert len(solutions) == len(ex.exercises), f"{path.name}: one solution cell per exercise"
    for number, cell in zip(ex.exercises, solutions, strict=True):
        source = "".join(cell["source"])
        assert cell["outputs"] == [], f"{path.name}: a solution cell with stored output"
        code = [ln for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        assert code == [], f"{path.name}: a solution cell that runs code: {code}"
        assert f"solution({number})" in source, f"{path.name}: cell should offer solution({number})"


@pytest.mark.parametrize("path", list(_lessons()))
def test_no_stored_output_shows_a_solution(path):
    stored = _stored_text(json.loads(path.read_text())["cells"])
    for number, ex in lesson(lesson_of(path)).exercises.items():
        verdict = str(ex.check(_solution(ex)))
        assert verdict not in stored, f"{path.name}: exercise {number}'s ✅ verdict is stored"
        worked = ex.worked_solution()
        assert worked[:60] not in stored, f"{path.name}: exercise {number}'s worked solution"


def _solution(ex):
    return getattr(importlib.import_module(ex.module), f"solution_{ex.name}")()
