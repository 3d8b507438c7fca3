"""Run a real HAProxy: write its configuration, validate it, start it, read its state, stop it.

HAProxy reports what it believes about each server in two places, and the lab reads both:

* the **runtime API** (``stats socket`` in the ``global`` section): ``show stat`` returns one
  CSV row per server with its ``status`` (``UP``, ``UP 1/3`` = one check failed on the way down,
  ``DOWN``, ``DOWN 1/2`` = one check passed on the way up), ``check_status`` (``L4CON`` connection
  refused, ``L4TOUT``/``L7TOUT`` timeouts, ``L7OK``), counters of retries (``wretr``),
  redispatches (``wredis``) and failed checks (``chkfail``). A poller thread samples it;
* its **log**: the moment a server changes state HAProxy prints
  ``Server be/b1 is DOWN, reason: Layer4 connection problem, ...`` on stderr. A reader thread
  stamps each line on arrival, which gives the transition time to about a millisecond (the
  poller only knows it to within one poll interval).

``HAProxy`` is a context manager: the process is killed and its temporary directory removed on
exit, even when the block raised. Where HAProxy is not installed, :func:`haproxy_binary` returns
``None`` and :data:`INSTALL_HINT` says how to get it.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from course_lib.core.errors import PartError, WaitTimeout
from course_lib.core.waiting import wait_until
from course_lib.lb.runtime import backends as procs

INSTALL_HINT = (
    "HAProxy not installed: Debian/Ubuntu `sudo apt-get install haproxy`, "
    "macOS `brew install haproxy`, conda `conda install -c conda-forge haproxy`"
)
_STATE_LINE = re.compile(r"Server (?P<backend>[\w.-]+)/(?P<server>[\w.-]+) is (?P<state>UP|DOWN)"
                         r"(?:, reason: (?P<reason>[^,]+))?")


def haproxy_binary() -> str | None:
    """Path of the ``haproxy`` executable, or None (see :data:`INSTALL_HINT`).

    ``COURSE_NO_HAPROXY=1`` pretends it is missing, to try the lesson's stored-results path.
    """
    if os.environ.get("COURSE_NO_HAPROXY") == "1":
        return None
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None)


def haproxy_version() -> str:
    """E.g. ``'2.6.12'`` (empty when HAProxy is missing)."""
    binary = haproxy_binary()
    if binary is None:
        return ""
    out = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10).stdout
    match = re.search(r"version (\S+)", out)
    return match.group(1).split("-")[0] if match else ""


def validate(config_text: str) -> str:
    """Check ``config_text`` with ``haproxy -c``; return its verdict or raise ValueError."""
    binary = haproxy_binary()
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="course-haproxy-") as tmp:
        path = Path(tmp, "haproxy.cfg")
        path.write_text(config_text)
        done = subprocess.run([binary, "-c", "-f", str(path)], capture_output=True, text=True,
                              timeout=20)
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise ValueError(f"haproxy -c rejected the configuration: {output[-800:]}")
    return output


@dataclass(frozen=True)
class StateChange:
    """HAProxy's log line about one server: at (s since t0), server, UP/DOWN, reason."""

    at: float
    server: str
    state: str
    reason: str


@dataclass(frozen=True)
class StatSample:
    """One poll of ``show stat`` for one server."""

    at: float
    server: str
    status: str
    check_status: str


class HAProxy:
    """A running HAProxy for one configuration (which must use :attr:`socket_path`).

    Build the configuration with ``cfg = HAProxy.config_with(socket_path=...)`` or call
    :meth:`prepare` first: it creates the temporary directory and returns the socket path to put
    in the ``stats socket`` line. ``t0`` (a ``time.monotonic()`` value) is the lab's time origin.
    """

    def __init__(self, *, t0: float | None = None, poll_interval: float = 0.02):
        self.t0 = time.monotonic() if t0 is None else t0
        self.poll_interval = poll_interval
        self.tmp = Path(tempfile.mkdtemp(prefix="course-haproxy-"))
        self.socket_path = str(self.tmp / "admin.sock")
        self.process: subprocess.Popen | None = None
        self.changes: list[StateChange] = []
        self.samples: list[StatSample] = []
        self.log: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, config_text: str) -> HAProxy:
        """Validate and start HAProxy in the foreground (``-db``), then start the readers."""
        if self.socket_path not in config_text:
            raise ValueError(f"config must contain 'stats socket {self.socket_path}'")
        validate(config_text)
        path = self.tmp / "haproxy.cfg"
        path.write_text(config_text)
        binary = haproxy_binary()
        assert binary is not None  # validate() raised RuntimeError(INSTALL_HINT) otherwise
        self.process = procs.spawn([binary, "-db", "-f", str(path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        process = self.process
        with contextlib.suppress(WaitTimeout):  # exited or timed out: the check below tells
            wait_until(lambda: process.poll() is not None or Path(self.socket_path).exists(),
                       10, "HAProxy's stats socket", interval_s=0.01)
        if not Path(self.socket_path).exists():
            err = process.stderr.read() if process.stderr else ""
            self.stop()
            raise PartError(f"HAProxy did not start: {err.strip()[-500:]}")
        for target in (self._read_log, self._poll):
            thread = threading.Thread(target=target, daemon=True, name=f"haproxy-{target.__name__}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Kill HAProxy, end the reader threads, remove the temporary directory."""
        self._stop.set()
        if self.process is not None:
            procs.kill(self.process)
        for thread in self._threads:
            thread.join(timeout=2)
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> HAProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the runtime API --------------------------------------------------------------------
    def command(self, line: str, timeout: float = 2.0) -> str:
        """Send one runtime-API command (e.g. ``show stat``) and return the answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.socket_path)
            s.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stat(self) -> list[dict[str, str]]:
        """``show stat`` as one dict per row (frontends, servers, backends)."""
        text = self.command("show stat").lstrip("# ")
        return [dict(row) for row in csv.DictReader(io.StringIO(text)) if row.get("pxname")]

    def servers(self) -> dict[str, dict[str, str]]:
        """The server rows of ``show stat`` by server name (FRONTEND/BACKEND rows left out)."""
        return {r["svname"]: r for r in self.stat() if r["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_all_up(self, timeout: float = 10.0) -> None:
        """Wait until every server's status is plain ``UP`` (all checks passing)."""
        states: dict[str, str] = {}

        def all_up() -> bool:
            states.clear()
            states.update({name: row["status"] for name, row in self.servers().items()})
            return bool(states) and all(s == "UP" for s in states.values())

        wait_until(all_up, timeout, "every HAProxy server to be UP", interval_s=0.02,
                   detail=lambda: states)

    # -- readers --------------------------------------------------------------------------
    def now(self) -> float:
        return time.monotonic() - self.t0

    def _read_log(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        with contextlib.suppress(ValueError, OSError):
            for line in self.process.stderr:
                at = self.now()
                self.log.append(line.rstrip())
                match = _STATE_LINE.search(line)
                if match and line.startswith("["):  # "[WARNING] (pid) : Server be/b1 is DOWN"
                    self.changes.append(StateChange(round(at, 4), match["server"],
                                                    match["state"], match["reason"] or ""))

    def _poll(self) -> None:
        last: dict[str, tuple[str, str]] = {}
        while not self._stop.wait(self.poll_interval):
            try:
                rows = self.servers()
            except OSError:
                continue
            at = round(self.now(), 4)
            for name, row in rows.items():
                key = (row["status"], row["check_status"])
                if last.get(name) != key:
                    last[name] = key
                    self.samples.append(StatSample(at, name, *key))
