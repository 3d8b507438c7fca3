"""``make notebooks`` starts its kernels over IPC: no "running over TCP without encryption"
warning on every start, and the notebook still runs (its kernel in the notebook's folder, the
tool in another)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # a kernel start: a few seconds

ROOT = Path(__file__).resolve().parents[1]


def test_authoring_kernel_starts_quietly_over_ipc(tmp_path: Path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import json, os\nfrom ipykernel import get_connection_file\n"
        "print(json.load(open(get_connection_file()))['transport'], os.getcwd())")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, folder / "lesson.ipynb")
    done = subprocess.run([sys.executable, "-m", "course_lib.authoring", "lessons/lesson.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "without encryption" not in done.stderr and "WARNING" not in done.stderr, done.stderr
    [out] = json.loads((folder / "lesson.ipynb").read_text())["cells"][0]["outputs"]
    assert "".join(out["text"]).split() == ["ipc", str(folder)]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["lesson.ipynb", "lessons"]
