"""The embedded broker: fast start, a round trip, no orphans, clear errors for bad config."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from course_lib.core import procs
from course_lib.kafka.clients.roundtrip import round_trip
from course_lib.kafka.runtime import default_broker
from course_lib.kafka.runtime import embedded as broker_module
from course_lib.kafka.runtime.embedded import BrokerError, check_external, start_broker

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.kafka




def test_starts_fast_and_round_trips():
    broker = start_broker()
    try:
        # Must-show of the foundation issue: under 2 s (typically ~20 ms here; see benchmarks).
        assert broker.startup_s < 2.0
        assert broker.host == "127.0.0.1"
        values = round_trip(broker.address, messages=20)
        assert values == [f"ping {i}".encode() for i in range(20)]
    finally:
        broker.stop()
    assert not procs.alive(broker.process.pid)


CHILD = textwrap.dedent("""
    import sys, time
    from course_lib.kafka import embedded_broker
    broker = embedded_broker()
    print(broker.address, broker.process.pid, flush=True)
    if sys.argv[1] == "hang":
        time.sleep(60)
""")


def _start_child(mode: str) -> tuple[subprocess.Popen, int, str]:
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT, env=env)
    address, pid = child.stdout.readline().split()
    return child, int(pid), address


def test_no_orphan_after_normal_exit():
    child, pid, _ = _start_child("exit")
    child.wait(timeout=30)
    assert procs.gone_within([pid], 5), "broker outlived a normally exiting parent"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_orphan_after_the_parent_is_killed(sig):
    """A killed kernel runs no atexit handler: the parent-death signal must stop the broker."""
    child, pid, _ = _start_child("hang")
    assert procs.alive(pid)
    child.send_signal(sig)
    child.wait(timeout=30)
    assert procs.gone_within([pid], 5), f"broker outlived a parent killed by {sig.name}"


def test_the_cli_waits_on_a_plain_flag_that_sigterm_sets(capsys):
    """The loop the CLI serves in ends when the SIGTERM handler sets its flag (exit 0), or when
    what it serves dies (exit 1). The handler only assigns a bool: it takes no lock, so it cannot
    deadlock against the loop it interrupts."""
    from course_lib.__main__ import _serve
    from course_lib.core.procs import StopSignal

    stop = StopSignal()
    threading.Timer(0.3, stop, args=(signal.SIGTERM, None)).start()
    started = time.monotonic()
    assert _serve(stop, lambda: True, "the broker", poll_s=0.05) == 0
    assert 0.25 < time.monotonic() - started < 5
    assert _serve(StopSignal(), lambda: False, "the broker", poll_s=0.01) == 1
    assert "the broker exited unexpectedly" in capsys.readouterr().err


def test_cli_broker_prints_its_address_and_stops_on_sigterm():
    """If the CLI does not exit, it is made to print every thread's stack (faulthandler on
    SIGABRT) and the test fails with it; the CLI is killed in any case, so a hang cannot leave
    it (and its broker) running. Once, in a full suite run, it hung: its SIGTERM handler then
    called ``threading.Event.set()`` and deadlocked (see ``course_lib.core.procs.StopSignal``)."""
    proc = subprocess.Popen([sys.executable, "-m", "course_lib", "broker"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ | {"PYTHONFAULTHANDLER": "1"})
    try:
        first = proc.stdout.readline()
        assert "listening on 127.0.0.1:" in first
        assert "export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:" in proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints the stacks, then it aborts
            try:
                out, err = proc.communicate(timeout=15)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=5)
            pytest.fail(f"the broker CLI did not exit within 15 s of SIGTERM:\n{err[-4000:]}")
    assert proc.returncode == 0 and "Broker stopped." in out, err


def test_refused_external_address_fails_fast_and_says_what_to_do():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        started = time.monotonic()
        with pytest.raises(BrokerError, match=r"KAFKA_BOOTSTRAP_SERVERS='127\.0\.0\.1:\d+' but "
                           r"nothing answers .* unset it to use the course's own broker"):
            check_external(f"127.0.0.1:{port}")
    assert time.monotonic() - started < 6


def test_malformed_external_address():
    with pytest.raises(BrokerError, match="'kafka' is not host:port"):
        check_external("kafka")


def test_something_that_is_not_kafka_is_reported_within_about_5_s():
    """A listener that accepts but never speaks Kafka must not hang the lesson."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        with pytest.raises(BrokerError, match="did not answer as a Kafka broker"):
            check_external(f"127.0.0.1:{server.getsockname()[1]}", timeout=5.0)
        assert time.monotonic() - started < 8
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


def test_bootstrap_servers_uses_a_reachable_external_kafka(monkeypatch):
    broker = start_broker()
    try:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.address)
        default_broker.reset()
        assert default_broker.bootstrap_servers() == broker.address
        assert default_broker.backend() == "external"
        assert default_broker._cluster.current is None
    finally:
        broker.stop()
        default_broker.reset()


def test_a_broker_that_died_is_reported_once_then_replaced():
    first = broker_module.embedded_broker().address
    dying = broker_module.embedded_broker()
    dying.process.kill()
    dying.process.wait(timeout=5)
    with pytest.raises(BrokerError, match=r"has stopped \(exit code -9\).*memory-only"):
        broker_module.embedded_broker()
    second = broker_module.embedded_broker().address
    assert second != first or broker_module.embedded_broker().running()
    assert round_trip(second, messages=2) == [b"ping 0", b"ping 1"]
