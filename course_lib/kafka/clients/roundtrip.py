"""A produce/consume round trip: the smallest proof that a Kafka broker works for the course."""

from __future__ import annotations

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from course_lib.core.naming import unique_name
from course_lib.kafka.models.settings import ADMIN_DEFAULTS, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS


def round_trip(address: str, messages: int = 10, timeout_s: float = 10.0) -> list[bytes]:
    """Create a topic, produce ``messages`` values, read them back with ``assign()``.

    ``assign()`` rather than a consumer group: a group join costs seconds, and this check is
    about the broker, not group coordination. Returns the values read, in order; raises
    ``RuntimeError`` if fewer than ``messages`` come back within ``timeout_s``.
    """
    from kafka import KafkaAdminClient

    topic = unique_name("doctor")
    admin = KafkaAdminClient(bootstrap_servers=address, **ADMIN_DEFAULTS)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=address, **PRODUCER_DEFAULTS)
    try:
        for i in range(messages):
            producer.send(topic, value=f"ping {i}".encode())
        producer.flush(timeout=timeout_s)
    finally:
        producer.close(timeout=timeout_s)
    consumer = KafkaConsumer(bootstrap_servers=address,
                             **{**CONSUMER_DEFAULTS, "consumer_timeout_ms": int(timeout_s * 1000)})
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        values = []
        for record in consumer:
            values.append(record.value)
            if len(values) == messages:
                break
    finally:
        consumer.close()
    if len(values) < messages:
        raise RuntimeError(f"only {len(values)} of {messages} messages came back "
                           f"within {timeout_s:.0f} s")
    return values
