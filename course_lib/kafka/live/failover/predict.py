"""Predict, then verify, on a failover scenario nobody chose (lesson 05b's last exercise).

The lesson's ten runs are chosen to tell a story, and their outcomes are printed above the
exercises. Here a learner gets a scenario drawn by :mod:`course_lib.kafka.models.generated`
from their own name (``SDL_LEARNER``, else ``JUPYTERHUB_USER``; the repository's stored outputs
use :data:`DEFAULT_LEARNER`), so its outcome is printed nowhere and differs from a neighbour's.
They predict three yes/no claims from its settings; :func:`verify` then plays it on the live
cluster and reads the answers from the whole history, as the differential sweep does. A
prediction left at ``None`` is no prediction: it is said so, never filled in from an answer.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

from course_lib.kafka.live.failover.differential import (
    live_claims,
    live_counts,
    model_claims,
    model_counts,
    scenario_text,
)
from course_lib.kafka.models.failover import LiveScenario, to_model
from course_lib.kafka.models.generated import scenario

__all__ = ["DEFAULT_LEARNER", "PREDICTED", "learner", "unseen_scenario", "verify"]

PREDICTED = ("lost", "duplicated", "rejected")
#: Whose scenario the repository's stored outputs show (so that nbval compares like with like).
DEFAULT_LEARNER = "course"
#: A run of the lab must end within seconds: the scenario is the first drawn from the learner's
#: seed on whose producer gives up within this delivery timeout.
MAX_DELIVERY_S = 8.0
_WHAT = {"lost": "an acknowledged record is missing",
         "duplicated": "a record is in the partition twice",
         "rejected": "the producer was told a send failed"}


def learner() -> str:
    """The learner's name: ``SDL_LEARNER``, else ``JUPYTERHUB_USER``, else the default."""
    for var in ("SDL_LEARNER", "JUPYTERHUB_USER"):
        if os.environ.get(var, "").strip():
            return os.environ[var].strip()
    return DEFAULT_LEARNER


def unseen_scenario(name: str | None = None) -> LiveScenario:
    """The learner's own generated scenario (seeds from 100,000 up: none the sweeps show)."""
    digest = hashlib.sha256((name or learner()).encode()).hexdigest()
    first = 100_000 + int(digest[:8], 16) % 900_000
    return next(scenario(s) for s in range(first, first + 1000)
                if scenario(s).delivery_timeout <= MAX_DELIVERY_S)


def verify(prediction: Mapping[str, Any], sc: LiveScenario, cluster: Any | None) -> list[str]:
    """One line per claim: the prediction, the live answer (the model's without a cluster,
    said so) and whether they match; or, if a claim is not predicted yet, only that."""
    missing = [c for c in PREDICTED if not isinstance(prediction.get(c), bool)]
    if missing:
        return [f"No prediction yet for {', '.join(missing)}: set each to True or False "
                "(your answer, before you run this), then run this cell again."]
    if cluster is not None:
        from course_lib.kafka.live.failover.compare import run_all

        run = run_all(cluster, {"unseen": sc})["unseen"]
        said, counts, source = live_claims(run), live_counts(run), "the live run"
    else:
        from course_lib.kafka.models.replication_engine import simulate

        sim = simulate(to_model(sc))
        said, counts, source = model_claims(sim), model_counts(sim), \
            "the model (no cluster here; make bench checks it against live runs)"
    lines = [f"{scenario_text(sc)}: answers from {source}"]
    for claim in PREDICTED:
        yes, guess = said[claim], bool(prediction[claim])
        mark = "✅" if yes == guess else "❌"
        lines.append(f"{mark} {claim} ({_WHAT[claim]}): you said {'yes' if guess else 'no'}, "
                     f"it was {'yes' if yes else 'no'} ({counts[claim]})")
    return lines
