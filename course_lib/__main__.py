"""Command line: ``python -m course_lib doctor | broker | kafka``, and the grading subcommands
(``grade``, ``student-version``, ``hide-solutions``, ``progress``: in ``grading/cli.py``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from course_lib.core.procs import StopSignal, stop_on_sigterm


def _broker(_args: argparse.Namespace) -> int:
    """Run the embedded broker in the foreground until Ctrl-C (or SIGTERM)."""
    from course_lib.core.errors import BrokerError
    from course_lib.kafka.runtime.embedded import start_broker

    # Installed before anything is printed: a SIGTERM right after the address appears must
    # still stop the broker cleanly (exit 0), not kill this process mid-way.
    stop = stop_on_sigterm()
    try:
        broker = start_broker()
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Embedded Kafka broker (Tansu) listening on {broker.address} "
          f"(started in {broker.startup_s * 1000:.0f} ms; memory-only storage).")
    print(f"Use it with: export KAFKA_BOOTSTRAP_SERVERS={broker.address}")
    try:
        code = _serve(stop, broker.running, "the broker")
    finally:
        broker.stop()
    print("Broker stopped.")
    return code


def _serve(stop: StopSignal, running: Callable[[], bool], what: str,
           poll_s: float = 0.2) -> int:
    """Wait for Ctrl-C or SIGTERM (``stop``); 1 if ``what`` dies first, else 0."""
    print("Press Ctrl-C to stop it.", flush=True)
    try:
        while not stop.requested:
            time.sleep(poll_s)
            if not stop.requested and not running():
                print(f"error: {what} exited unexpectedly", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        pass
    return 0


def _kafka(args: argparse.Namespace) -> int:
    """Fetch Kafka's jars (``--fetch``), or run an Apache Kafka cluster until Ctrl-C."""
    from course_lib.kafka.runtime import jars
    from course_lib.kafka.runtime.cluster import ClusterError, KafkaCluster

    try:
        folder = jars.fetch(progress=True)
    except jars.JarsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.fetch:
        print(f"Apache Kafka {jars.KAFKA_VERSION}: {len(jars.read_lock())} jars in {folder}")
        return 0
    stop = stop_on_sigterm()
    cluster = KafkaCluster(brokers=args.brokers, auto_create_topics=True)  # stock, as yours
    try:
        cluster.start()
    except (ClusterError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"Apache Kafka {jars.KAFKA_VERSION}, {args.brokers} broker(s) ready in "
              f"{cluster.startup_s:.1f} s; data in {cluster.root}")
        for broker_id in cluster.broker_ids:
            print(f"  broker {broker_id}: {cluster.address(broker_id)} "
                  f"(pid {cluster.pid(broker_id)})")
        print(f"Use it with: export KAFKA_BOOTSTRAP_SERVERS={cluster.bootstrap_servers}")
        code = _serve(stop, lambda: all(map(cluster.running, cluster.broker_ids)), "a broker")
    finally:
        cluster.stop()
    print("Cluster stopped.")
    return code


def _doctor(_args: argparse.Namespace) -> int:
    from course_lib import doctor

    return doctor.main()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib",
                                     description="System Design Lab helpers.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check that this machine has what the course needs"
                   ).set_defaults(run=_doctor)
    sub.add_parser("broker", help="run the embedded Kafka broker in the foreground"
                   ).set_defaults(run=_broker)
    kafka = sub.add_parser("kafka", help="run an Apache Kafka cluster in the foreground")
    kafka.add_argument("--brokers", type=int, default=1, help="how many brokers (1-5)")
    kafka.add_argument("--fetch", action="store_true",
                       help="only fetch and verify the jars (what 'make kafka' does)")
    kafka.set_defaults(run=_kafka)
    from course_lib.grading.cli import add_subcommands

    add_subcommands(sub)  # grade, student-version, hide-solutions, progress
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
