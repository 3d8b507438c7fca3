"""The failover lab's read-back: every sequence number a consumer can read after a run.

A record is "in the log" for the history checker (:mod:`course_lib.kafka.models.history`) when a
consumer can read it: from offset 0 up to the high watermark, once that watermark has settled.
Both halves have a trap, each met live: a follower a moment behind makes a watermark that is
still rising (read too soon and records look lost), and a leader elected below
``min.insync.replicas`` gives no end offset at all.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

import time
from typing import Any

from course_lib.kafka.live.failover.result import POLL_S

__all__ = ["read_back"]


def _settled_end(consumer: Any, tp: Any, still_s: float = 1.0,
                 limit_s: float = 10.0) -> int | None:
    """The high watermark once it has stopped moving for ``still_s`` (at most ``limit_s``).

    Right after the producer's last acknowledgement, a follower may not have fetched the last
    records yet: the watermark is still rising, and a read-back that stopped there would call
    records lost that every consumer can read a moment later. A watermark that stays put is
    where readers stop (frozen below ``min.insync.replicas``, KAFKA-15583, it stays put).

    None when the leader gives no end offset at all: a leader elected while the ISR is below
    ``min.insync.replicas`` answers ``OFFSET_NOT_AVAILABLE`` until its watermark reaches the
    start of its epoch, which a frozen watermark never does (seen live: a leader crash with
    ``min.insync.replicas=3``).
    """
    from kafka.errors import KafkaError

    end: int | None = None
    still_since = started = time.monotonic()
    while time.monotonic() - started < limit_s:
        try:  # a leader moving under the consumer: ask again, the watermark is not settled
            now_end = consumer.end_offsets([tp])[tp]
        except KafkaError:
            now_end = None
        if now_end is not None and now_end != end:
            end, still_since = now_end, time.monotonic()
        elif end is not None and time.monotonic() - still_since >= still_s:
            break
        time.sleep(POLL_S)
    return end


def read_back(cluster: Any, topic: str, wait_s: float) -> list[int]:
    """Every sequence number in the partition, from offset 0 to the settled high watermark."""
    from kafka import KafkaConsumer, TopicPartition

    cluster.wait_for(lambda: cluster.leader(topic) is not None, wait_s, f"{topic} to have a "
                     "leader for the read-back")
    tp = TopicPartition(topic, 0)
    consumer = KafkaConsumer(bootstrap_servers=cluster.up_bootstrap_servers(),
                             enable_auto_commit=False, request_timeout_ms=5000,
                             consumer_timeout_ms=2000)
    try:
        consumer.assign([tp])
        end = _settled_end(consumer, tp)
        consumer.seek_to_beginning(tp)
        values: list[int] = []
        deadline, idle = time.monotonic() + wait_s, 0
        # without an end offset, read until two polls in a row bring nothing (fetches still
        # stop at the watermark, so this is what any consumer can read)
        while time.monotonic() < deadline and (idle < 2 if end is None
                                               else consumer.position(tp) < end):
            batch = [int(r.value) for records in consumer.poll(timeout_ms=1000).values()
                     for r in records]
            values += batch
            idle = 0 if batch else idle + 1
        return values
    finally:
        consumer.close()
