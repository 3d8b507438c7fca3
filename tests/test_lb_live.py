"""The live lab's parts that need no HAProxy: backend processes, faults, load, the config text."""

import http.client
import re
import socket

import pytest

from course_lib.lb import Failure, PassiveCheck
from course_lib.lb.live import Backends, LoadGenerator, live_children, live_config, port_is_free
from course_lib.lb.live.failover.runs import base_scenario, lab_scenarios


def _get(port: int, path: str = "/health", timeout: float = 1.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_backends_start_answer_and_leave_nothing_behind():
    with Backends(2, service_times=[0.001, 0.001]) as bs:
        ports = list(bs.ports.values())
        assert [_get(p) for p in ports] == [200, 200]
        assert len(live_children()) == 2
    assert live_children() == []
    assert all(port_is_free(p) for p in ports)


def test_an_error_inside_the_block_still_stops_everything():
    with pytest.raises(RuntimeError, match="boom"), Backends(2) as bs:
        ports = list(bs.ports.values())
        raise RuntimeError("boom")
    assert live_children() == [] and all(port_is_free(p) for p in ports)


def test_crash_refuses_and_recover_restarts_on_the_same_port():
    with Backends(1, app="tiny") as bs:
        port = bs.ports["b1"]
        bs.crash("b1")
        with pytest.raises(ConnectionRefusedError):
            _get(port)
        bs.recover("b1")
        assert _get(port) == 200 and bs["b1"].state == "running"


def test_hang_accepts_the_connection_but_never_answers():
    with Backends(1) as bs:
        port = bs.ports["b1"]
        bs.hang("b1")
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass  # the kernel completes the handshake for a stopped process
        with pytest.raises(TimeoutError):
            _get(port, timeout=0.3)
        bs.recover("b1")
        assert _get(port) == 200
    assert live_children() == []


def test_lesson01_server_runs_as_a_backend():
    with Backends(1, app="api") as bs:
        assert _get(bs.ports["b1"], "/notes") == 200


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 0}, r"n must be >= 1 \(got 0\)"),
    ({"n": 2, "service_times": [0.1]}, r"service_times must have n=2 entries \(got 1\)"),
    ({"n": 1, "service_times": [-1.0]}, r"service_times\[0\] must be >= 0 \(got -1.0\)"),
    ({"n": 1, "app": "nginx"}, r"app must be one of tiny, api \(got 'nginx'\)"),
])
def test_backends_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Backends(**kwargs)


def test_open_loop_load_keeps_its_rate_and_records_every_request():
    """50 req/s for 1 s against one backend: 50 records, sent 20 ms apart (open loop: the
    schedule does not wait for answers), every one answered 200."""
    with Backends(1, service_times=[0.002], service="deterministic") as bs, \
            LoadGenerator(bs.ports["b1"], rate=50, duration=1.0, timeout=2, path="/") as load:
        pass
    records = load.join()
    assert [r.index for r in records] == list(range(50))
    assert all(r.status == 200 and r.response_time >= 0.002 for r in records)
    gaps = [b.sent_at - a.sent_at for a, b in zip(records, records[1:], strict=False)]
    assert abs(sum(gaps) / len(gaps) - 0.02) < 0.002


def test_load_against_nothing_records_the_error():
    with Backends(1) as bs:
        port = bs.ports["b1"]
    records = LoadGenerator(port, rate=20, duration=0.2, timeout=1).start().join()
    assert records and all(r.status == 0 and r.error == "ConnectionRefusedError" for r in records)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rate": 0, "duration": 1}, r"rate must be > 0 \(got 0\)"),
    ({"rate": 10, "duration": -1}, r"duration must be > 0 \(got -1\)"),
    ({"rate": 10, "duration": 1, "timeout": 100}, r"timeout must be in \(0, 60\] s \(got 100\)"),
    ({"rate": 1000, "duration": 100}, r"rate \* duration must be <= 20000 requests"),
])
def test_load_generator_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LoadGenerator(8080, **kwargs)


