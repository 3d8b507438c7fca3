"""Measured against simulated for the Kafka failover lab: claims, verdicts, the stored runs.

A live run and a simulation never give equal counts (the lab sends at a fixed rate, the model
draws Poisson arrivals; the real controller's timers have their own phase), so the comparison is
about **claims** (:class:`~course_lib.core.claims.Claim`) — booleans such as "no acknowledged
record lost" or "the partition went offline" — each decided once from the measurement and once
from the model; they agree when both say the same. A claim's row depends only on the booleans,
so nbval can check it on any machine where the claims hold. Raw counts and timings are shown
too, in cells whose output is ignored.

Where no Apache Kafka can start (no Java, no jars), :func:`live_or_stored` loads
:data:`STORED_PATH`, runs measured on a 2-core Linux machine (:func:`record` writes it), and
labels them so (:mod:`course_lib.core.runs` keeps the file and makes the label).

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

import dataclasses
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_lib.core import progress as core_progress
from course_lib.core.claims import Claim
from course_lib.core.runs import RunStore
from course_lib.core.runs import label as run_label
from course_lib.kafka.live.failover.result import FailoverRun
from course_lib.kafka.live.failover.run import heal, quiet_client_logs, run_live
from course_lib.kafka.models.failover import LiveScenario, lab_scenarios, to_model
from course_lib.kafka.models.replication import ReplicationResult
from course_lib.kafka.models.replication_engine import simulate

__all__ = ["NO_CLUSTER", "STORE", "STORED_PATH", "claims", "live_or_stored", "load_runs",
           "numbers_rows", "record", "run_all", "save_runs", "simulate_all", "simulate_as",
           "start_lab_cluster", "text_table", "UNSETTLED", "verdict_rows"]

STORED_PATH = Path(__file__).with_name("stored_runs.json")
_OUTCOME = {"acknowledged": "A", "rejected": "R", "pending": "P"}


def _sim_leader_changed(sim: ReplicationResult) -> bool:
    return any(e["kind"] in ("leader_elected", "unclean_leader_elected") for e in sim.events)


def _live_new_leader(run: FailoverRun) -> bool:
    first = run.watch[0]["leader"] if run.watch else None
    return any(w["leader"] not in (None, first) for w in run.watch)


def claims(run: FailoverRun, sim: ReplicationResult) -> list[Claim]:
    """The claims that matter for the run's failure (see the module docstring)."""
    failure = run.scenario.failure
    yes_no = Claim.equal
    if run.scenario.acks == "0":  # fire and forget loses a little even at best: how much?
        out = [yes_no("under 1 % of acknowledged records lost",
                      run.lost < 0.01 * run.acknowledged,
                      sim.lost + sim.unavailable < 0.01 * sim.acknowledged)]
    else:
        out = [yes_no("no acknowledged record lost", run.lost == 0,
                      sim.lost + sim.unavailable == 0)]
    if failure in ("kill_leader", "term_leader"):
        out += [yes_no("no record written twice", run.duplicates == 0, sim.duplicates == 0),
                yes_no("no write rejected", run.rejected == 0, sim.rejected == 0),
                yes_no("another broker became leader", _live_new_leader(run),
                       _sim_leader_changed(sim))]
    elif failure == "two_followers_down":
        out += [yes_no("writes rejected with NotEnoughReplicas",
                       run.reasons().get("NotEnoughReplicasError", 0) > 0,
                       sim.reasons().get("NOT_ENOUGH_REPLICAS", 0) > 0),
                yes_no("the leader stayed, so reads went on",
                       all(w["leader"] is not None for w in run.watch) and len(run.read_back) > 0,
                       sim.reads_served_after_last_failure > 0)]
        if run.scenario.down_time is not None:  # the followers return: the watermark moves
            out.append(yes_no("writes told \"failed\" are in the log all the same",
                              run.indefinite > 0, sim.indefinite > 0))
    else:
        out += [yes_no("the partition went offline (no leader)",
                       any(w["leader"] is None for w in run.watch),
                       any(e["kind"] == "offline" for e in sim.events)),
                yes_no("another broker became leader", _live_new_leader(run),
                       any(e["kind"] in ("leader_elected", "unclean_leader_elected")
                           and not e["detail"].startswith("broker 0 ") for e in sim.events))]
    if run.scenario.down_time is not None:
        out.append(yes_no("the restarted broker caught up and rejoined the ISR",
                          _rejoined_after_restart(run.events), _rejoined_after_restart(sim.events)))
    return out


