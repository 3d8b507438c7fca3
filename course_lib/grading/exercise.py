"""The exercise registry: which checks exist, their tiered hints and their worked solutions.

Each lesson module (``course_lib.exercises.lessonNN``) declares its checks
(:mod:`course_lib.grading.declare`, with the words from ``lessonNN.toml``), which registers them
with :func:`exercise`: it numbers them, stamps every result with its lesson and exercise, records
it in the local progress file, and turns anything unexpected the learner passed into a sentence
instead of a traceback. The decorator also keeps three hints per exercise, in increasing
strength (a nudge, the method, then nearly the answer), and a worked solution that is printed
only when the learner asks for it with ``solution(n)``: notebooks no longer store solutions, so
*Run All* cannot reveal one.

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from course_lib.grading import progress
from course_lib.grading.checks import CheckResult, incorrect

__all__ = ["Exercise", "LessonExercises", "exercise", "helpers", "lesson", "lessons"]

LESSON_CODES = ("00", "01", "02", "03", "03b", "04", "05", "05b", "06", "07")
HINT_KINDS = ("a nudge", "the method", "nearly the answer")
_REGISTRY: dict[str, dict[int, Exercise]] = {}


@dataclass(frozen=True)
class Exercise:
    """One exercise: its number in the lesson, its check and what the learner may ask for."""

    lesson: str
    number: int
    name: str
    check: Callable[..., CheckResult]
    hints: tuple[str, str, str]
    worked: str
    points: float = 1.0
    module: str = field(default="", repr=False)

    def expected(self) -> Any:
        """The reference answer (``solution_<name>()`` of the lesson module), computed on demand
        so that an answer read from a simulation is not run when the lesson is imported."""
        return getattr(importlib.import_module(self.module), f"solution_{self.name}")()

    def worked_solution(self) -> str:
        """The worked solution, with ``{answer}`` filled in from the reference solution."""
        return self.worked.format(answer=self.expected())


def _lesson_of(module: str) -> str:
    return module.rsplit(".", 1)[-1].removeprefix("lesson")


def exercise(number: int, *, hints: tuple[str, str, str], worked: str,
             points: float = 1.0) -> Callable[[Callable[..., CheckResult]],
                                              Callable[..., CheckResult]]:
    """Register ``check_<name>`` as exercise ``number`` of the lesson module it is defined in."""
    if len(hints) != 3 or not all(h.strip() for h in hints):
        raise ValueError(f"exercise {number}: hints must be three sentences (got {hints!r})")

    def register(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        name = check.__name__.removeprefix("check_")
        code = _lesson_of(check.__module__)

        @functools.wraps(check)
        def checked(answer: Any = None, *args: Any, **kwargs: Any) -> CheckResult:
            try:
                result = check(answer, *args, **kwargs)
            except Exception as exc:  # a learner's odd input must give a sentence, not a traceback
                result = incorrect(f"Not yet: this answer could not be checked "
                                   f"({type(exc).__name__}: {exc}).")
            result = replace(result, max_score=points, lesson=code, exercise=number, name=name)
            progress.record(result)
            return result

        entries = _REGISTRY.setdefault(code, {})
        if number in entries and entries[number].name != name:
            raise ValueError(f"lesson {code}: exercise {number} is both "
                             f"{entries[number].name} and {name}")
        entries[number] = Exercise(code, number, name, checked, hints, worked, points,
                                   check.__module__)
        return checked

    return register


class LessonExercises:
    """A lesson's exercises: ``check(n, answer)``, ``hint(n)`` and ``solution(n)``."""

    def __init__(self, code: str, exercises: dict[int, Exercise]) -> None:
        self.code = code
        self.exercises = dict(sorted(exercises.items()))
        self._hints_shown: dict[int, int] = {}

    def __repr__(self) -> str:
        names = ", ".join(f"{n}: {e.name}" for n, e in self.exercises.items())
        return f"lesson {self.code} exercises ({names})"

    def get(self, number: int) -> Exercise:
        if number not in self.exercises:
            raise ValueError(f"lesson {self.code} has exercises "
                             f"{', '.join(map(str, self.exercises))}; there is no {number!r}")
        return self.exercises[number]

    def check(self, number: int, answer: Any) -> CheckResult:
        return self.get(number).check(answer)

    def hint_text(self, number: int, level: int | None = None) -> str:
        """Hint ``level`` (1–3) of exercise ``number``; without a level, the next one."""
        ex = self.get(number)
        if level is None:  # the next tier; asking for a tier explicitly does not move it
            level = self._hints_shown[number] = min(self._hints_shown.get(number, 0) + 1, 3)
        if level not in (1, 2, 3):
            raise ValueError(f"hint level must be 1, 2 or 3 (got {level!r})")
        # Name the calls as every lesson's setup cell binds them (``lessonNN as ex``), so the
        # sentence can be typed as it stands in any lesson.
        more = (f" Run ex.hint({number}) again for {HINT_KINDS[level]}." if level < 3
                else f" Still stuck? ex.solution({number}) prints the worked solution.")
        return f"Hint {level} of 3 ({HINT_KINDS[level - 1]}): {ex.hints[level - 1]}{more}"

    def hint(self, number: int, level: int | None = None) -> None:
        print(self.hint_text(number, level))

    def solution(self, number: int) -> None:
        """Print the worked solution of exercise ``number`` (only when the learner asks)."""
        ex = self.get(number)
        print(f"Worked solution, lesson {self.code} exercise {number}:\n"
              f"{ex.worked_solution()}")
        progress.record_solution_viewed(self.code, number, ex.name)


_LESSONS: dict[str, LessonExercises] = {}


def lesson(code: str | int) -> LessonExercises:
    """The exercises of lesson ``code`` ("02", 2 or "03b")."""
    code = f"{code:02d}" if isinstance(code, int) else str(code).strip()
    if code not in LESSON_CODES:
        raise ValueError(f"unknown lesson {code!r}: the lessons are {', '.join(LESSON_CODES)}")
    importlib.import_module(f"course_lib.exercises.lesson{code}")
    if code not in _LESSONS:
        _LESSONS[code] = LessonExercises(code, _REGISTRY.get(code, {}))
    return _LESSONS[code]


def lessons() -> list[LessonExercises]:
    """Every lesson's exercises, in course order."""
    return [lesson(code) for code in LESSON_CODES]


def helpers(module: str) -> tuple[Callable[..., None], Callable[[int], None]]:
    """``hint`` and ``solution`` for a lesson module: ``hint, solution = helpers(__name__)``."""
    code = _lesson_of(module)

    def hint(number: int, level: int | None = None) -> None:
        """Print the next hint for exercise ``number`` (or hint ``level``: 1, 2 or 3)."""
        lesson(code).hint(number, level)

    def solution(number: int) -> None:
        """Print the worked solution of exercise ``number``."""
        lesson(code).solution(number)

    return hint, solution
