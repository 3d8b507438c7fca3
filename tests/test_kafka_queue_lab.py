"""Use case 3: the consumer-crash lab loses nothing (at-least-once) or skips (at-most-once).

Counts are exact, not statistical: a crash happens after exactly ``crash_after`` processed
messages, and commits happen on batch boundaries, so committed offsets follow from arithmetic.
"""

from __future__ import annotations

import pytest

from course_lib.kafka.live.queue_lab import QueueLabResult, run_queue_lab
from course_lib.kafka.models.queue import QueueLab
from course_lib.kafka.views.queue import deliveries_figure
from course_lib.ui.viz import FAIL_COLOUR, PALETTE


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"messages": 0}, r"messages must be an integer >= 1 \(got 0\)"),
    ({"batch_size": 0}, r"batch_size must be an integer >= 1 \(got 0\)"),
    ({"crash_after": 300}, r"crash_after must be in \[0, messages=300\) \(got 300\)"),
    ({"mode": "exactly-once"},
     r"mode must be 'at-least-once' or 'at-most-once' \(got 'exactly-once'\)"),
])
def test_validation_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        QueueLab(**kwargs)


@pytest.mark.kafka
def test_at_least_once_loses_nothing_and_counts_duplicates(tmp_path):
    lab = QueueLab(messages=120, batch_size=25, crash_after=60, processing_time=0)
    r = run_queue_lab(lab, tmp_path / "sink.db")
    assert r.committed_at_crash == 50 and r.lag_at_crash == 70
    assert r.resumed_offset == 50
    assert r.skipped == 0 and r.stored_rows == 120  # nothing lost
    assert r.duplicates == 10 and sum(r.deliveries) == 130  # 50..59 processed twice
    assert r.deliveries[50:60] == [2] * 10
    assert r.summary()["final_lag"] == 0
    # the duplicates are deliveries: the log read back holds each order once
    assert r.history is not None and r.history.ok and r.history.acknowledged == 120
    assert len(deliveries_figure(r).data[0].y) == 120


@pytest.mark.kafka
def test_at_most_once_reports_the_skipped_messages(tmp_path):
    lab = QueueLab(messages=120, batch_size=25, crash_after=60, mode="at-most-once",
                   processing_time=0)
    r = run_queue_lab(lab, tmp_path / "sink.db")
    assert r.committed_at_crash == 75 and r.resumed_offset == 75
    assert r.duplicates == 0 and r.skipped == 15  # 60..74 were committed, never processed
    assert r.deliveries[60:75] == [0] * 15 and r.stored_rows == 105
    assert list(deliveries_figure(r).data[1].x) == list(range(60, 75))  # visible, not 0-height
    assert r.summary()["final_lag"] == 0


def _result(mode: str, deliveries: list[int], committed_at_crash: int) -> QueueLabResult:
    lab = QueueLab(messages=len(deliveries), batch_size=4, crash_after=6, mode=mode,
                   processing_time=0)
    return QueueLabResult(lab, "t", "g", len(deliveries), committed_at_crash, committed_at_crash,
                          6, len(deliveries) - committed_at_crash, deliveries)


def test_deliveries_figure_marks_the_skipped_messages_visibly():
    """A 0-delivery bar has no height: each skipped offset gets a vermillion marker at y = 0."""
    at_most_once = _result("at-most-once", [1] * 6 + [0, 0] + [1] * 4, committed_at_crash=8)
    fig = deliveries_figure(at_most_once)
    bars, marks = fig.data
    assert list(bars.y) == at_most_once.deliveries
    assert marks.name == "skipped (0 deliveries)" and marks.mode == "markers"
    assert list(marks.x) == [6, 7] and list(marks.y) == [0, 0]
    assert marks.marker.color == FAIL_COLOUR and FAIL_COLOUR in PALETTE
    assert set(bars.marker.color) <= set(PALETTE)
    at_least_once = _result("at-least-once", [1] * 4 + [2, 2] + [1] * 6, committed_at_crash=4)
    assert [t.name for t in deliveries_figure(at_least_once).data] == ["deliveries"]


@pytest.mark.kafka
@pytest.mark.apache_kafka
def test_the_restart_after_a_real_crash_waits_about_the_session_timeout(tmp_path):
    """SIGKILL sends no LeaveGroup: the partition is handed over only when the session expires."""
    lab = QueueLab(messages=60, batch_size=20, crash_after=30, processing_time=0,
                   session_timeout_ms=3000)
    r = run_queue_lab(lab, tmp_path / "sink.db")
    assert r.duplicates == 10 and r.stored_rows == 60
    assert 3.0 - 1.0 - 0.1 <= r.restart_wait_s <= 3.0 + 1.0 + 1.5  # session ± heartbeat (+ slack)
