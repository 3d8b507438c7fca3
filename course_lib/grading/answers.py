"""One way to read a learner's answer, course-wide: numbers, units, booleans and labels.

A learner types what feels natural: ``0.5``, ``"500 ms"``, ``"80 %"``, ``"1,200"``, ``True``,
``"yes"``, ``"power of two"``. Every exercise reads answers through this module, so an answer that
is accepted in one lesson is accepted in all of them, and one that cannot be read gets the same
kind of sentence everywhere. A reader returns the value, or an :class:`Unreadable` carrying the
sentence to show; it never raises on the learner's input.

``...`` (the placeholder some cells use) and ``None`` both mean "not attempted yet".

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

__all__ = ["Unreadable", "is_blank", "normalise_label", "read_bool", "read_label", "read_number"]

#: Units by dimension; each maps a spelling to the factor that converts it to the dimension's base
#: (seconds for time, a fraction for "fraction", one for counts and rates).
UNITS: dict[str, dict[str, float]] = {
    "s": {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
          "ms": 1e-3, "msec": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
          "us": 1e-6, "µs": 1e-6, "microseconds": 1e-6,
          "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0, "h": 3600.0},
    "fraction": {"%": 0.01, "percent": 0.01, "pct": 0.01},
}
UNITS["ms"] = {name: factor * 1e3 for name, factor in UNITS["s"].items()}
UNITS["%"] = {"%": 1.0, "percent": 1.0, "pct": 1.0}

_NUMBER = re.compile(
    r"^\s*(?P<num>[+-]?(?:\d[\d,_]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(?P<unit>[^\d\s].*?)?\s*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_EXAMPLES = {"s": "0.5 or '500 ms'", "ms": "500 or '0.5 s'", "fraction": "0.8 or '80 %'",
             "%": "80 or '80 %'"}


def _example(unit: str | None) -> str:
    return _EXAMPLES.get(unit or "", "6 or '1,200'")


_YES = {"true", "yes", "y", "t", "1"}
_NO = {"false", "no", "n", "f", "0"}


@dataclass(frozen=True)
class Unreadable:
    """An answer that could not be read, with the sentence that says why (``blank`` when the
    learner has not answered yet: ``None`` or ``...``)."""

    sentence: str
    blank: bool = False


def is_blank(answer: Any) -> bool:
    """``None`` and ``...`` are the placeholders an unanswered exercise holds."""
    return answer is None or answer is Ellipsis


def _kind(answer: Any) -> str:
    return type(answer).__name__


def read_number(answer: Any, *, unit: str | None = None,
                what: str = "your answer") -> tuple[float, str] | Unreadable:
    """Read a number, converting a unit the learner typed into the exercise's ``unit``.

    Returns ``(value, unit_typed)``: ``unit_typed`` is the unit spelled in a string answer ("" for
    a bare number), so a checker can tell ``500`` (a bare number) from ``"500 ms"``.
    ``unit`` is ``"s"``, ``"ms"``, ``"fraction"``, ``"%"`` or ``None`` (a count or a rate: any word
    after the number, as in ``"6 consumers"`` or ``"40 req/s"``, is ignored).
    """
    if is_blank(answer):
        return Unreadable(f"Not answered yet: replace the placeholder with {what} and run the "
                          "cell.", blank=True)
    if isinstance(answer, bool):
        return Unreadable(f"{what} should be a number, got {answer} (a yes/no).")
    if isinstance(answer, Real):
        value, typed = float(answer), ""
    elif isinstance(answer, str):
        match = _NUMBER.match(answer)
        num = match.group("num") if match else ""
        if not match or not re.search(r"\d", num):
            return Unreadable(f"{what} should be a number such as {_example(unit)}; "
                              f"could not read {answer!r}.")
        if "," in num and not _THOUSANDS.match(num):
            return Unreadable(f"Could not read {answer!r}: write decimals with a point (0.5) "
                              "and thousands with commas (1,200).")
        value = float(num.replace(",", "").replace("_", ""))
        typed = (match.group("unit") or "").strip()
        if typed:
            factors = UNITS.get(unit or "", {})
            factor = factors.get(typed.lower()) or factors.get(typed)
            if factor is not None:
                value *= factor
            elif unit in UNITS:
                known = ", ".join(sorted({u for u in UNITS[unit] if len(u) <= 3}))
                return Unreadable(f"{what}: the unit {typed!r} does not fit here; "
                                  f"use one of {known}, or a bare number.")
    else:
        return Unreadable(f"{what} should be a number such as {_example(unit)}, "
                          f"got {answer!r:.60} (a {_kind(answer)}).")
    if math.isnan(value) or math.isinf(value):
        return Unreadable(f"{what} is {value}: check the calculation that produced it.")
    return value, typed


def read_bool(answer: Any, *, what: str = "your answer") -> bool | Unreadable:
    """Read yes/no: ``True``/``False``, ``"yes"``/``"no"``, ``"true"``, ``"y"``, ``1``/``0``."""
    if is_blank(answer):
        return Unreadable(f"Not answered yet: replace the placeholder with {what} (True or "
                          "False) and run the cell.", blank=True)
    if isinstance(answer, bool):
        return answer
    text = str(answer).strip().lower() if isinstance(answer, str | int) else None
    if text in _YES:
        return True
    if text in _NO:
        return False
    return Unreadable(f"{what} should be True or False (or 'yes'/'no'), got {answer!r:.60}.")


def normalise_label(text: str) -> str:
    """Case, spaces, hyphens and underscores do not matter: "Power of two" = "power_of_two"."""
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def read_label(answer: Any, options: Iterable[str], *, aliases: Mapping[str, str] | None = None,
               what: str = "your choice") -> str | Unreadable:
    """Read one of ``options`` (or an alias of one); returns the option as the lesson spells it."""
    if is_blank(answer):
        return Unreadable(f"Not answered yet: replace the placeholder with {what} and run the "
                          "cell.", blank=True)
    spelled = {normalise_label(o): o for o in options}
    if not isinstance(answer, str):
        listed = ", ".join(repr(o) for o in spelled.values())
        return Unreadable(f"{what} should be one of {listed} (a string), got "
                          f"{answer!r:.60} (a {_kind(answer)}).")
    given = normalise_label(answer)
    for alias, option in (aliases or {}).items():
        if normalise_label(alias) == given:
            given = normalise_label(option)
    if given in spelled:
        return spelled[given]
    listed = ", ".join(repr(o) for o in spelled.values())
    return Unreadable(f"{what} {answer!r} is not one of the options: {listed}.")
