"""Live against model on generated scenarios: the same five claims, decided on both sides.

Lesson 05b compares a run with the model on the claims that suit that run's failure. A sweep
over scenarios nobody chose (:mod:`course_lib.kafka.models.generated`) asks every scenario the
same questions, each decided from the whole history on the live side (the history checker,
:mod:`course_lib.kafka.models.history`, through :meth:`FailoverRun.history`) and from the
model's per-write records on the other:

* **lost**: an acknowledged record is not in the partition at the end (the model also counts a
  record kept only by stopped brokers: the reader cannot have it);
* **duplicated**: a record is in the partition more than once;
* **rejected**: the producer was told at least one send failed (an error or a timeout);
* **indefinite**: a send the producer was told failed is in the partition all the same;
* **offline**: the partition had no leader at some point.

Counts differ run to run (the lab sends at a fixed rate, the model draws Poisson arrivals, the
controller's timers have their own phase), so the claims are yes/no: a learner's question is
"can this lose data?", not "how many?". :func:`sweep` plays a list of scenarios on one cluster
and the model; :func:`agreement_rows` makes the table ``make bench`` writes.

Introduced in ``notebooks/05b_kafka_cluster_for_real.ipynb``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from course_lib.core import progress as core_progress
from course_lib.core.claims import Claim
from course_lib.kafka.live.failover.result import FailoverRun
from course_lib.kafka.live.failover.run import heal, quiet_client_logs, run_live
from course_lib.kafka.models.failover import LiveScenario, to_model
from course_lib.kafka.models.replication import ReplicationResult
from course_lib.kafka.models.replication_engine import simulate

__all__ = ["CLAIMS", "Compared", "agreement_rows", "claims", "live_claims", "model_claims",
           "scenario_text", "sweep"]

CLAIMS = ("lost", "duplicated", "rejected", "indefinite", "offline")


def live_claims(run: FailoverRun) -> dict[str, bool]:
    """The five claims from a live run's history and its leader samples."""
    report = run.history()
    told_failed = sum(1 for s in run.sends if s["outcome"] in ("rejected", "pending"))
    return {"lost": report.count("lost") > 0, "duplicated": report.count("duplicated") > 0,
            "rejected": told_failed > 0, "indefinite": report.count("indefinite") > 0,
            "offline": any(w["leader"] is None for w in run.watch)}


def model_claims(sim: ReplicationResult) -> dict[str, bool]:
    """The five claims from the model's writes and events (a timeout left pending at the end
    is a rejection there: the producer closes without an answer)."""
    indefinite = any(w["outcome"] == "rejected" and w["copies"] > 0 for w in sim.writes)
    return {"lost": sim.lost + sim.unavailable > 0, "duplicated": sim.duplicates > 0,
            "rejected": sim.rejected > 0, "indefinite": indefinite,
            "offline": any(e["kind"] == "offline" for e in sim.events)}


def claims(run: FailoverRun, sim: ReplicationResult) -> list[Claim]:
    """One yes/no :class:`Claim` per entry of :data:`CLAIMS`, measured against simulated."""
    live, model = live_claims(run), model_claims(sim)
    return [Claim.equal(name, live[name], model[name]) for name in CLAIMS]


@dataclass(frozen=True)
class Compared:
    """One scenario of a sweep: its description, the live run's and the model's claims."""

    name: str
    scenario: LiveScenario
    claims: tuple[Claim, ...]
    counts: Mapping[str, Any]

    @property
    def agree(self) -> int:
        return sum(c.agree for c in self.claims)


def scenario_text(sc: LiveScenario) -> str:
    """The scenario in one short line: failure, producer, topic, load."""
    failure = sc.failure + (f" {sc.freeze_time:g}s" if sc.failure == "stale_followers" else "")
    failure += f" at {sc.failure_at:g}s" + ("" if sc.down_time is None
                                            else f", back +{sc.down_time:g}s")
    retries = "∞" if sc.retries > 1_000_000 else str(sc.retries)
    producer = (f"acks={sc.acks} retries={retries}" + (" idem" if sc.idempotence else "")
                + f" rt={sc.request_timeout:g}s dt={sc.delivery_timeout:g}s")
    topic = f"minISR={sc.min_insync_replicas}" + (" unclean" if sc.unclean_leader_election
                                                   else "")
    return f"{failure}; {producer}; {topic}; {sc.produce_rate:g}/s × {sc.duration:g}s"


def _counts(run: FailoverRun, sim: ReplicationResult) -> dict[str, Any]:
    return {"live": {"acknowledged": run.acknowledged, "lost": run.lost,
                     "duplicated": run.duplicates, "rejected": run.rejected,
                     "indefinite": run.indefinite, "reasons": run.reasons()},
            "model": {"acknowledged": sim.acknowledged, "lost": sim.lost + sim.unavailable,
                      "duplicated": sim.duplicates, "rejected": sim.rejected,
                      "indefinite": sum(1 for w in sim.writes
                                        if w["outcome"] == "rejected" and w["copies"] > 0),
                      "reasons": sim.reasons()}}


def sweep(cluster: Any, scenarios: Mapping[str, LiveScenario],
          on_result: Callable[[Compared], None] | None = None) -> list[Compared]:
    """Play every scenario on ``cluster`` (healed between runs) and in the model."""
    out = []
    with quiet_client_logs(), core_progress.task(
            "generated scenarios", f"{len(scenarios)} compared") as task:
        for name in task.steps(scenarios):
            sc = scenarios[name]
            heal(cluster)
            run, sim = run_live(cluster, sc), simulate(to_model(sc))
            compared = Compared(name, sc, tuple(claims(run, sim)), _counts(run, sim))
            out.append(compared)
            if on_result:
                on_result(compared)
        heal(cluster)
    return out


def _side(compared: Compared, which: str) -> str:
    said = [c.text for c in compared.claims if (c.measured if which == "live" else c.simulated)]
    return ", ".join(said) or "none"


def agreement_rows(results: list[Compared]) -> list[list[str]]:
    """Rows name | seed | scenario | live says | model says | agree (claims agreeing of 5)."""
    return [[r.name, str(r.scenario.seed), scenario_text(r.scenario), _side(r, "live"),
             _side(r, "model"), f"{r.agree}/{len(r.claims)}"] for r in results]
