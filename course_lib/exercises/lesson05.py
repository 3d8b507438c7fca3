"""Self-checks and reference solutions for lesson 05, the five Kafka use cases.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import functools

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers

declare = declarations(__name__)

#: the at-least-once question: batches of 40, the consumer crashes after 130 messages
DUP_BATCH, DUP_CRASH_AFTER = 40, 130


def solution_duplicates() -> int:
    """The last commit covered the last full batch; the rest of the batch is delivered again."""
    committed = (DUP_CRASH_AFTER // DUP_BATCH) * DUP_BATCH
    return DUP_CRASH_AFTER - committed


check_duplicates = declare.number(
    "duplicates", rel_tol=0, abs_tol=0, integer=True, minimum=0, facts={"whole_batch": DUP_BATCH})


#: Exercise 2: RF 5 on 5 brokers, 2 of them down (the lesson's RF 3, one failure, prints its
#: answer, min.insync.replicas=2, before the exercise: re-reading it must not answer this one).
ISR_BROKERS, ISR_RF, ISR_FAILURES = 5, 5, 2


@functools.lru_cache(maxsize=8)  # seeded runs: the same answer every time, ~0.5 s each
def _isr_rejects(min_insync: int) -> bool:
    from course_lib.kafka.models.replication_engine import simulate_replication

    run = simulate_replication("all", ISR_RF, min_insync, ISR_FAILURES, brokers=ISR_BROKERS)
    return "NOT_ENOUGH_REPLICAS" in run.reasons()


def solution_min_insync() -> int:
    """The largest min.insync.replicas for which RF 5, acks=all never says NOT_ENOUGH_REPLICAS
    after two broker failures (found by running the model, not by the rule of thumb)."""
    return max(m for m in range(1, ISR_RF + 1) if not _isr_rejects(m))


check_min_insync = declare.number(
    "min_insync", rel_tol=0, abs_tol=0, integer=True, minimum=1, facts={"one_failure": ISR_RF - 1})


#: exercise 3: 1-minute tumbling windows over data/orders.csv
GRACE_WINDOW_MS = 60_000


def _dropped_with_grace(grace_s: float) -> int:
    from course_lib.core.data import load_orders
    from course_lib.kafka.models.windows import Windowing, stream_aggregate

    grace = Windowing(GRACE_WINDOW_MS, grace_ms=round(grace_s * 1000))
    return len(stream_aggregate(load_orders(), grace).dropped)


def solution_grace_needed() -> int:
    """The smallest whole number of seconds of grace for which 1-minute tumbling windows drop no
    order of data/orders.csv, found by running the stream processor (bisection over seconds).

    The largest lateness (``max_lateness_ms``) always suffices, but it need not be necessary: an
    order is dropped only when its *window* has closed, and its window ends after its event time.
    Fewer drops with more grace (a window closes later), so bisection applies.
    """
    from course_lib.core.data import load_orders
    from course_lib.kafka.models.windows import max_lateness_ms

    lo, hi = 0, -(-max_lateness_ms(load_orders()) // 1000)  # hi: enough, rounded up to seconds
    while lo < hi:
        mid = (lo + hi) // 2
        if _dropped_with_grace(mid) == 0:
            hi = mid
        else:
            lo = mid + 1
    return lo


check_grace_needed = declare.number(
    "grace_needed", rel_tol=0, abs_tol=0, unit="s", integer=True, minimum=0)


hint, solution = helpers(__name__)
