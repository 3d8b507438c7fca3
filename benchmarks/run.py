"""``make bench``: measure everything issue-level targets talk about, write RESULTS.md.

Targets: every dashboard's slider latency ≤ 100 ms at the 95th percentile (a slider must feel
live on every move, not only the typical one); simulators at least as fast as Ciw on the same
model; the 60 s / 4 backends / 200 req/s failover scenario well under a second; the embedded
broker up in under 2 s; Apache Kafka ready within 10 s (1 broker) and 30 s (3 brokers) with at
most 700 MB resident per broker; ``make test`` under 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    capstone_bench,
    fast_engines,
    kafka_bench,
    kafka_differential,
    notebooks_bench,
    sim_throughput,
)
from course_lib.kafka.runtime import cluster, jars
from course_lib.kafka.runtime.java import find_java

RESULTS = Path(__file__).with_name("RESULTS.md")
PACKAGES = ("simpy", "ciw", "plotly", "ipywidgets", "kafka-python", "nbval", "jupyterlab")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> list[str]:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES)
    return [f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"{_cpu()}",
            f"- Python {platform.python_version()}; {versions}"]


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-make-test", action="store_true",
                        help="do not time a full `make test` (it takes minutes)")
    args = parser.parse_args(argv)
    out = ["# Benchmark results", "", "Written by `make bench` (benchmarks/run.py).", "",
           *machine(), ""]

    print("simulator throughput ...", flush=True)
    rows = sim_throughput.measure()
    ciw_rate = next(r.per_second for r in rows if r.name.startswith("Ciw"))
    bare_rate = next(r.per_second for r in rows if r.name.startswith("bare"))
    lam, mu, c, T = (sim_throughput.ARRIVAL_RATE, sim_throughput.SERVICE_RATE,
                     sim_throughput.SERVERS, sim_throughput.DURATION)
    out += ["## Simulator throughput", "",
            f"M/M/c with λ = {lam:g}/s, μ = {mu:g}/s, c = {c}, {T:g} s simulated; best of 3.", "",
            "| engine | requests | wall s | requests/s | vs bare simpy | vs Ciw |",
            "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r.name} | {r.requests} | {r.seconds:.3f} | {r.per_second:,.0f} | "
                   f"{r.per_second / bare_rate:.2f} | {r.per_second / ciw_rate:.2f} |")
    ours = [r for r in rows if r.name.startswith("lesson")]
    out += ["", f"Target — our simulators at least as fast as Ciw: "
            f"{verdict(all(r.per_second >= ciw_rate for r in ours))}."]
    out += ["", "lb.simulate takes its exact fast path (tested equal to the simpy engine) when "
            "nothing can fail, as here; the failover scenario below runs the simpy engine."]
    ref = sim_throughput.lb_reference_scenario_seconds()
    out += [f"Failover reference scenario (60 s, 4 backends, 200 req/s, health checks on): "
            f"{ref * 1000:.0f} ms median — target well under 1 s: {verdict(ref < 0.5)}.", ""]

    print("fast engines ...", flush=True)
    pairs = fast_engines.measure()
    out += ["## Fast twins", "",
            "Each fast engine against its simpy model on one dashboard redraw "
            "(`benchmarks/fast_engines.py`; exactness: `course_lib/core/engines.py`).", "",
            *fast_engines.table(pairs), "",
            f"Every twin kept earns its keep (the simpy model alone misses 100 ms): "
            f"{verdict(all(p.needed for p in pairs))}.", ""]

    print("broker ...", flush=True)
    starts = kafka_bench.summary(kafka_bench.startup_times())
    tput = kafka_bench.throughput()
    out += ["## Embedded Kafka broker (the fallback)", "",
            f"- Start-up (process start → first accepted connection), 10 starts: median "
            f"{starts['median_ms']:.0f} ms, max {starts['max_ms']:.0f} ms — target < 2 s: "
            f"{verdict(starts['max_ms'] < 2000)}.",
            f"- kafka-python, one producer (acks=all, linger 5 ms), {tput['messages']:,} messages "
            f"of {tput['size_bytes']} B: produce {tput['produce_per_s']:,.0f} msg/s; one assigned "
            f"consumer: {tput['consume_per_s']:,.0f} msg/s.", ""]

    print("apache kafka ...", flush=True)
    java = find_java()
    apache = kafka_bench.apache_kafka()
    one, three = apache["one_s"], apache["three_s"]
    out += ["## Apache Kafka (the default broker)", "",
            f"Kafka {jars.KAFKA_VERSION} in KRaft mode on "
            f"{java.describe() if java else 'no Java'}; "
            f"JVM options `{' '.join(cluster.JVM_OPTIONS)}`.", "",
            f"- Ready (format + start + every broker unfenced + `__consumer_offsets` led), "
            f"{len(one)} starts each: 1 broker median {statistics.median(one):.1f} s, max "
            f"{max(one):.1f} s — target ≤ 10 s: {verdict(max(one) <= 10)}; 3 brokers (controller "
            f"+ 3) median {statistics.median(three):.1f} s, max {max(three):.1f} s — target "
            f"≤ 30 s: {verdict(max(three) <= 30)}.",
            "- Resident memory just after start: " + ", ".join(
                f"{name} {mb:.0f} MB" for name, mb in apache["rss_mb"]) +
            f" — target ≤ 700 MB per broker: "
            f"{verdict(all(mb <= 700 for _, mb in apache['rss_mb']))}."]
    for name, t in apache["throughput"].items():
        out.append(f"- kafka-python against {name}, the same producer and consumer as above: "
                   f"produce {t['produce_per_s']:,.0f} msg/s; consume {t['consume_per_s']:,.0f} "
                   "msg/s.")
    out.append("")

    print("kafka model vs live, generated scenarios ...", flush=True)
    out += [kafka_differential.HEADING, "",
            *kafka_differential.markdown(kafka_differential.measure()), ""]

    print("capstone ...", flush=True)
    out += ["## Capstone (lesson 07)", "", *capstone_bench.markdown(), ""]

    print("notebooks ...", flush=True)
    out += ["## Notebooks", "",
            "Per notebook: seconds under nbval (`pytest --nbval`, as in `make test`), and the "
            "slider latency of its dashboards (median of medians, worst p95, worst move).", "",
            "| notebook | nbval s | passed | dashboards | median ms | p95 ms | max ms |",
            "|---|---:|---|---:|---:|---:|---:|"]
    response_time_rows = []
    for path in notebooks_bench.notebooks():
        seconds, passed = notebooks_bench.nbval_seconds(path)
        dashes = notebooks_bench.dashboard_response_times(path)
        response_time_rows += [(path.name, d) for d in dashes]
        if dashes:
            med = f"{statistics.median([d['median_ms'] for d in dashes]):.0f}"
            p95 = f"{max(d['p95_ms'] for d in dashes):.0f}"
            worst = f"{max(d['max_ms'] for d in dashes):.0f}"
        else:
            med = p95 = worst = "—"
        out.append(f"| {path.name} | {seconds:.1f} | {'yes' if passed else 'NO'} | {len(dashes)} "
                   f"| {med} | {p95} | {worst} |")
        print(f"  {path.name}: {seconds:.1f} s, {len(dashes)} dashboards", flush=True)
    out += ["", "### Slider-to-figure latency per dashboard", "",
            "Each control visits 30 values across its whole range (extremes included); each move "
            "is timed from the value change to the updated figure data.", "",
            "| notebook | render function | controls | moves | median ms | p95 ms | max ms |",
            "|---|---|---|---:|---:|---:|---:|"]
    for name, d in response_time_rows:
        out.append(f"| {name} | `{d['render']}` | {', '.join(d['controls'])} | {d['moves']} | "
                   f"{d['median_ms']:.0f} | {d['p95_ms']:.0f} | {d['max_ms']:.0f} |")
    slow = [(n, d) for n, d in response_time_rows if d["p95_ms"] > 100]
    out += ["", "Target — every dashboard's p95 ≤ 100 ms: " + (
        verdict(True) if not slow else verdict(False) + " for " + ", ".join(
            f"`{d['render']}` ({n})" for n, d in slow)), ""]

    if not args.skip_make_test:
        print("make test ...", flush=True)
        seconds, passed, kafka_s = notebooks_bench.make_test_seconds()
        out += ["## make test", "", f"- Whole suite: {seconds / 60:.1f} min "
                f"({'passed' if passed else 'FAILED'}) — target < 10 min: "
                f"{verdict(seconds < 600)}.",
                f"- Tests and lessons that use a Kafka broker: {kafka_s / 60:.1f} min, "
                f"{100 * kafka_s / seconds:.0f} % of the suite (pytest's per-test durations).", ""]
    RESULTS.write_text("\n".join(out) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
