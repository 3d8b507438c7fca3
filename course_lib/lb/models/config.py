"""The scenario on screen as real configuration: HAProxy and nginx, from the same parameters.

A learner who moved the sliders in lesson 03 can copy what they see here into a real balancer.
Each knob maps to one directive (comments in the output say which):

=======================  ===================================  ===============================
Scenario                 HAProxy                              nginx (open source)
=======================  ===================================  ===============================
policy                   ``balance roundrobin|leastconn|…``   ``least_conn`` / ``random …``
Backend.weight           ``weight N``                         ``weight=N``
Backend.backup           ``backup``                           ``backup``
HealthCheck              ``check inter … rise … fall …``      ``max_fails=fall`` +
                                                              ``fail_timeout=fall×interval``
                                                              (NGINX Plus ``health_check``)
PassiveCheck             ``observe layer4 error-limit …``     ``max_fails=… fail_timeout=…``
retries                  ``retries N`` + ``option redispatch``  ``proxy_next_upstream_tries``
non_idempotent           ``retry-on`` (+ ``disable-l7-retry``)  ``non_idempotent`` only at 0
request_timeout          ``timeout server``                   ``proxy_read_timeout``
Backend.slowstart        ``slowstart T``                      (NGINX Plus ``slow_start``)
agent                    ``agent-check agent-inter T``        —
=======================  ===================================  ===============================

The HAProxy text is valid for HAProxy 2.6 (``haproxy -c -f FILE`` accepts it; the live lab in
lesson 03b runs it). Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from course_lib.lb.models.scenario import Scenario

__all__ = ["HAPROXY_BALANCE", "NGINX_METHOD", "haproxy_config", "integer_weights", "nginx_config",
           "nginx_passive"]

AGENT_PORT = 9100  #: where the generated config expects each server's agent (``agent-port``)

HAPROXY_BALANCE = {
    "round_robin": "static-rr",
    "weighted_round_robin": "roundrobin",
    "least_connections": "leastconn",
    "random": "random(1)",
    "power_of_two": "random(2)",
}
NGINX_METHOD = {
    "round_robin": None,
    "weighted_round_robin": None,
    "least_connections": "least_conn;",
    "random": "random;",
    "power_of_two": "random two least_conn;",
}


def duration_text(seconds: float) -> str:
    """``2s`` or ``500ms``: the time format both HAProxy and nginx accept."""
    ms = round(seconds * 1000)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def _addresses(scenario: Scenario, addresses: Mapping[str, str] | None) -> dict[str, str]:
    default = {b.name: f"127.0.0.1:{9001 + i}" for i, b in enumerate(scenario.backends)}
    if addresses:
        missing = [n for n in scenario.names if n not in addresses]
        if missing:
            raise ValueError(f"addresses must give every backend (got none for {missing!r})")
        default.update(addresses)
    return default


def integer_weights(scenario: Scenario) -> dict[str, int]:
    """The scenario's weights as the integers HAProxy (0–256) and nginx accept, ratios kept.

    Both balancers take integer weights only, and rounding each one on its own breaks the
    ratios: 1.5 and 2.5 would both become 2, and 0.4 would become HAProxy's ``weight 0`` (no
    traffic at all). So every weight is multiplied by the same factor, the least common
    denominator of the fractions (1.5 : 2.5 → 3 : 5, 0.4 : 1 → 2 : 5), and only if that
    exceeds HAProxy's 256 are they scaled down to fit, a non-zero weight never below 1.
    Policies other than weighted round-robin ignore weights (1), except 0 = drained.
    """
    if scenario.policy != "weighted_round_robin":
        return {b.name: 1 if b.weight else 0 for b in scenario.backends}
    fractions = {b.name: Fraction(b.weight).limit_denominator(1000) for b in scenario.backends}
    factor = math.lcm(*(f.denominator for f in fractions.values()))
    scaled = {name: f * factor for name, f in fractions.items()}
    top = max(scaled.values())
    if top > 256:
        scaled = {name: w * 256 / top for name, w in scaled.items()}
    return {name: max(1, round(w)) if w else 0 for name, w in scaled.items()}


IDEMPOTENT_LIMIT = [
    "    # non_idempotent=0: every request may be replayed (GETs, POSTs with an idempotency key);",
    "    # HAProxy's manual calls retry-on beyond conn-failure 'very dangerous' without that",
]


def _retry_lines(scenario: Scenario) -> list[str]:
    """``retry-on`` as the scenario allows: beyond ``conn-failure`` only for replayable requests.

    A connection failure means the request never reached a server, so re-sending it is always
    safe. An empty response or a response time-out may come after the server acted; those are
    retried only when the scenario says requests are idempotent, and with a mix, HAProxy's
    ``http-request disable-l7-retry`` keeps POST, PATCH and LOCK (nginx's non-idempotent
    methods) to connection failures, exactly as the simulator and nginx do.
    """
    if not scenario.retries:
        return []
    lines = ["    option redispatch 1    # each retry goes to another server"]
    if scenario.non_idempotent == 1:
        return lines + ["    retry-on conn-failure    # non_idempotent=1: re-send only what "
                        "never reached a server"]
    lines.append("    retry-on conn-failure empty-response response-timeout")
    if not scenario.non_idempotent:
        lines += IDEMPOTENT_LIMIT
    return lines


def haproxy_config(
    scenario: Scenario,
    *,
    bind: str = "127.0.0.1:8080",
    addresses: Mapping[str, str] | None = None,
    health_path: str = "/health",
) -> str:
    """The HAProxy configuration equivalent to ``scenario`` (one frontend, one backend)."""
    addr = _addresses(scenario, addresses)
    weights = integer_weights(scenario)
    hc = scenario.health_check
    lines = [
        "global",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 1s",
        "    timeout client 30s",
        f"    timeout server {duration_text(scenario.request_timeout)}"
        "    # request_timeout",
    ]
    if hc is not None and hc.timeout is not None:
        lines.append(f"    timeout check {duration_text(hc.timeout)}    # health_check.timeout")
    lines.append(f"    retries {scenario.retries}")
    lines += _retry_lines(scenario)
    lines += [
        "",
        "frontend www",
        f"    bind {bind}",
        "    default_backend app",
        "",
        "backend app",
        f"    balance {HAPROXY_BALANCE[scenario.policy]}    # policy = {scenario.policy}",
    ]
    if sum(b.backup for b in scenario.backends) > 1:
        lines.append("    option allbackups")
    if scenario.retries and 0 < scenario.non_idempotent < 1:
        lines += [
            f"    # non_idempotent={scenario.non_idempotent:g}: a POST that reached a server "
            "is never re-sent",
            "    http-request disable-l7-retry if { method POST PATCH LOCK }",
        ]
    if hc is not None:
        lines += [
            f"    option httpchk GET {health_path}",
            f"    default-server inter {duration_text(hc.interval)} rise {hc.rise} fall {hc.fall}",
        ]
    if scenario.standby == "cold" and any(b.backup for b in scenario.backends):
        lines.append(
            "    # cold standby: HAProxy cannot boot a server; something else must start the"
            f" backup (~{duration_text(scenario.cold_start_time)})"
        )
    if scenario.agent is not None:
        target = duration_text(scenario.agent.target)
        lines.append(f"    # agent-check: a small agent on each server answers on port {AGENT_PORT}"
                     f" with its weight, e.g. '50%' (100% while requests take <= {target})")
    for b in scenario.backends:
        words = [f"    server {b.name} {addr[b.name]}"]
        if hc is not None or scenario.passive is not None:
            words.append("check")
        words.append(f"weight {weights[b.name]}")
        if b.backup:
            words.append("backup")
        if b.slowstart:
            words.append(f"slowstart {duration_text(b.slowstart)}")
        if scenario.agent is not None:
            words.append(f"agent-check agent-port {AGENT_PORT} "
                         f"agent-inter {duration_text(scenario.agent.interval)}")
        if scenario.passive is not None:
            limit = scenario.passive.max_fails
            words.append(f"observe layer4 error-limit {limit} on-error mark-down")
        lines.append(" ".join(words))
    return "\n".join(lines) + "\n"


def nginx_passive(scenario: Scenario) -> tuple[int, float | None]:
    """``(max_fails, fail_timeout)`` for open-source nginx, which has passive checks only.

    A :class:`PassiveCheck` is used as it is. Otherwise an active ``HealthCheck`` gets the nearest
    passive stand-in: ``max_fails = fall`` failed requests within ``fail_timeout = fall ×
    interval`` take a server out for ``fail_timeout``, after which nginx tries it again with a
    real request. With neither, passive detection is switched off (``max_fails=0``), as in the
    simulation. nginx counts errors and timeouts as failures whatever ``proxy_next_upstream``
    says.
    """
    if scenario.passive is not None:
        return scenario.passive.max_fails, scenario.passive.fail_timeout
    hc = scenario.health_check
    if hc is not None:
        return hc.fall, hc.fall * hc.interval
    return 0, None


def _nginx_next_upstream(scenario: Scenario) -> str:
    """nginx never re-sends a POST that reached a server unless told ``non_idempotent``."""
    if not scenario.retries:
        return "off;"
    if scenario.non_idempotent:
        return (f"error timeout;    # non_idempotent={scenario.non_idempotent:g}: "
                "a POST that reached a server is not re-sent")
    return "error timeout non_idempotent;    # non_idempotent=0: every request may be replayed"


def nginx_config(
    scenario: Scenario,
    *,
    listen: str = "127.0.0.1:8080",
    addresses: Mapping[str, str] | None = None,
    health_path: str = "/health",
) -> str:
    """The nginx (open source) configuration equivalent to ``scenario``, as far as it goes.

    nginx OSS detects failures passively, from failed requests (:func:`nginx_passive`). The
    active ``HealthCheck`` appears as a comment with its NGINX Plus equivalent, the
    ``health_check`` directive, which belongs in the ``location`` that proxies to the upstream and
    needs the upstream's shared-memory ``zone`` (emitted always: harmless in open source, where
    it also shares the failure counts between worker processes).
    """
    addr = _addresses(scenario, addresses)
    hc = scenario.health_check
    max_fails, fail_timeout = nginx_passive(scenario)
    weights = integer_weights(scenario)
    lines = ["events {}", "", "http {", "    upstream app {",
             "        zone app 64k;    # state shared by workers; NGINX Plus health_check needs it"]
    method = NGINX_METHOD[scenario.policy]
    if method:
        lines.append(f"        {method}    # policy = {scenario.policy}")
    if scenario.passive is None and hc is not None:
        lines.append(
            "        # passive stand-in for the active check: "
            "max_fails = fall, fail_timeout = fall × interval"
        )
    if scenario.policy in ("random", "power_of_two") and any(b.backup for b in scenario.backends):
        lines.append("        # nginx refuses 'backup' with random: backups listed as comments")
    for b in scenario.backends:
        words = [f"server {addr[b.name]}"]
        if not b.weight:
            words.append("down")  # weight 0: drained, no new requests
        elif scenario.policy == "weighted_round_robin":
            words.append(f"weight={weights[b.name]}")
        if max_fails:
            assert fail_timeout is not None  # nginx_passive: None only with max_fails 0
            words.append(f"max_fails={max_fails} fail_timeout={duration_text(fail_timeout)}")
        else:
            words.append("max_fails=0")
        if b.backup:
            words.append("backup")
        text = " ".join(words) + ";"
        if b.backup and scenario.policy in ("random", "power_of_two"):
            text = "# " + text
        lines.append(f"        {text}    # {b.name}")
    tries = scenario.retries + 1
    lines += [
        "    }",
        "",
        "    server {",
        f"        listen {listen};",
        "        location / {",
        "            proxy_pass http://app;",
    ]
    if hc is not None:
        lines.append(
            f"            # active checks need NGINX Plus: health_check interval="
            f"{duration_text(hc.interval)} fails={hc.fall} passes={hc.rise} uri={health_path};"
        )
    lines += [
        "            proxy_connect_timeout 1s;",
        f"            proxy_read_timeout {duration_text(scenario.request_timeout)};",
        "            proxy_next_upstream " + _nginx_next_upstream(scenario),
        f"            proxy_next_upstream_tries {tries};",
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"
