"""A compacted topic as a table, joined to a stream: enriching orders with each customer's country.

A *compacted* topic (``cleanup.policy=compact``) keeps, for every key, at least the **latest**
record: the broker's log cleaner rewrites closed segments and drops records that a later record
with the same key has replaced. So the topic is a changelog that never grows beyond one record
per key (plus the not yet cleaned tail), and a consumer that reads it from the start rebuilds
the current table. That is what Kafka Streams' ``KTable`` / ``GlobalKTable`` are: a table
materialised from a topic, joined with a stream of events (a **stream–table join**).

The lab: every customer of ``data/customers.csv`` is written keyed by ``customer_id``, then some
customers move (:func:`moves`: a deterministic list of country changes). One more change after
``segment.ms`` closes the segment, and the cleaner compacts it. The orders stream is joined with
the table read back from the compacted topic, and the result is compared with a **batch join**
over the same data in plain Python (the latest value per customer, applied in order). They must
be equal: compaction removes only superseded values.

Here the table is read completely before the stream is joined, so every order meets the
customer's *latest* country, as the batch join does. A streaming job that runs all along would
join each order with the value current *when the order was processed*; Kafka Streams then
chooses by timestamps (versioned stores, KIP-889). On the embedded fallback broker topic configs
are ignored, so the topic is not compacted: the join is still right, and the report says the
compaction step was skipped.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from course_lib.core import progress
from course_lib.core.data import load_customers, load_orders
from course_lib.core.naming import unique_name
from course_lib.core.waiting import wait_until
from course_lib.kafka.clients.io import (
    PipelineTimeout,
    read_from,
    send_records,
    skipped_on_embedded,
)
from course_lib.kafka.clients.records import Record
from course_lib.kafka.clients.topics import create_topic

COUNTRIES = ("NL", "IT", "FR", "DE", "ES", "PT")
COMPACTION = {"cleanup.policy": "compact", "segment.ms": "1000",
              "min.cleanable.dirty.ratio": "0.01", "min.compaction.lag.ms": "0"}


def moves(customers: list[dict], every: int = 4) -> list[tuple[int, str]]:
    """Every ``every``-th customer moves once to the next country of :data:`COUNTRIES`."""
    out = []
    for c in customers[::every]:
        i = COUNTRIES.index(c["country"]) if c["country"] in COUNTRIES else -1
        out.append((c["customer_id"], COUNTRIES[(i + 1) % len(COUNTRIES)]))
    return out


def changelog(customers: list[dict], changes: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The table's history in order: each customer's signup country, then every move."""
    return [(c["customer_id"], c["country"]) for c in customers] + list(changes)


def batch_table(history: list[tuple[int, str]]) -> dict[int, str]:
    """The latest country per customer: what compaction must preserve."""
    table: dict[int, str] = {}
    for customer_id, country in history:
        table[customer_id] = country
    return table


def join(orders: list[dict], table: dict[int, str]) -> list[tuple[int, int, str | None]]:
    """(order_id, customer_id, country) for every order; None for an unknown customer."""
    return [(o["order_id"], o["customer_id"], table.get(o["customer_id"])) for o in orders]


@dataclass(frozen=True)
class TableJoinResult:
    """What the compacted topic held, and whether the stream–table join equals the batch join."""

    topic: str
    written: int
    keys: int
    read_back: int
    compacted: bool | None  # None: the broker cannot compact (the embedded one)
    stream_join: list[tuple[int, int, str | None]]
    batch_join: list[tuple[int, int, str | None]]
    skipped: str | None = None

    @property
    def matches_batch(self) -> bool:
        return self.stream_join == self.batch_join

    def report(self) -> str:
        how = (f"skipped on the embedded broker: {self.skipped}" if self.compacted is None
               else f"compacted: {self.compacted}")
        return (f"customers topic: {self.written} records written for {self.keys} customers, "
                f"{self.read_back} read back ({how})\n"
                f"orders joined: {len(self.stream_join)}; stream-table join equals batch "
                f"join: {self.matches_batch}")


def _stream_join(orders_topic: str, table: dict[int, str]) -> list[tuple[int, int, str | None]]:
    orders = [json.loads(r.value) for r in read_from(orders_topic)]
    return join(orders, table)


@progress.reported("table join", "joined")  # the log cleaner takes seconds: say what we wait for
def run_table_join(n_orders: int = 400, timeout_s: float = 30.0) -> TableJoinResult:
    """Write the customer changelog to a compacted topic, wait for compaction, join, compare."""
    customers = load_customers()
    history = changelog(customers, moves(customers))
    skip = skipped_on_embedded("topic configs")
    topic = create_topic(unique_name("customers-table"), 1,
                         configs=None if skip else COMPACTION)
    progress.phase(f"writing {len(history)} changes of {len(customers)} customers")
    send_records(topic, [(str(k), v, None) for k, v in history[:-1]])
    time.sleep(1.2)  # older than segment.ms: the next append closes the segment
    send_records(topic, [(str(k), v, None) for k, v in history[-1:]])
    keys = len({k for k, _ in history})
    # cleaned: one record per key of the closed segment, plus the active segment's one record
    expected = len({k for k, _ in history[:-1]}) + 1
    latest: list[list[Record]] = []  # the latest read, for the wait's detail

    def compacted() -> bool:
        latest[:] = [read_from(topic)]
        return len(latest[0]) <= expected

    if skip is None:
        progress.phase("waiting for the log cleaner to compact the topic")
        wait_until(compacted, timeout_s, f"the log cleaner to compact {topic!r}", interval_s=0.3,
                   error=PipelineTimeout,
                   detail=lambda: f"{len(latest[0])} records, expected {expected}")
    else:
        compacted()
    records = latest[0]
    table = {int(str(r.key)): r.value for r in records}  # later records overwrite earlier ones
    orders = load_orders(limit=n_orders)
    progress.phase(f"joining {n_orders} orders with the table")
    orders_topic = create_topic(unique_name("orders-to-enrich"), 1)
    send_records(orders_topic, [(str(o["order_id"]), json.dumps(o), None) for o in orders])
    return TableJoinResult(topic, len(history), keys, len(records),
                           None if skip else len(records) < len(history),
                           _stream_join(orders_topic, table), join(orders, batch_table(history)),
                           skip.skipped if skip else None)
