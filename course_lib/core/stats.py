"""Reading simulation output: percentiles and the method of batch means, in one place.

**One percentile definition.** A percentile here is numpy's default (linear interpolation
between the two nearest order statistics, Hyndman & Fan's type 7, also R's and Excel's
``PERCENTILE.INC``): :func:`percentile`. It is what lessons 01–03 report as p50/p95/p99.

Lesson 06's hand-over model and lesson 05's live pipeline predate this module and report the
*lower empirical quantile* (the sorted value at index ⌊q·n⌋, no interpolation):
:func:`lower_quantile`. It is kept, under its own name, because switching lesson 06 to
interpolation would change its stored tables (for seed 2026 the database-table style's p50/p95
would read 286.3/506.8 ms instead of 286.4/507.7 ms). For the thousands of samples these
percentiles summarise, the two differ by less than the gap between neighbouring samples.

**Batch means.** Successive response times in a queue are correlated, so σ/√n understates the
error of their mean; :func:`batch_means` gives an honest standard error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["batch_means", "lower_quantile", "percentile"]


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The ``q``-quantile (``q`` in [0, 1]) of an already sorted sequence by linear
    interpolation (numpy's default method, up to float rounding); ``None`` if it is empty."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def lower_quantile(sorted_values: Sequence[float], q: float) -> float:
    """The sorted value at index ⌊q·n⌋ (clipped to the last), no interpolation; nan if empty.
    Lesson 06's (and the live pipeline's) definition, see the module docstring."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


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
