"""Self-checks and reference solutions for lesson 05, the five Kafka use cases.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import functools
from typing import Any

from course_lib.checks import CheckResult, Mistake, check_number
from course_lib.grading.exercise import exercise, helpers

#: the at-least-once question: batches of 40, the consumer crashes after 130 messages
DUP_BATCH, DUP_CRASH_AFTER = 40, 130


def solution_duplicates() -> int:
    """The last commit covered the last full batch; the rest of the batch is delivered again."""
    committed = (DUP_CRASH_AFTER // DUP_BATCH) * DUP_BATCH
    return DUP_CRASH_AFTER - committed


@exercise(1, hints=(
    "At-least-once: the restarted consumer starts from the last *committed* offset.",
    "Find the last commit (after each full batch of 40) before the crash at 130; everything "
    "processed after it comes back.",
    "The last full batch before 130 ends at offset 120.",
), worked="The group commits after every full batch of 40: offsets 40, 80, 120. The crash after "
          "130 messages leaves 120–129 processed but not committed, so the restarted consumer "
          "reads them again: {answer} duplicates (harmless with the upsert sink).")
def check_duplicates(answer: Any) -> CheckResult:
    return check_number(
        answer, solution_duplicates(), rel_tol=0, abs_tol=0, what="duplicates",
        integer=True, minimum=0,
        mistakes=[Mistake(DUP_BATCH, "40 is a whole batch; the crash came 10 messages into the "
                                     "batch after the last commit, so only those come back.")],
        too_low="Zero would be exactly-once. Which offset did the group commit last, and where "
                "does the restarted consumer start reading?",
        too_high="Only messages processed after the last commit come back: the commit happens "
                 "after each full batch of 40.",
        explain="The group had committed offset 120; messages 120–129 were processed but not "
                "committed, so they are delivered again. The upsert sink makes that harmless.")


#: Exercise 2: RF 5 on 5 brokers, 2 of them down (the lesson's RF 3, one failure, prints its
#: answer, min.insync.replicas=2, before the exercise: re-reading it must not answer this one).
ISR_BROKERS, ISR_RF, ISR_FAILURES = 5, 5, 2


@functools.lru_cache(maxsize=8)  # seeded runs: the same answer every time, ~0.5 s each
def _isr_rejects(min_insync: int) -> bool:
    from course_lib.kafka.replication import simulate_replication

    run = simulate_replication("all", ISR_RF, min_insync, ISR_FAILURES, brokers=ISR_BROKERS)
    return "NOT_ENOUGH_REPLICAS" in run.reasons()


def solution_min_insync() -> int:
    """The largest min.insync.replicas for which RF 5, acks=all never says NOT_ENOUGH_REPLICAS
    after two broker failures (found by running the model, not by the rule of thumb)."""
    return max(m for m in range(1, ISR_RF + 1) if not _isr_rejects(m))


@exercise(2, hints=(
    "min.insync.replicas is how many replicas must have a write before acks=all succeeds.",
    "After two of 5 brokers fail, how many replicas can still be in sync? Run "
    "replication.simulate_replication('all', 5, m, 2, brokers=5) for m from 1 to 5 and compare.",
    "Count the brokers still up after two of the five fail: each holds at most one in-sync "
    "replica, and min.insync.replicas may ask for no more than that.",
), worked="With RF 5 and two brokers down only 3 replicas can be in sync, so "
          "min.insync.replicas = 4 or 5 rejects writes (NOT_ENOUGH_REPLICAS), and 1 or 2 lets "
          "an acknowledged write live on fewer brokers than it could. The largest value that "
          "keeps accepting writes is {answer} = RF − failures tolerated.")
def check_min_insync(answer: Any) -> CheckResult:
    return check_number(
        answer, solution_min_insync(), rel_tol=0, abs_tol=0, what="min.insync.replicas",
        integer=True, minimum=1,
        mistakes=[Mistake(2, "2 is the lesson's setting for RF 3 and one failure; with RF 5 and "
                             "two brokers down, 3 replicas are still in sync."),
                  Mistake(ISR_RF - 1, "RF − 1 tolerates one failure; with two brokers down only "
                                      "3 replicas can be in sync, so 4 rejects every write "
                                      "(NOT_ENOUGH_REPLICAS).")],
        too_low="Writes keep flowing, but an acknowledged write may then live on fewer brokers "
                "than it could. Is there a larger value that still accepts writes after two "
                "crashes?",
        too_high="After two of 5 brokers fail only 3 replicas can be in sync; asking for more "
                 "makes every write fail with NOT_ENOUGH_REPLICAS.",
        explain="min.insync.replicas = RF − (failures to ride out): writes continue through "
                "them, and every acknowledged write is on that many brokers.")


#: exercise 3: 1-minute tumbling windows over data/orders.csv
GRACE_WINDOW_MS = 60_000


def _dropped_with_grace(grace_s: float) -> int:
    from course_lib.kafka.pipeline import load_orders
    from course_lib.kafka.windows import Windowing, stream_aggregate

    grace = Windowing(GRACE_WINDOW_MS, grace_ms=round(grace_s * 1000))
    return len(stream_aggregate(load_orders(), grace).dropped)


def solution_grace_needed() -> int:
    """The smallest whole number of seconds of grace for which 1-minute tumbling windows drop no
    order of data/orders.csv, found by running the stream processor (bisection over seconds).

    The largest lateness (``max_lateness_ms``) always suffices, but it need not be necessary: an
    order is dropped only when its *window* has closed, and its window ends after its event time.
    Fewer drops with more grace (a window closes later), so bisection applies.
    """
    from course_lib.kafka.pipeline import load_orders
    from course_lib.kafka.windows import max_lateness_ms

    lo, hi = 0, -(-max_lateness_ms(load_orders()) // 1000)  # hi: enough, rounded up to seconds
    while lo < hi:
        mid = (lo + hi) // 2
        if _dropped_with_grace(mid) == 0:
            hi = mid
        else:
            lo = mid + 1
    return lo


@exercise(3, hints=(
    "An order is dropped only when its *window* has closed before it arrives.",
    "Count drops with windows.stream_aggregate(orders, windows.Windowing(60_000, "
    "grace_ms=...)).dropped and bisect over whole seconds of grace.",
    "The worst lateness (179 s) is enough, but a little less also works.",
), worked="A 1-minute window closes when stream time passes its end + grace. Bisect over whole "
          "seconds, counting drops with stream_aggregate: {answer} s is the least grace that "
          "drops no order. The worst lateness (179 s) over-estimates it, because each late "
          "order's window ends after its event time.")
def check_grace_needed(answer: Any) -> CheckResult:
    return check_number(
        answer, solution_grace_needed(), rel_tol=0, abs_tol=0, what="grace (s)", unit="s",
        integer=True, minimum=0,
        too_low="With that grace some orders are still dropped: count them with "
                "windows.stream_aggregate(orders, windows.Windowing(60_000, grace_ms=...)).dropped "
                "and raise the grace until none is.",
        too_high="Enough, but not the least. The worst lateness (179 s) is an upper bound: an "
                 "order is dropped only when its *window* has closed, and its window ends after "
                 "its event time, so a little less grace already keeps every window open long "
                 "enough.",
        explain="A window closes at stream time ≥ end + grace; the worst case is the order that "
                "arrived farthest behind its window's end (about 170.3 s), not the one farthest "
                "behind stream time (179.1 s, but at least 8.7 s before its window's end).")


hint, solution = helpers(__name__)
