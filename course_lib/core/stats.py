"""Reading simulation output: percentiles and the method of batch means, in one place.

Every percentile in the course comes from here, and every one takes ``q`` as a fraction in
[0, 1] (0.95 for p95; numpy's ``np.percentile`` scale of 0–100 is not used anywhere else, and a
``q`` outside [0, 1] is a ``ValueError`` rather than a silent wrong index).

**The interpolated percentile** (what lessons 01–03 and 07 report as p50/p95/p99) is numpy's
default: linear interpolation between the two nearest order statistics, Hyndman & Fan's type 7,
also R's default and Excel's ``PERCENTILE.INC``. It has two spellings of one definition:

* :func:`linear_quantile` for arrays, computed *by numpy itself* (``np.quantile``), so that
  ``linear_quantile(x, 0.95)`` is bit for bit ``np.percentile(x, 95)`` (numpy divides the 95
  by 100, which gives exactly the float ``0.95``) and the lessons' stored numbers did not move
  when their callers switched over;
* :func:`percentile` in pure Python for an already sorted list (the load balancer's and the
  capstone's results): the same definition, equal to numpy's up to float rounding.

**The lower quantile** :func:`lower_quantile` is a sample value, no interpolation: the smallest
value with at least a fraction ``q`` of the data at or below it (the inverse of the empirical
distribution function, Hyndman & Fan's type 1). Lesson 06's hand-over model reports it. Before
2026-12 the function of that name returned the *upper* quantile (the sorted value at index
⌊q·n⌋); the two differ only when q·n is a whole number (an even count for the median), by one
neighbouring sample: lesson 06's database-table p50 (of 2016 latencies) now reads 286.2 ms
where it read 286.4 ms; no other number of lesson 06 moved.

**Batch means.** Successive response times in a queue are correlated, so σ/√n understates the
error of their mean; :func:`batch_means` gives an honest standard error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["batch_means", "linear_quantile", "lower_quantile", "percentile"]


def _check_q(q: float) -> float:
    """``q`` if it is a fraction in [0, 1], else a ``ValueError`` that names the scale."""
    if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 1:
        raise ValueError(f"q must be a fraction in [0, 1], e.g. 0.95 for p95 (got {q!r})")
    return q


def linear_quantile(values: ArrayLike, q: float) -> float:
    """The ``q``-quantile (``q`` in [0, 1]) of ``values`` (any order) by linear interpolation,
    computed by numpy: exactly ``np.percentile(values, 100 * q)`` for the ``q`` the course uses
    (see the module docstring); ``ValueError`` if ``values`` is empty."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("no values to take a quantile of")
    return float(np.quantile(data, _check_q(q)))


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The ``q``-quantile (``q`` in [0, 1]) of an already sorted sequence by linear
    interpolation (numpy's default method, up to float rounding); ``None`` if it is empty."""
    _check_q(q)
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def lower_quantile(sorted_values: Sequence[float], q: float) -> float:
    """The lower ``q``-quantile of an already sorted sequence: a sample value, no interpolation.

    Precisely, for n sorted values x₁ ≤ … ≤ xₙ it is x_k with k = max(1, ⌈q·n⌉): the smallest
    value with at least a fraction ``q`` of the data at or below it (q = 0 gives the minimum,
    q = 1 the maximum). For 1..20 and q = 0.5 that is 10 (half the data is ≤ 10), where the
    upper quantile would be 11. q·n is computed on the decimal ``q`` prints as (0.95 is read as
    95/100, not as the binary float just below it), so a whole q·n is recognised as whole.
    nan if the sequence is empty.
    """
    _check_q(q)
    n = len(sorted_values)
    if not n:
        return float("nan")
    k = max(1, math.ceil(Fraction(repr(float(q))) * n))
    return sorted_values[k - 1]


def batch_means(values: ArrayLike, batches: int = 20) -> tuple[float, float]:
    """Mean of a correlated series and its standard error by the method of batch means.

    Successive response times in a queue are correlated (a long wait follows a long wait), so
    the textbook σ/√n is far too optimistic. Cutting the series into ``batches`` consecutive
    blocks, much longer than the correlation, gives nearly independent block means; their spread
    gives an honest standard error: SE = stdev(block means) / √batches.
    """
    import numpy as np

    data = np.asarray(values, dtype=float)
    if len(data) < 2 * batches:
        raise ValueError(f"need at least {2 * batches} values for {batches} batches "
                         f"(got {len(data)})")
    size = len(data) // batches
    means = data[: size * batches].reshape(batches, size).mean(axis=1)
    return float(data.mean()), float(means.std(ddof=1) / math.sqrt(batches))
