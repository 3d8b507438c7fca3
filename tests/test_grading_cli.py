"""``grade``, ``student-version`` and ``progress`` end to end, on a tiny synthetic notebook.

The notebook answers lesson 02's three exercises: one right, one wrong, one left blank, with an
error in between (a learner's broken cell must not stop grading). Each format runs the real
command line in a fresh kernel; stderr must stay empty (nbgrader scores any stderr as zero).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # each runs notebooks or a grading session: tens of seconds

ROOT = Path(__file__).resolve().parents[1]
CELLS = [
    "from course_lib.exercises import lesson02 as ex",
    "answer = 5\nex.check_fast_weight(answer)",
    "answer = \"2 s\"\nex.check_random_mean_time(answer)",
    "1 / 0  # a learner's broken cell",
    "answer = None\nex.check_many_balancers(answer)",
]


def _notebook(folder: Path, cells: list[str], name: str = "02_learner.ipynb",
              solution: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    if solution:
        cell = nbformat.v4.new_code_cell(solution)
        cell.metadata["tags"] = ["solution"]
        nb.cells.insert(2, cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "course_lib", *args], capture_output=True,
                          text=True, timeout=240, cwd=ROOT, env=env, check=False)


EXPECTED = [("fast_weight", "correct", 1.0), ("random_mean_time", "incorrect", 0.0),
            ("many_balancers", "not attempted", 0.0)]


def test_grade_json(tmp_path):
    done = _run("grade", str(_notebook(tmp_path, CELLS)), "--format", "json")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    rows = json.loads(done.stdout)
    assert [(r["name"], r["outcome"], r["score"]) for r in rows] == EXPECTED
    assert all(r["lesson"] == "02" and r["max_score"] == 1.0 for r in rows)
    assert [r["exercise"] for r in rows] == [1, 2, 3]
    assert "Divide the arrival rate" in rows[1]["message"]
    assert "Not answered yet" in rows[2]["message"]


def test_grade_csv_to_a_file_with_feedback_on_stdout(tmp_path):
    out = tmp_path / "grades.csv"
    done = _run("grade", str(_notebook(tmp_path, CELLS)), "--format", "csv", "-o", str(out))
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "lesson 02 #2 incorrect (0/1)" in done.stdout and "wrote 3 rows (csv)" in done.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == ["notebook", "lesson", "exercise", "name", "outcome", "score",
                             "max_score", "message"]
    assert [(r["name"], r["outcome"], float(r["score"])) for r in rows] == EXPECTED


def test_grade_gradescope_schema(tmp_path):
    done = _run("grade", str(_notebook(tmp_path, CELLS)), "--format", "gradescope")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    results = json.loads(done.stdout)
    assert set(results) == {"score", "tests", "stdout_visibility"} and results["score"] == 1.0
    assert [(t["score"], t["max_score"], t["status"]) for t in results["tests"]] == [
        (1.0, 1.0, "passed"), (0.0, 1.0, "failed"), (0.0, 1.0, "failed")]
    assert results["tests"][0]["name"] == "lesson 02 exercise 1 (fast_weight)"
    assert all(t["visibility"] == "visible" and t["output"] for t in results["tests"])


def test_a_notebook_over_its_time_limit_is_graded_as_far_as_it_got(tmp_path):
    from course_lib.grading.grade import grade_notebook

    cells = [CELLS[0], CELLS[1], "import time\ntime.sleep(60)", CELLS[2]]
    rows = grade_notebook(_notebook(tmp_path, cells), timeout=8)
    assert [r.outcome for r in rows] == ["correct", "not attempted", "not attempted"]
    assert "did not finish within 8 s" in rows[1].message


def test_grade_rejects_a_missing_notebook_with_a_sentence(tmp_path):
    done = _run("grade", str(tmp_path / "nope.ipynb"))
    assert done.returncode == 2 and "no such notebook" in done.stdout and done.stderr == ""


def test_student_version_drops_solutions_and_runs_up_to_the_blanks(tmp_path):
    from nbclient import NotebookClient

    source = _notebook(tmp_path, [CELLS[0], CELLS[4]], solution="ex.solution(1)")
    before = source.read_text()
    done = _run("student-version", str(source), "--out", str(tmp_path / "student"))
    assert done.returncode == 0 and done.stderr == ""
    assert source.read_text() == before  # the source notebook is unchanged
    student = nbformat.read(tmp_path / "student" / source.name, as_version=4)
    assert [c.source for c in student.cells] == [CELLS[0], CELLS[4]]
    NotebookClient(student, timeout=120, kernel_name="python3").execute()  # raises on error
    assert "⏳ Not answered yet" in student.cells[1].outputs[0]["data"]["text/plain"]


def test_student_versions_of_the_lessons_have_no_solution_cells():
    from course_lib.grading.notebooks import is_solution_cell, student_version

    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        solutions = sum(map(is_solution_cell, nb.cells))
        student = student_version(nb)
        assert solutions > 0 and len(student.cells) == len(nb.cells) - solutions, path.name
        assert not any(map(is_solution_cell, student.cells))


def test_progress_reflects_checks_run_in_a_notebook(tmp_path):
    from nbclient import NotebookClient

    record = tmp_path / "progress.json"
    nb = nbformat.read(_notebook(tmp_path, CELLS[:3]), as_version=4)
    env = {**os.environ, "SDL_PROGRESS_FILE": str(record)}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(
        env=env, stderr=subprocess.DEVNULL)
    done = _run("progress", env_extra={"SDL_PROGRESS_FILE": str(record)})
    assert done.returncode == 0 and done.stderr == ""
    assert "lesson 02: attempted 2/3, right 1/3   #1 ✅  #2 ❌  #3 ·" in done.stdout
    assert "lesson 03: attempted 0/4, right 0/4" in done.stdout
    off = _run("progress", env_extra={"SDL_PROGRESS_FILE": "off"})
    assert "recording is off" in off.stdout


@pytest.mark.parametrize("bad", ["xml"])
def test_unknown_format_is_refused(bad):
    from course_lib.grading.grade import format_rows

    with pytest.raises(ValueError, match="format must be json, csv or gradescope"):
        format_rows([], bad)


def test_the_student_version_of_a_real_lesson_runs_without_error(tmp_path):
    """Lesson 02 (about 10 s): with its solution cells gone, every cell still runs."""
    from nbclient import NotebookClient

    from course_lib.grading.notebooks import student_version

    source = ROOT / "notebooks" / "02_load_balancing.ipynb"
    student = student_version(nbformat.read(source, as_version=4))
    NotebookClient(student, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(source.parent)}}).execute(
        env={**os.environ, "SDL_PROGRESS_FILE": "off"}, stderr=subprocess.DEVNULL)
    waiting = [c for c in student.cells if "answer = None" in c.source]
    assert len(waiting) == 3
    assert all("⏳" in c.outputs[0]["data"]["text/plain"] for c in waiting)


def test_reference_solutions_earn_no_credit_and_viewed_solutions_are_noted(tmp_path):
    from course_lib.grading.grade import grade_notebook

    cells = [CELLS[0], "answer = ex.solution_fast_weight()  # copied\nex.check_fast_weight(answer)",
             "ex.solution(2)", "# ex.solution_many_balancers() in a comment is fine\n"
             "answer = 'weighted round robin'\nex.check_many_balancers(answer)"]
    rows = grade_notebook(_notebook(tmp_path, cells))
    assert [(r.outcome, r.score) for r in rows] == [
        ("correct", 0.0), ("not attempted", 0.0), ("correct", 1.0)]
    assert rows[0].message.startswith("No credit: a cell calls solution_fast_weight()")
    assert rows[1].message.endswith("(The worked solution was viewed.)")


def test_grade_refuses_a_file_that_is_not_a_notebook(tmp_path):
    from course_lib.grading.grade import grade_notebook

    bad = tmp_path / "02_broken.ipynb"
    bad.write_text("not json")
    with pytest.raises(ValueError, match="is not a readable notebook"):
        grade_notebook(bad)


def test_progress_notes_a_viewed_solution(capsys):
    from course_lib.grading.cli import progress_report
    from course_lib.grading.exercise import lesson

    lesson("03b").solution(2)
    assert "Worked solution, lesson 03b exercise 2" in capsys.readouterr().out
    assert ("lesson 03b: attempted 0/3, right 0/3   #1 ·  #2 · (solution seen)  #3 ·"
            in progress_report())
