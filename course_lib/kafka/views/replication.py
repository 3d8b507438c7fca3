"""Views of the replication model: the lesson's table, a timeline figure, the dashboard.

Views only draw: every number comes from :mod:`course_lib.kafka.models.replication_engine` (its
:func:`~course_lib.kafka.models.replication_engine.replication_table` runs the table's rows; the
dashboard's :func:`render_replication` maps knobs to a description, runs it and draws it).

Introduced in ``notebooks/05_kafka_use_cases.ipynb``.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import plotly.graph_objects as go

from course_lib.kafka.models.replication import ReplicationResult
from course_lib.kafka.models.replication_engine import simulate_replication
from course_lib.ui.viz import FAIL_COLOUR, OK_COLOUR, colour, rounded, themed, top_label, vline

__all__ = ["format_table", "render_replication", "replication_figure"]

_COLUMNS = (("acks", "acks"), ("replication_factor", "RF"), ("min_insync_replicas", "min.isr"),
            ("broker_failures", "failures"), ("acknowledged", "acknowledged"), ("lost", "lost"),
            ("duplicates", "duplicates"), ("unavailable", "unavailable"),
            ("rejected", "rejected"), ("reads_after_last_failure", "reads after"))


def format_table(rows: list[dict]) -> str:
    """Fixed-width text (deterministic, readable in a diff); ``duplicates`` only when a row
    has it (the producer retried)."""
    cols = [(c, h) for c, h in _COLUMNS if any(c in r for r in rows)]
    widths = [max(len(h), *(len(str(r.get(c, ""))) for r in rows)) for c, h in cols]
    lines = ["  ".join(h.rjust(w) for (_, h), w in zip(cols, widths, strict=True))]
    lines += ["  ".join(str(r.get(c, "")).rjust(w) for (c, _), w in zip(cols, widths,
                                                                       strict=True))
              for r in rows]
    return "\n".join(lines)


_MARKED = ("crash", "controlled_shutdown", "leader_elected", "unclean_leader_elected", "offline",
           "restart", "freeze", "thaw")


def replication_figure(result: ReplicationResult) -> go.Figure:
    """Cumulative writes by outcome over send time, with the cluster's events marked."""
    s = result.scenario
    step = 0.5
    edges = [i * step for i in range(int(s.duration / step) + 1)]
    kinds = {"acknowledged, kept": OK_COLOUR, "acknowledged, then lost": FAIL_COLOUR,
             "acknowledged, unavailable": colour(3), "rejected (producer told)": colour(1)}
    # the send times of each line, in one pass over the writes (the old four passes' tests)
    kept, lost, unavailable, rejected = [], [], [], []
    for w in result.writes:
        outcome, fate = w["outcome"], w["fate"]
        if outcome == "acknowledged" and fate == "kept":
            kept.append(w["sent_at"])
        if fate == "lost":
            lost.append(w["sent_at"])
        if fate == "unavailable":
            unavailable.append(w["sent_at"])
        if outcome == "rejected":
            rejected.append(w["sent_at"])
    lines = dict(zip(kinds, (kept, lost, unavailable, rejected), strict=True))
    x = rounded(edges, 2)
    data = []
    for name, col in kinds.items():
        times = sorted(lines[name])  # in send order already: one pass for sorted()
        data.append({"type": "scatter", "x": x, "y": [bisect_right(times, e) for e in edges],
                     "name": name, "mode": "lines", "line": {"color": col}})
    marks = [e for e in result.events if e["kind"] in _MARKED]
    line = {"dash": "dash", "color": "grey", "width": 1}
    fig = go.Figure({"data": data, "layout": {
        "shapes": [vline(e["at"], line) for e in marks],
        "annotations": [top_label(e["at"], e["detail"], textangle=-90, font={"size": 10})
                        for e in marks]}})
    title = (f"acks={s.acks}, RF={s.replication_factor}, "
             f"min.insync.replicas={s.min_insync_replicas}")
    return themed(fig, title=title, x_title="time the write was sent (s)",
                  y_title="writes (cumulative)", legend_title="outcome")


def render_replication(acks: str | int = "1", min_insync_replicas: int = 1,
                       broker_failures: int = 1, fetch_interval: float = 0.2, seed: int = 0,
                       **options: Any) -> tuple[go.Figure, str]:
    """The dashboard's render function: (figure, one-line summary). ``options`` are further
    :class:`~course_lib.kafka.models.replication.ReplicationScenario` fields (``retries``,
    ``idempotence``, ``unclean_leader_election``, ``failure_kind``, ``down_time``, ...);
    ``freeze_time`` > ``session_timeout`` is what makes ``unclean_leader_election`` matter
    (the ISR shrinks to the leader while stale followers live)."""
    result = simulate_replication(acks, 3, min_insync_replicas, broker_failures,
                                  fetch_interval=fetch_interval, seed=seed, **options)
    s = result.summary()
    duplicates = f", duplicates {s['duplicates']}" if "duplicates" in s else ""
    text = (f"acknowledged {s['acknowledged']}, lost {s['lost']}{duplicates}, "
            f"unavailable {s['unavailable']}, rejected {s['rejected']} "
            f"{result.reasons() or ''}")
    return replication_figure(result), text.strip()
