"""One answer reader, course-wide: numbers with units, thousands, booleans and labels."""

from __future__ import annotations

import json

import pytest

from course_lib.grading import progress
from course_lib.grading.answers import Unreadable, read_bool, read_label, read_number
from course_lib.grading.checks import Outcome, check_bool, check_number
from course_lib.grading.exercise import lesson


@pytest.mark.parametrize(("answer", "unit", "value"), [
    (0.5, "s", 0.5), ("0.5", "s", 0.5), ("500 ms", "s", 0.5), ("500ms", "s", 0.5),
    ("0.5 s", "s", 0.5), ("2 min", "s", 120.0), ("0.5 s", "ms", 500.0), ("80 %", "fraction", 0.8),
    ("80%", "fraction", 0.8), ("1,200", None, 1200.0), ("1,200.5", None, 1200.5),
    ("6 consumers", None, 6.0), ("40 req/s", None, 40.0), ("1e3", None, 1000.0), (7, None, 7.0),
])
def test_numbers_are_read_with_units_and_separators(answer, unit, value):
    read = read_number(answer, unit=unit)
    assert isinstance(read, tuple) and read[0] == pytest.approx(value)


@pytest.mark.parametrize(("answer", "words"), [
    ("abc", "could not read"), ("1,2", "decimals with a point"), ([1], "a list"),
    (True, "a yes/no"), (float("inf"), "check the calculation"), ("5 kg", "does not fit"),
])
def test_unreadable_numbers_get_a_sentence(answer, words):
    read = read_number(answer, unit="s" if answer == "5 kg" else None)
    assert isinstance(read, Unreadable) and not read.blank and words in read.sentence


def test_placeholders_are_blank():
    for blank in (None, ...):
        assert read_number(blank).blank and read_bool(blank).blank  # type: ignore[union-attr]
        assert check_number(blank, 1).outcome is Outcome.NOT_ATTEMPTED


def test_booleans_and_labels():
    assert read_bool("Yes") is True and read_bool("no") is False and read_bool(0) is False
    assert isinstance(read_bool("maybe"), Unreadable)
    assert check_bool("yes", True) and not check_bool(False, True)
    assert read_label("Power-of-two", ["power_of_two", "random"]) == "power_of_two"
    assert read_label("p2c", ["power_of_two"], aliases={"P2C": "power_of_two"}) == "power_of_two"
    assert "not one of the options" in read_label("x", ["a"]).sentence  # type: ignore[union-attr]


def test_unit_slips_are_named():
    assert "looks like milliseconds" in check_number(500, 0.5, unit="s").message
    assert "looks like seconds" in check_number(0.5, 500, unit="ms").message
    assert "looks like a fraction" in check_number(0.8, 80, unit="%").message
    assert check_number("500 ms", 0.5, unit="s") and check_number(80, 0.8, unit="fraction")


def test_scores_follow_outcomes():
    right, wrong = check_number(1, 1), check_number(2, 1)
    assert (right.outcome, right.score, wrong.outcome, wrong.score) == (
        Outcome.CORRECT, 1.0, Outcome.INCORRECT, 0.0)


def test_checks_are_recorded_locally(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    monkeypatch.setenv(progress.ENV_VAR, str(path))
    ex = lesson("02")
    ex.check(1, None)
    assert progress.load()["02:1"]["attempts"] == 0
    ex.check(1, 3)  # wrong (the lesson's printed weight), right, then wrong again
    ex.check(1, ex.get(1).expected())
    ex.check(1, 1)
    entry = json.loads(path.read_text())["exercises"]["02:1"]
    assert entry["attempts"] == 3 and entry["correct"] is True
    assert entry["last_outcome"] == "incorrect" and entry["name"] == "fast_weight"
    monkeypatch.setenv(progress.ENV_VAR, "off")
    ex.check(2, 0.5)
    assert "02:2" not in json.loads(path.read_text())["exercises"]


def test_a_corrupt_or_unwritable_record_never_breaks_a_check(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    path.write_text("{not json")
    monkeypatch.setenv(progress.ENV_VAR, str(path))
    right = lesson("02").get(1).expected()
    assert lesson("02").check(1, right) and progress.load()["02:1"]["correct"]
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "file" / "below" / "p.json"))
    (tmp_path / "file").write_text("a file where a folder should be")
    assert lesson("02").check(1, right)


def test_hints_come_in_three_tiers_and_ask_for_the_solution(capsys):
    ex = lesson("03")
    texts = [ex.hint_text(2) for _ in range(4)]
    assert [t.split(":")[0] for t in texts] == [
        "Hint 1 of 3 (a nudge)", "Hint 2 of 3 (the method)", "Hint 3 of 3 (nearly the answer)",
        "Hint 3 of 3 (nearly the answer)"]
    assert "solution(2)" in texts[-1]
    with pytest.raises(ValueError, match="hint level must be 1, 2 or 3"):
        ex.hint_text(2, 4)
    with pytest.raises(ValueError, match="lesson 03 has exercises 1, 2, 3, 4; there is no 9"):
        ex.solution(9)
    with pytest.raises(ValueError, match="unknown lesson '08'"):
        lesson(8)


def test_the_nbgrader_form_prints_raises_and_scores(capsys):
    assert check_number(1, 1).as_nbgrader() == 1.0
    with pytest.raises(AssertionError, match="too high"):
        check_number(2, 1).as_nbgrader()
    with pytest.raises(AssertionError, match="Not answered yet"):
        check_number(None, 1).as_nbgrader()
    printed = capsys.readouterr()
    assert printed.err == "" and printed.out.count("\n") == 3
