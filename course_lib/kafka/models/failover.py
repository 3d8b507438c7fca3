"""One live failover run on a real 3-broker Kafka, described once for the lab *and* the model.

A :class:`LiveScenario` says what the producer is (``acks``, ``retries``, idempotence), what the
topic is (RF 3, ``min.insync.replicas``, ``unclean.leader.election.enable``), what breaks and
when, and how hard the producer writes. :func:`course_lib.kafka.live.failover.run.run_live` plays it
on a :class:`~course_lib.kafka.runtime.cluster.KafkaCluster`; :func:`to_model` turns the same
description into the model's :class:`~course_lib.kafka.models.replication.ReplicationScenario`, so
that the measured and the simulated outcome sit side by side (lesson 03b's idea, for Kafka).

The failures (brokers are named by role: the partition's first leader and its two followers):

* ``kill_leader`` — SIGKILL the leader at ``failure_at`` (a crash: the controller notices only
  when its heartbeats stop, ``broker.session.timeout.ms`` later);
* ``term_leader`` — SIGTERM it (a controlled shutdown: leadership moves before the exit);
* ``two_followers_down`` — SIGKILL both followers (the ISR shrinks to the leader alone);
* ``stale_followers`` — SIGSTOP both followers at ``failure_at``, SIGKILL the leader
  ``freeze_time`` seconds later, then thaw the followers: they hold only what they fetched
  before the freeze. A short freeze (< ``replica.lag.time.max.ms``) leaves them in the ISR
  (a *clean* election loses ``acks=1`` writes); a long one gets them fenced and out of the ISR,
  so only an *unclean* election can bring the partition back.

``down_time``: the broker(s) that died restart that many seconds after the failure (for
``stale_followers``: after the leader's death), so the run also shows catching up and the ISR
growing again.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from course_lib.core.validate import description, flag, integer, number, one_of
from course_lib.kafka.models.replication import ReplicationScenario, canonical_acks
from course_lib.kafka.models.settings import LAB_TUNING

__all__ = ["FAILURES", "LiveScenario", "lab_scenarios", "to_model"]

FAILURES = ("kill_leader", "term_leader", "two_followers_down", "stale_followers")
#: Kafka's default for ``retries`` (Integer.MAX_VALUE): retry until ``delivery.timeout.ms``.
RETRY_FOREVER = 2_147_483_647
SESSION_TIMEOUT_S = int(LAB_TUNING["broker.session.timeout.ms"]) / 1000
REPLICA_LAG_MAX_S = int(LAB_TUNING["replica.lag.time.max.ms"]) / 1000
#: The controller fences a broker at its first check after the session expired: live, the ISR
#: shrank 2.9-3.5 s after a kill (mean 3.13 s over 24 runs, polled every 0.2 s, so ~0.1 s late).
FENCE_AFTER_S = SESSION_TIMEOUT_S + 0.1
#: How often a caught-up follower fetches in the model. Real followers keep a fetch open
#: (``replica.fetch.wait.max.ms``) that returns as soon as the leader appends: well under a
#: millisecond of lag on one machine; 2 ms polls come close at a fraction of the cost.
FOLLOWER_FETCH_S = 0.002
#: From the lab's restart command to the broker answering again: a new JVM starts, registers
#: with the controller and opens its port. The first follower back rejoined the ISR 2.9-4.2 s
#: after the command in seven generated runs on 2 cores (December 2026); this is their mean.
JVM_START_S = 3.3


@description
@dataclass(frozen=True)
class LiveScenario:
    """A producer, a topic, a failure and a load; times in seconds from the first send."""

    failure: str = "kill_leader"
    acks: str | int = "all"
    retries: int = RETRY_FOREVER
    idempotence: bool = True
    min_insync_replicas: int = 2
    unclean_leader_election: bool = False
    failure_at: float = 1.0
    freeze_time: float = 1.0
    down_time: float | None = None
    produce_rate: float = 200.0
    duration: float = 3.0
    request_timeout: float = 3.0
    delivery_timeout: float = 20.0
    seed: int = 2026

    def __post_init__(self) -> None:
        one_of("failure", self.failure, FAILURES)
        object.__setattr__(self, "acks", canonical_acks(self.acks))
        integer("retries", self.retries, ge=0)
        for name in ("idempotence", "unclean_leader_election"):
            flag(name, getattr(self, name))
        if self.idempotence and (self.acks != "all" or self.retries == 0):
            raise ValueError(f"idempotence requires acks='all' and retries > 0 "
                             f"(got acks={self.acks!r}, retries={self.retries})")
        integer("min_insync_replicas", self.min_insync_replicas, ge=1, le=3,
                high_name="replication_factor=3")
        number("duration", self.duration, gt=0, le=10, high_name="10 (a lab run is short)")
        number("failure_at", self.failure_at, ge=0, lt=self.duration,
               high_name=f"duration={self.duration:g}")
        number("freeze_time", self.freeze_time, gt=0, le=10)
        if self.down_time is not None:
            number("down_time", self.down_time, gt=0, le=20)
        number("produce_rate", self.produce_rate, gt=0, le=1000, high_name="1000 writes/s")
        number("request_timeout", self.request_timeout, gt=0, le=30)
        number("delivery_timeout", self.delivery_timeout, ge=self.request_timeout, le=120,
               low_name=f"request_timeout={self.request_timeout:g}")
        integer("seed", self.seed)

    @property
    def leader_dies_at(self) -> float | None:
        """When the first leader stops (None when only followers fail)."""
        return {"kill_leader": self.failure_at, "term_leader": self.failure_at,
                "stale_followers": self.failure_at + self.freeze_time}.get(self.failure)

    def describe(self) -> dict[str, Any]:
        """The fields as plain values (stored with every run)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def to_model(sc: LiveScenario) -> ReplicationScenario:
    """The same scenario for :func:`~course_lib.kafka.models.replication_engine.simulate`.

    Brokers by role: 0 is the first leader, 1 and 2 its followers. The lab's tuning (3 s session
    timeout, 3 s replica lag) is the model's. The lab's SIGKILL is the model's ``"kill"`` (a
    process whose port refuses connections), its SIGTERM ``"controlled"``, its SIGSTOP the
    model's frozen followers (``freeze_time``, thawed just after the leader's death). A broker the
    lab restarts is a new JVM: it is back ``JVM_START_S`` after the restart command.
    """
    common: dict[str, Any] = dict(
        acks=sc.acks, replication_factor=3, min_insync_replicas=sc.min_insync_replicas,
        retries=min(sc.retries, 1_000), idempotence=sc.idempotence,
        unclean_leader_election=sc.unclean_leader_election, produce_rate=sc.produce_rate,
        duration=sc.duration, session_timeout=FENCE_AFTER_S,
        replica_lag_time_max=REPLICA_LAG_MAX_S, request_timeout=sc.request_timeout,
        delivery_timeout=sc.delivery_timeout, retry_backoff_max=0.1,  # kafka-python's
        max_in_flight=5,  # Kafka's and kafka-python's default
        fetch_interval=FOLLOWER_FETCH_S,
        network_delay=0.001, seed=sc.seed,
        down_time=None if sc.down_time is None else sc.down_time + JVM_START_S,
        failure_kind="controlled" if sc.failure == "term_leader" else "kill")
    if sc.failure in ("kill_leader", "term_leader"):
        return ReplicationScenario(**common, broker_failures=((0, sc.failure_at),))
    if sc.failure == "two_followers_down":
        return ReplicationScenario(**common, broker_failures=((1, sc.failure_at),
                                                              (2, sc.failure_at)))
    dies = sc.failure_at + sc.freeze_time
    if dies >= sc.duration:  # the leader dies after the last send: the model needs it before
        common["duration"] = dies + 0.01
    return ReplicationScenario(**common, broker_failures=((0, dies),),
                               freeze_time=sc.freeze_time)


