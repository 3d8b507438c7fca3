"""The learner's progress, recorded locally each time a check runs (nothing leaves the machine).

One small JSON file: ``$XDG_CACHE_HOME/system-design-lab/progress.json`` (``~/.cache/…`` by
default). ``SDL_PROGRESS_FILE`` points it elsewhere, and ``SDL_PROGRESS_FILE=off`` switches
recording off, which ``make notebooks`` and the tests do so that regenerating a lesson never
touches the learner's record. The grader points it at a fresh file per notebook it runs, which
is how it collects the results of the checks that ran inside the learner's kernel.

Recording is best effort: a read-only home folder must never make an exercise cell fail, so
write errors are swallowed, and a corrupt file is replaced by a fresh record.

Introduced in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["ENV_VAR", "load", "progress_path", "record", "record_solution_viewed"]

ENV_VAR = "SDL_PROGRESS_FILE"


def progress_path() -> Path | None:
    """Where progress is recorded, or None when recording is switched off."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override.lower() == "off":
        return None
    if override:
        return Path(override).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "system-design-lab" / "progress.json"


def load(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every recorded exercise, keyed ``"02:1"``; empty when nothing has been recorded."""
    path = path or progress_path()
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    exercises = data.get("exercises", {}) if isinstance(data, dict) else {}
    return exercises if isinstance(exercises, dict) else {}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def record(result: Any, path: Path | None = None) -> None:
    """Add one check's result (a :class:`course_lib.grading.checks.CheckResult`) to the record."""
    path = path or progress_path()
    if path is None or not result.lesson:
        return
    exercises = load(path)
    key = f"{result.lesson}:{result.exercise}"
    entry = exercises.get(key, {"attempts": 0, "correct": False})
    entry.update(lesson=result.lesson, exercise=result.exercise, name=result.name,
                 last_outcome=result.outcome.value, last_message=result.message,
                 last_score=result.score, max_score=result.max_score, last_at=_now())
    if result.answered:
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["correct"] = bool(entry.get("correct")) or result.passed
    exercises[key] = entry
    _write(path, exercises)


def record_solution_viewed(lesson: str, exercise: int, name: str,
                           path: Path | None = None) -> None:
    """Note that the learner asked for an exercise's worked solution (shown by ``progress``)."""
    path = path or progress_path()
    if path is None:
        return
    exercises = load(path)
    entry = exercises.setdefault(f"{lesson}:{exercise}", {"attempts": 0, "correct": False,
                                                          "lesson": lesson,
                                                          "exercise": exercise, "name": name})
    entry.update(solution_viewed_at=_now())
    _write(path, exercises)


def _write(path: Path, exercises: dict[str, dict[str, Any]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a kernel killed mid-write leaves the old record, never half a file.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         encoding="utf-8") as tmp:
            json.dump({"version": 1, "exercises": exercises}, tmp, indent=1, sort_keys=True)
        os.replace(tmp.name, path)
    except OSError:
        pass
