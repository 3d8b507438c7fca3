"""No exercise can be answered by re-reading: its answer is not printed (or stated) before it.

For each exercise, the ways its answer would be written (``0.65``, ``65 %``, ``1000 ms`` …) are
searched in everything the learner has read before the exercise: the markdown and the stored
outputs of earlier cells. The patterns are written per exercise because a bare ``3`` or ``6``
appears everywhere; they name the phrasing that gave the answer away before the rewrite.
Exercises still to be rewritten are strict expected failures, so a rewrite that fixes one fails
the suite until its mark is removed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER_START = r"(?<![\d.])"
#: (lesson, check name) → patterns that would give the answer away.
REVEALING = {
    ("00", "fourfold_utilisation"): [r"4(\.0)?× at 75 ?%", r"(?<![\d.])75 ?%",
                                     r"(?<![\d.])0\.75(?!\d)"],
    ("00", "doubling_factor"): [r"(?<![\d.])3(\.0+)?\s*×", r"tripl"],
    ("01", "cache_hit_ratio"): [NUMBER_START + r"0\.65(?!\d)", NUMBER_START + r"65 ?%"],
    ("02", "fast_weight"): [r"weight 3\b", r"At weight 3"],
    ("02", "random_mean_time"): [NUMBER_START + r"1,?000 ?ms", NUMBER_START + r"1(\.0+)? s\b"],
    ("02", "many_balancers"): [r"power_of_two"],
    ("03b", "hang_delay"): [NUMBER_START + r"0\.8 ?s\b", NUMBER_START + r"800 ?ms"],
}
#: Re-reading exercises whose rewrite needs cells outside the exercise (see the issue 15 report).
STILL_RE_READING = {
    ("02", "fast_weight"): "the question shares cell 24 with prose that states 'weight 3'",
    ("02", "many_balancers"): "cells 13 and 16 and the summary name power_of_two",
}


def _read_before(path: Path, name: str) -> str:
    cells = json.loads(path.read_text())["cells"]
    index = next(i for i, c in enumerate(cells) if c["cell_type"] == "code"
                 and re.search(rf"check_{name}\(answer\)", "".join(c["source"])))
    parts = []
    for cell in cells[:index]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


def _cases():
    for (code, name), patterns in REVEALING.items():
        reason = STILL_RE_READING.get((code, name))
        marks = [pytest.mark.xfail(reason=f"re-reading, not yet rewritten: {reason}",
                                   strict=True)] if reason else []
        yield pytest.param(code, name, patterns, marks=marks, id=f"{code}-{name}")


@pytest.mark.parametrize(("code", "name", "patterns"), list(_cases()))
def test_answer_is_not_printed_before_the_exercise(code, name, patterns):
    path = next((ROOT / "notebooks").glob(f"{code}_*.ipynb"))
    before = _read_before(path, name)
    for pattern in patterns:
        found = re.search(pattern, before)
        assert not found, (f"{path.name}: {name}'s answer is readable before it: "
                           f"{before[max(0, found.start() - 60):found.end() + 20]!r}")


def test_the_patterns_find_the_answers_they_guard_against():
    """The guard can fail: each rewritten exercise's patterns match its own worked solution."""
    from course_lib.grading.exercise import lesson

    for (code, name), patterns in REVEALING.items():
        if (code, name) in STILL_RE_READING:
            continue
        ex = next(e for e in lesson(code).exercises.values() if e.name == name)
        worked = ex.worked_solution()
        assert any(re.search(p, worked) for p in patterns), (code, name, worked)
