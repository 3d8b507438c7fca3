"""Lesson 00's warm-up exercise: predict the utilisation at which the wait is four times the work.

For one M/M/1 server, mean response time W = 1/(μ − λ) = (1/μ) · 1/(1 − ρ). W is four times the
service time 1/μ when 1/(1 − ρ) = 4, i.e. ρ = 0.75. The lesson prints the ratio at 50, 70, 80, 90
and 95 % (not at 75 %), so the answer must be worked out, then checked with the slider (λ = 7.5).
"""

from __future__ import annotations

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers

__all__ = ["check_doubling_factor", "check_fourfold_utilisation", "hint", "solution",
           "solution_doubling_factor", "solution_fourfold_utilisation"]

declare = declarations(__name__)


def solution_fourfold_utilisation() -> float:
    """Solve 1/(1 − ρ) = 4 for ρ."""
    return 1 - 1 / 4


check_fourfold_utilisation = declare.number(
    "fourfold_utilisation", abs_tol=0.01, unit="fraction", minimum=0, maximum=1)


#: Exercise 2: the arrival rate doubles from 4 to 8 requests/s on the lesson's 10/s server.
LOW_RATE, HIGH_RATE, SERVICE_RATE = 4.0, 8.0, 10.0


def solution_doubling_factor() -> float:
    """W = 1/(μ − λ): (1/(10 − 4)) / (1/(10 − 8)) inverted gives 6/2 = 3."""
    return (SERVICE_RATE - LOW_RATE) / (SERVICE_RATE - HIGH_RATE)


check_doubling_factor = declare.number("doubling_factor", rel_tol=0.03, minimum=0)


hint, solution = helpers(__name__)
