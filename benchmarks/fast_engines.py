"""Each fast twin against its simpy model, on the scenario its dashboard runs on a slider move.

Why: a fast twin is code to keep exact (``course_lib/core/engines.py``); it stays only where the
simpy model alone would miss the 100 ms slider goal. Each row times one dashboard redraw's worth
of runs (the lesson-02 race runs four policies; lesson 06's table four styles), median of 5,
at the default knobs or, where the default is light, at the busiest slider position.

Run alone: ``python -m benchmarks.fast_engines`` prints the table ``make bench`` writes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import NamedTuple

from course_lib.capstone.models.engine import Problem, pieces
from course_lib.capstone.models.references import REFERENCE_DESIGNS
from course_lib.components import PathScenario, simulate_path, simulate_server
from course_lib.kafka.models.decision import IntegrationScenario
from course_lib.kafka.models.decision_engine import compare
from course_lib.kafka.models.group import GroupScenario, simulate_group
from course_lib.lb.models.experiments import COMPARED, SEED, _race_scenario, failover_scenario
from course_lib.lb.models.scenario import Backend, HealthCheck, Scenario
from course_lib.lb.models.simulate import simulate

GOAL_MS = 100.0


class Pair(NamedTuple):
    model: str
    dashboard: str
    simpy_ms: float
    fast_ms: float

    @property
    def needed(self) -> bool:
        """The simpy model alone would miss the slider goal, so the twin earns its keep."""
        return self.simpy_ms > GOAL_MS


def _median_ms(run: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _capstone_quiet_pieces(engine: str) -> None:
    """The API-tier runs of lesson 07's default design for the pieces of its day without a
    failure (health checks and timeouts on, neither acting), as the capstone's engine builds
    them; the fifth piece (the crash and the hang) always takes the simpy engine."""
    design, problem = REFERENCE_DESIGNS["N+1"], Problem(seed=2026)
    work, script = problem.work, problem.script
    for i, (start, end, rate, factor) in enumerate(pieces(problem)):
        if start < script.hang_end_at and end > script.crash_at:
            continue
        rate_each = design.concurrency / (work.app_time + work.db_time * factor)
        simulate(Scenario(tuple(Backend(f"api{k + 1}", rate_each)
                                for k in range(design.api_servers)),
                          policy=design.policy, arrival_rate=rate, duration=end - start,
                          health_check=HealthCheck(interval=design.interval, fall=design.fall),
                          retries=design.retries, seed=problem.seed * 1000 + i,
                          request_timeout=work.request_timeout, standby="hot"),
                 engine=engine)


def _race(engine: str) -> None:
    backends = tuple(Backend(f"s{i + 1}", 10.0) for i in range(4))
    for policy in COMPARED:
        simulate(_race_scenario(backends, 32.0, 120.0, policy, SEED), engine=engine)


CASES: dict[str, tuple[str, Callable[[str], object]]] = {
    "lb.simulate (fastpath)": ("02 policy race, 4 policies × 120 s", _race),
    "lb.simulate (failover_fast)": (  # the slider's top: the default (120) is ~40 % less
        "03 failover at the arrival slider's top, 195 req/s × 60 s",
        lambda e: simulate(failover_scenario(arrival_rate=195.0, recover_at=None), engine=e)),
    "components.simulate_server (recurrence)": (
        "01 load curve point, ρ = 0.85, 20,000 requests",
        lambda e: simulate_server(34.0, 10.0, 4, duration=20_000 / 34.0, engine=e)),
    "components.simulate_path (pathfast)": (  # the slider's top: the default (50) is ~6× less
        "01 request path at the slider's top, 600 req/s × 60 s",
        lambda e: simulate_path(PathScenario(arrival_rate=600.0, workers=16), engine=e)),
    "lb.simulate (fastpath_checked)": (
        "07 capstone day, the 4 API-tier pieces without a failure",
        _capstone_quiet_pieces),
    "kafka.decision (decision_fast)": (
        "06 trade-offs, 4 styles × 30 s at 200 msg/s",
        lambda e: compare(IntegrationScenario(), seed=2026, engine=e)),
    "kafka.simulate_group (group_fast)": (  # the slider's top: the default (120) is 3× less
        "04 group lag at the slider's top, 400 msg/s × 60 s",
        lambda e: simulate_group(GroupScenario(produce_rate=400.0, seed=2026), engine=e)),
}


def _pair(model: str, dashboard: str, run: Callable[[str], object]) -> Pair:
    return Pair(model, dashboard, _median_ms(lambda: run("simpy")), _median_ms(lambda: run("auto")))


def measure() -> list[Pair]:
    return [_pair(model, dashboard, run) for model, (dashboard, run) in CASES.items()]


def table(rows: list[Pair]) -> list[str]:
    out = ["| model (fast twin) | dashboard redraw | simpy ms | fast ms | speed-up | "
           "simpy alone > 100 ms (twin needed) |",
           "|---|---|---:|---:|---:|---|"]
    for r in rows:
        out.append(f"| {r.model} | {r.dashboard} | {r.simpy_ms:.0f} | {r.fast_ms:.0f} | "
                   f"{r.simpy_ms / r.fast_ms:.1f}× | {'yes' if r.needed else 'no'} |")
    return out


if __name__ == "__main__":
    print("\n".join(table(measure())))
