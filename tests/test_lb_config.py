"""HAProxy and nginx configuration generated from a Scenario."""

import re
import subprocess

import pytest

from course_lib.lb import (
    POLICIES,
    Backend,
    HealthCheck,
    PassiveCheck,
    Scenario,
    haproxy_config,
    nginx_config,
)
from course_lib.lb.models.config import nginx_passive
from course_lib.lb.runtime.haproxy import INSTALL_HINT, haproxy_binary

#: Found as the lessons find it, so ``COURSE_NO_HAPROXY=1`` hides it here too (a machine without
#: HAProxy, tried on one with it).
HAPROXY = haproxy_binary()
needs_haproxy = pytest.mark.skipif(HAPROXY is None, reason=INSTALL_HINT)


def scenario(policy="weighted_round_robin", **kw):
    backends = [Backend("a", 60.0, weight=5), Backend("b", 20.0, weight=1),
                Backend("standby", 60.0, backup=True)]
    return Scenario(backends, policy, 50.0, **kw)


def test_haproxy_text_carries_every_knob():
    text = haproxy_config(scenario(health_check=HealthCheck(1.5, 0.5, 3, 2), retries=2),
                          addresses={"a": "10.0.0.1:80", "b": "10.0.0.2:80",
                                     "standby": "10.0.0.3:80"})
    assert "balance roundrobin" in text
    assert "default-server inter 1500ms rise 3 fall 2" in text
    assert "timeout check 500ms" in text
    assert "retries 2" in text and "option redispatch 1" in text
    assert "server a 10.0.0.1:80 check weight 5" in text
    assert "server standby 10.0.0.3:80 check weight 1 backup" in text


def _blocks(text: str) -> tuple[str, str]:
    """The ``upstream app { … }`` and ``location / { … }`` blocks of a generated nginx file."""
    upstream = text.split("upstream app {", 1)[1].split("\n    }", 1)[0]
    location = text.split("location / {", 1)[1].split("\n        }", 1)[0]
    return upstream, location


def test_nginx_text_carries_every_knob():
    text = nginx_config(scenario("least_connections", passive=PassiveCheck(2, 5.0), retries=1))
    upstream, location = _blocks(text)
    assert "zone app 64k;" in upstream
    assert "least_conn;" in upstream
    assert "server 127.0.0.1:9001 max_fails=2 fail_timeout=5s;" in upstream
    assert "backup;" in upstream
    assert "proxy_pass http://app;" in location
    assert "proxy_next_upstream error timeout non_idempotent;" in location
    assert "proxy_next_upstream_tries 2;" in location


def test_nginx_plus_health_check_sits_in_the_location_block():
    """NGINX Plus's ``health_check`` is a ``location`` directive and needs the upstream's
    ``zone``; open-source nginx gets it as a comment."""
    upstream, location = _blocks(nginx_config(scenario()))
    assert "health_check interval" not in upstream
    assert "# active checks need NGINX Plus: health_check interval=2s fails=3 passes=2 " \
           "uri=/health;" in location
    assert "zone app 64k;" in upstream


def test_nginx_passive_stand_in_for_the_active_check():
    """Without a PassiveCheck, open-source nginx gets max_fails = fall failed requests within
    fail_timeout = fall × interval; with no check at all, passive detection is off."""
    text = nginx_config(scenario(health_check=HealthCheck(1.5, 0.5, 3, 2)))
    assert "server 127.0.0.1:9001 weight=5 max_fails=2 fail_timeout=3s;" in text
    assert nginx_passive(scenario(health_check=HealthCheck(1.5, 0.5, 3, 2))) == (2, 3.0)
    text = nginx_config(scenario(health_check=None))
    assert "server 127.0.0.1:9001 weight=5 max_fails=0;" in text
    assert "health_check interval" not in text and "stand-in" not in text


def test_addresses_must_cover_every_backend():
    with pytest.raises(ValueError, match=r"addresses must give every backend .*'standby'"):
        haproxy_config(scenario(), addresses={"a": "x:1", "b": "x:2"})


