"""The simpy models: agreement with M/M/c theory, Little's law, validation, the path model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.components.models.path import PathScenario
from course_lib.components.models.path_engine import simulate_path
from course_lib.components.models.server import batch_means, simulate_server
from course_lib.core import queueing

REQUESTS = 100_000
BATCHES = 20


def _assert_littles_law(run) -> None:
    """L = λW on the window, up to the window's edges, which the result accounts for exactly
    (``littles_law_edge``: time carried in from the warm-up minus time carried out past the end);
    what remains must be floating-point rounding only."""
    lam_w = run.observed_arrival_rate * run.mean_response_time
    assert run.mean_in_system - lam_w == pytest.approx(run.littles_law_edge(), abs=1e-9)


@pytest.mark.parametrize("workers", [1, 2, 3, 5])
@pytest.mark.parametrize("rho", [0.5, 0.9])
def test_mean_response_time_agrees_with_mmc_and_littles_law_holds(workers, rho):
    """Simulated mean vs. Erlang C within 4 standard errors, by batch means.

    Run length: 100,000 requests (duration = 100,000/λ). Response times are correlated, so the
    standard error comes from 20 batch means of 5,000 requests each; at ρ = 0.9 the M/M/1
    waiting time's correlation time is a few hundred requests (variance inflation ≈ 360, Whitt
    1989), far below 5,000. We checked the calibration once: over 40 seeds at c = 1, ρ = 0.9 the
    spread of the means (0.59) matched the mean batch-means SE (0.60). |z| > 4 then has
    probability < 0.1 % per case (Student t, 19 dof), and the theory's own ρ is the nominal one.
    """
    service_rate = 1.0
    arrival_rate = rho * workers * service_rate
    seed = 1000 * workers + int(rho * 10)
    run = simulate_server(arrival_rate, service_rate, workers, duration=REQUESTS / arrival_rate,
                          seed=seed)
    mean, standard_error = batch_means(run.response_times, BATCHES)
    theory = queueing.mmc_mean_response_time(arrival_rate, service_rate, workers)
    assert abs(mean - theory) <= 4 * standard_error, (mean, theory, standard_error)
    # Little's law on the window: L (time average) = λ (observed) × W (mean of the same requests)
    _assert_littles_law(run)
    # and the edges are negligible in a long run: L ≈ λW to 1 %
    assert run.mean_in_system == pytest.approx(
        run.observed_arrival_rate * run.mean_response_time, rel=0.01)
    # utilisation: busy fraction ≈ ρ, and throughput ≈ λ (stable system)
    assert run.utilisation == pytest.approx(rho, rel=0.03)
    assert run.throughput == pytest.approx(arrival_rate, rel=0.03)


def test_littles_law_in_short_and_unstable_runs():
    for rate, workers in [(5.0, 1), (30.0, 2), (0.5, 3)]:
        run = simulate_server(rate, 10.0, workers, duration=200.0, seed=3)
        _assert_littles_law(run)


def test_unstable_queue_grows_with_the_run():
    short = simulate_server(12.0, 10.0, 1, duration=500.0, seed=4)
    _assert_littles_law(short)  # an identity: it holds even while the queue grows
    long = simulate_server(12.0, 10.0, 1, duration=2000.0, seed=4)
    assert short.in_system_at_end > 500 and long.in_system_at_end > 3 * short.in_system_at_end
    assert short.throughput == pytest.approx(10.0, rel=0.03)  # served at capacity, no more


def test_deterministic_and_summary():
    a = simulate_server(8.0, 10.0, 2, duration=100.0, seed=7).summary()
    b = simulate_server(8.0, 10.0, 2, duration=100.0, seed=7).summary()
    assert a == b and set(a) >= {"mean_response_time", "p95_response_time", "utilisation",
                                 "throughput", "in_system_at_end", "mean_in_system"}
    assert a["p50_response_time"] <= a["p95_response_time"] <= a["p99_response_time"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"arrival_rate": -1.0}, r"arrival_rate must be a finite number > 0 \(got -1.0\)"),
        ({"service_rate": 0}, r"service_rate must be a finite number > 0 \(got 0\)"),
        ({"workers": 0}, r"workers must be an integer >= 1 \(got 0\)"),
        ({"warmup": 20.0}, r"warmup must be < duration \(got warmup=20.0, duration=10.0\)"),
    ],
)
def test_invalid_inputs_name_the_parameter(kwargs, message):
    args = {"arrival_rate": 1.0, "service_rate": 2.0, "workers": 1, "duration": 10.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate_server(**args)


def test_batch_means_needs_enough_values():
    with pytest.raises(ValueError, match="need at least 40 values for 20 batches"):
        batch_means([1.0] * 10)


def test_path_model_without_network_and_cache_is_mmc_plus_db():
    """Zero network, no loss, cache off, huge pool: the path is one M/M/c-like server whose
    holding time is server_time + db_time (hypoexponential, not exponential), so we only check
    conservation, Little-style consistency and ordering here, and the exact M/M/c agreement above.
    """
    s = PathScenario(arrival_rate=100.0, network_delay=0.0, network_jitter=0.0, workers=2,
                     server_time=0.002, db_time=0.005, db_pool=10, duration=60.0, warmup=5.0)
    run = simulate_path(s, seed=1)
    summary = run.summary()
    assert summary["failed"] == 0 and summary["retries"] == 0
    assert run.worker_utilisation == pytest.approx(s.worker_utilisation, rel=0.05)
    assert summary["mean_response_time"] > s.server_time + s.db_time


def test_path_network_latency_adds_two_legs():
    base = PathScenario(network_delay=0.0, network_jitter=0.0)
    wan = PathScenario(network_delay=0.040, network_jitter=0.0)
    delta = (simulate_path(wan, seed=2).response_times.mean()
             - simulate_path(base, seed=2).response_times.mean())
    assert delta == pytest.approx(0.080, abs=0.004)  # same seed: same service times


def test_path_loss_causes_retries_and_failures_are_counted():
    lossy = PathScenario(loss_probability=0.2, retry_timeout=0.2, max_attempts=2, duration=30.0)
    run = simulate_path(lossy, seed=3)
    summary = run.summary()
    # P(one attempt fails) = 1 − 0.8² = 0.36; both fail: 0.13 of requests
    assert summary["failed"] / summary["requests"] == pytest.approx(0.36 ** 2, abs=0.03)
    assert summary["retries"] / summary["requests"] == pytest.approx(0.36, abs=0.03)


def test_path_cache_lowers_latency_and_load():
    cold = simulate_path(PathScenario(arrival_rate=200.0), seed=4)
    warm = simulate_path(PathScenario(arrival_rate=200.0, cache_hit_ratio=0.9), seed=4)
    assert warm.response_time_percentile(0.95) < cold.response_time_percentile(0.95) / 2
    assert warm.worker_utilisation < cold.worker_utilisation


def test_path_validation_and_stability():
    with pytest.raises(ValueError, match=r"loss_probability must be in \[0, 1\) \(got 1.0\)"):
        PathScenario(loss_probability=1.0)
    with pytest.raises(ValueError, match=r"cache_hit_ratio must be in \[0, 1\] \(got -0.1\)"):
        PathScenario(cache_hit_ratio=-0.1)
    with pytest.raises(ValueError, match=r"db_pool must be an integer >= 1 \(got 0\)"):
        PathScenario(db_pool=0)
    with pytest.raises(ValueError, match="offered load on workers is 1.20 ≥ 1 .* grows without"):
        PathScenario(arrival_rate=400.0).check_stable()
    with pytest.raises(ValueError, match="offered load on db_pool"):
        PathScenario(arrival_rate=200.0, workers=50, db_pool=1).check_stable()
    # 3 attempts at most: 0.5 × (1 − 0.75³) / 0.25 visits, not the uncapped 1/(1 − p) = 2
    assert math.isclose(PathScenario(loss_probability=0.5).server_visits, 1.15625)
    assert math.isclose(PathScenario(loss_probability=0.5, max_attempts=200).server_visits, 2.0)


def test_server_visits_match_the_simulated_visits_under_capped_retries():
    """At low load no answer outlasts the retry timeout, so loss alone causes retries."""
    s = PathScenario(arrival_rate=20.0, loss_probability=0.4, duration=200.0)
    run = simulate_path(s, seed=7)
    visits = np.array([v for _, _, _, v in run.requests], dtype=float)
    se = visits.std(ddof=1) / math.sqrt(len(visits))
    assert abs(visits.mean() - s.server_visits) < 4 * se
    assert abs(visits.mean() - 1 / (1 - 0.4)) > 4 * se  # the uncapped formula is measurably off
