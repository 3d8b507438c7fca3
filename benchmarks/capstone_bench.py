"""The capstone: one evaluation per design (median and p95), a 200-design sweep, a live run.

Targets (issue 16): an evaluation well under 0.5 s on 2 cores (median), so a slider can drive it
and a lesson can sweep a hundred designs; a live run (``run_live``) in at most about 2 minutes.
``python -m benchmarks.capstone_bench`` prints the Markdown rows; ``benchmarks/run.py`` adds them
to RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import time

from course_lib.capstone import evaluate
from course_lib.capstone.live.shop.run import run_live, why_not_live
from course_lib.capstone.models.references import REFERENCE_DESIGNS, design_grid, sweep

TARGET_S = 0.5
LIVE_TARGET_S = 120.0


def evaluate_times(runs: int = 9) -> dict[str, list[float]]:
    """Seconds per :func:`evaluate` call for each reference design, ``runs`` seeds each."""
    out = {}
    for name, design in REFERENCE_DESIGNS.items():
        times = []
        for seed in range(runs):
            started = time.perf_counter()
            evaluate(design, seed=seed)
            times.append(time.perf_counter() - started)
        out[name] = times
    return out


def sweep_seconds(designs: int = 200) -> tuple[int, float]:
    """Wall time of one sweep over the first ``designs`` designs of a 240-design grid."""
    grid = design_grid(api_servers=(1, 2, 3, 4, 5), standby=("none", "hot"))[:designs]
    started = time.perf_counter()
    sweep(grid, seed=0)
    return len(grid), time.perf_counter() - started


def live_lines(name: str = "N+1") -> list[str]:
    """Wall time of one live run of a reference design (its own Kafka cluster included)."""
    why = why_not_live()
    if why is not None:
        return [f"Live run: not measured here ({why})."]
    started = time.perf_counter()
    run = run_live(REFERENCE_DESIGNS[name], seed=0)
    seconds = time.perf_counter() - started
    verdict = "met" if seconds <= LIVE_TARGET_S else "NOT met"
    clear = run.clear_cut()
    split = [c.text for c in run.verdicts() if c.text in clear and not c.agree]
    agree = ("agree on every clear-cut objective" if not split
             else f"DISAGREE on {', '.join(split)}")
    return [f"Live run of the {name} design (start a {run.meta['brokers']}-broker Apache Kafka, "
            f"play the 48 s day, drain, stop): {seconds:.0f} s wall — target <= "
            f"{LIVE_TARGET_S:.0f} s: {verdict}; measured and simulated {agree}."]


def markdown() -> list[str]:
    """The section for RESULTS.md."""
    lines = ["### Evaluator (course_lib.capstone.evaluate)", "",
             "| design | runs | median s | p95 s | max s |", "|---|---:|---:|---:|---:|"]
    everything = []
    for name, times in evaluate_times().items():
        everything += times
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        lines.append(f"| {name} | {len(times)} | {statistics.median(times):.3f} | {p95:.3f} | "
                     f"{max(times):.3f} |")
    median = statistics.median(everything)
    verdict = "met" if median < TARGET_S else "NOT met"
    count, seconds = sweep_seconds()
    lines += ["", f"Target — median evaluation < {TARGET_S} s: {verdict} "
                  f"(median {median:.3f} s over all runs).",
              f"Sweep of {count} designs: {seconds:.1f} s ({seconds / count:.3f} s per design).",
              "", *live_lines()]
    return lines


if __name__ == "__main__":
    sys.stdout.write("\n".join(markdown()) + "\n")
