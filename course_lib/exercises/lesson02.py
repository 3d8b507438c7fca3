"""Self-checks and reference solutions for ``notebooks/02_load_balancing.ipynb``."""

from __future__ import annotations

import functools
import math
from typing import Any

from course_lib import queueing
from course_lib.checks import CheckResult, Mistake, check_choice, check_number
from course_lib.grading.exercise import exercise, helpers
from course_lib.lb import POLICIES, Backend, Scenario, simulate

__all__ = [
    "check_fast_weight", "check_many_balancers", "check_random_mean_time", "fleet_p95", "hint",
    "solution",
    "solution_fast_weight", "solution_many_balancers", "solution_random_mean_time",
]


#: Exercise 1: servers of FAST_RATE, SLOW_RATE and SLOW_RATE req/s, the slow ones at weight
#: SLOW_WEIGHT (the lesson's own run, 30, 10, 10 req/s with the slow ones at weight 1, shows
#: weight 3: re-reading it gives the wrong answer here).
FAST_RATE, SLOW_RATE, SLOW_WEIGHT = 50.0, 20.0, 2.0
UPSIDE_DOWN = "That is the ratio upside down: the faster server must get the *larger* weight."


def solution_fast_weight() -> float:
    """Weights in proportion to capacity: 50 against 20 req/s at weight 2 → 5."""
    return SLOW_WEIGHT * FAST_RATE / SLOW_RATE


@exercise(1, hints=(
    "A weight says what share of the requests a server receives, relative to the others.",
    "Give every server the same utilisation: its share of the traffic must be its share of the "
    "capacity, so the weights must be in the ratio of the service rates, 50 : 20 : 20.",
    "The slow servers keep weight 2, not 1: scale the ratio 50 : 20 so that 20 becomes 2.",
), worked="Equal utilisation needs traffic in proportion to capacity: 50 : 20 : 20 req/s, that is "
          "2.5 : 1 : 1. The slow servers have weight 2, so the fast one needs 2 × 2.5: weight "
          "{answer:g}. Every server then runs at the same ρ.")
def check_fast_weight(answer: Any) -> CheckResult:
    """Servers of 50, 20, 20 req/s, the slow ones with weight 2: the fast one's weight?"""
    return check_number(
        answer, solution_fast_weight(), rel_tol=0.0, abs_tol=1e-9, what="the fast server's weight",
        minimum=0,
        mistakes=[Mistake(FAST_RATE / SLOW_RATE, "2.5 is the ratio of the capacities, right for "
                                                 "slow servers at weight 1; here they have "
                                                 "weight 2, so the fast one needs twice as much."),
                  Mistake(SLOW_RATE / FAST_RATE, UPSIDE_DOWN),
                  Mistake(SLOW_WEIGHT * SLOW_RATE / FAST_RATE, UPSIDE_DOWN),
                  Mistake(3.0, "3 is the weight for the lesson's 30, 10, 10 req/s at weight 1; "
                               "these servers run at 50, 20, 20 req/s with the slow ones at "
                               "weight 2."),
                  Mistake(FAST_RATE, "50 is the fast server's capacity in req/s; a weight is "
                                     "relative: the slow ones have weight 2 for 20 req/s.")],
        too_low="Weights should be in proportion to capacity: the fast server then gets too "
                "little and the slow ones run hotter.",
        too_high="Then the fast server gets more than its capacity's share and saturates first.",
        explain="Weights ∝ service rates give every server the same utilisation.",
    )


#: Exercise 2: ``random`` over RANDOM_SERVERS servers of RANDOM_RATE req/s each at ρ = 0.9
#: (the lesson's own run, 4 servers at 32 req/s and "500 ms here", is not the answer).
RANDOM_SERVERS, RANDOM_RATE, RANDOM_ARRIVALS = 5, 10.0, 45.0


def solution_random_mean_time() -> float:
    """Random splitting: each of 5 servers (μ = 10/s) gets Poisson(45/5 = 9/s): M/M/1, in ms."""
    per_server = RANDOM_ARRIVALS / RANDOM_SERVERS
    return 1000 * queueing.mm1_mean_response_time(per_server, RANDOM_RATE)


