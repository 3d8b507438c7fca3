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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from course_lib.core.claims import Claim
from course_lib.kafka.live.failover.compare import run_all
from course_lib.kafka.live.failover.result import FailoverRun
from course_lib.kafka.models.failover import LiveScenario, to_model
from course_lib.kafka.models.replication import ReplicationResult
from course_lib.kafka.models.replication_engine import simulate

__all__ = ["CLAIMS", "Compared", "against_stored", "agreement_rows", "claims", "live_claims",
           "live_counts", "model_claims", "model_counts", "scenario_text", "stored_row", "sweep"]

CLAIMS = ("lost", "duplicated", "rejected", "indefinite", "offline")


def live_counts(run: FailoverRun) -> dict[str, int]:
    """How many of each kind a live run's history holds (``rejected``: every send the producer
    was told failed or never heard of, as the model counts a timeout left at the end)."""
    report = run.history()
    return {"acknowledged": report.acknowledged, "lost": report.count("lost"),
            "duplicated": report.count("duplicated"),
            "rejected": sum(1 for s in run.sends if s["outcome"] in ("rejected", "pending")),
            "indefinite": report.count("indefinite")}


def model_counts(sim: ReplicationResult) -> dict[str, int]:
    """The same counts from the model's writes (``lost``: not readable at the end, so also
    what only stopped brokers or a frozen watermark hold)."""
    return {"acknowledged": sim.acknowledged, "lost": sim.lost + sim.unavailable,
            "duplicated": sim.duplicates, "rejected": sim.rejected,
            "indefinite": sim.indefinite}


def _said(counts: dict[str, int], offline: bool) -> dict[str, bool]:
    return {**{name: counts[name] > 0 for name in CLAIMS if name != "offline"},
            "offline": offline}


def live_claims(run: FailoverRun) -> dict[str, bool]:
    """The five claims from a live run's history and its leader samples."""
    return _said(live_counts(run), any(w["leader"] is None for w in run.watch))


def model_claims(sim: ReplicationResult) -> dict[str, bool]:
    """The five claims from the model's writes and events."""
    return _said(model_counts(sim), any(e["kind"] == "offline" for e in sim.events))


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


def sweep(cluster: Any, scenarios: Mapping[str, LiveScenario]) -> list[Compared]:
    """Play every scenario on ``cluster`` (:func:`~course_lib.kafka.live.failover.compare.run_all`,
    healed between runs) and in the model, and compare them."""
    runs = run_all(cluster, dict(scenarios))
    out = []
    for name, sc in scenarios.items():
        run, sim = runs[name], simulate(to_model(sc))
        counts = {"live": {**live_counts(run), "reasons": run.reasons()},
                  "model": {**model_counts(sim), "reasons": sim.reasons()}}
        out.append(Compared(name, sc, tuple(claims(run, sim)), counts))
    return out


def stored_row(compared: Compared) -> dict[str, Any]:
    """What a sweep keeps of one scenario (``tests/kafka_live_claims.json``): the scenario, the
    live claims and the live counts, so that a later model meets them with no cluster."""
    return {"name": compared.name, "scenario": compared.scenario.describe(),
            "live": {c.text: bool(c.measured) for c in compared.claims},
            "counts": {k: v for k, v in compared.counts["live"].items() if k != "reasons"}}


def against_stored(row: Mapping[str, Any]) -> Compared:
    """The model as it is now against one stored live row (:func:`stored_row`)."""
    sc = LiveScenario(**row["scenario"])
    sim = simulate(to_model(sc))
    model = model_claims(sim)
    return Compared(row["name"], sc, tuple(Claim.equal(c, row["live"][c], model[c])
                                           for c in CLAIMS),
                    {"live": row["counts"], "model": model_counts(sim)})


def _side(compared: Compared, which: str) -> str:
    said = [c.text for c in compared.claims if (c.measured if which == "live" else c.simulated)]
    return ", ".join(said) or "none"


def agreement_rows(results: list[Compared]) -> list[list[str]]:
    """Rows name | seed | scenario | live says | model says | agree (claims agreeing of 5)."""
    return [[r.name, str(r.scenario.seed), scenario_text(r.scenario), _side(r, "live"),
             _side(r, "model"), f"{r.agree}/{len(r.claims)}"] for r in results]
