"""Watching a lab Kafka cluster: who is registered, who leads a partition, who is in its ISR.

Kept apart from ``cluster.py`` (which starts, stops and breaks the JVMs) because every question
here goes through a fresh kafka-python admin client and must survive brokers coming and going:
a broker just killed, a frozen one that never answers, one whose metadata is still catching up.
Every question is retried within a time limit and fails with a :class:`ClusterError` that says
what it waited for.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from course_lib.core.errors import PartError, WaitTimeout
from course_lib.core.waiting import retry, wait_until
from course_lib.kafka.runtime.cluster_config import NodeSpec

T = TypeVar("T")
READY_TIMEOUT_S = 60.0


class ClusterError(PartError):
    """The cluster could not start, or a node did not do what was asked; says which and why."""


class ClusterTimeout(ClusterError, WaitTimeout):
    """The cluster did not answer, or a condition on it did not hold, within the time allowed."""


def transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying on a cluster whose brokers come and go, besides kafka-python's own
    retriable ones (``exc.retriable``): a refused or reset socket, and ``UnknownBrokerIdError``
    — the metadata names a controller or coordinator that has just left the broker list."""
    from kafka.errors import UnknownBrokerIdError

    return (OSError, UnknownBrokerIdError)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ClusterObserver:
    """The observing half of :class:`~course_lib.kafka.runtime.cluster.KafkaCluster` (a mixin)."""

    nodes: dict[int, NodeSpec]
    processes: dict[int, Any]

    @property
    def broker_ids(self) -> list[int]:  # provided by KafkaCluster
        raise NotImplementedError

    def alive_brokers(self) -> list[int]:  # provided by KafkaCluster
        raise NotImplementedError

    def address(self, broker_id: int) -> str:  # provided by KafkaCluster
        raise NotImplementedError

    def up_bootstrap_servers(self) -> str:  # provided by KafkaCluster
        raise NotImplementedError

    # ----------------------------------------------------------------- observing
    def admin(self, **overrides: Any) -> Any:
        """A kafka-python admin client on the brokers that are up, with bounded requests."""
        from kafka import KafkaAdminClient

        config = {"bootstrap_servers": self.up_bootstrap_servers(),
                  "request_timeout_ms": 2000, "bootstrap_timeout_ms": 3000} | overrides
        return KafkaAdminClient(**config)

    def _ask(self, question: Callable[[Any], T], timeout_s: float = 15.0) -> T:
        """Ask the cluster through a fresh admin client, retrying while brokers come and go
        (:func:`transient_errors`); any other error is raised at once."""
        def ask() -> T:
            admin = self.admin()
            try:
                return question(admin)
            finally:
                admin.close()

        return retry(ask, timeout_s, "the cluster to answer", retriable=transient_errors(),
                     error=ClusterTimeout)

    def registered_brokers(self, timeout_s: float = 15.0) -> list[int]:
        """Brokers the controller reports as registered and unfenced (metadata's broker list)."""
        brokers = self._ask(lambda a: a.describe_cluster(), timeout_s)["brokers"]
        return sorted(b["broker_id"] for b in brokers if not b.get("is_fenced"))

    def partition(self, topic: str, partition: int = 0, timeout_s: float = 10.0
                  ) -> dict[str, Any]:
        """Leader, replicas and ISR of one partition, as ``describe_topics`` reports them.

        Right after a broker is killed or restarted, the broker that answers may briefly list
        the topic with no partitions (its metadata cache is catching up): ask again, bounded.
        """
        def found() -> dict[str, Any] | None:
            described = self._ask(lambda a: a.describe_topics([topic]))
            return next((dict(entry) for entry in described[0]["partitions"]
                         if entry["partition_index"] == partition), None)

        return wait_until(found, timeout_s, f"{topic} to list partition {partition}",
                          interval_s=0.2, error=ClusterTimeout)

    def leader(self, topic: str, partition: int = 0) -> int | None:
        """The partition's leader, or None while it has none (offline)."""
        leader = self.partition(topic, partition)["leader_id"]
        return None if leader < 0 else int(leader)

    def isr(self, topic: str, partition: int = 0) -> list[int]:
        return sorted(self.partition(topic, partition)["isr_nodes"])

    def wait_for(self, condition: Callable[[], bool], timeout_s: float, what: str,
                 interval_s: float = 0.1) -> float:
        """Poll ``condition`` until true; return the seconds it took, or raise naming ``what``."""
        started = time.monotonic()
        wait_until(condition, timeout_s, what, interval_s=interval_s, error=ClusterTimeout)
        return time.monotonic() - started

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Wait until every broker is registered and unfenced and the offsets topic has leaders."""
        deadline = time.monotonic() + timeout_s

        def all_registered() -> bool:
            self._check_alive()
            with contextlib.suppress(ClusterError):
                missing = set(self.broker_ids) - set(self.registered_brokers(2.0))
                waiting.clear()
                waiting.update(missing)
            return not waiting

        waiting = set(self.broker_ids)
        wait_until(all_registered, timeout_s, "every broker to register", error=ClusterTimeout,
                   detail=lambda: f"broker {min(waiting)} did not; the end of its log:\n"
                                  f"{_tail(self.nodes[min(waiting)].server_log)}")
        remaining = max(1.0, deadline - time.monotonic())
        self.wait_for(self._offsets_topic_ready, remaining, "the __consumer_offsets topic")

    def _check_alive(self) -> None:
        for node_id, process in self.processes.items():
            if process.poll() is not None:
                spec = self.nodes[node_id]
                raise ClusterError(
                    f"node {node_id} exited during start-up (exit {process.returncode}); the end "
                    f"of its log:\n{_tail(spec.server_log)}\n"
                    f"{_tail(spec.directory / 'stdout.log')}")

    def _offsets_topic_ready(self) -> bool:
        """Asking for a group's coordinator creates ``__consumer_offsets``; ready once it led."""
        self._check_alive()
        try:
            self._ask(lambda a: a.list_group_offsets("sdl-ready-probe"), 2.0)
            described = self._ask(lambda a: a.describe_topics(["__consumer_offsets"]), 2.0)
        except ClusterError:
            return False
        partitions = described[0].get("partitions") or []
        return bool(partitions) and all(p["leader_id"] >= 0 for p in partitions)
