"""The lessons' default broker behaves as stock Apache Kafka to a plain client; lab clusters
keep topic auto-creation off and the course's producers then name a missing topic in seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from course_lib.core.errors import MissingTopicError
from course_lib.core.naming import unique_name
from course_lib.kafka.models.settings import LAB_CLUSTER_ONLY, LAB_TUNING
from course_lib.kafka.runtime.cluster_config import node_properties, plan_nodes

ROOT = Path(__file__).resolve().parents[1]


def _props(brokers: int, **kwargs: bool) -> dict[str, str]:
    nodes = plan_nodes(brokers, Path("/tmp/x"), list(range(9000, 9010)))
    broker = next(n for n in nodes if n.is_broker)
    text = node_properties(broker, nodes, brokers, **kwargs)
    return dict(line.split("=", 1) for line in text.splitlines())


def test_the_default_broker_leaves_auto_creation_stock_and_lab_clusters_turn_it_off():
    default = _props(1, auto_create_topics=True)
    assert "auto.create.topics.enable" not in default  # Kafka's own default: true
    assert default["num.partitions"] == "1"             # Kafka's own default
    assert _props(1)["auto.create.topics.enable"] == "false"
    assert _props(3)["auto.create.topics.enable"] == "false"
    assert set(LAB_CLUSTER_ONLY) == {"auto.create.topics.enable"}
    assert "auto.create.topics.enable" not in LAB_TUNING


def test_the_default_broker_is_started_stock(monkeypatch):
    from course_lib.kafka.runtime import default_broker

    made: list[dict] = []

    class FakeCluster:
        def __init__(self, brokers: int, **kwargs: object) -> None:
            made.append({"brokers": brokers, **kwargs})

        def start(self) -> FakeCluster:
            return self

    monkeypatch.setattr(default_broker, "KafkaCluster", FakeCluster)
    monkeypatch.setattr(default_broker, "_cluster", default_broker.procs.Singleton(
        default_broker._lock))
    default_broker._apache_cluster()
    assert made == [{"brokers": 1, "auto_create_topics": True}]


FIRST_TOPIC = textwrap.dedent("""
    import json, sys, time
    import course_lib.kafka
    from kafka import KafkaConsumer, KafkaProducer

    address = course_lib.kafka.bootstrap_servers()
    topic = sys.argv[1]
    started = time.monotonic()
    producer = KafkaProducer(bootstrap_servers=address)
    sent = producer.send(topic, b"hi").get(timeout=30)
    partitions = sorted(producer.partitions_for(topic))
    producer.close()
    consumer = KafkaConsumer(topic, bootstrap_servers=address, auto_offset_reset="earliest")
    values, deadline = [], time.monotonic() + 30
    while not values and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            values += [r.value.decode() for r in records]
    consumer.close()
    print(json.dumps({"values": values, "partitions": partitions, "offset": sent.offset,
                      "seconds": time.monotonic() - started,
                      "backend": course_lib.kafka.backend()}))
""")


@pytest.mark.apache_kafka
def test_a_plain_producer_and_consumer_round_trip_on_a_new_topic_in_a_fresh_process():
    """A learner's first experiment: raw kafka-python, a never-created topic, no admin call."""
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env |= {"KAFKA_BACKEND": "apache", "PYTHONPATH": str(ROOT)}
    topic = unique_name("my-topic")
    done = subprocess.run([sys.executable, "-c", FIRST_TOPIC, topic], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["backend"] == "apache"
    assert result["values"] == ["hi"] and result["offset"] == 0
    assert result["partitions"] == [0]           # num.partitions=1, as stock Kafka
    assert result["seconds"] < 10, result        # not kafka-python's 60 s metadata wait


@pytest.mark.apache_kafka
def test_on_a_lab_cluster_the_course_producer_names_a_missing_topic_within_seconds():
    from course_lib.kafka.clients.factory import make_producer
    from course_lib.kafka.clients.topics import create_topic
    from course_lib.kafka.runtime.cluster import KafkaCluster

    topic = unique_name("missing")
    with KafkaCluster(brokers=1) as cluster:
        producer = make_producer(bootstrap_servers=cluster.bootstrap_servers)
        try:
            started = time.monotonic()
            with pytest.raises(MissingTopicError) as caught:
                producer.send(topic, b"hi")
            assert time.monotonic() - started < 6
            message = str(caught.value)
            assert repr(topic) in message and "create_topic(" in message
            assert caught.value.topic == topic
            # Once created, the same producer sends to it.
            create_topic(topic, 1, bootstrap_servers=cluster.bootstrap_servers)
            assert producer.send(topic, b"hi").get(timeout=15).offset == 0
        finally:
            producer.close(timeout=5)


@pytest.mark.kafka
def test_the_embedded_broker_creates_a_missing_topic_with_four_partitions():
    """Tansu auto-creates like stock Kafka, but with 4 partitions (difference 5 in embedded.py)."""
    from kafka import KafkaProducer

    from course_lib.kafka.runtime.embedded import embedded_broker

    topic = unique_name("new")
    producer = KafkaProducer(bootstrap_servers=embedded_broker().address, max_block_ms=10000)
    try:
        assert producer.send(topic, b"hi").get(timeout=10).offset == 0
        assert len(producer.partitions_for(topic)) == 4
    finally:
        producer.close(timeout=5)


def test_the_quiet_filter_never_raises_on_a_client_log_line():
    """kafka-python logs its own errors as arguments, and they are unhashable: the filter must
    let such a line through, not raise (a raise inside ``log.error`` killed the client's
    metadata loop: every client in the process then kept a dead leader for good)."""
    import logging

    from kafka.errors import KafkaConnectionError

    from course_lib.kafka.clients.producer import _quiet

    def record(*args: object) -> logging.LogRecord:
        return logging.LogRecord("kafka.cluster", logging.ERROR, __file__, 1, "%s", args, None)

    with pytest.raises(TypeError):
        hash(KafkaConnectionError("refused"))  # why the old filter raised
    assert _quiet.filter(record(KafkaConnectionError("refused"))) is True
    assert _quiet.filter(record(["a", "list"])) is True and _quiet.filter(record()) is True
    _quiet.topics.add("quiet-topic")
    try:
        assert _quiet.filter(record("quiet-topic")) is False
        assert _quiet.filter(record("other-topic")) is True
        logging.getLogger("kafka.cluster").error("Metadata refresh: failed %s",
                                                 KafkaConnectionError("refused"))
    finally:
        _quiet.topics.discard("quiet-topic")