@needs_haproxy
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("extras", [
    {}, {"retries": 2, "passive": PassiveCheck(3, 4.0)},
    {"retries": 1, "non_idempotent": 0.25}, {"retries": 3, "non_idempotent": 1.0},
    {"health_check": None, "standby": "cold"},
    {"health_check": HealthCheck(0.25, 0.1, 1, 1)},
])
def test_haproxy_accepts_the_generated_config(tmp_path, policy, extras):
    path = tmp_path / "haproxy.cfg"
    path.write_text(haproxy_config(scenario(policy, **extras)))
    done = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True,
                          timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr


def _weights_in(text: str, pattern: str) -> list[int]:
    return [int(w) for w in re.findall(pattern, text)]


@pytest.mark.parametrize(("weights", "expected"), [
    ((1.5, 2.5), [3, 5]),        # rounding each would give 2 : 2
    ((0.4, 1.0), [2, 5]),        # rounding would give weight 0: no traffic at all
    ((5, 1), [5, 1]),            # integers stay as they are
    ((0.001, 1.0), [1, 256]),    # too fine for 256: scaled down, a live server keeps 1
    ((0.0, 2.0), [0, 2]),        # 0 is a drained server in both
])
def test_fractional_weights_keep_their_ratio_in_both_configs(weights, expected):
    s = Scenario([Backend("a", 10.0, weight=weights[0]), Backend("b", 10.0, weight=weights[1])],
                 "weighted_round_robin", 5.0)
    assert _weights_in(haproxy_config(s), r"server \w+ \S+ check weight (\d+)") == expected
    nginx = nginx_config(s)
    upstream = _blocks(nginx)[0]
    assert _weights_in(upstream, r"weight=(\d+)") == [w for w in expected if w]
    assert (" down " in upstream) == (0 in expected)


def _retry(non_idempotent: float, retries: int = 2):
    return scenario(retries=retries, non_idempotent=non_idempotent)


def test_haproxy_retries_only_connection_failures_when_every_request_may_act():
    text = haproxy_config(_retry(1.0))
    (line,) = [ln for ln in text.splitlines() if ln.strip().startswith("retry-on")]
    assert line.split("#")[0].split() == ["retry-on", "conn-failure"]
    assert "disable-l7-retry" not in text


def test_haproxy_replays_only_idempotent_requests_in_a_mix():
    text = haproxy_config(_retry(0.3))
    assert "retry-on conn-failure empty-response response-timeout" in text
    assert "http-request disable-l7-retry if { method POST PATCH LOCK }" in text
    assert "non_idempotent=0.3" in text


def test_haproxy_replays_everything_only_when_the_scenario_says_so_with_a_comment():
    text = haproxy_config(_retry(0.0))
    assert "retry-on conn-failure empty-response response-timeout" in text
    assert "very dangerous" in text and "disable-l7-retry" not in text
    assert "retry-on" not in haproxy_config(_retry(0.0, retries=0))


@pytest.mark.parametrize(("share", "directive"), [
    (0.0, "proxy_next_upstream error timeout non_idempotent;"),
    (0.3, "proxy_next_upstream error timeout;"),
    (1.0, "proxy_next_upstream error timeout;"),
])
def test_nginx_says_non_idempotent_only_when_every_request_may_be_replayed(share, directive):
    _, location = _blocks(nginx_config(_retry(share)))
    assert directive in location
    assert ("non_idempotent;" in location) == (share == 0)


@needs_haproxy
@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("weights", [(1.5, 2.5), (0.4, 1.0)])
def test_haproxy_accepts_retry_and_weight_variants(tmp_path, share, weights):
    s = Scenario([Backend("a", 10.0, weight=weights[0]), Backend("b", 10.0, weight=weights[1])],
                 "weighted_round_robin", 5.0, retries=1, non_idempotent=share)
    path = tmp_path / "haproxy.cfg"
    path.write_text(haproxy_config(s))
    done = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True,
                          timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_haproxy
def test_haproxy_accepts_slowstart_and_agent_check(tmp_path):
    from course_lib.lb import AgentCheck
    s = Scenario([Backend("a", 10.0, weight=2, slowstart=10.0), Backend("b", 10.0)],
                 "weighted_round_robin", 5.0, agent=AgentCheck(0.5, 0.05))
    text = haproxy_config(s)
    assert "server a 127.0.0.1:9001 check weight 2 slowstart 10s agent-check agent-port 9100 " \
           "agent-inter 500ms" in text
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    done = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True,
                          timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr
