"""The contract every engine with a fast twin keeps: one ``engine=`` knob, the same random streams.

Five models have two engines or more: a simpy model, written to be read, and a fast twin (lb has
three) that a dashboard needs to redraw within ~100 ms of a slider move
(``benchmarks/fast_engines.py`` measures each pair on its dashboard's scenario;
``benchmarks/RESULTS.md`` has the numbers):

* ``lb.models.simulate`` → ``lb.models.fastpath`` when nothing can fail, or
  ``lb.models.fastpath_checked`` when only a health check or a request timeout could act and
  none does (both in ``test_lb_speed.py``), else ``lb.models.failover_fast`` for lesson 03's
  failovers (``test_lb_failover_fast.py``);
* ``components.models.server`` → ``components.models.server_fast`` (``test_components_fast.py``);
* ``components.models.path_engine`` → ``components.models.path_fast`` (the same test);
* ``kafka.models.decision_engine`` → ``kafka.models.decision_fast`` (``test_decision_fast.py``);
* ``kafka.models.group`` → ``kafka.models.group_fast`` (``test_group_fast.py``).

The contract:

* **One knob.** Each takes ``engine="auto"`` (the fast twin where it applies, else simpy) or
  ``engine="simpy"`` (always the readable model); :func:`check_engine` words the error.
* **Exact, not close.** A twin returns the very same result, draw for draw, so the lessons'
  stored outputs do not depend on which engine ran. That works only if both consume the same
  random numbers in the same order from the same streams: :func:`stream` is the one way they
  name a stream (``Random(f"{seed}-{name}")``: separate, named streams, so that changing one
  knob, a service rate say, leaves the other draws, the arrival times, unchanged).

Every simulated model follows one more convention, twin or not: **the seed is part of the
description** (a validated ``seed: int = 0`` field), so a description alone says which run it
is, and the entry point is ``simulate(description)``. Four engines used to take the seed as an
argument (``simulate_path(s, seed)``, ``simulate_group``, ``simulate_integration(s, seed)``, the
capstone's ``evaluate(design, seed, problem)``); they keep that ``seed=`` argument for one
release through :func:`seeded`, which overrides the field, so the lessons' calls still work.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    D = TypeVar("D", bound=DataclassInstance)
else:
    D = TypeVar("D")

__all__ = ["ENGINES", "arrival_times", "check_engine", "exact_delay", "expovariates", "randbelows",
           "seeded", "stream", "uniform_stream", "uniforms"]

#: The values of every ``engine=`` knob.
ENGINES = ("auto", "simpy")


def check_engine(engine: object) -> str:
    """``engine`` if it is one of :data:`ENGINES`, else a ``ValueError`` naming the knob."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be 'auto' or 'simpy' (got {engine!r})")
    return str(engine)


def stream(seed: object, name: str | int) -> random.Random:
    """The random stream ``name`` of a run seeded ``seed``, the same in an engine and its twin."""
    return random.Random(f"{seed}-{name}")


def seeded(description: D, seed: int | None) -> D:
    """``description`` as it is, or a copy whose ``seed`` field is ``seed`` (validated again).

    The old ``seed=`` argument of an engine, kept for one release: ``None`` (its new default)
    means "the description's own seed"; a value overrides it, as the argument used to decide.
    """
    return description if seed is None else replace(description, seed=seed)


_twisters = threading.local()  # one numpy twister per thread, re-stated for every block


def uniforms(rng: random.Random, n: int) -> np.ndarray:
    """The next ``n`` values of ``rng.random()`` as one array, and ``rng`` moved past them.

    Python's ``random`` and numpy's legacy ``RandomState`` are the same Mersenne Twister and
    turn two of its 32-bit words into a double the same way (``genrand_res53``), so numpy, given
    the stream's state, produces exactly the values ``n`` calls would, at C speed. The state is
    then handed back, so later draws from ``rng`` continue where these stop. Handing the state
    over and back costs about as much as a few hundred draws, so this pays for blocks, not for
    single numbers. A fast twin that knows how many numbers it needs from a stream draws them
    here instead of one call each.
    """
    twister = getattr(_twisters, "twister", None)
    if twister is None:  # creating one (seeding it) costs ~0.2 ms: once per thread
        twister = _twisters.twister = np.random.RandomState(0)
    version, words, gauss = rng.getstate()
    twister.set_state(("MT19937", np.array(words[:-1], dtype=np.uint32), words[-1], 0, 0.0))
    values = twister.random_sample(n)
    state = twister.get_state(legacy=False)["state"]
    rng.setstate((version, (*state["key"].tolist(), int(state["pos"])), gauss))
    return values


