"""Rebalances as Kafka 4.x clients run them: eager versus cooperative, and static membership.

**Eager** (the classic protocol with the range or round-robin assignor): at every rebalance each
member first gives up *all* its partitions, rejoins, and gets a new set. For the length of the
rebalance the whole group reads nothing, even partitions that end up where they were.

**Cooperative** (KIP-429, the ``cooperative-sticky`` assignor): members keep what they own;
the leader's first assignment only takes away the partitions that must move, and a second,
follow-up rebalance hands those to their new owner. Only the moving partitions stop.

**Static membership** (KIP-345, ``group_instance_id``): a member with a fixed instance id that
restarts within ``session_timeout_ms`` takes its old place: the coordinator hands it the same
partitions and the other members notice nothing (no rebalance, their generation stays). A
dynamic member that restarts is a new member: its predecessor is expired after the session
timeout and the group rebalances.

All of this is the classic group protocol, which kafka-python speaks and Kafka 4.x still serves.
KIP-848's consumer protocol (GA in Kafka 4.0, opted into with ``group.protocol=consumer`` in the
Java client) moves the assignment to the broker and makes every rebalance incremental per
member, with no group-wide barrier; kafka-python does not implement it.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from course_lib.core import progress
from course_lib.core.naming import unique_name
from course_lib.core.waiting import wait_until
from course_lib.kafka.clients.child_consumer import ChildConsumer, ChildTimeout
from course_lib.kafka.clients.factory import make_consumer
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.live.group.lab import ConsumerGroupLab
from course_lib.kafka.runtime.default_broker import bootstrap_servers


@dataclass(frozen=True)
class RebalanceStops:
    """A third member joins a group of two: which partitions the first two had to give up."""

    assignor: str
    before: list[list[int]]
    after: list[list[int]]
    stopped: list[int]
    partitions: int

    def report(self) -> str:
        sizes = lambda groups: sorted(len(g) for g in groups)  # noqa: E731 - a one-line view
        return (f"{self.assignor:>18}: partitions per member {sizes(self.before)} -> "
                f"{sizes(self.after)}; stopped during the rebalance: {len(self.stopped)} of "
                f"{self.partitions}")


def rebalance_stops(assignor: str, partitions: int = 6) -> RebalanceStops:
    """Two members, then a third; count the partitions the first two revoke (stop reading)."""
    topic = create_topic(unique_name("rebalance"), partitions)
    # three joins of seconds each, silent otherwise: say which member is joining
    with progress.task(f"{assignor} rebalances", "3 members joined") as task, \
            ConsumerGroupLab(topic, unique_name(f"{assignor}-group"), partitions,
                             assignor=assignor) as lab:
        for i in range(2):  # one at a time: each join its own rebalance
            task.phase(f"member {i + 1} of 3 joins")
            lab.add_consumer()
            before = lab.wait_until_stable()
        lab.forget_revocations()
        task.phase("member 3 of 3 joins")
        lab.add_consumer()
        after = lab.wait_until_stable()
        stopped = lab.revoked([0, 1])
    return RebalanceStops(assignor, before, after, stopped, partitions)


@dataclass(frozen=True)
class Restart:
    """A member is SIGKILLed and restarted at once: what the other member saw meanwhile."""

    static: bool
    generation_before: int
    generation_after: int
    same_partition: bool
    rejoined_after_s: float  # from the kill until the restarted member owned a partition

    @property
    def rebalances_seen(self) -> int:
        return self.generation_after - self.generation_before

    def report(self) -> str:
        if self.static:  # which partition a dynamic member gets depends on random member ids
            return (f"static (group_instance_id): the other member went through "
                    f"{'no rebalance' if self.rebalances_seen == 0 else 'a rebalance'}; the "
                    f"restarted member got its old partition back: {self.same_partition}")
        return (f"dynamic: the other member went through "
                f"{'no rebalance' if self.rebalances_seen == 0 else 'a rebalance'}")


def _generation_after(consumer, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        consumer.poll(timeout_ms=50)
    return consumer.group_metadata().generation_id


def _split(other, first: ChildConsumer) -> bool:
    """One partition each yet? Polling ``other`` drives its membership; ``first`` reports."""
    if len(other.assignment()) == 1 and first.last["assigned"] != [0, 1]:
        return True
    other.poll(timeout_ms=50)
    first.drain()
    return False


def _assigned(second: ChildConsumer, other) -> bool:
    """Has the restarted member reported a partition? Polling ``other`` keeps it in the group."""
    if second.drain().get("assigned") not in (None, []):
        return True
    other.poll(timeout_ms=50)
    return False


def restart_member(static: bool, session_timeout_ms: int = 6000,
                   timeout_s: float = 30.0) -> Restart:
    """Kill one of two members with SIGKILL, restart it at once, watch the other's generation."""
    topic = create_topic(unique_name("restart"), 2)
    group = unique_name("static-group" if static else "dynamic-group")
    config = {"session_timeout_ms": session_timeout_ms,
              "heartbeat_interval_ms": session_timeout_ms // 3}
    child_config = {**config, **({"group_instance_id": "shipping-1"} if static else {})}
    job = {"kind": "member", "bootstrap": bootstrap_servers(), "topic": topic, "group": group,
           "config": child_config}
    # joins, a kill, a restart and a watch of seconds each: say which step is running
    with progress.task(f"{'static' if static else 'dynamic'} restart", "member restarted"
                       ) as task:
        task.phase("two members join the group")
        other = make_consumer(topic, group_id=group, consumer_timeout_ms=float("inf"),
                              **config)
        try:
            with ChildConsumer(job) as first:
                first.wait_for("assigned", lambda owned: len(owned) == 2, timeout_s)
                wait_until(lambda: _split(other, first), timeout_s,
                           "the group of two to settle", interval_s=0.0, error=ChildTimeout,
                           detail=lambda: "is the broker running?")
                before_partition = first.last["assigned"]
                before = _generation_after(other, 0.3)
                killed_at = first.kill()
            task.phase("member killed (SIGKILL) and restarted, waiting for it to rejoin")
            with ChildConsumer(job) as second:
                wait_until(lambda: _assigned(second, other),
                           timeout_s + session_timeout_ms / 1000,
                           "the restarted member to get a partition", interval_s=0.0,
                           error=ChildTimeout)
                rejoined = time.monotonic() - killed_at
                task.phase("watching the other member for a rebalance")
                # long enough for any rebalance to reach the other member (heartbeat answers)
                after = _generation_after(other, 2 * session_timeout_ms / 3000 + 0.5)
                same = second.last["assigned"] == before_partition
        finally:
            other.close(autocommit=False, timeout_ms=5000)
    return Restart(static, before, after, same, rejoined)
