"""One family for the errors the course raises on purpose, so a lesson or a test can catch
"something the course reports" (:class:`CourseError`) or one kind of it, and a learner reads
which kind from the class.

Two kinds matter in practice:

* :class:`PartError` — a real part (a process, a server, a broker, a cluster, a download) could
  not be started or reached, or did not do what was asked. It is also a ``RuntimeError``, which
  every such error in the course was before this family existed, so old ``except`` clauses hold.
* :class:`WaitTimeout` — a bounded wait (:mod:`course_lib.core.waiting`) ran out. It is also a
  ``TimeoutError``, Python's own word for it, and names what was awaited and for how long.

Bad input is not here: descriptions raise ``ValueError`` (``TypeError`` for a wrong kind of
value) through :mod:`course_lib.core.validate`, as Python's own functions do.
"""

from __future__ import annotations

__all__ = ["BrokerError", "CourseError", "MissingTopicError", "PartError", "WaitTimeout"]


class CourseError(Exception):
    """Base of every error class the course defines; the message says what to do."""


class PartError(CourseError, RuntimeError):
    """A real part could not be started or reached, or did not do what was asked."""


class WaitTimeout(CourseError, TimeoutError):
    """A bounded wait ran out. ``what`` was awaited for ``timeout_s`` seconds; ``last`` is the
    last retriable error seen (a :func:`~course_lib.core.waiting.retry`), or None."""

    def __init__(self, message: str, *, what: str = "", timeout_s: float = 0.0,
                 last: BaseException | None = None) -> None:
        super().__init__(message)
        self.what, self.timeout_s, self.last = what, timeout_s, last

    def __str__(self) -> str:  # TimeoutError would print "[Errno …]" for several args
        return str(self.args[0]) if self.args else ""


class BrokerError(PartError):
    """A Kafka broker — Apache Kafka or the embedded one — could not be started or reached, or
    answered a client with an error; the message says what to do.

    It lives here, not with the embedded broker, because the Apache Kafka paths raise it too
    (``kafka/clients/lag.py``, ``kafka/live/group/lab.py``) and every role of the Kafka area
    (runtime, clients, labs) may import ``core``.
    """


class MissingTopicError(BrokerError):
    """A Kafka that does not create topics on demand (a lab cluster) answered that ``topic`` does
    not exist; the message names it and how to create it.

    Raised by the course's producers (``kafka/clients/producer.py``) within seconds, where a raw
    kafka-python producer would wait its ``max_block_ms`` and say only "Failed to update metadata".
    """

    def __init__(self, topic: str, bootstrap_servers: str, waited_s: float) -> None:
        super().__init__(
            f"topic {topic!r} does not exist on the Kafka at {bootstrap_servers}, which does not "
            f"create topics on first use (checked for {waited_s:.1f} s). Create it first: "
            f"course_lib.kafka.create_topic({topic!r}, partitions, "
            f"bootstrap_servers={bootstrap_servers!r}), or KafkaAdminClient.create_topics.")
        self.topic, self.bootstrap_servers = topic, bootstrap_servers
