"""course_lib.procs: every child dies with its parent, lesson 01's API backend included."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from course_lib import procs

ROOT = Path(__file__).resolve().parents[1]




BACKEND_CHILD = textwrap.dedent("""
    import time
    from course_lib.components.backend import BackendProcess
    backend = BackendProcess(None, name="orphan-test").start()
    print(backend.process.pid, flush=True)
    time.sleep(120)
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_lesson_01s_backend_dies_when_its_parent_is_killed(sig):
    """A killed kernel runs no atexit handler: the parent-death signal must stop the backend."""
    parent = subprocess.Popen([sys.executable, "-c", BACKEND_CHILD], stdout=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        pid = int(parent.stdout.readline())
        assert procs.alive(pid)
        parent.send_signal(sig)
        parent.wait(timeout=10)
        assert procs.gone_within([pid], 5), f"the backend outlived a parent killed by {sig.name}"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_spawned_children_get_their_own_process_group_and_are_stopped():
    child = procs.spawn(["sleep", "30"])
    try:
        assert child.pid in procs.live_children()
        assert Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[3] == \
            str(child.pid)  # process group id = its own pid
        child.send_signal(signal.SIGSTOP)  # a frozen child still stops (SIGCONT first)
        assert procs.stop(child, timeout=5) == -signal.SIGTERM
    finally:
        procs.kill(child)
    assert child.pid not in procs.live_children()


def test_a_child_that_ignores_sigterm_is_killed_after_the_timeout(tmp_path):
    child = procs.spawn([sys.executable, "-c",
                         "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                         "print('ready', flush=True); time.sleep(30)"],
                        stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    started = time.monotonic()
    assert procs.stop(child, timeout=0.5) == -signal.SIGKILL
    assert time.monotonic() - started < 3
    child.stdout.close()


def test_log_collects_stdout_and_stderr(tmp_path):
    log = tmp_path / "sub" / "child.log"
    child = procs.spawn([sys.executable, "-c", "import sys; print('out'); print('err', "
                                               "file=sys.stderr)"], log=log)
    child.wait(timeout=10)
    procs.forget(child)
    assert set(log.read_text().split()) == {"out", "err"}


def test_leftovers_counts_only_processes_of_this_run_and_this_worker(monkeypatch):
    """A neighbour worker's live lab (same CI run marker, other xdist worker) is not ours."""
    import os

    marker = b"sdl-leftover-probe-" + str(os.getpid()).encode()
    monkeypatch.setenv("SDL_TEST_RUN", "run-a")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    script = f"import time; time.sleep(30)  # {marker.decode()}"
    env = dict(os.environ)
    mine = subprocess.Popen([sys.executable, "-c", script], env=env)
    other = subprocess.Popen([sys.executable, "-c", script],
                             env=env | {"PYTEST_XDIST_WORKER": "gw1"})
    try:
        deadline = time.monotonic() + 5
        while mine.pid not in procs.leftovers([marker]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert procs.leftovers([marker]) == [mine.pid]
        monkeypatch.delenv("PYTEST_XDIST_WORKER")
        assert procs.leftovers([marker]) == sorted([mine.pid, other.pid])
    finally:
        for child in (mine, other):
            child.kill()
            child.wait(5)
