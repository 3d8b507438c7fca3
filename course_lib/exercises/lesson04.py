"""Self-checks for lesson 04 (Kafka fundamentals): sizing a consumer group.

Both exercises turn on the same idea: a consumer group is as fast as its *busiest* member, and a
member's share of the traffic is its share of the partitions.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import CheckResult, Mistake, check_number
from course_lib.grading.exercise import exercise, helpers
from course_lib.kafka.group_model import GroupScenario, group_capacity, lag_growth_rate

__all__ = ["check_consumers_needed", "check_lag_growth", "hint", "solution",
           "solution_consumers_needed", "solution_lag_growth"]

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


@exercise(1, hints=(
    "A group keeps up only if its *busiest* consumer keeps up.",
    "Each consumer does 1/0.02 = 50 msg/s; a consumer owning k of the P partitions receives "
    "k/P of 240 msg/s. Find the smallest group in which every consumer receives under 50.",
    "One partition carries 240/8 = 30 msg/s, so two partitions (60 msg/s) are already too many "
    "for one consumer.",
), worked="Each consumer completes 50 msg/s and each partition carries 240/8 = 30 msg/s. With n "
          "consumers on 8 partitions the busiest owns ⌈8/n⌉ partitions: 60 msg/s for n = 4 to 7, "
          "more below, and 30 msg/s only when each owns one, so {answer} consumers. "
          "240/50 = 4.8 → 5 ignores the uneven split.")
def check_consumers_needed(answer: Any) -> CheckResult:
    """How many consumers keep lag bounded at 240 msg/s, 8 partitions, 20 ms per message?"""
    return check_number(
        answer, solution_consumers_needed(), rel_tol=0.0, abs_tol=0.0,
        what="the number of consumers", integer=True, minimum=1,
        mistakes=[Mistake(5, "240 / 50 = 4.8 rounds up to 5, but with 5 consumers on 8 "
                             "partitions some consumer owns 2 partitions, i.e. 2/8 of 240 = "
                             "60 msg/s, more than its 50."),
                  Mistake(6, "6 is the answer for the lesson's 6 partitions; on 8 partitions "
                             "6 consumers leave two of them with 2 partitions, 60 msg/s each."),
                  Mistake(4, "4 divides 8 evenly, but then each consumer owns 2 partitions: "
                             "2/8 × 240 = 60 msg/s, more than its 50.")],
        too_low=("Some consumer still owns 2 partitions, 2/8 of 240 = 60 msg/s, more than its "
                 "50. Look for a count where the busiest consumer keeps up."),
        too_high="That works, but fewer consumers already keep up (count the busiest one's "
                 "partitions).",
        explain="Only when every consumer owns one partition does each get 30 msg/s < 50 msg/s; "
                "any smaller group leaves some consumer with two partitions (60 msg/s).",
    )


def solution_lag_growth() -> float:
    """Σ over consumers of max(0, λ·k/P − μ), from the model's capacity arithmetic."""
    return lag_growth_rate(UNEVEN)


@exercise(2, hints=(
    "2 × 50 = 100 msg/s of capacity against 90 msg/s looks like enough: look at each consumer.",
    "The range assignor gives one consumer 2 of the 3 partitions; lag grows by what each "
    "consumer receives minus the 50 msg/s it completes, summed over consumers that fall behind.",
    "The busy consumer receives 2/3 × 90 msg/s.",
), worked="Range assignment gives the consumers partitions [0, 1] and [2]: they receive "
          "2/3 × 90 = 60 msg/s and 30 msg/s, and complete 50 msg/s each. Only the first falls "
          "behind: the total lag grows by 60 − 50 = {answer:g} msg/s.")
def check_lag_growth(answer: Any) -> CheckResult:
    """How fast (msg/s) does the total lag grow at 90 msg/s, 3 partitions, 2 consumers, 20 ms?"""
    return check_number(
        answer, solution_lag_growth(), rel_tol=0.02, abs_tol=0.05,
        what="the lag growth rate (msg/s)",
        mistakes=[Mistake(60.0, "60 msg/s is what the busy consumer *receives* (per consumer); "
                                "the lag grows by what it receives minus the 50 msg/s it "
                                "completes.")],
        too_low=("2 consumers × 50 msg/s = 100 > 90 suggests no growth, but the range assignor "
                 "gives one consumer 2 of the 3 partitions: it receives 60 msg/s."),
        too_high="Only the consumer with two partitions falls behind; the other one keeps up.",
        explain="The busy consumer receives 2/3 × 90 = 60 msg/s and completes 50: +10 msg/s.",
    )


hint, solution = helpers(__name__)
