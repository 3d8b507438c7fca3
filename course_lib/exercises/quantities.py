"""Reading a learner's number the way they write it: ``"1,006"``, ``"10 msg/s"``, ``"171 s"``.

The lessons print numbers with thousands separators and units, and learners copy them.
:func:`read_quantity` turns such text into a number in the checker's unit before the generic
``checks.check_number`` sees it, or returns a :class:`~course_lib.checks.Verdict` that says
what was not understood (a unit the question does not use, for instance). Numbers that are not
text pass through unchanged. :func:`whole_number` refuses a fractional count with a sentence
rather than a misleading "too low".

Used by the lesson 04–06 checkers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from numbers import Real
from typing import Any

from course_lib.checks import Verdict

_NUMBER = re.compile(r"^\s*([-+]?(?:\d{1,3}(?:[,_\u202f\u00a0 ]\d{3})+|\d+)(?:\.\d+)?)"
                     r"\s*([A-Za-z/%][^\d]*?)?\s*$")
_SEPARATORS = ",_\u202f\u00a0 "


def read_quantity(answer: Any, units: Mapping[str, float], what: str) -> Any:
    """``answer`` as a number in the checker's unit (``units`` maps accepted words to factors).

    Anything that is not a string comes back unchanged (``None``, numbers, other types: the
    generic checker handles them). A string with an unknown unit gives a Verdict naming the
    units this question accepts.
    """
    if not isinstance(answer, str):
        return answer
    match = _NUMBER.match(answer)
    if match is None:
        return answer  # not a number at all: the generic checker says so
    digits, unit = match.groups()
    value = float(digits.translate({ord(c): None for c in _SEPARATORS}))
    if not unit:
        return value
    factors = {k.lower(): v for k, v in units.items()}
    if unit.lower() not in factors:
        accepted = ", ".join(repr(k) for k in units)
        return Verdict(False, f"Not yet: {what} {answer!r}: the unit {unit!r} is not one this "
                              f"question uses ({accepted}, or no unit).")
    return value * factors[unit.lower()]


def whole_number(value: Any, what: str, why: str) -> Verdict | None:
    """A failing Verdict when ``value`` is a number with a fractional part, else None."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    if math.isfinite(value) and value != math.floor(value):
        return Verdict(False, f"Not yet: {what} must be a whole number (got {value:g}): {why}")
    return None
