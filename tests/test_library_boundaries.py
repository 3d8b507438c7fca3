"""The library's shape: no module imports the exercises, and no module outgrows ~350 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "course_lib"
MAX_LINES = 350


def _library_modules():
    for path in sorted(ROOT.rglob("*.py")):
        part = path.relative_to(ROOT).parts[0]
        if part not in ("exercises", "grading"):  # the exercises and their machinery
            yield path


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_library_module_imports_the_exercises():
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p)
                                                  if n.startswith("course_lib.exercises"))
                 for p in _library_modules()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_guard_sees_an_exercise_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from course_lib.exercises.lesson03b import BUDGET\n")
    assert "course_lib.exercises.lesson03b" in _imports(probe)


def test_no_module_is_over_350_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}
