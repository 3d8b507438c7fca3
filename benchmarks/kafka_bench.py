"""Embedded broker start-up time and kafka-python produce/consume throughput against it."""

from __future__ import annotations

import statistics
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from course_lib.kafka.broker import start_broker
from course_lib.kafka.clients import ADMIN_DEFAULTS, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS
from course_lib.naming import unique_name


def startup_times(runs: int = 10) -> list[float]:
    """Seconds from process start to the first accepted TCP connection, ``runs`` brokers."""
    times = []
    for _ in range(runs):
        broker = start_broker()
        times.append(broker.startup_s)
        broker.stop()
    return times


def throughput(messages: int = 20000, size: int = 100) -> dict[str, float]:
    """Messages per second for one producer (acks=all) and one assigned consumer."""
    from kafka import KafkaAdminClient

    broker = start_broker()
    try:
        topic = unique_name("bench")
        admin = KafkaAdminClient(bootstrap_servers=broker.address, **ADMIN_DEFAULTS)
        admin.create_topics([NewTopic(topic, 1, 1)])
        admin.close()
        payload = b"x" * size
        producer = KafkaProducer(bootstrap_servers=broker.address, **PRODUCER_DEFAULTS,
                                 linger_ms=5)
        started = time.perf_counter()
        for i in range(messages):
            producer.send(topic, key=str(i % 16).encode(), value=payload)
        producer.flush()
        produce_s = time.perf_counter() - started
        producer.close()
        consumer = KafkaConsumer(bootstrap_servers=broker.address, **CONSUMER_DEFAULTS)
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        started, count = time.perf_counter(), 0
        for _ in consumer:
            count += 1
            if count == messages:
                break
        consume_s = time.perf_counter() - started
        consumer.close()
    finally:
        broker.stop()
    return {"messages": messages, "size_bytes": size, "produce_per_s": messages / produce_s,
            "consume_per_s": count / consume_s}


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": 1000 * statistics.median(ordered),
            "max_ms": 1000 * ordered[-1]}
