"""What a group looks like from outside (the admin API), and what auto-commit really commits.

``kafka-consumer-groups.sh --describe --group G`` is two admin requests: *DescribeGroups* (the
members, their client ids and hosts, and the partitions the leader assigned to each) and the
committed offsets next to the log-end offsets (``lag.py``). :func:`describe_group` prints the
same columns.

**Auto-commit** (``enable_auto_commit=True``, the default in every Kafka client, every
``auto_commit_interval_ms`` = 5 s by default) does not commit what you *processed*: it commits
the position after the records ``poll()`` already *returned*, and it does so from inside a later
``poll()`` (or ``close()``) once the interval has passed. So in the usual loop, poll → process
→ poll, a crash re-delivers up to an interval's worth of processed records (at-least-once); a
loop that hands records to another thread and polls on commits records nobody has processed yet,
and a crash loses them (at-most-once). :func:`auto_commit_steps` shows the timing live.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import contextlib
import time

from kafka import TopicPartition
from kafka.errors import KafkaError

from course_lib.core.errors import WaitTimeout
from course_lib.core.naming import unique_name
from course_lib.core.waiting import wait_until
from course_lib.kafka.clients.factory import make_admin, make_consumer
from course_lib.kafka.clients.lag import committed_offsets, group_lag
from course_lib.kafka.clients.records import produce_keyed
from course_lib.kafka.clients.topics import TopicError, create_topic, require_apache

COLUMNS = ("PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
           "CLIENT-ID")


WIDTHS = (9, 14, 14, 4, 56, 10, 0)


def _row(cells) -> str:
    return " ".join(f"{str(c):<{w}}" for c, w in zip(cells, WIDTHS, strict=True)).rstrip()


def describe_group(admin, group_id: str, topic: str) -> str:
    """The group as ``kafka-consumer-groups --describe`` shows it (a sentence if unsupported)."""
    try:
        require_apache("describe groups")
    except TopicError as exc:
        return f"skipped on the embedded broker: {exc}"
    try:
        described = admin.describe_groups([group_id])[group_id]
    except KafkaError as exc:
        return f"could not describe group {group_id!r}: {type(exc).__name__}: {exc}"
    owner = {}
    for member in described["members"]:
        for assigned in member["member_assignment"]["assigned_partitions"]:
            if assigned["topic"] == topic:
                for p in assigned["partitions"]:
                    owner[p] = member
    lines = [f"group {group_id}: state {described['group_state']}, assignor "
             f"{described['protocol_data']}, {len(described['members'])} member(s)",
             _row(COLUMNS)]
    for row in group_lag(admin, group_id, topic):
        m = owner.get(row.partition)
        lines.append(_row((row.partition,
                           "-" if row.committed_offset is None else row.committed_offset,
                           row.log_end_offset, row.lag, m["member_id"] if m else "-",
                           m["client_host"] if m else "-", m["client_id"] if m else "-")))
    return "\n".join(lines)


def _committed(admin, group: str, tp: TopicPartition) -> int | None:
    meta = committed_offsets(admin, group).get(tp)
    return meta.offset if meta is not None and meta.offset >= 0 else None


def auto_commit_steps(records: int = 100, interval_ms: int = 1000) -> list[str]:
    """Poll with auto-commit on and read the committed offset after each step (admin API)."""
    topic = create_topic(unique_name("autocommit"), 1)
    produce_keyed(topic, [(None, f"event-{i}") for i in range(records)])
    group, tp = unique_name("autocommit-group"), TopicPartition(topic, 0)
    consumer = make_consumer(topic, group_id=group, enable_auto_commit=True,
                             auto_commit_interval_ms=interval_ms, max_poll_records=records)
    admin = make_admin()
    steps = []
    try:
        got = 0
        with contextlib.suppress(WaitTimeout):  # none in 15 s: the steps below show 0
            got = wait_until(lambda: sum(len(b) for b in consumer.poll(timeout_ms=200).values()),
                             15, "the first records", interval_s=0.0)
        steps.append(f"poll() returned {got} records; committed: {_committed(admin, group, tp)}")
        time.sleep(interval_ms / 1000 + 0.5)
        steps.append(f"{interval_ms / 1000 + 0.5:g} s later, no poll() meanwhile: committed: "
                     f"{_committed(admin, group, tp)}")
        consumer.poll(timeout_ms=100)
        steps.append(f"after the next poll(): committed: {_committed(admin, group, tp)}")
    finally:
        consumer.close(timeout_ms=5000)
        admin.close()
    return steps
