"""Self-checks for exercises: one result type and one grammar, course-wide.

Every exercise in the course ends with a line such as ``check_knee(answer)``. The checker returns a
:class:`CheckResult` with an **outcome** (correct, incorrect, or not attempted while the answer is
still ``None`` or ``...``), a **message** and a **score**. When the answer is wrong the message
names the likely mistake (a unit slip, a percentage given for a fraction, the worst case used for
the mean, one server's share for the total) rather than only "too high". Answers are read by
:mod:`course_lib.grading.answers`, the same way in every lesson; an answer of the wrong type gets a
sentence, never a traceback. The same result feeds the notebook (its text), the local progress
record and the instructor's grade export (:mod:`course_lib.grading`).

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from typing import Any, NamedTuple

from course_lib.grading.answers import (
    Unreadable,
    is_blank,
    normalise_label,
    read_bool,
    read_label,
    read_number,
)

__all__ = [
    "CheckResult", "Mistake", "Outcome", "check_bool", "check_choice", "check_number",
    "check_range", "check_that", "incorrect", "not_answered",
]

PASS_MARK = "✅"
FAIL_MARK = "❌"
WAIT_MARK = "⏳"


class Outcome(StrEnum):
    """The three outcomes of a check (learntools' grammar)."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class CheckResult:
    """What a check says about one answer.

    ``score`` is ``max_score`` when correct and 0 otherwise. ``lesson`` and ``exercise`` are set
    by the exercise registry (:func:`course_lib.grading.exercise`), so a result knows which
    exercise it belongs to when it is recorded or graded. A result is truthy when correct, so
    tests can write ``assert check_x(solution())``.
    """

    outcome: Outcome
    message: str
    max_score: float = 1.0
    lesson: str = ""
    exercise: int = 0
    name: str = ""

    @property
    def score(self) -> float:
        return self.max_score if self.outcome is Outcome.CORRECT else 0.0

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.CORRECT

    @property
    def answered(self) -> bool:
        return self.outcome is not Outcome.NOT_ATTEMPTED

    def __bool__(self) -> bool:
        return self.passed

    @property
    def mark(self) -> str:
        return {Outcome.CORRECT: PASS_MARK, Outcome.INCORRECT: FAIL_MARK,
                Outcome.NOT_ATTEMPTED: WAIT_MARK}[self.outcome]

    def __str__(self) -> str:
        return f"{self.mark} {self.message}"

    def __repr__(self) -> str:  # the notebook shows (and nbval checks) this text
        return str(self)

    def as_nbgrader(self) -> float:
        """For an nbgrader autograder cell: ``check_x(answer).as_nbgrader()``.

        nbgrader gives an error no credit and reads a float as partial credit; it also scores
        any stderr as zero, so the message goes to stdout and a failure raises AssertionError.
        """
        print(self)
        if not self.passed:
            raise AssertionError(self.message)
        return self.score

    def _repr_html_(self) -> str:
        colour = {PASS_MARK: "#009E73", FAIL_MARK: "#D55E00", WAIT_MARK: "#0072B2"}[self.mark]
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px">'
                f"{self.mark} {escape(self.message)}</div>")


def correct(message: str) -> CheckResult:
    return CheckResult(Outcome.CORRECT, message)


def incorrect(message: str) -> CheckResult:
    return CheckResult(Outcome.INCORRECT, message)


def not_answered(what: str = "your answer") -> CheckResult:
    """The result for the placeholder ``None`` (or ``...``): a nudge, not a failure."""
    return CheckResult(Outcome.NOT_ATTEMPTED,
                       f"Not answered yet: replace None with {what} and run the cell.")


def _unreadable(problem: Unreadable, what: str) -> CheckResult:
    return not_answered(what) if problem.blank else incorrect(problem.sentence)


class Mistake(NamedTuple):
    """A typical wrong answer and the sentence that names the mistake behind it."""

    value: float
    hint: str


