"""One vocabulary: every description's fields are in the glossary, none uses a rejected name,
and the lessons show the real tools' spelling of the terms they use."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from course_lib.components import ServerScenario
from course_lib.core.glossary import GLOSSARY, PENDING_RENAMES, REJECTED, lookup
from course_lib.kafka.models.failover import LiveScenario
from course_lib.kafka.models.group import GroupScenario
from course_lib.kafka.models.queue import QueueLab
from course_lib.kafka.models.replication import ReplicationScenario
from course_lib.lb.models.scenario import Backend, HealthCheck, PassiveCheck, Scenario
from course_lib.lb.models.weights import AgentCheck

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTIONS = (Backend, HealthCheck, PassiveCheck, Scenario, AgentCheck, ReplicationScenario,
                GroupScenario, QueueLab, LiveScenario, ServerScenario)


def _fields(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("cls", DESCRIPTIONS, ids=lambda c: c.__name__)
def test_every_field_of_a_description_is_in_the_glossary(cls):
    unknown = [name for name in _fields(cls) if name not in GLOSSARY
               and name not in PENDING_RENAMES]
    assert unknown == [], f"{cls.__name__}: add {unknown} to course_lib/core/glossary.py"


@pytest.mark.parametrize("cls", DESCRIPTIONS, ids=lambda c: c.__name__)
def test_no_description_uses_a_rejected_name(cls):
    assert [n for n in _fields(cls) if n in REJECTED] == []


def test_pending_renames_are_still_pending_and_no_new_ones_appear():
    used = {name for cls in DESCRIPTIONS for name in _fields(cls)}
    assert set(PENDING_RENAMES) <= used, "a rename was done: drop it from PENDING_RENAMES"
    assert all(target in GLOSSARY for target in PENDING_RENAMES.values())


def _lessons():
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        yield path.name, code, "\n".join("".join(c["source"]) for c in cells)


@pytest.mark.parametrize(("lesson", "code", "text"),
                         [pytest.param(*lesson, id=lesson[0]) for lesson in _lessons()])
def test_a_lesson_that_uses_a_term_shows_the_real_tools_spelling(lesson, code, text):
    missing = []
    for name, term in GLOSSARY.items():
        if not re.search(rf"\b{name}\s*=", code):  # the lesson sets this field itself
            continue
        for tool in ("haproxy", "kafka"):
            spelling = getattr(term, tool)
            if spelling and " " not in spelling and "/" not in spelling and spelling not in text:
                missing.append(f"{name} → {tool} {spelling}")
    assert missing == [], f"{lesson} uses these terms without naming them as the tool does"


def test_lookup_names_the_closest_entries():
    assert lookup("fall").haproxy == "fall"
    with pytest.raises(KeyError, match="'intervall' is not in the course glossary"):
        lookup("intervall")
