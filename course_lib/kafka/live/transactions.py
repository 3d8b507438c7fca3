"""A transactional producer and a ``read_committed`` consumer: aborted records are never seen.

Kafka's exactly-once processing is built from two parts:

* an **idempotent producer** (on by default since Kafka 3.0): the broker drops a retried batch
  it already has, so a retry never duplicates;
* **transactions**: a producer with a ``transactional_id`` calls ``init_transactions()`` once
  (which also fences an older producer with the same id), then ``begin_transaction()``, sends to
  any partitions (and can add the consumer's offsets with ``send_offsets_to_transaction``), and
  ``commit_transaction()`` or ``abort_transaction()``. The records of an aborted transaction stay
  in the log, but the broker writes an *abort marker* after them.

A consumer with ``isolation_level="read_committed"`` only reads up to the *last stable offset*
(before any open transaction) and filters out aborted records; the default
``read_uncommitted`` sees everything. Each marker takes an offset of its own, which is why the
offsets of a transactional topic have gaps.

The embedded fallback broker does not isolate transactions (a ``read_committed`` consumer sees
aborted records), so there :func:`run_transactions` returns a ``Skipped`` that says so.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.core import progress
from course_lib.core.naming import unique_name
from course_lib.core.validate import one_of
from course_lib.kafka.clients.factory import make_producer
from course_lib.kafka.clients.io import Skipped, read_from, skipped_on_embedded
from course_lib.kafka.clients.records import StrSerializer
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.models.history import HistoryReport, Logged, Send, check

#: The lab's three transactions: (values sent, committed?).
TRANSACTIONS = ((("pay-1", "pay-2"), True), (("pay-3", "pay-4"), False), (("pay-5",), True))


@dataclass(frozen=True)
class TransactionsResult:
    """What each isolation level read back, as (offset, value) pairs."""

    topic: str
    aborted: tuple[str, ...]
    read_committed: tuple[tuple[int, str], ...]
    read_uncommitted: tuple[tuple[int, str], ...]
    sent: tuple[str, ...] = ()
    skipped = None

    def history(self, isolation: str = "read_committed") -> HistoryReport:
        """The run as a whole history (:func:`course_lib.kafka.models.history.check`): each
        record sent, acknowledged with its commit or told failed by its abort, against what a
        consumer at ``isolation`` reads. Read uncommitted, the aborted records are *indefinite*:
        the producer was told they failed, yet a reader has them."""
        one_of("isolation", isolation, ("read_committed", "read_uncommitted"))
        seq = {value: i for i, value in enumerate(self.sent)}
        sends = [Send(i, "rejected", error="transaction aborted") if value in self.aborted
                 else Send(i, "acknowledged") for i, value in enumerate(self.sent)]
        read = self.read_committed if isolation == "read_committed" else self.read_uncommitted
        return check(sends, [Logged(0, offset, seq[value]) for offset, value in read
                             if value in seq])

    @property
    def aborted_seen_by_read_committed(self) -> list[str]:
        return [v for _, v in self.read_committed if v in self.aborted]

    def report(self) -> str:
        return (f"aborted: {list(self.aborted)}\n"
                f"read_uncommitted reads {[v for _, v in self.read_uncommitted]}\n"
                f"read_committed   reads {[v for _, v in self.read_committed]}\n"
                f"offsets read_committed sees: {[o for o, _ in self.read_committed]}")


@progress.reported("transactions", "read back")  # seconds of coordinator round trips
def run_transactions(transactions=TRANSACTIONS) -> TransactionsResult | Skipped:
    """Run ``transactions`` in order on a fresh topic; read it back at both isolation levels."""
    skip = skipped_on_embedded("transactions")
    if skip is not None:
        return skip
    topic = create_topic(unique_name("payments-tx"), 1)
    producer = make_producer(transactional_id=unique_name("payments-producer"),
                             key_serializer=StrSerializer(), value_serializer=StrSerializer())
    aborted: list[str] = []
    sent: list[str] = []
    try:
        progress.phase("finding the transaction coordinator")
        producer.init_transactions()
        for values, commit in progress.steps(transactions, lambda t: "transaction"):
            producer.begin_transaction()
            for value in values:
                producer.send(topic, key="account-1", value=value)
                sent.append(value)
            if commit:
                producer.commit_transaction()
            else:
                producer.flush(timeout=10)  # the records are in the log before the abort
                producer.abort_transaction()
                aborted.extend(values)
    finally:
        producer.close(timeout=10)
    progress.phase("reading back at both isolation levels")
    committed = read_from(topic, isolation_level="read_committed")
    everything = read_from(topic, isolation_level="read_uncommitted")
    return TransactionsResult(topic, tuple(aborted),
                              tuple((r.offset, r.value) for r in committed),
                              tuple((r.offset, r.value) for r in everything), tuple(sent))
