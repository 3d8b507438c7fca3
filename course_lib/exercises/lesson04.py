"""Self-checks for lesson 04 (Kafka fundamentals): sizing a consumer group.

Both exercises turn on the same idea: a consumer group is as fast as its *busiest* member, and a
member's share of the traffic is its share of the partitions.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.kafka.models.group import GroupScenario, group_capacity, lag_growth_rate

__all__ = ["check_consumers_needed", "check_lag_growth", "hint", "solution",
           "solution_consumers_needed", "solution_lag_growth"]

declare = declarations(__name__)

#: Exercise 1: 240 msg/s into 8 partitions, 20 ms of work per message (the lesson's figure shows
#: 6 partitions, whose answer, 6, is printed before the exercise: re-reading it must not answer).
SIZING: dict[str, Any] = {"produce_rate": 240.0, "partitions": 8, "processing_time": 0.02}
#: Exercise 2: 90 msg/s into 3 partitions read by 2 consumers, 20 ms per message.
UNEVEN = GroupScenario(produce_rate=90.0, partitions=3, consumers=2, processing_time=0.02)


def solution_consumers_needed() -> int:
    """The smallest group whose capacity μ·P/busiest exceeds the produce rate.

    Strictly: at capacity == produce rate the busiest consumer is 100 % busy and its lag unbounded.
    """
    for n in range(1, 100):
        s = GroupScenario(consumers=n, **SIZING)
        if group_capacity(s) > s.produce_rate:
            return n
    raise AssertionError("unreachable: one consumer per partition always suffices here")


check_consumers_needed = declare.number(
    "consumers_needed", rel_tol=0.0, abs_tol=0.0, integer=True, minimum=1)


def solution_lag_growth() -> float:
    """Σ over consumers of max(0, λ·k/P − μ), from the model's capacity arithmetic."""
    return lag_growth_rate(UNEVEN)


check_lag_growth = declare.number("lag_growth", rel_tol=0.02, abs_tol=0.05)


hint, solution = helpers(__name__)
