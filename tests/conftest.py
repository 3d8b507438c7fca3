"""Shared test fixtures: a private progress record per test, and Apache Kafka for the tests
that need it (one 3-broker cluster shared by the session).

Unit tests never touch the learner's progress record: each test gets its own file.

On a laptop without Java or network these tests skip, saying why. In CI ``.ci/run`` sets
``SDL_REQUIRE_APACHE_KAFKA=1``, which turns that skip into a failure: CI can never pass by
silently not running Apache Kafka.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

REQUIRE_ENV = "SDL_REQUIRE_APACHE_KAFKA"


@pytest.fixture(autouse=True)
def _private_progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_PROGRESS_FILE", str(tmp_path / "progress.json"))


def _unavailable() -> str | None:
    from course_lib.kafka.runtime.default_broker import apache_unavailable

    return apache_unavailable()


def need_apache_kafka() -> None:
    """Skip (or, in CI, fail) the calling test when Apache Kafka cannot run here."""
    problem = _unavailable()
    if problem is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"Apache Kafka is required here ({REQUIRE_ENV}=1) but {problem}")
    pytest.skip(f"Apache Kafka unavailable: {problem}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("apache_kafka"):
        need_apache_kafka()


@pytest.fixture(scope="session")
def cluster3() -> Iterator[object]:
    """A 3-broker Apache Kafka (controller node + brokers 1-3) for the whole session; a lab
    cluster, so topics are not created on first use: create them with ``create_topic``."""
    need_apache_kafka()
    from course_lib.kafka.runtime.cluster import KafkaCluster

    with KafkaCluster(brokers=3) as cluster:
        yield cluster


@pytest.fixture
def cluster(cluster3) -> Iterator[object]:
    """The shared cluster, made whole again after the test (frozen resumed, dead restarted)."""
    yield cluster3
    for broker_id in list(cluster3.frozen):
        cluster3.resume(broker_id)
    for broker_id in cluster3.broker_ids:
        if not cluster3.running(broker_id):
            cluster3.restart(broker_id)
    cluster3.wait_for(lambda: cluster3.registered_brokers() == cluster3.broker_ids, 30,
                      "every broker to be registered again")
