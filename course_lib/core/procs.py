"""Child processes that never outlive the course's Python process: one way to start and stop them.

Everything the course starts — lesson 01's API backend, lesson 03b's backends and HAProxy, the
embedded broker, Apache Kafka's JVMs — goes through :func:`spawn`, which gives each child

* its own session and process group, so a Ctrl-C in a terminal or an interrupt of a notebook
  cell reaches the course's code (which stops the child in order), not the child directly;
* the parent-death signal (``PR_SET_PDEATHSIG`` = SIGKILL, Linux), so a killed kernel or test
  run, where no ``atexit`` handler runs, still takes its children with it;
* a place in a registry that ``atexit`` empties (:func:`kill_all_children`), for a normal exit;
* the marker of the test run, when one is set (``SDL_TEST_RUN``, inherited like any variable),
  so CI can find exactly the processes its own run left behind.

One caveat of the parent-death signal: it fires when the *thread* that started the child ends.
Start long-lived children from the main thread (lessons and tests do), never from a worker
thread that exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from course_lib.core.errors import WaitTimeout
from course_lib.core.loopback import die_with_parent
from course_lib.core.waiting import wait_until

#: Every live child and the part of the course that started it (``"lb.live"``, ``"kafka"``, …).
_children: dict[subprocess.Popen[Any], str] = {}
_lock = threading.Lock()


def spawn(argv: Sequence[str], *, owner: str = "course", log: Path | None = None,
          **popen: Any) -> subprocess.Popen[Any]:
    """Start ``argv`` as a guarded child (see the module docstring) and return its ``Popen``.

    ``owner`` names the part of the course that started it, so that :func:`live_children` can
    answer "did *the live lab* leave anything running?" while a broker legitimately runs.
    ``log`` sends its stdout and stderr to that file (appending); otherwise ``popen`` keyword
    arguments go to :class:`subprocess.Popen` as given (``stdout=subprocess.PIPE``, ``env=``…).
    Standard input is always closed: no child may wait for a keyboard.
    """
    options: dict[str, Any] = {"stdin": subprocess.DEVNULL, "start_new_session": True,
                               "preexec_fn": die_with_parent if sys.platform.startswith("linux")
                               else None} | popen
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            process = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT,
                                       **options)
    else:
        process = subprocess.Popen(list(argv), **options)
    with _lock:
        _children[process] = owner
    return process


def kill(process: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """SIGKILL and reap ``process`` (works on stopped processes too); idempotent."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    forget(process)


def stop(process: subprocess.Popen[Any], timeout: float = 5.0,
         sig: signal.Signals = signal.SIGTERM) -> int | None:
    """Ask ``process`` to exit (``sig``, SIGTERM by default), SIGKILL it after ``timeout``.

    A stopped (SIGSTOP) process is continued first, or it could not act on the signal.
    Returns the exit code (negative: the signal that ended it).
    """
    stop_all([process], timeout, sig)
    return process.returncode


def _ask(process: subprocess.Popen[Any], sig: signal.Signals) -> None:
    """Continue ``process`` (a stopped one could not act on ``sig``), then send it ``sig``."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGCONT)
        process.send_signal(sig)


def stop_all(processes: Sequence[subprocess.Popen[Any]], timeout: float = 5.0,
             sig: signal.Signals = signal.SIGTERM) -> None:
    """:func:`stop` for several processes at once: all are signalled first, then each gets
    what is left of one shared ``timeout`` before SIGKILL (so N slow exits cost one timeout,
    not N)."""
    for process in processes:
        if process.poll() is None:
            _ask(process, sig)
    deadline = time.monotonic() + timeout
    for process in processes:
        _reap(process, max(0.0, deadline - time.monotonic()))


def _reap(process: subprocess.Popen[Any], timeout: float) -> None:
    """Wait up to ``timeout`` for ``process`` to exit, SIGKILL it if it has not, forget it."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process)
    forget(process)


def forget(process: subprocess.Popen[Any]) -> None:
    """Drop ``process`` from the registry (it has exited, or its owner reaps it)."""
    with _lock:
        _children.pop(process, None)


