"""The live lab with a real HAProxy: detection, failed requests, retries, hot standby, clean-up.

Each run is played once per module (about 6 s each) and shared by the tests below.

Tolerances (see ``course_lib.lb.live.failover.compare`` for the full derivation):

* detection: the simulator's exact range from ``detection_bounds`` widened by
  ``DETECTION_ALLOWANCE`` = 0.1 s on both sides, for timer, signal and log-stamping delays of a
  shared 2-core machine (a few scheduler slices of 3–24 ms each). Scheduling the checks the
  wrong way for a hang would move the result by fall · timeout = 0.6 s, so the test can fail;
* failed requests: the failed backend's traffic share × the widened detection range, plus
  ``EXTRA_FAILURES`` = 2 (the request in service at the crash, the rotation's phase).
"""

import re

import pytest

from course_lib.core import procs
from course_lib.lb import detection_bounds
from course_lib.lb.live import (
    DETECTION_ALLOWANCE,
    HAProxy,
    expected_failed,
    haproxy_binary,
    lab_scenarios,
    live_children,
    port_is_free,
    run_lab,
    validate,
    verdicts,
)
from course_lib.lb.live.failover.compare import STAMP_SLACK
from course_lib.lb.models.simulate import simulate
from course_lib.lb.runtime.backends import free_port
from course_lib.lb.runtime.haproxy import INSTALL_HINT

pytestmark = [pytest.mark.skipif(haproxy_binary() is None, reason=INSTALL_HINT), pytest.mark.slow]
SCENARIOS = lab_scenarios()


@pytest.fixture(scope="module")
def runs():
    names = ("rr_crash", "rr_hang", "hot_standby", "retries_redispatch")
    return {name: run_lab(SCENARIOS[name]) for name in names}


def _within(t, bounds):
    lo, hi = bounds
    return t is not None and lo - DETECTION_ALLOWANCE <= t <= hi + DETECTION_ALLOWANCE


@pytest.mark.parametrize("name", ["rr_crash", "rr_hang"])
def test_detection_within_the_simulated_bound(runs, name):
    sc = SCENARIOS[name]
    bounds = detection_bounds(sc.health_check, sc.failures[0].kind)
    (live,) = runs[name].detections
    (sim,) = simulate(sc).detections
    assert bounds[0] <= sim.detection_time <= bounds[1]  # what the simulator predicts
    assert _within(live.detection_time, bounds), (live, bounds)
    assert live.marked_up_at is not None and live.marked_up_at > live.recovered_at


@pytest.mark.parametrize("name", ["rr_crash", "rr_hang"])
def test_requests_failing_before_detection_are_counted(runs, name):
    result = runs[name]
    (d,) = result.detections
    failed = result.failed()
    low, high = expected_failed(result)
    assert low <= len(failed) <= high
    # every failure went to the broken backend, between just before the failure (a request in
    # service) and the moment HAProxy marked it down (+ the time to stamp the log line)
    assert {r.backend for r in failed} == {"b1"}
    assert all(d.failed_at - 0.05 <= r.sent_at <= d.marked_down_at + STAMP_SLACK for r in failed)
    assert {r.status for r in failed} <= ({502, 503} if d.kind == "crash" else {503, 504})


def test_retries_with_redispatch_fail_nothing(runs):
    result = runs["retries_redispatch"]
    assert result.failed() == []
    assert result.counters["b1"]["wredis"] > 0  # HAProxy really sent them elsewhere
    assert _within(result.detections[0].detection_time,
                   detection_bounds(SCENARIOS["retries_redispatch"].health_check))


def test_hot_standby_serves_only_after_the_primaries_are_down(runs):
    result = runs["hot_standby"]
    down_at = max(d.marked_down_at for d in result.detections)
    backup = [r for r in result.requests if r.ok and r.backend == "b3"]
    assert backup, "the backup never served"
    assert min(r.sent_at for r in backup) >= down_at - STAMP_SLACK
    assert all(v.agree for v in verdicts(result, simulate(SCENARIOS["hot_standby"])))


def test_every_verdict_holds(runs):
    for name, result in runs.items():
        for v in verdicts(result, simulate(SCENARIOS[name])):
            assert v.agree, (name, str(v))


def test_nothing_survives_and_ports_are_free(runs):
    assert live_children() == []
    for result in runs.values():
        ports = [int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", result.config)]
        assert len(ports) == 4 and all(port_is_free(p) for p in ports)
    assert procs.leftovers([b"course-haproxy-", b"course_lib.lb.runtime."]) == []


def test_haproxy_rejects_a_bad_config():
    with pytest.raises(ValueError, match="haproxy -c rejected the configuration"):
        validate("frontend x\n    bind 127.0.0.1:1\n    no_such_keyword 1\n")


def test_haproxy_stops_even_when_the_block_fails():
    port = free_port()
    with pytest.raises(RuntimeError, match="boom"), HAProxy() as proxy:
        proxy.start(f"global\n    stats socket {proxy.socket_path} level admin\n"
                    "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n"
                    f"    timeout server 1s\nfrontend f\n    bind 127.0.0.1:{port}\n")
        assert proxy.command("show info").startswith("Name: HAProxy")
        raise RuntimeError("boom")
    assert live_children() == [] and not proxy.tmp.exists() and port_is_free(port)
