"""Head-of-line blocking: a slow record delays the records behind it in its partition only.

The model is deterministic, so the assertions are exact: comparing a run with the slow record to
the same run without it leaves only the slow record's effect.
"""

from __future__ import annotations

import pytest

from course_lib.kafka.models.hol import HolScenario, extra_delays, simulate_hol
from course_lib.kafka.views.hol import hol_table


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"style": "rabbit"}, r"style must be 'kafka' or 'message_broker' \(got 'rabbit'\)"),
    ({"partitions": 0}, r"partitions must be an integer >= 1 \(got 0\)"),
    ({"consumers": 1.5}, r"consumers must be an integer >= 1 \(got 1.5\)"),
    ({"slow_index": 300}, r"slow_index must be an integer in \[0, records - 1\] \(got 300\)"),
    ({"produce_rate": 0}, r"produce_rate must be a finite number > 0 \(got 0\)"),
])
def test_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        HolScenario(**kwargs)


def test_a_slow_record_blocks_its_partition_and_no_other():
    s = HolScenario(style="kafka", partitions=3, consumers=3, slow_index=30, slow_time=0.5)
    slow, base = simulate_hol(s), simulate_hol(HolScenario(slow_index=None))
    p = s.partition_of(30)
    behind = [i for i in range(31, s.records) if s.partition_of(i) == p]
    before = [i for i in range(30) if s.partition_of(i) == p]
    others = [i for i in range(s.records) if s.partition_of(i) != p]
    delay = [slow.records[i][2] - base.records[i][2] for i in range(s.records)]
    assert all(delay[i] == 0 for i in before + others)  # exactly unaffected
    # the next record in the partition arrived 3 records (10 ms) later and waits out the rest
    assert delay[behind[0]] == pytest.approx(0.5 - 3 / 300)
    assert sum(1 for i in behind if delay[i] > 0) == extra_delays(s)["delayed_same_partition"]
    assert extra_delays(s)["delayed_same_partition"] > 0.5 * 100  # ~0.5 s of its arrivals


def test_kafka_keeps_offset_order_within_each_partition():
    r = simulate_hol(HolScenario(partitions=3, consumers=2))
    for p in range(3):
        done = [d for q, _, d in r.records if q == p]
        assert done == sorted(done) and len(done) == 100


def test_a_broker_hands_the_messages_behind_to_other_consumers():
    row = extra_delays(HolScenario(style="message_broker"))
    assert row["delayed_same_partition"] == row["delayed_other_partitions"] == 0


def test_partitions_cap_the_consumers_kafka_can_use():
    assert extra_delays(HolScenario(partitions=2, consumers=4))["consumers_used"] == 2
    assert extra_delays(HolScenario(style="message_broker", partitions=2,
                                    consumers=4))["consumers_used"] == 4


def test_one_consumer_owning_two_partitions_stalls_both():
    """Honest nuance: 'not other partitions' holds for partitions owned by other consumers."""
    row = extra_delays(HolScenario(partitions=2, consumers=1))
    assert row["delayed_same_partition"] > 0 and row["delayed_other_partitions"] > 0


def test_table_has_one_row_per_style():
    lines = hol_table(HolScenario()).splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["Kafka", "message"]
