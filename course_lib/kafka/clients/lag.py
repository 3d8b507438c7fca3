"""Consumer lag from the admin client: log-end offset − committed offset, per partition.

A consumer group remembers its progress as one *committed offset* per partition: the offset of the
next record it will process. The partition's *log-end offset* is the offset the next produced
record will get. Their difference is the group's **lag**, the number of records written but not
yet processed. It is what every Kafka monitoring tool (``kafka-consumer-groups.sh --describe``,
Burrow, Cruise Control) shows, and it is measured from outside the consumers, with two admin
calls:

* ``list_partition_offsets({tp: OffsetSpec.LATEST})`` → log-end offsets;
* ``list_group_offsets({group: [tps]})`` → committed offsets (−1 or missing: nothing committed yet,
  so the group will start from the log-start offset, and the whole partition counts as lag).

Lag that returns to 0 means the group keeps up; lag that grows for minutes means it does not
(lesson 04's simulation shows when).

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from kafka import TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    KafkaError,
    NotCoordinatorError,
)

from course_lib.core import progress
from course_lib.core.errors import BrokerError, WaitTimeout
from course_lib.core.waiting import retry

__all__ = ["PartitionLag", "committed_offsets", "group_lag", "lag_table", "log_end_offsets",
           "sample_lag", "total_lag"]


@dataclass(frozen=True)
class PartitionLag:
    """One row of ``kafka-consumer-groups --describe``: a partition's offsets and the lag."""

    partition: int
    log_start_offset: int
    log_end_offset: int
    committed_offset: int | None  # None: the group has committed nothing here yet

    @property
    def lag(self) -> int:
        start = self.log_start_offset if self.committed_offset is None else self.committed_offset
        return self.log_end_offset - start


def _partitions(admin, topic: str) -> list[TopicPartition]:
    described = admin.describe_topics([topic])
    if not described or described[0].get("error_code", 0) != 0:
        raise BrokerError(f"topic {topic!r} is not known to the broker")
    return sorted((TopicPartition(topic, p["partition_index"]) for p in described[0]["partitions"]),
                  key=lambda tp: tp.partition)


def log_end_offsets(admin, topic: str, spec=OffsetSpec.LATEST) -> dict[int, int]:
    """Partition → log-end offset (``spec=OffsetSpec.EARLIEST`` gives log-start offsets)."""
    try:
        found = admin.list_partition_offsets({tp: spec for tp in _partitions(admin, topic)})
    except KafkaError as exc:
        raise BrokerError(f"listing offsets of {topic!r} failed: {exc!r}; is the broker "
                          "still running?") from exc
    return {tp.partition: found[tp].offset for tp in sorted(found, key=lambda t: t.partition)}


def group_lag(admin, group_id: str, topic: str) -> list[PartitionLag]:
    """The lag of group ``group_id`` on every partition of ``topic``, sorted by partition."""
    ends = log_end_offsets(admin, topic)
    starts = log_end_offsets(admin, topic, OffsetSpec.EARLIEST)
    tps = [TopicPartition(topic, p) for p in ends]
    committed = committed_offsets(admin, group_id, tps)
    rows = []
    for tp in tps:
        meta = committed.get(tp)
        offset = None if meta is None or meta.offset is None or meta.offset < 0 else meta.offset
        rows.append(PartitionLag(tp.partition, starts[tp.partition], ends[tp.partition], offset))
    return rows


#: The group's coordinator is moving (a broker restarted, leadership of ``__consumer_offsets``
#: changed) or still loading: Kafka's own tools retry these, and so does :func:`group_lag`.
_COORDINATOR_MOVING = (NotCoordinatorError, CoordinatorLoadInProgressError,
                       CoordinatorNotAvailableError)


def committed_offsets(admin, group_id: str, tps: list[TopicPartition] | None = None,
                      timeout_s: float = 10.0) -> dict:
    """``{TopicPartition: OffsetAndMetadata}`` the group committed (``tps=None``: all of them)."""
    try:
        return retry(lambda: admin.list_group_offsets({group_id: tps}).get(group_id, {}),
                     timeout_s, f"the coordinator of group {group_id!r} to settle",
                     retriable=_COORDINATOR_MOVING)
    except WaitTimeout as exc:
        raise BrokerError(f"the coordinator of group {group_id!r} did not settle within "
                          f"{timeout_s:g} s: {exc.last!r}") from exc.last
    except KafkaError as exc:
        raise BrokerError(f"fetching the committed offsets of group {group_id!r} failed: "
                          f"{exc!r}") from exc


def total_lag(rows: Sequence[PartitionLag]) -> int:
    """Sum of the per-partition lags: how many records the group still has to process."""
    return sum(r.lag for r in rows)


def lag_table(rows: Sequence[PartitionLag]) -> str:
    """A fixed-width text table like ``kafka-consumer-groups --describe`` (deterministic)."""
    lines = [f"{'partition':>9} {'log-end':>8} {'committed':>9} {'lag':>5}"]
    for r in rows:
        committed = "-" if r.committed_offset is None else str(r.committed_offset)
        lines.append(f"{r.partition:>9} {r.log_end_offset:>8} {committed:>9} {r.lag:>5}")
    lines.append(f"{'total':>9} {'':>8} {'':>9} {total_lag(rows):>5}")
    return "\n".join(lines)


def sample_lag(admin, group_id: str, topic: str, *, interval_s: float = 0.2,
               timeout_s: float = 60.0) -> list[tuple[float, dict[int, int]]]:
    """Measure the group's lag every ``interval_s`` until it is 0 on every partition.

    Returns ``[(seconds since the first sample, {partition: lag}), ...]``. Raises
    :class:`BrokerError` if the lag has not reached 0 within ``timeout_s`` (a stuck or crashed
    group, or a producer that never stops), so a lesson cell never hangs.
    """
    started = time.monotonic()
    samples: list[tuple[float, dict[int, int]]] = []
    # the group may take many seconds to catch up: the progress line shows the lag falling
    with progress.task("lag", "the group caught up") as task:
        while True:
            rows = group_lag(admin, group_id, topic)
            now = time.monotonic() - started
            samples.append((now, {r.partition: r.lag for r in rows}))
            task.phase(f"{total_lag(rows)} records still to process")
            if total_lag(rows) == 0:
                return samples
            if now > timeout_s:
                raise BrokerError(f"lag of group {group_id!r} on {topic!r} still "
                                  f"{total_lag(rows)} after {timeout_s:g} s; are its consumers "
                                  "running?")
            time.sleep(interval_s)

