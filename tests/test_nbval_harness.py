"""The notebook harness can fail: a stale stored output makes nbval (strict mode) fail.

A small notebook that runs a seeded simulation is executed with the course's authoring tool,
checked with the same nbval options as ``make test`` (it must pass), then one stored number is
changed, as if a lesson's code had changed without ``make notebooks``: nbval must now fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbval_scratch import run_nbval, scratch_folder

from course_lib.authoring import execute, tidy

pytestmark = pytest.mark.slow  # each runs notebooks or a grading session: tens of seconds

ROOT = Path(__file__).resolve().parents[1]

CELLS = [
    "import random\nrng = random.Random(7)\n"
    "print(round(sum(rng.expovariate(2.0) for _ in range(1000)), 6))",
    "import plotly.graph_objects as go\ngo.Figure(go.Scatter(x=[0, 1], y=[1, 2]))",
    "print(object())  # an address: sanitized, so it never fails",
]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    scratch_folder(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "lesson.ipynb")
    execute(tmp_path / "lesson.ipynb")
    return tmp_path


def test_fresh_outputs_pass_and_a_stale_number_or_figure_fails_its_cell(workdir: Path):
    """One nbval run on the stale copy: the changed number and the changed figure each fail
    their own cell ("2 failed"), and the untouched cell still passes."""
    notebook = workdir / "lesson.ipynb"
    fresh = run_nbval(workdir, notebook.name)
    assert fresh.returncode == 0, fresh.stdout[-3000:]

    nb = json.loads(notebook.read_text())
    stream = nb["cells"][0]["outputs"][0]
    stream["text"] = [stream["text"][0].replace(".", ".9", 1)]
    [fig_output] = nb["cells"][1]["outputs"]
    fig_output["data"]["application/vnd.plotly.v1+json"]["data"][0]["y"] = [1, 3]
    notebook.write_text(json.dumps(nb))
    stale = run_nbval(workdir, notebook.name)
    assert stale.returncode != 0
    assert "2 failed, 1 passed" in stale.stdout, stale.stdout[-3000:]


def test_tidy_strips_widget_state_views_templates_and_timings():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"big": "x" * 100}}
    cell = nbformat.v4.new_code_cell("x")
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}, "text/plain": "VBox"}),
        nbformat.v4.new_output("display_data", data={
            "application/vnd.plotly.v1+json": {
                "data": [], "layout": {"template": {"a": 1}, "height": 3}}}),
    ]
    nb.cells = [cell]
    tidy(nb)
    assert "widgets" not in nb.metadata and "execution" not in cell.metadata
    [kept] = cell.outputs
    assert kept["data"]["application/vnd.plotly.v1+json"]["layout"] == {"height": 3}


def test_every_lesson_notebook_has_fresh_ordered_outputs():
    """What the before-stop hook checks, as a test: outputs stored, counts 1..N, no errors."""
    lessons = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert lessons, "no lesson notebooks found"
    for path in lessons:
        nb = json.loads(path.read_text())
        assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state"
        code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
        counts = [c["execution_count"] for c in code]
        assert counts == list(range(1, len(code) + 1)), f"{path.name}: re-run top to bottom"
        outputs = [o for c in code for o in c["outputs"]]
        assert outputs, f"{path.name}: no stored outputs"
        assert not [o for o in outputs if o["output_type"] == "error"], f"{path.name}: error output"
        ignored = [c for c in code if "nbval-ignore-output" in c["metadata"].get("tags", [])]
        assert len(ignored) <= len(code) / 3, f"{path.name}: too many cells ignore their output"
        assert path.stat().st_size < 2_000_000, f"{path.name}: over 2 MB; strip widget state"
