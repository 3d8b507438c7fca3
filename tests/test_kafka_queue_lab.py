"""Use case 3: the consumer-crash lab loses nothing (at-least-once) or skips (at-most-once).

Counts are exact, not statistical: a crash happens after exactly ``crash_after`` processed
messages, and commits happen on batch boundaries, so committed offsets follow from arithmetic.
"""

from __future__ import annotations

import pytest

from course_lib.kafka.queue_lab import QueueLab, deliveries_figure, run_queue_lab


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"messages": 0}, r"messages must be >= 1 \(got 0\)"),
    ({"batch_size": 0}, r"batch_size must be >= 1 \(got 0\)"),
    ({"crash_after": 300}, r"crash_after must be in \[0, messages=300\) \(got 300\)"),
    ({"mode": "exactly-once"}, r"mode must be one of .* \(got 'exactly-once'\)"),
])
def test_validation_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        QueueLab(**kwargs)


@pytest.mark.kafka
def test_at_least_once_loses_nothing_and_counts_duplicates(tmp_path):
    lab = QueueLab(messages=120, batch_size=25, crash_after=60, processing_time=0)
    r = run_queue_lab(lab, tmp_path / "sink.db")
    assert r.committed_at_crash == 50 and r.lag_at_crash == 70
    assert r.resumed_at == 50
    assert r.skipped == 0 and r.stored_rows == 120  # nothing lost
    assert r.duplicates == 10 and sum(r.deliveries) == 130  # 50..59 processed twice
    assert r.deliveries[50:60] == [2] * 10
    assert r.summary()["final_lag"] == 0
    assert len(deliveries_figure(r).data[0].y) == 120


@pytest.mark.kafka
def test_at_most_once_reports_the_skipped_messages(tmp_path):
    lab = QueueLab(messages=120, batch_size=25, crash_after=60, mode="at-most-once",
                   processing_time=0)
    r = run_queue_lab(lab, tmp_path / "sink.db")
    assert r.committed_at_crash == 75 and r.resumed_at == 75
    assert r.duplicates == 0 and r.skipped == 15  # 60..74 were committed, never processed
    assert r.deliveries[60:75] == [0] * 15 and r.stored_rows == 105
    assert r.summary()["final_lag"] == 0
