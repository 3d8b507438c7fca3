"""How a Kafka cluster spreads partition leadership over its brokers, read from a real cluster.

Every partition has one leader (which takes its writes and, by default, its reads) and followers
that copy it. Kafka's replica placement stripes partitions over the brokers, so the leaders of a
topic's partitions land on different brokers and the load of leading is shared: with three
partitions on three brokers, each broker leads one and follows two. Lesson 05b shows it before it
starts breaking brokers; ``tests/test_kafka_cluster.py`` checks it.
"""

from __future__ import annotations

from typing import Any

from course_lib.core.naming import unique_name
from course_lib.kafka.clients.topics import create_topic


def spread_topic(cluster: Any, partitions: int = 3, replication_factor: int = 3,
                 timeout_s: float = 15.0) -> list[dict[str, Any]]:
    """Create a topic on ``cluster`` and return each partition's leader, replicas and ISR."""
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise ValueError(f"partitions must be an integer >= 1 (got {partitions!r})")
    topic = create_topic(unique_name("spread"), partitions,
                         replication_factor=replication_factor,
                         bootstrap_servers=cluster.up_bootstrap_servers())
    cluster.wait_for(lambda: all(cluster.leader(topic, p) is not None
                                 and len(cluster.isr(topic, p)) == replication_factor
                                 for p in range(partitions)),
                     timeout_s, f"every partition of {topic} to have a leader and a full ISR")
    rows = []
    for p in range(partitions):
        entry = cluster.partition(topic, p)
        rows.append({"partition": p, "leader": entry["leader_id"],
                     "replicas": list(entry["replica_nodes"]),
                     "isr": sorted(entry["isr_nodes"])})
    return rows


def distinct_leaders(rows: list[dict[str, Any]]) -> int:
    """How many different brokers lead the partitions described by ``rows``."""
    return len({row["leader"] for row in rows})
