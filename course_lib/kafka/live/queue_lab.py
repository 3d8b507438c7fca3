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
(:mod:`~course_lib.kafka.clients.child_consumer`) that stops after exactly ``crash_after`` messages
(so the counts are the same every run) and is then killed with ``SIGKILL``: no commit, no
LeaveGroup. The restarted consumer therefore waits until the coordinator gives up on the dead
member, about ``session_timeout_ms`` after its last heartbeat (``restart_wait_s``, a wall-clock
measurement), before the partition is handed over.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kafka import TopicPartition

from course_lib.core import progress
from course_lib.core.naming import unique_name
from course_lib.kafka.clients.child_consumer import ChildConsumer
from course_lib.kafka.clients.factory import make_admin
from course_lib.kafka.clients.io import produce_at_rate
from course_lib.kafka.clients.lag import committed_offsets
from course_lib.kafka.clients.queue_consumer import SINK_SCHEMA, consume_queue
from course_lib.kafka.clients.records import read_partitions
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.models.history import HistoryReport, Logged, acknowledged, check
from course_lib.kafka.models.queue import QueueLab
from course_lib.kafka.runtime.default_broker import bootstrap_servers


@dataclass
class QueueLabResult:
    """Counts per phase; ``deliveries[offset]`` is how often that message was processed."""

    lab: QueueLab
    topic: str
    group: str
    log_end_offset: int
    committed_at_crash: int | None
    resumed_offset: int | None  # the first offset read after the restart
    processed_first: int
    processed_second: int
    deliveries: list[int] = field(repr=False)
    stored_rows: int = 0
    final_committed: int = 0
    restart_wait_s: float | None = None  # from the SIGKILL to the restart's first record
    #: The topic read back after the run, checked against every send (the log's own promise,
    #: apart from how often the consumer processed each message).
    history: HistoryReport | None = field(default=None, repr=False)

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
                "resumed_at_offset": self.resumed_offset, "processed_after_restart":
                self.processed_second, "deliveries": sum(self.deliveries),
                "duplicates": self.duplicates, "skipped": self.skipped,
                "rows_in_sink": self.stored_rows, "final_lag": self.log_end_offset -
                self.final_committed}

    def report(self) -> str:
        s = self.summary()
        return "\n".join(f"{k:>24}: {v}" for k, v in s.items())


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
    from course_lib.core.data import load_orders

    orders = load_orders(limit=lab.messages)
    # a crash, a session timeout and a restart: seconds of silence otherwise
    with progress.task(f"{lab.mode} queue", "crash and restart done") as task:
        task.phase(f"producing {lab.messages} orders")
        topic = create_topic(unique_name("queue"), 1)
        group = unique_name("queue-workers")
        offsets = produce_at_rate(topic, orders, float("inf"), key_field="order_id",
                                  stamp=False)
        log_end = max(offsets) + 1
        deadline = time.monotonic() + timeout_s
        db = sqlite3.connect(db_path)
        try:
            db.execute(SINK_SCHEMA)
            db.commit()
            committed_at_crash = resumed = wait = None
            second_n = 0
            if lab.crash_after is None:
                task.phase("consuming")
                _, first_n, _ = consume_queue(lab, topic, group, db, log_end, None, deadline)
            else:
                task.phase(f"consuming until the crash after {lab.crash_after} messages")
                first_n, killed_at = _crash(lab, topic, group, db_path, log_end, timeout_s)
                committed_at_crash = committed_offset(group, topic)
                if committed_at_crash < log_end:
                    task.phase("restarted: waiting for the dead member's session to expire")
                    resumed, second_n, first_at = consume_queue(lab, topic, group, db,
                                                                log_end, None, deadline)
                    wait = None if first_at is None else first_at - killed_at
            rows = db.execute("SELECT last_offset, deliveries FROM sink").fetchall()
        finally:
            db.close()
    history = _log_history(topic, orders, offsets)
    deliveries = [0] * log_end
    for offset, count in rows:
        deliveries[offset] = count
    return QueueLabResult(lab, topic, group, log_end, committed_at_crash, resumed, first_n,
                          second_n, deliveries, len(rows), committed_offset(group, topic), wait,
                          history)


def _log_history(topic: str, orders: list[dict], offsets: list[int]) -> HistoryReport:
    """Every order acknowledged at its offset, against the topic read back from the start."""
    index = {order["order_id"]: i for i, order in enumerate(orders)}
    log = [Logged(r.partition, r.offset, index[json.loads(r.value)["order_id"]])
           for r in read_partitions(topic, [0], expected=len(offsets))]
    return check(acknowledged(offsets), log)

