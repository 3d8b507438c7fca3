"""One way to check a description's fields, so every bad value fails the same way.

Every model in ``course_lib`` is a frozen description validated when it is built (the ``lb/``
shape). These helpers are what its ``__post_init__`` calls. Each one raises with a sentence that
names the **field**, the **rule** and the **value** — ``backends[2].service_rate must be a finite
number > 0 (got -1.0)`` — so the simulator, a dashboard's error line and a test all show the same
words (attrs' ``'x' must be >= 0: -1`` is the model). A value of the wrong *kind* (a string for a
rate, ``True`` for a count) raises :class:`FieldTypeError`, which is both a ``TypeError`` and a
``ValueError``: callers that catch ``ValueError`` (the dashboards do) keep working.

Why checks are strict about ``inf`` and ``nan``: a simulation fed ``produce_rate=inf`` draws
zero-length gaps forever and never returns; ``nan`` fails every comparison silently. Both are
refused here, at construction, in well under a second.

Used by :mod:`course_lib.lb.models.scenario`, :mod:`course_lib.core.queueing`,
:mod:`course_lib.components` and the Kafka models; views never validate (they build a description
and let it speak).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
from collections.abc import Sequence
from typing import Any, TypeVar

__all__ = ["FieldTypeError", "description", "flag", "indexed", "integer", "number", "one_of",
           "unknown_field"]

T = TypeVar("T")
C = TypeVar("C", bound=type)


class FieldTypeError(TypeError, ValueError):
    """A field got a value of the wrong kind (also a ``ValueError``, see the module docstring)."""


def indexed(prefix: str, index: int, name: str = "") -> str:
    """The name of a field of the ``index``-th item: ``indexed("backends", 2, "service_rate")``
    is ``"backends[2].service_rate"`` (without ``name``: ``"backends[2]"``)."""
    return f"{prefix}[{index}]" + (f".{name}" if name else "")


def _bound(value: float | None, label: str | None) -> str:
    return label if label is not None else f"{value:g}"


def _rule(kind: str, gt: float | None, ge: float | None, lt: float | None, le: float | None,
          low_name: str | None, high_name: str | None) -> str:
    """The rule as words: ``a finite number > 0``, ``an integer >= 1``, ``in [0, 1)``."""
    low = (">", "(", gt) if gt is not None else (">=", "[", ge) if ge is not None else None
    high = ("<", ")", lt) if lt is not None else ("<=", "]", le) if le is not None else None
    if low is not None and high is not None:
        prefix = "an integer " if kind == "an integer" else ""
        return (f"{prefix}in {low[1]}{_bound(low[2], low_name)}, "
                f"{_bound(high[2], high_name)}{high[1]}")
    if low is not None:
        return f"{kind} {low[0]} {_bound(low[2], low_name)}"
    if high is not None:
        return f"{kind} {high[0]} {_bound(high[2], high_name)}"
    return kind


def number(name: str, value: Any, *, gt: float | None = None, ge: float | None = None,
           lt: float | None = None, le: float | None = None, finite: bool = True,
           low_name: str | None = None, high_name: str | None = None) -> float:
    """``value`` as a float, or raise naming ``name``: a real number (not ``bool``), never NaN,
    finite unless ``finite=False``, within the given bounds (``gt``/``ge`` below, ``lt``/``le``
    above). ``low_name``/``high_name`` show where a bound comes from (``"brokers=3"``)."""
    kind = "a finite number" if finite else "a number"
    rule = _rule(kind, gt, ge, lt, le, low_name, high_name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldTypeError(f"{name} must be {rule} (got {value!r})")
    ok = not math.isnan(value) and (not finite or math.isfinite(value))
    ok = ok and (gt is None or value > gt) and (ge is None or value >= ge)
    ok = ok and (lt is None or value < lt) and (le is None or value <= le)
    if not ok:
        raise ValueError(f"{name} must be {rule} (got {value!r})")
    return float(value)


def integer(name: str, value: Any, *, ge: int | None = None, le: int | None = None,
            low_name: str | None = None, high_name: str | None = None) -> int:
    """``value`` if it is an ``int`` (not ``bool``) within ``[ge, le]``, else raise naming it."""
    rule = _rule("an integer", None, ge, None, le, low_name, high_name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldTypeError(f"{name} must be {rule} (got {value!r})")
    if (ge is not None and value < ge) or (le is not None and value > le):
        raise ValueError(f"{name} must be {rule} (got {value!r})")
    return value


def one_of(name: str, value: T, options: Sequence[Any], *, shown: str | None = None) -> T:
    """``value`` if it is one of ``options``, else raise naming the field and the options.

    Two options read ``'a' or 'b'``; more read ``one of a, b, c`` (``shown`` overrides the list).
    A value whose type matches no option (a number for a string choice) is a
    :class:`FieldTypeError`. ``bool`` never matches a number option (``True == 1`` in Python).
    """
    if shown is None:
        shown = (f"{options[0]!r} or {options[1]!r}" if len(options) == 2
                 else "one of " + ", ".join(str(o) for o in options))
    message = f"{name} must be {shown} (got {value!r})"
    same_kind = [o for o in options if type(o) is type(value)]
    if not same_kind:
        raise FieldTypeError(message)
    if value not in same_kind:
        raise ValueError(message)
    return value


def flag(name: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False``, else raise naming it (``1``, ``"yes"`` and
    ``None`` are not flags: a truthy typo must not switch a feature on)."""
    if not isinstance(value, bool):
        raise FieldTypeError(f"{name} must be True or False (got {value!r})")
    return value


def unknown_field(cls_name: str, name: str, fields: Sequence[str]) -> str:
    """``Design has no field 'check_intervall'; did you mean 'check_interval'? (fields: …)``:
    the closest names first (:func:`difflib.get_close_matches`), then every field."""
    close = difflib.get_close_matches(name, fields, n=3, cutoff=0.6)
    hint = ("; did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
    return f"{cls_name} has no field {name!r}{hint} (fields: {', '.join(fields)})"


def description(cls: C) -> C:
    """Class decorator for a validated description, put *above* ``@dataclass(frozen=True)``: a
    misspelt keyword (``Design(check_intervall=5)``) raises a ``TypeError`` naming the class,
    the unknown field and the closest field names, instead of Python's bare "unexpected keyword
    argument". The generated ``__init__`` is wrapped, not replaced: the happy path costs one
    extra call and a ``try`` (free in Python 3.11) -- dashboards build thousands of descriptions
    -- and only a ``TypeError`` from binding the arguments is looked at. mypy keeps reading the
    dataclass's own constructor (a class decorator does not change the type it sees)."""
    init = vars(cls)["__init__"]
    names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    known = frozenset(names)

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except TypeError:
            unknown = [k for k in kwargs if k not in known]
            if unknown:
                raise TypeError(unknown_field(cls.__name__, unknown[0], names)) from None
            raise

    cls.__init__ = __init__  # type: ignore[misc]
    return cls
