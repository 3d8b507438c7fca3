"""Self-checks and reference solutions for ``notebooks/02_load_balancing.ipynb``."""

from __future__ import annotations

import functools
import math

from course_lib.core import queueing
from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.lb import POLICIES, Backend, Scenario
from course_lib.lb.models.simulate import simulate

__all__ = [
    "check_fast_weight", "check_many_balancers", "check_random_mean_time", "fleet_p95", "hint",
    "solution",
    "solution_fast_weight", "solution_many_balancers", "solution_random_mean_time",
]

declare = declarations(__name__)


#: Exercise 1: servers of FAST_RATE, SLOW_RATE and SLOW_RATE req/s, the slow ones at weight
#: SLOW_WEIGHT (the lesson's own run, 30, 10, 10 req/s with the slow ones at weight 1, shows
#: weight 3: re-reading it gives the wrong answer here).
FAST_RATE, SLOW_RATE, SLOW_WEIGHT = 50.0, 20.0, 2.0


def solution_fast_weight() -> float:
    """Weights in proportion to capacity: 50 against 20 req/s at weight 2 → 5."""
    return SLOW_WEIGHT * FAST_RATE / SLOW_RATE


check_fast_weight = declare.number(
    "fast_weight", rel_tol=0.0, abs_tol=1e-9, minimum=0,
    facts={"capacity_ratio": FAST_RATE / SLOW_RATE, "upside_down": SLOW_RATE / FAST_RATE,
           "upside_down_at_weight_2": SLOW_WEIGHT * SLOW_RATE / FAST_RATE,
           "fast_capacity": FAST_RATE})


#: Exercise 2: ``random`` over RANDOM_SERVERS servers of RANDOM_RATE req/s each at ρ = 0.9
#: (the lesson's own run, 4 servers at 32 req/s and "500 ms here", is not the answer).
RANDOM_SERVERS, RANDOM_RATE, RANDOM_ARRIVALS = 5, 10.0, 45.0


def solution_random_mean_time() -> float:
    """Random splitting: each of 5 servers (μ = 10/s) gets Poisson(45/5 = 9/s): M/M/1, in ms."""
    per_server = RANDOM_ARRIVALS / RANDOM_SERVERS
    return 1000 * queueing.mm1_mean_response_time(per_server, RANDOM_RATE)


check_random_mean_time = declare.number(
    "random_mean_time", rel_tol=0.02, unit="ms", minimum=0,
    facts={"service_time": 1000 / RANDOM_RATE,
           "shared_queue": 1000 * queueing.mmc_mean_response_time(RANDOM_ARRIVALS, RANDOM_RATE,
                                                                  RANDOM_SERVERS),
           "one_fast_server": 1000 / (RANDOM_SERVERS * RANDOM_RATE - RANDOM_ARRIVALS)})


#: Exercise 3: a fleet of FLEET_SIZE balancers in front of lesson 02's unequal servers (30, 10
#: and 10 req/s, 35 req/s arriving). The lesson shows power of two as the safe fleet default on
#: *equal* servers and least connections as the best single balancer; here neither is the answer.
FLEET_SIZE, FLEET_ARRIVALS, FLEET_DURATION, FLEET_WARMUP = 20, 35.0, 300.0, 20.0
FLEET_RATES = {"fast": 30.0, "slow1": 10.0, "slow2": 10.0}


@functools.lru_cache(maxsize=1)
def fleet_p95(seed: int = 2026) -> dict[str, float]:
    """p95 (s) of every policy on the exercise's fleet; weighted round-robin with weights ∝ rate.

    The run the learner checks a prediction against (``ex.fleet_p95()``), and what the
    reference solution is read from, so the answer is the simulator's, not a claim.
    """
    out = {}
    for policy in POLICIES:
        weighted = policy == "weighted_round_robin"
        backends = tuple(Backend(name, rate,
                                 weight=rate / min(FLEET_RATES.values()) if weighted else 1)
                         for name, rate in FLEET_RATES.items())
        run = simulate(Scenario(backends, policy, FLEET_ARRIVALS, FLEET_DURATION,
                                health_check=None, request_timeout=1e6, seed=seed,
                                balancers=FLEET_SIZE))
        p95 = run.summary(FLEET_WARMUP)["p95"]
        out[policy] = math.inf if p95 is None else float(p95)  # None: no request finished
    return out


def solution_many_balancers() -> str:
    """The policy with the lowest p95 on the fleet: weights need no counts at all."""
    p95 = fleet_p95()
    return min(p95, key=p95.__getitem__)


#: Other names learners use for the policies.
BALANCER_ALIASES = {
    "power of 2": "power_of_two", "p2c": "power_of_two", "power of two choices": "power_of_two",
    "least conn": "least_connections", "leastconn": "least_connections", "rr": "round_robin",
    "roundrobin": "round_robin", "wrr": "weighted_round_robin", "weighted": "weighted_round_robin",
    "weighted rr": "weighted_round_robin", "static-rr": "weighted_round_robin"}

check_many_balancers = declare.choice("many_balancers", options=POLICIES, aliases=BALANCER_ALIASES)


hint, solution = helpers(__name__)
