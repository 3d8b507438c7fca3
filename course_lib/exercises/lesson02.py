"""Self-checks and reference solutions for ``notebooks/02_load_balancing.ipynb``."""

from __future__ import annotations

from typing import Any

from course_lib import queueing
from course_lib.checks import Verdict, check_choice, check_number
from course_lib.lb import POLICIES


def solution_fast_weight() -> float:
    """Weights in proportion to capacity: 30 req/s against 10 req/s → 3 against 1."""
    return 30.0 / 10.0


def check_fast_weight(answer: Any) -> Verdict:
    """Servers of 30, 10, 10 req/s, the slow ones with weight 1: the fast one's weight?"""
    return check_number(
        answer, solution_fast_weight(), rel_tol=0.0, abs_tol=1e-9, what="the fast server's weight",
        too_low="Weights should be in proportion to capacity: how many times faster is it?",
        too_high="Then the fast server gets more than its capacity's share and saturates first.",
        explain="Weights ∝ service rates give every server the same utilisation.",
    )


def solution_random_mean_time() -> float:
    """Random splitting: each of 4 servers (μ = 10/s) gets Poisson(32/4 = 8/s): M/M/1."""
    return queueing.mm1_mean_response_time(32.0 / 4, 10.0)


def check_random_mean_time(answer: Any) -> Verdict:
    """Mean response time (seconds) of ``random`` over 4 servers of 10 req/s at 32 req/s."""
    return check_number(
        answer, solution_random_mean_time(), rel_tol=0.02, what="the mean response time (s)",
        too_low="Each server sees only its own share λ/N, but still queues on its own: "
                "use W = 1/(μ − λ/N), not the service time alone or one shared queue (M/M/c).",
        too_high="Divide the arrival rate among the 4 servers before using W = 1/(μ − λ).",
        explain="Random splitting of a Poisson stream gives every server an M/M/1 queue.",
    )


def solution_many_balancers() -> str:
    return "power_of_two"


def check_many_balancers(answer: Any) -> Verdict:
    """Many independent balancers, no shared view of load: which policy?"""
    return check_choice(
        answer, solution_many_balancers(), options=POLICIES, what="the policy",
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
