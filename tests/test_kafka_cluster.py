"""A real Apache Kafka cluster: replication, leader failover, the ISR, and no orphan JVMs."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import NotEnoughReplicasError

from course_lib.core.naming import unique_name

pytestmark = [pytest.mark.apache_kafka, pytest.mark.slow]


def _topic(cluster, rf: int = 3, min_isr: int = 2, leader: int | None = None) -> str:
    name = unique_name("cluster-test")
    admin = cluster.admin()
    try:
        spec = {"configs": {"min.insync.replicas": str(min_isr)}}
        if leader is not None:  # put the leader where the test wants it
            others = [b for b in cluster.broker_ids if b != leader][: rf - 1]
            spec["assignments"] = {0: [leader, *others]}
        else:
            spec |= {"num_partitions": 1, "replication_factor": rf}
        admin.create_topics({name: spec})
    finally:
        admin.close()
    cluster.wait_for(lambda: len(cluster.isr(name)) == rf, 15, f"{name}'s ISR")
    return name


def _producer(cluster, **overrides) -> KafkaProducer:
    config = {"bootstrap_servers": cluster.bootstrap_servers, "acks": "all",
              "request_timeout_ms": 5000, "max_block_ms": 10000, "linger_ms": 5} | overrides
    return KafkaProducer(**config)


def _read_all(cluster, topic: str) -> list[int]:
    consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap_servers,
                             consumer_timeout_ms=3000, enable_auto_commit=False,
                             request_timeout_ms=10000)
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        return [int(record.value) for record in consumer]
    finally:
        consumer.close()


def test_leader_crash_loses_no_acknowledged_record_and_two_down_is_not_enough(cluster):
    """The issue's must-show: RF 3, min ISR 2, acks=all; SIGKILL the leader; then a second."""
    topic = _topic(cluster)
    producer = _producer(cluster)
    futures = [(i, producer.send(topic, str(i).encode())) for i in range(100)]
    producer.flush(timeout=30)
    old_leader = cluster.leader(topic)
    cluster.kill(old_leader)                         # SIGKILL: a crash, no controlled shutdown
    for i in range(100, 300):
        futures.append((i, producer.send(topic, str(i).encode())))
        time.sleep(0.005)
    producer.flush(timeout=60)
    acknowledged = [i for i, f in futures if f.succeeded()]
    assert len(acknowledged) == 300, [f.exception for _, f in futures if f.failed()][:3]
    new_leader = cluster.leader(topic)
    assert new_leader not in (None, old_leader)
    assert old_leader not in cluster.isr(topic)

    second = next(b for b in cluster.isr(topic) if b != new_leader)
    cluster.kill(second)
    cluster.wait_for(lambda: cluster.isr(topic) == [new_leader], 20, "the ISR to shrink")
    strict = _producer(cluster, retries=0, enable_idempotence=False)
    started = time.monotonic()
    with pytest.raises(NotEnoughReplicasError):
        strict.send(topic, b"-1").get(timeout=20)
    assert time.monotonic() - started < 5, "NotEnoughReplicas, not a time-out"
    read = _read_all(cluster, topic)                 # reads go on with one replica
    assert set(acknowledged) <= set(read) and len(read) == len(set(read))
    producer.close(timeout=5)
    strict.close(timeout=5)


def test_controlled_shutdown_moves_leadership_before_the_broker_exits(cluster):
    topic = _topic(cluster, leader=cluster.broker_ids[0])
    leader = cluster.leader(topic)
    cluster.kill(leader, how="term")                 # returns once the JVM has exited
    assert not cluster.running(leader)
    new_leader = cluster.leader(topic)
    assert new_leader is not None and new_leader != leader


def test_a_frozen_follower_drops_out_of_the_isr_and_rejoins(cluster):
    topic = _topic(cluster, leader=cluster.broker_ids[0])
    follower = next(b for b in cluster.isr(topic) if b != cluster.leader(topic))
    producer = _producer(cluster, acks=1,
                         bootstrap_servers=cluster.address(cluster.leader(topic)))
    producer.send(topic, b"0").get(timeout=10)       # metadata loaded before the freeze

    def dropped() -> bool:
        producer.send(topic, b"1")                   # the leader has data the follower lacks
        return follower not in cluster.isr(topic)

    cluster.kill(follower, how="stop")               # SIGSTOP: alive to the kernel, silent
    try:
        cluster.wait_for(dropped, 20, "the frozen follower to leave the ISR", interval_s=0.5)
    finally:
        cluster.resume(follower)
    cluster.wait_for(lambda: follower in cluster.isr(topic), 30, "the follower to rejoin")
    producer.close(timeout=5)


def test_a_restarted_broker_catches_up_and_rejoins_the_isr(cluster):
    topic = _topic(cluster, leader=cluster.broker_ids[0])
    follower = next(b for b in cluster.isr(topic) if b != cluster.leader(topic))
    cluster.kill(follower)
    producer = _producer(cluster)
    for i in range(50):
        producer.send(topic, str(i).encode())
    producer.flush(timeout=30)
    cluster.restart(follower)
    cluster.wait_for(lambda: follower in cluster.isr(topic), 30, "the restarted broker to rejoin")
    producer.close(timeout=5)


def test_bad_arguments_are_named(cluster):
    with pytest.raises(ValueError, match=r"broker_id must be one of \[1, 2, 3\] \(got 7\)"):
        cluster.kill(7)
    with pytest.raises(ValueError, match="how must be 'kill', 'term' or 'stop'"):
        cluster.kill(1, how="explode")
    from course_lib.kafka.runtime.cluster import KafkaCluster

    with pytest.raises(ValueError, match="brokers must be an integer from 1 to 5"):
        KafkaCluster(brokers=0)


def test_partition_leadership_is_spread_over_the_brokers(cluster):
    from course_lib.kafka.live.leadership import distinct_leaders, spread_topic

    rows = spread_topic(cluster, partitions=3)
    assert distinct_leaders(rows) == 3  # each broker leads one partition
    for row in rows:
        assert sorted(row["replicas"]) == [1, 2, 3] and row["isr"] == [1, 2, 3]
        assert row["leader"] == row["replicas"][0]  # the preferred leader leads
    with pytest.raises(ValueError, match="partitions must be an integer >= 1"):
        spread_topic(cluster, partitions=0)
