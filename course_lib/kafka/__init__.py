"""Kafka for the course: a real Apache Kafka, the embedded fallback, client defaults, models.

``bootstrap_servers()`` is the one entry point a lesson needs: it returns the address of a Kafka
the learner can use — their own (``KAFKA_BOOTSTRAP_SERVERS``), a one-broker Apache Kafka the
course starts on demand, or the embedded Tansu broker where Java or Kafka's jars cannot be had
(``runtime/default_broker.py`` says how it chooses). ``KafkaCluster`` starts a multi-broker
Apache Kafka for the fault-tolerance lessons.

The area is laid out by role (``CONTRIBUTING.md`` has the rules, a test enforces them):
``models/`` (descriptions, engines, results: pure), ``views/`` (figures and text),
``runtime/`` (the brokers and their settings), ``clients/`` (kafka-python helpers) and
``live/`` (the labs). Importing this package starts nothing and loads no kafka-python: the
names below are imported on first use (:mod:`course_lib.core.lazy`), and kafka-python's
group-join fix is installed by the first client the course makes
(:mod:`course_lib.kafka.clients.kafka_python_fix`).
"""

from typing import TYPE_CHECKING

from course_lib.core.lazy import lazy_exports

if TYPE_CHECKING:  # the lesson API, imported on first use (core/lazy.py)
    from course_lib.core.errors import BrokerError
    from course_lib.kafka.clients.factory import make_admin, make_consumer, make_producer
    from course_lib.kafka.clients.io import produce_at_rate
    from course_lib.kafka.clients.lag import (
        group_lag,
        lag_table,
        log_end_offsets,
        sample_lag,
        total_lag,
    )
    from course_lib.kafka.clients.records import (
        history as records_history,
    )
    from course_lib.kafka.clients.records import (
        key_order_ok,
        produce_keyed,
        read_partitions,
    )
    from course_lib.kafka.clients.roundtrip import round_trip
    from course_lib.kafka.clients.topics import create_topic
    from course_lib.kafka.live import (
        connectors,
        leadership,
        log_lab,
        pipeline,
        queue_lab,
        table_join,
        transactions,
    )
    from course_lib.kafka.live.crash import Handover, measure_handover
    from course_lib.kafka.live.failover import compare as failover_compare
    from course_lib.kafka.live.failover import predict as failover_predict
    from course_lib.kafka.live.failover import producer as producer_lab
    from course_lib.kafka.live.failover.differential import scenario_text
    from course_lib.kafka.live.group.lab import ConsumerGroupLab, consume_exactly
    from course_lib.kafka.live.group.rebalance import rebalance_stops, restart_member
    from course_lib.kafka.live.group.tools import auto_commit_steps, describe_group
    from course_lib.kafka.live.replication import replicated_topic
    from course_lib.kafka.live.windows import stream_from_topic
    from course_lib.kafka.models import windows
    from course_lib.kafka.models.decision import IntegrationScenario
    from course_lib.kafka.models.decision_engine import compare, simulate_integration
    from course_lib.kafka.models.failover import lab_scenarios, to_model
    from course_lib.kafka.models.group import GroupScenario, group_capacity, simulate_group
    from course_lib.kafka.models.hol import HolScenario
    from course_lib.kafka.models.replication_engine import replication_table, simulate_replication
    from course_lib.kafka.models.settings import CONSUMER_DEFAULTS
    from course_lib.kafka.runtime.cluster import ClusterError, KafkaCluster
    from course_lib.kafka.runtime.default_broker import (
        apache_unavailable,
        backend,
        bootstrap_servers,
        default_cluster,
        stop_default_cluster,
    )
    from course_lib.kafka.runtime.embedded import (
        EmbeddedBroker,
        embedded_broker,
        stop_embedded_broker,
    )
    from course_lib.kafka.views.decision import (
        backlog_figure,
        render_tradeoffs,
        tradeoff_dashboard,
        tradeoff_table,
    )
    from course_lib.kafka.views.group import (
        capacity_sweep_figure,
        group_dashboard,
        live_lag_figure,
        render_group,
    )
    from course_lib.kafka.views.hol import hol_table
    from course_lib.kafka.views.pipeline import freshness_figure
    from course_lib.kafka.views.queue import deliveries_figure
    from course_lib.kafka.views.replication import format_table, render_replication
    from course_lib.kafka.views.windows import render_windows

__getattr__, __dir__, __all__ = lazy_exports(__name__)
