"""Lesson 00's warm-up exercise: at what utilisation is the wait ten times the work?

For one M/M/1 server, mean response time W = 1/(μ − λ) = (1/μ) · 1/(1 − ρ). W is ten times the
service time 1/μ when 1/(1 − ρ) = 10, i.e. ρ = 0.9.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import CheckResult, Mistake, check_number
from course_lib.grading.exercise import exercise, helpers

__all__ = ["check_tenfold_utilisation", "hint", "solution", "solution_tenfold_utilisation"]


def solution_tenfold_utilisation() -> float:
    """Solve 1/(1 − ρ) = 10 for ρ."""
    return 1 - 1 / 10


@exercise(1, hints=(
    "The ratio printed under the figure is W divided by the service time; it depends only on ρ.",
    "Write W/S as a function of ρ (W/S = 1/(1 − ρ)) and solve W/S = 10.",
    "1/(1 − ρ) = 10 means 1 − ρ = 1/10.",
), worked="W/S = 1/(1 − ρ) = 10, so 1 − ρ = 0.1 and ρ = {answer:g}: at 90 % busy the average "
          "request waits nine service times before its own one.")
def check_tenfold_utilisation(answer: Any) -> CheckResult:
    """Accept ρ as a fraction (0.9) or a percentage (90 or "90 %")."""
    return check_number(
        answer, solution_tenfold_utilisation(), abs_tol=0.01, what="the utilisation ρ",
        unit="fraction", minimum=0, maximum=1,
        mistakes=[Mistake(0.5, "Half busy gives twice the service time (W/S = 1/(1 − 0.5) = 2), "
                               "not ten times: move the slider right and read the ratio under "
                               "the figure.")],
        too_low="At that load the response time is still well under 10× the service time: "
                "move the slider right and read the ratio under the figure.",
        too_high="Closer to 100 % the wait is far more than 10×: W/S = 1/(1 − ρ).",
        explain="W/S = 1/(1 − ρ) = 10 ⇒ ρ = 0.9: the last 10 % of capacity costs the most.",
    )


hint, solution = helpers(__name__)
