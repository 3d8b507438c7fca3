"""Load balancing and failover (lessons 02–03): policies, scenarios, the simulator, configs.

The public API, in the order a lesson meets it:

* policies — :func:`make_policy` (``round_robin``, ``weighted_round_robin``, ``least_connections``,
  ``random``, ``power_of_two``), plain objects with ``pick(healthy, in_flight)``;
* descriptions — :class:`Backend`, :class:`HealthCheck`, :class:`PassiveCheck`, :class:`Failure`,
  :class:`Operation` (an operator's drain, maintenance, ready or new weight), :class:`AgentCheck`
  and ``Backend.slowstart`` (weights that follow health), :class:`Scenario`
  (validated frozen dataclasses) and :func:`detection_bounds`;
* the engine — :func:`simulate` → :class:`Result` (``requests``, ``attempts``, ``health``,
  ``detections``, ``summary()``, ``per_backend()``);
* configuration — :func:`haproxy_config`, :func:`nginx_config` render a Scenario for real
  balancers.
"""

from typing import TYPE_CHECKING

from course_lib.core.lazy import lazy_exports

if TYPE_CHECKING:  # the lesson API, imported on first use (core/lazy.py)
    from course_lib.lb.models.config import haproxy_config, nginx_config
    from course_lib.lb.models.fleet import fleet_runs
    from course_lib.lb.models.operations import Operation
    from course_lib.lb.models.policies import POLICIES, Policy, make_policy
    from course_lib.lb.models.result import (
        AttemptRecord,
        Detection,
        HealthSegment,
        RequestRecord,
        Result,
    )
    from course_lib.lb.models.scenario import (
        FAILURE_KINDS,
        Backend,
        Failure,
        HealthCheck,
        PassiveCheck,
        Scenario,
        detection_bounds,
    )
    from course_lib.lb.models.simulate import simulate
    from course_lib.lb.models.weights import AgentCheck
    from course_lib.lb.views.dashboards import (
        APPROACHES,
        describe,
        failover_scenario,
        render_failover,
        render_policy_race,
        render_scale,
        render_unequal,
        run_policies,
    )
    from course_lib.lb.views.figures import format_requests, redistribution_figure
    from course_lib.lb.views.fleet import fleet_figure

__getattr__, __dir__, __all__ = lazy_exports(__name__)
