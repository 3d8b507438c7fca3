"""The queue lab's consumer loop: read a batch, process it into SQLite, commit (in the lab's order).

Shared by the lab in the notebook's process and by the child consumer that really crashes
(:mod:`course_lib.kafka.clients.child_consumer`), so both run the very same loop.
"""

from __future__ import annotations

import json
import sqlite3
import time

from kafka import TopicPartition
from kafka.errors import CommitFailedError, KafkaError, RebalanceInProgressError
from kafka.structs import OffsetAndMetadata

from course_lib.kafka.clients.factory import make_consumer
from course_lib.kafka.clients.io import PipelineError
from course_lib.kafka.models.queue import QueueLab
from course_lib.kafka.runtime.default_broker import bootstrap_servers

SINK_SCHEMA = """CREATE TABLE IF NOT EXISTS sink (
    order_id INTEGER PRIMARY KEY, amount_cents INTEGER, deliveries INTEGER, last_offset INTEGER)"""


UPSERT = """INSERT INTO sink VALUES (:order_id, :amount_cents, 1, :offset)
    ON CONFLICT(order_id) DO UPDATE SET amount_cents = excluded.amount_cents,
    deliveries = deliveries + 1, last_offset = excluded.last_offset"""


def _commit(consumer, tp: TopicPartition, offset: int, attempts: int = 5) -> None:
    """Commit ``offset`` (the next message to read); retry across a rebalance, as Kafka advises."""
    for attempt in range(attempts):
        try:
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1)})
            return
        except (RebalanceInProgressError, CommitFailedError):
            if attempt == attempts - 1:
                raise
            consumer.poll(timeout_ms=200, max_records=1, update_offsets=False)


def _take(consumer, tp: TopicPartition, buffer: list, n: int, deadline: float) -> list:
    """The next ``n`` records in offset order (polling as needed), or raise at the deadline."""
    while len(buffer) < n:
        if time.monotonic() > deadline:
            raise PipelineError(f"waited too long for {tp.topic!r}: got {len(buffer)} of {n} "
                                "messages. Is the broker still running?")
        batches = consumer.poll(timeout_ms=200, max_records=n - len(buffer))
        buffer.extend(batches.get(tp, []))
    taken, buffer[:] = buffer[:n], buffer[n:]
    return taken


def consume_queue(lab: QueueLab, topic: str, group: str, db: sqlite3.Connection, log_end: int,
                  stop_after: int | None, deadline: float, *, bootstrap: str | None = None,
                  close: bool = True) -> tuple[int | None, int, float | None]:
    """One consumer's life in ``group``: (first offset it saw, messages processed, when).

    ``when`` is the ``time.monotonic()`` instant its first record arrived: after a crash, how
    long the group made the restarted consumer wait.

    With ``stop_after`` it stops right before processing message ``stop_after + 1`` and, with
    ``close=False``, leaves its consumer open for the caller's process to be killed.
    """
    tp = TopicPartition(topic, 0)
    consumer = make_consumer(topic, bootstrap_servers=bootstrap or bootstrap_servers(),
                             group_id=group, max_poll_records=lab.batch_size,
                             session_timeout_ms=lab.session_timeout_ms,
                             heartbeat_interval_ms=lab.session_timeout_ms // 3)
    buffer: list = []
    processed, first, first_at = 0, None, None
    try:
        while True:
            position = buffer[0].offset if buffer else None
            if position is None:
                records = _take(consumer, tp, buffer, 1, deadline)
                buffer[:0] = records
                position = records[0].offset
            if first is None:
                first, first_at = position, time.monotonic()
            batch = _take(consumer, tp, buffer, min(lab.batch_size, log_end - position),
                          deadline)
            if lab.mode == "at-most-once":
                _commit(consumer, tp, batch[-1].offset + 1)  # commit first, then process
            for record in batch:
                if stop_after is not None and processed >= stop_after:
                    return first, processed, first_at  # the crash point: nothing more is committed
                order = json.loads(record.value)
                time.sleep(lab.processing_time)
                with db:
                    db.execute(UPSERT, {"order_id": order["order_id"], "offset": record.offset,
                                        "amount_cents": order["quantity"] *
                                        order["unit_price_cents"]})
                processed += 1
            if lab.mode == "at-least-once":
                _commit(consumer, tp, batch[-1].offset + 1)  # process first, then commit
            if batch[-1].offset + 1 >= log_end:
                return first, processed, first_at
    except KafkaError as exc:
        raise PipelineError(f"consumer in group {group!r} failed: {exc}. "
                            "Is the broker still running?") from exc
    finally:
        if close:
            consumer.close(autocommit=False)
