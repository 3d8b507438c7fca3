"""HAProxy and nginx configuration generated from a Scenario."""

import shutil
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
from course_lib.lb.config import nginx_passive

HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if shutil.which("/usr/sbin/haproxy") else None
)


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
    assert "proxy_next_upstream error timeout;" in location
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


@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (apt-get install haproxy)")
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("extras", [
    {}, {"retries": 2, "passive": PassiveCheck(3, 4.0)},
    {"health_check": None, "standby": "cold"},
    {"health_check": HealthCheck(0.25, 0.1, 1, 1)},
])
def test_haproxy_accepts_the_generated_config(tmp_path, policy, extras):
    path = tmp_path / "haproxy.cfg"
    path.write_text(haproxy_config(scenario(policy, **extras)))
    done = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True,
                          timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr
