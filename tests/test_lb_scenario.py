"""Scenario validation: every bad value raises ValueError naming field, rule and value."""

import pytest

from course_lib.lb import Backend, Failure, HealthCheck, PassiveCheck, Scenario, detection_bounds

TWO = (Backend("a", 10.0), Backend("b", 10.0))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Scenario([]), r"backends must list at least one backend \(got none\)"),
        (lambda: Scenario([Backend("a", 1, weight=0), Backend("b", 1, weight=0)]),
         r"backends\[\*\]\.weight must not all be 0"),
        (lambda: Scenario([Backend("a", 1), Backend("b", -1.0)]),
         r"backends\[1\]\.service_rate must be a finite number > 0 \(got -1\.0\)"),
        (lambda: Scenario(TWO, duration=-5.0),
         r"duration must be a finite number > 0 \(got -5\.0\)"),
        (lambda: Scenario(TWO, arrival_rate=0),
         r"arrival_rate must be a finite number > 0 \(got 0\)"),
        (lambda: Scenario(TWO, failures=[Failure("a", -1.0)]),
         r"failures\[0\]\.at must be a finite number >= 0 \(got -1\.0\)"),
        (lambda: Scenario(TWO, failures=[Failure("z", 1.0)]),
         r"failures\[0\]\.backend must name a backend \(a, b\) \(got 'z'\)"),
        (lambda: Scenario(TWO, failures=[Failure("a", 1.0), Failure("a", 3.0)]),
         r"failures\[1\] must not overlap failures\[0\]"),
        (lambda: HealthCheck(fall=0), r"health_check\.fall must be an integer >= 1 \(got 0\)"),
        (lambda: HealthCheck(interval=-2.0),
         r"health_check\.interval must be a finite number > 0 \(got -2\.0\)"),
        (lambda: HealthCheck(timeout=0),
         r"health_check\.timeout must be a finite number > 0 \(got 0\)"),
        (lambda: Scenario(TWO, failures=[Failure("a", 5.0, end_at=4.0)]),
         r"failures\[0\]\.end_at must be > at=5 \(got 4\.0\)"),
        (lambda: Scenario(TWO, failures=[Failure("b", 5.0, "slow")]),
         r"failures\[0\]\.factor must be given for kind 'slow'"),
        (lambda: Scenario(TWO, failures=[Failure("a", 5.0, "melt")]),
         r"failures\[0\]\.kind must be one of crash, hang, slow"),
        (lambda: Scenario(TWO, failures=[Failure("a", 5.0, "slow", factor=0.5)]),
         r"failures\[0\]\.factor must be >= 1 \(got 0\.5\)"),
        (lambda: PassiveCheck(max_fails=0), r"passive\.max_fails must be an integer >= 1"),
        (lambda: Scenario(TWO, retries=-1), r"retries must be an integer >= 0 \(got -1\)"),
        (lambda: Scenario(TWO, policy="fastest"), r"policy must be one of"),
        (lambda: Scenario((Backend("a", 1), Backend("a", 2))),
         r"backends\[1\]\.name must be unique"),
        (lambda: Scenario([Backend("a", 1, backup=True)]), r"at least one non-backup backend"),
        (lambda: Scenario(TWO, standby="warm"), r"standby must be 'hot' or 'cold'"),
    ],
)
def test_invalid_scenarios_name_the_field(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_scenario_normalises_lists_and_reports_capacity():
    s = Scenario([Backend("a", 10.0), Backend("b", 30.0), Backend("s", 50.0, backup=True)],
                 arrival_rate=20.0)
    assert isinstance(s.backends, tuple)
    assert s.capacity == 40.0
    assert s.utilisation == pytest.approx(0.5)
    assert HealthCheck().check_timeout == 2.0
    assert HealthCheck(timeout=0.5).check_timeout == 0.5


def test_detection_bounds_formula():
    hc = HealthCheck(interval=2.0, timeout=1.0, rise=2, fall=3)
    assert detection_bounds(hc, "crash") == (4.0, 6.0)
    assert detection_bounds(hc, "hang") == (7.0, 9.0)
    assert detection_bounds(HealthCheck(), "hang") == (10.0, 12.0)
    with pytest.raises(ValueError, match="kind must be 'crash' or 'hang'"):
        detection_bounds(hc, "slow")