def _rejoined_after_restart(events: list[dict]) -> bool:
    """An ISR expansion after the last restart: the returning broker fetched what it missed."""
    kinds = [e["kind"] for e in events]
    if "restart" not in kinds:
        return False
    last = len(kinds) - 1 - kinds[::-1].index("restart")
    return "isr_expand" in kinds[last + 1:]


#: Runs whose live outcome is not settled, left out of :func:`verdict_rows` (the lesson shows
#: them apart, unchecked, and says why). ``acks0_killed`` lost 3-20 records in 13 of 14 live
#: runs; in one (lesson 05b's re-store, December 2026) kafka-python went on writing into the
#: dead leader's connection for the 3 s until the fencing and lost 1,254, as a vanished host
#: would. Not yet explained; the model gives the common case.
UNSETTLED = frozenset({"acks0_killed"})


def verdict_rows(runs: dict[str, FailoverRun], sims: dict[str, ReplicationResult]) -> list[list]:
    """Rows run | claim | measured | simulated | verdict, for every settled run."""
    return [[name, *c.row()] for name, run in runs.items() if name not in UNSETTLED
            for c in claims(run, sims[name])]


def _sim_time_to_leader(sim: ReplicationResult, died: float | None) -> float | None:
    at = next((e["at"] for e in sim.events
               if e["kind"] in ("leader_elected", "unclean_leader_elected")), None)
    return None if at is None or died is None else round(at - died, 2)


def numbers_rows(runs: dict[str, FailoverRun], sims: dict[str, ReplicationResult]) -> list[list]:
    """Rows run | quantity | measured | simulated (counts and seconds; they vary per run)."""
    rows = []
    for name, run in runs.items():
        sim, t = sims[name], run.timings()
        died = run.scenario.leader_dies_at
        for key, measured, simulated in (
                ("acknowledged", run.acknowledged, sim.acknowledged),
                ("lost", run.lost, sim.lost + sim.unavailable),
                ("duplicates", run.duplicates, sim.duplicates),
                ("rejected", run.rejected, sim.rejected),
                ("time to new leader (s)", t["time_to_new_leader"],
                 _sim_time_to_leader(sim, died))):
            rows.append([name, key, "–" if measured is None else measured,
                         "–" if simulated is None else simulated])
    return rows


# ---------------------------------------------------------------- stored runs
def _to_json(run: FailoverRun) -> dict[str, Any]:
    return {"scenario": run.scenario.describe(), "label": run.label,
            "kafka_version": run.kafka_version, "machine": run.machine,
            "sent_at": [s["sent_at"] for s in run.sends],
            "outcomes": "".join(_OUTCOME[s["outcome"]] for s in run.sends),
            "errors": {str(s["seq"]): s["error"] for s in run.sends if s["error"]},
            "read_back": run.read_back, "watch": run.watch, "events": run.events}


def _from_json(name: str, data: dict[str, Any]) -> FailoverRun:
    outcome = {v: k for k, v in _OUTCOME.items()}
    sends = [{"seq": i, "sent_at": at, "outcome": outcome[o],
              "error": data["errors"].get(str(i), ""), "offset": None}
             for i, (at, o) in enumerate(zip(data["sent_at"], data["outcomes"], strict=True))]
    return FailoverRun(LiveScenario(**data["scenario"]), sends, data["read_back"], data["watch"],
                       data["events"], data["label"], data["kafka_version"], data["machine"])


def _software(run: FailoverRun) -> str:
    return f"Apache Kafka {run.kafka_version}"


