"""Failover for real (lesson 03b): real backends, a real HAProxy, measured against the simulator.

The public API, in the order the lesson meets it:

* processes — :class:`Backends` (N backend processes on free 127.0.0.1 ports; ``crash`` =
  SIGKILL, ``hang`` = SIGSTOP, ``recover``), :func:`live_children`, :func:`port_is_free`;
* load — :class:`LoadGenerator` (open loop, fixed rate) → :class:`LiveRequest` records;
* the balancer — :func:`live_config` (lesson 03's ``haproxy.cfg`` plus the lab's lines),
  :func:`validate` (``haproxy -c``), :class:`HAProxy` (run it, read its runtime API and log),
  :func:`haproxy_binary` / :data:`INSTALL_HINT`;
* the lab — :func:`trace` (a first look), :func:`run_lab` (a ``Scenario`` played for real)
  → :class:`LiveResult`;
  :func:`lab_scenarios` (the lesson's five runs), :func:`operator_scenarios` (drain,
  maintenance, manual failover, ``set weight``), :func:`live_or_stored`;
* the comparison — :func:`verdicts`, :func:`table_rows`, :func:`request_timeline`,
  :func:`comparison_table`; for the operator's runs :func:`operator_verdicts`, :func:`shares`
  and :func:`cost_rows`.

Everything started here is stopped by its context manager, by ``atexit``, or (on Linux) by the
kernel when this process dies.
"""

from course_lib.lb.live.compare import (
    DETECTION_ALLOWANCE,
    expected_failed,
    measured_row,
    simulated_row,
    table_rows,
    verdicts,
)
from course_lib.lb.live.config import live_config
from course_lib.lb.live.figures import comparison_table, request_timeline
from course_lib.lb.live.haproxy import (
    INSTALL_HINT,
    HAProxy,
    haproxy_binary,
    haproxy_version,
    validate,
)
from course_lib.lb.live.lab import LiveDetection, LiveResult, run_lab, trace
from course_lib.lb.live.loadgen import LiveRequest, LoadGenerator
from course_lib.lb.live.operator import cost_rows, operator_verdicts, shares
from course_lib.lb.live.predict import render_prediction
from course_lib.lb.live.procs import Backends, live_children
from course_lib.lb.live.runs import STORED_PATH, lab_scenarios, live_or_stored, operator_scenarios
from course_lib.loopback import port_is_free

__all__ = [
    "render_prediction",
    "DETECTION_ALLOWANCE",
    "INSTALL_HINT",
    "STORED_PATH",
    "Backends",
    "HAProxy",
    "LiveDetection",
    "LiveRequest",
    "LiveResult",
    "LoadGenerator",
    "comparison_table",
    "cost_rows",
    "expected_failed",
    "haproxy_binary",
    "haproxy_version",
    "lab_scenarios",
    "live_children",
    "live_config",
    "live_or_stored",
    "measured_row",
    "operator_scenarios",
    "operator_verdicts",
    "port_is_free",
    "run_lab",
    "shares",
    "simulated_row",
    "table_rows",
    "trace",
    "request_timeline",
    "validate",
    "verdicts",
]
