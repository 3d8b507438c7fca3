"""One API backend as a child process: start it, use its URL, stop it; nothing outlives you.

:class:`BackendProcess` runs ``python -m course_lib.components.runtime.server_main`` (see that
module for the options and :mod:`course_lib.components.runtime.httpapi` for the endpoints) and waits
for its ``listening on URL`` line. It is stopped on leaving its ``with`` block, or at interpreter
exit at the latest (``atexit``), and it dies with its parent even when that is SIGKILLed (a killed
kernel). Lesson 01 uses it to restart a server for real; a load-balancer lab can start several,
each with its own ``name``.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import atexit
import select
import subprocess
import sys
from pathlib import Path

from course_lib.core import procs
from course_lib.core.errors import PartError, WaitTimeout

__all__ = ["BackendProcess"]


class BackendProcess:
    """``python -m course_lib.components.runtime.server_main`` as a child process; a context
    manager.

    ``db=None`` runs it with ``--memory``. ``url`` is known once the child printed its
    ``listening on`` line (``start()`` waits for it, up to ``timeout`` seconds).
    """

    def __init__(self, db: str | Path | None, *, name: str = "api", port: int = 0,
                 delay_time: float = 0.0, timeout: float = 15.0) -> None:
        where = ["--memory"] if db is None else ["--db", str(db)]
        self.args = [sys.executable, "-m", "course_lib.components.runtime.server_main",
                     "--port", str(port), *where, "--name", name, "--delay", str(delay_time)]
        self.name, self.timeout = name, timeout
        self.process: subprocess.Popen | None = None
        self.url: str | None = None

    def start(self) -> BackendProcess:
        # procs.spawn: own process group and the parent-death signal, so a killed kernel
        # (no atexit) takes the backend with it; atexit covers a normal exit.
        self.process = procs.spawn(self.args, owner="components", stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        atexit.register(self.stop)
        stdout = self.process.stdout
        assert stdout is not None  # stdout=subprocess.PIPE
        ready, _, _ = select.select([stdout], [], [], self.timeout)
        line = stdout.readline() if ready else ""
        if not ready:
            self.stop()
            raise WaitTimeout(f"backend {self.name!r} did not start within {self.timeout:g} s",
                              what=f"backend {self.name!r} to start", timeout_s=self.timeout)
        if not line.startswith("listening on "):
            error = self.process.stderr.read().strip()  # type: ignore[union-attr]
            self.stop()
            raise PartError(f"backend {self.name!r} did not start: {error or line}")
        self.url = line.split()[2]
        return self

    def stop(self) -> int | None:
        """Terminate (SIGTERM, then SIGKILL after 5 s); returns the exit code (0 = clean)."""
        if self.process is None:
            return None
        process, self.process = self.process, None
        procs.stop(process, timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        atexit.unregister(self.stop)
        return process.returncode

    def __enter__(self) -> BackendProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
