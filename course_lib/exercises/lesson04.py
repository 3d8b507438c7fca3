"""Self-checks for lesson 04 (Kafka fundamentals): sizing a consumer group.

Both exercises turn on the same idea: a consumer group is as fast as its *busiest* member, and a
member's share of the traffic is its share of the partitions.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import Verdict, check_number
from course_lib.exercises.quantities import read_quantity, whole_number
from course_lib.kafka.group_model import GroupScenario, group_capacity, lag_growth_rate

__all__ = [
    "check_consumers_needed",
    "check_lag_growth",
    "solution_consumers_needed",
    "solution_lag_growth",
]

#: Exercise 1: 240 msg/s into 6 partitions, 20 ms of work per message.
SIZING = {"produce_rate": 240.0, "partitions": 6, "processing_time": 0.02}
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
    raise AssertionError("unreachable: 6 consumers always suffice")


def check_consumers_needed(answer: Any) -> Verdict:
    """How many consumers keep lag bounded at 240 msg/s, 6 partitions, 20 ms per message?"""
    answer = read_quantity(answer, {"consumers": 1, "consumer": 1}, "the number of consumers")
    if isinstance(answer, Verdict):
        return answer
    fractional = whole_number(answer, "the number of consumers",
                              "a consumer is one process; there is no fraction of one.")
    if fractional is not None:
        return fractional
    return check_number(
        answer, solution_consumers_needed(), rel_tol=0.0, abs_tol=0.0,
        what="the number of consumers",
        too_low=("240 / 50 = 4.8 rounds up to 5, but with 5 consumers on 6 partitions one "
                 "consumer owns 2 partitions, i.e. 2/6 of 240 = 80 msg/s, more than its 50. "
                 "Look for a count where the busiest consumer keeps up."),
        too_high="That works, but fewer consumers already keep up (count the busiest one's "
                 "partitions).",
        explain="Only when every consumer owns one partition does each get 40 msg/s < 50 msg/s; "
                "4 or 5 consumers leave some with two partitions.",
    )


def solution_lag_growth() -> float:
    """Σ over consumers of max(0, λ·k/P − μ), from the model's capacity arithmetic."""
    return lag_growth_rate(UNEVEN)


def check_lag_growth(answer: Any) -> Verdict:
    """How fast (msg/s) does the total lag grow at 90 msg/s, 3 partitions, 2 consumers, 20 ms?"""
    answer = read_quantity(answer, {"msg/s": 1, "messages/s": 1, "/s": 1, "msg/min": 1 / 60},
                           "the lag growth rate")
    if isinstance(answer, Verdict):
        return answer
    return check_number(
        answer, solution_lag_growth(), rel_tol=0.02, abs_tol=0.05,
        what="the lag growth rate (msg/s)",
        too_low=("2 consumers × 50 msg/s = 100 > 90 suggests no growth, but the range assignor "
                 "gives one consumer 2 of the 3 partitions: it receives 60 msg/s."),
        too_high="Only the consumer with two partitions falls behind; the other one keeps up.",
        explain="The busy consumer receives 2/3 × 90 = 60 msg/s and completes 50: +10 msg/s.",
    )
