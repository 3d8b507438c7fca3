"""Lesson 00's warm-up exercise: at what utilisation is the wait ten times the work?

For one M/M/1 server, mean response time W = 1/(μ − λ) = (1/μ) · 1/(1 − ρ). W is ten times the
service time 1/μ when 1/(1 − ρ) = 10, i.e. ρ = 0.9.
"""

from __future__ import annotations

from course_lib.checks import Verdict, check_number


def solution_tenfold_utilisation() -> float:
    """Solve 1/(1 − ρ) = 10 for ρ."""
    return 1 - 1 / 10


def check_tenfold_utilisation(answer) -> Verdict:
    """Accept ρ as a fraction (0.9) or a percentage (90)."""
    if isinstance(answer, int | float) and not isinstance(answer, bool) and 1 < answer <= 100:
        answer = answer / 100
    return check_number(
        answer, solution_tenfold_utilisation(), abs_tol=0.01, what="the utilisation ρ",
        too_low="At that load the response time is still well under 10× the service time: "
                "move the slider right and read the ratio under the figure.",
        too_high="Closer to 100 % the wait is far more than 10×: W/S = 1/(1 − ρ).",
        explain="W/S = 1/(1 − ρ) = 10 ⇒ ρ = 0.9: the last 10 % of capacity costs the most.",
    )
