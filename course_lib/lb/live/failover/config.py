"""The HAProxy configuration the live lab runs: lesson 03's, plus what a lab needs.

One description, two engines: the same :class:`~course_lib.lb.models.scenario.Scenario` that
``course_lib.lb.models.simulate`` runs is rendered by
:func:`course_lib.lb.models.config.haproxy_config` (the configuration lesson 03 shows, knob by knob)
and then given four extra lines that exist only because this balancer is real:

* a ``stats socket`` (HAProxy's runtime API) so the lab can read HAProxy's beliefs while it runs;
* ``nbthread 1``: one thread is plenty for a few hundred requests per second and shares the
  learner's CPU politely;
* ``timeout connect`` equal to the check timeout. Measured with HAProxy 2.6 in this lab: a check
  of a server that accepts the connection but never answers (a hung process: the kernel still
  completes the handshake) lasted ``min(timeout connect, inter)`` = 0.5 s, not the 0.2 s of
  ``timeout check`` (HAProxy documents ``timeout check`` as an *additional* read timeout after
  a connect timeout of ``min(timeout connect, inter)``). With both equal, a failing check of a
  hung server lasts the check timeout, which is what the simulator assumes;
* ``http-after-response set-header X-Served-By %s``: every answer names the server, HAProxy's own
  503s included, so the load generator records which backend a failed request went to.

Everything else (``balance``, ``weight``, ``backup``, ``check inter … rise … fall …``,
``timeout check``, ``retries``, ``option redispatch``) comes unchanged from lesson 03.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping

from course_lib.lb.models.config import duration_text, haproxy_config
from course_lib.lb.models.scenario import Scenario

#: Comment marking the lines this module adds, so a learner can tell them apart.
LAB_MARK = "    # live lab"


def live_config(scenario: Scenario, ports: Mapping[str, int], *, frontend_port: int,
                socket_path: str) -> str:
    """The complete ``haproxy.cfg`` for ``scenario`` with its backends on 127.0.0.1 ``ports``."""
    if scenario.passive is not None:
        raise ValueError("passive must be None for the live lab (got a PassiveCheck): "
                         "it runs HAProxy's active checks only")
    if scenario.standby != "hot":
        raise ValueError(f"standby must be 'hot' for the live lab (got {scenario.standby!r})")
    missing = [n for n in scenario.names if n not in ports]
    if missing:
        raise ValueError(f"ports must name every backend (missing {', '.join(missing)})")
    text = haproxy_config(
        scenario, bind=f"127.0.0.1:{frontend_port}",
        addresses={n: f"127.0.0.1:{ports[n]}" for n in scenario.names},
    )
    hc = scenario.health_check
    connect = hc.check_timeout if hc is not None else 1.0
    out = []
    for line in text.splitlines():
        if line.strip().startswith("timeout connect"):
            line = f"    timeout connect {duration_text(connect)}{LAB_MARK}: = check timeout"
        out.append(line)
        if line == "global":
            out.append(f"    stats socket {socket_path} mode 600 level admin{LAB_MARK}")
            out.append(f"    nbthread 1{LAB_MARK}")
        elif line.startswith("backend "):
            out.append(f"    http-after-response set-header X-Served-By %s{LAB_MARK}")
    return "\n".join(out) + "\n"