def lab_scenarios(seed: int = 2026) -> dict[str, LiveScenario]:
    """The lesson's runs by name: each a few seconds, most at 200 writes/s."""
    fragile: dict[str, Any] = dict(acks=1, retries=0, idempotence=False,
                                   min_insync_replicas=1, delivery_timeout=5.0)
    return {
        "crash_leader": LiveScenario("kill_leader", down_time=4.0, seed=seed),
        "controlled_shutdown": LiveScenario("term_leader", seed=seed),
        "two_down": LiveScenario("two_followers_down", retries=0, idempotence=False,
                                 duration=5.0, seed=seed),
        "acks1_lagging": LiveScenario("stale_followers", **fragile, freeze_time=1.0,
                                      duration=2.5, seed=seed),
        "unclean_on": LiveScenario("stale_followers", **fragile, freeze_time=4.0,
                                   duration=5.5, unclean_leader_election=True, seed=seed),
        "unclean_off": LiveScenario("stale_followers", **fragile, freeze_time=4.0,
                                    duration=5.5, down_time=4.0, seed=seed),
        "elr_acks1": LiveScenario("stale_followers", **{**fragile, "min_insync_replicas": 2},
                                  freeze_time=4.0, duration=5.5, produce_rate=100, seed=seed),
        "two_down_back": LiveScenario("two_followers_down", retries=0, idempotence=False,
                                      duration=3.0, down_time=1.5, request_timeout=1.0,
                                      delivery_timeout=5.0, seed=seed),
        "acks0_killed": LiveScenario("kill_leader", **{**fragile, "acks": 0},
                                     produce_rate=400, duration=5.5, seed=seed),
        "shutdown_under_load": LiveScenario("term_leader", **fragile, produce_rate=1000,
                                            seed=seed),
    }
