"""Which Kafka a lesson talks to: Apache Kafka by default, the embedded broker as the fallback.

``bootstrap_servers()`` is the one entry point the lessons use. In order:

1. ``KAFKA_BOOTSTRAP_SERVERS`` set: that Kafka (checked once to answer as Kafka within ~5 s).
   :func:`backend` says ``"external"``.
2. ``KAFKA_BACKEND=embedded``: the embedded Tansu broker (``broker.py``), Java-free.
3. Otherwise a real **Apache Kafka** (one combined KRaft node, ``cluster.py``), started on first
   use and kept for the kernel's life, when Java 17+ and the jars can be had. The jars are
   fetched once (about 45 MB); an unreachable repository is reported within about 5 s. To a
   client it is stock Kafka: a producer or consumer naming a new topic creates it, with one
   partition (``models/settings.py`` lists what the course tunes, and why).
   ``KAFKA_BACKEND=apache`` makes this mandatory: no fallback, a clear error instead.
4. If Apache Kafka cannot be had, the embedded broker, saying once why.

Either way one line says which broker is in use and why. The choice is made once per process.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Literal

from course_lib.core import procs, progress
from course_lib.core.errors import BrokerError
from course_lib.kafka.runtime import jars
from course_lib.kafka.runtime.cluster import ClusterError, KafkaCluster
from course_lib.kafka.runtime.embedded import ENV_VAR, check_external, embedded_broker
from course_lib.kafka.runtime.java import find_java, why_no_java

BACKEND_ENV = "KAFKA_BACKEND"
Backend = Literal["apache", "embedded", "external"]
FETCH_PROBE_S = 4.0


@dataclass(frozen=True)
class Choice:
    """The broker a process uses, and the one-line reason."""

    backend: Backend
    reason: str


_lock = threading.Lock()
_choice: Choice | None = None
#: The lessons' Apache Kafka, under the same lock as the choice (:func:`bootstrap_servers`).
_cluster: procs.Singleton[KafkaCluster] = procs.Singleton(_lock)
#: Addresses already announced (an external one: also checked to answer as Kafka).
_announced: set[str] = set()


def requested() -> str:
    """``KAFKA_BACKEND`` as given (``apache``, ``embedded`` or empty for automatic)."""
    value = os.environ.get(BACKEND_ENV, "").strip().lower()
    if value not in ("", "auto", "apache", "embedded"):
        raise BrokerError(f"{BACKEND_ENV} must be 'apache', 'embedded' or unset (got {value!r})")
    return "" if value == "auto" else value


def apache_unavailable() -> str | None:
    """Why Apache Kafka cannot start here (None when it can): no Java, or no jars to be had."""
    if find_java() is None:
        return why_no_java()
    if not jars.cached():
        try:
            jars.fetch(request_timeout_s=FETCH_PROBE_S)
        except jars.JarsError as exc:
            return f"Kafka's jars are not cached and could not be fetched ({exc})"
    return None


def _apache_cluster() -> KafkaCluster:
    """The process-wide one-broker Apache Kafka; restarted on its data if it has died."""
    cluster = _cluster.current
    if cluster is not None and not cluster.running(1):
        print("Kafka: the course's Apache Kafka broker had stopped; restarting it on its data.",
              flush=True)
        with progress.task("Apache Kafka", "1 broker restarted"):
            progress.phase("restarting the broker")
            cluster.restart(1)
    if cluster is None:
        cluster = KafkaCluster(brokers=1, auto_create_topics=True)  # stock: see settings.py
        try:  # several seconds on the first call of a lesson: say so on its progress line
            with progress.task("Apache Kafka", "1 broker ready"):
                cluster.start()
        except (ClusterError, jars.JarsError, OSError) as exc:
            raise BrokerError(f"Apache Kafka did not start: {exc}") from exc
        _cluster.current = cluster
    return cluster


def _decide() -> Choice:
    if os.environ.get(ENV_VAR, "").strip():
        return Choice("external", f"{ENV_VAR} is set")
    wanted = requested()
    if wanted == "embedded":
        return Choice("embedded", f"{BACKEND_ENV}=embedded")
    problem = apache_unavailable()
    if problem is None:
        return Choice("apache", f"{BACKEND_ENV}=apache" if wanted else "Java and the jars are here")
    if wanted == "apache":
        raise BrokerError(f"{BACKEND_ENV}=apache but {problem}")
    return Choice("embedded", problem)


def choice() -> Choice:
    """The broker this process uses (decided on the first call, then remembered)."""
    global _choice
    with _lock:
        if _choice is None:
            _choice = _decide()
        return _choice


def backend() -> Backend:
    """``"apache"``, ``"embedded"`` or ``"external"``: the broker lessons talk to."""
    return choice().backend


def announce(chosen: Choice, address: str) -> str:
    """The one line that says which broker is in use and why."""
    if chosen.backend == "apache":
        return (f"Kafka: Apache Kafka {jars.KAFKA_VERSION} (one KRaft broker started by the "
                f"course) at {address}.")
    if chosen.backend == "external":
        return f"Kafka: your own Kafka at {address} ({chosen.reason})."
    return (f"Kafka: the embedded broker (Tansu) at {address}, because {chosen.reason}. "
            "Lessons run; where it differs from Apache Kafka they say so.")


def bootstrap_servers() -> str:
    """The ``host:port[,...]`` lessons connect to (see the module docstring)."""
    chosen = choice()
    with _lock:
        if chosen.backend == "external":
            address = os.environ[ENV_VAR].strip()
            if address not in _announced:
                check_external(address)
        elif chosen.backend == "apache":
            address = _apache_cluster().bootstrap_servers
        else:
            address = embedded_broker().address
        first = address not in _announced
        _announced.add(address)
    if first:
        print(announce(chosen, address), flush=True)
    return address


def default_cluster() -> KafkaCluster | None:
    """The Apache Kafka broker lessons use, when that is the backend (else None)."""
    return _cluster.current if backend() == "apache" else None


def stop_default_cluster() -> None:
    """Stop the lessons' Apache Kafka broker, if one runs (the atexit hook does this too)."""
    _cluster.stop()


def reset() -> None:
    """Forget the choice (tests; a lesson never needs this)."""
    global _choice
    stop_default_cluster()
    with _lock:
        _choice = None
        _announced.clear()
