"""Load-balancing policies: given the backends that are up, which one gets the next request?

A policy is a tiny object with one method, ``pick(healthy, in_flight) -> name``:

* ``healthy`` — the names the balancer currently believes are up (in configuration order);
* ``in_flight`` — how many requests each backend is working on right now (queued or in service).

Policies know nothing about simpy, time or failures: the simulator calls them, and so can a real
balancer written in a few lines of asyncio. That is also why they keep their own state (a
round-robin position, a seeded random generator) and never look at a clock.

The five policies, with the names HAProxy and nginx use for them:

==========================  =========================  ===================================
``make_policy`` name         HAProxy ``balance``         nginx ``upstream``
==========================  =========================  ===================================
``round_robin``              ``static-rr`` (weights 1)   (default, all weights 1)
``weighted_round_robin``     ``roundrobin``              (default) with ``weight=``
``least_connections``        ``leastconn``               ``least_conn``
``random``                   ``random(1)``               ``random``
``power_of_two``             ``random(2)``               ``random two least_conn``
==========================  =========================  ===================================

Only ``weighted_round_robin`` uses weights; the others treat every backend alike, which is what
lesson 02 compares: round-robin is blind to capacity, least-connections adapts to it by itself.

Introduced in ``notebooks/02_load_balancing.ipynb``.
"""

from __future__ import annotations

import random as _random
from collections.abc import Mapping, Sequence

from course_lib.core.engines import stream

__all__ = ["POLICIES", "LeastConnections", "Policy", "PowerOfTwo", "RandomChoice", "RoundRobin",
           "SmoothWeightedRoundRobin", "make_policy"]


class Policy:
    """Base class: subclasses implement :meth:`pick`."""

    name = "policy"

    def pick(self, healthy: Sequence[str], in_flight: Mapping[str, int]) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _require(healthy: Sequence[str]) -> None:
    if not healthy:
        raise ValueError("healthy must name at least one backend (got an empty list)")


class RoundRobin(Policy):
    """Take the backends in turn: a, b, c, a, b, c, …

    When a backend goes down the rotation simply continues over the ones left, so its share is
    spread evenly over the survivors.
    """

    name = "round_robin"

    def __init__(self) -> None:
        self._next = 0

    def pick(self, healthy: Sequence[str], in_flight: Mapping[str, int]) -> str:
        _require(healthy)
        choice = healthy[self._next % len(healthy)]
        self._next += 1
        return choice


class SmoothWeightedRoundRobin(Policy):
    """nginx's *smooth* weighted round-robin (``ngx_http_upstream_round_robin.c``).

    Each pick adds every eligible backend's weight to its ``current`` score, chooses the highest
    score (the first one in order on a tie) and subtracts the total weight from the winner. With
    weights a=5, b=1, c=1 a cycle of 7 picks is ``a a b a c a a``: each backend gets exactly its
    weight per cycle, and the heavy one's picks are spread out instead of coming in a burst.
    A backend with weight 0 is never picked while any backend with a positive weight is healthy.
    """

    name = "weighted_round_robin"

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        self.weights = dict(weights or {})
        self._current: dict[str, float] = {}

    def pick(self, healthy: Sequence[str], in_flight: Mapping[str, int]) -> str:
        _require(healthy)
        eligible = [n for n in healthy if self.weights.get(n, 1) > 0] or list(healthy)
        total = 0.0
        best: str | None = None
        for name in eligible:
            weight = self.weights.get(name, 1) or 1
            score = self._current.get(name, 0.0) + weight
            self._current[name] = score
            total += weight
            if best is None or score > self._current[best]:
                best = name
        assert best is not None  # _require: healthy, hence eligible, is not empty
        self._current[best] -= total
        return best

    def __repr__(self) -> str:
        return f"SmoothWeightedRoundRobin(weights={self.weights!r})"


class LeastConnections(Policy):
    """Send the request to the backend with the fewest requests in flight.

    Ties are broken by rotating the starting point (as HAProxy's ``leastconn`` does with
    round-robin among equals), so idle backends share the load instead of the first one taking
    everything. Needs a global view of ``in_flight``: easy for one balancer, hard for many.
    """

    name = "least_connections"

    def __init__(self) -> None:
        self._start = 0

    def pick(self, healthy: Sequence[str], in_flight: Mapping[str, int]) -> str:
        _require(healthy)
        n = len(healthy)
        start = self._start % n
        self._start += 1
        best = healthy[start]
        best_load = in_flight.get(best, 0)
        for k in range(1, n):
            name = healthy[(start + k) % n]
            load = in_flight.get(name, 0)
            if load < best_load:
                best, best_load = name, load
        return best


class RandomChoice(Policy):
    """Pick a backend uniformly at random (seeded, so a run can be repeated)."""

    name = "random"

    def __init__(self, rng: _random.Random | None = None) -> None:
        self._rng = rng if rng is not None else stream(0, "policy")

    def pick(self, healthy: Sequence[str], in_flight: Mapping[str, int]) -> str:
        _require(healthy)
        return healthy[self._rng.randrange(len(healthy))]


class PowerOfTwo(Policy):
    """"Power of two choices" (Mitzenmacher 2001): draw two distinct backends, the less busy wins.

    Two random samples are almost as good as looking at every backend (least connections), yet
    need no global view, which is why HAProxy's ``random(2)`` became its default in 3.3 and Envoy
    and nginx offer it. On a tie the first draw wins.
    """

    name = "power_of_two"

    def __init__(self, rng: _random.Random | None = None) -> None:
        self._rng = rng if rng is not None else stream(0, "policy")

    def pick(self, healthy: Sequence[str], in_flight: Mapping[str, int]) -> str:
        _require(healthy)
        n = len(healthy)
        if n == 1:
            return healthy[0]
        i = self._rng.randrange(n)
        j = self._rng.randrange(n - 1)
        if j >= i:
            j += 1
        first, second = healthy[i], healthy[j]
        return second if in_flight.get(second, 0) < in_flight.get(first, 0) else first


POLICIES: tuple[str, ...] = (
    "round_robin",
    "weighted_round_robin",
    "least_connections",
    "random",
    "power_of_two",
)


def make_policy(name: str, weights: Mapping[str, float] | None = None, seed: object = 0,
                stream_name: str = "policy") -> Policy:
    """A fresh policy object by name (one of :data:`POLICIES`).

    ``weights`` (name → weight) is used by ``weighted_round_robin`` only; ``seed`` by the
    randomised policies (``random``, ``power_of_two``), which draw from the run's stream
    ``engines.stream(seed, stream_name)`` (the simulator gives each balancer its own name).
    """
    if name == "round_robin":
        return RoundRobin()
    if name == "weighted_round_robin":
        return SmoothWeightedRoundRobin(weights)
    if name == "least_connections":
        return LeastConnections()
    if name == "random":
        return RandomChoice(stream(seed, stream_name))
    if name == "power_of_two":
        return PowerOfTwo(stream(seed, stream_name))
    raise ValueError(f"policy must be one of {', '.join(POLICIES)} (got {name!r})")
