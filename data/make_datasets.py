"""Generate the course's small datasets (run: ``python data/make_datasets.py``).

Everything comes from one seeded ``random.Random`` (no numpy, no wall clock), and numbers are
written as integers (milliseconds, cents), so the files are byte-for-byte identical on every run
and every platform. ``tests/test_datasets.py`` regenerates them into a temporary folder and
compares. The schemas are described in ``data/README.md``.

What the data is meant to show (lesson 05, the five Kafka use cases):

* ``orders.csv`` — one hour of an online shop's orders, **in arrival order**. Each order has an
  *event time* (when the customer clicked "buy") and an *arrival time* (when it reached the
  backend). Most arrive within a second or two; about 4 % come from phones that were offline and
  arrive 10 s to 3 min late, so they are out of order: the stream-processing lab needs them.
* ``customers.csv`` — the customers those orders refer to (the pipeline enriches orders with the
  customer's country; the connector lab copies the table between two stores).
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from pathlib import Path

SEED = 2026
HOUR_MS = 3_600_000
N_CUSTOMERS = 400
MEAN_RATE_PER_S = 1.6  # ~5,800 orders in the hour
LATE_FRACTION = 0.04

COUNTRIES = ("DE", "FR", "NL", "PL", "ES", "IT", "SE", "IE")
FIRST = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Leslie",
         "Margaret", "Niklaus", "Radia", "Tony", "Whitfield", "Sophie", "Ken")
LAST = ("Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus",
        "Lamport", "Hamilton", "Wirth", "Perlman", "Hoare", "Diffie", "Wilson", "Thompson")
#: (product, category, unit price in cents)
PRODUCTS = (
    ("espresso-beans", "coffee", 1290), ("filter-beans", "coffee", 990),
    ("decaf-beans", "coffee", 1190), ("green-tea", "tea", 650), ("black-tea", "tea", 550),
    ("herbal-tea", "tea", 590), ("moka-pot", "equipment", 3490),
    ("grinder", "equipment", 8990), ("kettle", "equipment", 4590), ("mug", "merch", 1290),
    ("tote-bag", "merch", 890), ("gift-card", "merch", 2500),
)
PRODUCT_WEIGHTS = (14, 10, 4, 8, 7, 5, 3, 2, 2, 6, 3, 2)


def make_customers(rng: random.Random) -> list[dict]:
    """``N_CUSTOMERS`` customers with ids 1..N, signed up over the 30 days before the hour."""
    rows = []
    for cid in range(1, N_CUSTOMERS + 1):
        rows.append({
            "customer_id": cid,
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "country": rng.choices(COUNTRIES, weights=(30, 20, 12, 10, 10, 8, 6, 4))[0],
            "signup_time_ms": -rng.randrange(1, 30 * 24 * HOUR_MS),
        })
    return rows


def _rate_at(t_ms: int) -> float:
    """Orders per second at event time ``t_ms``: a slow swell with a lunchtime-like bump."""
    phase = 2 * math.pi * t_ms / HOUR_MS
    return MEAN_RATE_PER_S * (1.0 + 0.5 * math.sin(phase - math.pi / 2))


def make_orders(rng: random.Random) -> list[dict]:
    """Orders with event times from a non-homogeneous Poisson process (thinning), arrival order."""
    peak = MEAN_RATE_PER_S * 1.5
    events = []
    t = 0.0
    while True:
        t += rng.expovariate(peak) * 1000.0
        if t >= HOUR_MS:
            break
        if rng.random() > _rate_at(int(t)) / peak:
            continue  # thinning: accept with probability rate(t) / peak
        events.append(int(t))
    customer_weights = [1.0 / (i ** 0.8) for i in range(1, N_CUSTOMERS + 1)]  # a few big buyers
    rows = []
    for order_id, event_ms in enumerate(events, start=1):
        product, category, price = rng.choices(PRODUCTS, weights=PRODUCT_WEIGHTS)[0]
        if rng.random() < LATE_FRACTION:
            delay_ms = rng.randrange(10_000, 180_000)  # an offline phone catching up
        else:
            delay_ms = int(rng.expovariate(1 / 400.0)) + 20  # the network, ~0.4 s
        rows.append({
            "order_id": order_id,
            "event_time_ms": event_ms,
            "arrival_time_ms": event_ms + delay_ms,
            "customer_id": rng.choices(range(1, N_CUSTOMERS + 1), weights=customer_weights)[0],
            "product": product,
            "category": category,
            "quantity": rng.choices((1, 2, 3, 4, 5), weights=(60, 22, 10, 5, 3))[0],
            "unit_price_cents": price,
        })
    rows.sort(key=lambda r: (r["arrival_time_ms"], r["order_id"]))
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write every dataset into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    customers = make_customers(rng)
    orders = make_orders(rng)
    paths = [out_dir / "customers.csv", out_dir / "orders.csv"]
    write_csv(paths[0], customers)
    write_csv(paths[1], orders)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for path in generate(args.out, args.seed):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
