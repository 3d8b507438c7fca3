"""Failover scenarios nobody chose: drawn at random, for the live-versus-model sweep.

Lesson 05b's six runs were picked to show six lessons, and the replication model was tuned
until it agreed on them. A model is only trusted where nobody chose: Jepsen's Kafka workload
draws its operations and faults at random and reads the whole history. :func:`generate` does
the drawing here: every knob a :class:`~course_lib.kafka.models.failover.LiveScenario` has,
over ranges where each value changes something (``acks`` in all its spellings, retries and
idempotence, ``min.insync.replicas``, unclean election, the four failures at a random moment,
short and long freezes, a restart or none, the load, the producer's timeouts). The same seed
always gives the same scenarios, so a disagreement found in a sweep or in CI can be replayed.

What it cannot draw yet, because the live lab and the model do not have the knob: a topic of
replication factor 2, a producer's in-flight limit, and a failure plan of two different kinds.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

import random
from typing import Any

from course_lib.core.validate import integer
from course_lib.kafka.models.failover import FAILURES, RETRY_FOREVER, LiveScenario

__all__ = ["ACKS_SPELLINGS", "generate", "generated", "scenario"]

#: Every way a producer's ``acks`` is written (``-1`` and ``"all"`` are the same setting).
ACKS_SPELLINGS: tuple[str | int, ...] = (0, 1, -1, "0", "1", "all", "-1")
RATES = (100.0, 200.0, 400.0, 800.0)
REQUEST_TIMEOUTS = (1.0, 2.0, 3.0, 5.0)


def _tenths(rng: random.Random, low: float, high: float) -> float:
    """A uniform draw rounded to 0.1 s (a table reads better, and the lab cannot do finer)."""
    return round(rng.uniform(low, high), 1)


def _producer(rng: random.Random) -> dict[str, Any]:
    acks = rng.choice(ACKS_SPELLINGS)
    idempotence = str(acks) in ("all", "-1") and rng.random() < 0.5
    retries = rng.choice((5, RETRY_FOREVER) if idempotence else (0, 3, RETRY_FOREVER))
    request_timeout = rng.choice(REQUEST_TIMEOUTS)
    delivery_timeout = round(request_timeout + rng.choice((1.0, 5.0, 20.0)), 1)
    return {"acks": acks, "idempotence": idempotence, "retries": retries,
            "request_timeout": request_timeout, "delivery_timeout": delivery_timeout}


def scenario(seed: int) -> LiveScenario:
    """One scenario drawn from ``seed`` alone (its own ``seed`` field is the same number)."""
    integer("seed", seed)
    rng = random.Random(f"generated-failover-{seed}")
    failure = rng.choice(FAILURES)
    failure_at = _tenths(rng, 0.5, 1.5)
    freeze_time = _tenths(rng, 0.5, 5.0) if failure == "stale_followers" else 1.0
    leader_dies = failure_at + (freeze_time if failure == "stale_followers" else 0.0)
    down_time = rng.choice((None, _tenths(rng, 1.0, 4.0)))
    duration = min(10.0, round(leader_dies + _tenths(rng, 1.5, 3.0), 1))
    return LiveScenario(
        failure=failure, min_insync_replicas=rng.randint(1, 3),
        unclean_leader_election=rng.random() < 0.5, failure_at=failure_at,
        freeze_time=freeze_time, down_time=down_time, produce_rate=rng.choice(RATES),
        duration=duration, seed=seed, **_producer(rng))


def generate(seed: int, count: int) -> list[LiveScenario]:
    """``count`` scenarios, the ``i``-th drawn from seed ``seed + i`` (each replays alone)."""
    integer("seed", seed)
    integer("count", count, ge=1, le=1000)
    return [scenario(seed + i) for i in range(count)]


def generated(seed: int, count: int) -> dict[str, LiveScenario]:
    """:func:`generate` keyed by a short name per scenario (``g<seed>``), for run tables."""
    return {f"g{sc.seed}": sc for sc in generate(seed, count)}
