"""One way to create a topic, and clear refusals where the embedded broker would fake Kafka.

``create_topic`` works the same on every backend (``default_broker.backend()``): it checks its
arguments, creates the topic and waits until every partition has a leader. What differs is what
a broker can honestly do. Apache Kafka refuses a replication factor larger than its broker count
itself (``INVALID_REPLICATION_FACTOR``), and we turn that into a sentence. The embedded broker
accepts it and reports fake replicas, ignores every topic config, and cannot add partitions (see
``broker.py``, differences 6–8), so on it these helpers raise :class:`TopicError` saying so,
instead of returning Kafka-shaped nonsense. :func:`require_apache` does the same for the other
features it lacks (transactions, timestamp seeks, retention).
"""

from __future__ import annotations

from typing import Any

from kafka.errors import InvalidReplicationFactorError, KafkaError, TopicAlreadyExistsError

from course_lib.core.errors import CourseError
from course_lib.kafka.clients.factory import make_admin
from course_lib.kafka.runtime.default_broker import backend


class TopicError(CourseError, ValueError):
    """A topic request Kafka (or the broker in use) cannot honour; the message says why."""


#: What the embedded broker cannot do, in the words the error messages use.
EMBEDDED_LACKS = {
    "replication": "replicate (it is one process; replicas and ISR it reports are made up)",
    "topic configs": "apply topic configs (it accepts and ignores them: retention never deletes)",
    "partitions": "add partitions to a topic",
    "transactions": "isolate transactions (read_committed consumers see aborted records)",
    "offsets_for_times": "look up offsets by timestamp (it answers offset 0)",
    "describe groups": "describe a group's members (kafka-python cannot parse its answer)",
}


def require_apache(feature: str) -> None:
    """Raise :class:`TopicError` when the lessons' broker is the embedded one and lacks it."""
    if feature not in EMBEDDED_LACKS:
        raise ValueError(f"feature must be one of {sorted(EMBEDDED_LACKS)} (got {feature!r})")
    if backend() == "embedded":
        raise TopicError(
            f"The embedded broker cannot {EMBEDDED_LACKS[feature]}. This step needs Apache "
            "Kafka: run 'python -m course_lib doctor' to see why it was not used.")


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1 (got {value!r})")
    return value


def create_topic(name: str, partitions: int = 1, *, replication_factor: int | None = None,
                 configs: dict[str, str] | None = None, timeout_s: float = 10.0,
                 bootstrap_servers: str | None = None) -> str:
    """Create ``name`` and wait until each partition has a leader; return the name.

    ``replication_factor=None`` means the broker's default (``default.replication.factor``:
    1 on the lessons' single broker, 3 on a 3-broker lab cluster). An existing topic is left
    as it is. ``bootstrap_servers`` names another Kafka than the lessons' one (a
    :class:`~course_lib.kafka.runtime.cluster.KafkaCluster`); that one is Apache Kafka, so nothing
    is refused on the embedded broker's behalf.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string (got {name!r})")
    _positive_int("partitions", partitions)
    if replication_factor is not None:
        _positive_int("replication_factor", replication_factor)
        if replication_factor > 1 and bootstrap_servers is None:
            require_apache("replication")
    if configs and bootstrap_servers is None:
        require_apache("topic configs")
    spec: dict[str, Any] = {"num_partitions": partitions,
                            "replication_factor": replication_factor or -1}
    if configs:
        spec["configs"] = {key: str(value) for key, value in configs.items()}
    admin = make_admin() if bootstrap_servers is None else make_admin(
        bootstrap_servers=bootstrap_servers)
    try:
        admin.create_topics({name: spec}, timeout_ms=int(timeout_s * 1000))
        admin.wait_for_topics([name], timeout_ms=int(timeout_s * 1000))
    except TopicAlreadyExistsError:
        pass
    except InvalidReplicationFactorError as exc:
        brokers = len(admin.describe_cluster()["brokers"])
        raise TopicError(f"replication_factor {replication_factor} is more than the {brokers} "
                         f"broker(s) this Kafka has: a partition keeps at most one replica per "
                         "broker") from exc
    except KafkaError as exc:
        raise TopicError(f"could not create topic {name!r}: {type(exc).__name__}: {exc}") from exc
    finally:
        admin.close()
    return name
