"""The real broker's side of replication: describe a topic's leader, replicas and ISR.

Kept apart from the model (:mod:`course_lib.kafka.models.replication`) because these talk to a
running cluster; the model needs no broker.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

__all__ = ["describe_topic_replicas", "replicated_topic"]


def describe_topic_replicas(topic: str) -> list[dict]:
    """The real topic's partitions: leader, replicas and ISR (from the broker's metadata)."""
    from course_lib.kafka.clients.factory import make_admin

    admin = make_admin()
    try:
        described = admin.describe_topics([topic])
    finally:
        admin.close()
    return [{"partition": p["partition_index"], "leader": p["leader_id"],
             "replicas": list(p["replica_nodes"]), "isr": list(p["isr_nodes"])}
            for t in described for p in sorted(t["partitions"], key=lambda p: p["partition_index"])]


def replicated_topic(partitions: int = 2) -> tuple[int, str, list[dict]]:
    """Create a topic replicated ``min(3, brokers)`` times on the real cluster and describe it.

    Returns (number of brokers, topic name, partitions). The embedded broker is a single node,
    so there RF is 1; an external 3-broker cluster shows 3 replicas and the ISR of each partition.
    """
    from course_lib.core.naming import unique_name
    from course_lib.kafka.clients.factory import make_admin
    from course_lib.kafka.clients.topics import create_topic

    admin = make_admin()
    try:
        brokers = len(admin.describe_cluster()["brokers"])
    finally:
        admin.close()
    topic = create_topic(unique_name("replicated"), partitions, replication_factor=min(3, brokers))
    return brokers, topic, describe_topic_replicas(topic)
