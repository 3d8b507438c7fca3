"""The producer, taught on the real cluster: its durability defaults, batching, keyless records.

Lesson 04 used a producer without saying what it promises. Where data loss comes from in
production is the producer's settings meeting a broker failure, so lesson 05b starts here:

* :func:`producer_defaults` reads the installed kafka-python's own defaults (they follow the Java
  client since Kafka 3.0, KIP-679: ``acks=all``, retries without limit, idempotence on), so the
  table can never drift from the library the learner runs;
* :func:`batching` sends at a fixed pace with two ``linger_ms`` values and reads the client's
  ``records-per-request-avg`` metric: waiting a few ms lets records share a request;
* :func:`keyless_partitions` shows where records without a key go.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

import math
import time
from typing import Any

from course_lib.core import progress
from course_lib.core.naming import unique_name
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.live.failover.run import quiet_client_logs

__all__ = ["DURABILITY_SETTINGS", "batching", "in_send_order", "keyless_partitions",
           "producer_defaults"]

#: (kafka-python name, Java name, Java default since Kafka 3.0 / 4.0, why it matters)
DURABILITY_SETTINGS = (
    ("acks", "acks", "all", "who must have the record before the producer hears 'done'"),
    ("retries", "retries", "2147483647", "resend after a retriable error ..."),
    ("delivery_timeout_ms", "delivery.timeout.ms", "120000", "... until this much time passed"),
    ("enable_idempotence", "enable.idempotence", "true",
     "the broker drops a resent record it already has"),
    ("max_in_flight_requests_per_connection", "max.in.flight.requests.per.connection", "5",
     "unacknowledged requests per broker (<= 5 keeps order with idempotence)"),
    ("linger_ms", "linger.ms", "5", "how long a batch waits for more records (Kafka 4.0: 5)"),
    ("batch_size", "batch.size", "16384", "bytes per partition batch"),
)


def _shown(value: Any) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if value is True or value is False:
        return str(value).lower()
    return str(-1 if value == -1 else value)


def producer_defaults() -> list[list[str]]:
    """Rows: setting | kafka-python default (read from the installed client) | Java | why."""
    from kafka import KafkaProducer

    config = KafkaProducer.DEFAULT_CONFIG
    return [[java, _shown(config[py]), java_default, why]
            for py, java, java_default, why in DURABILITY_SETTINGS]


def batching(cluster: Any, linger_ms: int, records: int = 200, rate: float = 400.0) -> float:
    """Average records per produce request when sending ``records`` at ``rate`` per second."""
    # a topic on 3 brokers and half a second of paced sends: seconds per call
    with quiet_client_logs(), progress.task(f"linger_ms={linger_ms}", "batches measured"):
        return _batching(cluster, linger_ms, records, rate)


def _batching(cluster: Any, linger_ms: int, records: int, rate: float) -> float:
    from course_lib.kafka.clients.producer import CourseProducer

    progress.phase("creating a topic on 3 brokers")
    topic = create_topic(unique_name("batching"), 1, replication_factor=3,
                         bootstrap_servers=cluster.up_bootstrap_servers())
    producer = CourseProducer(bootstrap_servers=cluster.bootstrap_servers, linger_ms=linger_ms,
                              max_block_ms=10000, request_timeout_ms=5000)
    try:
        progress.phase("fetching the new topic's metadata")
        producer.send(topic, b"warm-up").get(timeout=15)   # metadata first
        progress.phase(f"sending {records} records at {rate:g}/s")
        start = time.monotonic()
        for i in range(records):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            producer.send(topic, str(i).encode())
        producer.flush(timeout=15)
        return round(_metric(producer, "records-per-request-avg"), 1)
    finally:
        producer.close(timeout=5)


def _metric(producer: Any, name: str) -> float:
    """One producer-level metric (kafka-python names them as the Java client does)."""
    return float(producer.metrics()["producer-metrics"][name])


def keyless_partitions(cluster: Any, records: int = 30, partitions: int = 3) -> list[int]:
    """The partition each of ``records`` keyless records went to (a 3-partition topic)."""
    with quiet_client_logs(), progress.task("keyless records", "partitions read"):
        return _keyless(cluster, records, partitions)


def _keyless(cluster: Any, records: int, partitions: int) -> list[int]:
    from course_lib.kafka.clients.producer import CourseProducer

    progress.phase("creating a topic on 3 brokers")
    topic = create_topic(unique_name("keyless"), partitions, replication_factor=3,
                         bootstrap_servers=cluster.up_bootstrap_servers())
    producer = CourseProducer(bootstrap_servers=cluster.up_bootstrap_servers(), max_block_ms=10000)
    try:
        progress.phase(f"sending {records} keyless records")
        producer.send(topic, b"warm-up").get(timeout=15)
        futures = [producer.send(topic, str(i).encode()) for i in range(records)]
        return [f.get(timeout=15).partition for f in futures]
    finally:
        producer.close(timeout=5)


def in_send_order(read_back: list[int]) -> bool:
    """True when the partition holds the sequence numbers in the order they were sent."""
    return all(a < b for a, b in zip(read_back, read_back[1:], strict=False))
