"""Closed-form queueing results: M/M/1, M/M/c (Erlang C) and Little's law.

These are the "dashed lines" of the course: the theory every simulation is checked against.
Notation (Kleinrock; Harchol-Balter, *Performance Modeling and Design of Computer Systems*, ch. 14):

* λ (``arrival_rate``): requests per second arriving, Poisson;
* μ (``service_rate``): requests per second one server completes, exponential service times;
* c (``servers``): identical servers sharing one FIFO queue;
* ρ = λ / (c·μ): utilisation, the fraction of time a server is busy. A steady state exists only
  for ρ < 1; at ρ ≥ 1 the queue grows without bound, and these functions refuse to return a
  finite number (``ValueError``), because any finite number would be a lie.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import math

from course_lib.core.validate import integer, number

__all__ = ["erlang_c", "littles_law_l", "mm1_mean_response_time", "mmc_mean_response_time",
           "mmc_mean_waiting_time", "mmc_response_time_quantile", "utilisation"]


def _check_positive(name: str, value: float) -> None:
    number(name, value, gt=0)


def _check_servers(servers: int) -> None:
    integer("servers", servers, ge=1)


def utilisation(arrival_rate: float, service_rate: float, servers: int = 1) -> float:
    """ρ = λ / (c·μ); may be ≥ 1 (then no steady state exists)."""
    _check_positive("arrival_rate", arrival_rate)
    _check_positive("service_rate", service_rate)
    _check_servers(servers)
    return arrival_rate / (servers * service_rate)


def _stable_rho(arrival_rate: float, service_rate: float, servers: int) -> float:
    rho = utilisation(arrival_rate, service_rate, servers)
    if rho >= 1:
        raise ValueError(
            f"utilisation ρ = arrival_rate / (servers × service_rate) = {arrival_rate:g} / "
            f"({servers} × {service_rate:g}) = {rho:.3g} must be < 1 for a steady state: "
            "the queue grows without bound"
        )
    return rho


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arriving request has to wait (all ``servers`` busy), Erlang's C formula.

    Computed with the numerically stable recurrence for Erlang B,
    B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)) with offered load a = λ/μ, then
    C = B / (1 − ρ(1 − B)); this avoids the factorials of the textbook form.
    """
    rho = _stable_rho(arrival_rate, service_rate, servers)
    load = arrival_rate / service_rate
    erlang_b = 1.0
    for k in range(1, servers + 1):
        erlang_b = load * erlang_b / (k + load * erlang_b)
    return erlang_b / (1 - rho * (1 - erlang_b))


def mmc_mean_waiting_time(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue, W_q = C(c, a) / (c·μ − λ)."""
    wait_probability = erlang_c(arrival_rate, service_rate, servers)
    return wait_probability / (servers * service_rate - arrival_rate)


def mmc_mean_response_time(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in system (queue + service), W = W_q + 1/μ."""
    return mmc_mean_waiting_time(arrival_rate, service_rate, servers) + 1 / service_rate


def mm1_mean_response_time(arrival_rate: float, service_rate: float) -> float:
    """M/M/1 mean time in system, W = 1 / (μ − λ) (the c = 1 case of M/M/c)."""
    _stable_rho(arrival_rate, service_rate, 1)
    return 1 / (service_rate - arrival_rate)


def mmc_response_time_quantile(
    q: float, arrival_rate: float, service_rate: float, servers: int
) -> float:
    """The ``q``-quantile of the M/M/c response time (FIFO), e.g. ``q=0.95`` for p95.

    The response time is a service time S ~ Exp(μ) plus a wait that is 0 with probability 1 − C
    and Exp(cμ − λ) with probability C. For M/M/1 this is exactly Exp(μ − λ). The quantile of the
    mixture is found by bisection on its distribution function.
    """
    if not 0 < q < 1:
        raise ValueError(f"q must be strictly between 0 and 1 (got {q!r})")
    wait_p = erlang_c(arrival_rate, service_rate, servers)
    mu, theta = service_rate, servers * service_rate - arrival_rate

    def cdf(t: float) -> float:
        no_wait = 1 - math.exp(-mu * t)
        if abs(theta - mu) < 1e-12:  # S + W with equal rates: Erlang-2 tail
            waited = 1 - math.exp(-mu * t) * (1 + mu * t)
        else:  # hypoexponential: P(S + W ≤ t) for S ~ Exp(mu), W ~ Exp(theta)
            waited = 1 - (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
        return (1 - wait_p) * no_wait + wait_p * waited

    low, high = 0.0, 1.0 / min(mu, theta)
    while cdf(high) < q:
        high *= 2
    for _ in range(100):
        mid = (low + high) / 2
        if cdf(mid) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def littles_law_l(arrival_rate: float, mean_time_in_system: float) -> float:
    """Little's law, L = λ·W: mean number in the system from throughput and mean time in it.

    It holds for any stable system in the long run, whatever the distributions or the discipline,
    which is why every simulation in the course asserts it.
    """
    if arrival_rate < 0 or mean_time_in_system < 0:
        raise ValueError(
            f"arrival_rate and mean_time_in_system must be >= 0 "
            f"(got {arrival_rate!r}, {mean_time_in_system!r})"
        )
    return arrival_rate * mean_time_in_system
