"""The checkout server of the live run: lesson 01's API server plus ``POST /checkout``.

``python -m course_lib.capstone.runtime.api --port P --name api1 --folder F --bootstrap B --topic T
...`` runs one :class:`CheckoutServer`: the lesson-01 :class:`~course_lib.components.ApiServer`
(same ``/health``, ``/orders``, ``/notes``, same JSON errors, a SQLite store in the run's folder)
with one more endpoint. A checkout, body ``{"order_id": 7, "item": "latte", "quantity": 1}``:

1. waits for one of the server's ``min(workers, db_pool)`` slots (a worker with a database
   connection: the design's concurrency), then spends ``app_time`` in the application;
2. spends ``db_time`` (times the slow-database factor, see :mod:`.live_db`) and stores the
   checkout in ``checkouts``. With an ``Idempotency-Key`` header the row is keyed, so a retry
   HAProxy re-sends after a lost answer is recognised (answered, not produced again);
3. produces the order to the ``orders`` topic with the design's ``acks`` and idempotence, waits at
   most ``ack_wait`` for Kafka's acknowledgement, and answers 201 either way: the producer keeps
   retrying in the background (until ``delivery.timeout.ms``), which is the simulation's
   asynchronous checkout. An order that then never reaches the log was acknowledged and lost.

It prints ``listening on …`` once serving and exits on SIGTERM after flushing its producer.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kafka import KafkaProducer

from course_lib.capstone.runtime.db import connect, slow_factor
from course_lib.components.runtime.httpapi import ApiServer, _Handler

__all__ = ["CheckoutServer", "main"]


class _CheckoutHandler(_Handler):
    def _dispatch(self, method: str, api: Any, timings: dict[str, float]):
        if method != "POST" or self.path.split("?")[0] != "/checkout":
            return super()._dispatch(method, api, timings)
        body = self._json_body()
        order_id = body.get("order_id") if isinstance(body, dict) else None
        if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 0:
            raise ValueError(f"order_id must be an integer >= 0 (got {order_id!r})")
        key = self.headers.get("Idempotency-Key") if api.keyed else None
        return api.checkout(order_id, key, body, timings)


class CheckoutServer(ApiServer):
    """An :class:`ApiServer` whose checkouts are stored in SQLite and produced to Kafka."""

    handler_class = _CheckoutHandler

    def __init__(self, folder: str | Path, producer: KafkaProducer, topic: str, *,
                 concurrency: int, app_time: float, db_time: float, keyed: bool,
                 ack_wait: float = 0.05, port: int = 0, name: str = "api") -> None:
        super().__init__(Path(folder, f"{name}.db"), port=port, name=name)
        self.folder, self.producer, self.topic = Path(folder), producer, topic
        self.slots = threading.BoundedSemaphore(concurrency)
        self.app_time, self.db_time, self.keyed, self.ack_wait = app_time, db_time, keyed, ack_wait
        self.shop = connect(self.folder / "shop.db")
        self.lock = threading.Lock()

    def checkout(self, order_id: int, key: str | None, body: dict[str, Any],
                 timings: dict[str, float]) -> tuple[int, dict[str, Any]]:
        """Steps 1–3 of the module docstring; returns (status, body)."""
        with self.slots:
            time.sleep(self.app_time)
            started = time.perf_counter()
            time.sleep(self.db_time * slow_factor(self.folder))
            with self.lock:
                stored = self.shop.execute(
                    "INSERT OR IGNORE INTO checkouts (order_id, key, server, at) "
                    "VALUES (?, ?, ?, ?)", (order_id, key, self.name, time.time())).rowcount
            timings["db"] = time.perf_counter() - started
        if not stored:  # the same key again: this checkout was already stored and produced
            return 200, {"order_id": order_id, "replayed": True}
        value = json.dumps({"order_id": order_id, "item": body.get("item", "coffee"),
                            "server": self.name}).encode()
        try:
            future = self.producer.send(self.topic, key=str(order_id).encode(), value=value)
            with contextlib.suppress(Exception):  # not acknowledged yet: it keeps retrying
                future.get(timeout=self.ack_wait)
        except Exception as exc:  # the producer refused it (buffer full, no metadata in time)
            return 201, {"order_id": order_id, "produced": False, "why": type(exc).__name__}
        return 201, {"order_id": order_id, "produced": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One capstone checkout server on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--folder", required=True, help="the run's folder (shop.db, db_slow)")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--acks", default="all", choices=("all", "1", "0"))
    parser.add_argument("--idempotence", type=int, default=1, choices=(0, 1))
    parser.add_argument("--keyed", type=int, default=1, choices=(0, 1))
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--app-time", type=float, default=0.02)
    parser.add_argument("--db-time", type=float, default=0.03)
    parser.add_argument("--produce-timeout", type=float, default=2.0)
    args = parser.parse_args(argv)
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap, acks="all" if args.acks == "all" else int(args.acks),
        enable_idempotence=bool(args.idempotence), linger_ms=0,
        request_timeout_ms=int(args.produce_timeout * 1000), max_block_ms=2000,
        bootstrap_timeout_ms=5000)
    server = CheckoutServer(args.folder, producer, args.topic, concurrency=args.concurrency,
                            app_time=args.app_time, db_time=args.db_time,
                            keyed=bool(args.keyed), port=args.port, name=args.name)
    server.bind()

    def _stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"listening on {server.url} as {args.name}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    producer.close(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
