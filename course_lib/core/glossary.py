"""The course's names, one per concept, and what HAProxy, nginx and Kafka call the same thing.

Why a table in code: a learner moves between a lesson, ``course_lib`` and a real tool's manual.
When the course says ``interval`` and HAProxy says ``inter``, or the course says
``min_insync_replicas`` and Kafka says ``min.insync.replicas``, the bridge must be written down
once, and a test (``tests/test_glossary.py``) checks that every field of every description is
here, that no description uses a name this table rejects, and that each lesson which uses a
term also shows the real tool's spelling of it.

Known drift goes in :data:`PENDING_RENAMES` (old name → glossary name) until it is renamed, so
the test knows it and refuses any new one. The last two (``GroupScenario.horizon_time`` and
``ReplicationScenario.write_rate``) are now ``duration`` and ``produce_rate``, as elsewhere.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    """One concept: its meaning, and its spelling in the real tools (empty where none)."""

    meaning: str
    haproxy: str = ""
    nginx: str = ""
    kafka: str = ""


GLOSSARY: dict[str, Term] = {
    # --- load balancing and failover (lessons 01-03b)
    "arrival_rate": Term("requests per second offered to the system (λ)"),
    "service_rate": Term("requests per second one server completes when busy (μ)"),
    "workers": Term("requests one server handles at once"),
    "warmup": Term("seconds at the start of a run left out of its statistics (empty-system start)"),
    "weight": Term("a server's share of traffic relative to the others", "weight", "weight"),
    "backup": Term("a server that only gets traffic when no primary is up", "backup", "backup"),
    "slowstart": Term("seconds over which a recovered server ramps up to its weight",
                      "slowstart", "slow_start"),
    "interval": Term("seconds between two health checks", "inter", "interval"),
    "timeout": Term("seconds a health check may take before it counts as failed",
                    "timeout check", "timeout"),
    "rise": Term("consecutive passing checks that mark a server up", "rise", "passes"),
    "fall": Term("consecutive failing checks that mark a server down", "fall", "fails"),
    "max_fails": Term("failed requests that take a server out (passive checks)", "",
                      "max_fails"),
    "fail_timeout": Term("how long a passively failed server stays out", "", "fail_timeout"),
    "retries": Term("how many times a failed request (or produce) is sent again", "retries",
                    "proxy_next_upstream_tries", "retries"),
    "request_timeout": Term("seconds a client waits for an answer", "timeout server",
                            "proxy_read_timeout", "request.timeout.ms"),
    "non_idempotent": Term("share of requests that must never be sent twice (POST)",
                           "retry-on", "non_idempotent"),
    "standby": Term("how a spare server waits: hot (running) or cold (started on failover)"),
    "cold_start_time": Term("seconds a cold standby needs before it serves"),
    "policy": Term("how the balancer picks a server", "balance", "load-balancing method"),
    "balancers": Term("independent balancer instances sharing no state"),
    "duration": Term("simulated seconds of one run"),
    "seed": Term("the seed of every random stream of a run"),
    "failures": Term("failures injected into a run"),
    "backends": Term("the servers behind a balancer", "server", "server"),
    # --- Kafka (lessons 04-06, 05b)
    "acks": Term("how many replicas must have a record before the producer is told",
                 kafka="acks"),
    "replication_factor": Term("copies of each partition (kafka-topics --replication-factor)"),
    "min_insync_replicas": Term("in-sync copies needed to accept an acks=all write",
                                kafka="min.insync.replicas"),
    "partitions": Term("the parallel logs a topic is split into (Kafka's word too)"),
    "consumers": Term("members of one consumer group (one group.id)"),
    "produce_rate": Term("records per second written to a topic"),
    "processing_time": Term("seconds a consumer spends on one record"),
    "session_timeout_ms": Term("ms without a heartbeat before a consumer is declared dead",
                               kafka="session.timeout.ms"),
    "session_timeout": Term("seconds without a heartbeat before a member (or broker) is dead",
                            kafka="session.timeout.ms / broker.session.timeout.ms"),
    "replica_lag_time_max": Term("seconds a follower may lag before it leaves the ISR",
                                 kafka="replica.lag.time.max.ms"),
    "idempotence": Term("the producer's sequence numbers that make retries safe",
                        kafka="enable.idempotence"),
    "unclean_leader_election": Term("let an out-of-sync replica lead (and lose data)",
                                    kafka="unclean.leader.election.enable"),
    "delivery_timeout": Term("seconds a producer keeps retrying one record",
                             kafka="delivery.timeout.ms"),
    "retry_backoff": Term("seconds between two retries", kafka="retry.backoff.ms"),
    "batch_size": Term("records handled per poll or per batch", kafka="max.poll.records"),
    "brokers": Term("Kafka servers in the cluster", kafka="broker"),
    "broker_failures": Term("brokers that fail in a run (a count, or (broker, time) pairs)"),
    "first_failure_at": Term("simulated second of the first injected failure"),
    "failure_gap": Term("seconds between two injected failures"),
    "failure_kind": Term("a crash (SIGKILL) or a controlled shutdown (SIGTERM)"),
    "restart_after": Term("seconds after its failure that a broker comes back"),
    "fetch_interval": Term("seconds between two fetches of a follower",
                           kafka="replica.fetch.wait.max.ms"),
    "network_delay": Term("one-way seconds between two machines"),
    "lost_ack_rate": Term("share of acknowledgements lost after the write was appended"),
    "sample_interval": Term("seconds between two samples of a timeline"),
    "processing": Term("the distribution of processing times ('fixed' or 'exponential')"),
    "service": Term("the distribution of service times ('fixed' or 'exponential')"),
    "passive": Term("passive health checking from real traffic", "observe layer7",
                    "max_fails"),
    "health_check": Term("the active health check of every backend", "check", "health_check"),
    "operations": Term("an operator's commands during a run (drain, maint, set weight)",
                       "set server / set weight"),
    "agent": Term("an agent on each backend reporting its weight", "agent-check"),
    "target": Term("the latency an agent-reported weight aims for"),
    "name": Term("a server's name", "server", "server"),
    "messages": Term("records a lab produces"),
    "crash_after": Term("records a consumer processes before it is killed"),
    "failure": Term("which failure a live Kafka run injects (kill or stop brokers)"),
    "failure_at": Term("seconds into a live run when the failure is injected"),
    "freeze_for": Term("seconds the followers stay frozen (SIGSTOP) before the leader dies"),
    "mode": Term("at-least-once (commit after processing) or at-most-once (before)"),
}

#: Names a description must not use, and the glossary name to use instead.
REJECTED: dict[str, str] = {
    "inter": "interval", "latency": "response time (a request's whole time in the system)",
    "response_time_ms": "duration fields in seconds", "horizon": "duration",
    "min_isr": "min_insync_replicas", "rf": "replication_factor",
    "write_rate_per_s": "produce_rate", "write_rate": "produce_rate",
    "horizon_time": "duration", "deterministic_service": "service='fixed'",
}

#: Drift known and documented (see the module docstring): field → the glossary name it becomes.
PENDING_RENAMES: dict[str, str] = {}


def lookup(name: str) -> Term:
    """The glossary entry of ``name``, or a ``KeyError`` naming the closest entries."""
    try:
        return GLOSSARY[name]
    except KeyError:
        close = sorted(k for k in GLOSSARY if k[:3] == name[:3])
        raise KeyError(f"{name!r} is not in the course glossary (close: {close})") from None
