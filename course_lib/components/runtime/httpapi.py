"""A minimal HTTP JSON API on 127.0.0.1, built on the standard library's ``http.server``.

The API is the *server* of lesson 01's three essential components: any client that speaks HTTP
(a Python script, ``curl``, a browser, tomorrow's mobile app) can use it, which is why a frontend
is optional and an API is not. Endpoints (all bodies are JSON):

=======  ======================  ================================================================
GET      ``/health``             ``{"status": "ok", "server": NAME, "store": "sqlite"|"memory"}``
GET      ``/<resource>``         ``{"server": NAME, "items": [...]}`` — every item, oldest first
POST     ``/<resource>``         body ``{"text": "..."}`` (notes) or ``{"item": "...",
                                 "quantity": 2}`` (orders) → 201 ``{"server": NAME, "item": {...}}``
GET      ``/<resource>/<id>``    ``{"server": NAME, "item": {...}}``, or 404
=======  ======================  ================================================================

``<resource>`` is ``notes`` or ``orders``. Every response names the backend that answered, twice:
the ``"server"`` field and the ``X-Server`` header (lesson 03b's load balancer relies on it). A
``Server-Timing`` header (W3C Server Timing) reports ``app;dur=…`` (ms inside the handler) and
``db;dur=…`` (ms inside the store), so a client can split its latency into network, server and
database time. Errors are JSON too, never stack traces: ``{"error": "..."}`` with 400 for a
malformed request or invalid field, 404 for an unknown path or item, 500 for a bug.

Use :class:`ApiServer` as a context manager in a notebook or a test (a thread, a free port), or run
one backend in the foreground as its own process (``python -m
course_lib.components.runtime.server_main``).

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from course_lib.components.runtime.store import RESOURCES, MemoryStore, SqliteStore
from course_lib.core.errors import PartError

__all__ = ["ApiServer", "PortInUseError", "make_store"]

HOST = "127.0.0.1"
MAX_BODY_BYTES = 64 * 1024


class PortInUseError(PartError, OSError):
    """The port asked for is taken by another process; the message says what to do."""


def make_store(db: str | Path | None) -> MemoryStore | SqliteStore:
    """A SQLite store for a path, an in-memory one for ``None`` or ``":memory:"``."""
    if db is None or str(db) == ":memory:":
        return MemoryStore()
    return SqliteStore(db)


class _Handler(BaseHTTPRequestHandler):
    server_version = "CourseAPI/1.0"
    # HTTP/1.0: one request per connection, so no handler thread lingers on an idle keep-alive
    # socket after stop(); ``timeout`` bounds how long a silent client can hold a thread.
    protocol_version = "HTTP/1.0"
    timeout = 10

    # -- plumbing ---------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Silent: a notebook must not get access-log lines on stderr from a server thread."""

    def _reply(self, status: int, body: dict[str, Any], timings: dict[str, float]) -> None:
        api = self.server.api  # type: ignore[attr-defined]
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Server", api.name)
        app_time = time.perf_counter() - timings["started"]
        self.send_header(
            "Server-Timing", f"app;dur={app_time * 1e3:.4f}, db;dur={timings['db'] * 1e3:.4f}"
        )
        # The client may have given up (its timeout fired) while the server was still working:
        # the work is done, the answer has nowhere to go. That is the lost answer a blind retry
        # then repeats (lesson 03); say nothing on stderr, which a notebook would show.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """Malformed requests (bad request line, bad headers) get JSON, not the stdlib's HTML."""
        self.close_connection = True
        text = message or self.responses.get(code, ("error",))[0]
        with contextlib.suppress(OSError):  # the client may have gone: nothing to tell it then
            self._reply(code, {"error": text, "server": self.server.api.name},  # type: ignore
                        {"started": time.perf_counter(), "db": 0.0})

    def _route(self) -> tuple[str, int | None] | None:
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if not parts or parts[0] not in RESOURCES or len(parts) > 2:
            return None
        if len(parts) == 1:
            return parts[0], None
        if not parts[1].isdigit():
            raise ValueError(f"id must be a positive integer (got {parts[1]!r})")
        return parts[0], int(parts[1])

    def _handle(self, method: str) -> None:
        timings = {"started": time.perf_counter(), "db": 0.0}
        api = self.server.api  # type: ignore[attr-defined]
        try:
            if api.delay_time:
                time.sleep(api.delay_time)
            status, body = self._dispatch(method, api, timings)
        except ValueError as exc:
            status, body = 400, {"error": str(exc)}
        except Exception as exc:  # a bug: say so briefly, keep serving
            status, body = 500, {"error": f"internal error: {type(exc).__name__}"}
        self._reply(status, {"server": api.name, **body}, timings)

    def _dispatch(self, method: str, api: ApiServer, timings: dict[str, float]):
        if self.path.split("?")[0] == "/health" and method == "GET":
            return 200, {"status": "ok", "store": _store(api).kind}
        route = self._route()
        if route is None:
            return 404, {"error": f"no such path: {self.path} (try /health, /notes, /orders)"}
        resource, item_id = route
        if method == "GET" and item_id is None:
            items, timings["db"] = _store(api).list(resource)
            return 200, {"items": items}
        if method == "GET":
            assert item_id is not None  # the branch above took item_id None
            item, timings["db"] = _store(api).get(resource, item_id)
            if item is None:
                return 404, {"error": f"{resource}/{item_id} not found"}
            return 200, {"item": item}
        if method == "POST" and item_id is None:
            item, timings["db"] = _store(api).create(resource, self._json_body())
            return 201, {"item": item}
        return 405, {"error": f"{method} is not allowed on {self.path}"}

    def _json_body(self) -> Any:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise ValueError("Content-Length header is required for POST")
        if int(length) > MAX_BODY_BYTES:
            raise ValueError(f"body must be at most {MAX_BODY_BYTES} bytes (got {length})")
        raw = self.rfile.read(int(length))
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"body is not valid JSON: {exc}") from None

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")


