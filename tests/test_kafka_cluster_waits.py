"""The cluster observer's waits without a cluster: a fake admin client that fails as a broker
coming and going does (retried) or as a bad request does (raised at once)."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaConnectionError, TopicAuthorizationFailedError, UnknownBrokerIdError

from course_lib.kafka.runtime.cluster_observe import ClusterError, ClusterObserver, ClusterTimeout


class FakeCluster(ClusterObserver):
    def __init__(self, failures: list[Exception]) -> None:
        self.failures, self.admins = failures, 0

    def admin(self, **overrides):
        self.admins += 1
        if self.failures:
            raise self.failures.pop(0)
        return self

    def describe_cluster(self):
        return {"brokers": [{"broker_id": 2}, {"broker_id": 1, "is_fenced": True}]}

    def close(self) -> None:
        pass


def test_transient_errors_are_retried():
    cluster = FakeCluster([KafkaConnectionError("refused"), UnknownBrokerIdError(3),
                           ConnectionResetError()])
    assert cluster.registered_brokers(timeout_s=5) == [2] and cluster.admins == 4


def test_a_non_retriable_error_is_raised_at_once():
    cluster = FakeCluster([TopicAuthorizationFailedError("no"), KafkaConnectionError("x")])
    with pytest.raises(TopicAuthorizationFailedError):
        cluster.registered_brokers(timeout_s=5)
    assert cluster.admins == 1


def test_a_cluster_that_never_answers_is_a_cluster_timeout():
    cluster = FakeCluster([KafkaConnectionError("refused")] * 1000)
    with pytest.raises(ClusterError, match=r"timed out after 0\.3 s waiting for the cluster to "
                                           r"answer: .*refused") as caught:
        cluster.registered_brokers(timeout_s=0.3)
    assert isinstance(caught.value, ClusterTimeout) and isinstance(caught.value, TimeoutError)


def test_wait_for_returns_the_seconds_it_took_or_names_what_it_waited_for():
    cluster = FakeCluster([])
    assert cluster.wait_for(lambda: True, 1, "nothing") < 0.1
    with pytest.raises(ClusterTimeout, match=r"^timed out after 0\.1 s waiting for the ISR$"):
        cluster.wait_for(lambda: False, 0.1, "the ISR", interval_s=0.02)
