"""Retries have a price: replays are safe only for idempotent requests (Scenario.non_idempotent)."""

from dataclasses import replace

import pytest

from course_lib.lb import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.models.simulate import simulate


def hung_scenario(**kw) -> Scenario:
    """b hangs at 5 s for the rest of the run: its requests time out, and are retried or not."""
    return Scenario(
        [Backend("a", 50.0), Backend("b", 50.0), Backend("c", 50.0)], "round_robin", 60.0, 20.0,
        health_check=HealthCheck(2.0, 0.5), failures=(Failure("b", 5.0, "hang"),),
        retries=1, request_timeout=0.5, **kw)


def test_the_simulator_never_replays_a_non_idempotent_request():
    result = simulate(hung_scenario(non_idempotent=0.3))
    replays = result.replays()
    assert replays["non_idempotent"] == 0
    assert replays["idempotent"] > 0  # the GETs that timed out on b were re-sent to a or c
    posts = [r for r in result.requests if not r.idempotent]
    timed_out_posts = [r for r in posts if r.outcome == "timeout"]
    assert timed_out_posts and all(r.attempts == 1 for r in timed_out_posts)
    share = len(posts) / len(result.requests)
    n = len(result.requests)
    assert share == pytest.approx(0.3, abs=4 * (0.3 * 0.7 / n) ** 0.5)


def test_a_refused_post_is_still_retried_it_never_reached_a_server():
    crash = hung_scenario(non_idempotent=1.0)
    crash = replace(crash, failures=(Failure("b", 5.0, "crash"),))
    result = simulate(crash)
    refused_first = {a.request_id for a in result.attempts if a.outcome == "refused"}
    assert refused_first
    by_id = {r.id: r for r in result.requests}
    assert all(by_id[i].attempts == 2 for i in refused_first)
    assert result.replays() == {"idempotent": 0, "non_idempotent": 0}


def test_blind_retries_replay_every_timed_out_request():
    """With every request idempotent (the default) each timed-out request is re-sent."""
    result = simulate(hung_scenario())
    timed_out = {a.request_id for a in result.attempts if a.outcome == "timeout"}
    by_id = {r.id: r for r in result.requests}
    resent = {i for i in timed_out if by_id[i].attempts == 2}
    assert result.replays() == {"idempotent": len(resent), "non_idempotent": 0}
    assert len(resent) == len(timed_out) - sum(by_id[i].outcome == "in_flight" for i in timed_out)


def test_the_method_stream_leaves_the_arrivals_unchanged():
    base = simulate(hung_scenario())
    mixed = simulate(hung_scenario(non_idempotent=0.5))
    assert [r.arrival_at for r in base.requests] == [r.arrival_at for r in mixed.requests]
    healthy = Scenario([Backend("a", 50.0)], "round_robin", 20.0, 5.0, health_check=None,
                       request_timeout=100.0, non_idempotent=0.5)
    assert 0 < sum(not r.idempotent for r in simulate(healthy).requests) < len(
        simulate(healthy).requests)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "half"])
def test_non_idempotent_must_be_a_share(bad):
    with pytest.raises(ValueError, match=r"non_idempotent must be"):
        hung_scenario(non_idempotent=bad)
    if not isinstance(bad, str) and bad == bad:
        rule = rf"non_idempotent must be a share from 0 to 1 \(got {bad!r}\)"
        with pytest.raises(ValueError, match=rule):
            hung_scenario(non_idempotent=bad)
