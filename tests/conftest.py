"""Unit tests never touch the learner's progress record: each test gets its own file."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_PROGRESS_FILE", str(tmp_path / "progress.json"))
