"""The course's small datasets (``data/``): one loader each, numbers as ints.

``data/orders.csv`` is one hour of a coffee shop's online orders in arrival order, and
``data/customers.csv`` its customers; ``data/README.md`` says how ``data/make_datasets.py``
made them (seeded) and what every column means. Lessons 05–07 read them through these loaders,
so that every lesson and test sees the same types.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ORDER_INT_FIELDS = ("order_id", "event_time_ms", "arrival_time_ms", "customer_id", "quantity",
                    "unit_price_cents")


def load_orders(path: Path | str | None = None, limit: int | None = None) -> list[dict]:
    """The orders of ``data/orders.csv`` in arrival order, numbers as ints (see data/README.md)."""
    with Path(path or DATA_DIR / "orders.csv").open(encoding="utf-8") as f:
        rows = []
        for row in csv.DictReader(f):
            for name in ORDER_INT_FIELDS:
                row[name] = int(row[name])
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def load_customers(path: Path | str | None = None) -> list[dict]:
    """The customers of ``data/customers.csv``, ids and times as ints."""
    with Path(path or DATA_DIR / "customers.csv").open(encoding="utf-8") as f:
        return [{**r, "customer_id": int(r["customer_id"]),
                 "signup_time_ms": int(r["signup_time_ms"])} for r in csv.DictReader(f)]
