"""Lesson 00's warm-up exercise: predict the utilisation at which the wait is four times the work.

For one M/M/1 server, mean response time W = 1/(μ − λ) = (1/μ) · 1/(1 − ρ). W is four times the
service time 1/μ when 1/(1 − ρ) = 4, i.e. ρ = 0.75. The lesson prints the ratio at 50, 70, 80, 90
and 95 % (not at 75 %), so the answer must be worked out, then checked with the slider (λ = 7.5).
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import CheckResult, Mistake, check_number
from course_lib.grading.exercise import exercise, helpers

__all__ = ["check_doubling_factor", "check_fourfold_utilisation", "hint", "solution",
           "solution_doubling_factor", "solution_fourfold_utilisation"]


def solution_fourfold_utilisation() -> float:
    """Solve 1/(1 − ρ) = 4 for ρ."""
    return 1 - 1 / 4


@exercise(1, hints=(
    "The ratio printed under the figure is W divided by the service time; it depends only on ρ.",
    "Write W/S as a function of ρ (W/S = 1/(1 − ρ)) and solve W/S = 4.",
    "1/(1 − ρ) = 4 means 1 − ρ = 1/4.",
), worked="W/S = 1/(1 − ρ) = 4, so 1 − ρ = 0.25 and ρ = {answer:g}: at 75 % busy the average "
          "request waits three service times before its own one (check: λ = 7.5 on the slider).")
def check_fourfold_utilisation(answer: Any) -> CheckResult:
    """Accept ρ as a fraction (0.75) or a percentage (75 or "75 %")."""
    return check_number(
        answer, solution_fourfold_utilisation(), abs_tol=0.01, what="the utilisation ρ",
        unit="fraction", minimum=0, maximum=1,
        mistakes=[
            Mistake(0.25, "That is 1 − ρ, the idle share: W/S = 1/(1 − ρ) = 4 makes the *idle* "
                          "share a quarter, so the server is busy the other three quarters."),
            Mistake(0.5, "Half busy gives twice the service time (W/S = 1/(1 − 0.5) = 2), not "
                         "four times."),
            Mistake(0.8, "At 80 % the lesson printed 5×, not 4×: the ratio 1/(1 − ρ) rises "
                         "faster than ρ, so 4× comes a little earlier."),
            Mistake(0.9, "90 % gives 10× the service time; 4× comes well before that."),
        ],
        too_low="At that load the response time is still under 4× the service time: "
                "W/S = 1/(1 − ρ).",
        too_high="Closer to 100 % the wait is more than 4×: W/S = 1/(1 − ρ).",
        explain="W/S = 1/(1 − ρ) = 4 ⇒ ρ = 0.75; at λ = 7.5 the slider shows 4.0×.",
    )


#: Exercise 2: the arrival rate doubles from 4 to 8 requests/s on the lesson's 10/s server.
LOW_RATE, HIGH_RATE, SERVICE_RATE = 4.0, 8.0, 10.0


def solution_doubling_factor() -> float:
    """W = 1/(μ − λ): (1/(10 − 4)) / (1/(10 − 8)) inverted gives 6/2 = 3."""
    return (SERVICE_RATE - LOW_RATE) / (SERVICE_RATE - HIGH_RATE)


@exercise(2, hints=(
    "Twice the traffic does not mean twice the wait: the wait depends on the spare capacity.",
    "W = 1/(μ − λ): compute W at λ = 4 and at λ = 8 (μ = 10/s), then divide.",
    "The spare capacity falls from 6 to 2 requests/s.",
), worked="W = 1/(μ − λ): 1/(10 − 4) s = 167 ms at 4/s and 1/(10 − 8) s = 500 ms at 8/s, a "
          "factor of {answer:g}: doubling the load from 40 % to 80 % triples the mean response "
          "time, because the spare capacity μ − λ shrinks from 6 to 2 requests/s.")
def check_doubling_factor(answer: Any) -> CheckResult:
    """By what factor does the mean response time grow when λ goes from 4/s to 8/s?"""
    return check_number(
        answer, solution_doubling_factor(), rel_tol=0.03, what="the factor", minimum=0,
        mistakes=[
            Mistake(2.0, "Twice the traffic would double the time only if nobody waited. Each "
                         "request also waits for the ones ahead of it: W = 1/(μ − λ)."),
            Mistake(5.0, "5× is the ratio W/S at 80 %, the new load alone; the question asks "
                         "how much W grows from 40 % to 80 %."),
        ],
        too_low="The mean response time grows faster than the load near saturation: "
                "W = 1/(μ − λ).",
        too_high="Compute both response times with W = 1/(μ − λ) and divide them.",
        explain="(μ − 4)/(μ − 8) = 6/2 = 3: the mean response time triples.",
    )


hint, solution = helpers(__name__)
