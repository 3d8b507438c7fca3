"""Counts a result keeps in one tally, shown as read-only attributes.

A result that counts several kinds of thing (a replication run's writes by outcome, a live
run's anomalies by kind) computes them together, once; ``result.lost`` and ``result.rejected``
are then views of that one tally, not separate loops that could disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["tally_count"]


def tally_count(tally: Callable[[Any], Mapping[str, int]], name: str, doc: str) -> property:
    """A read-only attribute: ``tally(result)[name]``, documented by ``doc``."""
    def count(result: Any) -> int:
        return tally(result)[name]
    count.__doc__ = doc
    return property(count)
