"""The Kafka settings the course changes from Kafka's defaults: one home, pure data.

The runtime applies them (:mod:`course_lib.kafka.runtime.cluster_config` writes them into every
lab broker's ``server.properties``); the models read the same values where they mirror a broker
(:mod:`course_lib.kafka.models.failover` takes its failure-detection times from here), so a
model and the cluster it is compared with cannot drift apart. The clients' defaults are here too
(:mod:`course_lib.kafka.clients.factory` applies them; its docstring says why each differs). Names
and meanings are Kafka's own; each line says Kafka's default and why the course differs
(``shared/notes/apache-kafka.md``).

Two kinds of broker share :data:`LAB_TUNING`, which only makes failures show within seconds and
fits Kafka on two cores; none of it changes what a plain client sees. **The lessons' default
broker** (``bootstrap_servers()``, lessons 04–06) and ``python -m course_lib kafka`` are
otherwise stock: a learner's ``KafkaProducer().send("new-topic", ...)`` creates the topic with
one partition, as against any stock Kafka. **Lab clusters** (``KafkaCluster(...)``: lesson 05b's
failover lab, the capstone, the tests' session cluster) add :data:`LAB_CLUSTER_ONLY`.
"""

from __future__ import annotations

from typing import Any

#: Broker settings every broker the course starts shares. Names and meanings are Kafka's own.
LAB_TUNING: dict[str, str] = {
    "group.initial.rebalance.delay.ms": "0",          # default 3000: first join at once
    "group.min.session.timeout.ms": "1000",           # default 6000: short lesson sessions
    "broker.heartbeat.interval.ms": "500",            # default 2000
    "broker.session.timeout.ms": "3000",              # default 9000: fence a dead broker in 3 s
    "replica.lag.time.max.ms": "3000",                # default 30000: drop a frozen follower
    # default 300000. Only paces the retry for partitions still leaderless: the controller runs
    # an unclean election in the same step as fencing the dead leader (ReplicationControlManager)
    "unclean.leader.election.interval.ms": "1000",
    "log.retention.check.interval.ms": "2000",        # default 300000: retention visible live
    "log.initial.task.delay.ms": "2000",              # default 30000 (for testing): the first
                                                      # retention check 2 s after start
    "log.cleaner.dedupe.buffer.size": str(16 << 20),  # default 128 MiB of heap
    "log.cleaner.backoff.ms": "1000",                 # default 15000: compaction visible live
    "num.network.threads": "2",                       # default 3
    "num.io.threads": "2",                            # default 8
    "background.threads": "2",                        # default 10
    "num.recovery.threads.per.data.dir": "1",
    "offsets.topic.num.partitions": "3",              # default 50
    "transaction.state.log.num.partitions": "3",      # default 50
    "delete.topic.enable": "true",                    # = Kafka's default; lessons delete
}                                                     # their topics (stated, not changed)

#: Added on lab clusters only (``KafkaCluster(auto_create_topics=False)``, the default there).
LAB_CLUSTER_ONLY: dict[str, str] = {
    # Kafka's default is true. A lab creates each topic with the partitions, replication factor
    # and min ISR it measures (``create_topic``, which leaves an existing topic as it is): a
    # consumer or producer that touched the name first would otherwise make a 1-partition topic
    # with the cluster's defaults and the lab would silently measure that. Off, such a client
    # fails instead: the course's producers within seconds, naming the topic
    # (``clients/producer.py``); a raw kafka-python producer after its ``max_block_ms`` (60 s).
    "auto.create.topics.enable": "false",
}


#: Fast group joins and bounded waits (see module docstring).
CONSUMER_DEFAULTS: dict[str, Any] = {
    "session_timeout_ms": 6000,
    "heartbeat_interval_ms": 2000,
    "request_timeout_ms": 15000,
    "bootstrap_timeout_ms": 5000,
    "auto_offset_reset": "earliest",
    "enable_auto_commit": False,
    "consumer_timeout_ms": 10000,
}


PRODUCER_DEFAULTS: dict[str, Any] = {
    "acks": "all",
    "request_timeout_ms": 10000,
    "max_block_ms": 10000,
    "bootstrap_timeout_ms": 5000,
}


ADMIN_DEFAULTS: dict[str, Any] = {
    "request_timeout_ms": 10000,
    "bootstrap_timeout_ms": 5000,
}
