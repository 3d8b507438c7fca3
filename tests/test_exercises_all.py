"""Every exercise of every lesson, both ways, through one convention.

Each ``course_lib.exercises.lessonNN`` module pairs ``check_X`` with ``solution_X``. For every
pair: the solution passes, ``None`` is "not answered yet", a typical wrong answer fails with a
hint (a sentence beyond the bare "Not yet"), and the lesson's own test file exercises the checker.
Lesson-specific wrong answers are tested in ``tests/test_exercises_lessonNN.py``; here the wrong
answer is generic: ten times a numeric solution (a units slip: ms vs s, % vs fraction) or an
option that is not the solution.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import course_lib.exercises as exercises_pkg
from course_lib.grading import exercise as exercise_registry
from course_lib.grading.checks import FAIL_MARK, Outcome

ROOT = Path(__file__).resolve().parents[1]


def _pairs():
    for info in pkgutil.iter_modules(exercises_pkg.__path__):
        module = importlib.import_module(f"course_lib.exercises.{info.name}")
        for name, obj in sorted(vars(module).items()):
            if name.startswith("check_") and getattr(obj, "__module__", "") == module.__name__:
                yield pytest.param(module, name[len("check_"):], id=f"{info.name}.{name}")


PAIRS = list(_pairs())


def test_every_lesson_has_exercises():
    lessons = {p.values[0].__name__.rsplit(".", 1)[1] for p in PAIRS}
    notebooks = {"lesson" + p.stem.split("_")[0] for p in (ROOT / "notebooks").glob("[0-9]*.ipynb")}
    assert notebooks <= lessons, f"lessons without exercise checkers: {sorted(notebooks - lessons)}"


@pytest.mark.parametrize(("module", "name"), PAIRS)
def test_solution_passes_none_waits_and_a_wrong_answer_gets_a_hint(module, name):
    check = getattr(module, f"check_{name}")
    solution = getattr(module, f"solution_{name}", None)
    assert solution is not None, f"{module.__name__}: check_{name} has no solution_{name}"
    answer = solution()
    verdict = check(answer)
    assert verdict.passed, f"the reference solution fails its own check: {verdict}"
    assert not check(None).answered

    if isinstance(answer, bool) or not isinstance(answer, int | float | str):
        return  # structured answers (e.g. a HealthCheck): wrong ones are tested per lesson
    wrong = answer * 10 if not isinstance(answer, str) else "none of the above"
    if not isinstance(answer, str) and answer == 0:
        wrong = 1
    failed = check(wrong)
    assert not failed.passed and failed.answered
    assert str(failed).startswith(FAIL_MARK)
    hint = re.sub(r"^Not yet[:.]?\s*", "", failed.message)
    assert len(hint) > 30, f"the failure gives no hint: {failed.message!r}"


@pytest.mark.parametrize(("module", "name"), PAIRS)
def test_placeholder_is_not_attempted_and_a_wrong_type_gets_a_sentence(module, name):
    check = getattr(module, f"check_{name}")
    blank = check(...)
    assert blank.outcome is Outcome.NOT_ATTEMPTED and blank.score == 0
    for odd in ([1, 2], {"a": 1}, object(), True, float("nan")):
        result = check(odd)  # must not raise
        assert result.outcome is Outcome.INCORRECT and result.score == 0, (odd, result)
        assert len(result.message) > 20 and "Traceback" not in result.message


@pytest.mark.parametrize(("module", "name"), PAIRS)
def test_every_check_is_a_registered_exercise_with_hints_and_a_worked_solution(
        module, name, capsys):
    code = module.__name__.rsplit("lesson", 1)[1]
    ex = exercise_registry.lesson(code)
    number = next(n for n, e in ex.exercises.items() if e.name == name)
    result = getattr(module, f"check_{name}")(getattr(module, f"solution_{name}")())
    assert (result.lesson, result.exercise, result.name) == (code, number, name)
    assert result.outcome is Outcome.CORRECT and result.score == result.max_score > 0
    hints = [ex.hint_text(number, level) for level in (1, 2, 3)]
    assert len(set(hints)) == 3 and all(f"Hint {i} of 3" in h for i, h in enumerate(hints, 1))
    module.solution(number)
    worked = capsys.readouterr()
    assert worked.err == ""
    assert f"lesson {code} exercise {number}" in worked.out and len(worked.out) > 120
    assert "{" not in worked.out, "a worked solution with an unfilled placeholder"


def test_exercises_are_numbered_one_to_n_in_every_lesson():
    for ex in exercise_registry.lessons():
        assert list(ex.exercises) == list(range(1, len(ex.exercises) + 1)), ex
        assert 2 <= len(ex.exercises) <= 4, ex


@pytest.mark.parametrize(("module", "name"), PAIRS)
def test_each_checker_has_its_own_tests(module, name):
    lesson = module.__name__.rsplit(".", 1)[1]
    tests = (ROOT / "tests" / f"test_exercises_{lesson}.py").read_text()
    assert f"check_{name}" in tests, f"tests/test_exercises_{lesson}.py never calls check_{name}"


@pytest.mark.parametrize(("module", "name"), PAIRS)
def test_no_hint_gives_the_answer_away(module, name):
    """Even the third hint ("nearly the answer") stops short of the answer itself."""
    code = module.__name__.rsplit("lesson", 1)[1]
    ex = exercise_registry.lesson(code)
    number = next(n for n, e in ex.exercises.items() if e.name == name)
    answer = getattr(module, f"solution_{name}")()
    if isinstance(answer, bool) or not isinstance(answer, int | float | str):
        return  # a HealthCheck: many answers are right, none is quoted in a hint
    text = f"{answer:g}" if not isinstance(answer, str) else answer
    forms = {re.escape(text)} | ({re.escape(text.replace("_", " "))} if "_" in text else set())
    for level in (1, 2, 3):
        hint = ex.get(number).hints[level - 1]
        for form in forms:
            assert not re.search(rf"(?<![\d./]){form}(?![\d.]*\d)", hint, re.I), (level, hint)
