"""A SIGKILLed consumer's partitions stall for about the session timeout; a closed one's do not.

Timings are real, so the bounds come from the two timeouts (``Handover.expected_range_s``), not
from a measured run: a crash cannot move faster than the session timeout minus one heartbeat
interval, and a graceful close must beat the crash by far more than the noise.
"""

from __future__ import annotations

import os
import signal

import pytest

from course_lib.kafka.clients.child_consumer import ChildConsumer, ChildError
from course_lib.kafka.live.crash import Handover, HandoverResult, measure_handover


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"how": "shutdown"}, r"how must be 'crash' or 'graceful' \(got 'shutdown'\)"),
    ({"session_timeout_ms": 500}, r"session_timeout_ms must be an integer >= 1000 \(got 500\)"),
    ({"heartbeat_interval_ms": 2500},
     r"heartbeat_interval_ms must be an integer in \[100, session_timeout_ms / 3\] \(got 2500\)"),
])
def test_handover_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Handover(**kwargs)


def test_expected_ranges_follow_the_timeouts():
    crash = HandoverResult(Handover("crash", 6000, 2000), (0,), (1,), (0, 1), 6.1)
    assert crash.expected_range_s == (4.0, 9.0) and crash.as_expected()
    too_fast = HandoverResult(Handover("crash", 6000, 2000), (0,), (1,), (0, 1), 0.5)
    assert not too_fast.as_expected()  # a crash that moved at once was no crash
    graceful = HandoverResult(Handover("graceful", 6000, 2000), (0,), (1,), (0, 1), 2.0)
    assert graceful.as_expected() and "moved to the survivor: True" in graceful.verdict()
    assert "2.0" not in graceful.verdict()  # no timing in the sentence a checked cell prints


@pytest.mark.kafka
@pytest.mark.apache_kafka
@pytest.mark.slow
def test_sigkill_stalls_for_the_session_timeout_and_close_moves_at_the_next_heartbeat():
    handover = Handover("crash", session_timeout_ms=3000, heartbeat_interval_ms=1000)
    crash = measure_handover(handover)
    graceful = measure_handover(Handover("graceful", 3000, 1000))
    assert crash.as_expected(), crash.timing()
    assert graceful.as_expected(), graceful.timing()
    assert crash.moved_after_s > graceful.moved_after_s + 0.5
    assert set(crash.victim_partitions) | set(crash.survivor_before) == {0, 1}


def test_a_child_that_dies_early_is_reported_not_waited_for():
    with ChildConsumer({"kind": "no-such-job"}) as child, pytest.raises(ChildError,
                                                                      match="exit code 1"):
        child.wait_for("assigned", timeout_s=20)
    assert child.process.returncode is not None  # reaped


def test_the_child_is_killed_and_reaped():
    child = ChildConsumer({"kind": "member", "bootstrap": "127.0.0.1:9", "topic": "t",
                           "group": "g", "config": {"bootstrap_timeout_ms": 60000}})
    with child:
        assert child.process.poll() is None
        pid = child.process.pid
        assert os.getpgid(pid) == pid  # its own session: a lesson's Ctrl-C does not reach it
        child.kill()
        assert child.process.returncode == -signal.SIGKILL
