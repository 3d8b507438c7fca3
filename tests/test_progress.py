"""Progress on long work (issue 22, item 5): silent by default, lines on stderr when asked, and
in a notebook a display that leaves every checked output as it was.

The nbval test runs a generated notebook whose cell reports progress for a few seconds (so the
line is updated several times) while its stored output holds only what the cell prints: nbval
must pass. A cell that reports with plain prints instead must fail, so the test can fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbval_scratch import run_nbval, scratch_folder

from course_lib.authoring import execute
from course_lib.core import progress


class Recorder:
    def __init__(self, title: str, log: list) -> None:
        self.title, self.log = title, log

    def update(self, text: str, elapsed_s: float) -> None:
        self.log.append((self.title, text))

    def close(self, summary: str, elapsed_s: float) -> None:
        self.log.append((self.title, "closed: " + summary))


def test_tasks_report_phases_steps_and_nested_tasks_into_one_line():
    log: list = []
    with progress.reporting_to(lambda title: Recorder(title, log)), \
            progress.task("live runs", "2 runs measured") as task:
        for _name in task.steps(["crash", "hang"]):
            with progress.task("Apache Kafka"):
                progress.phase("starting 3 brokers")
    assert log == [("live runs", "starting"), ("live runs", "crash 1/2"),
                   ("live runs", "Apache Kafka: starting"),
                   ("live runs", "Apache Kafka: starting 3 brokers"),
                   ("live runs", "hang 2/2"), ("live runs", "Apache Kafka: starting"),
                   ("live runs", "Apache Kafka: starting 3 brokers"),
                   ("live runs", "closed: 2 runs measured")]


def test_a_repeated_phase_is_sent_once_and_a_reported_lab_is_one_task():
    log: list = []

    @progress.reported("lab", "lab done")
    def lab(n: int) -> int:
        for _ in range(3):  # a polling wait reports the same text each time round
            progress.phase("waiting")
        progress.phase("reading")
        return n + 1

    with progress.reporting_to(lambda title: Recorder(title, log)):
        assert lab(1) == 2
        with pytest.raises(ZeroDivisionError):  # a lab that raises still ends its task
            progress.reported("failing")(lambda: 1 / 0)()
    assert lab.__name__ == "lab"
    assert log == [("lab", "starting"), ("lab", "waiting"), ("lab", "reading"),
                   ("lab", "closed: lab done"), ("failing", "starting"),
                   ("failing", "closed: done")]


def test_the_course_sweeps_report_each_step():
    from course_lib.capstone.models.design import Design
    from course_lib.capstone.models.references import sweep
    from course_lib.kafka.models.group import GroupScenario
    from course_lib.kafka.models.group import sweep as group_sweep

    log: list = []
    with progress.reporting_to(lambda title: Recorder(title, log)):
        rows = group_sweep(GroupScenario(duration=5.0), [1, 2])
        sweep([Design()], seed=1)
    assert [r["consumers"] for r in rows] == [1, 2]
    assert log == [("sweep", "starting"), ("sweep", "1 consumers, run 1/2"),
                   ("sweep", "2 consumers, run 2/2"), ("sweep", "closed: 2 group sizes simulated"),
                   ("sweep", "starting"), ("sweep", "design 1/1"),
                   ("sweep", "closed: 1 designs scored")]


def test_tidy_joins_the_prints_a_progress_line_split():
    from course_lib.authoring import tidy

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
                    nbformat.v4.new_output("display_data", data={}),
                    nbformat.v4.new_output("stream", name="stdout", text="b\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="c\n")]
    nb.cells = [cell]
    tidy(nb)
    assert [(o.get("name"), o.get("text")) for o in nb.cells[0].outputs] == [
        ("stdout", "a\nb\n"), ("stderr", "warning\n"), ("stdout", "c\n")]


def test_outside_a_task_or_a_notebook_nothing_is_reported(capsys, monkeypatch):
    monkeypatch.delenv("SDL_PROGRESS", raising=False)
    progress.phase("nobody listens")
    assert list(progress.steps([1, 2])) == [1, 2]
    from course_lib.ui import progress as ui_progress  # installed, but not in a kernel here

    ui_progress.install()
    with progress.task("sweep") as task:
        list(task.steps(range(3)))
    assert capsys.readouterr() == ("", "")


def test_stderr_lines_only_when_asked(capsys, monkeypatch):
    monkeypatch.setenv("SDL_PROGRESS", "stderr")
    with progress.task("sweep", "3 designs scored") as task:
        list(task.steps(["a", "b", "c"]))
    out, err = capsys.readouterr()
    assert out == ""
    assert "sweep: c 3/3… 0 s" in err and "sweep: 3 designs scored (0 s)" in err


PROGRESS_CELL = """\
import time
from course_lib.core import progress
from course_lib.ui import progress as ui_progress
ui_progress.install()
with progress.task("demo", "3 steps done") as task:
    for step in task.steps(["a", "b", "c"]):
        time.sleep(1.2)  # longer than the line's tick: it is updated in between too
print("result", 42)
"""
PRINTING_CELL = """\
print("demo: a 1/3")
print("result", 42)
"""


def _notebook(path: Path, source: str) -> None:
    """A one-cell notebook whose stored output is what the cell prints *without* progress."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="result 42\n")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.slow
def test_progress_in_a_notebook_leaves_checked_and_restored_outputs_unchanged(tmp_path: Path):
    scratch_folder(tmp_path)
    _notebook(tmp_path / "lesson.ipynb", PROGRESS_CELL)
    _notebook(tmp_path / "printing.ipynb", PRINTING_CELL)

    checked = run_nbval(tmp_path, "lesson.ipynb")
    assert checked.returncode == 0, checked.stdout[-3000:]
    control = run_nbval(tmp_path, "printing.ipynb")  # progress as plain output fails
    assert control.returncode != 0 and "1 failed" in control.stdout, control.stdout[-3000:]

    # re-storing the notebook (make notebooks) stores the same bytes as before, twice over:
    # the progress display is emptied at the end and tidy() drops the empty display
    cells = json.loads((tmp_path / "lesson.ipynb").read_text())["cells"]
    execute(tmp_path / "lesson.ipynb")
    first = (tmp_path / "lesson.ipynb").read_text()
    assert json.loads(first)["cells"] == cells
    execute(tmp_path / "lesson.ipynb")
    assert (tmp_path / "lesson.ipynb").read_text() == first
