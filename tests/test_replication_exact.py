"""The replication engine's results, pinned: every write, event and sample of many runs.

Why: the engine is tuned for the dashboards of lessons 05/05b (a slider move redraws a full
60-second run of ~6,000 writes within the 100 ms goal), and a tuning must not move a single
number: the lessons' stored outputs and the capstone's scores are made of them. Each run below
is reduced to a digest (SHA-256 of the ``repr`` of its writes, events, timeline and read
counts; ``repr`` writes floats exactly) and compared with the digest the engine gave before
the tuning (``tests/replication_exact.json``).

The scenarios are drawn at random over every knob the model has (failures by count and by
list, crashes and controlled shutdowns, restarts, freezes, unclean elections, retries,
idempotence, lost acknowledgements), plus the dashboards' own settings at full length.

A change that is *meant* to move the model's results (a new rule, a new stream) re-stores the
digests after its own review: ``python tests/test_replication_exact.py --store``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

import pytest

from course_lib.kafka.models.replication import ReplicationScenario
from course_lib.kafka.models.replication_engine import simulate

STORED = Path(__file__).with_name("replication_exact.json")


def _drawn(count: int, seed: int) -> list[dict]:
    """Short runs (20 s at 150 writes/s) with every knob drawn."""
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        acks, retries = rng.choice(("0", "1", "all")), rng.choice((0, 0, 3))
        failures: object = rng.choice((0, 1, 1, 2, 3))
        if rng.random() < 0.2:
            failures = tuple(sorted(((rng.randrange(3), round(rng.uniform(1.0, 19.0), 3))
                                     for _ in range(rng.randrange(1, 4))), key=lambda f: f[1]))
        first = min(f[1] for f in failures) if isinstance(failures, tuple) else 4.0
        drawn.append({
            "acks": acks, "replication_factor": rng.choice((1, 2, 3, 3, 3)),
            "broker_failures": failures, "retries": retries,
            "idempotence": acks == "all" and retries > 0 and rng.random() < 0.5,
            "fetch_interval": rng.choice((0.05, 0.2, 0.3, 1.5)),
            "failure_kind": rng.choice(("crash", "controlled")),
            "unclean_leader_election": rng.random() < 0.5,
            "down_time": rng.choice((None, None, 4.0)),
            "lost_ack_rate": rng.choice((0.0, 0.0, 0.05)),
            "request_timeout": rng.choice((30.0, 2.0)),
            "replica_lag_time_max": rng.choice((30.0, 1.0)),
            "freeze_time": rng.choice((0.0, 0.0, min(first, 2.0), min(first, 3.9))),
            "session_timeout": rng.choice((9.0, 1.5)),
            "seed": rng.randrange(10_000), "duration": 20.0, "first_failure_at": 4.0,
            "failure_gap_time": 5.0, "produce_rate": 150.0})
        drawn[-1]["min_insync_replicas"] = rng.randint(1, drawn[-1]["replication_factor"])
    return drawn


def _dashboards() -> list[dict]:
    """Lesson 05's and 05b's dashboard settings at full length (seed 2026 and 0)."""
    settings = []
    for acks in ("0", "1", "all"):
        for failures in (0, 1, 2, 3):
            settings.append({"acks": acks, "min_insync_replicas": 1 + failures % 3,
                             "broker_failures": failures, "fetch_interval": 0.05 + 0.65 *
                             failures, "seed": 2026})
            settings.append({"acks": acks, "min_insync_replicas": 1 + (failures + 1) % 3,
                             "broker_failures": failures,
                             "failure_kind": ("crash", "controlled")[failures % 2],
                             "freeze_time": float(5 * failures),
                             "unclean_leader_election": failures % 2 == 0, "seed": 0})
    return settings


SCENARIOS = _drawn(160, 1) + _dashboards()


def digest(options: dict) -> str:
    r = simulate(ReplicationScenario(**options))
    text = repr((r.writes, r.events, r.timeline, r.reads_served, r.reads_failed,
                 r.reads_served_after_last_failure))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def test_the_scenarios_reach_every_branch():
    """The drawn runs include the rare paths, so the digests pin them too."""
    kinds, reasons = set(), set()
    for options in SCENARIOS[::3]:
        r = simulate(ReplicationScenario(**options))
        kinds |= {e["kind"] for e in r.events}
        reasons |= set(r.reasons())
    assert {"crash", "controlled_shutdown", "leader_elected", "unclean_leader_elected",
            "offline", "restart", "freeze", "thaw", "isr_shrink", "isr_expand"} <= kinds
    assert len(reasons) >= 5, reasons


@pytest.mark.parametrize("part", range(4))
def test_every_run_is_the_one_stored(part):
    stored = json.loads(STORED.read_text())
    assert len(stored) == len(SCENARIOS)
    for i in range(part, len(SCENARIOS), 4):
        assert digest(SCENARIOS[i]) == stored[i], SCENARIOS[i]


if __name__ == "__main__" and sys.argv[1:] == ["--store"]:
    STORED.write_text(json.dumps([digest(o) for o in SCENARIOS], indent=0) + "\n")
    print(f"stored {len(SCENARIOS)} digests in {STORED}")
