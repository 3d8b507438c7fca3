"""A crashed consumer versus a closed one: how long its partitions sit unread.

Two members share a two-partition topic: a *victim* in a child process
(:class:`~course_lib.kafka.clients.child_consumer.ChildConsumer`) and a *survivor* here. Then the
victim goes:

* ``"crash"``: ``SIGKILL``. It sends no LeaveGroup, so the coordinator keeps it in the group
  until ``session_timeout_ms`` pass without a heartbeat from it. Its partition is owned by a dead
  process all that time: records written to it wait. Then the coordinator rebalances and the
  survivor takes the partition (it learns of the rebalance from its next heartbeat's answer).
  Expected: about the session timeout, give or take a heartbeat interval (the victim's last
  heartbeat came up to one interval before the kill; the survivor hears of the rebalance up to
  one interval after it starts).
* ``"graceful"``: ``SIGTERM``; the victim closes its consumer, which sends LeaveGroup. The
  rebalance starts at once; the survivor joins it at its next heartbeat: at most about
  ``heartbeat_interval_ms``, far below the session timeout.

This is the classic group protocol (what kafka-python speaks). Under KIP-848's consumer protocol
the broker still waits a session timeout for a silent member, but moves partitions incrementally.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from course_lib.core import progress
from course_lib.core.claims import Claim
from course_lib.core.naming import unique_name
from course_lib.core.validate import description, integer, one_of
from course_lib.core.waiting import wait_until
from course_lib.kafka.clients.child_consumer import ChildConsumer, ChildTimeout
from course_lib.kafka.clients.factory import make_consumer
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.runtime.default_broker import bootstrap_servers

HOW = ("crash", "graceful")


@description
@dataclass(frozen=True)
class Handover:
    """The description: how the victim goes, and the group's timing settings (ms)."""

    how: str = "crash"
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 2000

    def __post_init__(self) -> None:
        one_of("how", self.how, HOW)
        integer("session_timeout_ms", self.session_timeout_ms, ge=1000)
        integer("heartbeat_interval_ms", self.heartbeat_interval_ms, ge=100,
                le=self.session_timeout_ms // 3, high_name="session_timeout_ms / 3")


@dataclass(frozen=True)
class HandoverResult:
    """What happened: the victim's partitions, and how long after it went they moved."""

    handover: Handover
    victim_partitions: tuple[int, ...]
    survivor_before: tuple[int, ...]
    survivor_after: tuple[int, ...]
    moved_after_s: float

    @property
    def expected_range_s(self) -> tuple[float, float]:
        """Where ``moved_after_s`` should fall, from the two timeouts (see the module docstring)."""
        s, hb = self.handover.session_timeout_ms / 1000, self.handover.heartbeat_interval_ms / 1000
        if self.handover.how == "crash":
            return s - hb, s + hb + 1.0
        return 0.0, hb + 1.0

    def as_expected(self) -> bool:
        low, high = self.expected_range_s
        return (set(self.victim_partitions) <= set(self.survivor_after)
                and low <= self.moved_after_s <= high)

    def claims(self) -> list[Claim]:
        """The two claims: the victim's partitions moved to the survivor (measured; the protocol
        says they must), and the time it took fell in :attr:`expected_range_s`."""
        low, high = self.expected_range_s
        moved = set(self.victim_partitions) <= set(self.survivor_after)
        return [Claim("the victim's partition moved to the survivor", moved, True, moved),
                Claim(f"within the expected {low:g}-{high:g} s", round(self.moved_after_s, 2),
                      (low, high), self.as_expected(), unit="s")]

    def verdict(self) -> str:
        """One sentence with no timing and no partition number in it (a checked cell prints it:
        which member keeps which partition depends on random member ids)."""
        said = "; ".join(f"{c.text}: {c.agree}" for c in self.claims())
        return f"{self.handover.how}: {said}"

    def timing(self) -> str:
        return (f"{self.handover.how}: moved {self.moved_after_s:.2f} s after the victim went "
                f"(session timeout {self.handover.session_timeout_ms / 1000:g} s)")


def _wait_assignment(consumer, want, deadline: float) -> tuple[int, ...]:
    """Poll ``consumer`` (polling drives its group membership) until ``want(its partitions)``."""
    def owned() -> tuple[int, ...] | None:
        consumer.poll(timeout_ms=50)
        partitions = tuple(sorted(tp.partition for tp in consumer.assignment()))
        return partitions if want(partitions) else None

    return wait_until(owned, max(0.0, deadline - time.monotonic()),
                      "the survivor's assignment to change", interval_s=0.0,
                      error=ChildTimeout, detail=lambda: "is the broker running?")


def measure_handover(handover: Handover, timeout_s: float = 30.0) -> HandoverResult:
    """Run the two-member group, make the victim go, time how long its partitions take to move."""
    config = {"session_timeout_ms": handover.session_timeout_ms,
              "heartbeat_interval_ms": handover.heartbeat_interval_ms}
    topic = create_topic(unique_name("handover"), 2)
    group = unique_name("handover-group")
    deadline = time.monotonic() + timeout_s + handover.session_timeout_ms / 1000
    job = {"kind": "member", "bootstrap": bootstrap_servers(), "topic": topic, "group": group,
           "config": config}
    # several seconds of joins and timeouts, silent otherwise: say which step is running
    with progress.task(f"{handover.how} lab", "partitions moved") as task, \
            ChildConsumer(job) as victim:
        task.phase("the victim joins the group")
        victim.wait_for("assigned", lambda owned: owned == [0, 1], timeout_s)
        task.phase("the survivor joins: a rebalance")
        survivor = make_consumer(topic, group_id=group, consumer_timeout_ms=float("inf"),
                                 **config)
        try:
            before = _wait_assignment(survivor, lambda owned: len(owned) == 1, deadline)
            victim_owns = victim.wait_for("assigned", lambda owned: len(owned) == 1, timeout_s)
            gone_at = victim.kill() if handover.how == "crash" else victim.leave()
            task.phase("the victim is killed (SIGKILL), waiting for its partition to move"
                       if handover.how == "crash" else
                       "the victim leaves the group, waiting for its partition to move")
            after = _wait_assignment(survivor, lambda owned: len(owned) == 2, deadline)
            moved = time.monotonic() - gone_at
        finally:
            survivor.close(autocommit=False, timeout_ms=5000)
    return HandoverResult(handover, tuple(victim_owns), before, after, moved)
