"""data/: the generator is deterministic and the files match data/README.md."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def _generator():
    spec = importlib.util.spec_from_file_location("make_datasets", DATA / "make_datasets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_what_the_script_writes(tmp_path):
    for path in _generator().generate(tmp_path):
        assert path.read_bytes() == (DATA / path.name).read_bytes(), path.name


def test_files_are_small():
    for name in ("orders.csv", "customers.csv"):
        assert (DATA / name).stat().st_size < 2_000_000


def test_orders_schema_and_shape():
    rows = list(csv.DictReader((DATA / "orders.csv").open()))
    assert list(rows[0]) == ["order_id", "event_time_ms", "arrival_time_ms", "customer_id",
                             "product", "category", "quantity", "unit_price_cents"]
    ids = sorted(int(r["order_id"]) for r in rows)
    assert ids == list(range(1, len(rows) + 1))
    arrivals = [int(r["arrival_time_ms"]) for r in rows]
    assert arrivals == sorted(arrivals), "the file is in arrival order"
    delays = [int(r["arrival_time_ms"]) - int(r["event_time_ms"]) for r in rows]
    assert min(delays) > 0
    late = sum(d >= 10_000 for d in delays) / len(rows)
    assert 0.02 < late < 0.06  # ~4 % offline phones, as the README says
    assert all(0 <= int(r["event_time_ms"]) < 3_600_000 for r in rows)
    customers = {int(r["customer_id"]) for r in csv.DictReader((DATA / "customers.csv").open())}
    assert {int(r["customer_id"]) for r in rows} <= customers


def test_customers_schema():
    rows = list(csv.DictReader((DATA / "customers.csv").open()))
    assert list(rows[0]) == ["customer_id", "name", "country", "signup_time_ms"]
    assert [int(r["customer_id"]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(int(r["signup_time_ms"]) < 0 for r in rows)
