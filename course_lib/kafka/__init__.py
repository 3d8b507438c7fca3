"""Kafka for the course: the embedded broker, client defaults, and (in later lessons) models.

``bootstrap_servers()`` is the one entry point a lesson needs: it returns the address of a Kafka
the learner can use — their own (``KAFKA_BOOTSTRAP_SERVERS``) or the course's embedded Tansu
broker, started on demand and stopped when the Python process exits.
"""

from course_lib.kafka.broker import (
    BrokerError,
    EmbeddedBroker,
    bootstrap_servers,
    embedded_broker,
    stop_embedded_broker,
)
from course_lib.kafka.clients import (
    CONSUMER_DEFAULTS,
    make_admin,
    make_consumer,
    make_producer,
)

__all__ = [
    "BrokerError",
    "CONSUMER_DEFAULTS",
    "EmbeddedBroker",
    "bootstrap_servers",
    "embedded_broker",
    "make_admin",
    "make_consumer",
    "make_producer",
    "stop_embedded_broker",
]
