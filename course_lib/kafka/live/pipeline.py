"""Use case 1, a real-time data pipeline: replay events into a topic, process, store, measure.

A pipeline moves each event from where it happens to where it is needed *as it happens*, instead
of in a nightly batch. Here the shop's orders (``data/orders.csv``) are replayed into a Kafka topic
at a chosen rate; a processor consumes them, enriches each order with its customer's country and
its amount, and writes the result to SQLite. Every stored row carries the time its event was
emitted and the time it was stored, so **freshness** — how old the data is when it becomes
queryable — is measured per event rather than guessed.

Also here: the dataset loaders, which the other use-case modules share.
Every blocking call has a timeout and every topic name is unique per run
(:func:`course_lib.core.naming.unique_name`); a broker that goes away gives a :class:`PipelineError`
saying what was missing, never a hang.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# load_orders is re-exported: lessons and labs call pipeline.load_orders.
from course_lib.core import progress
from course_lib.core.data import load_customers
from course_lib.core.data import load_orders as load_orders
from course_lib.core.naming import unique_name
from course_lib.core.stats import percentile
from course_lib.core.validate import number
from course_lib.kafka.clients import topics
from course_lib.kafka.clients.io import PipelineError, consume_all, produce_at_rate
from course_lib.kafka.models.history import HistoryReport, Logged, acknowledged, check

SCHEMA = """CREATE TABLE IF NOT EXISTS enriched_orders (
    order_id INTEGER PRIMARY KEY, event_time_ms INTEGER, customer_id INTEGER, country TEXT,
    category TEXT, amount_cents INTEGER, emitted_at REAL, stored_at REAL)"""


def transform(order: dict, countries: dict[int, str]) -> dict:
    """The processor's work on one order: add its amount and the customer's country."""
    return {"order_id": order["order_id"], "event_time_ms": order["event_time_ms"],
            "customer_id": order["customer_id"],
            "country": countries.get(order["customer_id"], "??"),
            "category": order["category"],
            "amount_cents": order["quantity"] * order["unit_price_cents"],
            "emitted_at": order["emitted_at"]}


@dataclass
class PipelineResult:
    """What the pipeline stored: one flat record per order, plus counts."""

    topic: str
    produced: int
    consumed: int
    records: list[dict] = field(repr=False)
    #: The offset the broker gave each order sent (in sending order), and every record the
    #: processor read: (partition, offset, index of the order in the orders sent).
    sent_offsets: list[int] = field(default_factory=list, repr=False)
    reads: list[tuple[int, int, int]] = field(default_factory=list, repr=False)

    def history(self) -> HistoryReport:
        """The run as one whole history (:func:`course_lib.kafka.models.history.check`):
        every order acknowledged at its offset against every record the processor read."""
        return check(acknowledged(self.sent_offsets),
                     [Logged(p, o, seq) for p, o, seq in self.reads])

    @property
    def stored(self) -> int:
        return len(self.records)

    def freshness_times(self) -> list[float]:
        """Seconds from emission to being stored, per order (in emission order)."""
        return [r["stored_at"] - r["emitted_at"] for r in self.records]

    def summary(self) -> dict[str, Any]:
        f = sorted(self.freshness_times()) or [float("nan")]
        return {"produced": self.produced, "consumed": self.consumed, "stored": self.stored,
                "freshness_p50_s": percentile(f, 0.50),
                "freshness_p95_s": percentile(f, 0.95),
                "freshness_max_s": f[-1]}


def run_pipeline(orders: list[dict], db_path: Path | str, *, produce_rate: float = 200.0,
                 customers: list[dict] | None = None, partitions: int = 3,
                 timeout_s: float = 30.0) -> PipelineResult:
    """Replay ``orders`` at ``produce_rate``/s (``inf``: at once) into a new topic while a processor
    stores them in SQLite.

    ``produce_rate`` is checked before the topic is created, so a bad one costs nothing. The
    processor runs in a thread (as it would in its own service) and writes each polled batch in
    one SQLite transaction; ``stored_at`` is taken when the batch is committed.
    """
    number("produce_rate", produce_rate, gt=0, finite=False)
    countries = {c["customer_id"]: c["country"] for c in (customers or load_customers())}
    topic = topics.create_topic(unique_name("orders"), partitions)
    failure: list[BaseException] = []
    consumed = [0]
    index = {order["order_id"]: i for i, order in enumerate(orders)}
    reads: list[tuple[int, int, int]] = []

    def processor() -> None:
        db = sqlite3.connect(db_path)
        db.execute(SCHEMA)

        def handle(records) -> None:
            rows = [transform(json.loads(r.value), countries) for r in records]
            reads.extend((r.partition, r.offset, index[row["order_id"]])
                         for r, row in zip(records, rows, strict=True))
            with db:
                stored_at = time.time()
                db.executemany(
                    "INSERT OR REPLACE INTO enriched_orders VALUES (:order_id, :event_time_ms, "
                    ":customer_id, :country, :category, :amount_cents, :emitted_at, :stored_at)",
                    [{**row, "stored_at": stored_at} for row in rows])

        try:
            consumed[0] = consume_all(topic, partitions, len(orders), handle, timeout_s)
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)
        finally:
            db.close()

    worker = threading.Thread(target=processor, name="pipeline-processor", daemon=True)
    # producing at a rate and draining take seconds: say which is running
    with progress.task("pipeline", f"{len(orders)} orders stored") as task:
        worker.start()
        task.phase(f"producing {len(orders)} orders at {produce_rate:g}/s while they are stored")
        offsets = produce_at_rate(topic, orders, produce_rate, key_field="customer_id")
        task.phase("waiting for the processor to store the last orders")
        worker.join(timeout_s + 5)
    if failure:
        raise failure[0]
    if worker.is_alive():
        raise PipelineError(f"the processor did not finish within {timeout_s:.0f} s")
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        records = [dict(r) for r in db.execute(
            "SELECT * FROM enriched_orders ORDER BY emitted_at, order_id")]
    finally:
        db.close()
    return PipelineResult(topic, len(orders), consumed[0], records, offsets, reads)

