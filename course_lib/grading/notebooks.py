"""Notebook surgery for exercises: hide solutions in lessons, strip them for students.

A lesson's solution cell used to run ``check_x(solution_x())`` and store "✅ Correct: …" right
under the exercise, where a learner reads it and where *Run All* prints it again. Now a solution
cell holds only a commented call, ``# ex.solution(2)``: it stores no output and running it does
nothing until the learner removes the ``#``. :func:`hide_solutions` rewrites the old form into the
new one (in place, touching no other cell, so other edits to the notebook still merge), and
:func:`student_version` drops solution cells altogether for an instructor's release. Lessons
stay the source notebooks that nbval checks; student versions are generated, never committed.

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from course_lib.grading.exercise import LESSON_CODES, lesson

__all__ = ["SOLUTION_TAG", "hide_solutions", "lesson_of", "solution_source", "student_version"]

SOLUTION_TAG = "solution"
_ASKS = re.compile(r"solution\(\d+\)")  # already in the asking form
_CHECK = re.compile(r"(?:(?P<mod>\w+)\.)?check_(?P<name>\w+)\(")


def lesson_of(path: Path) -> str | None:
    """The lesson code a notebook's file name starts with (``02_load_balancing`` → ``"02"``)."""
    code = path.name.split("_", 1)[0]
    return code if code in LESSON_CODES else None


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def solution_source(number: int) -> str:
    """The text of a hidden solution cell: comments only, so running it reveals nothing.

    Every lesson's setup cell imports its exercises as ``ex`` (``tests/test_hints_work.py``), so
    ``ex.hint(n)`` and ``ex.solution(n)`` work as written in any lesson, whatever name the old
    solution cell used for the lesson module."""
    return (f"# The solution of exercise {number}, when you ask for it: remove the \"# \" "
            "on the last line and run.\n"
            f"# (Stuck? ex.hint({number}) gives hints first, one tier at a time.)\n"
            f"# ex.solution({number})")


def is_solution_cell(cell: Any) -> bool:
    return cell.get("cell_type") == "code" and SOLUTION_TAG in cell.get("metadata", {}).get(
        "tags", [])


def hide_solutions(nb: Any, code: str) -> list[int]:
    """Turn every solution cell of lesson ``code`` into the commented form; returns the exercise
    numbers converted. Raises ValueError for a solution cell whose exercise it cannot tell."""
    names = {e.name: n for n, e in lesson(code).exercises.items()}
    converted = []
    for cell in nb["cells"]:
        if not is_solution_cell(cell) or _ASKS.search(_source(cell)):
            continue
        match = _CHECK.search(_source(cell))
        if not match or match.group("name") not in names:
            raise ValueError(f"lesson {code}: a solution cell that calls no known check: "
                             f"{_source(cell)[:80]!r}")
        number = names[match.group("name")]
        cell["source"] = solution_source(number)
        cell["outputs"] = []
        cell.get("metadata", {}).get("jupyter", {}).pop("source_hidden", None)
        if cell.get("metadata", {}).get("jupyter") == {}:
            del cell["metadata"]["jupyter"]
        converted.append(number)
    return converted


def student_version(nb: Any) -> Any:
    """A copy of ``nb`` without solution cells (the source notebook is not changed)."""
    import copy

    out = copy.deepcopy(nb)
    out["cells"] = [c for c in out["cells"] if not is_solution_cell(c)]
    return out
