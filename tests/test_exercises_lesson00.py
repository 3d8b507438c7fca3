"""Lesson 00's exercise check, both ways."""

from course_lib.components.views.start import response_time_figure
from course_lib.exercises.lesson00 import (
    check_fourfold_utilisation,
    solution_fourfold_utilisation,
)


def test_solution_passes_as_fraction_and_percentage():
    assert check_fourfold_utilisation(solution_fourfold_utilisation())
    assert check_fourfold_utilisation(75)


def test_typical_wrong_answers_get_hints_that_name_the_mistake():
    idle = check_fourfold_utilisation(0.25)  # solved for 1 − ρ
    assert not idle and "idle" in idle.message
    read_off = check_fourfold_utilisation(0.8)  # the 5× point the lesson printed
    assert not read_off and "5×" in read_off.message
    almost_full = check_fourfold_utilisation(0.99)
    assert not almost_full and "1/(1 − ρ)" in almost_full.message


def test_unanswered():
    assert not check_fourfold_utilisation(None).answered


def test_solution_agrees_with_the_figure_text_at_the_slider_value_it_names():
    _, text = response_time_figure(arrival_rate=7.5)
    assert "utilisation 75%" in text and "4.0× the 100 ms service time" in text


def test_every_reading_of_the_answer_is_accepted():
    for answer in (0.75, "0.75", 75, "75 %", "75%", "75 percent"):
        assert check_fourfold_utilisation(answer), answer
    assert "read as 75 %" in check_fourfold_utilisation(75).message
    assert not check_fourfold_utilisation(...).answered
    assert "must be between 0 and 1" in check_fourfold_utilisation(900).message
    assert "should be a number" in check_fourfold_utilisation([0.75]).message


def test_the_doubling_exercise_names_the_linear_guess():
    from course_lib.exercises.lesson00 import check_doubling_factor, solution_doubling_factor

    assert solution_doubling_factor() == 3
    assert check_doubling_factor(3) and check_doubling_factor("3")
    linear = check_doubling_factor(2)
    assert not linear and "W = 1/(μ − λ)" in linear.message
    assert "5×" in check_doubling_factor(5).message
    assert not check_doubling_factor(None).answered
    _, low = response_time_figure(arrival_rate=4.0)
    _, high = response_time_figure(arrival_rate=8.0)
    assert "167 ms" in low and "500 ms" in high  # the slider confirms the prediction
