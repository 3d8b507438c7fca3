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


def _fresh_python(code: str) -> subprocess.CompletedProcess:
    """``code`` run by a new interpreter: nothing installed yet, nothing left behind."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)


def test_the_first_consumer_installs_the_fix_on_kafka_python_3_0():
    """Installed by the course's first consumer, not by importing the package (a fresh process)."""
    assert kafka.__version__ == client_fixes.FIXED_VERSION, "a new kafka-python: is it fixed?"
    probe = (
        "from kafka.coordinator.consumer import ConsumerCoordinator as C\n"
        "import course_lib.kafka\n"
        "from course_lib.kafka.clients import kafka_python_fix as fix\n"
        "before = C.poll is fix._poll\n"
        "from course_lib.kafka.clients import factory\n"
        "factory.make_consumer(bootstrap_servers='127.0.0.1:1', api_version=(3, 0))\n"
        "print(before, C.poll is fix._poll)\n")
    out = _fresh_python(probe)
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


def test_the_pinned_kafka_python_is_the_code_the_fix_was_written_for():
    """pyproject pins the release; its two wrapped functions match their fingerprints."""
    from pathlib import Path

    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert f'"kafka-python=={client_fixes.FIXED_VERSION}"' in pyproject
    assert client_fixes.why_not() is None


def test_another_version_is_refused_by_name():
    why = client_fixes.why_not(version="3.1.0")
    assert why == ("kafka-python 3.1.0 is installed; the course's group-join fix was written "
                   "for 3.0.12")


def test_changed_code_is_refused_naming_the_function():
    async def join_group_async(self, timeout_ms=None):  # a release that rewrote the join
        return None

    functions = {"BaseCoordinator.join_group_async": join_group_async,
                 "ConsumerCoordinator.poll": client_fixes._ORIGINAL_POLL}
    why = client_fixes.why_not(version=client_fixes.FIXED_VERSION, functions=functions)
    assert why is not None and "BaseCoordinator.join_group_async differ" in why
    assert "ConsumerCoordinator.poll" not in why


def test_a_refused_fix_warns_once_and_leaves_kafka_python_alone():
    """In a fresh process: a different version string, then two consumers' worth of apply()."""
    probe = (
        "import warnings, kafka\n"
        "warnings.simplefilter('always')\n"
        "kafka.__version__ = '3.0.13'\n"
        "from kafka.coordinator.consumer import ConsumerCoordinator as C\n"
        "original = C.poll\n"
        "from course_lib.kafka.clients import kafka_python_fix as fix\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    results = [fix.apply(), fix.apply()]\n"
        "print(results, C.poll is original, len(caught))\n"
        "print(caught[0].category.__name__, str(caught[0].message))\n")
    out = _fresh_python(probe)
    first, second = out.stdout.splitlines()[:2]
    assert first == "[False, False] True 1", out.stderr
    assert second.startswith("FixNotInstalled kafka-python 3.0.13 is installed")
    assert "pip install kafka-python==3.0.12" in second and "not installed" in second


def test_a_producer_whose_close_times_out_fails_what_is_left_and_closes(monkeypatch):
    """kafka-python's close raises when its flush times out and leaves the sender retrying;
    the course's producer closes forcefully instead, as Java's close(timeout) does."""
    from kafka import KafkaProducer
    from kafka.errors import KafkaTimeoutError

    from course_lib.kafka.clients.producer import CourseProducer

    calls: list[float | None] = []

    class Sender:
        forced = joined = False

        def force_close(self) -> None:
            self.forced = True

        def join(self, timeout: float) -> None:
            self.joined = True

    def close(self, timeout=None, null_logger=False):
        calls.append(timeout)
        if timeout and not self._sender.forced:
            raise KafkaTimeoutError("Timeout waiting for future")

    monkeypatch.setattr(KafkaProducer, "close", close)
    producer = object.__new__(CourseProducer)
    producer._sender = Sender()
    producer.close(timeout=5)
    assert calls == [5, 0] and producer._sender.forced and producer._sender.joined
    calls.clear()
    producer._sender = Sender()
    monkeypatch.setattr(KafkaProducer, "close", lambda self, timeout=None, null_logger=False:
                        calls.append(timeout))
    producer.close(timeout=5)  # a close in time is kafka-python's own, once
    assert calls == [5] and not producer._sender.forced