def randbelows(rng: random.Random, n: int, count: int) -> np.ndarray:
    """The next ``count`` values of ``rng.randrange(n)``, bit for bit, and ``rng`` moved past them.

    ``randrange(n)`` takes the top ``k = n.bit_length()`` bits of one 32-bit word of the twister
    and draws again while they make a number ``>= n`` (for ``n`` below 2**32). numpy's
    ``MT19937`` hands out the same words (``random_raw``) from the stream's state, so the words
    are drawn in a block, shifted, and the rejected ones dropped: what the loop keeps, in order.
    Every word consumed (rejections too) is accounted for when the state is handed back.
    """
    if not 1 <= n < 2**32:  # larger ones take two words per draw
        raise ValueError(f"n must be an integer from 1 to 2**32 - 1 (got {n!r})")
    bits = n.bit_length()
    version, words, gauss = rng.getstate()
    key, pos = np.array(words[:-1], dtype=np.uint32), words[-1]
    twister: np.random.MT19937 | None = getattr(_twisters, "words", None)
    if twister is None:  # creating one (seeding it) costs ~0.2 ms: once per thread
        twister = _twisters.words = np.random.MT19937(0)
    twister.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
    kept: list[np.ndarray] = []
    have, used = 0, 0
    while have < count:
        # a word is kept with probability n / 2**bits (at least 1/2): ask for 10 % more than
        # the words the rest needs on average, so that one block is almost always enough
        block = (count - have) * (1 << bits) * 11 // (10 * n) + 64
        drawn = twister.random_raw(block) >> (32 - bits)
        ok = np.flatnonzero(drawn < n)
        if have + len(ok) >= count:  # the last block: stop at the word that completes the count
            ok = ok[:count - have]
            used += int(ok[-1]) + 1
        else:
            used += block
        kept.append(drawn[ok])
        have += len(ok)
    # replay exactly the words used, so that rng continues after them
    twister.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
    twister.random_raw(used)
    after = twister.state["state"]
    rng.setstate((version, (*after["key"].tolist(), int(after["pos"])), gauss))
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.uint64)


def uniform_stream(rng: random.Random) -> Iterator[float]:
    """``rng.random()``'s values as an endless iterator, drawn by :func:`uniforms` in blocks
    that double (256 to 65,536), so a short run wastes little and a long one pays the hand-over
    rarely. For a stream the run owns alone: ``rng`` itself is left somewhere ahead."""
    block = 256
    while True:
        yield from uniforms(rng, block).tolist()
        block = min(2 * block, 65_536)


def expovariates(rng: random.Random, rate: float, n: int) -> np.ndarray:
    """The next ``n`` values of ``rng.expovariate(rate)``, bit for bit (see :func:`uniforms`).

    ``expovariate`` is ``-log(1.0 - random()) / rate``; the subtraction, negation and division
    are IEEE operations that numpy performs identically, the logarithm is ``math.log`` itself
    (numpy's vectorised ``log`` may differ from the C library's in the last bit).
    """
    logs = np.fromiter(map(math.log, (1.0 - uniforms(rng, n)).tolist()), dtype=float, count=n)
    return -logs / rate


def arrival_times(rng: random.Random, rate: float, until: float) -> np.ndarray:
    """A Poisson source's instants as the engines' loops make them: ``t = t + expovariate(rate)``
    from 0.0, while ``t < until`` (the first sum at or past ``until`` ends it).

    The gaps are drawn in blocks (:func:`expovariates`) and added up by ``np.cumsum``, which
    adds left to right like the loop, so every instant is the loop's to the last bit.
    """
    block = int(rate * until * 1.05) + 64  # a Poisson count rarely exceeds its mean by 5 %
    times: list[np.ndarray] = []
    now = 0.0
    while True:
        sums = np.cumsum(np.concatenate(([now], expovariates(rng, rate, block))))[1:]
        stop = int(np.searchsorted(sums, until, side="left"))  # the first sum ≥ until
        times.append(sums[:stop])
        if stop < block:
            return np.concatenate(times)
        now = float(sums[-1])


def exact_delay(now: float, at: float) -> float:
    """The delay that, added to ``now`` in floating point, lands exactly on ``at``.

    ``now + (at - now)`` can miss ``at`` by one ulp; a timer set that way would fire at a float
    a per-event timer never had, and a fast twin would no longer match its simpy model bit for
    bit. A few corrections by the residual converge (eight at most, as the engines always did)."""
    delay = at - now
    for _ in range(8):
        missed = at - (now + delay)
        if not missed:
            break
        delay += missed
    return delay
