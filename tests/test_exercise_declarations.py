"""Exercises declared from a lesson's TOML words: every entry is used, and a bad entry is an error
that names the file, the exercise and the key (at import, not when a learner first checks)."""

from __future__ import annotations

import sys
import tomllib
import types
from pathlib import Path

import pytest

from course_lib.grading import exercise as registry
from course_lib.grading.declare import declarations, words_file
from course_lib.grading.exercise import LESSON_CODES, lesson

HINTS = 'hints = ["A nudge.", "The method.", "Nearly the answer."]\nworked = "It is {answer}."\n'


@pytest.mark.parametrize("code", LESSON_CODES)
def test_every_entry_of_the_words_file_is_a_declared_exercise(code):
    declared = {e.name: n for n, e in lesson(code).exercises.items()}
    module = f"course_lib.exercises.lesson{code}"
    with words_file(module).open("rb") as f:
        words = tomllib.load(f)
    assert {name: entry["number"] for name, entry in words.items()} == declared


@pytest.fixture
def fake_lesson(tmp_path, monkeypatch):
    """A lesson module ``lessonzz`` in ``tmp_path`` whose TOML the test writes; a registry of
    its own so nothing leaks into the course's lessons."""
    monkeypatch.setattr(registry, "_REGISTRY", {})
    module = types.ModuleType("course_lib.exercises.lessonzz")
    module.__file__ = str(tmp_path / "lessonzz.py")
    module.solution_rate = lambda: 40.0  # type: ignore[attr-defined]
    module.solution_pick = lambda: "b"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)

    def write(text: str):
        Path(tmp_path / "lessonzz.toml").write_text(text, encoding="utf-8")
        return declarations(module.__name__)

    return write


def test_a_number_check_gets_its_words_its_mistakes_and_its_question(fake_lesson):
    declare = fake_lesson('[rate]\nnumber = 1\nquestion = "How fast?"\n' + HINTS +
                          'what = "the rate"\ntoo_low = "Push harder."\n'
                          '[[rate.mistakes]]\nvalue = 20\nsays = "That is half."\n'
                          '[[rate.mistakes]]\nvalue = "capacity"\nsays = "That is capacity."\n')
    check = declare.number("rate", rel_tol=0.01, facts={"capacity": 80.0})
    assert check.__name__ == "check_rate" and check.__doc__ == "How fast?"
    assert check(40).passed and "the rate = 40" in check(40).message
    assert "That is half." in check(20).message
    assert "That is capacity." in check(80).message
    assert "Push harder." in check(30).message
    assert check(40).lesson == "zz" and check(40).exercise == 1


def test_a_choice_check_says_what_a_wrong_option_reveals(fake_lesson):
    declare = fake_lesson('[pick]\nnumber = 1\n' + HINTS + '[pick.if_chosen]\na = "Not a."\n')
    check = declare.choice("pick", options=["a", "b"], aliases={"bee": "b"})
    assert check("bee").passed
    assert "Not a." in check("a").message


@pytest.mark.parametrize(("text", "declare_it", "says"), [
    ('[rate]\nnumber = 1\n' + HINTS + 'too_lowe = "x"\n', "number", "unknown key 'too_lowe'"),
    ('[rate]\nnumber = 1\nworked = "w"\n', "number", "missing 'hints'"),
    ('[rate]\nnumber = 1\nhints = ["a", "b"]\nworked = "w"\n', "number", "three sentences"),
    ('[other]\nnumber = 1\n' + HINTS, "number", "no such entry"),
    ('[rate]\nnumber = 1\n' + HINTS + '[[rate.mistakes]]\nvalue = "cap"\nsays = "s"\n', "number",
     "names the fact 'cap'"),
    ('[rate]\nnumber = 1\n' + HINTS + '[[rate.mistakes]]\nvalue = 1\n', "number",
     "exactly 'value' and 'says'"),
    ('[rate]\nnumber = 1\n' + HINTS + 'too_low = "x"\n', "that", "unknown key 'too_low'"),
    ('[pick]\nnumber = 1\n' + HINTS + '[pick.if_chosen]\nc = "C?"\n', "choice",
     "if_chosen names 'c'"),
])
def test_a_bad_entry_is_an_error_naming_the_file_the_exercise_and_the_key(
        fake_lesson, text, declare_it, says):
    declare = fake_lesson(text)
    name = "pick" if declare_it == "choice" else "rate"
    with pytest.raises(ValueError) as err:
        if declare_it == "number":
            declare.number(name)
        elif declare_it == "that":
            declare.that(name, bool)
        else:
            declare.choice(name, options=["a", "b"])
    assert f"lessonzz.toml [{name}]" in str(err.value) and says in str(err.value)


def test_a_fact_that_no_mistake_names_is_an_error(fake_lesson):
    declare = fake_lesson('[rate]\nnumber = 1\n' + HINTS)
    with pytest.raises(ValueError, match=r"lessonzz.toml \[rate\]: the fact 'capacity' is passed"):
        declare.number("rate", facts={"capacity": 80.0})


def test_a_words_file_that_is_not_toml_names_itself_and_the_line(fake_lesson):
    with pytest.raises(ValueError, match=r"lessonzz.toml is not valid TOML: .*line 2"):
        fake_lesson('[rate]\nnumber = = 1\n')
