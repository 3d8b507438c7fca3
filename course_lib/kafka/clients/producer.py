"""A kafka-python producer that names a missing topic within seconds instead of a minute later.

Against a Kafka that does not create topics on first use (the course's lab clusters,
``models/settings.LAB_CLUSTER_ONLY``), kafka-python's ``send()`` to a topic that does not exist
asks for its metadata again and again until ``max_block_ms`` (60 s by default) runs out, then
raises ``KafkaTimeoutError("Failed to update metadata after 60.0 secs.")``, naming neither the
topic nor the cause, while its log repeats "Topic … not found in cluster metadata".

:class:`CourseProducer` checks a topic once, on its first ``send`` (or ``partitions_for``): it
waits at most :data:`TOPIC_CHECK_S` for the topic's metadata. If the broker answered in that
time but without the topic, it raises :class:`~course_lib.core.errors.MissingTopicError` naming
the topic and how to create it. If the broker did not answer at all (slow, restarting, away), it
keeps waiting the rest of ``max_block_ms``, as kafka-python would, so a failover is not mistaken
for a missing topic. A topic that exists, or that the broker creates on first use (stock Kafka:
the lessons' default broker, the embedded one), passes at the speed of one metadata round trip.

``make_producer`` and the lab producers build this class. A raw ``kafka.KafkaProducer`` a learner
builds is out of the course's hands: on a lab cluster it waits its ``max_block_ms``.

It reads two kafka-python internals (``_wait_on_metadata``, the metadata's last successful
refresh and tracked topics), checked against kafka-python 3.0.x (``pyproject.toml`` pins <4).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

from course_lib.core.errors import MissingTopicError

#: How long a first send waits for a topic's metadata before calling a missing topic missing.
#: A topic a broker creates on first use, or one just created, is listed within about 0.5 s.
TOPIC_CHECK_S = 3.0


class _Quiet(logging.Filter):
    """Drops kafka-python's per-retry "Topic … not found" lines for topics under a check: the
    check ends in one error naming the topic, or the topic turns up."""

    def __init__(self) -> None:
        super().__init__()
        self.topics: set[str] = set()
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """Never raises: an exception here escapes the caller's ``log.error(...)``. An earlier
        version tested ``args[0] in self.topics`` on any argument, and kafka-python's errors
        are unhashable (they define ``__eq__``): its "Metadata refresh: failed %s" line then
        raised TypeError inside the client's metadata loop, which died, and every client in
        the process kept its dead leader for good (lost orders in lesson 07's live run)."""
        args = record.args if isinstance(record.args, tuple) else ()
        first = args[0] if args else None
        if not isinstance(first, str):
            return True
        with self.lock:
            return first not in self.topics


_quiet = _Quiet()
logging.getLogger("kafka.cluster").addFilter(_quiet)


class CourseProducer(KafkaProducer):
    """``KafkaProducer`` that checks each topic on first use (see the module docstring)."""

    def __init__(self, **configs: Any) -> None:
        super().__init__(**configs)
        self._checked: set[str] = set()

    def send(self, topic: str, *args: Any, **kwargs: Any) -> Any:
        self._check_topic(topic)
        return super().send(topic, *args, **kwargs)

    def close(self, timeout: float | None = None, null_logger: bool = False) -> None:
        """Close within ``timeout``, as the Java client's ``close(timeout)`` does.

        kafka-python's ``close`` flushes first and raises ``KafkaTimeoutError`` when the time
        is up, leaving its sender thread retrying in the background (a batch retried on
        ``NOT_ENOUGH_REPLICAS`` can outlive ``delivery.timeout.ms`` in this client) and its
        ``__del__`` raising again later. Java's closes forcefully instead: unsent batches are
        failed, each send told so. This does the same, then closes for real.
        """
        try:
            super().close(timeout, null_logger)
        except KafkaTimeoutError:
            sender = getattr(self, "_sender", None)
            if sender is not None:
                sender.force_close()  # fails every incomplete batch, then the thread ends
                sender.join(5)
            super().close(0, null_logger)

    def partitions_for(self, topic: str) -> Any:
        self._check_topic(topic)
        return super().partitions_for(topic)

    def _check_topic(self, topic: str) -> None:
        if not isinstance(topic, str) or topic in self._checked:
            return  # kafka-python itself refuses a non-string topic
        budget_s = self.config["max_block_ms"] / 1000
        started = time.monotonic()
        with _quiet.lock:
            _quiet.topics.add(topic)
        try:
            self._wait_on_metadata(topic, int(min(budget_s, TOPIC_CHECK_S) * 1000))
        except KafkaTimeoutError:
            waited = time.monotonic() - started
            if self._answered_without(topic, started):
                self._metadata._topics.discard(topic)  # stop asking for it every 100 ms
                raise MissingTopicError(topic, _servers(self.config["bootstrap_servers"]),
                                        waited) from None
            if waited >= budget_s:
                raise
            # No answer at all: a broker away or electing. Wait as kafka-python would.
            self._wait_on_metadata(topic, int((budget_s - waited) * 1000))
        finally:
            with _quiet.lock:
                _quiet.topics.discard(topic)
        self._checked.add(topic)

    def _answered_without(self, topic: str, since: float) -> bool:
        """True when a metadata answer came after ``since`` (monotonic s) and lacked ``topic``."""
        metadata = self._metadata
        answered = metadata._last_successful_refresh_ms >= since * 1000
        return bool(answered and metadata.partitions_for_topic(topic) is None)


def _servers(value: Any) -> str:
    return value if isinstance(value, str) else ",".join(value)
