"""One server at one load, as lesson 00's first slider sets it: the M/M/1 point on the knee.

The description of what :func:`course_lib.components.views.start.response_time_figure` draws:
a service rate and an arrival rate, both positive, and a utilisation below 100 %. At or beyond
it there is no steady state (the queue grows without bound) and so no mean response time to
mark; the description refuses it with the sentence the lesson shows, so the view never has to
judge a knob.

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.core.queueing import mm1_mean_response_time
from course_lib.core.validate import description, number

__all__ = ["SERVICE_RATE", "LoadPoint"]

SERVICE_RATE = 10.0  # requests per second one server completes (100 ms per request on average)


@description
@dataclass(frozen=True)
class LoadPoint:
    """One M/M/1 server (rates per second) at a load it can sustain."""

    arrival_rate: float
    service_rate: float = SERVICE_RATE

    def __post_init__(self) -> None:
        number("arrival_rate", self.arrival_rate, gt=0)
        number("service_rate", self.service_rate, gt=0)
        if self.utilisation >= 1:
            raise ValueError(
                f"arrival_rate = {self.arrival_rate:g}/s ≥ service_rate = {self.service_rate:g}/s:"
                f" utilisation {self.utilisation:.0%}, the queue grows without bound (no "
                "steady-state response time exists)")

    @property
    def utilisation(self) -> float:
        """ρ = λ/μ."""
        return self.arrival_rate / self.service_rate

    @property
    def mean_response_time(self) -> float:
        """1/(μ − λ) seconds (M/M/1)."""
        return mm1_mean_response_time(self.arrival_rate, self.service_rate)