def test_config_is_lesson03s_plus_the_lab_lines():
    cfg = live_config(base_scenario(), {"b1": 9001, "b2": 9002, "b3": 9003},
                      frontend_port=8080, socket_path="/tmp/x/admin.sock")
    for line in ("stats socket /tmp/x/admin.sock", "timeout connect 200ms", "timeout check 200ms",
                 "retries 0", "balance static-rr", "option httpchk GET /health",
                 "inter 500ms rise 2 fall 3", "server b1 127.0.0.1:9001 check",
                 "http-after-response set-header X-Served-By %s", "bind 127.0.0.1:8080"):
        assert line in cfg, line
    standby = live_config(lab_scenarios()["hot_standby"], {"b1": 1, "b2": 2, "b3": 3},
                          frontend_port=8080, socket_path="/s")
    assert re.search(r"server b3 127\.0\.0\.1:3 .*backup", standby)
    redispatch = live_config(lab_scenarios()["retries_redispatch"], {"b1": 1, "b2": 2, "b3": 3},
                             frontend_port=8080, socket_path="/s")
    assert "retries 1" in redispatch and "option redispatch" in redispatch


def test_config_validation_names_the_field():
    sc = base_scenario()
    with pytest.raises(ValueError, match=r"ports must name every backend \(missing b3\)"):
        live_config(sc, {"b1": 1, "b2": 2}, frontend_port=1, socket_path="/s")
    from dataclasses import replace
    with pytest.raises(ValueError, match=r"passive must be None for the live lab"):
        live_config(replace(sc, passive=PassiveCheck()), {"b1": 1, "b2": 2, "b3": 3},
                    frontend_port=1, socket_path="/s")
    from course_lib.lb.live.failover.lab import _check_live
    slow = replace(sc, failures=(Failure("b1", at=1.0, kind="slow", factor=3),))
    with pytest.raises(ValueError, match=r"failures\[0\]\.kind must be one of crash, hang for "
                                         r"the live lab \(got 'slow'\)"):
        _check_live(slow)


def test_stored_runs_load_and_agree_with_the_simulator():
    """The results shown where HAProxy is missing: labelled, complete, every verdict holds."""
    from course_lib.lb.live import live_or_stored, verdicts
    from course_lib.lb.models.simulate import simulate

    stored = live_or_stored(lab_scenarios(), live=False)
    assert set(stored) == set(lab_scenarios())
    for name, result in stored.items():
        assert result.label.startswith("stored run") and result.requests
        assert all(v.agree for v in verdicts(result, simulate(result.scenario))), name


def test_timeline_and_table_figures():
    """The measured timeline shades HAProxy's DOWN periods read from the runtime API; both
    engines' timelines have one lane per backend plus the failures."""
    from course_lib.lb.live import comparison_table, live_or_stored, request_timeline, table_rows
    from course_lib.lb.models.simulate import simulate

    scenarios = lab_scenarios()
    stored = live_or_stored(scenarios, live=False)
    live_fig = request_timeline(stored["rr_crash"], title="measured")
    (band,) = [s for s in live_fig.layout.shapes if s.type == "rect"]
    (d,) = stored["rr_crash"].detections
    assert abs(band.x0 - d.marked_down_at) < 0.05  # sampled every 20 ms vs the log line
    assert [t.name for t in live_fig.data] == ["b1", "b2", "b3", "failed"]
    sim_fig = request_timeline(simulate(scenarios["rr_crash"]), title="simulated")
    assert len(sim_fig.data[-1].x) == simulate(scenarios["rr_crash"]).summary()["failed"]
    sims = {n: simulate(sc) for n, sc in scenarios.items()}
    rows = table_rows(stored, sims)
    assert len(rows) == 6 * len(scenarios)
    assert comparison_table(rows, live_label="stored").data[0].type == "table"
