"""Use case 5, integration: move a database table into Kafka and out again, incrementally.

Kafka often sits *between* systems: a **source connector** turns changes in one system into
messages, a **sink connector** writes messages into another. The smallest useful versions:

* :class:`SqliteSourceConnector` polls a table for rows with an id above the last one it sent
  ("incrementing" mode of Confluent's JDBC source connector), produces them keyed by id, and only
  then stores the new last id. A crash between producing and storing re-sends a few rows (at least
  once). It skips none here because the table has one writer; on a real database polling by id
  can skip a row whose transaction commits after a higher id was read (Debezium's change data
  capture reads the database's log instead).
* :class:`SqliteSinkConnector` reads the topic and upserts rows by key into another database. It
  stores the next offset to read **in the same SQLite transaction** as the rows, so a crash never
  leaves them out of step: each message is applied exactly once, even after a restart.

What Kafka Connect adds beyond these ~150 lines: offsets kept in Kafka topics for you, a cluster of
workers that splits a connector into tasks and rebalances them when a worker dies, converters
(JSON, String, ByteArray and number ones in Apache Kafka; Avro, JSON Schema and Protobuf from
Confluent or Apicurio, with a schema registry), single-message transforms, a dead-letter queue
for sink connectors (KIP-298), a REST API to deploy and monitor connectors, and hundreds of
ready-made connectors (JDBC, Debezium change data capture, S3, Elasticsearch, ...).

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from kafka import TopicPartition
from kafka.errors import KafkaError

from course_lib.kafka.clients.factory import make_consumer, make_producer
from course_lib.kafka.clients.io import PipelineError, encode


def _ident(name: str) -> str:
    """A safe SQL identifier (letters, digits, underscores), quoted."""
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"table/column name must be letters, digits or '_' (got {name!r})")
    return f'"{name}"'


def create_table(db_path: Path | str, table: str, rows: list[dict], id_column: str) -> None:
    """Create ``table`` with ``rows``' columns (``id_column`` the integer primary key), add rows."""
    columns = list(rows[0])
    if id_column not in columns:
        raise ValueError(f"id_column {id_column!r} must be one of the columns {columns}")
    defs = ", ".join(f"{_ident(c)}{' INTEGER PRIMARY KEY' if c == id_column else ''}"
                     for c in columns)
    with sqlite3.connect(db_path) as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {_ident(table)} ({defs})")
        insert_rows(db, table, rows)
    db.close()


def insert_rows(db: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    cols = list(rows[0])
    db.executemany(f"INSERT INTO {_ident(table)} ({', '.join(map(_ident, cols))}) VALUES "
                   f"({', '.join(':' + c for c in cols)})", rows)


def read_table(db_path: Path | str, table: str, order_by: str) -> list[dict]:
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute(
            f"SELECT * FROM {_ident(table)} ORDER BY {_ident(order_by)}")]
    db.close()
    return rows


class SqliteSourceConnector:
    """Poll ``table`` for rows whose ``id_column`` is above the last one sent; produce them."""

    def __init__(self, db_path: Path | str, table: str, topic: str, *, id_column: str = "id",
                 offsets_path: Path | str, batch_size: int = 500, timeout_s: float = 10.0):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1 (got {batch_size})")
        self.db_path, self.table, self.topic = db_path, _ident(table) and table, topic
        self.id_column, self.batch_size, self.timeout_s = id_column, batch_size, timeout_s
        self.offsets = sqlite3.connect(offsets_path)
        self.offsets.execute("CREATE TABLE IF NOT EXISTS source_offsets "
                             "(connector TEXT PRIMARY KEY, last_id INTEGER)")
        self.name = f"{table}->{topic}"

    @property
    def last_id(self) -> int:
        row = self.offsets.execute("SELECT last_id FROM source_offsets WHERE connector = ?",
                                   (self.name,)).fetchone()
        return row[0] if row else 0

    def poll(self) -> int:
        """One round: send every new row (in id order, in batches); return how many were sent."""
        sent = 0
        producer = make_producer()
        try:
            while True:
                with sqlite3.connect(self.db_path) as db:
                    db.row_factory = sqlite3.Row
                    rows = [dict(r) for r in db.execute(
                        f"SELECT * FROM {_ident(self.table)} WHERE {_ident(self.id_column)} > ? "
                        f"ORDER BY {_ident(self.id_column)} LIMIT ?",
                        (self.last_id, self.batch_size))]
                db.close()
                if not rows:
                    return sent
                futures = [producer.send(self.topic, key=str(r[self.id_column]).encode(),
                                         value=encode(r)) for r in rows]
                producer.flush(timeout=self.timeout_s)
                for f in futures:
                    f.get(timeout=self.timeout_s)  # every row acknowledged before the offset moves
                with self.offsets:
                    self.offsets.execute("INSERT OR REPLACE INTO source_offsets VALUES (?, ?)",
                                         (self.name, rows[-1][self.id_column]))
                sent += len(rows)
        except KafkaError as exc:
            raise PipelineError(f"source connector {self.name}: {exc}. Is the broker running?"
                                ) from exc
        finally:
            producer.close(timeout=self.timeout_s)

    def close(self) -> None:
        self.offsets.close()


