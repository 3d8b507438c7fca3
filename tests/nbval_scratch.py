"""Running nbval on a notebook in a scratch folder, as ``make test`` runs it on the lessons.

Three test files check what nbval makes of a notebook they build or trim (the harness itself,
the progress line, the lessons without an optional tool). They share this one way to do it: the
project's ``conftest.py`` and sanitize rules copied next to the notebook, ``make test``'s nbval
options, a fresh ``pytest`` process (never an xdist worker of this run), bounded in time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The options of ``make test`` (Makefile ``NBVAL``), with the sanitize file beside the notebook.
NBVAL_ARGS = ["--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
              "--nbval-sanitize-with", "nbval_sanitize.cfg", "-p", "no:cacheprovider", "-q",
              "-p", "no:xdist"]


def scratch_folder(folder: Path) -> Path:
    """``folder`` with the project's ``conftest.py`` and ``nbval_sanitize.cfg`` copied in."""
    shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    shutil.copy(ROOT / "notebooks" / "nbval_sanitize.cfg", folder / "nbval_sanitize.cfg")
    return folder


def run_nbval(folder: Path, notebook: str, env: Mapping[str, str] | None = None,
              timeout_s: float = 600) -> subprocess.CompletedProcess:
    """nbval on ``folder/notebook`` in a fresh process (``env`` added to this one's, without
    this run's xdist worker variables); the result, for its return code and output."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT_TEST"))}
    return subprocess.run([sys.executable, "-m", "pytest", notebook, *NBVAL_ARGS], cwd=folder,
                          env={**clean, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout_s)
