"""What one live failover run measured (:class:`FailoverRun`), and the counts drawn from it.

Kept apart from the runner (:mod:`course_lib.kafka.live.failover.run`) because stored runs are read
back into this class where no cluster can start.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from course_lib.core.runs import THIS_MACHINE
from course_lib.core.runs import label as run_label
from course_lib.core.tallies import tally_count
from course_lib.kafka.models.failover import LiveScenario
from course_lib.kafka.models.history import HistoryReport, Send, check, log_from_values

__all__ = ["POLL_S", "FailoverRun"]

#: How often the runner's watcher asks for the partition's leader and ISR (seconds).
POLL_S = 0.2


def _anomalies(kind: str, doc: str) -> property:
    """A count of one kind of anomaly in the run's history (:meth:`FailoverRun.history`)."""
    return tally_count(lambda run: run.history().summary(), kind, doc)


@dataclass
class FailoverRun:
    """What one live run measured: every send, what was read back, and the cluster's changes."""

    scenario: LiveScenario
    sends: list[dict] = field(repr=False)
    read_back: list[int] = field(repr=False)
    watch: list[dict] = field(repr=False)
    events: list[dict]
    label: str = run_label(THIS_MACHINE)
    kafka_version: str = ""
    machine: str = ""
    _report: HistoryReport | None = field(default=None, init=False, repr=False, compare=False)

    def history(self) -> HistoryReport:
        """The whole history read record by record (:mod:`course_lib.kafka.models.history`):
        every send and what the producer was told, against the partition read back. Checked
        once per run (a run is complete when made): ``summary()`` and the claims ask often."""
        if self._report is None:
            sends = [Send(s["seq"], s["outcome"], offset=s["offset"], error=s["error"])
                     for s in self.sends]
            self._report = check(sends, log_from_values(self.read_back))
        return self._report

    @property
    def acknowledged(self) -> int:
        return sum(1 for s in self.sends if s["outcome"] == "acknowledged")

    lost = _anomalies("lost", "Acknowledged sends missing from the partition when read back.")
    duplicates = _anomalies("duplicated", "Sends in the partition more than once (counted once).")
    indefinite = _anomalies("indefinite", "Sends told failed (or never answered), yet logged.")
    out_of_order = _anomalies("out_of_order", "Sends logged after a later send of theirs.")

    @property
    def rejected(self) -> int:
        return sum(1 for s in self.sends if s["outcome"] == "rejected")

    def reasons(self) -> dict[str, int]:
        """The producer's errors by name, with counts."""
        return dict(sorted(Counter(s["error"] for s in self.sends
                                   if s["outcome"] == "rejected").items()))

    def event_at(self, kind: str) -> float | None:
        return next((e["at"] for e in self.events if e["kind"] == kind), None)

    def timings(self) -> dict[str, float | None]:
        """Seconds from the failure: a new leader, the first leaderless poll, the time offline."""
        died = self.scenario.leader_dies_at
        new_leader = self.event_at("new_leader")
        offline = [w for w in self.watch if w["leader"] is None]
        first = self.scenario.failure_at
        shrink = self.event_at("isr_shrink")
        rejoin = self.event_at("isr_expand")
        restart = self.event_at("restart")
        return {
            "time_to_new_leader": None if new_leader is None or died is None
            else round(new_leader - died, 3),
            "time_offline": round(len(offline) * POLL_S, 3) if offline else 0.0,
            "isr_shrink_after": None if shrink is None else round(shrink - first, 3),
            "rejoin_after_restart": None if rejoin is None or restart is None or rejoin < restart
            else round(rejoin - restart, 3),
            "run_time": round(self.watch[-1]["at"], 3) if self.watch else None,
        }

    def summary(self) -> dict[str, Any]:
        return {"acknowledged": self.acknowledged, "lost": self.lost,
                "duplicates": self.duplicates, "rejected": self.rejected,
                "read_back": len(self.read_back)}
