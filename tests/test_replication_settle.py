"""The replication engine's settle stops at the first write that nothing can answer yet.

That shortcut is exact only if it answers the same writes, in the same order, as visiting
every pending write. A reference settle that visits them all (the engine's old code) is run on
randomly drawn scenarios, failures included, and every write, event and sample must agree.
"""

from __future__ import annotations

import random

import pytest

from course_lib.kafka.models import replication_engine
from course_lib.kafka.models.replication_engine import simulate_replication


def _settle_visiting_every_write(self) -> None:
    if self.leader is None or not self.alive[self.leader]:
        return
    hw = self.high_watermark()
    for wid, (offset, epoch) in list(self.pending.items()):
        if epoch != self.epoch:
            self.fail(wid, "NOT_LEADER (leader changed before ack)")
        elif offset < hw and len(self.isr) < self.s.min_insync_replicas:
            self.fail(wid, "NOT_ENOUGH_REPLICAS_AFTER_APPEND")
        elif offset < hw:
            self.acknowledge(wid)
        elif self.env.now - self.attempt_at[wid] >= self.s.request_timeout:
            self.fail(wid, "REQUEST_TIMED_OUT")


def _scenarios(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        acks, retries = rng.choice(("0", "1", "all")), rng.choice((0, 3))
        drawn.append({
            "acks": acks, "replication_factor": 3, "min_insync_replicas": rng.choice((1, 2, 3)),
            "broker_failures": rng.choice((0, 1, 2, 3)), "retries": retries,
            "idempotence": acks == "all" and retries > 0 and rng.random() < 0.5,
            "fetch_interval": rng.choice((0.05, 0.3, 1.5)),
            "failure_kind": rng.choice(("crash", "controlled")),
            "unclean_leader_election": rng.random() < 0.5,
            "down_time": rng.choice((None, 4.0)), "lost_ack_rate": rng.choice((0.0, 0.05)),
            "request_timeout": rng.choice((30.0, 2.0)),
            "replica_lag_time_max": rng.choice((30.0, 1.0)), "seed": rng.randrange(100),
            "duration": 20.0, "first_failure_at": 4.0, "failure_gap_time": 5.0,
            "produce_rate": 150.0})
    return drawn


def _run(options: dict) -> tuple:
    options = dict(options)
    r = simulate_replication(options.pop("acks"), options.pop("replication_factor"),
                             options.pop("min_insync_replicas"), options.pop("broker_failures"),
                             **options)
    return r.writes, r.events, r.timeline, r.reads_served, r.reads_failed


@pytest.mark.parametrize("seed", range(2))
def test_the_early_stop_answers_exactly_what_a_full_scan_answers(seed, monkeypatch):
    scenarios = _scenarios(40, seed)
    fast = [_run(o) for o in scenarios]
    monkeypatch.setattr(replication_engine._Cluster, "settle", _settle_visiting_every_write)
    slow = [_run(o) for o in scenarios]
    assert sum(len(events) for _, events, *_ in slow) > 100  # failures did happen
    for options, a, b in zip(scenarios, fast, slow, strict=True):
        assert a == b, options
