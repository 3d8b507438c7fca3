"""Self-checks and reference solutions for ``notebooks/02_load_balancing.ipynb``."""

from __future__ import annotations

from typing import Any

from course_lib import queueing
from course_lib.checks import CheckResult, Mistake, check_choice, check_number
from course_lib.grading.exercise import exercise, helpers
from course_lib.lb import POLICIES

__all__ = [
    "check_fast_weight", "check_many_balancers", "check_random_mean_time", "hint", "solution",
    "solution_fast_weight", "solution_many_balancers", "solution_random_mean_time",
]


def solution_fast_weight() -> float:
    """Weights in proportion to capacity: 30 req/s against 10 req/s → 3 against 1."""
    return 30.0 / 10.0


@exercise(1, hints=(
    "A weight says what share of the requests a server receives.",
    "Give every server the same utilisation: its share of the traffic must be its share of the "
    "capacity, so the weights are in the ratio of the service rates.",
    "The slow servers do 10 req/s each with weight 1; how many times faster is the fast one?",
), worked="Equal utilisation needs traffic in proportion to capacity: 30 : 10 : 10 req/s, so "
          "with the slow servers at weight 1 the fast one gets weight {answer:g}. Every server "
          "then runs at the same ρ.")
def check_fast_weight(answer: Any) -> CheckResult:
    """Servers of 30, 10, 10 req/s, the slow ones with weight 1: the fast one's weight?"""
    return check_number(
        answer, solution_fast_weight(), rel_tol=0.0, abs_tol=1e-9, what="the fast server's weight",
        minimum=0,
        mistakes=[Mistake(10.0 / 30.0, "That is the ratio upside down: the faster server must get "
                                       "the *larger* weight."),
                  Mistake(30.0, "30 is the fast server's capacity in req/s; with the slow ones at "
                                "weight 1 (10 req/s) the weight is the ratio of capacities.")],
        too_low="Weights should be in proportion to capacity: how many times faster is it?",
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
    "Each of the 4 servers is an M/M/1 queue with λ/N arrivals: W = 1/(μ − λ/N).",
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


def solution_many_balancers() -> str:
    return "power_of_two"


@exercise(3, hints=(
    "With 20 balancers, no balancer knows what the other 19 just sent.",
    "Rule out the policies that need an exact, shared view of load; of the rest, which one "
    "still looks at load?",
    "It samples a couple of servers at random and picks the less busy one.",
), worked="Least connections needs a global, exact count of in-flight requests; 20 independent "
          "balancers each see only their own and herd onto the same server. {answer} samples "
          "two servers and takes the less loaded: no shared state, and most of the benefit "
          "(Mitzenmacher 2001).")
def check_many_balancers(answer: Any) -> CheckResult:
    """Many independent balancers, no shared view of load: which policy?"""
    return check_choice(
        answer, solution_many_balancers(), options=POLICIES, what="the policy",
        aliases={"power of 2": "power_of_two", "p2c": "power_of_two",
                 "power of two choices": "power_of_two", "least conn": "least_connections",
                 "leastconn": "least_connections", "rr": "round_robin",
                 "roundrobin": "round_robin"},
        hints={
            "least_connections": "It needs an exact, global count of in-flight requests; with "
                                 "many balancers each sees only its own, and they all pile onto "
                                 "the same 'least loaded' server (herding).",
            "round_robin": "Each balancer rotates independently and ignores load: fine for "
                           "equal servers, but slow requests still pile up behind each other.",
            "random": "It needs no shared state, but it ignores load entirely: it is the "
                      "M/M/1 baseline, the slowest in the race.",
            "weighted_round_robin": "Weights encode capacity, not current load (unless something "
                                    "keeps changing them, like an agent-check).",
        },
        explain="Two random samples need no shared state and never herd; for one balancer "
                "with exact counts they get most of the benefit of least connections "
                "(Mitzenmacher 2001).",
    )


hint, solution = helpers(__name__)
