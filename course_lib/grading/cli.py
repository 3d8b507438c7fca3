"""The instructor and learner subcommands of ``python -m course_lib``.

- ``grade NOTEBOOK... [--format json|csv|gradescope] [--output FILE]``: run learners' notebooks
  and collect one row per exercise (:mod:`course_lib.grading.grade`).
- ``student-version [NOTEBOOK...] [--out DIR]``: copies of the lessons without solution cells.
- ``hide-solutions NOTEBOOK...``: rewrite a lesson's solution cells into the commented
  ``ex.solution(n)`` form, in place (for authors; see ``CONTRIBUTING.md``).
- ``progress``: which exercises this learner has attempted and got right, per lesson.

Everything is printed to stdout; errors in the command line itself are the only stderr output.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_subcommands", "progress_report"]

LESSONS_GLOB = "notebooks/[0-9]*.ipynb"


def _grade(args: argparse.Namespace) -> int:
    from course_lib.grading.grade import format_rows, grade_notebook

    rows = []
    for path in args.notebooks:
        try:
            graded = grade_notebook(path, timeout=args.timeout)
        except ValueError as exc:
            print(f"error: {exc}")
            return 2
        if not graded:
            print(f"note: {path} ran no exercise check and is not a lesson notebook")
        rows += graded
    text = format_rows(rows, args.format)
    if args.output is None:
        print(text, end="")
        return 0
    args.output.write_text(text, encoding="utf-8")
    for row in rows:
        print(f"{row.notebook}: lesson {row.lesson} #{row.exercise} {row.outcome} "
              f"({row.score:g}/{row.max_score:g})")
    print(f"wrote {len(rows)} rows ({args.format}) to {args.output}")
    return 0


def _student_version(args: argparse.Namespace) -> int:
    import nbformat

    from course_lib.grading.notebooks import student_version

    paths = args.notebooks or sorted(Path().glob(LESSONS_GLOB))
    if not paths:
        print(f"error: no notebooks given and none match {LESSONS_GLOB} here")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        target = args.out / path.name
        if target.resolve() == path.resolve():
            print(f"error: {target} would overwrite its source; choose another --out")
            return 2
        nbformat.write(student_version(nb), target)
        print(f"{path} -> {target}")
    return 0


def _hide_solutions(args: argparse.Namespace) -> int:
    import nbformat

    from course_lib.grading.notebooks import hide_solutions, lesson_of

    for path in args.notebooks:
        code = lesson_of(path)
        if code is None:
            print(f"error: {path} is not a lesson notebook (NN_topic.ipynb)")
            return 2
        nb = nbformat.read(path, as_version=4)
        numbers = hide_solutions(nb, code)
        nbformat.write(nb, path)
        print(f"{path}: solution cells of exercises {numbers or 'none'} now ask before showing")
    return 0


def progress_report(exercises: dict[str, dict[str, Any]] | None = None) -> str:
    """Per lesson: attempted and right exercises, ✅ right, ❌ tried, · not yet."""
    from course_lib.grading import progress
    from course_lib.grading.exercise import lessons

    record = progress.load() if exercises is None else exercises
    lines = []
    for ex in lessons():
        marks, attempted, right = [], 0, 0
        for number in ex.exercises:
            entry = record.get(f"{ex.code}:{number}", {})
            tried, ok = int(entry.get("attempts", 0)) > 0, bool(entry.get("correct"))
            attempted, right = attempted + tried, right + ok
            seen = " (solution seen)" if entry.get("solution_viewed_at") else ""
            marks.append(f"#{number} {'✅' if ok else '❌' if tried else '·'}{seen}")
        total = len(ex.exercises)
        lines.append(f"lesson {ex.code}: attempted {attempted}/{total}, right {right}/{total}"
                     f"   {'  '.join(marks)}")
    return "\n".join(lines)


def _progress(_args: argparse.Namespace) -> int:
    from course_lib.grading import progress

    path = progress.progress_path()
    if path is None:
        print(f"Progress recording is off ({progress.ENV_VAR}=off).")
        return 0
    print(f"Your progress (recorded in {path}; ✅ right, ❌ tried, · not yet):")
    print(progress_report())
    return 0


def add_subcommands(sub: Any) -> None:
    """Register the grading subcommands on ``python -m course_lib``'s subparsers."""
    grade = sub.add_parser("grade", help="run learners' notebooks and export their grades")
    grade.add_argument("notebooks", nargs="+", type=Path)
    grade.add_argument("--format", choices=("json", "csv", "gradescope"), default="json")
    grade.add_argument("--output", "-o", type=Path, default=None,
                       help="write here (default: stdout)")
    grade.add_argument("--timeout", type=float, default=600.0,
                       help="seconds allowed per notebook (default 600)")
    grade.set_defaults(run=_grade)
    student = sub.add_parser("student-version", help="copies of the lessons without solutions")
    student.add_argument("notebooks", nargs="*", type=Path)
    student.add_argument("--out", type=Path, default=Path("build/student"))
    student.set_defaults(run=_student_version)
    hide = sub.add_parser("hide-solutions",
                          help="(authors) make a lesson's solution cells ask before showing")
    hide.add_argument("notebooks", nargs="+", type=Path)
    hide.set_defaults(run=_hide_solutions)
    sub.add_parser("progress", help="your exercises so far, per lesson").set_defaults(
        run=_progress)
