"""Self-checks for exercises: a learner's answer gets a friendly verdict, never a traceback.

Every exercise in the course ends with a line such as ``check_knee(answer)``. The checker
returns a :class:`Verdict` whose text says *pass* or *not yet* and, when the answer is wrong,
gives a hint that points at the idea rather than the number. Checkers never raise on the
learner's input: ``None`` (not answered yet), a string where a number was expected, or a value
out of range all come back as verdicts. Exercise-specific checkers live next to the lesson code
(e.g. ``course_lib.queueing_exercises``) and are built from the helpers below; every one of them
is tested with the hidden solution (must pass) and a typical wrong answer (must fail with a hint).

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html import escape
from numbers import Real
from typing import Any

__all__ = [
    "Verdict",
    "check_choice",
    "check_number",
    "check_range",
    "check_that",
    "not_answered",
]

PASS_MARK = "✅"
FAIL_MARK = "❌"
WAIT_MARK = "⏳"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a self-check: ``passed`` plus a message for the learner.

    ``answered`` is False while the learner's answer is still the placeholder ``None``; such a
    verdict is neither a pass nor a failure, just a reminder. A Verdict is truthy when it passed,
    so tests can write ``assert check_x(solution())``.
    """

    passed: bool
    message: str
    answered: bool = True

    def __bool__(self) -> bool:
        return self.passed

    @property
    def mark(self) -> str:
        if not self.answered:
            return WAIT_MARK
        return PASS_MARK if self.passed else FAIL_MARK

    def __str__(self) -> str:
        return f"{self.mark} {self.message}"

    def __repr__(self) -> str:  # the notebook shows (and nbval checks) this text
        return str(self)

    def _repr_html_(self) -> str:
        colour = {PASS_MARK: "#009E73", FAIL_MARK: "#D55E00", WAIT_MARK: "#0072B2"}[self.mark]
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">'
            f"{self.mark} {escape(self.message)}</div>"
        )


def not_answered(what: str = "your answer") -> Verdict:
    """The verdict for the placeholder ``None``: a nudge, not a failure."""
    return Verdict(False, f"Not answered yet: replace None with {what} and run the cell.", False)


def _as_number(answer: Any, what: str) -> float | Verdict:
    """Turn the learner's answer into a float, or explain why it is not one."""
    if answer is None:
        return not_answered(what)
    if isinstance(answer, bool) or not isinstance(answer, Real):
        try:
            answer = float(str(answer).strip())
        except ValueError:
            return Verdict(False, f"{what} should be a number, got {answer!r}.")
    value = float(answer)
    if math.isnan(value):
        return Verdict(False, f"{what} is NaN: check the calculation that produced it.")
    return value


def check_number(
    answer: Any,
    expected: float,
    *,
    rel_tol: float = 0.05,
    abs_tol: float = 0.0,
    what: str = "your answer",
    too_low: str = "",
    too_high: str = "",
    explain: str = "",
) -> Verdict:
    """Pass when ``answer`` is within ``rel_tol`` (relative) or ``abs_tol`` of ``expected``.

    ``too_low``/``too_high`` are hints shown for answers on that side; ``explain`` is added to a
    pass so the learner reads why the answer is right.
    """
    value = _as_number(answer, what)
    if isinstance(value, Verdict):
        return value
    if math.isclose(value, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        return Verdict(True, f"Correct: {what} = {value:g}. {explain}".strip())
    side_hint = too_low if value < expected else too_high
    direction = "low" if value < expected else "high"
    return Verdict(False, f"Not yet: {what} = {value:g} is too {direction}. {side_hint}".strip())


def check_range(
    answer: Any,
    low: float,
    high: float,
    *,
    what: str = "your answer",
    too_low: str = "",
    too_high: str = "",
    explain: str = "",
) -> Verdict:
    """Pass when ``low <= answer <= high`` (for questions whose answer is an interval)."""
    value = _as_number(answer, what)
    if isinstance(value, Verdict):
        return value
    if low <= value <= high:
        return Verdict(True, f"Correct: {what} = {value:g}. {explain}".strip())
    if value < low:
        return Verdict(False, f"Not yet: {what} = {value:g} is too low. {too_low}".strip())
    return Verdict(False, f"Not yet: {what} = {value:g} is too high. {too_high}".strip())


def check_choice(
    answer: Any,
    correct: str | Iterable[str],
    *,
    options: Iterable[str] | None = None,
    hints: Mapping[str, str] | None = None,
    what: str = "your choice",
    explain: str = "",
) -> Verdict:
    """Pass when ``answer`` names the correct option (case and surrounding spaces ignored).

    ``correct`` may be one option or several acceptable ones; ``hints`` maps a wrong option to
    the misconception it reveals.
    """
    if answer is None:
        return not_answered(what)
    accepted = {correct} if isinstance(correct, str) else set(correct)
    norm = {o.strip().lower(): o for o in (options or [])}
    given = str(answer).strip().lower()
    if norm and given not in norm:
        listed = ", ".join(repr(o) for o in norm.values())
        return Verdict(False, f"{what} {answer!r} is not one of the options: {listed}.")
    if given in {c.strip().lower() for c in accepted}:
        return Verdict(True, f"Correct: {answer}. {explain}".strip())
    hint = {k.strip().lower(): v for k, v in (hints or {}).items()}.get(given, "")
    return Verdict(False, f"Not yet: {answer} is not it. {hint}".strip())


def check_that(
    answer: Any,
    predicate: Callable[[Any], bool | tuple[bool, str]],
    *,
    what: str = "your answer",
    success: str = "",
    hint: str = "",
) -> Verdict:
    """Pass when ``predicate(answer)`` holds; for answers judged by running a model.

    ``predicate`` may return a bool or ``(ok, detail)``; an exception inside it becomes a
    "Not yet" verdict quoting the error, so a malformed answer never shows a traceback.
    """
    if answer is None:
        return not_answered(what)
    try:
        outcome = predicate(answer)
    except (ValueError, TypeError, KeyError) as exc:
        return Verdict(False, f"Not yet: {what} could not be checked: {exc}")
    ok, detail = outcome if isinstance(outcome, tuple) else (outcome, "")
    if ok:
        return Verdict(True, f"Correct. {success} {detail}".strip())
    return Verdict(False, f"Not yet. {detail} {hint}".strip())
