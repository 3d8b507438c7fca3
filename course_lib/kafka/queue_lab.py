"""Use case 3, a message queue that decouples a fast producer from a slow consumer.

The producer writes every order into a topic and moves on; it neither waits for nor knows about
the consumer. The topic *buffers*: the consumer works through it at its own pace and records how
far it got by **committing an offset** for its consumer group. When the consumer crashes, a new
one in the same group resumes from the last committed offset. What happens to the batch that
was in progress depends on *when* the offset was committed:

* **at-least-once** — process a batch, then commit. A crash after processing part of a batch
  re-delivers that part: nothing is lost, some messages arrive twice. An **idempotent sink**
  (an upsert by the message key) makes the duplicates harmless: the table ends up the same.
* **at-most-once** — commit the batch, then process it. A crash mid-batch skips the rest of it:
  no duplicates, but messages are lost.

The lab counts every delivery in SQLite (``deliveries`` per order), so both claims are checked,
not asserted. The crash is real: the first consumer runs in a child process
(:mod:`crash_child`) that stops after exactly ``crash_after`` messages (so the counts are the
same every run) and is then killed with ``SIGKILL``: no commit, no LeaveGroup. The restarted
consumer therefore waits until the coordinator gives up on the dead member, about
``session_timeout_ms`` after its last heartbeat (``restart_wait_s``, a wall-clock measurement),
before the partition is handed over.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError, RebalanceInProgressError
from kafka.structs import OffsetAndMetadata

from course_lib.kafka.clients import CONSUMER_DEFAULTS, make_admin
from course_lib.kafka.crash_child import ChildConsumer
from course_lib.kafka.default_broker import bootstrap_servers
from course_lib.kafka.lag import committed_offsets
from course_lib.kafka.pipeline import PipelineError, produce_at_rate
from course_lib.kafka.topics import create_topic
from course_lib.naming import unique_name
from course_lib.validate import integer, number, one_of
from course_lib.viz import FAIL_COLOUR, OK_COLOUR, colour, marked, themed, top_label, vline

MODES = ("at-least-once", "at-most-once")


@dataclass(frozen=True)
class QueueLab:
    """The lab's description: how many messages, batch size, when the consumer crashes, the mode."""

    messages: int = 300
    batch_size: int = 50
    crash_after: int | None = 120
    mode: str = "at-least-once"
    processing_time: float = 0.001  # seconds per message: the slow consumer
    session_timeout_ms: int = 3000  # how long the coordinator waits for a silent member

    def __post_init__(self) -> None:
        integer("messages", self.messages, ge=1)
        integer("batch_size", self.batch_size, ge=1)
        if self.crash_after is not None:
            integer("crash_after", self.crash_after)
            number("crash_after", self.crash_after, ge=0, lt=self.messages,
                   high_name=f"messages={self.messages}")
        one_of("mode", self.mode, MODES)
        number("processing_time", self.processing_time, ge=0)
        integer("session_timeout_ms", self.session_timeout_ms, ge=1000)


SINK_SCHEMA = """CREATE TABLE IF NOT EXISTS sink (
    order_id INTEGER PRIMARY KEY, amount_cents INTEGER, deliveries INTEGER, last_offset INTEGER)"""
UPSERT = """INSERT INTO sink VALUES (:order_id, :amount_cents, 1, :offset)
    ON CONFLICT(order_id) DO UPDATE SET amount_cents = excluded.amount_cents,
    deliveries = deliveries + 1, last_offset = excluded.last_offset"""


