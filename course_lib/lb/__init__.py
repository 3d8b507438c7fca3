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

from course_lib.lb.config import haproxy_config, nginx_config
from course_lib.lb.operations import Operation
from course_lib.lb.policies import POLICIES, Policy, make_policy
from course_lib.lb.result import AttemptRecord, Detection, HealthSegment, RequestRecord, Result
from course_lib.lb.scenario import (
    FAILURE_KINDS,
    Backend,
    Failure,
    HealthCheck,
    PassiveCheck,
    Scenario,
    detection_bounds,
)
from course_lib.lb.simulate import simulate
from course_lib.lb.weights import AgentCheck

__all__ = [
    "FAILURE_KINDS",
    "AgentCheck",
    "POLICIES",
    "AttemptRecord",
    "Backend",
    "Detection",
    "Failure",
    "HealthCheck",
    "HealthSegment",
    "Operation",
    "PassiveCheck",
    "Policy",
    "RequestRecord",
    "Result",
    "Scenario",
    "detection_bounds",
    "haproxy_config",
    "make_policy",
    "nginx_config",
    "simulate",
]
