"""Both brokers: start-up time, resident memory, kafka-python produce/consume throughput.

The embedded broker (Tansu) and the course's Apache Kafka (``KafkaCluster``) are measured the
same way: one producer (acks=all, linger 5 ms) then one assigned consumer, on one partition.
"""

from __future__ import annotations

import statistics
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from course_lib.core.naming import unique_name
from course_lib.kafka.models.settings import ADMIN_DEFAULTS, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS
from course_lib.kafka.runtime.embedded import start_broker


def startup_times(runs: int = 10) -> list[float]:
    """Seconds from process start to the first accepted TCP connection, ``runs`` brokers."""
    times = []
    for _ in range(runs):
        broker = start_broker()
        times.append(broker.startup_s)
        broker.stop()
    return times


def throughput(messages: int = 20000, size: int = 100) -> dict[str, float]:
    """Messages per second against a fresh embedded broker."""
    broker = start_broker()
    try:
        return measure_throughput(broker.address, messages, size)
    finally:
        broker.stop()


def measure_throughput(address: str, messages: int = 20000, size: int = 100,
                       replication_factor: int = 1) -> dict[str, float]:
    """Messages per second for one producer (acks=all) and one assigned consumer at ``address``."""
    from kafka import KafkaAdminClient

    topic = unique_name("bench")
    admin = KafkaAdminClient(bootstrap_servers=address, **ADMIN_DEFAULTS)
    admin.create_topics([NewTopic(topic, 1, replication_factor)])
    admin.wait_for_topics([topic], timeout_ms=10000)
    admin.close()
    payload = b"x" * size
    producer = KafkaProducer(bootstrap_servers=address, **PRODUCER_DEFAULTS,
                             linger_ms=5)
    started = time.perf_counter()
    for i in range(messages):
        producer.send(topic, key=str(i % 16).encode(), value=payload)
    producer.flush()
    produce_s = time.perf_counter() - started
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=address, **CONSUMER_DEFAULTS)
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
    return {"messages": messages, "size_bytes": size, "produce_per_s": messages / produce_s,
            "consume_per_s": count / consume_s}


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": 1000 * statistics.median(ordered),
            "max_ms": 1000 * ordered[-1]}


def _rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def apache_kafka(starts: int = 3) -> dict[str, object]:
    """Ready times of 1- and 3-broker clusters, RSS per JVM, and throughput on both sizes."""
    from course_lib.kafka.runtime.cluster import KafkaCluster

    one, three, rss, tput = [], [], [], {}
    for run in range(starts):
        with KafkaCluster(brokers=1) as cluster:
            one.append(cluster.startup_s)
            if run == 0:
                tput["1 broker, RF 1"] = measure_throughput(cluster.bootstrap_servers)
                rss.append(("1 broker (combined node)", _rss_mb(cluster.pid(1))))
    for run in range(starts):
        with KafkaCluster(brokers=3) as cluster:
            three.append(cluster.startup_s)
            if run == 0:
                tput["3 brokers, RF 3"] = measure_throughput(cluster.bootstrap_servers,
                                                             replication_factor=3)
                for node_id, process in cluster.processes.items():
                    role = "controller" if node_id not in cluster.broker_ids else "broker"
                    rss.append((f"3 brokers: {role} {node_id}", _rss_mb(process.pid)))
    return {"one_s": one, "three_s": three, "rss_mb": rss, "throughput": tput}
