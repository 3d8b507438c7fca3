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

from typing import TYPE_CHECKING

from course_lib.core.lazy import lazy_exports

if TYPE_CHECKING:  # the lesson API, imported on first use (core/lazy.py)
    from course_lib.core.loopback import port_is_free
    from course_lib.lb.live.failover.compare import (
        DETECTION_ALLOWANCE,
        expected_failed,
        measured_row,
        simulated_row,
        table_rows,
        verdicts,
    )
    from course_lib.lb.live.failover.config import live_config
    from course_lib.lb.live.failover.lab import LiveDetection, LiveResult, run_lab, trace
    from course_lib.lb.live.failover.operator import cost_rows, operator_verdicts, shares
    from course_lib.lb.live.failover.runs import (
        STORED_PATH,
        lab_scenarios,
        live_or_stored,
        operator_scenarios,
    )
    from course_lib.lb.runtime.backends import Backends, live_children
    from course_lib.lb.runtime.haproxy import (
        INSTALL_HINT,
        HAProxy,
        haproxy_binary,
        haproxy_version,
        validate,
    )
    from course_lib.lb.runtime.loadgen import LiveRequest, LoadGenerator
    from course_lib.lb.views.live import comparison_table, request_timeline
    from course_lib.lb.views.predict import render_prediction

__getattr__, __dir__, __all__ = lazy_exports(__name__)
