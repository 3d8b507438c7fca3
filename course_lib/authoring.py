"""Re-execute lesson notebooks in place so that their stored outputs are fresh and reproducible.

``make notebooks`` (or ``python -m course_lib.authoring notebooks/03_failover.ipynb``) runs every
cell top to bottom in a fresh kernel, with the same environment nbval uses in CI
(``PLOTLY_RENDERER=plotly_mimetype``, ``PYTHONHASHSEED=0``), then tidies what must not be
committed:

* ``metadata.widgets`` — saved widget state; a FigureWidget's state embeds ~5 MB of plotly.js;
* widget-view outputs of live dashboards — without saved state they render as "model not found",
  and their cells are tagged ``nbval-ignore-output`` anyway (each has a checked twin);
* ``layout.template`` inside stored plotly figures — large, and it changes between plotly
  releases; the test harness ignores it on comparison too (see ``conftest.py``);
* per-cell execution timings;
* the emptied display of a progress line (``course_lib.ui.progress``): no output at all is
  stored, exactly as before the line existed (prints on either side of it, which the display
  split into two streams, are joined into one again).

Seeds are the lesson's business (every engine takes ``seed``); this tool makes the environment the
same on every run so the same seeds give the same text.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from traitlets.config import Config

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY_JSON = "application/vnd.plotly.v1+json"
NOTEBOOK_ENV = {"PLOTLY_RENDERER": "plotly_mimetype", "PYTHONHASHSEED": "0",
                "SDL_PROGRESS_FILE": "off"}  # regenerating a lesson records no progress
CELL_TIMEOUT_S = 300


def tidy(nb) -> None:
    """Strip what must not be committed (see module docstring); mutates ``nb``."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept: list[dict] = []  # the outputs (nbformat nodes) to store
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                continue
            if out.get("output_type") == "display_data" and not data:
                continue  # a progress line, emptied at its end (course_lib.ui.progress)
            fig = data.get(PLOTLY_JSON)
            if isinstance(fig, dict):
                fig.get("layout", {}).pop("template", None)
            if (out.get("output_type") == "stream" and kept
                    and kept[-1].get("output_type") == "stream"
                    and kept[-1].get("name") == out.get("name")):
                # a print after a progress line: one stream, as a cell without the line stores
                kept[-1]["text"] += out["text"]
                continue
            kept.append(out)
        cell["outputs"] = kept


def ipc_kernel_config(folder: Path) -> Config:
    """Kernel-manager settings for a kernel reached over Unix sockets in ``folder``.

    Over TCP (jupyter_client's default) ipykernel 7 logs "Kernel is running over TCP without
    encryption…" on every start: plain-text loopback traffic that any local user could connect
    to. A learner can do nothing about it, and over IPC there is nothing to warn about: the
    sockets are files in a private (0700) folder. ``ip`` must be an absolute path: by default it
    is ``kernel-ipc`` relative to the current folder, and the kernel runs in the notebook's
    folder while this process may not.
    """
    return Config({"KernelManager": {"transport": "ipc", "ip": str(folder / "kernel")}})


def execute(path: Path) -> float:
    """Execute one notebook in place; returns the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.update(NOTEBOOK_ENV)
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sdl-kernel-") as sockets:
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            record_timing=False,
            config=ipc_kernel_config(Path(sockets)),
        )
        client.execute()
    tidy(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to execute (default: every notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9]*.ipynb"))
    for path in paths:
        print(f"executing {path} ...", flush=True)
        seconds = execute(path)
        print(f"  done in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
