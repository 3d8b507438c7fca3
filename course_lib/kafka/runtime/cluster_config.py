"""The configuration of a lab Apache Kafka in KRaft mode: roles, ports, and lab tuning.

Topology. One broker is a single combined node (``process.roles=broker,controller``): one JVM,
the quickest start. Two or more brokers get a **controller-only node** (id 100) beside
broker-only nodes 1..N, so that any broker, or any two, can be killed while the metadata quorum
(the one controller) survives: the controller then fences the dead brokers and shrinks the ISR,
and a producer with ``acks=all`` gets ``NotEnoughReplicas`` instead of a time-out. With three
combined nodes, two down would lose the quorum and every lesson would show time-outs.

Lab tuning (defaults from Kafka's own config classes; see ``shared/notes/apache-kafka.md``):
failure detection in about 3 s instead of 9 s (``broker.session.timeout.ms``), an ISR that drops
a frozen follower after 3 s instead of 30 s, a first group join with no 3 s delay, unclean
elections checked every second instead of every five minutes, few threads and a small cleaner
buffer for two cores and small heaps (``LAB_TUNING``). Nothing in it changes what a plain
client sees: the lessons' default broker is otherwise stock Kafka, topic auto-creation included.
A lab cluster (``auto_create_topics=False``, ``KafkaCluster``'s default) also turns
auto-creation off (``LAB_CLUSTER_ONLY`` says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_lib.kafka.models.settings import LAB_CLUSTER_ONLY, LAB_TUNING

CONTROLLER_ID = 100

LOG4J2 = """status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.periodic.name = org.apache.kafka.controller.PeriodicTaskControlManager
logger.periodic.level = WARN
"""


@dataclass(frozen=True)
class NodeSpec:
    """One KRaft node: its id, roles, ports and folder."""

    node_id: int
    roles: str             # "broker,controller", "broker" or "controller"
    broker_port: int | None
    controller_port: int | None
    directory: Path

    @property
    def is_broker(self) -> bool:
        return "broker" in self.roles

    @property
    def config_file(self) -> Path:
        return self.directory / "server.properties"

    @property
    def log_dir(self) -> Path:
        return self.directory / "logs"

    @property
    def server_log(self) -> Path:
        return self.log_dir / "server.log"


def plan_nodes(brokers: int, root: Path, ports: list[int]) -> list[NodeSpec]:
    """The nodes of a cluster with ``brokers`` brokers (see the module docstring for why)."""
    if brokers == 1:
        return [NodeSpec(1, "broker,controller", ports[0], ports[1], root / "node-1")]
    nodes = [NodeSpec(CONTROLLER_ID, "controller", None, ports[0], root / "controller")]
    nodes += [NodeSpec(i, "broker", ports[i], None, root / f"node-{i}")
              for i in range(1, brokers + 1)]
    return nodes


def ports_needed(brokers: int) -> int:
    return 2 if brokers == 1 else brokers + 1


def replication_defaults(brokers: int) -> dict[str, str]:
    """Internal topics replicated as widely as the cluster allows; min ISR 2 where possible."""
    rf = min(3, brokers)
    min_isr = str(min(2, rf))
    return {
        "offsets.topic.replication.factor": str(rf),
        "transaction.state.log.replication.factor": str(rf),
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": str(rf),
        "share.coordinator.state.topic.min.isr": min_isr,
        "default.replication.factor": str(rf),
        "min.insync.replicas": "1",
        "num.partitions": "1",
    }


def node_properties(node: NodeSpec, nodes: list[NodeSpec], brokers: int,
                    extra: dict[str, str] | None = None, *,
                    auto_create_topics: bool = False) -> str:
    """The ``server.properties`` text of ``node``: a lab cluster's unless ``auto_create_topics``
    (the lessons' default broker), which leaves Kafka's stock ``auto.create.topics.enable``."""
    voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}"
                      for n in nodes if n.controller_port is not None)
    listeners = []
    if node.broker_port is not None:
        listeners.append(f"PLAINTEXT://127.0.0.1:{node.broker_port}")
    if node.controller_port is not None:
        listeners.append(f"CONTROLLER://127.0.0.1:{node.controller_port}")
    props = {
        "process.roles": node.roles,
        "node.id": str(node.node_id),
        "controller.quorum.voters": voters,
        "listeners": ",".join(listeners),
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(node.directory / "data"),
    }
    if node.is_broker:
        props["advertised.listeners"] = f"PLAINTEXT://127.0.0.1:{node.broker_port}"
        props["inter.broker.listener.name"] = "PLAINTEXT"
    props |= LAB_TUNING | replication_defaults(brokers)
    if not auto_create_topics:
        props |= LAB_CLUSTER_ONLY
    props |= extra or {}
    return "".join(f"{key}={value}\n" for key, value in props.items())
