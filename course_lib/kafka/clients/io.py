"""Small kafka-python helpers the live labs share: produce at a rate, consume, read at an offset.

Moved down here from the labs that first needed them (``pipeline``, ``log_lab``) so that no lab
imports another. Every call is bounded in time; a broker that goes away gives a
:class:`PipelineError` saying what was missing, never a hang.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from kafka import TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError

from course_lib.core.errors import PartError, WaitTimeout
from course_lib.kafka.clients.factory import make_admin, make_consumer, make_producer
from course_lib.kafka.clients.records import Record, StrDeserializer, keyed_producer
from course_lib.kafka.clients.topics import TopicError, require_apache


class PipelineError(PartError):
    """A lab could not finish (usually: the broker went away); the message says what was missing."""


class PipelineTimeout(PipelineError, WaitTimeout):
    """What a lab waited for on the broker (retention, compaction) did not happen in time."""


def encode(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def produce_at_rate(topic: str, events: list[dict], rate: float, key_field: str,
                    stamp: bool = True, timeout_s: float = 10.0) -> list[int]:
    """Send ``events`` at ``rate`` per second (``inf``: as fast as possible); returns offsets.

    With ``stamp`` each message gets ``emitted_at`` (wall-clock seconds) when it is sent.
    """
    if not rate > 0:
        raise ValueError(f"rate must be > 0 (got {rate})")
    producer = make_producer()
    futures = []
    started = time.perf_counter()
    try:
        for i, event in enumerate(events):
            due = started + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            value = {**event, "emitted_at": time.time()} if stamp else event
            futures.append(producer.send(topic, key=str(event[key_field]).encode(),
                                         value=encode(value)))
        producer.flush(timeout=timeout_s)
        return [f.get(timeout=timeout_s).offset for f in futures]
    except KafkaError as exc:
        raise PipelineError(
            f"producing to {topic!r} failed: {exc}. Is the broker running?") from exc
    finally:
        producer.close(timeout=timeout_s)


def consume_all(topic: str, partitions: int, expected: int, handle, timeout_s: float = 30.0,
                max_records: int = 500) -> int:
    """Read ``topic`` from the start (``assign``, no group) until ``expected`` records arrived.

    ``handle(records)`` gets each polled batch. Raises :class:`PipelineError` at the deadline.
    """
    consumer = make_consumer()
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    seen = 0
    deadline = time.monotonic() + timeout_s
    try:
        while seen < expected:
            if time.monotonic() > deadline:
                raise PipelineError(
                    f"only {seen} of {expected} messages of {topic!r} arrived within "
                    f"{timeout_s:.0f} s: is the broker still running?")
            batches = consumer.poll(timeout_ms=200, max_records=max_records)
            for tp in sorted(batches, key=lambda t: t.partition):
                handle(batches[tp])
                seen += len(batches[tp])
    finally:
        consumer.close(autocommit=False)
    return seen


@dataclass(frozen=True)
class Skipped:
    """A lab step the broker in use cannot show; ``skipped`` is the sentence why."""

    skipped: str

    def report(self) -> str:
        return f"skipped on the embedded broker: {self.skipped}"


def skipped_on_embedded(feature: str) -> Skipped | None:
    """A :class:`Skipped` if the embedded broker lacks ``feature`` (``topics.py``), else None."""
    try:
        require_apache(feature)
    except TopicError as exc:
        return Skipped(str(exc))
    return None


def partition_offsets(topic: str, spec=OffsetSpec.LATEST, partition: int = 0) -> int:
    """One partition's log-start (``OffsetSpec.EARLIEST``) or log-end offset, via the admin API."""
    admin = make_admin()
    try:
        answer = admin.list_partition_offsets({TopicPartition(topic, partition): spec})
    finally:
        admin.close()
    return answer[TopicPartition(topic, partition)].offset


def read_from(topic: str, offset: int | None = None, partition: int = 0,
              timeout_s: float = 10.0, **config) -> list[Record]:
    """Every record of one partition from ``offset`` (None: the log start) to its current end."""
    consumer = make_consumer(key_deserializer=StrDeserializer(),
                             value_deserializer=StrDeserializer(), **config)
    tp = TopicPartition(topic, partition)
    consumer.assign([tp])
    if offset is None:
        consumer.seek_to_beginning(tp)
    else:
        consumer.seek(tp, offset)
    end = consumer.end_offsets([tp])[tp]  # the high watermark (or LSO under read_committed)
    records: list[Record] = []
    deadline = time.monotonic() + timeout_s
    try:
        while consumer.position(tp) < end:
            if time.monotonic() > deadline:
                raise PipelineError(f"reading {topic!r} stopped at offset "
                                    f"{consumer.position(tp)} of {end}: is the broker running?")
            for r in consumer.poll(timeout_ms=200).get(tp, []):
                records.append(Record(r.key, r.value, r.partition, r.offset))
    finally:
        consumer.close(autocommit=False)
    return records


def send_records(topic: str, items: list[tuple[str, str, int | None]]) -> None:
    """Send (key, value, timestamp_ms or None) records and wait for every acknowledgement.

    One record per batch on the embedded broker, whose log-end offset is wrong after a batch of
    several (``fundamentals.keyed_producer``): :func:`read_from` reads up to that offset.
    """
    producer = keyed_producer()
    try:
        futures = [producer.send(topic, key=k, value=v, timestamp_ms=ts) for k, v, ts in items]
        producer.flush(timeout=10)
        for f in futures:
            f.get(timeout=10)
    finally:
        producer.close(timeout=10)
