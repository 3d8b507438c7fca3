"""Course-wide review, as tests: every lesson follows the anatomy in CONTRIBUTING.md.

Checked on the committed notebooks (what a learner opens and what nbval compares):
title and objectives, a summary and further reading with real links, exercises whose stored
verdicts show the placeholder (⏳) and whose hidden solutions pass (✅), every figure titled with
labelled axes in units and followed by prose that reads it, colours from the colour-blind-safe
palette, and no traceback or warning in any stored output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_lib.grading.checks import PASS_MARK, WAIT_MARK
from course_lib.ui.viz import FAIL_COLOUR, OK_COLOUR, PALETTE

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
PLOTLY = "application/vnd.plotly.v1+json"
GREYS = {"grey", "gray", "lightgrey", "lightgray", "darkgrey", "darkgray", "black", "white",
         "silver", "dimgrey", "dimgray"}
ALLOWED_COLOURS = {c.lower() for c in (*PALETTE, OK_COLOUR, FAIL_COLOUR)} | GREYS


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _output_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        text = out.get("text") or out.get("data", {}).get("text/plain", "")
        parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


def _figures(cell: dict) -> list[dict]:
    return [o["data"][PLOTLY] for o in cell.get("outputs", []) if PLOTLY in o.get("data", {})]


@pytest.fixture(params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request) -> tuple[Path, list[dict]]:
    return request.param, _cells(request.param)


def test_title_why_and_objectives(lesson):
    path, cells = lesson
    first = _text(cells[0])
    number = path.stem.split("_")[0]
    assert re.match(rf"# {number} · \S", first), f"{path.name}: title '# {number} · …' first"
    objectives = re.search(r"\*\*You will learn\*\*\n((?:(?:- |  ).+\n?)+)", first)
    assert objectives, f"{path.name}: a 'You will learn' list in the first cell"
    assert 3 <= len(re.findall(r"^- ", objectives.group(1), re.M)) <= 6


def test_sections_summary_and_further_reading(lesson):
    path, cells = lesson
    markdown = "\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    sections = re.findall(r"^## (.+)$", markdown, re.M)
    assert "Summary" in sections and "Further reading" in sections, path.name
    assert len(sections) >= 5, f"{path.name}: short sections, one concept each"
    reading = markdown.split("## Further reading", 1)[1]
    assert len(re.findall(r"https?://", reading)) >= 2, f"{path.name}: real references"


def test_exercises_have_pending_checks_and_passing_hidden_solutions(lesson):
    path, cells = lesson
    code = [c for c in cells if c["cell_type"] == "code"]
    exercises = [c for c in code if re.search(r"^answer\w* = None", _text(c), re.M)]
    solutions = [c for c in code if "solution" in c["metadata"].get("tags", [])]
    assert exercises, f"{path.name}: no 'Your turn' exercise"
    assert len(solutions) >= len(exercises), f"{path.name}: every exercise needs a solution"
    for cell in exercises:
        assert WAIT_MARK in _output_text(cell), f"{path.name}: exercise output should be ⏳"
    for cell in solutions:
        if re.search(r"solution\(\d+\)", _text(cell)):
            continue  # asks before showing: tests/test_solutions_hidden.py
        assert cell["metadata"].get("jupyter", {}).get("source_hidden"), "solution not hidden"
        assert PASS_MARK in _output_text(cell), f"{path.name}: solution must pass its check"


def test_no_traceback_or_warning_in_stored_outputs(lesson):
    path, cells = lesson
    for cell in cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name}: stored error"
            if out["output_type"] == "stream" and out["name"] == "stderr":
                pytest.fail(f"{path.name}: stderr output: {''.join(out['text'])[:200]}")
            text = _output_text({"outputs": [out]})
            assert "Traceback (most recent call last)" not in text, path.name
            assert not re.search(r"\w+Warning:", text), f"{path.name}: a warning in {text[:200]}"


def _axis_titles(layout: dict) -> dict[str, str]:
    titles = {}
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict):
            title = axis.get("title", {})
            titles[key] = title.get("text", "") if isinstance(title, dict) else str(title)
    return titles


def test_figures_have_titles_labelled_axes_and_are_read_aloud(lesson):
    path, cells = lesson
    for i, cell in enumerate(cells):
        for fig in _figures(cell):
            layout = fig.get("layout", {})
            title = layout.get("title", {})
            title = title.get("text", "") if isinstance(title, dict) else str(title)
            assert title.strip(), f"{path.name} cell {i}: figure without a title"
            if all(trace.get("type") == "table" for trace in fig.get("data", [])):
                continue  # a table has column headers, not axes
            axes = {k: v for k, v in _axis_titles(layout).items()
                    if layout[k].get("visible") is not False}
            # Subplots that share an axis label it once (e.g. only the bottom x axis).
            for direction in "xy":
                labels = [t for k, t in axes.items() if k.startswith(direction) and t.strip()]
                assert labels, f"{path.name} cell {i}: no {direction} axis title"
            following = next((c for c in cells[i + 1:] if c["cell_type"] == "markdown"), None)
            assert following is not None, f"{path.name} cell {i}: figure not followed by prose"


def _colours(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("color", "fillcolor", "line_color") and isinstance(value, str):
                found.append(value)
            elif key == "colorway" and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            else:
                found += _colours(value)
    elif isinstance(node, list):
        for item in node:
            found += _colours(item)
    return found


def _normalise(colour: str) -> str:
    colour = colour.strip().lower()
    rgba = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", colour)
    if rgba:
        return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgba.groups()))
    return colour


def test_figure_colours_come_from_the_colour_blind_safe_palette(lesson):
    path, cells = lesson
    for i, cell in enumerate(cells):
        for fig in _figures(cell):
            for colour in _colours(fig.get("data", [])) + _colours(fig.get("layout", {})):
                norm = _normalise(colour)
                if norm.startswith("#") and len(norm) == 7:
                    r, g, b = (int(norm[k:k + 2], 16) for k in (1, 3, 5))
                    if max(r, g, b) - min(r, g, b) <= 16:  # a grey
                        continue
                assert norm in ALLOWED_COLOURS, f"{path.name} cell {i}: colour {colour!r}"