#: The stored runs (see :mod:`course_lib.core.runs`).
STORE = RunStore(STORED_PATH, _to_json, _from_json, software=_software)
#: Why :func:`live_or_stored` shows stored runs when no cluster is passed.
NO_CLUSTER = "no Apache Kafka cluster is running here"


def save_runs(runs: dict[str, FailoverRun], path: Path = STORED_PATH) -> None:
    STORE.save(runs, path=path)


def load_runs(path: Path = STORED_PATH, why: str = NO_CLUSTER) -> dict[str, FailoverRun]:
    """The stored runs, labelled as such (Kafka version, machine and ``why`` included)."""
    return STORE.load(why=why, path=path)


def _machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"


def run_all(cluster: Any, scenarios: dict[str, LiveScenario],
            progress: Callable[[str], None] | None = None) -> dict[str, FailoverRun]:
    """Play every scenario on ``cluster``, healing it between runs."""
    from course_lib.kafka.runtime.jars import KAFKA_VERSION

    runs = {}
    with quiet_client_logs(), core_progress.task("live runs", f"{len(scenarios)} runs measured"
                                                 ) as task:
        for name in task.steps(scenarios):
            sc = scenarios[name]
            if progress:
                progress(name)
            heal(cluster)
            run = run_live(cluster, sc)
            run.kafka_version, run.machine = KAFKA_VERSION, _machine()
            run.label = run_label(f"measured on {run.machine}", software=_software(run))
            runs[name] = run
        heal(cluster)
    return runs


def live_or_stored(scenarios: dict[str, LiveScenario], cluster: Any | None, *,
                   why: str = NO_CLUSTER) -> dict[str, FailoverRun]:
    """Live runs on ``cluster``, or the stored runs, labelled with ``why``, when there is none
    (no Java or jars)."""
    if cluster is not None:  # all on one cluster, healed between runs (not one run per name)
        return run_all(cluster, scenarios)
    return STORE.load(scenarios, why=why)


def simulate_all(scenarios: dict[str, LiveScenario]) -> dict[str, ReplicationResult]:
    """The model on the very same descriptions."""
    return {name: simulate(to_model(sc)) for name, sc in scenarios.items()}


def simulate_as(scenario: LiveScenario, **changes: Any) -> ReplicationResult:
    """The model on ``scenario`` with some of its model fields changed: what the same run
    would do, say, on a host that vanished (``failure_kind="crash"``) instead of a killed
    process."""
    return simulate(dataclasses.replace(to_model(scenario), **changes))


def record(seed: int = 2026) -> dict[str, FailoverRun]:
    """Re-measure every run on a fresh 3-broker cluster and overwrite :data:`STORED_PATH`."""
    from course_lib.kafka.runtime.cluster import KafkaCluster

    with KafkaCluster(brokers=3) as cluster:
        runs = run_all(cluster, lab_scenarios(seed))
    return STORE.record(runs, f"measured on {_machine()}")


def text_table(header: list[str], rows: list[list]) -> str:
    """Fixed-width text: deterministic, readable in a diff and in nbval's comparison."""
    cells = [header, *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in cells)


def start_lab_cluster(attempts: int = 2) -> tuple[Any, str]:
    """A started 3-broker cluster and a note; a failed start is retried once.

    On a shared 2-core machine a node's one-off format step failed once in four nbval runs
    (``ClusterError: formatting node 100 failed``) and worked on the next try; the note keeps
    the first line of any error that was retried, so it is not hidden.
    """
    from course_lib.kafka.runtime.cluster import ClusterError, KafkaCluster

    note = ""
    for attempt in range(1, attempts + 1):
        try:
            with core_progress.task("Apache Kafka", "3 brokers ready") as task:
                task.phase("starting 3 brokers" + (f" (attempt {attempt})" if attempt > 1 else ""))
                return KafkaCluster(brokers=3).start(), note
        except ClusterError as exc:
            if attempt == attempts:
                raise
            note = f" (attempt {attempt} failed: {str(exc).splitlines()[0]})"
    raise AssertionError("unreachable")  # the loop returns or raises
