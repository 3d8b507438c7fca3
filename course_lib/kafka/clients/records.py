"""Topics, partitions, keys and offsets with real kafka-python clients (lesson 04's first half).

A *topic* is a named log split into *partitions*; each partition is an append-only sequence whose
records are numbered by *offset* (0, 1, 2, …). A producer picks the partition from the record's
*key* (kafka-python hashes it with murmur2, like the Java client), so every record with the same
key lands in the same partition, and a partition is read in offset order: Kafka orders records
*per partition*, not per topic. Records without a key are spread over the partitions.

The helpers below keep every blocking call bounded (``timeout_s``) and turn "the broker went away"
into a :class:`~course_lib.kafka.BrokerError` that says what to do, instead of a hang.

On the embedded fallback broker only, :func:`keyed_producer` sends one record per batch
(``batch_size=0``): that broker reports a partition's end offset as *the base offset of its last
record batch + 1*, too small when a batch holds several records (measured: 9 records in one batch
→ end offset 1), and one record per batch keeps lesson 04's lag arithmetic right there. Apache
Kafka needs no such thing, so the lessons' producer batches as Kafka's does.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import TopicPartition
from kafka.errors import KafkaError
from kafka.serializer import Deserializer, Serializer

from course_lib.core.errors import BrokerError
from course_lib.kafka.clients.factory import make_consumer, make_producer
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.models.history import HistoryReport, Logged, acknowledged, check
from course_lib.kafka.runtime.default_broker import backend

__all__ = ["Record", "StrDeserializer", "StrSerializer", "create_topic", "history",
           "key_order_ok", "keyed_producer", "produce_keyed", "read_partitions"]


class StrSerializer(Serializer):
    """UTF-8 text → bytes (kafka-python 3 warns about plain functions as serializers)."""

    def serialize(self, topic, headers, data):
        return None if data is None else str(data).encode()


class StrDeserializer(Deserializer):
    """bytes → UTF-8 text."""

    def deserialize(self, topic, headers, data):
        return None if data is None else data.decode()


@dataclass(frozen=True)
class Record:
    """One record as stored: where it went (partition, offset) and what it carries."""

    key: str | None
    value: str
    partition: int
    offset: int


def _broker_gone(what: str, exc: Exception) -> BrokerError:
    return BrokerError(
        f"{what} failed: {type(exc).__name__}: {exc}. Is the broker still running? Re-run the "
        "setup cell (the embedded broker restarts on demand) or check KAFKA_BOOTSTRAP_SERVERS."
    )


def keyed_producer(**overrides: Any):
    """A producer of text keys and values (one record per batch on the embedded broker only)."""
    config: dict[str, Any] = {"key_serializer": StrSerializer(),
                              "value_serializer": StrSerializer()}
    if backend() == "embedded":
        config["batch_size"] = 0  # see the module docstring
    config |= overrides
    return make_producer(**config)


def produce_keyed(topic: str, items: Iterable[tuple[str | None, str]], *,
                  timeout_s: float = 10.0, producer=None) -> list[Record]:
    """Send ``(key, value)`` pairs in order and return where each landed, in sending order."""
    own = producer is None
    producer = producer or keyed_producer()
    try:
        futures = [(k, v, producer.send(topic, key=k, value=v)) for k, v in items]
        producer.flush(timeout=timeout_s)
        out = []
        for key, value, future in futures:
            meta = future.get(timeout=timeout_s)
            out.append(Record(key, value, meta.partition, meta.offset))
        return out
    except KafkaError as exc:
        raise _broker_gone(f"producing to {topic!r}", exc) from exc
    finally:
        if own:
            producer.close(timeout=timeout_s)


def read_partitions(topic: str, partitions: Sequence[int], *, expected: int,
                    timeout_s: float = 10.0) -> list[Record]:
    """Read ``expected`` records from the start of ``partitions`` with ``assign()`` (no group).

    Without a group there is no join to wait for and nothing is committed: this is the "just
    read the log" view. Returns records sorted by (partition, offset).
    """
    consumer = make_consumer(key_deserializer=StrDeserializer(),
                             value_deserializer=StrDeserializer())
    try:
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        records: list[Record] = []
        polls = max(1, int(timeout_s / 0.2))
        for _ in range(polls):
            for batch in consumer.poll(timeout_ms=200).values():
                records += [Record(r.key, r.value, r.partition, r.offset) for r in batch]
            if len(records) >= expected:
                break
        else:
            raise BrokerError(
                f"read {len(records)} of {expected} records from {topic!r} within {timeout_s:g} s; "
                "is the broker still running?"
            )
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def key_order_ok(sent: Sequence[tuple[str | None, str]], received: Iterable[Record]) -> bool:
    """True when, for every key, the values arrive in the order they were sent.

    ``received`` may interleave keys and partitions in any way (several consumers, several
    partitions); only the order *within* each key is compared.
    """
    want: dict[str | None, list[str]] = {}
    for key, value in sent:
        want.setdefault(key, []).append(value)
    got: dict[str | None, list[str]] = {}
    for record in received:
        got.setdefault(record.key, []).append(record.value)
    return want == got


def history(sent: Sequence[Record], stored: Iterable[Record]) -> HistoryReport:
    """The lab's produce-then-read as one whole history for the history checker
    (:func:`course_lib.kafka.models.history.check`): each record sent is a send the broker
    acknowledged at its partition and offset, each record read back a record of the final log.
    A record is known by its key and value; equal pairs are matched in sending order."""
    seqs: dict[tuple[str | None, str], list[int]] = {}
    for i, r in enumerate(sent):
        seqs.setdefault((r.key, r.value), []).append(i)
    sends = acknowledged([r.offset for r in sent], [r.partition for r in sent])
    seen: dict[tuple[str | None, str], int] = {}
    log = []
    for r in stored:
        pair = (r.key, r.value)
        if pair not in seqs:
            continue  # not this run's (a topic shared with an earlier run)
        n = seen.get(pair, 0)
        seen[pair] = n + 1
        log.append(Logged(r.partition, r.offset, seqs[pair][min(n, len(seqs[pair]) - 1)]))
    return check(sends, log)
