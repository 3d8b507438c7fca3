"""Kafka for the course: a real Apache Kafka, the embedded fallback, client defaults, models.

``bootstrap_servers()`` is the one entry point a lesson needs: it returns the address of a Kafka
the learner can use — their own (``KAFKA_BOOTSTRAP_SERVERS``), a one-broker Apache Kafka the
course starts on demand, or the embedded Tansu broker where Java or Kafka's jars cannot be had
(``default_broker.py`` says how it chooses). ``KafkaCluster`` starts a multi-broker Apache
Kafka for the fault-tolerance lessons.
"""

from course_lib.kafka import client_fixes
from course_lib.kafka.broker import (
    BrokerError,
    EmbeddedBroker,
    embedded_broker,
    stop_embedded_broker,
)
from course_lib.kafka.clients import (
    CONSUMER_DEFAULTS,
    make_admin,
    make_consumer,
    make_producer,
)
from course_lib.kafka.cluster import ClusterError, KafkaCluster
from course_lib.kafka.default_broker import (
    backend,
    bootstrap_servers,
    default_cluster,
    stop_default_cluster,
)

client_fixes.apply()  # kafka-python 3.0.x loses some group joins: see client_fixes.py

__all__ = [
    "BrokerError",
    "CONSUMER_DEFAULTS",
    "ClusterError",
    "EmbeddedBroker",
    "KafkaCluster",
    "backend",
    "bootstrap_servers",
    "default_cluster",
    "embedded_broker",
    "make_admin",
    "make_consumer",
    "make_producer",
    "stop_default_cluster",
    "stop_embedded_broker",
]
