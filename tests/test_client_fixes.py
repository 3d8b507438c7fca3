"""The kafka-python 3.0.x fix: a group join that finished while nobody waited is completed.

The failure itself needs a loaded machine and many runs to show (client_fixes.py gives the
numbers); these tests pin the repair step on a stand-in coordinator, and that importing the
course installs it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import kafka
import pytest
from kafka.coordinator.base import BaseCoordinator
from kafka.coordinator.consumer import ConsumerCoordinator
from kafka.future import Future
from kafka.structs import MemberState

import course_lib.kafka  # noqa: F401  (installs the fix)
from course_lib.kafka.clients import kafka_python_fix as client_fixes
from course_lib.kafka.clients.kafka_python_fix import complete_finished_join


class _Generation:
    generation_id, member_id, protocol = 3, "member-a", "range"


class _Coordinator:
    """The attributes kafka-python's coordinator uses after a successful join."""

    def __init__(self, task: Future | None) -> None:
        self._join_task = task
        self._generation = _Generation()
        self._lock = threading.Lock()
        self.rejoining = self.rejoin_needed = True
        self.state = MemberState.REBALANCING
        self.heartbeat_enabled = False
        self.completed: list[tuple] = []

    def _enable_heartbeat(self) -> None:
        self.heartbeat_enabled = True

    async def _on_join_complete_async(self, *args) -> None:
        self.completed.append(args)


def _done(value=None, error: Exception | None = None) -> Future:
    future = Future()
    future.failure(error) if error else future.success(value)
    return future


def test_a_finished_join_is_applied_as_kafka_python_would_after_its_await():
    coordinator = _Coordinator(_done(b"assignment"))
    assert asyncio.run(complete_finished_join(coordinator)) is True
    assert coordinator.state is MemberState.STABLE and coordinator.heartbeat_enabled
    assert not coordinator.rejoining and not coordinator.rejoin_needed
    assert coordinator.completed == [(3, "member-a", "range", b"assignment")]
    assert coordinator._join_task is None


def test_a_failed_join_is_cleared_for_the_normal_retry_and_nothing_else_changes():
    coordinator = _Coordinator(_done(error=kafka.errors.RebalanceInProgressError()))
    assert asyncio.run(complete_finished_join(coordinator)) is False
    assert coordinator._join_task is None and coordinator.completed == []
    assert coordinator.state is MemberState.REBALANCING and not coordinator.heartbeat_enabled


@pytest.mark.parametrize("task", [None, Future()], ids=["no join", "join in flight"])
def test_no_finished_join_leaves_the_coordinator_alone(task):
    coordinator = _Coordinator(task)
    assert asyncio.run(complete_finished_join(coordinator)) is False
    assert coordinator._join_task is task and coordinator.state is MemberState.REBALANCING


def test_the_first_consumer_installs_the_fix_on_kafka_python_3_0():
    """Installed by the course's first consumer, not by importing the package (a fresh process)."""
    assert kafka.__version__.startswith("3.0."), "a new kafka-python: check whether it is fixed"
    probe = (
        "from kafka.coordinator.consumer import ConsumerCoordinator as C\n"
        "import course_lib.kafka\n"
        "from course_lib.kafka.clients import kafka_python_fix as fix\n"
        "before = C.poll is fix._poll\n"
        "from course_lib.kafka.clients import factory\n"
        "factory.make_consumer(bootstrap_servers='127.0.0.1:1', api_version=(3, 0))\n"
        "print(before, C.poll is fix._poll)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.split() == ["False", "True"], out.stderr
    assert client_fixes.apply() is True  # idempotent
    assert ConsumerCoordinator.poll is client_fixes._poll
    assert BaseCoordinator.join_group_async is client_fixes._join_group_async


def test_a_client_for_a_named_kafka_does_not_ask_for_the_lessons_broker(monkeypatch):
    """Asking for the lessons' broker may start one (a JVM, an announcement in the lesson)."""
    from course_lib.kafka.clients import factory as clients

    def no_default():
        raise AssertionError("the lessons' broker was asked for")

    made = []
    monkeypatch.setattr(clients, "bootstrap_servers", no_default)
    for name in ("KafkaAdminClient", "KafkaConsumer", "CourseProducer"):
        monkeypatch.setattr(clients, name, lambda *topics, **config: made.append(config))
    clients.make_admin(bootstrap_servers="127.0.0.1:1")
    clients.make_consumer(bootstrap_servers="127.0.0.1:1")
    clients.make_producer(bootstrap_servers="127.0.0.1:1")
    assert [c["bootstrap_servers"] for c in made] == ["127.0.0.1:1"] * 3
    monkeypatch.setattr(clients, "bootstrap_servers", lambda: "127.0.0.1:2")
    clients.make_admin()
    assert made[-1]["bootstrap_servers"] == "127.0.0.1:2"
