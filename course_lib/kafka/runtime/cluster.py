"""A real Apache Kafka 4.x in KRaft mode on 127.0.0.1, started by the course itself.

``KafkaCluster(brokers=3)`` formats and starts the nodes (``cluster_config`` explains the
topology and tuning), waits until it is *ready* — every broker registered and unfenced, the
internal offsets topic created with a leader for each partition — and then lets a lesson break
it the way production breaks: ``kill(id)`` (SIGKILL, a crash), ``kill(id, how="term")`` (SIGTERM,
a controlled shutdown that moves leadership first), ``kill(id, how="stop")`` (SIGSTOP, a frozen
process: alive to the kernel, silent to Kafka), ``resume(id)`` and ``restart(id)`` (same data
directory, so the broker catches up and rejoins the ISR).

Every JVM is a child in its own process group that asks the kernel for SIGKILL when its parent
dies (``PR_SET_PDEATHSIG``), and ``atexit`` stops the cluster on a normal exit: no JVM outlives a
killed kernel or test run. Data lives in a temporary folder removed by ``stop()``.

Measured on this project's 2-core machines (Kafka 4.3.2, OpenJDK 17; ``benchmarks/RESULTS.md``
has the current figures): formatting a node takes about 2 s of JVM time; one combined node is
ready in about 5–7 s and holds about 230–260 MB resident; a 3-broker cluster (4 JVMs) is ready in
about 15 s.
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import weakref
from pathlib import Path
from typing import Literal

from course_lib.core import procs, progress
from course_lib.core.loopback import free_port
from course_lib.kafka.runtime import jars
from course_lib.kafka.runtime.cluster_config import (
    LOG4J2,
    NodeSpec,
    node_properties,
    plan_nodes,
    ports_needed,
)
from course_lib.kafka.runtime.cluster_observe import (
    READY_TIMEOUT_S,
    ClusterError,
    ClusterObserver,
    _tail,
)
from course_lib.kafka.runtime.java import find_java, why_no_java

HEAP = "384m"
#: Small heaps, the serial collector and the C1 compiler only: quick starts on two cores.
JVM_OPTIONS = ("-Xms64m", f"-Xmx{HEAP}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
               "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true")
#: Marks every process the course starts, so a CI run can find exactly its own leftovers.
MARKER_ENV = "SDL_COURSE_CHILD"
_live: weakref.WeakSet[KafkaCluster] = weakref.WeakSet()


def new_cluster_id() -> str:
    """A Kafka cluster id: 22 URL-safe base64 characters, as ``kafka-storage random-uuid`` makes.

    Drawn again when it starts with ``-`` (1 in 64): the StorageTool would read it as an option
    and fail with "argument --cluster-id/-t: expected one argument". (A random uuid4 is never one
    of the two reserved ids, all zeros and 0…01: its version bits are set.)
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaCluster(ClusterObserver):
    """Apache Kafka with ``brokers`` brokers on 127.0.0.1; a context manager.

    A lab cluster by default: topic auto-creation is off (``models/settings.LAB_CLUSTER_ONLY``
    says why), so create topics with ``course_lib.kafka.create_topic(name, partitions,
    bootstrap_servers=cluster.bootstrap_servers)``. The course's producers
    (``make_producer(bootstrap_servers=...)``) then fail within seconds on a missing topic,
    naming it; a raw ``kafka.KafkaProducer`` is out of the course's hands and waits its
    ``max_block_ms`` (60 s) before "Failed to update metadata". ``auto_create_topics=True``
    gives stock Kafka's behaviour (the lessons' default broker, ``python -m course_lib kafka``).
    """

    def __init__(self, brokers: int = 3, *, ready_timeout_s: float = READY_TIMEOUT_S,
                 broker_config: dict[str, str] | None = None,
                 auto_create_topics: bool = False) -> None:
        if isinstance(brokers, bool) or not isinstance(brokers, int) or not 1 <= brokers <= 5:
            raise ValueError(f"brokers must be an integer from 1 to 5 (got {brokers!r})")
        self.brokers = brokers
        self.ready_timeout_s = ready_timeout_s
        self.broker_config = dict(broker_config or {})
        self.auto_create_topics = auto_create_topics
        self.root: Path | None = None
        self.nodes: dict[int, NodeSpec] = {}
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.frozen: set[int] = set()
        self.startup_s = 0.0
        self.cluster_id = new_cluster_id()

    # ----------------------------------------------------------------- lifecycle
    def __enter__(self) -> KafkaCluster:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> KafkaCluster:
        """Format every node, start them, and wait until the cluster is ready."""
        if self.processes:
            return self
        java = find_java()
        if java is None:
            raise ClusterError(why_no_java())
        jars.fetch()
        self.java = java.path
        self.classpath = jars.classpath()
        started = time.perf_counter()
        self.root = Path(tempfile.mkdtemp(prefix="sdl-kafka-"))
        (self.root / "log4j2.properties").write_text(LOG4J2)
        ports = [free_port() for _ in range(ports_needed(self.brokers))]
        specs = plan_nodes(self.brokers, self.root, ports)
        self.nodes = {spec.node_id: spec for spec in specs}
        _live.add(self)
        try:  # the phases go to the lab's progress line, if one is open (seconds each)
            progress.phase(f"formatting {len(specs)} Kafka nodes")
            self._format(specs)
            for spec in specs:
                self._spawn(spec)
            progress.phase(f"starting {self.brokers} broker{'s' * (self.brokers != 1)}")
            self.wait_ready(self.ready_timeout_s)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.perf_counter() - started
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop every node (SIGTERM, then SIGKILL) and remove the data folder.

        The brokers go first, together, then the controller: a broker's controlled shutdown
        asks the controller, so stopping the controller first left each broker waiting for it
        until SIGKILL (15 s for three brokers; now about 1 s)."""
        brokers = [n for n in self.processes if self.nodes[n].is_broker]
        for group in (brokers, [n for n in self.processes if n not in brokers]):
            procs.stop_all([self.processes[n] for n in group], timeout_s / 2)  # thaws any frozen
        self.processes.clear()
        self.frozen.clear()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        _live.discard(self)

    # ----------------------------------------------------------------- processes
    def _java_command(self, spec: NodeSpec, main: str, *args: str, heap: str = HEAP) -> list[str]:
        assert self.root is not None
        options = [o if not o.startswith("-Xmx") else f"-Xmx{heap}" for o in JVM_OPTIONS]
        return [self.java, *options, f"-Dkafka.logs.dir={spec.log_dir}",
                f"-Dlog4j2.configurationFile={self.root / 'log4j2.properties'}",
                "-cp", self.classpath, main, *args]

    def _popen(self, command: list[str], log: Path) -> subprocess.Popen[bytes]:
        return procs.spawn(command, owner="kafka", log=log, env={**os.environ, MARKER_ENV: "kafka"})

    def _format(self, specs: list[NodeSpec]) -> None:
        """Run Kafka's StorageTool on every node at once (same cluster id, static voters)."""
        running = []
        for spec in specs:
            spec.directory.mkdir(parents=True, exist_ok=True)
            spec.config_file.write_text(node_properties(
                spec, list(self.nodes.values()), self.brokers, self.broker_config,
                auto_create_topics=self.auto_create_topics))
            command = self._java_command(spec, "kafka.tools.StorageTool", "format",
                                         f"--cluster-id={self.cluster_id}",
                                         "-c", str(spec.config_file),
                                         heap="256m")
            running.append((spec, self._popen(command, spec.directory / "format.log")))
        for spec, process in running:
            try:
                code = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
            if code != 0:
                raise ClusterError(f"formatting node {spec.node_id} failed (exit {code}):\n"
                                   + _tail(spec.directory / "format.log"))

    def _spawn(self, spec: NodeSpec) -> None:
        command = self._java_command(spec, "kafka.Kafka", str(spec.config_file))
        self.processes[spec.node_id] = self._popen(command, spec.directory / "stdout.log")

    def _end(self, node_id: int, sig: signal.Signals, timeout_s: float) -> int | None:
        process = self.processes.get(node_id)
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        self.frozen.discard(node_id)  # procs.stop continues a stopped process first
        # SIGKILL after the timeout: a controlled shutdown can hang once the quorum is gone.
        return procs.stop(process, timeout_s, sig)

    # ----------------------------------------------------------------- the lesson's verbs
    @property
    def broker_ids(self) -> list[int]:
        return sorted(i for i, spec in self.nodes.items() if spec.is_broker)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{self.nodes[i].broker_port}" for i in self.broker_ids)

    def up_bootstrap_servers(self) -> str:
        """The brokers that are up (every broker if none is): what a client made *after* a
        failure should bootstrap from; kafka-python 3.0 tries one listed address at random per
        attempt, so dead ones listed can use up its whole bootstrap timeout."""
        return ",".join(self.address(i) for i in (self.alive_brokers() or self.broker_ids))

    def address(self, broker_id: int) -> str:
        return f"127.0.0.1:{self._spec(broker_id).broker_port}"

    def pid(self, broker_id: int) -> int:
        return self.processes[self._spec(broker_id).node_id].pid

    def running(self, broker_id: int) -> bool:
        process = self.processes.get(self._spec(broker_id).node_id)
        return process is not None and process.poll() is None

    def alive_brokers(self) -> list[int]:
        """Brokers whose process runs and is not frozen."""
        return [i for i in self.broker_ids if self.running(i) and i not in self.frozen]

    def _spec(self, broker_id: int) -> NodeSpec:
        spec = self.nodes.get(broker_id)
        if spec is None or not spec.is_broker:
            raise ValueError(f"broker_id must be one of {self.broker_ids} (got {broker_id!r})")
        return spec

    def kill(self, broker_id: int, how: Literal["kill", "term", "stop"] = "kill",
             timeout_s: float = 30.0) -> None:
        """Crash (``kill``), shut down cleanly (``term``, waits for the exit), freeze (``stop``)."""
        self._spec(broker_id)
        if how not in ("kill", "term", "stop"):
            raise ValueError(f"how must be 'kill', 'term' or 'stop' (got {how!r})")
        if not self.running(broker_id):
            raise ClusterError(f"broker {broker_id} is not running")
        if how == "stop":
            os.kill(self.pid(broker_id), signal.SIGSTOP)
            self.frozen.add(broker_id)
            return
        self._end(broker_id, signal.SIGKILL if how == "kill" else signal.SIGTERM, timeout_s)

    def resume(self, broker_id: int) -> None:
        """Thaw a broker frozen with ``kill(id, how="stop")``."""
        if broker_id not in self.frozen:
            raise ClusterError(f"broker {broker_id} is not frozen")
        os.kill(self.pid(broker_id), signal.SIGCONT)
        self.frozen.discard(broker_id)

    def restart(self, broker_id: int, timeout_s: float = 30.0) -> None:
        """Start a broker again on its own data (stopping it cleanly first if it runs).

        Call it from the main thread: the new JVM dies when the *thread* that started it ends
        (``course_lib.core.procs``), so a restart from a short-lived worker thread would not last.
        """
        spec = self._spec(broker_id)
        if self.running(broker_id):
            self._end(broker_id, signal.SIGTERM, timeout_s)
        self._spawn(spec)
        self.wait_for(lambda: broker_id in self.registered_brokers(), timeout_s,
                      f"broker {broker_id} to register again")


def _stop_all() -> None:
    for cluster in list(_live):
        cluster.stop()


atexit.register(_stop_all)
