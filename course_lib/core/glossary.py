"""The course's names, one per concept, and what HAProxy, nginx and Kafka call the same thing.

Why a table in code: a learner moves between a lesson, ``course_lib`` and a real tool's manual.
When the course says ``interval`` and HAProxy says ``inter``, or the course says
``min_insync_replicas`` and Kafka says ``min.insync.replicas``, the bridge must be written down
once, and a test (``tests/test_glossary.py``) checks that every field of every description and
every result, and every key of every ``summary()``, is here (directly or through
:func:`concept`), that none uses a name this table rejects, and that each lesson which sets a
term also shows the real tool's spelling of it. This module holds the descriptions' words (what
a learner sets); :mod:`course_lib.core.glossary_results` holds the results' words (what a run
reports).

**Time.** ``*_at`` is an instant and ``*_time`` a duration, both in seconds unless the name says
otherwise (``_ms``, ``_s``). An injected failure is an instant ``<what>_at`` (``failure_at``,
``crash_at``; plain ``at`` when the description *is* the event: ``Failure.at``,
``Operation.at``), its end another instant ``<what>_end_at`` (``Failure.end_at``,
``crash_end_at``, like ``peak_end_at``), and how long something stays down a duration
``<what>_time`` (``down_time``, ``freeze_time``, ``outage_time``, ``failure_gap_time``).
``until``, ``*_after``, ``*_for``, ``*_gap`` and ``*_start`` are not used for times: they read
as either (the test refuses them on a float field). The last eleven spellings of failure
timing (``until``, ``outage_start``, ``restart_after``, ``freeze_for``, ``failure_gap``,
``crash_until``, ``broker_at``, …) were renamed to these.

**Derived names.** A statistic of a term in a unit needs no entry of its own: ``concept``
strips one prefix of :data:`STATISTICS` (``mean_``, ``p95_``, …) and one suffix of
:data:`UNITS` (``_ms``, ``_s``, ``_per_s``), so ``p95_response_time_ms`` is ``response_time``
and ``session_timeout_ms`` is ``session_timeout`` (one concept, one entry).

Known drift goes in :data:`PENDING_RENAMES` (old name → glossary name) until it is renamed, so
the test knows it and refuses any new one.
"""

from __future__ import annotations

from typing import NamedTuple

from course_lib.core.glossary_results import RESULTS


class Term(NamedTuple):
    """One concept: its meaning, and its spelling in the real tools (empty where none)."""

    meaning: str
    haproxy: str = ""
    nginx: str = ""
    kafka: str = ""


