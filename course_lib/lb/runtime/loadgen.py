"""An open-loop load generator: a fixed request rate, whatever the answers do.

*Open loop* means request ``i`` is sent at ``i / rate`` seconds whether or not earlier requests
have been answered, which is how independent users behave: a hung backend does not slow the
arrivals down, it piles them up. (A closed-loop tester that waits for each answer would hide a
failure by sending less.) Each request is one HTTP/1.1 ``GET`` over a fresh connection
(``Connection: close``) and records when it was sent, which backend answered (the
``X-Served-By`` header HAProxy adds), the status and the latency. Status 0 means the load balancer
itself did not answer in time (``error`` says why).

The generator runs an asyncio loop in its own thread, so it works inside a notebook (whose main
thread already runs a loop) and hundreds of requests can be outstanding at once. It is bounded in
count (``max_requests``), in time (``duration`` plus one ``timeout``) and only ever targets
127.0.0.1.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from course_lib.lb.runtime.backends import LOOPBACK

MAX_REQUESTS = 20_000


@dataclass(frozen=True)
class LiveRequest:
    """One measured request; times in seconds from the lab's start (``t0``)."""

    index: int
    sent_at: float
    backend: str | None
    status: int
    response_time: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def _one(port: int, path: str, timeout: float, body: bytes | None = None,
               headers: Mapping[str, str] | None = None) -> tuple[int, str | None, str]:
    """One request (a ``GET``, or a JSON ``POST`` given ``body``): status, backend, error."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(LOOPBACK, port), timeout)
    try:
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        if body is not None:
            extra += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        method = "GET" if body is None else "POST"
        writer.write(f"{method} {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nConnection: close\r\n"
                     f"{extra}\r\n".encode() + (body or b""))
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = head[0].split()
    if len(parts) < 2 or not parts[1].isdigit():
        return 0, None, f"bad status line {head[0]!r}"
    backend = None
    for line in head[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "x-served-by":
            backend = value.strip() or None
    return int(parts[1]), backend, ""


class LoadGenerator:
    """Send ``rate`` requests per second to ``127.0.0.1:port`` for ``duration`` seconds.

    ``start()`` returns at once; ``join()`` waits for the last answer (or timeout) and returns
    the records sorted by send time. As a context manager, leaving the block waits for the run
    to finish (or stops it at once when the block raised), so the thread always ends.
    ``arrivals`` (seconds from the start, ascending) replaces the fixed rate by a schedule (the
    capstone's traffic profile); ``request_for(i)`` gives request ``i``'s JSON body and headers,
    which makes it a ``POST``.
    """

    def __init__(self, port: int, *, rate: float, duration: float, t0: float | None = None,
                 timeout: float = 5.0, path: str = "/", max_requests: int = MAX_REQUESTS,
                 arrivals: Sequence[float] | None = None,
                 request_for: Callable[[int], tuple[bytes, dict[str, str]]] | None = None):
        if not rate > 0:
            raise ValueError(f"rate must be > 0 (got {rate})")
        if not duration > 0:
            raise ValueError(f"duration must be > 0 (got {duration})")
        if not 0 < timeout <= 60:
            raise ValueError(f"timeout must be in (0, 60] s (got {timeout})")
        count = int(rate * duration) if arrivals is None else len(arrivals)
        if count > max_requests:
            raise ValueError(f"rate * duration must be <= {max_requests} requests (got {count})")
        self.port, self.rate, self.duration, self.timeout, self.path = (
            port, rate, duration, timeout, path)
        self.count = count
        self.arrivals, self.request_for = arrivals, request_for
        self.t0 = t0
        self.records: list[LiveRequest] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    async def _request(self, i: int, sent_at: float, start: float) -> None:
        body, headers = (None, None) if self.request_for is None else self.request_for(i)
        try:
            status, backend, error = await _one(self.port, self.path, self.timeout, body, headers)
        except TimeoutError:
            status, backend, error = 0, None, "timeout"
        except OSError as exc:
            status, backend, error = 0, None, type(exc).__name__
        response_time = time.monotonic() - start
        self.records.append(LiveRequest(i, round(sent_at, 6), backend, status,
                                        round(response_time, 6), error))

    async def _run(self) -> None:
        t0 = self.t0 if self.t0 is not None else time.monotonic()
        begin = time.monotonic()
        tasks = []
        for i in range(self.count):
            due = begin + (i / self.rate if self.arrivals is None else self.arrivals[i])
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._stop.is_set():
                break
            now = time.monotonic()
            tasks.append(asyncio.create_task(self._request(i, now - t0, now)))
        if tasks:
            await asyncio.wait(tasks, timeout=2 * self.timeout + 1)

    def start(self) -> LoadGenerator:
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),),
                                        name="course-loadgen", daemon=True)
        self._thread.start()
        return self

    def join(self) -> list[LiveRequest]:
        if self._thread is not None:
            self._thread.join(timeout=self.duration + 2 * self.timeout + 5)
        return sorted(self.records, key=lambda r: r.index)

    def stop(self) -> None:
        """Stop sending (outstanding requests still finish or time out)."""
        self._stop.set()

    def __enter__(self) -> LoadGenerator:
        return self.start()

    def __exit__(self, exc_type, *exc) -> None:
        """Wait for the whole run; after an error in the block, stop sending first."""
        if exc_type is not None:
            self.stop()
        self.join()
