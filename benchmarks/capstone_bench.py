"""The capstone's evaluator: one evaluation per design (median and p95), and a 200-design sweep.

Target (issue 16): an evaluation well under 0.5 s on 2 cores (median), so a slider can drive it
and a lesson can sweep a hundred designs. ``python -m benchmarks.capstone_bench`` prints the
Markdown rows; ``benchmarks/run.py`` does not call it yet.
"""

from __future__ import annotations

import statistics
import sys
import time

from course_lib.capstone import evaluate
from course_lib.capstone.references import REFERENCE_DESIGNS, design_grid, sweep

TARGET_S = 0.5


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


def markdown() -> list[str]:
    """The section for RESULTS.md."""
    lines = ["### Capstone evaluator (course_lib.capstone.evaluate)", "",
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
              f"Sweep of {count} designs: {seconds:.1f} s ({seconds / count:.3f} s per design)."]
    return lines


if __name__ == "__main__":
    sys.stdout.write("\n".join(markdown()) + "\n")
