"""Use case 4, a distributed fault-tolerant log: the replication model, as lesson 05 imports it.

The model has the ``lb/`` shape, one module per role; this module gathers their public names so
``from course_lib.kafka import replication`` keeps working:

* :mod:`course_lib.kafka.replication_model` — the description :class:`ReplicationScenario`
  (every rule of the model is explained there) and the :class:`ReplicationResult`;
* :mod:`course_lib.kafka.replication_engine` — :func:`simulate`, the lesson's short form
  :func:`simulate_replication` and the table's runs :func:`replication_table`;
* :mod:`course_lib.kafka.replication_view` — the table, the figure, the dashboard's render;
* :mod:`course_lib.kafka.replication_live` — describing a real topic's replicas and ISR.

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

from course_lib.kafka.replication_engine import (
    TABLE_SETTINGS,
    replication_table,
    simulate,
    simulate_replication,
)
from course_lib.kafka.replication_live import describe_topic_replicas, replicated_topic
from course_lib.kafka.replication_model import (
    ACKS,
    FAILURE_KINDS,
    MAX_WRITES,
    ReplicationResult,
    ReplicationScenario,
    canonical_acks,
)
from course_lib.kafka.replication_view import (
    format_table,
    render_replication,
    replication_figure,
)

__all__ = ["ACKS", "FAILURE_KINDS", "MAX_WRITES", "TABLE_SETTINGS", "ReplicationResult",
           "ReplicationScenario", "canonical_acks", "describe_topic_replicas", "format_table",
           "render_replication", "replicated_topic", "replication_figure", "replication_table",
           "simulate", "simulate_replication"]
