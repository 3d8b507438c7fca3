"""Two clients for one API: Python code and ``curl``. Neither knows how the server is built.

That is lesson 01's argument for an API: the server speaks HTTP + JSON, so *any* client works,
and a frontend (web page, mobile app, console) can be swapped without touching the server.

:class:`ApiClient` uses ``http.client`` (one connection per request, a timeout on every call) and
returns a :class:`Response` that also carries the three timings a learner compares: the time the
client waited (``client_time``), the time spent inside the server's handler (``server_time``) and
inside the database (``db_time``), the last two read from the ``Server-Timing`` header.
:func:`curl_command` renders the same request as the command a learner would type, and
:func:`run_curl` runs it when ``curl`` is installed (returning ``None`` when it is not).

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import http.client
import json
import re
import shlex
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ApiClient", "Response", "blind_retry", "curl_command", "run_curl", "send_raw"]

_TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


@dataclass(frozen=True)
class Response:
    """One HTTP exchange: status, JSON body, who answered, and where the time went (seconds)."""

    status: int
    body: Any
    server: str | None
    client_time: float
    server_time: float
    db_time: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def network_time(self) -> float:
        """Client time not spent in the handler: connect, send, HTTP parsing, receive."""
        return self.client_time - self.server_time


def _parse_server_timing(header: str | None) -> dict[str, float]:
    return {k: float(v) / 1e3 for k, v in _TIMING.findall(header or "")}


class ApiClient:
    """A small Python client for the course API at ``base_url`` (e.g. ``server.url``)."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ValueError(f"base_url must look like http://127.0.0.1:PORT (got {base_url!r})")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds (got {timeout!r})")
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None
                ) -> Response:
        """Send one request; ``body`` is sent as JSON, ``raw`` as bytes as they are."""
        payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=payload, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
        except (ConnectionRefusedError, TimeoutError) as exc:
            raise ConnectionError(
                f"no answer from http://{self.host}:{self.port}{path} ({exc}): "
                "is the server running?"
            ) from None
        finally:
            conn.close()
        client_time = time.perf_counter() - started
        timing = _parse_server_timing(reply.getheader("Server-Timing"))
        try:
            parsed = json.loads(data) if data else None
        except json.JSONDecodeError:
            parsed = data.decode(errors="replace")
        return Response(reply.status, parsed, reply.getheader("X-Server"), client_time,
                        timing.get("app", 0.0), timing.get("db", 0.0))

    def health(self) -> Response:
        return self.request("GET", "/health")

    def create(self, resource: str, **fields: Any) -> Response:
        return self.request("POST", f"/{resource}", fields)

    def get(self, resource: str, item_id: int) -> Response:
        return self.request("GET", f"/{resource}/{item_id}")

    def list(self, resource: str) -> Response:
        return self.request("GET", f"/{resource}")


def blind_retry(base_url: str, resource: str, *, tries: int = 2, timeout: float = 0.2,
                **fields: Any) -> list[str]:
    """Create one item, sending the POST again after every time-out, as a blind retry does.

    Returns what each try saw (``"201"`` or ``"timed out"``). A time-out says only that the
    answer did not come in time, not that nothing happened: a slow server may still create the
    item after the client gave up, and every re-sent POST creates another one. Lesson 03 counts
    the orders afterwards; the cure is an idempotency key the server remembers, or not retrying.
    """
    if isinstance(tries, bool) or not isinstance(tries, int) or tries < 1:
        raise ValueError(f"tries must be an integer >= 1 (got {tries!r})")
    client = ApiClient(base_url, timeout=timeout)
    seen = []
    for _ in range(tries):
        try:
            seen.append(str(client.create(resource, **fields).status))
            break
        except ConnectionError:
            seen.append("timed out")
    return seen


def send_raw(base_url: str, data: bytes, *, timeout: float = 5.0) -> str:
    """Send raw bytes on a TCP connection and return the reply's status line and body.

    For showing what a *malformed* request gets back (something no well-behaved client sends).
    """
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    text = b"".join(chunks).decode(errors="replace")
    if not text.startswith("HTTP/"):  # an HTTP/0.9-style reply: body only
        return text
    head, _, body = text.partition("\r\n\r\n")
    return f"{head.splitlines()[0]}\n{body}"


def curl_command(method: str, url: str, body: Any = None) -> str:
    """The ``curl`` command line for a request, exactly as a learner would type it."""
    args = ["curl", "-s"]
    if method != "GET":
        args += ["-X", method]
    args.append(url)
    if body is not None:
        args += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    return shlex.join(args)


def run_curl(command: str, *, timeout: float = 10.0) -> str | None:
    """Run a command from :func:`curl_command`; ``None`` when ``curl`` is not installed."""
    if shutil.which("curl") is None:
        return None
    args = shlex.split(command)
    if args[0] != "curl":
        raise ValueError(f"command must start with curl (got {args[0]!r})")
    done = subprocess.run(args + ["--max-time", str(timeout)], capture_output=True, text=True,
                          timeout=timeout + 5, check=False)
    return done.stdout if done.returncode == 0 else f"curl failed: {done.stderr.strip()}"