@dataclass
class QueueLabResult:
    """Counts per phase; ``deliveries[offset]`` is how often that message was processed."""

    lab: QueueLab
    topic: str
    group: str
    log_end_offset: int
    committed_at_crash: int | None
    resumed_at: int | None
    processed_first: int
    processed_second: int
    deliveries: list[int] = field(repr=False)
    stored_rows: int = 0
    final_committed: int = 0
    restart_wait_s: float | None = None  # from the SIGKILL to the restart's first record

    @property
    def lag_at_crash(self) -> int | None:
        """Messages waiting in the topic for the group when the consumer crashed."""
        if self.committed_at_crash is None:
            return None
        return self.log_end_offset - self.committed_at_crash

    @property
    def duplicates(self) -> int:
        return sum(d - 1 for d in self.deliveries if d > 1)

    @property
    def skipped(self) -> int:
        return sum(1 for d in self.deliveries if d == 0)

    def summary(self) -> dict[str, int | str | None]:
        return {"mode": self.lab.mode, "produced": self.log_end_offset,
                "processed_before_crash": self.processed_first,
                "committed_at_crash": self.committed_at_crash, "lag_at_crash": self.lag_at_crash,
                "resumed_at_offset": self.resumed_at, "processed_after_restart":
                self.processed_second, "deliveries": sum(self.deliveries),
                "duplicates": self.duplicates, "skipped": self.skipped,
                "rows_in_sink": self.stored_rows, "final_lag": self.log_end_offset -
                self.final_committed}

    def report(self) -> str:
        s = self.summary()
        return "\n".join(f"{k:>24}: {v}" for k, v in s.items())


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
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap or bootstrap_servers(),
                             **{**CONSUMER_DEFAULTS, "group_id": group,
                                "max_poll_records": lab.batch_size,
                                "session_timeout_ms": lab.session_timeout_ms,
                                "heartbeat_interval_ms": lab.session_timeout_ms // 3})
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


def _crash(lab: QueueLab, topic: str, group: str, db_path: Path | str, log_end: int,
           timeout_s: float) -> tuple[int, float]:
    """The first consumer, in a child process, up to its crash point; then ``SIGKILL``."""
    job = {"kind": "queue", "lab": asdict(lab), "topic": topic, "group": group,
           "db": str(db_path), "log_end": log_end, "timeout_s": timeout_s,
           "bootstrap": bootstrap_servers()}
    with ChildConsumer(job) as child:
        processed = child.wait_for("processed", timeout_s=timeout_s)
        return processed, child.kill()


def committed_offset(group: str, topic: str) -> int:
    """The group's committed offset for partition 0 of ``topic`` (0 if none), via the admin API."""
    admin = make_admin()
    try:
        offsets = committed_offsets(admin, group)
    finally:
        admin.close()
    meta = offsets.get(TopicPartition(topic, 0))
    return meta.offset if meta is not None and meta.offset >= 0 else 0


def run_queue_lab(lab: QueueLab, db_path: Path | str, timeout_s: float = 60.0) -> QueueLabResult:
    """Produce ``lab.messages`` orders at once, consume, crash, restart, and count deliveries.

    Log-end offset comes from the producer's acknowledgements (last offset + 1): Tansu 0.6's
    ListOffsets under-reports it after a multi-record batch, so the lab does not depend on it.
    """
    from course_lib.kafka.pipeline import load_orders

    orders = load_orders(limit=lab.messages)
    topic = create_topic(unique_name("queue"), 1)
    group = unique_name("queue-workers")
    offsets = produce_at_rate(topic, orders, float("inf"), key_field="order_id", stamp=False)
    log_end = max(offsets) + 1
    deadline = time.monotonic() + timeout_s
    db = sqlite3.connect(db_path)
    try:
        db.execute(SINK_SCHEMA)
        db.commit()
        committed_at_crash = resumed = wait = None
        second_n = 0
        if lab.crash_after is None:
            _, first_n, _ = consume_queue(lab, topic, group, db, log_end, None, deadline)
        else:
            first_n, killed_at = _crash(lab, topic, group, db_path, log_end, timeout_s)
            committed_at_crash = committed_offset(group, topic)
            if committed_at_crash < log_end:
                resumed, second_n, first_at = consume_queue(lab, topic, group, db, log_end,
                                                            None, deadline)
                wait = None if first_at is None else first_at - killed_at
        rows = db.execute("SELECT last_offset, deliveries FROM sink").fetchall()
    finally:
        db.close()
    deliveries = [0] * log_end
    for offset, count in rows:
        deliveries[offset] = count
    return QueueLabResult(lab, topic, group, log_end, committed_at_crash, resumed, first_n,
                          second_n, deliveries, len(rows), committed_offset(group, topic), wait)


def deliveries_figure(result: QueueLabResult) -> go.Figure:
    """Deliveries per message offset: 1 is right, 2 a duplicate, 0 a skipped message.

    A skipped message is a bar of height 0, which no one can see, so each one also gets a
    vermillion ✕ on the axis (trace "skipped (0 deliveries)"): the gap at-most-once leaves.
    """
    d = result.deliveries
    colours = [FAIL_COLOUR if n == 0 else colour(1) if n > 1 else OK_COLOUR for n in d]
    fig = go.Figure(go.Bar(x=list(range(len(d))), y=list(d), marker={"color": colours},
                           name="deliveries"))
    skipped = [offset for offset, n in enumerate(d) if n == 0]
    if skipped:
        fig.add_trace(go.Scatter(x=skipped, y=[0] * len(skipped), mode="markers",
                                 name="skipped (0 deliveries)", cliponaxis=False,
                                 marker={"color": FAIL_COLOUR, "symbol": "x", "size": 8}))
    if result.committed_at_crash is not None:
        at = result.committed_at_crash - 0.5
        marked(fig, [vline(at, {"dash": "dash", "color": "grey"})],
               [top_label(at, "committed at crash")])
    return themed(fig, title=f"{result.lab.mode}: how often each message was processed",
                  x_title="offset (message)", y_title="deliveries", height=300)
