"""course_lib.core.procs: every child dies with its parent, lesson 01's API backend included."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from course_lib.core import procs

ROOT = Path(__file__).resolve().parents[1]




BACKEND_CHILD = textwrap.dedent("""
    import time
    from course_lib.components.runtime.backend import BackendProcess
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


class _Recorded:
    """A stand-in for Popen that logs what is done to it; once SIGTERMed, it has exited by the
    time anyone waits for it."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        self.name, self.log, self.returncode = name, log, None
        self.terminated = False

    def poll(self):
        return self.returncode

    def send_signal(self, sig) -> None:
        self.log.append((self.name, signal.Signals(sig).name))
        self.terminated = self.terminated or sig == signal.SIGTERM

    def wait(self, timeout=None):
        self.log.append((self.name, "wait"))
        if self.terminated:
            self.returncode = -signal.SIGTERM
        return self.returncode


def test_stop_all_signals_every_process_before_waiting_for_any():
    log: list[tuple[str, str]] = []
    procs.stop_all([_Recorded(n, log) for n in "abc"], timeout=5)
    first_term = {name: log.index((name, "SIGTERM")) for name in "abc"}
    first_wait = min(i for i, (_, what) in enumerate(log) if what == "wait")
    assert max(first_term.values()) < first_wait


def test_a_cluster_stops_its_brokers_before_its_controller(tmp_path):
    """A broker's controlled shutdown needs the controller: stopped first, it kept each broker
    waiting until SIGKILL."""
    from course_lib.kafka.runtime.cluster import KafkaCluster
    from course_lib.kafka.runtime.cluster_config import plan_nodes

    log: list[tuple[str, str]] = []
    cluster = KafkaCluster(brokers=3)
    cluster.nodes = {s.node_id: s for s in plan_nodes(3, tmp_path, [9001, 9002, 9003, 9004])}
    cluster.processes = {n: _Recorded(str(n), log) for n in cluster.nodes}  # controller first
    cluster.stop()
    first_term: dict[str, int] = {}
    for i, (name, what) in enumerate(log):
        if what == "SIGTERM":
            first_term.setdefault(name, i)
    controllers = [str(n) for n, spec in cluster.nodes.items() if not spec.is_broker]
    brokers = [str(n) for n, spec in cluster.nodes.items() if spec.is_broker]
    assert controllers and len(brokers) == 3
    assert max(first_term[b] for b in brokers) < min(first_term[c] for c in controllers)
    assert cluster.processes == {}


class _Counted:
    """A stand-in for a broker: counts how often it is stopped."""

    def __init__(self) -> None:
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


def test_a_singleton_is_stopped_once_and_forgotten():
    """An exit hook may run after the lesson already stopped it: the second stop is a no-op."""
    held: procs.Singleton[_Counted] = procs.Singleton()
    held.stop()  # nothing held yet: nothing to do
    first = held.current = _Counted()
    held.stop()
    held.stop()
    assert first.stops == 1 and held.current is None
    second = held.current = _Counted()
    with held.lock:
        held.discard()
    assert second.stops == 1 and held.current is None


def test_a_singleton_stops_under_the_lock_its_owner_passes_in():
    """default_broker guards its choice and its cluster with one lock: a stop must wait for a
    caller that holds it (bootstrap_servers starting the cluster), not stop it underneath."""
    lock = threading.Lock()
    held: procs.Singleton[_Counted] = procs.Singleton(lock)
    instance = held.current = _Counted()
    assert held.lock is lock
    with lock:
        stopper = threading.Thread(target=held.stop)
        stopper.start()
        stopper.join(0.2)
        assert stopper.is_alive() and instance.stops == 0
    stopper.join(5)
    assert not stopper.is_alive() and instance.stops == 1 and held.current is None
