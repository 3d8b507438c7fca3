"""Failure detection and failover: exact detection bounds, failures during detection, retries."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.lb import Backend, Failure, HealthCheck, PassiveCheck, Scenario, detection_bounds
from course_lib.lb.models.simulate import simulate

FOUR = tuple(Backend(n, 50.0) for n in "abcd")


@settings(max_examples=40, deadline=None)
@given(
    interval=st.floats(0.3, 3.0),
    timeout=st.floats(0.1, 2.0),
    rise=st.integers(1, 3),
    fall=st.integers(1, 4),
    at=st.floats(0.5, 8.0),
    kind=st.sampled_from(["crash", "hang"]),
    seed=st.integers(0, 10_000),
)
def test_detection_time_lies_in_the_documented_bounds(interval, timeout, rise, fall, at, kind,
                                                      seed):
    """Light load (ρ = 0.1) so no check of a working backend is slowed by a backlog: the bound
    from detection_bounds is then exact, low end included, high end excluded."""
    hc = HealthCheck(interval, timeout, rise, fall)
    low, high = detection_bounds(hc, kind)
    scenario = Scenario(FOUR, "round_robin", 20.0, at + high + 1.0, health_check=hc,
                        failures=[Failure("b", at, kind)], seed=seed)
    (detection,) = simulate(scenario).detections
    assert detection.marked_down_at is not None
    assert low - 1e-9 <= detection.detection_time < high + 1e-9


@settings(max_examples=20, deadline=None)
@given(interval=st.floats(0.3, 3.0), rise=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_recovery_is_noticed_after_rise_checks(interval, rise, seed):
    """After a crash ends, the first passing check starts within [0, interval) and rise−1 more
    follow, interval apart: marked up within [(rise−1)·interval, rise·interval)."""
    hc = HealthCheck(interval, None, rise, 2)
    scenario = Scenario(FOUR, "round_robin", 20.0, 30.0 + rise * interval + 1.0, health_check=hc,
                        failures=[Failure("b", 5.0, "crash", end_at=20.0)], seed=seed)
    (d,) = simulate(scenario).detections
    assert (rise - 1) * interval - 1e-9 <= d.marked_up_at - 20.0 < rise * interval + 1e-9


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("policy", ["round_robin", "random"])
def test_failed_requests_during_detection_match_rate_times_time_times_share(policy, seed):
    """Expected failures = λ · detection_time · share, share = 1/4 (4 equal backends).

    Arrivals in the window are Poisson(λd). Round-robin sends exactly every 4th to the dead
    backend (±1), so failures = Poisson(λd)/4 ± 1 with sd √(λd)/4; random thins the stream, so
    failures ~ Poisson(λd/4) with sd √(λd/4). Both are checked at 4 sd (plus 1 for rounding).
    """
    rate = 100.0
    scenario = Scenario(FOUR, policy, rate, 20.0, failures=[Failure("b", 5.0, "crash")],
                        seed=seed)
    result = simulate(scenario)
    (d,) = result.detections
    expected = rate * d.detection_time / 4
    sd = math.sqrt(rate * d.detection_time) / 4 if policy == "round_robin" else math.sqrt(expected)
    assert abs(d.failed_attempts - expected) <= 4 * sd + 1
    refused = result.summary()["refused"]
    assert refused == d.failed_attempts
    if policy == "round_robin":
        arrivals = sum(1 for r in result.requests if 5.0 <= r.arrival_at <= d.marked_down_at)
        assert abs(d.failed_attempts - arrivals / 4) <= 1


@pytest.mark.parametrize("kind", ["crash", "hang"])
def test_retries_hide_the_failure_while_another_backend_is_healthy(kind):
    base = Scenario(FOUR, "round_robin", 100.0, 30.0, request_timeout=1.0,
                    failures=[Failure("b", 5.0, kind, end_at=20.0)], seed=3)
    without = simulate(base).summary()
    assert without["failed"] > 0
    with_retry = simulate(Scenario(**{**base.__dict__, "retries": 1})).summary()
    assert with_retry["failed"] == 0
    assert with_retry["retried"] >= without["failed"] - 5  # the same failures, now retried
    if kind == "hang":  # a retried hang costs a whole request_timeout of latency
        assert with_retry["p99"] > 1.0


def test_passive_detection_marks_down_on_the_first_failure_and_retries_later():
    """nginx defaults (max_fails=1, fail_timeout=10 s) and no active checks."""
    scenario = Scenario(FOUR, "round_robin", 100.0, 40.0, health_check=None,
                        passive=PassiveCheck(1, 10.0), failures=[Failure("b", 5.0, "crash")])
    result = simulate(scenario)
    (d,) = result.detections
    # the first failed request (a reset at the crash or the next refused one) marks it down
    assert d.failed_attempts <= 1 and d.detection_time < 0.2
    ups = [t for t, up in result.belief_log["b"] if up]
    assert ups[1] == pytest.approx(d.marked_down_at + 10.0)  # back in rotation, tried again
    summary = result.summary()
    # one failed request per fail_timeout period: t≈5, 15, 25, 35
    assert summary["refused"] + summary["reset"] == 4


def test_health_timeline_covers_the_run_and_shows_the_detection_gap():
    result = simulate(Scenario(FOUR, "round_robin", 50.0, 20.0,
                               failures=[Failure("b", 5.0, "crash", end_at=12.0)]))
    segs = [h for h in result.health if h.backend == "b"]
    assert segs[0].from_at == 0.0 and segs[-1].to_at == 20.0
    assert all(x.to_at == y.from_at for x, y in zip(segs, segs[1:], strict=False))
    assert [(h.actual, h.believed_up) for h in segs] == [
        ("up", True), ("crashed", True), ("crashed", False), ("up", False), ("up", True)]