class SqliteSinkConnector:
    """Upsert every message of ``topic`` into ``table`` of another database, by ``key_column``."""

    def __init__(self, topic: str, db_path: Path | str, table: str, *, key_column: str,
                 partitions: int = 1, timeout_s: float = 10.0):
        self.topic, self.db_path, self.table = topic, db_path, _ident(table) and table
        self.key_column, self.partitions, self.timeout_s = key_column, partitions, timeout_s
        with sqlite3.connect(db_path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS sink_offsets (topic TEXT, partition INTEGER, "
                       "next_offset INTEGER, PRIMARY KEY (topic, partition))")
        db.close()

    def positions(self, db: sqlite3.Connection) -> dict[int, int]:
        rows = db.execute("SELECT partition, next_offset FROM sink_offsets WHERE topic = ?",
                          (self.topic,)).fetchall()
        return dict(rows)

    def _apply(self, db: sqlite3.Connection, records: list) -> None:
        values = [json.loads(r.value) for r in records]
        cols = list(values[0])
        db.execute(f"CREATE TABLE IF NOT EXISTS {_ident(self.table)} ("
                   + ", ".join(f"{_ident(c)}{' PRIMARY KEY' if c == self.key_column else ''}"
                               for c in cols) + ")")
        updates = ", ".join(f"{_ident(c)} = excluded.{_ident(c)}" for c in cols
                            if c != self.key_column)
        db.executemany(f"INSERT INTO {_ident(self.table)} ({', '.join(map(_ident, cols))}) "
                       f"VALUES ({', '.join(':' + c for c in cols)}) ON CONFLICT"
                       f"({_ident(self.key_column)}) DO UPDATE SET {updates}", values)

    def run(self, idle_s: float = 1.0) -> int:
        """Apply messages until none arrived for ``idle_s``; return how many were applied."""
        db = sqlite3.connect(self.db_path)
        consumer = make_consumer()
        tps = [TopicPartition(self.topic, p) for p in range(self.partitions)]
        applied = 0
        try:
            consumer.assign(tps)
            start = self.positions(db)
            for tp in tps:
                consumer.seek(tp, start.get(tp.partition, 0))
            deadline = time.monotonic() + idle_s
            while time.monotonic() < deadline:
                batches = consumer.poll(timeout_ms=200)
                for tp in sorted(batches, key=lambda t: t.partition):
                    records = batches[tp]
                    with db:  # rows and the next offset in one transaction: exactly once
                        self._apply(db, records)
                        db.execute("INSERT OR REPLACE INTO sink_offsets VALUES (?, ?, ?)",
                                   (self.topic, tp.partition, records[-1].offset + 1))
                    applied += len(records)
                    deadline = time.monotonic() + idle_s
        except KafkaError as exc:
            raise PipelineError(f"sink connector for {self.topic!r}: {exc}. "
                                "Is the broker running?") from exc
        finally:
            consumer.close(autocommit=False)
            db.close()
        return applied
