"""Load-balancing policies: exact sequences, proportions, and the pick() contract."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.lb import POLICIES, make_policy


def picks(policy, healthy, n, in_flight=None):
    return [policy.pick(healthy, in_flight or {}) for _ in range(n)]


def test_smooth_weighted_round_robin_is_nginx_sequence():
    policy = make_policy("weighted_round_robin", weights={"a": 5, "b": 1, "c": 1})
    seq = "".join(picks(policy, ["a", "b", "c"], 21))
    assert seq == "aabacaa" * 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=6))
def test_smooth_weighted_round_robin_spreads_any_weights_per_cycle(weights):
    """Over every cycle of sum(weights) picks each backend gets exactly its weight."""
    names = [f"s{i}" for i in range(len(weights))]
    policy = make_policy("weighted_round_robin", weights=dict(zip(names, weights, strict=True)))
    total = sum(weights)
    for _ in range(3):
        counts = Counter(picks(policy, names, total))
        assert [counts[n] for n in names] == weights


def test_weight_zero_is_never_picked_while_others_are_up():
    policy = make_policy("weighted_round_robin", weights={"a": 2, "b": 0, "c": 1})
    assert "b" not in picks(policy, ["a", "b", "c"], 30)


def test_round_robin_cycles_and_skips_missing_backends():
    policy = make_policy("round_robin")
    assert picks(policy, ["a", "b", "c"], 6) == ["a", "b", "c", "a", "b", "c"]
    assert Counter(picks(policy, ["a", "c"], 10)) == {"a": 5, "c": 5}


def test_least_connections_picks_the_least_busy_and_rotates_ties():
    policy = make_policy("least_connections")
    assert policy.pick(["a", "b", "c"], {"a": 3, "b": 1, "c": 2}) == "b"
    assert set(picks(policy, ["a", "b", "c"], 3, {"a": 0, "b": 0, "c": 0})) == {"a", "b", "c"}


def test_power_of_two_never_picks_the_busiest_of_three():
    """With 3 backends, the busiest can only win a draw against itself, which cannot happen."""
    policy = make_policy("power_of_two", seed=3)
    chosen = picks(policy, ["a", "b", "c"], 300, {"a": 0, "b": 5, "c": 9})
    assert "c" not in chosen
    assert Counter(chosen)["a"] > Counter(chosen)["b"]


def test_random_is_seeded_and_roughly_uniform():
    """3000 uniform picks over 3: each count is Binomial(3000, 1/3), sd ≈ 25.8; allow 4 sd."""
    a = picks(make_policy("random", seed=7), ["a", "b", "c"], 3000)
    assert a == picks(make_policy("random", seed=7), ["a", "b", "c"], 3000)
    for count in Counter(a).values():
        assert abs(count - 1000) < 4 * 25.8


@pytest.mark.parametrize("name", POLICIES)
def test_every_policy_only_picks_from_healthy(name):
    policy = make_policy(name, weights={"a": 3, "b": 1}, seed=1)
    assert set(picks(policy, ["b"], 5)) == {"b"}
    with pytest.raises(ValueError, match="healthy must name at least one backend"):
        policy.pick([], {})


def test_unknown_policy_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"policy must be one of .* \(got 'fastest'\)"):
        make_policy("fastest")
