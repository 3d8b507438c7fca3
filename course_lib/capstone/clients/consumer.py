"""One fulfilment consumer of the live run, in its own process (so a run has ``consumers`` real
group members on two cores, as the design asks).

``python -m course_lib.capstone.clients.consumer --name c1 --folder F --bootstrap B --topic T
--group G`` joins the group and, for every record, works ``consume_time`` (a third of it the
database's share, multiplied while the database is slow, as :mod:`course_lib.capstone.models.engine`
assumes), then writes the order into the run's database idempotently: ``fulfilled`` keyed by
order id (a second copy changes nothing), ``deliveries`` keyed by (partition, offset) (see
:mod:`.live_db`). It commits offsets after each batch (at-least-once: a record re-read after a
rebalance is harmless), reports its assignment in ``assignments``, and exits on SIGTERM.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time

from course_lib.capstone.runtime.db import connect, slow_factor
from course_lib.core.procs import stop_on_sigterm
from course_lib.kafka.clients.factory import make_consumer

__all__ = ["main"]

DB_SHARE = 1 / 3  # the engine's DB_SHARE_OF_CONSUMING


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One capstone fulfilment consumer.")
    for flag in ("--name", "--folder", "--bootstrap", "--topic", "--group"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--consume-time", type=float, default=0.06)
    args = parser.parse_args(argv)
    stop = stop_on_sigterm()
    db = connect(f"{args.folder}/shop.db")
    consumer = make_consumer(args.topic, bootstrap_servers=args.bootstrap, group_id=args.group,
                             client_id=args.name, consumer_timeout_ms=float("inf"),
                             max_poll_records=20)
    reported = None
    try:
        while not stop.requested:
            batch = consumer.poll(timeout_ms=200)
            owned = ",".join(str(tp.partition) for tp in sorted(consumer.assignment()))
            if owned != reported:
                db.execute("INSERT OR REPLACE INTO assignments VALUES (?, ?)", (args.name, owned))
                reported = owned
            for records in batch.values():
                for record in records:
                    factor = slow_factor(args.folder)
                    time.sleep(args.consume_time * (1 + (factor - 1) * DB_SHARE))
                    order_id = int(json.loads(record.value)["order_id"])
                    now = time.time()
                    db.execute("INSERT OR IGNORE INTO fulfilled VALUES (?, ?, ?)",
                               (order_id, args.name, now))
                    db.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?)",
                               (record.partition, record.offset, order_id, now))
            if batch:
                with contextlib.suppress(Exception):  # a rebalance or a moving coordinator
                    consumer.commit()
    finally:
        with contextlib.suppress(Exception):
            db.execute("DELETE FROM assignments WHERE consumer = ?", (args.name,))
        consumer.close(autocommit=False)
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
