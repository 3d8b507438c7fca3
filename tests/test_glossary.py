"""One vocabulary: every field of every description and result, and every key of every
``summary()``, is in the glossary; none uses a rejected name or a vague time; and the lessons
show the real tools' spelling of the terms they use.

Descriptions and results are found by scanning ``course_lib`` (not listed by hand), so a new one
is checked the day it is written:

* a **description** is a frozen dataclass defined in a module under a ``models/`` folder that
  validates itself: a ``__post_init__`` (``Scenario``, ``PathScenario``, …) or, for the parts a
  description lists and validates with their position (``Backend``, ``Failure``, ``Operation``),
  a ``validate`` method;
* a **result** is a dataclass or named tuple called ``*Result``, ``*Record`` or ``Score`` defined
  under a ``models/`` or ``live/`` folder. Its ``summary()`` keys are read from the dict literals
  of its ``summary``/``_summary`` methods (keys built at run time, such as lb's per-outcome
  counts, are not seen).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import pkgutil
import re
import textwrap
from pathlib import Path

import pytest

import course_lib
from course_lib.core.glossary import (
    GLOSSARY,
    PENDING_RENAMES,
    VAGUE_TIME_ENDINGS,
    concept,
    lookup,
    rejected_part,
)

ROOT = Path(__file__).resolve().parents[1]


def _modules(*folders: str):
    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if set(info.name.split(".")[:-1]) & set(folders):
            yield importlib.import_module(info.name)


def _classes(*folders: str):
    for module in _modules(*folders):
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == module.__name__:
                yield cls


def _is_description(cls) -> bool:
    return (dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            and ("__post_init__" in vars(cls) or "validate" in vars(cls)))


def _is_result(cls) -> bool:
    shaped = dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
    return shaped and (cls.__name__.endswith(("Result", "Record")) or cls.__name__ == "Score")


DESCRIPTIONS = sorted({c for c in _classes("models") if _is_description(c)},
                      key=lambda c: c.__qualname__)
RESULTS = sorted({c for c in _classes("models", "live") if _is_result(c)},
                 key=lambda c: c.__qualname__)


def _fields(cls) -> dict[str, str]:
    """Public field → its annotation (a string: every module uses postponed annotations)."""
    if dataclasses.is_dataclass(cls):
        pairs = [(f.name, f.type) for f in dataclasses.fields(cls)]
    else:
        pairs = [(name, cls.__annotations__.get(name, "")) for name in cls._fields]
    return {name: str(kind) for name, kind in pairs if not name.startswith("_")}


def _summary_keys(cls) -> set[str]:
    keys: set[str] = set()
    for name, method in vars(cls).items():
        if "summary" not in name or not callable(method):
            continue
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(method)))):
            if isinstance(node, ast.Dict):
                keys |= {k.value for k in node.keys
                         if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return keys


def _unknown(names) -> list[str]:
    return sorted(n for n in names if concept(n) is None and n not in PENDING_RENAMES)


def _rejected(names) -> list[str]:
    return sorted(f"{n} (has {rejected_part(n)!r})" for n in names if rejected_part(n))


def _vague_times(fields: dict[str, str]) -> list[str]:
    """Times must say what they are: ``*_at`` an instant (a float), ``*_time`` a duration."""
    bad = [f"{n}: {kind}" for n, kind in fields.items() if "float" in kind
           and (n == "until" or n.endswith(VAGUE_TIME_ENDINGS))]
    bad += [f"{n} is not an instant: {kind}" for n, kind in fields.items()
            if n.endswith("_at") and "float" not in kind]
    return sorted(bad)


def test_the_scan_finds_every_kind_of_description_and_result():
    names = {c.__name__ for c in DESCRIPTIONS}
    assert {"Scenario", "Backend", "Failure", "HealthCheck", "PathScenario", "FailureScript",
            "Prices", "Costs", "Windowing", "HolScenario", "LiveScenario", "Design"} <= names
    assert len(DESCRIPTIONS) >= 23
    assert {"RequestRecord", "CheckoutRecord", "Score", "Result", "PathResult", "GroupResult",
            "QueueLabResult", "IntegrationResult"} <= {c.__name__ for c in RESULTS}
    assert {"mean_response_time", "p95"} <= _summary_keys(
        next(c for c in RESULTS if c.__name__ == "Result"))


@pytest.mark.parametrize("cls", DESCRIPTIONS, ids=lambda c: c.__name__)
def test_every_field_of_a_description_is_in_the_glossary(cls):
    unknown = _unknown(_fields(cls))
    assert unknown == [], f"{cls.__name__}: add {unknown} to course_lib/core/glossary.py"


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__name__)
def test_every_field_and_summary_key_of_a_result_is_in_the_glossary(cls):
    unknown = _unknown({*_fields(cls), *_summary_keys(cls)})
    assert unknown == [], f"{cls.__name__}: add {unknown} to course_lib/core/glossary_results.py"


@pytest.mark.parametrize("cls", DESCRIPTIONS + RESULTS, ids=lambda c: c.__name__)
def test_no_description_or_result_uses_a_rejected_name(cls):
    assert _rejected({*_fields(cls), *_summary_keys(cls)}) == []


@pytest.mark.parametrize("cls", DESCRIPTIONS + RESULTS, ids=lambda c: c.__name__)
def test_times_are_instants_at_or_durations_time(cls):
    assert _vague_times(_fields(cls)) == []


def test_the_checks_catch_a_planted_drift():
    @dataclasses.dataclass(frozen=True)
    class Planted:
        mean_latency_s: float = 0.0
        restart_after: float = 1.0
        resumed_at: int = 0
        widgetness: int = 0

        def summary(self) -> dict:
            return {"p95_latency_ms": 1.0, "p95_response_time_ms": 1.0}

    names = {*_fields(Planted), *_summary_keys(Planted)}
    assert _unknown(names) == ["mean_latency_s", "p95_latency_ms", "restart_after",
                               "resumed_at", "widgetness"]
    assert [r.split()[0] for r in _rejected(names)] == ["mean_latency_s", "p95_latency_ms",
                                                        "restart_after"]
    assert _vague_times(_fields(Planted)) == ["restart_after: float",
                                              "resumed_at is not an instant: int"]


def test_pending_renames_are_still_pending_and_no_new_ones_appear():
    used = {name for cls in DESCRIPTIONS + RESULTS for name in _fields(cls)}
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
    assert lookup("session_timeout_ms").kafka.startswith("session.timeout.ms")
    with pytest.raises(KeyError, match="'intervall' is not in the course glossary"):
        lookup("intervall")


def test_a_statistic_in_a_unit_is_its_term():
    assert concept("p95_response_time_ms") == "response_time"
    assert concept("freshness_p50_s") == "freshness"
    assert concept("mean_latency_s") is None and rejected_part("mean_latency_s") == "latency"
    assert rejected_part("p95_response_time_ms") is None  # a result in ms that says so
