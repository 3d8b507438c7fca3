"""The Kafka settings the course changes from Kafka's defaults: one home, pure data.

The runtime applies them (:mod:`course_lib.kafka.runtime.cluster_config` writes them into every
lab broker's ``server.properties``); the models read the same values where they mirror a broker
(:mod:`course_lib.kafka.models.failover` takes its failure-detection times from here), so a
model and the cluster it is compared with cannot drift apart. The clients' defaults are here too
(:mod:`course_lib.kafka.clients.factory` applies them; its docstring says why each differs). Names
and meanings are Kafka's own; each line says Kafka's default and why the course differs
(``shared/notes/apache-kafka.md``).
"""

from __future__ import annotations

from typing import Any

#: Broker settings every lab cluster shares. Names and meanings are Kafka's own.
LAB_TUNING: dict[str, str] = {
    "group.initial.rebalance.delay.ms": "0",          # default 3000: first join at once
    "group.min.session.timeout.ms": "1000",           # default 6000: short lesson sessions
    "broker.heartbeat.interval.ms": "500",            # default 2000
    "broker.session.timeout.ms": "3000",              # default 9000: fence a dead broker in 3 s
    "replica.lag.time.max.ms": "3000",                # default 30000: drop a frozen follower
    "unclean.leader.election.interval.ms": "1000",    # default 300000 (KRaft checks periodically)
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
    "auto.create.topics.enable": "false",             # lessons create their topics
    "delete.topic.enable": "true",
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