def _close(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def _unit_slip(value: float, typed: str, expected: float, unit: str | None,
               close: Callable[[float, float], bool]) -> str:
    """Name a units mistake: the right number in the wrong unit (ms for s, % for a fraction)."""
    if typed or expected == 0:
        return ""
    if unit == "s" and close(value / 1000, expected):
        return (f"{value:g} looks like milliseconds, but this answer is in seconds: write "
                f"{value / 1000:g} or '{value:g} ms'.")
    if unit == "ms" and close(value * 1000, expected):
        return (f"{value:g} looks like seconds, but this answer is in milliseconds: write "
                f"{value * 1000:g} or '{value:g} s'.")
    if unit == "%" and close(value * 100, expected):
        return (f"{value:g} looks like a fraction, but this answer is a percentage: write "
                f"{value * 100:g} or '{value * 100:g} %'.")
    return ""


def check_number(
    answer: Any,
    expected: float,
    *,
    rel_tol: float = 0.05,
    abs_tol: float = 0.0,
    what: str = "your answer",
    unit: str | None = None,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    mistakes: Sequence[Mistake] = (),
    too_low: str = "",
    too_high: str = "",
    explain: str = "",
) -> CheckResult:
    """Correct when ``answer`` is within ``rel_tol`` (relative) or ``abs_tol`` of ``expected``.

    ``unit`` is the unit ``expected`` is in (see :func:`read_number`). For ``unit="fraction"`` a
    bare number between 1 and 100 is read as a percentage (a utilisation of 80 can only mean
    80 %). ``mistakes`` name typical wrong answers; a units slip is recognised without being
    listed. ``too_low``/``too_high`` are the fallback hints on each side; ``explain`` is added to
    a correct answer so the learner reads why it is right.
    """
    read = read_number(answer, unit=unit, what=what)
    if isinstance(read, Unreadable):
        return _unreadable(read, what)
    value, typed = read
    raw, note = value, ""
    if unit == "fraction" and not typed and 1 < value <= 100:
        value, note = value / 100, f" (read as {value:g} %)"
    if integer and value != int(value):
        return incorrect(f"{what} should be a whole number, got {value:g}.")
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        return incorrect(f"{what} must be between {minimum:g} and {maximum:g}, got {value:g}."
                         if minimum is not None and maximum is not None else
                         f"{what} must be {'≥' if minimum is not None else '≤'} "
                         f"{minimum if minimum is not None else maximum:g}, got {value:g}.")

    def close(a: float, b: float) -> bool:
        return _close(a, b, rel_tol, abs_tol)

    if close(value, expected):
        return correct(f"Correct: {what} = {value:g}{note}. {explain}".strip())
    direction = "low" if value < expected else "high"
    head = f"Not yet: {what} = {value:g}{note} is too {direction}."
    slip = _unit_slip(value, typed, expected, unit, close)
    if slip:
        return incorrect(f"Not yet: {slip}")
    for mistake in mistakes:
        if close(value, mistake.value) or close(raw, mistake.value):
            return incorrect(f"{head} {mistake.hint}")
    return incorrect(f"{head} {too_low if value < expected else too_high}".strip())


def check_range(
    answer: Any,
    low: float,
    high: float,
    *,
    what: str = "your answer",
    unit: str | None = None,
    too_low: str = "",
    too_high: str = "",
    explain: str = "",
) -> CheckResult:
    """Correct when ``low <= answer <= high`` (for questions whose answer is an interval)."""
    read = read_number(answer, unit=unit, what=what)
    if isinstance(read, Unreadable):
        return _unreadable(read, what)
    value, _ = read
    if low <= value <= high:
        return correct(f"Correct: {what} = {value:g}. {explain}".strip())
    if value < low:
        return incorrect(f"Not yet: {what} = {value:g} is too low. {too_low}".strip())
    return incorrect(f"Not yet: {what} = {value:g} is too high. {too_high}".strip())


def check_choice(
    answer: Any,
    correct_option: str | Iterable[str],
    *,
    options: Iterable[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
    what: str = "your choice",
    explain: str = "",
) -> CheckResult:
    """Correct when ``answer`` names the correct option.

    Case, spaces, hyphens and underscores are ignored, and ``aliases`` map common other names
    (``"direct API call"``) to an option. ``correct_option`` may be one option or several
    acceptable ones; ``hints`` maps a wrong option to the misconception it reveals.
    """
    accepted = [correct_option] if isinstance(correct_option, str) else list(correct_option)
    listed = list(options) if options is not None else []
    read = read_label(answer, listed or [*accepted, *(hints or {})], aliases=aliases, what=what)
    if isinstance(read, Unreadable):
        return _unreadable(read, what)
    if normalise_label(read) in {normalise_label(c) for c in accepted}:
        return correct(f"Correct: {read}. {explain}".strip())
    hint = {normalise_label(k): v for k, v in (hints or {}).items()}.get(normalise_label(read), "")
    return incorrect(f"Not yet: {read} is not it. {hint}".strip())


def check_bool(answer: Any, expected: bool, *, what: str = "your answer", hint: str = "",
               explain: str = "") -> CheckResult:
    """Correct when a yes/no answer (``True``, ``"yes"``, ``"no"`` …) equals ``expected``."""
    read = read_bool(answer, what=what)
    if isinstance(read, Unreadable):
        return _unreadable(read, what)
    if read == expected:
        return correct(f"Correct: {read}. {explain}".strip())
    return incorrect(f"Not yet: {read} is not it. {hint}".strip())


def check_that(
    answer: Any,
    predicate: Callable[[Any], bool | tuple[bool, str]],
    *,
    what: str = "your answer",
    success: str = "",
    hint: str = "",
) -> CheckResult:
    """Correct when ``predicate(answer)`` holds; for answers judged by running a model.

    ``predicate`` may return a bool or ``(ok, detail)``; an exception inside it becomes an
    "incorrect" result quoting the error, so a malformed answer never shows a traceback.
    """
    if is_blank(answer):
        return not_answered(what)
    try:
        outcome = predicate(answer)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return incorrect(f"Not yet: {what} could not be checked: {exc}")
    ok, detail = outcome if isinstance(outcome, tuple) else (outcome, "")
    if ok:
        return correct(f"Correct. {success} {detail}".strip())
    return incorrect(f"Not yet. {detail} {hint}".strip())
