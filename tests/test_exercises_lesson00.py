"""Lesson 00's exercise check, both ways."""

from course_lib.exercises.lesson00 import check_tenfold_utilisation, solution_tenfold_utilisation
from course_lib.start import response_time_figure


def test_solution_passes_as_fraction_and_percentage():
    assert check_tenfold_utilisation(solution_tenfold_utilisation())
    assert check_tenfold_utilisation(90)


def test_typical_wrong_answers_get_hints():
    halfway = check_tenfold_utilisation(0.5)  # "half busy, so twice the time"
    assert not halfway and "move the slider right" in halfway.message
    almost_full = check_tenfold_utilisation(0.99)
    assert not almost_full and "1/(1 − ρ)" in almost_full.message


def test_unanswered():
    assert not check_tenfold_utilisation(None).answered


def test_solution_agrees_with_the_figure_text():
    _, text = response_time_figure(arrival_rate=9.0)
    assert "utilisation 90%" in text and "10.0× the 100 ms service time" in text


def test_every_reading_of_the_answer_is_accepted():
    for answer in (0.9, "0.9", 90, "90 %", "90%", "90 percent"):
        assert check_tenfold_utilisation(answer), answer
    assert "read as 90 %" in check_tenfold_utilisation(90).message
    assert not check_tenfold_utilisation(...).answered
    assert "must be between 0 and 1" in check_tenfold_utilisation(900).message
    assert "should be a number" in check_tenfold_utilisation([0.9]).message
