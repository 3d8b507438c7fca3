"""course_lib.core.waiting and core.errors: bounded waits that name what they waited for, and
retries of transient errors only. No real parts: the predicates and calls are plain functions."""

from __future__ import annotations

import time

import pytest

from course_lib.core.errors import BrokerError, CourseError, PartError, WaitTimeout
from course_lib.core.waiting import is_retriable, retry, wait_until


class Transient(Exception):
    """Like kafka-python's retriable errors: it says so itself (duck typing, no kafka import)."""

    retriable = True


class Fatal(Exception):
    retriable = False


def counter(succeed_on: int, fail_with: Exception | None = None):
    """A call that returns falsy (or raises ``fail_with``) until its ``succeed_on``-th call."""
    calls = []

    def call():
        calls.append(time.monotonic())
        if len(calls) >= succeed_on:
            return f"ready after {len(calls)}"
        if fail_with is not None:
            raise fail_with
        return None

    return call, calls


def test_wait_until_returns_the_predicates_truthy_value():
    predicate, calls = counter(3)
    assert wait_until(predicate, 2.0, "three calls", interval_s=0.001) == "ready after 3"
    assert len(calls) == 3


def test_wait_until_times_out_naming_what_and_how_long():
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match=r"^timed out after 0\.2 s waiting for the moon: "
                                          r"still down$") as caught:
        wait_until(lambda: False, 0.2, "the moon", interval_s=0.05, detail=lambda: "still down")
    took = time.monotonic() - started
    assert 0.2 <= took < 0.2 + 0.15  # never sleeps past its limit by more than a poll's cost
    assert (caught.value.what, caught.value.timeout_s) == ("the moon", 0.2)
    # one family, and Python's own word for it
    assert isinstance(caught.value, CourseError) and isinstance(caught.value, TimeoutError)


def test_wait_until_does_not_oversleep_a_long_interval():
    started = time.monotonic()
    with pytest.raises(WaitTimeout):
        wait_until(lambda: None, 0.1, "nothing", interval_s=5.0)
    assert time.monotonic() - started < 0.5


def test_wait_until_asks_once_more_at_the_deadline():
    # true only after the limit: the last look happens at the deadline, so it still succeeds
    limit = time.monotonic() + 0.1
    assert wait_until(lambda: time.monotonic() >= limit, 0.1, "the limit", interval_s=1.0)


def test_retry_retries_a_retriable_error_until_it_succeeds():
    call, calls = counter(3, Transient("leader moving"))
    assert retry(call, 2.0, "the leader", interval_s=0.001) == "ready after 3"
    assert len(calls) == 3


def test_retry_retries_types_the_caller_names():
    call, calls = counter(2, ConnectionRefusedError("refused"))
    assert retry(call, 2.0, "a socket", retriable=(OSError,), interval_s=0.001) == "ready after 2"
    assert is_retriable(ConnectionRefusedError(), (OSError,)) and not is_retriable(OSError())


@pytest.mark.parametrize("error", [Fatal("bad request"), ValueError("a bug"), KeyError("k")])
def test_retry_raises_a_non_retriable_error_at_once(error):
    call, calls = counter(99, error)
    started = time.monotonic()
    with pytest.raises(type(error)) as caught:
        retry(call, 5.0, "anything", retriable=(OSError,), interval_s=0.5)
    assert caught.value is error and len(calls) == 1
    assert time.monotonic() - started < 0.1


def test_retry_times_out_with_the_last_error_chained():
    last = Transient("coordinator loading")
    call, calls = counter(10**6, last)
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match=r"^timed out after 0\.2 s waiting for the group: "
                                          r"coordinator loading$") as caught:
        retry(call, 0.2, "the group", interval_s=0.05)
    assert time.monotonic() - started < 0.2 + 0.15
    assert caught.value.last is last and caught.value.__cause__ is last and len(calls) >= 3


def test_a_callers_timeout_class_keeps_its_own_family():
    class PartTimeout(PartError, WaitTimeout):
        pass

    with pytest.raises(PartTimeout) as caught:
        wait_until(lambda: 0, 0.01, "a part", error=PartTimeout)
    # caught by the old ``except RuntimeError`` of a part, and by ``except TimeoutError``
    assert isinstance(caught.value, RuntimeError) and isinstance(caught.value, TimeoutError)
    assert str(caught.value) == "timed out after 0.01 s waiting for a part"


def test_the_old_error_names_belong_to_the_family():
    from course_lib.components.runtime.httpapi import PortInUseError
    from course_lib.kafka import BrokerError as exported
    from course_lib.kafka.clients.child_consumer import ChildError, ChildTimeout
    from course_lib.kafka.clients.io import PipelineError
    from course_lib.kafka.clients.topics import TopicError
    from course_lib.kafka.runtime.cluster_observe import ClusterError, ClusterTimeout
    from course_lib.kafka.runtime.embedded import BrokerError as from_embedded
    from course_lib.kafka.runtime.jars import JarsError

    assert exported is from_embedded is BrokerError
    for part in (BrokerError, ChildError, ClusterError, JarsError, PipelineError, PortInUseError):
        assert issubclass(part, PartError) and issubclass(part, RuntimeError), part
    assert issubclass(PortInUseError, OSError)  # lesson 01 catches it as before
    assert issubclass(TopicError, CourseError) and issubclass(TopicError, ValueError)
    assert issubclass(ClusterTimeout, ClusterError) and issubclass(ClusterTimeout, WaitTimeout)
    assert issubclass(ChildTimeout, ChildError) and issubclass(ChildTimeout, WaitTimeout)
    assert str(PortInUseError("127.0.0.1:1 is already in use")) == "127.0.0.1:1 is already in use"
