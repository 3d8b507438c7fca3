"""The replication model against a real 3-broker Kafka on generated scenarios (``make bench``).

:func:`course_lib.kafka.models.generated.generate` draws :data:`COUNT` scenarios from
:data:`SEED`; each runs live (:func:`course_lib.kafka.live.failover.differential.sweep`) and in
the model, and the five yes/no claims of each are compared. The markdown lists every scenario
and, for each disagreement, the known gap of the model that explains it
(:mod:`course_lib.kafka.live.failover.known_gaps`) or, loudly, that none does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from course_lib.kafka.live.failover.compare import start_lab_cluster, text_table
from course_lib.kafka.live.failover.differential import (
    Compared,
    against_stored,
    agreement_rows,
    stored_row,
    sweep,
)
from course_lib.kafka.live.failover.known_gaps import explain
from course_lib.kafka.models.generated import generated

SEED = 1000
COUNT = 40
#: The share of claims that must agree (the issue's bar; every disagreement must be explained).
TARGET = 0.90


#: What each measured scenario's live run said, kept so that the tests check every model
#: change against live runs without a cluster (``tests/test_kafka_differential.py``).
LIVE_CLAIMS = Path(__file__).resolve().parent.parent / "tests" / "kafka_live_claims.json"


def measure(seed: int = SEED, count: int = COUNT) -> list[Compared]:
    cluster, _ = start_lab_cluster()
    try:
        results = sweep(cluster, generated(seed, count))
    finally:
        cluster.stop()
    store_live_claims(results)
    return results


def store_live_claims(results: list[Compared], path: Path = LIVE_CLAIMS) -> None:
    """Add (or replace, by name) each scenario's live claims and counts in ``path``."""
    rows = {r["name"]: r for r in json.loads(path.read_text())} if path.exists() else {}
    rows.update((r.name, stored_row(r)) for r in results)
    path.write_text(json.dumps(sorted(rows.values(), key=lambda r: r["name"]), indent=1) + "\n")


def markdown(results: list[Compared], seed: int = SEED) -> list[str]:
    claims = [c for r in results for c in r.claims]
    agreeing = sum(c.agree for c in claims)
    share = agreeing / len(claims) if claims else 0.0
    out = [f"{len(results)} scenarios drawn by `generate({seed}, {len(results)})` "
           "(`course_lib/kafka/models/generated.py`), each run on a fresh topic of the 3-broker "
           "cluster and in the model; five yes/no claims per scenario, decided from the whole "
           "history (lost, duplicated, rejected, indefinite, offline). Replay one with "
           "`scenario(seed)`.", "",
           "```", text_table(["name", "seed", "scenario", "live says", "model says", "agree"],
                             agreement_rows(results)), "```", "",
           f"Claims agreeing: {agreeing} of {len(claims)} ({100 * share:.0f} %) — target "
           f"≥ {100 * TARGET:.0f} %: {'met' if share >= TARGET else '**missed**'}.", "",
           "Every disagreement and its cause (a known gap of the model, "
           "`course_lib/kafka/live/failover/known_gaps.py`):", ""]
    unexplained = 0
    for r in results:
        for c in r.claims:
            if c.agree:
                continue
            gap = explain(r.scenario, c.text, bool(c.measured))
            unexplained += gap is None
            live, model = r.counts["live"], r.counts["model"]
            out.append(f"- {r.name}, {c.text}: live {'yes' if c.measured else 'no'} "
                       f"({live.get(c.text, '–')}), model {'yes' if c.simulated else 'no'} "
                       f"({model.get(c.text, '–')}) — "
                       + (f"{gap.name}: {gap.cause}" if gap else "**not explained**"))
    out += ["", f"Disagreements without a known cause: {unexplained}.", "", *stored_summary()]
    return out


def stored_summary(path: Path = LIVE_CLAIMS) -> list[str]:
    """Every scenario any sweep measured, against the model as it is now (the unit tests hold
    the model to the same file)."""
    if not path.exists():
        return []
    compared = [against_stored(row) for row in json.loads(path.read_text())]
    claims = [(r.scenario, c) for r in compared for c in r.claims]
    agree = sum(c.agree for _, c in claims)
    unexplained = sum(not c.agree and explain(sc, c.text, bool(c.measured)) is None
                      for sc, c in claims)
    return [f"All {len(compared)} scenarios ever measured (`tests/kafka_live_claims.json`: this "
            "sweep, a second one from seed 5000 first met after the model's first "
            f"round of fixes, and the review's cases): {agree} of {len(claims)} claims agree "
            f"({100 * agree / len(claims):.0f} %), {unexplained} disagreements without a known "
            "cause."]


HEADING = "## The replication model against the live cluster, on generated scenarios"


def replace_section(results_md: str, section: list[str]) -> str:
    """``results_md`` with this benchmark's section replaced (or put before the capstone's)."""
    lines = results_md.split("\n")
    body = [HEADING, "", *section, ""]
    if HEADING in lines:
        start = lines.index(HEADING)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        return "\n".join(lines[:start] + body + lines[end:])
    at = lines.index("## Capstone (lesson 07)") if "## Capstone (lesson 07)" in lines else \
        len(lines)
    return "\n".join(lines[:at] + body + lines[at:])


def from_stored(seed: int = SEED, count: int = COUNT,
                path: Path = LIVE_CLAIMS) -> list[Compared]:
    """The sweep's scenarios with the live claims their last measurement stored, against the
    model as it is now: a model change re-checked without a cluster (the live side is what the
    cluster said when the sweep last ran; ``main`` without ``--stored`` measures it again)."""
    rows = {r["name"]: r for r in json.loads(path.read_text())}
    out = []
    for name, sc in generated(seed, count).items():
        compared = against_stored(rows[name])
        if compared.scenario != sc:
            raise ValueError(f"{path.name} holds another scenario named {name}: re-measure")
        out.append(compared)
    return out


def main(argv: list[str] | None = None) -> int:
    """Re-measure only this section of ``benchmarks/RESULTS.md`` (``make bench`` does all);
    ``--stored``: against the live claims the last sweep stored, with no cluster."""
    from benchmarks.run import RESULTS

    stored = "--stored" in (sys.argv[1:] if argv is None else argv)
    results = from_stored() if stored else measure()
    RESULTS.write_text(replace_section(RESULTS.read_text(), markdown(results)))
    print(f"wrote the differential section of {RESULTS}"
          + (" (live claims as stored by the last sweep)" if stored else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