@exercise(2, hints=(
    "Random splitting of a Poisson stream gives each server a Poisson stream of its own.",
    "Each of the 5 servers is an M/M/1 queue with λ/N arrivals: W = 1/(μ − λ/N).",
    "λ/N = 45/5 = 9 req/s against μ = 10 req/s; the answer is in milliseconds.",
), worked="Each server receives 45/5 = 9 req/s and serves 10 req/s, an M/M/1 queue of its own: "
          "W = 1/(μ − λ/N) = 1/(10 − 9) s = {answer:g} ms, ten times the 100 ms service time. "
          "One shared queue (M/M/5) would be far faster; random splitting leaves some servers "
          "idle while others queue.")
def check_random_mean_time(answer: Any) -> CheckResult:
    """Mean response time (ms) of ``random`` over 5 servers of 10 req/s at 45 req/s."""
    shared = 1000 * queueing.mmc_mean_response_time(RANDOM_ARRIVALS, RANDOM_RATE, RANDOM_SERVERS)
    pooled = 1000 / (RANDOM_SERVERS * RANDOM_RATE - RANDOM_ARRIVALS)
    return check_number(
        answer, solution_random_mean_time(), rel_tol=0.02, what="the mean response time (ms)",
        unit="ms", minimum=0,
        mistakes=[Mistake(1000 / RANDOM_RATE, "100 ms is the bare service time 1/μ: each server "
                                             "also queues on its own, W = 1/(μ − λ/N)."),
                  Mistake(shared, "That is one shared queue for all 5 servers (M/M/5); random "
                                  "splitting gives each server its own queue: W = 1/(μ − λ/N)."),
                  Mistake(pooled, "That treats the 5 servers as one server 5× as fast "
                                  "(1/(Nμ − λ)); each server has its own queue and its own "
                                  "speed: W = 1/(μ − λ/N).")],
        too_low="Each server sees only its own share λ/N, but still queues on its own: "
                "use W = 1/(μ − λ/N), not the service time alone or one shared queue (M/M/c).",
        too_high="Divide the arrival rate among the 5 servers before using W = 1/(μ − λ).",
        explain="Random splitting of a Poisson stream gives every server an M/M/1 queue.",
    )


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


NO_COUNTS = ("With 20 balancers each sends under 2 req/s, so its own counts are nearly always 0 "
             "or 1 on every server: they cannot tell the fast server from a slow one, and the "
             "slow ones get far more than their share.")


@exercise(3, hints=(
    "Each of the 20 balancers sees a twentieth of the traffic: what do its own in-flight counts "
    "tell it about the servers?",
    "Rule out the policies that cannot know the fast server is faster: the blind ones (a third "
    "of 35 req/s each saturates a slow server) and those whose signal is a count that is nearly "
    "always 0. Which policy knows the capacities without counting anything?",
    "Capacity that is known in advance and does not change can be written into the "
    "configuration, per server, once.",
), worked="Each balancer sends 35/20 = 1.75 req/s, so its own counts are almost always 0 or 1 "
          "and least connections and power of two see almost nothing: the slow servers receive "
          "far more than their share (p95 about 1.5 s). Round-robin and random give each server "
          "a third, 11.7 req/s, more than a slow server can do. Static weights ∝ capacity "
          "(3 : 1 : 1) need no counts and no shared state: every balancer sends each server its "
          "share on its own, so {answer} keeps every server at 70 % and the lowest p95 "
          "(ex.fleet_p95() runs all five).")
def check_many_balancers(answer: Any) -> CheckResult:
    """20 balancers, no shared state, servers of 30, 10, 10 req/s: the lowest-p95 policy?"""
    return check_choice(
        answer, solution_many_balancers(), options=POLICIES, what="the policy",
        aliases={"power of 2": "power_of_two", "p2c": "power_of_two",
                 "power of two choices": "power_of_two", "least conn": "least_connections",
                 "leastconn": "least_connections", "rr": "round_robin",
                 "roundrobin": "round_robin", "wrr": "weighted_round_robin",
                 "weighted": "weighted_round_robin", "weighted rr": "weighted_round_robin",
                 "static-rr": "weighted_round_robin"},
        hints={
            "power_of_two": "It is the safe fleet default on *equal* servers, but it compares "
                            "counts. " + NO_COUNTS,
            "least_connections": "It is the best single balancer, with exact counts. "
                                 + NO_COUNTS,
            "round_robin": "Each balancer rotates over the servers and gives each a third: "
                           "11.7 req/s, more than a slow server's 10 req/s.",
            "random": "It gives each server a third, 11.7 req/s, more than a slow server's "
                      "10 req/s: the slow queues grow without bound.",
        },
        explain="Capacity known in advance needs no counts and no shared state: static weights "
                "work the same on 1 balancer or 20.",
    )


hint, solution = helpers(__name__)
