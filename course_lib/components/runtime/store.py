"""Where the data lives: a SQLite file (it survives a restart) or a Python dict (it does not).

Both stores offer the same three operations on a *resource* (``notes``, ``orders``): ``create``,
``get`` and ``list``. The server does not care which one it was given; that is exactly the point
of lesson 01's persistence demo: stop the server, start it again, and only the SQLite store still
has the rows. Every operation also reports how long it spent in the store, which the server passes
back to the client (the ``Server-Timing`` header) so a learner can split a request's latency into
network, server and database time.

SQLite is opened in WAL mode with ``synchronous=NORMAL``: a committed row survives the process
being stopped or killed (not a power cut), and several server processes may share one file.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from course_lib.core.naming import unique_name

__all__ = ["RESOURCES", "MemoryStore", "SqliteStore", "new_work_folder", "validate_item"]

#: The resources the API serves and the fields each item needs (name → type).
RESOURCES: dict[str, dict[str, type]] = {
    "notes": {"text": str},
    "orders": {"item": str, "quantity": int},
}


def new_work_folder(prefix: str, root: str | Path = "work") -> Path:
    """A fresh folder ``root/prefix-run-…-N`` for a lesson's files (``notebooks/work`` is
    git-ignored). A new one per run, so a re-run never reads a previous run's rows."""
    folder = Path(root) / unique_name(prefix)
    folder.mkdir(parents=True)
    return folder


def validate_item(resource: str, fields: Any) -> dict[str, Any]:
    """Check a new item's fields; raise ``ValueError`` naming the field, the rule and the value."""
    if resource not in RESOURCES:
        raise ValueError(f"resource must be one of {sorted(RESOURCES)} (got {resource!r})")
    if not isinstance(fields, dict):
        raise ValueError(f"body must be a JSON object (got {type(fields).__name__})")
    item = {}
    for name, kind in RESOURCES[resource].items():
        value = fields.get(name)
        if kind is str and not (isinstance(value, str) and value.strip()):
            raise ValueError(f"{name} must be a non-empty string (got {value!r})")
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be an integer >= 1 (got {value!r})")
        item[name] = value
    extra = sorted(set(fields) - set(RESOURCES[resource]))
    if extra:
        raise ValueError(f"unknown field(s) for {resource}: {', '.join(extra)}")
    return item


class MemoryStore:
    """Items in a dict: fast, and gone the moment the process stops."""

    kind = "memory"

    def __init__(self) -> None:
        self._items: dict[str, dict[int, dict[str, Any]]] = {r: {} for r in RESOURCES}
        self._lock = threading.Lock()

    def create(self, resource: str, fields: dict[str, Any]) -> tuple[dict[str, Any], float]:
        item = validate_item(resource, fields)
        started = time.perf_counter()
        with self._lock:
            table = self._items[resource]
            item_id = len(table) + 1
            table[item_id] = item
        return {"id": item_id, **item}, time.perf_counter() - started

    def get(self, resource: str, item_id: int) -> tuple[dict[str, Any] | None, float]:
        started = time.perf_counter()
        with self._lock:
            item = self._items[resource].get(item_id)
        found = None if item is None else {"id": item_id, **item}
        return found, time.perf_counter() - started

    def list(self, resource: str) -> tuple[list[dict[str, Any]], float]:
        started = time.perf_counter()
        with self._lock:
            items = [{"id": i, **v} for i, v in sorted(self._items[resource].items())]
        return items, time.perf_counter() - started

    def close(self) -> None:
        """Nothing to close; the data simply disappears with the object."""


class SqliteStore:
    """Items in a SQLite file: one table per resource, rows kept across restarts."""

    kind = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the server's threads, guarded by a lock: SQLite serialises
        # writers anyway, and this keeps the lesson's code free of connection bookkeeping.
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0,
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        for resource in RESOURCES:
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {resource} "
                "(id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)"
            )
        self._lock = threading.Lock()

    def create(self, resource: str, fields: dict[str, Any]) -> tuple[dict[str, Any], float]:
        item = validate_item(resource, fields)
        started = time.perf_counter()
        with self._lock:
            cur = self._db.execute(f"INSERT INTO {resource} (body) VALUES (?)",
                                   (json.dumps(item),))
            item_id = cur.lastrowid
        return {"id": item_id, **item}, time.perf_counter() - started

    def get(self, resource: str, item_id: int) -> tuple[dict[str, Any] | None, float]:
        started = time.perf_counter()
        with self._lock:
            row = self._db.execute(f"SELECT id, body FROM {resource} WHERE id = ?",
                                   (item_id,)).fetchone()
        found = None if row is None else {"id": row[0], **json.loads(row[1])}
        return found, time.perf_counter() - started

    def list(self, resource: str) -> tuple[list[dict[str, Any]], float]:
        started = time.perf_counter()
        with self._lock:
            rows = self._db.execute(f"SELECT id, body FROM {resource} ORDER BY id").fetchall()
        return [{"id": i, **json.loads(b)} for i, b in rows], time.perf_counter() - started

    def close(self) -> None:
        with self._lock:
            self._db.close()
