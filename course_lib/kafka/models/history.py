"""Read a whole Kafka history, record by record, the way Jepsen's checkers do.

A lab that counts only "acknowledged and missing" sees one anomaly out of five. This checker
takes everything a run recorded — every send attempt and what the producer was told, every
record a consumer read while the run went on, and the partition log read back at the end — and
reports each record that breaks a promise:

* **lost**: the producer was told "acknowledged", and the record is not in the final log;
* **duplicated**: the record is in the final log more than once (a retry of a write that had
  in fact landed: retries without idempotence);
* **out of order**: within one partition the record sits after a record the producer sent later
  (a retried batch overtaking, ``max.in.flight.requests.per.connection`` > 1 without idempotence);
  a second copy of a duplicate is counted as duplicated, not again here;
* **indefinite**: the producer was told "failed" or timed out (or never heard back), yet the record
  is in the log: a rejection does not mean absent, which is why only idempotence or a read-back
  can tell;
* **read uncommitted**: a consumer read the record at an offset where the final log holds
  something else or nothing (it read past a watermark that later moved back: the record was
  truncated away after it had been seen).

Pure: no clients, no processes. The live labs record their histories and call :func:`check`
(``course_lib/kafka/live/failover/result.py``); ``tests/test_history.py`` feeds hand-made
histories, one per anomaly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from course_lib.core.validate import description

__all__ = ["OUTCOMES", "Anomaly", "HistoryReport", "Logged", "Read", "Send", "acknowledged",
           "check", "log_from_values"]

#: What a producer can have been told about one send. ``pending``: nothing, before it closed.
OUTCOMES = ("acknowledged", "rejected", "timed_out", "pending")
KINDS = ("lost", "duplicated", "out_of_order", "indefinite", "read_uncommitted")


def _check_seq(seq: object) -> None:
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise ValueError(f"seq must be an integer >= 0 (got {seq!r})")


@description
@dataclass(frozen=True)
class Send:
    """One send attempt: the record's sequence number and what the producer was told."""

    seq: int
    outcome: str
    offset: int | None = None
    partition: int = 0
    error: str = ""
    at: float | None = None

    def __post_init__(self) -> None:
        _check_seq(self.seq)
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)} "
                             f"(got {self.outcome!r})")


@description
@dataclass(frozen=True)
class Logged:
    """One record of the final log: where it is and which send it carries."""

    partition: int
    offset: int
    seq: int

    def __post_init__(self) -> None:
        _check_seq(self.seq)


@description
@dataclass(frozen=True)
class Read(Logged):
    """One record a consumer read during the run: where it was in the log, which send it
    carries, and when it was read (``at``: seconds from the run's start)."""

    at: float | None = None


@dataclass(frozen=True)
class Anomaly:
    """One record that broke a promise, with the evidence in words."""

    kind: str
    seq: int
    detail: str


@dataclass(frozen=True)
class HistoryReport:
    """Every anomaly found, by kind; ``summary()`` gives the counts a lesson prints."""

    sends: int
    acknowledged: int
    rejected: int
    logged: int
    anomalies: tuple[Anomaly, ...] = field(repr=False)

    def of(self, kind: str) -> tuple[int, ...]:
        """The sequence numbers of one kind of anomaly, in the order found."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
        return tuple(a.seq for a in self.anomalies if a.kind == kind)

    def count(self, kind: str) -> int:
        return len(self.of(kind))

    @property
    def ok(self) -> bool:
        """No anomaly at all (rejections alone are not anomalies: the producer was told)."""
        return not self.anomalies

    def summary(self) -> dict[str, int]:
        return {"acknowledged": self.acknowledged, "rejected": self.rejected,
                **{kind: self.count(kind) for kind in KINDS}}


def acknowledged(offsets: Sequence[int], partitions: Sequence[int] | None = None) -> list[Send]:
    """Sends ``0, 1, 2…``, each acknowledged at its offset (and partition): a lab whose producer
    was told "done" for every record, to check against what it reads back."""
    return [Send(i, "acknowledged", offset=o, partition=0 if partitions is None else partitions[i])
            for i, o in enumerate(offsets)]


def log_from_values(values: Iterable[int], partition: int = 0) -> list[Logged]:
    """A one-partition log from its values in order (offsets as positions: for stored runs
    that kept the values only; enough for every check except ``read_uncommitted``)."""
    return [Logged(partition, offset, seq) for offset, seq in enumerate(values)]


def check(sends: Sequence[Send], log: Sequence[Logged],
          reads: Sequence[Read] = ()) -> HistoryReport:
    """Every anomaly in one history (see the module docstring for each kind)."""
    found: list[Anomaly] = []
    copies = Counter(record.seq for record in log)
    sent = {s.seq for s in sends}
    for s in sends:
        if s.outcome == "acknowledged" and copies[s.seq] == 0:
            where = "" if s.offset is None else f" at offset {s.offset}"
            found.append(Anomaly("lost", s.seq, f"acknowledged{where}, not in the final log"))
    for seq, n in sorted(copies.items()):
        if n > 1 and seq in sent:
            found.append(Anomaly("duplicated", seq, f"{n} copies in the final log"))
    found += _out_of_order(log, sent)
    for s in sends:
        if s.outcome != "acknowledged" and copies[s.seq] > 0:
            told = s.outcome + (f" ({s.error})" if s.error else "")
            found.append(Anomaly("indefinite", s.seq, f"producer was told {told}, "
                                 "yet it is in the final log"))
    at_offset = {(r.partition, r.offset): r.seq for r in log}
    for r in reads:
        final = at_offset.get((r.partition, r.offset))
        if final != r.seq:
            holds = "nothing" if final is None else f"record {final}"
            found.append(Anomaly("read_uncommitted", r.seq,
                                 f"read at partition {r.partition} offset {r.offset}, where the "
                                 f"final log holds {holds}"))
    return HistoryReport(sends=len(sends),
                         acknowledged=sum(s.outcome == "acknowledged" for s in sends),
                         rejected=sum(s.outcome in ("rejected", "timed_out") for s in sends),
                         logged=len(log), anomalies=tuple(found))


def _out_of_order(log: Sequence[Logged], sent: set[int]) -> list[Anomaly]:
    by_partition: dict[int, list[Logged]] = defaultdict(list)
    for record in log:
        by_partition[record.partition].append(record)
    found = []
    for partition, records in sorted(by_partition.items()):
        seen: set[int] = set()
        highest = -1
        for record in sorted(records, key=lambda r: r.offset):
            if record.seq not in sent or record.seq in seen:
                continue  # a copy is a duplicate; a record no send made is not ours to judge
            if record.seq < highest:
                found.append(Anomaly("out_of_order", record.seq,
                                     f"at partition {partition} offset {record.offset}, after "
                                     f"record {highest}"))
            seen.add(record.seq)
            highest = max(highest, record.seq)
    return found
