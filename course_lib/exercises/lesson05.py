"""Self-checks and reference solutions for lesson 05, the five Kafka use cases.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import Verdict, check_number

#: the at-least-once question: batches of 40, the consumer crashes after 130 messages
DUP_BATCH, DUP_CRASH_AFTER = 40, 130


def solution_duplicates() -> int:
    """The last commit covered the last full batch; the rest of the batch is delivered again."""
    committed = (DUP_CRASH_AFTER // DUP_BATCH) * DUP_BATCH
    return DUP_CRASH_AFTER - committed


def check_duplicates(answer: Any) -> Verdict:
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
    return check_number(
        answer, 2, rel_tol=0, abs_tol=0, what="min.insync.replicas",
        too_low="With 1, writes keep flowing, but an acknowledged write may then live on a single "
                "broker. Is there a larger value that still accepts writes after one crash?",
        too_high="After one of 3 brokers fails only 2 replicas can be in sync; asking for more "
                 "makes every write fail with NOT_ENOUGH_REPLICAS.",
        explain="RF 3 with min.insync.replicas 2 is Kafka's usual production setting: one broker "
                "can fail (or be restarted for an upgrade) without stopping writes or losing data.")


def solution_dropped() -> int:
    """Orders dropped as late by 1-minute tumbling windows with no grace over data/orders.csv."""
    from course_lib.kafka.pipeline import load_orders
    from course_lib.kafka.windows import Windowing, stream_aggregate

    return len(stream_aggregate(load_orders(), Windowing(60_000)).dropped)


def check_dropped(answer: Any) -> Verdict:
    return check_number(
        answer, solution_dropped(), rel_tol=0, abs_tol=0, what="dropped orders",
        too_low="Count the events whose window had already closed when they arrived "
                "(WindowResult.dropped), with grace_ms=0.",
        too_high="Out of order is not the same as late: an event behind stream time is still "
                 "counted if its window has not closed yet (those are late_accepted).",
        explain="Only events whose whole window had closed are dropped; most out-of-order events "
                "still land in an open window.")
