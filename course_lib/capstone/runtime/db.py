"""The live run's database: one SQLite file shared by the checkout servers and the consumers.

Four tables, all written with ``INSERT OR IGNORE`` so that a replay is harmless where the
design says it should be:

* ``checkouts``: one row per checkout a server stored (``key`` is the idempotency key, unique,
  or NULL when the design sends none, so a retried checkout is stored, and produced, again);
* ``fulfilled``: the *idempotent sink*, one row per order id, whoever processed it first;
* ``deliveries``: one row per distinct Kafka record processed, keyed by (partition, offset),
  so a record read twice after a rebalance counts once, while an order written twice to the log
  (a producer retry without idempotence, a checkout retried without a key) counts twice: the
  scorer's *copies*;
* ``assignments``: each consumer's partitions, so the run starts the load only once the group
  owns every partition.

**The slow database is injected, not physical**: while the run's ``db_slow`` file holds a
factor, every database call of a checkout sleeps ``db_time × factor`` (and a consumer a third of
its per-order work, as the simulation assumes) before it writes. SQLite itself is not slowed.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["SCHEMA", "connect", "deliveries", "owned_partitions", "slow_factor",
           "write_slow_factor"]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS checkouts (row INTEGER PRIMARY KEY AUTOINCREMENT, "
    "order_id INTEGER NOT NULL, key TEXT UNIQUE, server TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fulfilled (order_id INTEGER PRIMARY KEY, consumer TEXT NOT NULL, "
    "at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS deliveries (partition INTEGER NOT NULL, offset INTEGER NOT NULL, "
    "order_id INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (partition, offset))",
    "CREATE TABLE IF NOT EXISTS assignments (consumer TEXT PRIMARY KEY, partitions TEXT NOT NULL)",
)
SLOW_FILE = "db_slow"


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection in autocommit, WAL mode, waiting up to 5 s for a writer (several processes
    share the file)."""
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in SCHEMA:
        db.execute(statement)
    return db


def slow_factor(folder: str | Path) -> float:
    """The database's slow-down factor now (1.0 unless the failure script has set one)."""
    try:
        return max(1.0, float(Path(folder, SLOW_FILE).read_text() or 1.0))
    except (FileNotFoundError, ValueError):
        return 1.0


def write_slow_factor(folder: str | Path, factor: float) -> None:
    """Set (factor > 1) or clear (1.0) the slow database; atomic, so a reader never sees half."""
    target = Path(folder, SLOW_FILE)
    scratch = target.with_suffix(".tmp")
    scratch.write_text(f"{factor:g}")
    scratch.replace(target)


def deliveries(path: str | Path) -> list[tuple[int, int, int, float]]:
    """Every processed record as ``(order_id, partition, offset, processed_at)`` (wall clock)."""
    db = connect(path)
    try:
        return [tuple(row) for row in db.execute(
            "SELECT order_id, partition, offset, at FROM deliveries ORDER BY at")]
    finally:
        db.close()


def owned_partitions(path: str | Path) -> set[int]:
    """The partitions the consumer group currently owns, as the consumers last reported."""
    db = connect(path)
    try:
        owned: set[int] = set()
        for (text,) in db.execute("SELECT partitions FROM assignments"):
            owned |= {int(p) for p in text.split(",") if p}
        return owned
    finally:
        db.close()
