"""course_lib.core.runs: the one home of stored live runs (file, live-or-stored, label).

A toy run type stands in for the labs' (core knows no area); the last tests read the three
labs' real stored files through it, byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from course_lib.core.runs import (
    ASKED_STORED,
    REFERENCE_MACHINE,
    THIS_MACHINE,
    RunStore,
    dumps,
    label,
    why_stored,
)


@dataclass
class Toy:
    values: list[float]
    version: str = "1.0"
    label: str = label(THIS_MACHINE)


@dataclass
class Raw:
    """A stored run kept as its dict: what the file holds, whatever the lab."""

    data: dict[str, Any]
    label: str


def _to_dict(run: Toy) -> dict[str, Any]:
    return {"values": run.values, "version": run.version, "label": run.label}


def _from_dict(name: str, data: dict[str, Any]) -> Toy:
    return Toy(data["values"], data["version"], data["label"])


def _store(path: Path) -> RunStore[Toy]:
    return RunStore(path, _to_dict, _from_dict, software=lambda r: f"Toy {r.version}")


def test_save_then_load_gives_the_same_runs(tmp_path):
    store = _store(tmp_path / "runs.json")
    runs = {"b": Toy([2.5, 3.0], "2.1"), "a": Toy([1.0])}
    store.save(runs)
    again = store.load()
    assert list(again) == ["a", "b"]  # sorted keys in the file
    assert again == runs  # no ``why``: labels kept as stored
    assert store.load(["b"]) == {"b": runs["b"]}


def test_the_file_is_deterministic_compact_and_ends_with_a_newline(tmp_path):
    one, two = _store(tmp_path / "one.json"), _store(tmp_path / "two.json")
    one.save({"x": Toy([1.0]), "y": Toy([2.0])})
    two.save({"y": Toy([2.0]), "x": Toy([1.0])})
    text = one.path.read_text()
    assert text == two.path.read_text()
    assert text == ('{"x":{"label":"live run (measured on this machine)","values":[1.0],'
                    '"version":"1.0"},"y":{"label":"live run (measured on this machine)",'
                    '"values":[2.0],"version":"1.0"}}\n')
    assert dumps({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}\n'


def test_keep_others_leaves_the_other_runs_bytes_alone(tmp_path):
    path = tmp_path / "runs.json"
    path.write_text('{"old":{"label":"measured on X","values":[0.10],"version":"0"}}\n')
    _store(path).save({"new": Toy([1.0])}, keep_others=True)
    data = json.loads(path.read_text())
    assert set(data) == {"old", "new"} and data["old"]["values"] == [0.1]
    _store(path).save({"new": Toy([1.0])})
    assert set(json.loads(path.read_text())) == {"new"}


def test_record_labels_runs_with_where_they_were_measured(tmp_path):
    store = _store(tmp_path / "runs.json")
    store.record({"a": Toy([1.0])}, REFERENCE_MACHINE)
    assert json.loads(store.path.read_text())["a"]["label"] == REFERENCE_MACHINE


def test_the_label_says_live_or_stored_what_ran_where_and_why():
    assert label(THIS_MACHINE) == "live run (measured on this machine)"
    assert label(THIS_MACHINE, software="HAProxy 2.6.12") == (
        "live run (HAProxy 2.6.12, measured on this machine)")
    assert label(REFERENCE_MACHINE, why="HAProxy not installed") == (
        "stored run (measured on a 2-core Linux machine), shown because HAProxy not installed")
    assert label(REFERENCE_MACHINE, software="Apache Kafka 4.3.2", why="no Java") == (
        "stored run (Apache Kafka 4.3.2, measured on a 2-core Linux machine), "
        "shown because no Java")


def test_why_stored_runs_live_only_when_asked_and_available():
    probed = []

    def missing() -> str | None:
        probed.append(1)
        return "no real part here"

    assert why_stored(None, missing) == "no real part here"
    assert why_stored(None, lambda: None) is None
    assert why_stored(False, lambda: None) == ASKED_STORED
    probed.clear()
    assert why_stored(True, missing) is None and why_stored(False, missing) == ASKED_STORED
    assert probed == []  # an explicit choice never probes the machine


def test_live_or_stored_runs_live_or_loads_the_store_labelled_with_why(tmp_path):
    store = _store(tmp_path / "runs.json")
    store.record({"a": Toy([1.0], "2.0"), "b": Toy([2.0])}, REFERENCE_MACHINE)
    live = store.live_or_stored(["a"], lambda name: Toy([9.0]), None)
    assert live == {"a": Toy([9.0])} and live["a"].label == "live run (measured on this machine)"
    stored = store.live_or_stored(["a"], lambda name: pytest.fail("ran live"), "no Toy here")
    assert stored["a"].values == [1.0]
    assert stored["a"].label == ("stored run (Toy 2.0, measured on a 2-core Linux machine), "
                                 "shown because no Toy here")
    with pytest.raises(KeyError, match="no stored live run named 'c'.*stored: a, b"):
        store.live_or_stored(["c"], lambda name: Toy([]), "no Toy here")


@pytest.mark.parametrize("path", ["course_lib/lb/live/failover/stored_runs.json",
                                  "course_lib/kafka/live/failover/stored_runs.json",
                                  "course_lib/capstone/live/shop/stored_runs.json"])
def test_the_labs_stored_files_read_back_and_keep_their_bytes(tmp_path, path):
    """Re-saving every run unchanged writes the same JSON (the Kafka file's one key out of order,
    ``produce_rate``, aside: it is compared as data)."""
    original = Path(path)
    raw = RunStore(original, lambda r: r.data, lambda _name, data: Raw(data, data["label"]))
    copy = RunStore(tmp_path / "copy.json", raw.to_dict, raw.from_dict)
    copy.save(raw.load())
    assert json.loads(copy.path.read_text()) == json.loads(original.read_text())
    if "kafka" not in path:
        assert copy.path.read_bytes() == original.read_bytes()
