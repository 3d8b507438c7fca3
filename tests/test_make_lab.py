"""``make lab`` serves lesson 00 at the URL it prints.

The Makefile used to pass ``notebooks/00_start_here.ipynb`` as a positional argument next to
``--notebook-dir=notebooks``; with ``--no-browser`` the printed URL was plain ``/lab`` and a
learner landed on a file list that also showed ``nbval_sanitize.cfg`` (learner review 2026-12,
section 0). This test takes the exact ``jupyter lab`` command ``make lab`` runs (``make -n``, with
this environment as the venv and a free port; ``-n`` runs none of the set-up steps), starts it
from the project root as make does, reads the URL it prints and asks the server over HTTP:

* the printed URL is ``/lab/tree/00_start_here.ipynb`` with a token, and that page answers 200
  with JupyterLab's page config naming the notebook as the tree path it opens;
* the contents API returns lesson 00 as a notebook at that path (the path is relative to the
  served folder, which is what the old command got wrong);
* the folder's listing shows the lessons and not ``nbval_sanitize.cfg``;
* a kernel the server starts comes up (idle) over Unix sockets, and nothing in the server's
  output says "running over TCP without encryption" (a warning a learner can do nothing about).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from course_lib.core import procs
from course_lib.core.loopback import free_port
from course_lib.core.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
LESSON = "00_start_here.ipynb"

pytestmark = [
    pytest.mark.slow,  # starts JupyterLab: 5-15 s
    pytest.mark.skipif(shutil.which("make") is None, reason="make not installed"),
]


def lab_command(port: int) -> list[str]:
    """The ``jupyter lab`` command of ``make lab``, as make would run it with this Python's
    environment as the venv (``make -n`` prints the set-up steps without running them)."""
    # As a learner types it: not as a sub-make of `make test`, whose flags would be inherited.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "-n", "--no-print-directory", "lab", f"VENV={sys.prefix}",
                           f"LAB_PORT={port}", "LAB_IP=127.0.0.1"], cwd=ROOT, text=True,
                          capture_output=True, timeout=60, check=True, env=env)
    lines = done.stdout.replace("\\\n", " ").splitlines()
    commands = [ln for ln in lines if re.search(r"/bin/jupyter\s+lab\b", ln)]
    assert len(commands) == 1, f"make -n lab should run jupyter lab once:\n{done.stdout}"
    argv = shlex.split(commands[0])
    for arg in argv:  # make lab creates the kernels' socket folder first
        if arg.startswith("--KernelManager.ip="):
            Path(arg.split("=", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    return argv


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode()


def test_make_lab_serves_lesson_00_at_the_url_it_prints(tmp_path):
    port = free_port()
    argv = lab_command(port)
    log = tmp_path / "lab.log"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),  # no personal config
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    lab = procs.spawn(argv, owner="test", log=log, cwd=ROOT, env=env)
    try:
        printed = re.compile(rf"http://127\.0\.0\.1:{port}/\S+")

        def url_printed() -> str | None:
            if lab.poll() is not None:
                raise AssertionError(f"jupyter lab exited ({lab.returncode}):\n"
                                     f"{log.read_text()[-3000:]}")
            found = printed.search(log.read_text(errors="replace"))
            return found.group(0) if found else None

        url = wait_until(url_printed, 90, "jupyter lab to print its URL",
                         interval_s=0.3, detail=lambda: log.read_text()[-2000:])
        parts = urllib.parse.urlsplit(url)
        assert parts.path == f"/lab/tree/{LESSON}", f"make lab printed {url}"
        token = urllib.parse.parse_qs(parts.query).get("token", [""])[0]
        assert token, f"the printed URL carries no token: {url}"

        status, page = _get(url)
        assert status == 200
        config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                           r"</script>", page, re.S)
        assert config, "the page is not JupyterLab's"
        assert json.loads(config.group(1)).get("treePath") == LESSON

        api = f"http://127.0.0.1:{port}/api/contents"
        status, body = _get(f"{api}/{LESSON}?content=1&token={token}")
        notebook = json.loads(body)
        assert (status, notebook["type"], notebook["path"]) == (200, "notebook", LESSON)
        assert notebook["content"]["cells"], "lesson 00 came back empty"

        _, body = _get(f"{api}/?token={token}")
        listed = {item["name"] for item in json.loads(body)["content"]}
        assert LESSON in listed and "nbval_sanitize.cfg" not in listed, sorted(listed)

        kernels = f"http://127.0.0.1:{port}/api/kernels"
        request = urllib.request.Request(f"{kernels}?token={token}", data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            kernel = json.loads(response.read())

        # The kernel's connection file says how to reach it; a client that gets its kernel_info
        # reply over that transport proves the kernel came up and talks (Unix sockets here).
        connection = tmp_path / "runtime" / f"kernel-{kernel['id']}.json"
        wait_until(connection.exists, 60, "the kernel's connection file", interval_s=0.3)
        info = json.loads(connection.read_text())
        assert info["transport"] == "ipc", info
        from jupyter_client import BlockingKernelClient

        client = BlockingKernelClient(connection_file=str(connection))
        client.load_connection_file()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
        finally:
            client.stop_channels()
        assert "without encryption" not in log.read_text(errors="replace")
    finally:
        procs.stop(lab, timeout=20)
