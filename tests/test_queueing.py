"""Closed-form queueing results against known values and identities."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.core import queueing as q


def test_mm1_known_values():
    assert q.mm1_mean_response_time(0.9, 1.0) == pytest.approx(10.0)
    assert q.mmc_mean_response_time(0.9, 1.0, 1) == pytest.approx(10.0)
    assert q.erlang_c(0.9, 1.0, 1) == pytest.approx(0.9)  # M/M/1: P(wait) = ρ


def test_erlang_c_textbook_value():
    # c = 2, a = λ/μ = 1: C = a^c/c! · c/(c−a) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c−a)) = 1/3
    assert q.erlang_c(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert q.mmc_mean_response_time(1.0, 1.0, 2) == pytest.approx(1 + (1 / 3) / (2 - 1))


def test_quantile_mm1_is_exponential():
    for p in (0.5, 0.95, 0.99):
        assert q.mmc_response_time_quantile(p, 0.5, 1.0, 1) == pytest.approx(
            -math.log(1 - p) / 0.5, rel=1e-9)


@given(c=st.integers(1, 12), rho=st.floats(0.01, 0.98))
def test_more_servers_never_hurt_and_quantiles_are_ordered(c, rho):
    lam = rho * c
    w = q.mmc_mean_response_time(lam, 1.0, c)
    assert w >= 1.0
    assert q.mmc_mean_response_time(lam, 1.0, c + 1) <= w + 1e-12
    assert 0 <= q.erlang_c(lam, 1.0, c) <= 1
    p50, p95 = (q.mmc_response_time_quantile(p, lam, 1.0, c) for p in (0.5, 0.95))
    assert p50 < p95


def test_unstable_and_invalid_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="the queue grows without bound"):
        q.mmc_mean_response_time(2.0, 1.0, 2)
    with pytest.raises(ValueError, match=r"arrival_rate must be a finite number > 0 \(got -1\)"):
        q.utilisation(-1, 1.0)
    with pytest.raises(ValueError, match=r"servers must be an integer >= 1 \(got 0\)"):
        q.erlang_c(1.0, 2.0, 0)
    with pytest.raises(ValueError, match="q must be strictly between 0 and 1"):
        q.mmc_response_time_quantile(1.0, 0.5, 1.0, 1)
    assert q.littles_law_l(2.0, 3.0) == 6.0
