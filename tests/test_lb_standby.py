"""Backups (hot and cold standby) and overload of the survivors after failover."""

from course_lib.lb import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.models.simulate import simulate

PAIR_AND_BACKUP = (Backend("a", 50.0), Backend("b", 50.0), Backend("s", 50.0, backup=True))
BOTH_DIE = (Failure("a", 10.0, "crash"), Failure("b", 10.0, "crash"))


def test_hot_standby_serves_nothing_until_detection_then_everything():
    result = simulate(Scenario(PAIR_AND_BACKUP, "round_robin", 30.0, 40.0, failures=BOTH_DIE))
    switch = max(d.marked_down_at for d in result.detections)
    to_backup = [a for a in result.attempts if a.backend == "s"]
    assert to_backup and min(a.sent_at for a in to_backup) >= switch
    later = [a for a in result.attempts if a.sent_at > switch]
    assert later and all(a.backend == "s" and a.outcome in ("ok", "in_flight") for a in later[:-5])
    assert result.per_backend()["s"]["ok"] == len([a for a in later if a.outcome == "ok"])


def test_cold_standby_leaves_a_gap_with_no_server():
    """Cold: the backup boots only once no primary is left, then needs rise checks."""
    hc = HealthCheck()
    result = simulate(Scenario(PAIR_AND_BACKUP, "round_robin", 30.0, 60.0, failures=BOTH_DIE,
                               standby="cold", cold_start_time=15.0, health_check=hc))
    switch = max(d.marked_down_at for d in result.detections)
    backup_up = next(t for t, up in result.belief_log["s"] if up)
    assert switch + 15.0 + (hc.rise - 1) * hc.interval <= backup_up
    assert backup_up < switch + 15.0 + hc.rise * hc.interval + 1e-9
    gap = [r for r in result.requests if switch < r.arrival_at < backup_up]
    assert gap and all(r.outcome == "no_server" for r in gap)
    assert all(r.outcome == "ok" for r in result.requests if backup_up < r.arrival_at < 55.0)


def _after_failover(arrival_rate: float) -> tuple[dict, float]:
    """3 servers of 10 req/s, one crashes at 20 s: survivors carry ρ·3/2."""
    scenario = Scenario([Backend(n, 10.0) for n in "abc"], "round_robin", arrival_rate, 140.0,
                        failures=[Failure("a", 20.0, "crash")], seed=5)
    result = simulate(scenario)
    util = max(result.per_backend()[n]["utilisation"] for n in "bc")
    return result.summary(since=80.0), util


def test_survivors_overload_when_rho_times_n_over_n_minus_1_reaches_1():
    """ρ = 0.8 → ρ·N/(N−1) = 1.2: queues grow until requests time out and checks fail
    (cascading failure). ρ = 0.5 → 0.75: the survivors cope, nothing fails after detection."""
    overloaded, util_hi = _after_failover(24.0)
    assert overloaded["failed"] > 0.1 * overloaded["sent"]
    assert util_hi > 0.9
    fine, util_lo = _after_failover(15.0)
    assert fine["failed"] == 0
    assert fine["p99"] < 5.0  # request_timeout: nobody came close to timing out
    assert util_lo < util_hi
    assert overloaded["mean_response_time"] > 5 * fine["mean_response_time"]