def kill_all_children(owner: str | None = None) -> None:
    """Kill every child started here (by ``owner``, if given) still alive (also run at exit)."""
    with _lock:
        alive = [p for p, who in _children.items() if owner in (None, who)]
    for process in alive:
        kill(process)


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (Linux ``/proc``; tests use it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def gone_within(pids: Sequence[int], seconds: float) -> bool:
    """Wait up to ``seconds`` for every one of ``pids`` to be gone; True if they all went."""
    try:
        wait_until(lambda: not any(alive(pid) for pid in pids), seconds,
                   f"processes {list(pids)} to end", interval_s=0.05)
    except WaitTimeout:
        return False
    return True


def live_children(owner: str | None = None) -> list[int]:
    """PIDs of running children started here (by ``owner``, if given); tests assert none left."""
    with _lock:
        return sorted(p.pid for p, who in _children.items()
                      if owner in (None, who) and p.poll() is None)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


#: Environment variables that tell one test run (CI's marker) and one pytest-xdist worker apart;
#: every child inherits them, so they say whose process a process is.
RUN_ENVS = ("SDL_TEST_RUN", "PYTEST_XDIST_WORKER")


def leftovers(markers: Sequence[bytes], run_envs: Sequence[str] = RUN_ENVS) -> list[int]:
    """PIDs of live processes whose command line contains one of ``markers`` (Linux ``/proc``).

    Only processes of this run count: those carrying the same value of each of ``run_envs`` that
    is set here (CI's run marker; the pytest-xdist worker, whose neighbour may be running a live
    lab of its own right now). With none set, any process counts (a laptop runs one suite at a
    time). Tests assert this is empty after a live run.
    """
    ours = [f"{name}={os.environ[name]}".encode() for name in run_envs if name in os.environ]
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        if not any(m in _read(cmdline) for m in markers):
            continue
        environ = _read(cmdline.parent / "environ").split(b"\0")
        if all(entry in environ for entry in ours) and alive(int(cmdline.parent.name)):
            found.append(int(cmdline.parent.name))
    return sorted(found)


class Stoppable(Protocol):
    """What runs children of its own and can stop them all: a broker, a cluster."""

    def stop(self) -> None: ...


S = TypeVar("S", bound=Stoppable)


class Singleton(Generic[S]):
    """The one process-wide instance of something that runs children (the embedded broker, the
    lessons' Apache Kafka), and the lock that guards it.

    Why one holder: each such instance is started on first use and must be stopped *and*
    forgotten in one step under its lock, so that no caller is handed a stopped broker and an
    exit hook that runs twice stops nothing twice. How to start it, and what to do when it has
    died (raise, restart), stays with its owner, which does that under :attr:`lock`.
    """

    def __init__(self, lock: threading.Lock | None = None) -> None:
        #: A module that guards more state than the instance passes its own lock.
        self.lock = threading.Lock() if lock is None else lock
        self.current: S | None = None

    def discard(self) -> None:
        """Stop and forget the instance, if there is one; the caller holds :attr:`lock`."""
        if self.current is not None:
            self.current.stop()
            self.current = None

    def stop(self) -> None:
        """Stop and forget the instance, if there is one (an exit hook; harmless when repeated)."""
        with self.lock:
            self.discard()


class StopSignal:
    """Set by SIGTERM (:func:`stop_on_sigterm` installs one), read by the child's main loop.

    A plain flag on purpose. A Python signal handler runs in the main thread between two
    bytecodes, possibly while that thread is inside ``threading.Event.wait()`` holding the
    event's lock; ``Event.set()`` in the handler then waits for that lock for ever. It happened
    once in a full test run: the hung CLI, found an hour later, was blocked in the handler's
    ``lock.acquire()`` under the interrupted wait loop (gdb), and its broker was still running.
    """

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, *_: object) -> None:
        self.requested = True


def stop_on_sigterm() -> StopSignal:
    """A :class:`StopSignal` installed as this process's SIGTERM handler (a child's main)."""
    stop = StopSignal()
    signal.signal(signal.SIGTERM, stop)
    return stop


atexit.register(kill_all_children)
