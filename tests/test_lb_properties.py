"""Property-based tests: whatever the scenario, requests are conserved and the balancer never
sends a request to a backend it believes is down."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.lb import POLICIES, Backend, Failure, HealthCheck, PassiveCheck, Scenario
from course_lib.lb.models.simulate import simulate


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 4))
    backends = [
        Backend(f"s{i}", draw(st.floats(5.0, 60.0)), weight=draw(st.integers(1, 5)),
                backup=i > 0 and draw(st.booleans()))
        for i in range(n)
    ]
    duration = draw(st.floats(3.0, 15.0))
    failures = []
    for b in backends:
        if draw(st.booleans()):
            at = draw(st.floats(0.0, duration))
            until = draw(st.one_of(st.none(), st.floats(at + 0.1, at + 10.0)))
            kind = draw(st.sampled_from(["crash", "hang", "slow"]))
            factor = draw(st.floats(1.0, 10.0)) if kind == "slow" else None
            failures.append(Failure(b.name, at, kind, until, factor))
    hc = draw(st.one_of(st.none(), st.builds(
        HealthCheck, st.floats(0.2, 3.0), st.one_of(st.none(), st.floats(0.05, 2.0)),
        st.integers(1, 3), st.integers(1, 3))))
    passive = draw(st.one_of(st.none(), st.builds(PassiveCheck, st.integers(1, 3),
                                                  st.floats(0.5, 5.0))))
    return Scenario(
        backends, draw(st.sampled_from(POLICIES)), draw(st.floats(5.0, 150.0)), duration,
        health_check=hc, failures=failures, retries=draw(st.integers(0, 2)),
        seed=draw(st.integers(0, 1000)), passive=passive,
        request_timeout=draw(st.floats(0.2, 3.0)), standby=draw(st.sampled_from(["hot", "cold"])),
        cold_start_time=draw(st.floats(0.0, 5.0)),
    )


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_every_request_is_accounted_for(scenario):
    result = simulate(scenario)
    s = result.summary()
    assert s["sent"] == s["ok"] + s["failed"] + s["in_flight"]
    assert sorted(r.id for r in result.requests) == list(range(s["sent"]))
    attempts = Counter(a.request_id for a in result.attempts)
    for r in result.requests:
        assert r.attempts <= scenario.retries + 1
        # every try ended except, for a request still in flight, its last one
        assert attempts[r.id] == r.attempts - (r.outcome == "in_flight")
        if r.outcome == "ok":
            assert r.response_time >= 0 and r.finished_at <= scenario.duration
    per_backend = result.per_backend()
    assert sum(row["sent"] for row in per_backend.values()) == len(result.attempts)
    assert all(0 <= row["utilisation"] <= 1 + 1e-9 for row in per_backend.values())


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_no_request_goes_to_a_backend_believed_down(scenario):
    """Checked against the recorded belief timeline, not against the engine's own flag.
    Backups are only used while no primary is believed up.

    A belief can change at the very instant a request is sent (a refused attempt marks its
    backend down passively and is retried at once), and a timeline cannot order two events at
    one instant, so "up at t" means up just before *or* just after the changes made at t.
    """
    result = simulate(scenario)

    def up(name, at):
        return result.believed_up_at(name, at, before=True) or result.believed_up_at(name, at)

    primaries = [b.name for b in scenario.backends if not b.backup]
    for a in result.attempts:
        assert up(a.backend, a.sent_at)
        if a.backend not in primaries:
            assert not any(
                result.believed_up_at(p, a.sent_at, before=True)
                and result.believed_up_at(p, a.sent_at) for p in primaries
            )


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_same_seed_same_result(scenario):
    assert simulate(scenario).summary() == simulate(scenario).summary()
