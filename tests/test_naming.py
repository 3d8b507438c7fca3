"""Unique names carry the run id (sanitized by nbval) and a deterministic counter."""

import re

from course_lib.core.naming import RUN_ID, unique_name


def test_unique_names_are_distinct_kafka_safe_and_sanitizable():
    a, b = unique_name("orders"), unique_name("orders")
    assert a != b and a.startswith(f"orders-{RUN_ID}-")
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", n) for n in (a, b))
    sanitized = re.sub(r"run-[0-9a-f]{8}", "run-ID", a)
    assert re.fullmatch(r"orders-run-ID-\d+", sanitized)
