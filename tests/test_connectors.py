"""Use case 5: incremental SQLite source → topic → SQLite sink, restarts included."""

from __future__ import annotations

import sqlite3

import pytest

from course_lib.core.data import load_customers
from course_lib.core.naming import unique_name
from course_lib.kafka.clients.topics import create_topic
from course_lib.kafka.live.connectors import (
    SqliteSinkConnector,
    SqliteSourceConnector,
    create_table,
    insert_rows,
    read_table,
)


def test_identifiers_are_validated(tmp_path):
    with pytest.raises(ValueError, match=r"table/column name must be .* \(got 'x; DROP'\)"):
        create_table(tmp_path / "a.db", "x; DROP", [{"id": 1}], "id")
    with pytest.raises(ValueError, match=r"id_column 'nope' must be one of the columns"):
        create_table(tmp_path / "a.db", "t", [{"id": 1}], "nope")


@pytest.mark.kafka
def test_source_is_incremental_and_resumes_from_its_stored_offset(tmp_path):
    customers = load_customers()
    src, off = tmp_path / "shop.db", tmp_path / "offsets.db"
    create_table(src, "customers", customers[:250], "customer_id")
    topic = create_topic(unique_name("customers-test"))
    source = SqliteSourceConnector(src, "customers", topic, id_column="customer_id",
                                   offsets_path=off, batch_size=100)
    assert source.poll() == 250 and source.last_id == 250
    assert source.poll() == 0  # nothing new
    source.close()
    with sqlite3.connect(src) as db:
        insert_rows(db, "customers", customers[250:])
    db.close()
    restarted = SqliteSourceConnector(src, "customers", topic, id_column="customer_id",
                                      offsets_path=off)
    assert restarted.last_id == 250 and restarted.poll() == 150
    restarted.close()

    dst = tmp_path / "warehouse.db"
    sink = SqliteSinkConnector(topic, dst, "customers", key_column="customer_id")
    assert sink.run(idle_s=0.5) == 400
    assert SqliteSinkConnector(topic, dst, "customers", key_column="customer_id").run(
        idle_s=0.3) == 0  # a restarted sink continues from the offset stored with the rows
    assert read_table(dst, "customers", "customer_id") == read_table(src, "customers",
                                                                      "customer_id")
