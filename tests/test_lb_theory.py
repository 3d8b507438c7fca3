"""Identical exponential servers, no failures: the simulator against queueing theory."""

import statistics

import pytest

from course_lib.core import queueing
from course_lib.lb import Backend, Scenario
from course_lib.lb.models.simulate import simulate

MU, N, RHO = 1.0, 4, 0.7
RATE = RHO * N * MU
WARMUP, BATCH, BATCHES = 200.0, 1000.0, 20


def batch_means(policy: str, seed: int = 1) -> tuple[float, float]:
    """Mean response time and its standard error by batch means.

    The run is 200 s of warm-up (the M/M/1 relaxation time at ρ = 0.7 is about
    1/(μ(1−√ρ)²) ≈ 37 s) then 20 batches of 1000 s (≈ 2800 requests, 27 relaxation times each,
    so batch means are nearly independent). SE = sd(batch means)/√20.
    """
    scenario = Scenario([Backend(f"s{i}", MU) for i in range(N)], policy, RATE,
                        WARMUP + BATCH * BATCHES, health_check=None, request_timeout=1e9,
                        seed=seed)
    batches: list[list[float]] = [[] for _ in range(BATCHES)]
    for r in simulate(scenario).requests:
        if r.arrival_at >= WARMUP and r.outcome == "ok":
            batches[min(BATCHES - 1, int((r.arrival_at - WARMUP) // BATCH))].append(r.response_time)
    means = [statistics.fmean(b) for b in batches]
    return statistics.fmean(means), statistics.stdev(means) / BATCHES**0.5


@pytest.fixture(scope="module")
def measured() -> dict[str, tuple[float, float]]:
    return {p: batch_means(p) for p in ("random", "power_of_two", "least_connections")}


def test_random_matches_mm1(measured):
    """Random splitting of a Poisson stream gives each server Poisson(λ/N): an M/M/1 queue,
    W = 1/(μ − λ/N) = 3.33 s. Tolerance: 4 standard errors of the batch-means estimate."""
    mean, se = measured["random"]
    theory = queueing.mm1_mean_response_time(RATE / N, MU)
    assert abs(mean - theory) < 4 * se


def test_smarter_policies_are_faster_in_the_order_theory_predicts(measured):
    """M/M/N (one shared queue) is a lower bound for any dispatching; join-the-shortest-queue
    (least connections) comes closest, power of two in between, random is worst. Each gap must
    exceed 4 combined standard errors, and least_connections must not beat M/M/N by more."""
    lc, p2, rnd = (measured[p] for p in ("least_connections", "power_of_two", "random"))
    mmc = queueing.mmc_mean_response_time(RATE, MU, N)

    def gap_ok(lower, upper):
        return upper[0] - lower[0] > 4 * (lower[1] ** 2 + upper[1] ** 2) ** 0.5

    assert gap_ok(lc, p2)
    assert gap_ok(p2, rnd)
    assert lc[0] > mmc - 4 * lc[1]
