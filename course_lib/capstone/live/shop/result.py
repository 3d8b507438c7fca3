"""What a live run returns: the measured score beside the simulated one, with verdicts.

:class:`LiveRun` keeps the raw measurements (:class:`~.live_records.Sent` and
:class:`~.live_records.Processed`), so the measured :class:`~course_lib.capstone.models.score.Score`
is always recomputed by the one scorer, also from a stored run (:data:`STORED_PATH`, shown where
HAProxy or Apache Kafka cannot run here, and saying so in :attr:`LiveRun.label`).

A verdict per objective, as lesson 03b does: a :class:`~course_lib.core.claims.Claim` that the
objective is met, decided on each side, and whether they agree.
:meth:`LiveRun.clear_cut` names the objectives the simulation does not put close to the line
(within :data:`MARGIN` of the objective): there a disagreement means the model is wrong about
this machine; near the line a few requests either way decide, and a live run may fall on either
side. Orders lost and duplicates are exact objectives (0), always clear-cut.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_lib.capstone.live.shop.records import Processed, Sent, to_records
from course_lib.capstone.models.design import Design
from course_lib.capstone.models.engine import Problem, evaluate
from course_lib.capstone.models.score import OBJECTIVES, Score, score
from course_lib.core.claims import Claim
from course_lib.core.runs import THIS_MACHINE, RunStore
from course_lib.core.runs import label as run_label

__all__ = ["MARGIN", "STORED_PATH", "LiveRun", "load_stored", "stored_runs"]

STORED_PATH = Path(__file__).with_name("stored_runs.json")
MARGIN = 0.2  # a value within 20 % of its objective is "close to the line"


@dataclass
class LiveRun:
    """One live run of ``design`` on ``problem`` (the compressed day), and its simulation."""

    design: Design
    problem: Problem
    sent: list[Sent]
    processed: list[Processed]
    simulated: Score
    label: str = run_label(THIS_MACHINE)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def measured(self) -> Score:
        """The measurements, scored by the same :func:`~course_lib.capstone.models.score.score`."""
        return score(to_records(self.sent, self.processed, self.problem), self.design,
                     self.problem.objectives, self.problem.prices)

    def clear_cut(self) -> tuple[str, ...]:
        """The objectives whose simulated value is not within :data:`MARGIN` of the line."""
        sim, goal = self.simulated, self.problem.objectives
        out = []
        for name in OBJECTIVES:
            value, target = getattr(sim, name), getattr(goal, name)
            if name in ("orders_lost", "duplicates") or value is None:
                out.append(name)
            elif name == "availability":  # compare the failed share with its budget
                budget, failed = 1 - target, 1 - value
                if failed <= budget * (1 - MARGIN) or failed >= budget * (1 + MARGIN):
                    out.append(name)
            elif abs(value - target) > MARGIN * target:
                out.append(name)
        return tuple(out)

    def verdicts(self) -> list[Claim]:
        """One claim per objective ("met"): measured, simulated, whether they agree, and a note
        where the simulation is close to the line (not :meth:`clear_cut`)."""
        measured, clear = self.measured, self.clear_cut()
        return [Claim.equal(name, name not in measured.failing, name not in self.simulated.failing,
                            note="" if name in clear else "close to the line in the simulation")
                for name in OBJECTIVES]

    def agree_where_clear(self) -> bool:
        """True when measured and simulated agree on every clear-cut objective."""
        clear = self.clear_cut()
        return all(c.agree for c in self.verdicts() if c.text in clear)

    def table(self) -> str:
        """The verdicts as text (no raw timings, so a lesson can check it): simulated first."""
        lines = [f"{'objective':<16} {'simulated':<10} {'measured':<10} agree"]
        for claim in self.verdicts():
            objective, measured, simulated, agree = claim.row(("met", "not met"), ("yes", "NO"))
            lines.append(f"{objective:<16} {simulated:<10} {measured:<10} {agree}")
        return "\n".join(lines)

    def numbers(self) -> list[dict[str, Any]]:
        """Measured beside simulated values (raw: they change from run to run)."""
        live, sim = self.measured.summary(), self.simulated.summary()
        return [{"objective": n, "simulated": sim[n], "measured": live[n]} for n in OBJECTIVES]

    def to_json(self) -> dict[str, Any]:
        return {"design": self.design.__dict__, "label": self.label, "meta": self.meta,
                "sent": [[s.order_id, round(s.sent_at, 4), s.ok,
                          None if s.response_time is None else round(s.response_time, 5)]
                         for s in self.sent],
                "processed": [[p.order_id, p.partition, p.offset, round(p.processed_at, 4)]
                              for p in self.processed]}


def _from_json(data: dict[str, Any], problem: Problem) -> LiveRun:
    """A stored run beside the simulation of the seed it was measured with."""
    design = Design(**data["design"])
    return LiveRun(design, problem, [Sent(*row) for row in data["sent"]],
                   [Processed(*row) for row in data["processed"]],
                   evaluate(design, data["meta"]["seed"], problem), label=data["label"],
                   meta=data["meta"])


def stored_runs(problem: Problem, path: str | Path = STORED_PATH) -> RunStore[LiveRun]:
    """The stored runs (:mod:`course_lib.core.runs`), read back on ``problem`` (the compressed
    day they were measured on)."""
    return RunStore(Path(path), LiveRun.to_json, lambda _name, data: _from_json(data, problem))


def load_stored(name: str, problem: Problem, why: str, path: str | Path = STORED_PATH) -> LiveRun:
    """The stored run ``name``, labelled with the reason it is shown instead of a live one, beside
    the simulation of the seed it was measured with."""
    return stored_runs(problem, path).load([name], why=why)[name]
