"""The log on a real broker: retention that deletes, and replay from a point in time.

Two things lesson 04 could only say, shown on Apache Kafka:

* **Retention deletes whole segments.** A partition's log is a series of segment files; only
  the newest (the *active* segment) is written to. A segment whose newest record *timestamp* is
  older than ``retention.ms`` is deleted when the broker next checks (every
  ``log.retention.check.interval.ms``, 2 s on the course's broker, 5 min by default; the first
  check ``log.initial.task.delay.ms`` after start, 2 s on the course's broker, 30 s by
  default), and the **log-start offset** moves up to the first record still there. On a quiet
  topic a segment is closed ("rolled") by the next append after ``segment.ms`` (7 days by
  default) or once it holds ``segment.bytes``: that is why a low-traffic topic can keep data
  far longer than its retention.
* **Replay from a time.** Every record carries a timestamp (the producer's, by default);
  ``offsets_for_times`` asks the broker for the earliest offset whose timestamp is at or after a
  given instant, so a consumer can ``seek`` there and re-read "everything since 10:00".

The embedded fallback broker ignores topic configs and answers ``offsets_for_times`` with offset
0, so there each lab returns a :class:`Skipped` that says so instead of Kafka-shaped nonsense.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import TopicPartition
from kafka.admin import OffsetSpec

from course_lib.core import progress
from course_lib.core.naming import unique_name
from course_lib.core.waiting import wait_until
from course_lib.kafka.clients.factory import make_consumer
from course_lib.kafka.clients.io import (
    PipelineError,
    PipelineTimeout,
    Skipped,
    partition_offsets,
    read_from,
    send_records,
    skipped_on_embedded,
)
from course_lib.kafka.clients.topics import create_topic


@dataclass(frozen=True)
class RetentionResult:
    """Log-start and log-end offsets before and after retention ran, and what is left to read."""

    topic: str
    retention_ms: int
    start_before: int
    end_before: int
    start_after: int
    end_after: int
    remaining: tuple[str, ...]
    skipped = None

    def report(self) -> str:
        return (f"retention.ms={self.retention_ms}: log-start {self.start_before} -> "
                f"{self.start_after}, log-end {self.end_before} -> {self.end_after}; "
                f"a read from the start now gets {len(self.remaining)} records, "
                f"{self.remaining[0]}..{self.remaining[-1]}")


@progress.reported("retention", "old segment deleted")  # the broker's check comes seconds later
def retention_lab(old: int = 40, new: int = 10, retention_ms: int = 60_000,
                  old_age_ms: int = 3_600_000, timeout_s: float = 45.0
                  ) -> RetentionResult | Skipped:
    """``old`` records stamped ``old_age_ms`` ago, then ``new`` fresh ones; watch the delete.

    Retention reads the records' own timestamps (the producer may set them; by default it is
    the time of sending), so the old records are already past ``retention_ms`` and the new
    ones will not be for a minute: the outcome does not depend on when the broker checks. The
    first fresh append rolls the segment (it is older than ``segment.ms`` by its first
    record's timestamp). The broker checks ``log.initial.task.delay.ms`` after it started and
    then every ``log.retention.check.interval.ms`` (2 s each on the course's broker; 30 s and
    5 min by default), so the wait is about 2 s; ``timeout_s`` also covers a broker of your own
    with the defaults' first check.
    """
    skip = skipped_on_embedded("topic configs")
    if skip is not None:
        return skip
    topic = create_topic(unique_name("retained"), 1, configs={
        "retention.ms": str(retention_ms), "segment.ms": str(retention_ms // 6)})
    stamp = int(time.time() * 1000) - old_age_ms
    send_records(topic, [(f"k{i}", f"event-{i}", stamp) for i in range(old)])
    start_before, end_before = (partition_offsets(topic, OffsetSpec.EARLIEST),
                                partition_offsets(topic))
    send_records(topic, [(f"k{i}", f"event-{i}", None) for i in range(old, old + new)])
    progress.phase("waiting for the broker's retention check to delete the old segment")
    wait_until(lambda: partition_offsets(topic, OffsetSpec.EARLIEST) >= old, timeout_s,
               f"retention to delete {topic!r}'s old segment", interval_s=0.2,
               error=PipelineTimeout)
    remaining = tuple(r.value for r in read_from(topic))
    return RetentionResult(topic, retention_ms, start_before, end_before,
                           partition_offsets(topic, OffsetSpec.EARLIEST),
                           partition_offsets(topic), remaining)


@dataclass(frozen=True)
class ReplayResult:
    """``offsets_for_times`` for one instant, and the records a replay from there reads."""

    topic: str
    asked_ms: int  # milliseconds after the first record's timestamp
    offset: int
    record_ms: int  # that record's timestamp, ms after the first record's
    replayed: tuple[str, ...]
    skipped = None

    def report(self) -> str:
        return (f"first record at or after t0 + {self.asked_ms} ms: offset {self.offset} "
                f"(stamped t0 + {self.record_ms} ms); replay reads {list(self.replayed)}")


def replay_from_time(records: int = 6, spacing_ms: int = 1000,
                     at_ms: int = 2500) -> ReplayResult | Skipped:
    """Records stamped ``spacing_ms`` apart; seek to the first one at or after t0 + ``at_ms``."""
    skip = skipped_on_embedded("offsets_for_times")
    if skip is not None:
        return skip
    topic = create_topic(unique_name("replay"), 1)
    t0 = (int(time.time() * 1000) // 1000 - 60) * 1000  # a minute ago, well within retention
    send_records(topic, [(f"k{i}", f"event-{i}", t0 + i * spacing_ms) for i in range(records)])
    consumer = make_consumer()
    try:
        tp = TopicPartition(topic, 0)
        found = consumer.offsets_for_times({tp: t0 + at_ms})[tp]
    finally:
        consumer.close(autocommit=False)
    if found is None:
        raise PipelineError(f"no record of {topic!r} is stamped at or after t0 + {at_ms} ms")
    replayed = tuple(r.value for r in read_from(topic, found.offset))
    return ReplayResult(topic, at_ms, found.offset, found.timestamp - t0, replayed)
