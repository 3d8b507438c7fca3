"""The producer's requests in flight and its accumulator, for the replication model (M4).

A Kafka producer sends at most ``max.in.flight.requests.per.connection`` requests (5) to a broker
before it waits for answers; what is produced meanwhile waits in its *accumulator*, in batches of
up to ``batch.size`` bytes, neither appended nor spending retries. With ``acks=all`` and
followers gone, that matters: only the writes of the requests in flight are appended, time out
and are retried (and so may land twice, or be "rejected" yet in the log); the rest wait, and
either go when the followers are back or expire after ``delivery.timeout.ms``. Without the
limit every write is appended when sent and spends its own retries.

:class:`RequestSlots` is the bookkeeping only (which write is in which request, how many are
open, what waits); :class:`~course_lib.kafka.models.replication_leader.Partition` decides when
to send. Used when :attr:`ReplicationScenario.max_in_flight` is set (lesson 05b's lab; lesson
05's producer sends every write at once). Only ``acks=all`` requests wait long enough in the
model to fill the slots: the leader answers ``acks=1`` at once, and ``acks=0`` not at all.
"""

from __future__ import annotations

from collections import deque

__all__ = ["BATCH_RECORDS", "RequestSlots"]

#: Records per batch: ``batch.size`` (16 KB) over the lab's small records (~70 bytes each).
BATCH_RECORDS = 200


class RequestSlots:
    """Which write rides in which open request, and the writes waiting for a free one."""

    def __init__(self, limit: int, batch: int = BATCH_RECORDS) -> None:
        self.limit, self.batch = limit, batch
        self.open = 0
        self.request_of: dict[int, int] = {}
        self.left: dict[int, int] = {}
        self.queued: deque[int] = deque()
        self._next = 0

    def full(self) -> bool:
        return self.open >= self.limit

    def wait(self, wid: int, retried: bool) -> None:
        """Put ``wid`` in the accumulator: a retried batch goes first, as Kafka re-enqueues it."""
        if retried:
            self.queued.appendleft(wid)
        else:
            self.queued.append(wid)

    def open_request(self, wids: list[int]) -> None:
        rid, self._next = self._next, self._next + 1
        self.open += 1
        self.left[rid] = len(wids)
        for wid in wids:
            self.request_of[wid] = rid

    def next_batch(self) -> list[int]:
        """The next request's writes (opened), or nothing when the slots are full or none wait."""
        if self.full() or not self.queued:
            return []
        wids = [self.queued.popleft() for _ in range(min(self.batch, len(self.queued)))]
        self.open_request(wids)
        return wids

    def leave(self, wid: int) -> bool:
        """``wid`` was answered (or failed): True when that closed its request, freeing a slot."""
        rid = self.request_of.pop(wid, None)
        if rid is None:
            return False
        self.left[rid] -= 1
        if self.left[rid]:
            return False
        del self.left[rid]
        self.open -= 1
        return True
