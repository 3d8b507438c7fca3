"""Use case 2 on the real broker: a topic of orders consumed and aggregated as a stream.

The aggregation itself is the model's (:class:`~course_lib.kafka.models.windows.WindowAggregator`);
here the events come from Kafka, in the order one partition keeps them.
Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

import json

from course_lib.kafka.clients.io import consume_all
from course_lib.kafka.models.windows import WindowAggregator, Windowing, WindowResult


def stream_from_topic(topic: str, expected: int, windowing: Windowing,
                      by: str | None = None, timeout_s: float = 30.0) -> WindowResult:
    """Consume a one-partition topic of JSON orders from the start and aggregate it as a stream.

    One partition keeps arrival order; Kafka Streams keeps stream time per partition too.
    """
    agg = WindowAggregator(windowing, by)

    def handle(records: list) -> None:
        for r in records:
            agg.add(json.loads(r.value))

    consume_all(topic, 1, expected, handle, timeout_s)
    return agg.close()
