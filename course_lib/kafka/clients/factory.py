"""kafka-python clients with the course's defaults (``kafka/models/settings.py``): bounded calls.

Consumer groups: kafka-python 3 defaults to ``session_timeout_ms=45000`` (KIP-735): a crashed
consumer's partitions then sit unread for 45 s. The lessons use ``session_timeout_ms=6000`` with
``heartbeat_interval_ms=2000`` (Kafka's rule of thumb: heartbeat at most a third of the session
timeout), which hands a crashed consumer's partitions to the others within seconds while still
tolerating a few seconds' pause. (On the embedded fallback broker a join also takes about half the
session timeout, ~3 s with these values: it sleeps on purpose.)

Producers are :class:`~course_lib.kafka.clients.producer.CourseProducer`: on a Kafka that does
not create topics on first use (a lab ``KafkaCluster``), a send to a missing topic raises
``MissingTopicError`` naming it within about 3 s, instead of kafka-python's "Failed to update
metadata" after ``max_block_ms``. On the lessons' default broker (stock Kafka) the send creates
the topic, as any kafka-python producer's would.
"""

from __future__ import annotations

from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from course_lib.kafka.clients import kafka_python_fix
from course_lib.kafka.clients.producer import CourseProducer
from course_lib.kafka.models.settings import ADMIN_DEFAULTS, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS
from course_lib.kafka.runtime.default_broker import bootstrap_servers


def _bootstrap(overrides: dict[str, Any]) -> dict[str, Any]:
    """The lessons' broker, unless the caller names another: asking for it may start one."""
    return {} if "bootstrap_servers" in overrides else {"bootstrap_servers": bootstrap_servers()}


def make_consumer(*topics: str, **overrides: Any) -> KafkaConsumer:
    """A consumer with :data:`CONSUMER_DEFAULTS` (manual commits, reads from the start)."""
    kafka_python_fix.apply()  # kafka-python 3.0.x loses some group joins without it
    config = {**_bootstrap(overrides), **CONSUMER_DEFAULTS, **overrides}
    return KafkaConsumer(*topics, **config)


def make_producer(**overrides: Any) -> KafkaProducer:
    """A producer with ``acks='all'`` and bounded blocking that names a missing topic."""
    config = {**_bootstrap(overrides), **PRODUCER_DEFAULTS, **overrides}
    return CourseProducer(**config)


def make_admin(**overrides: Any) -> KafkaAdminClient:
    """An admin client with bounded requests."""
    config = {**_bootstrap(overrides), **ADMIN_DEFAULTS, **overrides}
    return KafkaAdminClient(**config)
