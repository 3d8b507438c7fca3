"""The fast engines give the simpy models' runs, request for request.

``simulate_server(..., engine="auto")`` (the default) computes the M/M/c run with a heap
recurrence (:mod:`course_lib.components.models.server_fast`); ``engine="simpy"`` runs the simpy
model the lesson teaches; ``simulate_path`` likewise runs on a small event loop of its own
(:mod:`course_lib.components.models.path_fast`). They must agree exactly — not within a tolerance —
on every per-request time and on the time averages, for stable and unstable loads, one and many
workers, losses and retries, several seeds.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from course_lib.components import PathScenario, render_load_curve, simulate_path, simulate_server
from course_lib.components.models.load_curve import LOAD_FRACTIONS, _unit_load_curve
from course_lib.components.models.server_fast import server_digest
from course_lib.core.engines import expovariates, randbelows, stream


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize("rho", [0.3, 0.85, 0.99, 1.3])
@pytest.mark.parametrize("seed", [0, 7, 2026])
def test_recurrence_is_identical_to_simpy(workers, rho, seed):
    service_rate = 7.0
    arrival_rate = rho * workers * service_rate
    kwargs = {"duration": 2000 / arrival_rate, "seed": seed}
    slow = simulate_server(arrival_rate, service_rate, workers, engine="simpy", **kwargs)
    fast = simulate_server(arrival_rate, service_rate, workers, **kwargs)
    assert fast.requests == slow.requests  # every (arrived_at, started_at, finished_at), exactly
    assert fast.in_system_at_end == slow.in_system_at_end
    assert fast.completions_in_window == slow.completions_in_window
    assert fast.area_in_system == slow.area_in_system
    assert fast.area_busy == slow.area_busy
    assert fast.carried_in_time == slow.carried_in_time
    assert fast == slow


def test_recurrence_is_identical_with_an_explicit_warmup_and_zero_warmup():
    for warmup in (0.0, 3.0):
        slow = simulate_server(50.0, 20.0, 3, duration=40.0, seed=5, warmup=warmup,
                               engine="simpy")
        assert simulate_server(50.0, 20.0, 3, duration=40.0, seed=5, warmup=warmup) == slow


def test_unknown_engine_is_refused_by_name():
    with pytest.raises(ValueError, match=r"engine must be 'auto' or 'simpy' \(got 'numpy'\)"):
        simulate_server(1.0, 2.0, engine="numpy")


def test_load_curve_rescales_the_unit_runs():
    """A run at service rate μ equals the unit-rate run with times divided by μ.

    The cached unit runs are rescaled; compare with a direct run at μ = 50/s: the response times
    agree to floating-point rounding (relative 1e-9), and the counts exactly.
    """
    workers, service_rate, seed = 2, 50.0, 2026
    unit = _unit_load_curve(workers, 3000, seed)
    for i, fraction in enumerate(LOAD_FRACTIONS[:3]):
        rate = fraction * workers * service_rate
        run = simulate_server(rate, service_rate, workers,
                              duration=3000 / (1 - fraction) / rate, seed=seed + i)
        _, throughput, _, _, at_end = unit[i]
        assert throughput * service_rate == pytest.approx(run.throughput, rel=1e-9)
        assert at_end == run.in_system_at_end


def test_service_time_slider_reuses_the_cached_runs():
    """Moving the service-time slider simulates nothing new (a cache hit, no miss)."""
    render_load_curve(workers=3, service_time_ms=20.0)
    before = _unit_load_curve.cache_info()
    render_load_curve(workers=3, service_time_ms=37.0)
    after = _unit_load_curve.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


PATH_CASES = [
    {}, {"arrival_rate": 300.0}, {"network_delay": 0.0, "network_jitter": 0.0},
    {"network_delay": 0.04, "network_jitter": 0.0},
    {"loss_probability": 0.1, "retry_timeout": 0.2},
    {"loss_probability": 0.05, "retry_timeout": 0.05, "arrival_rate": 200.0},
    {"cache_hit_ratio": 0.9, "arrival_rate": 500.0}, {"cache_hit_ratio": 1.0},
    {"db_pool": 1, "arrival_rate": 60.0},
    {"workers": 1, "arrival_rate": 60.0, "retry_timeout": 0.05, "max_attempts": 5},
    {"arrival_rate": 400.0, "duration": 10.0},  # unstable: the queue grows all run long
    {"loss_probability": 0.3, "max_attempts": 1},
]


@pytest.mark.parametrize("change", PATH_CASES)
@pytest.mark.parametrize("seed", [0, 2026])
def test_path_event_loop_is_identical_to_simpy(change, seed):
    """Every request record (sent, done or None, attempts, server visits), the requests left in
    the system at the end and the workers' busy time: equal, not close."""
    scenario = replace(PathScenario(duration=15.0, warmup=2.0), **change)
    slow = simulate_path(scenario, seed, engine="simpy")
    fast = simulate_path(scenario, seed)
    assert fast.requests == slow.requests
    assert fast.in_system_at_end == slow.in_system_at_end
    assert fast.worker_busy_time == slow.worker_busy_time
    if len(slow.response_times):  # (with every request failed there are no percentiles)
        assert fast.summary() == slow.summary()


def test_path_engine_is_checked_by_name():
    with pytest.raises(ValueError, match=r"engine must be 'auto' or 'simpy' \(got 'x'\)"):
        simulate_path(PathScenario(), engine="x")


@pytest.mark.parametrize("workers, load", [(1, 0.5), (1, 1.3), (3, 0.85), (8, 1.1)])
def test_load_curve_digest_is_the_runs_numbers(workers, load):
    """The load curve reads its runs through ``server_digest``: the very response times (in the
    same order), throughput and queue at the end as ``simulate_server``'s result."""
    rate = load * workers * 10.0
    run = simulate_server(rate, 10.0, workers, duration=2000 / rate, seed=11)
    assert run.warmup is not None
    times, throughput, at_end = server_digest(rate, 10.0, workers, run.duration, 11, run.warmup)
    assert times.tolist() == run.response_times.tolist()
    assert (throughput, at_end) == (run.throughput, run.in_system_at_end)


def test_block_draws_are_the_streams_draws():
    """``engines.expovariates`` returns what one ``expovariate`` call each would, bit for bit,
    and leaves the stream where those calls would (``uniforms`` runs numpy's twister from it)."""
    for seed in range(5):
        ours, theirs = stream(seed, "arrivals"), stream(seed, "arrivals")
        for n, rate in ((1, 3.0), (0, 1.0), (5000, 0.37), (777, 123.4)):
            assert expovariates(ours, rate, n).tolist() == [theirs.expovariate(rate)
                                                             for _ in range(n)]
        assert ours.getstate() == theirs.getstate()


def test_block_randranges_are_the_streams_randranges():
    """``engines.randbelows`` returns what one ``randrange(n)`` call each would (rejected words
    included: n = 5, 9, 2**31 + 1 reject up to half of them) and leaves the stream where those
    calls would; an n that would need two words per draw is refused."""
    for seed in range(5):
        ours, theirs = stream(seed, "keys"), stream(seed, "keys")
        for n, count in ((1, 10), (6, 24_000), (5, 3), (7, 0), (9, 5000), (12, 777),
                         (2**31 + 1, 100), (2**32 - 1, 50)):
            assert randbelows(ours, n, count).tolist() == [theirs.randrange(n)
                                                           for _ in range(count)]
        assert ours.getstate() == theirs.getstate()
    for n in (0, 2**32):
        with pytest.raises(ValueError, match=r"n must be an integer from 1 to 2\*\*32 - 1"):
            randbelows(stream(0, "keys"), n, 1)
