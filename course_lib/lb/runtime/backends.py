"""Real backend processes on 127.0.0.1, and the two ways a server fails: crash and hang.

A *crash* is ``SIGKILL``: the process is gone, its port closes, and the kernel answers every new
connection with a reset ("connection refused"): a load balancer learns about it within
microseconds on the request path, but only on the next health check on the check path. A *hang*
is ``SIGSTOP``: the process still exists and the kernel still completes TCP handshakes into the
listen backlog, but nobody reads; requests and health checks wait until their timeouts. That
difference is why a hang is detected later than a crash and why retries help only with crashes.

Every process started here dies with us: :class:`Backends` is a context manager, and every child
is started by :func:`course_lib.core.procs.spawn` (``atexit``, its own process group, and on Linux
the parent-death signal, which covers a killed kernel where ``atexit`` never runs).

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from course_lib.core import procs
from course_lib.core.loopback import LOOPBACK, free_port
from course_lib.core.procs import kill
from course_lib.core.waiting import wait_until

__all__ = ["Backends", "BackendProcess", "kill", "live_children", "spawn", "wait_healthy"]

READY_TIMEOUT_S = 10.0
OWNER = "lb.live"


def spawn(argv: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
    """A live-lab child (backend or HAProxy): :func:`course_lib.core.procs.spawn`, owned by the
    lab."""
    return procs.spawn(argv, owner=OWNER, **popen)


def live_children() -> list[int]:
    """PIDs of the live lab's children still running (tests assert this is empty)."""
    return procs.live_children(OWNER)



def wait_healthy(port: int, path: str = "/health", timeout: float = READY_TIMEOUT_S) -> None:
    """Wait until ``GET path`` on 127.0.0.1:port answers 200; raise :class:`WaitTimeout`
    (naming the last answer or error) otherwise."""
    last = ["no answer"]

    def healthy() -> bool:
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=0.5)
        try:
            conn.request("GET", path)
            status = conn.getresponse().status
            last[0] = f"status {status}"
            return status == 200
        except OSError as exc:
            last[0] = str(exc) or type(exc).__name__
            return False
        finally:
            conn.close()

    wait_until(healthy, timeout, f"127.0.0.1:{port}{path} to answer 200", interval_s=0.02,
               detail=lambda: last[0])


#: The programs a backend can run: the lab's own small server (service times as in the
#: simulator, instant ``/health``, deep backlog; see :mod:`.backend_app`) or lesson 01's API
#: server (a fixed ``--delay`` on every request, ``/health`` included).
APPS = ("tiny", "api")


def backend_argv(app: str, name: str, port: int, service_time: float, seed: int,
                 service: str = "exponential") -> list[str]:
    """The command line that runs one backend called ``name`` on 127.0.0.1:``port``."""
    if app == "api":
        return [sys.executable, "-m", "course_lib.components.runtime.server_main", "--memory",
                "--name", name, "--port", str(port), "--delay", str(service_time)]
    return [sys.executable, "-m", "course_lib.lb.runtime.backend_app", "--name", name,
            "--port", str(port), "--service-time", str(service_time), "--seed", str(seed),
            "--service", service]


@dataclass
class BackendProcess:
    """One backend: its name (as HAProxy knows it), port, and current process."""

    name: str
    port: int
    argv: list[str]
    process: subprocess.Popen | None = None
    state: str = "stopped"  # running | crashed | hung | stopped

    def start(self) -> None:
        self.process = spawn(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.port)
        self.state = "running"


@dataclass
class Backends:
    """``n`` backend processes on free 127.0.0.1 ports, with fault injection.

    ``with Backends(3) as bs:`` starts ``b1``, ``b2``, ``b3`` (each serving ``/health``),
    waits until each is healthy, and kills them all on exit, even after an error.
    ``bs.crash("b1")`` sends SIGKILL, ``bs.hang("b1")`` SIGSTOP, ``bs.recover("b1")`` brings it
    back (SIGCONT after a hang, a fresh process on the same port after a crash).
    ``service_times`` (seconds, one per backend) is each backend's (mean) service time; ``app``
    picks the program (see :data:`APPS`), or ``argv_for(name, port)`` gives another program's
    command line (the capstone's checkout servers), which must answer ``GET /health``.
    """

    n: int = 3
    service_times: Sequence[float] = ()
    names: Sequence[str] = ()
    seed: int = 0
    app: str = "tiny"
    service: str = "exponential"
    argv_for: Callable[[str, int], list[str]] | None = None
    backends: dict[str, BackendProcess] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1 (got {self.n})")
        self.names = list(self.names) or [f"b{i + 1}" for i in range(self.n)]
        if len(self.names) != self.n:
            raise ValueError(f"names must have n={self.n} entries (got {len(self.names)})")
        times = list(self.service_times) or [0.005] * self.n
        if len(times) != self.n:
            raise ValueError(f"service_times must have n={self.n} entries (got {len(times)})")
        for i, t in enumerate(times):
            if not t >= 0:
                raise ValueError(f"service_times[{i}] must be >= 0 (got {t})")
        self.service_times = times
        if self.service not in ("exponential", "deterministic"):
            raise ValueError("service must be 'exponential' or 'deterministic' "
                             f"(got {self.service!r})")
        if self.app not in APPS:
            raise ValueError(f"app must be one of {', '.join(APPS)} (got {self.app!r})")

    def __enter__(self) -> Backends:
        try:
            for i, (name, mean) in enumerate(zip(self.names, self.service_times, strict=True)):
                port = free_port()
                argv = (backend_argv(self.app, name, port, mean, self.seed + i, self.service)
                        if self.argv_for is None else self.argv_for(name, port))
                self.backends[name] = BackendProcess(name, port, argv)
                self.backends[name].start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __getitem__(self, name: str) -> BackendProcess:
        if name not in self.backends:
            raise KeyError(f"no backend named {name!r}; known: {', '.join(self.backends)}")
        return self.backends[name]

    @property
    def ports(self) -> dict[str, int]:
        return {name: b.port for name, b in self.backends.items()}

    def crash(self, name: str) -> None:
        """SIGKILL: the process vanishes and its port refuses connections."""
        b = self[name]
        if b.process is not None:
            kill(b.process)
        b.state = "crashed"

    def hang(self, name: str) -> None:
        """SIGSTOP: the process freezes; connections are accepted by the kernel, never answered."""
        b = self[name]
        if b.process is not None and b.process.poll() is None:
            b.process.send_signal(signal.SIGSTOP)
            b.state = "hung"

    def recover(self, name: str) -> None:
        """Undo :meth:`crash` (start a new process on the same port) or :meth:`hang` (SIGCONT)."""
        b = self[name]
        if b.state == "hung" and b.process is not None:
            b.process.send_signal(signal.SIGCONT)
            b.state = "running"
        elif b.state == "crashed":
            b.start()

    def stop(self) -> None:
        """Kill every backend (SIGKILL also ends a stopped process) and reap it."""
        for b in self.backends.values():
            if b.process is not None:
                kill(b.process)
            b.state = "stopped"
