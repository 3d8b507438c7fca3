"""Self-checks and reference solutions for lesson 05, the five Kafka use cases.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import Verdict, check_number
from course_lib.exercises.quantities import read_quantity, whole_number

#: the at-least-once question: batches of 40, the consumer crashes after 130 messages
DUP_BATCH, DUP_CRASH_AFTER = 40, 130


def solution_duplicates() -> int:
    """The last commit covered the last full batch; the rest of the batch is delivered again."""
    committed = (DUP_CRASH_AFTER // DUP_BATCH) * DUP_BATCH
    return DUP_CRASH_AFTER - committed


def check_duplicates(answer: Any) -> Verdict:
    answer = read_quantity(answer, {"messages": 1, "duplicates": 1}, "duplicates")
    if isinstance(answer, Verdict):
        return answer
    return check_number(
        answer, solution_duplicates(), rel_tol=0, abs_tol=0, what="duplicates",
        too_low="Zero would be exactly-once. Which offset did the group commit last, and where "
                "does the restarted consumer start reading?",
        too_high="Only messages processed after the last commit come back: the commit happens "
                 "after each full batch of 40.",
        explain="The group had committed offset 120; messages 120–129 were processed but not "
                "committed, so they are delivered again. The upsert sink makes that harmless.")


def solution_min_insync() -> int:
    """The largest min.insync.replicas for which RF 3, acks=all never says NOT_ENOUGH_REPLICAS
    after one broker failure (found by running the model, not by the rule of thumb)."""
    from course_lib.kafka.replication import simulate_replication

    ok = [m for m in (1, 2, 3)
          if "NOT_ENOUGH_REPLICAS" not in simulate_replication("all", 3, m, 1).reasons()]
    return max(ok)


def check_min_insync(answer: Any) -> Verdict:
    answer = read_quantity(answer, {"replicas": 1}, "min.insync.replicas")
    if isinstance(answer, Verdict):
        return answer
    return check_number(
        answer, solution_min_insync(), rel_tol=0, abs_tol=0, what="min.insync.replicas",
        too_low="With 1, writes keep flowing, but an acknowledged write may then live on a single "
                "broker. Is there a larger value that still accepts writes after one crash?",
        too_high="After one of 3 brokers fails only 2 replicas can be in sync; asking for more "
                 "makes every write fail with NOT_ENOUGH_REPLICAS.",
        explain="RF 3 with min.insync.replicas 2 is Kafka's usual production setting: one broker "
                "can fail (or be restarted for an upgrade) without stopping writes or losing data.")


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


def check_grace_needed(answer: Any) -> Verdict:
    answer = read_quantity(answer, {"s": 1, "sec": 1, "seconds": 1, "ms": 0.001, "min": 60},
                           "grace (s)")
    if isinstance(answer, Verdict):
        return answer
    fractional = whole_number(answer, "grace (s)", "") is not None and answer >= 0
    if fractional and _dropped_with_grace(answer) == 0:  # right idea, no "still dropped" hint
        return Verdict(False, f"Not yet: with {answer:g} s of grace no order is dropped, "
                              "indeed; the question asks for whole seconds: round up.")
    return check_number(
        answer, solution_grace_needed(), rel_tol=0, abs_tol=0, what="grace (s)",
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