def _store(api: ApiServer) -> MemoryStore | SqliteStore:
    """``api.store``, which bind() sets before any request can arrive and stop() clears."""
    store = api.store
    assert store is not None, "the store is closed: the server is stopping"
    return store


class ApiServer:
    """The API on ``127.0.0.1:port`` served by a background thread; a context manager.

    ``db`` is a SQLite file path (rows survive a restart) or ``None`` for an in-memory dict
    (rows die with the server). ``port=0`` picks a free port; a taken port raises
    :class:`PortInUseError`. ``delay_time`` (seconds) adds simulated work to every request.
    Leaving the ``with`` block (or calling :meth:`stop`) closes the socket, joins the thread and
    closes the store, so nothing outlives the notebook cell that started it. A subclass may
    set ``handler_class`` to add endpoints (the capstone's ``POST /checkout`` does).
    """

    handler_class: type[BaseHTTPRequestHandler] = _Handler

    def __init__(self, db: str | Path | None = None, *, port: int = 0, name: str = "api",
                 delay_time: float = 0.0) -> None:
        if not (isinstance(port, int) and 0 <= port <= 65535):
            raise ValueError(f"port must be an integer in 0..65535 (got {port!r})")
        if delay_time < 0:
            raise ValueError(f"delay_time must be >= 0 (got {delay_time!r})")
        self.db, self.name, self.delay_time = db, name, delay_time
        self._requested_port = port
        self.store: MemoryStore | SqliteStore | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running: call start() or use `with`")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def bind(self) -> ApiServer:
        """Open the store and the listening socket (without serving yet)."""
        try:
            httpd = ThreadingHTTPServer((HOST, self._requested_port), self.handler_class)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                error = PortInUseError(
                    f"{HOST}:{self._requested_port} is already in use: stop the other server "
                    "or pass port=0 to pick a free one"
                )
                error.errno = errno.EADDRINUSE
                raise error from None
            raise
        httpd.daemon_threads = True
        httpd.api = self  # type: ignore[attr-defined]
        self.store = make_store(self.db)
        self._httpd = httpd
        return self

    def start(self) -> ApiServer:
        """Bind and serve in a daemon thread; returns ``self``."""
        self.bind()
        self._thread = threading.Thread(target=self._httpd.serve_forever,  # type: ignore
                                         kwargs={"poll_interval": 0.05},
                                         name=f"api-{self.name}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's foreground mode)."""
        if self._httpd is None:
            self.bind()
        try:
            self._httpd.serve_forever(poll_interval=0.2)  # type: ignore[union-attr]
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving, join the thread, close the socket and the store (idempotent)."""
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._close()
        self._thread = None

    def _close(self) -> None:
        if self._httpd is not None:
            self._httpd.server_close()
            self._httpd = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        store = "memory" if self.db is None else str(self.db)
        return f"ApiServer(name={self.name!r}, store={store!r}, {where})"
