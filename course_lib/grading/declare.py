"""Declaring a lesson's exercises: the words come from the lesson's TOML file, the judging from
Python.

A lesson module (``course_lib.exercises.lessonNN``) computes each reference solution
(``solution_<name>``) and says how an answer is judged: a number within a tolerance, one of some
options, or a predicate run on the answer. Everything a learner reads (the question, the three
hints, the worked solution and what each kind of wrong answer is told) is in ``lessonNN.toml``
beside it. So the words can be edited and reviewed in one place, without touching a check, and
the glue that every exercise used to repeat (a registered function that calls
``check_number(answer, solution_x(), …)``) is written once, here::

    declare = declarations(__name__)
    check_acks1_loss = declare.number("acks1_loss", rel_tol=0.25, minimum=0)

A wrong answer that reveals a known mistake is told so: the TOML file's ``[[name.mistakes]]``
give the value (a number, or the name of a value computed in Python and passed as ``facts``)
and what the learner is told. Every entry is checked when the lesson is imported: a misspelt
key, a missing hint or a fact nobody uses raises an error naming the file, the exercise and the
key.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from course_lib.grading.checks import CheckResult, Mistake, check_choice, check_number, check_that
from course_lib.grading.exercise import exercise

__all__ = ["Declarations", "declarations", "words_file"]

#: what every entry may have, and what each kind of check adds
COMMON_KEYS = {"number", "question", "hints", "worked"}
KIND_KEYS = {
    "number": {"what", "too_low", "too_high", "explain", "mistakes"},
    "choice": {"what", "explain", "if_chosen"},
    "that": {"what", "success", "hint"},
    "custom": set(),
}
Check = Callable[..., CheckResult]


def words_file(module: str) -> Path:
    """``lessonNN.toml`` beside the lesson module ``module``."""
    return Path(str(sys.modules[module].__file__)).with_suffix(".toml")


class Declarations:
    """The exercises of one lesson module, declared one line each from its TOML file."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.path = words_file(module)
        try:
            with self.path.open("rb") as f:
                self.entries: dict[str, dict[str, Any]] = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:  # its message has the line, not the file
            raise ValueError(f"{self.path.name} is not valid TOML: {exc}") from exc

    def _error(self, name: str, problem: str) -> ValueError:
        return ValueError(f"{self.path.name} [{name}]: {problem}")

    def _entry(self, name: str, kind: str) -> dict[str, Any]:
        if name not in self.entries:
            raise self._error(name, f"no such entry (the file has {', '.join(self.entries)})")
        entry = self.entries[name]
        allowed = COMMON_KEYS | KIND_KEYS[kind]
        stray = sorted(set(entry) - allowed)
        if stray:
            raise self._error(name, f"unknown key {stray[0]!r} for a {kind} check "
                                    f"(allowed: {', '.join(sorted(allowed))})")
        for key in ("number", "hints", "worked"):
            if key not in entry:
                raise self._error(name, f"missing {key!r}")
        return entry

    def _register(self, name: str, entry: dict[str, Any], check: Check) -> Check:
        check.__name__ = check.__qualname__ = f"check_{name}"
        check.__module__ = self.module
        check.__doc__ = entry.get("question", check.__doc__)
        hints = tuple(entry["hints"])
        if len(hints) != 3:
            raise self._error(name, f"hints must be three sentences (got {len(hints)})")
        return exercise(entry["number"], hints=(hints[0], hints[1], hints[2]),
                        worked=entry["worked"])(check)

    def _solution(self, name: str) -> Any:
        return getattr(sys.modules[self.module], f"solution_{name}")()

    @staticmethod
    def _words(entry: dict[str, Any]) -> dict[str, Any]:
        """The feedback words the check function takes (``_entry`` allowed only its kind's)."""
        return {k: entry[k] for k in ("what", "too_low", "too_high", "explain", "success", "hint")
                if k in entry}

    def _mistakes(self, name: str, entry: dict[str, Any],
                  facts: Mapping[str, float]) -> list[Mistake]:
        """The entry's known mistakes, a fact's name replaced by its value; every fact is used."""
        mistakes, used = [], set()
        for i, m in enumerate(entry.get("mistakes", [])):
            if set(m) != {"value", "says"}:
                raise self._error(name, f"mistakes[{i}] needs exactly 'value' and 'says' "
                                        f"(got {', '.join(sorted(m))})")
            value = m["value"]
            if isinstance(value, str):
                if value not in facts:
                    raise self._error(name, f"mistakes[{i}] names the fact {value!r}, which "
                                            f"the lesson module does not pass "
                                            f"(facts: {', '.join(facts) or 'none'})")
                used.add(value)
                value = facts[value]
            mistakes.append(Mistake(value, m["says"]))
        unused = sorted(set(facts) - used)
        if unused:
            raise self._error(name, f"the fact {unused[0]!r} is passed but no mistake names it")
        return mistakes

    def number(self, name: str, *, facts: Mapping[str, float] | None = None,
               **tolerance: Any) -> Check:
        """A numeric answer: ``check_number(answer, solution_<name>(), **tolerance)``, with the
        entry's words and known mistakes (``facts`` gives the computed mistake values)."""
        entry = self._entry(name, "number")
        words, mistakes = self._words(entry), self._mistakes(name, entry, facts or {})

        def check(answer: Any) -> CheckResult:
            return check_number(answer, self._solution(name), mistakes=mistakes, **tolerance,
                                **words)

        return self._register(name, entry, check)

    def choice(self, name: str, *, options: Iterable[str],
               aliases: Mapping[str, str] | None = None) -> Check:
        """One of ``options`` (other spellings in ``aliases``); ``[name.if_chosen]`` says what
        each wrong option reveals."""
        entry = self._entry(name, "choice")
        words = self._words(entry)
        listed = list(options)
        wrong = dict(entry.get("if_chosen", {}))
        unknown = sorted(set(wrong) - set(listed))
        if unknown:
            raise self._error(name, f"if_chosen names {unknown[0]!r}, which is not an option")

        def check(answer: Any) -> CheckResult:
            return check_choice(answer, self._solution(name), options=listed, aliases=aliases,
                                hints=wrong, **words)

        return self._register(name, entry, check)

    def that(self, name: str, predicate: Callable[[Any], bool | tuple[bool, str]]) -> Check:
        """An answer judged by ``predicate`` (for answers judged by running a model)."""
        entry = self._entry(name, "that")
        words = self._words(entry)

        def check(answer: Any) -> CheckResult:
            return check_that(answer, predicate, **words)

        return self._register(name, entry, check)

    def custom(self, name: str) -> Callable[[Check], Check]:
        """A hand-written check (its feedback is computed); the entry gives its other words."""
        def register(check: Check) -> Check:
            return self._register(name, self._entry(name, "custom"), check)

        return register


def declarations(module: str) -> Declarations:
    """The declarations of the lesson module ``module``: ``declare = declarations(__name__)``."""
    return Declarations(module)