_DESCRIPTIONS: dict[str, Term] = {
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
    "backend": Term("the name of one server behind the balancer", "server", "server"),
    "at": Term("the instant (s) of the event a description is: a failure, an operator's command"),
    "end_at": Term("the instant (s) an injected failure ends (the server restarts); None: never"),
    "kind": Term("what fails: a crash (refuses), a hang (never answers) or a slow server"),
    "factor": Term("how many times slower a 'slow' failure makes a server (≥ 1)"),
    "action": Term("an operator's command: drain, maint, ready or a new weight",
                   "set server state / set weight"),
    "service": Term("the distribution of service times ('exponential' or 'deterministic')"),
    "passive": Term("passive health checking from real traffic", "observe layer7",
                    "max_fails"),
    "health_check": Term("the active health check of every backend", "check", "health_check"),
    "operations": Term("an operator's commands during a run (drain, maint, set weight)",
                       "set server / set weight"),
    "agent": Term("an agent on each backend reporting its weight", "agent-check"),
    "target": Term("the response time an agent-reported weight aims for"),
    "name": Term("a server's name", "server", "server"),
    # --- the request path (lesson 01)
    "network_delay": Term("one-way seconds between two machines"),
    "network_jitter": Term("mean of the exponential extra delay on each network leg (s)"),
    "loss_probability": Term("chance that one network leg (request or response) is lost"),
    "retry_timeout": Term("seconds a client waits for an answer before sending again"),
    "max_attempts": Term("tries of one request in all (the first one included)"),
    "server_time": Term("seconds of a server's own work per request (exponential mean)"),
    "db_time": Term("seconds one database query takes (exponential mean in lesson 01)"),
    "db_pool": Term("database connections a server holds (a worker without one waits)"),
    "cache_hit_ratio": Term("share of requests whose data is in the cache"),
    "loss_percent": Term("a dashboard's knob for loss_probability, in percent of network legs"),
    "servers": Term("how many identical servers sit behind the balancer"),
    "rho": Term("offered load per server, arrival rate / (servers × service rate); stable below 1"),
    "fast_weight": Term("the weight the faster of two unequal servers gets", "weight",
                        "weight"),
    "cache_time": Term("seconds one cache lookup takes (a constant)"),
    # --- Kafka (lessons 04-06, 05b)
    "acks": Term("how many replicas must have a record before the producer is told",
                 kafka="acks"),
    "replication_factor": Term("copies of each partition (kafka-topics --replication-factor)"),
    "min_insync_replicas": Term("in-sync copies needed to accept an acks=all write",
                                kafka="min.insync.replicas"),
    "partitions": Term("the parallel logs a topic is split into (Kafka's word too)"),
    "partition": Term("the index of one partition of a topic (Kafka's word too)"),
    "seq": Term("a record's sequence number: the order its producer sent it in (a history's id)"),
    "error": Term("the name of the error the producer was told, if any"),
    "consumers": Term("members of one consumer group (one group.id)"),
    "produce_rate": Term("records per second written to a topic"),
    "processing_time": Term("seconds a consumer spends on one record"),
    "session_timeout": Term("seconds (session_timeout_ms: ms) without a heartbeat before a "
                            "consumer, or a broker, is declared dead",
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
    "max_in_flight": Term("acks=all requests the producer keeps waiting at once; the rest wait in "
                          "its accumulator (None: every write sent at once)",
                          kafka="max.in.flight.requests.per.connection"),
    "retry_backoff_max": Term("the longest wait between two retries: the Java client doubles "
                              "the backoff up to it, kafka-python keeps it constant",
                              kafka="retry.backoff.max.ms"),
    "batch_size": Term("records a consumer takes per poll (not the producer's batch.size, which "
                       "counts bytes and keeps its Kafka name)", kafka="max.poll.records"),
    "brokers": Term("Kafka servers in the cluster", kafka="broker"),
    "broker_failures": Term("brokers that fail in a run (a count, or (broker, time) pairs)"),
    "first_failure_at": Term("simulated second of the first injected failure"),
    "failure_gap_time": Term("seconds between two injected failures"),
    "failure_kind": Term("how a broker stops: a crash (a host that vanished), a kill (SIGKILL: "
                         "its port refuses connections) or a controlled shutdown (SIGTERM)"),
    "down_time": Term("seconds a failed broker stays down before it restarts; None: never"),
    "fetch_interval": Term("seconds a follower's fetch may wait at the leader for new data (a "
                           "long poll: the wait, not a fixed period; the model's replication lag)",
                           kafka="replica.fetch.wait.max.ms"),
    "lost_ack_rate": Term("share of acknowledgements lost after the write was appended"),
    "sample_interval": Term("seconds between two samples of a timeline"),
    "processing": Term("the distribution of processing times ('fixed' or 'exponential')"),
    "messages": Term("records a lab produces"),
    "crash_after": Term("records a consumer processes before it is killed (a count, not a time)"),
    "failure": Term("which failure a live Kafka run injects (kill or stop brokers)"),
    "failure_at": Term("seconds into a live run when the failure is injected"),
    "freeze_time": Term("seconds the followers stay frozen (SIGSTOP) before the leader dies "
                        "(the replication model: before its first failure)"),
    "mode": Term("at-least-once (commit after processing) or at-most-once (before)"),
    "records": Term("records a model or lab produces (in a result: one row per record)"),
    "style": Term("how a producer hands work over: direct_api, db_table, message_broker or kafka"),
    "slow_index": Term("which record is the slow one (None: none is)"),
    "slow_time": Term("seconds the slow record takes"),
    "outage_at": Term("the instant the consumer service goes down"),
    "outage_time": Term("seconds the consumer service stays down"),
    "late_subscriber_at": Term("the instant a second application subscribes and wants history"),
    "costs": Term("per-message costs of each hand-over (assumptions, lesson 06)"),
    "network_hop": Term("seconds one request or delivery spends on the network"),
    "db_write_time": Term("seconds one committed database write takes"),
    "poll_interval": Term("seconds between two polls of a table by its consumers"),
    "db_batch": Term("rows a table consumer claims per poll"),
    "broker_time": Term("seconds a classic broker spends routing and acknowledging a message"),
    "append_time": Term("seconds Kafka spends appending one message to the log"),
    "size_ms": Term("a window's length in ms", kafka="TimeWindows.ofSizeAndGrace(size, grace)"),
    "advance_ms": Term("ms between two window starts (None: tumbling)",
                       kafka="TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance)"),
    "grace_ms": Term("ms a window stays open for late events after it ends",
                     kafka="TimeWindows.ofSizeAndGrace(size, grace)"),
    # --- the capstone (lesson 07)
    "api_servers": Term("API servers behind the balancer", "server", "server"),
    "idempotency_key": Term("a key per checkout, so a retried one is not stored twice"),
    "profile": Term("the day's traffic: base rate and the peak"),
    "script": Term("what goes wrong during the day, and when"),
    "work": Term("how long each step takes when nothing is wrong"),
    "objectives": Term("the service-level objectives (SLOs) a design must keep"),
    "prices": Term("cost per hour of each part (assumptions, not quotes)"),
    "base_rate": Term("checkouts per second outside the peak"),
    "peak_factor": Term("how many times base_rate the peak brings"),
    "peak_start_at": Term("the instant the peak starts"),
    "peak_end_at": Term("the instant the peak ends"),
    "crash_at": Term("the instant the first API server is killed (SIGKILL)"),
    "crash_end_at": Term("the instant it is restarted"),
    "hang_at": Term("the instant the second API server hangs (SIGSTOP)"),
    "hang_end_at": Term("the instant it resumes (SIGCONT)"),
    "broker_crash_at": Term("the instant a broker is killed (SIGKILL)"),
    "broker_down_time": Term("seconds that broker stays down before it is restarted"),
    "db_slow_at": Term("the instant the database turns slow"),
    "db_slow_end_at": Term("the instant it is normal again"),
    "db_slow_factor": Term("how many times longer each database call takes meanwhile"),
    "app_time": Term("seconds of a checkout in the API's own code"),
    "consume_time": Term("seconds a consumer spends on one order"),
    "produce_timeout": Term("seconds the checkout's producer waits for a broker",
                            kafka="request.timeout.ms"),
    "broker_start_time": Term("seconds a restarted broker needs before it serves again"),
    "availability": Term("share of checkouts answered successfully"),
    "p99_ms": Term("the 99th percentile of checkout response times, in ms"),
    "orders_lost": Term("acknowledged orders never processed"),
    "duplicates": Term("records (orders) processed more than once"),
    "freshness_p99_s": Term("99th percentile of checkout-to-database seconds of an order"),
    "api_server": Term("$/h of one API server machine"),
    "per_worker": Term("$/h of one worker of an API server"),
    "cold_standby": Term("$/h of a stopped standby machine (disk and image only)"),
    "broker": Term("$/h of one broker (in prices); a Kafka server", kafka="broker"),
    "per_partition": Term("$/h of one partition"),
    "consumer": Term("$/h of one consumer (in prices); a member of a consumer group"),
    "per_db_connection": Term("$/h of one pooled database connection"),
    "fixed": Term("$/h the design does not change: database server and balancer"),
}

#: Every term: the descriptions' and the results' (:mod:`~course_lib.core.glossary_results`).
GLOSSARY: dict[str, Term] = {**_DESCRIPTIONS,
                             **{n: Term(*v) for n, v in RESULTS.items() if n not in _DESCRIPTIONS}}

#: Names that must not be used, and the glossary name to use instead. A one-word name is refused
#: inside a longer one too (``mean_latency_s``); a longer one only as the whole name, its unit
#: aside (``failure_gap`` is refused, ``failure_gap_time`` is the glossary's word).
REJECTED: dict[str, str] = {
    "inter": "interval", "latency": "response_time (a request's whole time in the system)",
    "response_time_ms": "duration fields in seconds", "horizon": "duration",
    "min_isr": "min_insync_replicas", "rf": "replication_factor",
    "write_rate_per_s": "produce_rate", "write_rate": "produce_rate",
    "horizon_time": "duration", "deterministic_service": "service='deterministic'",
    "until": "end_at", "restart_after": "down_time", "freeze_for": "freeze_time",
    "failure_gap": "failure_gap_time", "outage_start": "outage_at",
}

#: Endings that do not say whether a time is an instant or a duration (see the docstring).
VAGUE_TIME_ENDINGS = ("_until", "_after", "_for", "_gap", "_start", "_end")

#: Prefixes naming a statistic of a term, and suffixes naming its unit (see :func:`concept`).
STATISTICS = ("mean_", "p50_", "p95_", "p99_", "max_", "final_")
UNITS = ("_per_s", "_ms", "_s")

#: Drift known and documented (see the module docstring): field → the glossary name it becomes.
PENDING_RENAMES: dict[str, str] = {}


def concept(name: str) -> str | None:
    """The glossary entry ``name`` stands for: itself, or the term left once a unit suffix and
    a statistic (first or last word) are taken off: ``p95_response_time_ms`` and
    ``freshness_p50_s`` are ``response_time`` and ``freshness``; ``None`` when none is in the
    glossary."""
    if name in GLOSSARY:
        return name
    stem = next((name[:-len(u)] for u in UNITS if name.endswith(u) and len(name) > len(u)),
                name)
    words = stem.split("_")
    stats = {s.strip("_") for s in STATISTICS}
    for first, last in ((0, len(words)), (1, len(words)), (0, len(words) - 1)):
        if (first and words[0] not in stats) or (last < len(words) and words[-1] not in stats):
            continue
        candidate = "_".join(words[first:last])
        if candidate in GLOSSARY:
            return candidate
    return None


def rejected_part(name: str) -> str | None:
    """The rejected name that ``name`` is (its unit aside) or, for a one-word one, contains.

    The unit suffix is left out first, so ``p95_response_time_ms`` (a result in ms, which says
    so) does not match the rejected description field ``response_time_ms``."""
    if name in REJECTED:
        return name
    stem = next((name[:-len(u)] for u in UNITS if name.endswith(u)), name)
    words = stem.split("_")
    return next((bad for bad in REJECTED if bad == stem or ("_" not in bad and bad in words)),
                None)


def lookup(name: str) -> Term:
    """The glossary entry of ``name``, or a ``KeyError`` naming the closest entries."""
    found = concept(name)
    if found is None:
        close = sorted(k for k in GLOSSARY if k[:3] == name[:3])
        raise KeyError(f"{name!r} is not in the course glossary (close: {close})")
    return GLOSSARY[found]
