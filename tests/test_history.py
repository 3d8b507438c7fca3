"""The history checker on hand-made histories: each anomaly it claims to catch, caught, and
nothing reported where nothing went wrong."""

from __future__ import annotations

import random

import pytest

from course_lib.kafka.models.history import Logged, Read, Send, check, log_from_values


def _acked(*seqs: int) -> list[Send]:
    return [Send(seq, "acknowledged", offset=i) for i, seq in enumerate(seqs)]


def test_a_clean_history_has_no_anomaly_and_a_rejection_alone_is_not_one():
    sends = [*_acked(0, 1, 2), Send(3, "rejected", error="NotEnoughReplicasError")]
    report = check(sends, log_from_values([0, 1, 2]), [Read(0, 1, 1)])
    assert report.ok and report.anomalies == ()
    assert report.summary() == {"acknowledged": 3, "rejected": 1, "lost": 0, "duplicated": 0,
                                "out_of_order": 0, "indefinite": 0, "read_uncommitted": 0}


def test_an_acknowledged_record_missing_from_the_log_is_lost():
    report = check(_acked(0, 1, 2), log_from_values([0, 2]))
    assert report.of("lost") == (1,)
    assert report.anomalies[0].detail == "acknowledged at offset 1, not in the final log"
    assert report.count("indefinite") == report.count("duplicated") == 0


def test_a_record_written_twice_is_duplicated_once_and_not_also_out_of_order():
    report = check(_acked(0, 1, 2), log_from_values([0, 1, 1, 2]))
    assert report.of("duplicated") == (1,) and report.of("out_of_order") == ()
    assert "2 copies" in report.anomalies[0].detail


def test_a_retried_batch_that_overtook_a_later_one_is_out_of_order():
    report = check(_acked(0, 1, 2, 3), log_from_values([0, 2, 3, 1]))
    assert report.of("out_of_order") == (1,)
    assert report.anomalies[0].detail == "at partition 0 offset 3, after record 3"


def test_order_is_judged_within_a_partition_only():
    log = [Logged(0, 0, 2), Logged(1, 0, 1), Logged(0, 1, 3), Logged(1, 1, 4)]
    assert check(_acked(1, 2, 3, 4), log).ok


def test_a_rejected_or_timed_out_write_that_landed_anyway_is_indefinite():
    sends = [Send(0, "acknowledged"), Send(1, "timed_out", error="KafkaTimeoutError"),
             Send(2, "rejected", error="NotLeaderForPartitionError"), Send(3, "pending"),
             Send(4, "rejected")]
    report = check(sends, log_from_values([0, 1, 2, 3]))
    assert report.of("indefinite") == (1, 2, 3)    # 4 was rejected and is absent: as told
    assert report.anomalies[0].detail == ("producer was told timed_out (KafkaTimeoutError), "
                                          "yet it is in the final log")
    assert report.rejected == 3 and report.acknowledged == 1


def test_a_read_the_final_log_does_not_hold_is_read_uncommitted():
    log = log_from_values([0, 1, 5])               # offset 2 was rewritten by a new leader
    reads = [Read(0, 0, 0), Read(0, 2, 2), Read(0, 3, 3)]
    report = check(_acked(0, 1), log, reads)
    assert report.of("read_uncommitted") == (2, 3)
    details = [a.detail for a in report.anomalies]
    assert "offset 2, where the final log holds record 5" in details[0]
    assert details[1].endswith("offset 3, where the final log holds nothing")


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="outcome must be one of acknowledged, rejected"):
        Send(0, "ok")
    with pytest.raises(ValueError, match=r"seq must be an integer >= 0 \(got -1\)"):
        Logged(0, 0, -1)
    with pytest.raises(ValueError, match="kind must be one of lost"):
        check([], []).of("torn")


@pytest.mark.parametrize("seed", range(20))
def test_one_planted_anomaly_in_a_generated_history_is_the_only_one_found(seed):
    """A random consistent history (several partitions, some rejections) is clean; then one
    anomaly of a random kind is planted and exactly that record is reported, as that kind."""
    rng = random.Random(seed)
    sends, log = [], []
    next_offset = [0, 0, 0]
    for seq in range(rng.randint(20, 60)):
        partition = rng.randrange(3)
        if rng.random() < 0.2:
            sends.append(Send(seq, rng.choice(["rejected", "timed_out"]), partition=partition))
            continue
        offset = next_offset[partition]
        next_offset[partition] += 1
        sends.append(Send(seq, "acknowledged", offset=offset, partition=partition))
        log.append(Logged(partition, offset, seq))
    assert check(sends, log).ok
    acked = [s for s in sends if s.outcome == "acknowledged"]
    target = rng.choice(acked[1:])
    kind = rng.choice(["lost", "duplicated", "out_of_order", "indefinite", "read_uncommitted"])
    reads: list[Read] = []
    if kind == "lost":
        log = [r for r in log if r.seq != target.seq]
    elif kind == "duplicated":
        log.append(Logged(target.partition, 10_000, target.seq))
    elif kind == "out_of_order":   # move the target after everything in its partition
        log = [r for r in log if r.seq != target.seq]
        log.append(Logged(target.partition, 10_000, target.seq))
        later = [r for r in log if r.partition == target.partition and r.seq > target.seq]
        if not later:              # nothing sent later there: plant a later record first
            log.insert(0, Logged(target.partition, 9_999, 10_000))
            sends.append(Send(10_000, "acknowledged", partition=target.partition))
    elif kind == "indefinite":
        sends = [Send(s.seq, "timed_out") if s is target else s for s in sends]
    else:
        reads = [Read(target.partition, 20_000, target.seq)]
    report = check(sends, log, reads)
    assert [(a.kind, a.seq) for a in report.anomalies] == [(kind, target.seq)]


def test_acknowledged_numbers_the_sends_and_keeps_their_offsets_and_partitions():
    from course_lib.kafka.models.history import acknowledged

    sends = acknowledged([4, 0, 5], [1, 0, 1])
    assert [(s.seq, s.outcome, s.offset, s.partition) for s in sends] == [
        (0, "acknowledged", 4, 1), (1, "acknowledged", 0, 0), (2, "acknowledged", 5, 1)]
    assert {s.partition for s in acknowledged([0, 1])} == {0}
