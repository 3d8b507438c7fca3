"""Kafka's jars: the lock, a mirror, a corrupted file, and an unreachable repository."""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from course_lib.kafka.runtime import jars

ROOT = Path(__file__).resolve().parents[1]


def test_the_lock_pins_kafka_its_logging_binding_and_a_sha256_each():
    locked = jars.read_lock()
    names = {(j.group, j.artifact): j for j in locked}
    assert names[("org.apache.kafka", "kafka_2.13")].version == jars.KAFKA_VERSION
    assert ("org.apache.logging.log4j", "log4j-slf4j-impl") in names  # else no broker logs
    assert all(len(j.sha256) == 64 and j.size > 0 for j in locked)
    assert len(locked) == len(names)


def test_a_malformed_lock_line_is_named(tmp_path):
    bad = tmp_path / "bad.lock"
    bad.write_text("# header\nnot a lock line\n")
    with pytest.raises(jars.JarsError, match=r"bad.lock:2: expected 'sha256 size"):
        jars.read_lock(bad)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


def _serve(folder: Path):
    handler = lambda *a, **kw: _Quiet(*a, directory=str(folder), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _mirror_of_the_cache(folder: Path, only: int) -> list[jars.Jar]:
    """A Maven-layout repository holding the first ``only`` locked jars (from the cache)."""
    picked = jars.read_lock()[:only]
    for jar in picked:
        target = folder / jar.repo_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(jars.jar_dir() / jar.filename, target)
    return picked


@pytest.mark.apache_kafka
def test_a_mirror_is_used_and_every_file_verified(tmp_path, monkeypatch):
    picked = _mirror_of_the_cache(tmp_path / "repo", only=3)
    server = _serve(tmp_path / "repo")
    try:
        monkeypatch.setenv(jars.REPO_ENV, f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv(jars.CACHE_ENV, str(tmp_path / "cache"))
        monkeypatch.setattr(jars, "read_lock", lambda path=jars.LOCK_FILE: picked)
        folder = jars.fetch()
        assert sorted(p.name for p in folder.iterdir()) == sorted(j.filename for j in picked)
        assert jars.verify() == [] and jars.cached()
        corrupted = tmp_path / "repo" / picked[0].repo_path
        corrupted.write_bytes(b"x" + corrupted.read_bytes()[1:])
        (folder / picked[0].filename).unlink()
        with pytest.raises(jars.JarsError, match="is not the locked file"):
            jars.fetch()
        assert not (folder / picked[0].filename).exists()  # nothing half-written is kept
    finally:
        server.shutdown()


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_an_unreachable_repository_fails_within_5_s(tmp_path, monkeypatch, kind):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    if kind == "silent":
        listener.listen(8)  # accepts connections, never answers: a hang unless bounded
    try:
        monkeypatch.setenv(jars.REPO_ENV, f"http://127.0.0.1:{listener.getsockname()[1]}")
        monkeypatch.setenv(jars.CACHE_ENV, str(tmp_path / "cache"))
        started = time.monotonic()
        with pytest.raises(jars.JarsError, match=r"could not fetch .*SDL_MAVEN_REPO"):
            jars.fetch()
        assert time.monotonic() - started < 5
    finally:
        listener.close()


OFFLINE_CHILD = """
import time
from course_lib.kafka import backend, bootstrap_servers
started = time.monotonic()  # the promise is about the wait for jars, not Python's imports
address = bootstrap_servers()
print("BACKEND", backend(), round(time.monotonic() - started, 2), flush=True)
"""


@pytest.mark.kafka
def test_offline_without_cached_jars_falls_back_to_the_embedded_broker_within_5_s(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # the repository's host "is there" but never answers
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BACKEND")}
    env |= {jars.REPO_ENV: f"http://127.0.0.1:{listener.getsockname()[1]}",
            jars.CACHE_ENV: str(tmp_path / "empty-cache")}
    try:
        done = subprocess.run([sys.executable, "-c", OFFLINE_CHILD], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr[-2000:]
    first, last = done.stdout.splitlines()[0], done.stdout.splitlines()[-1]
    assert first.startswith("Kafka: the embedded broker (Tansu) at 127.0.0.1:")
    assert "could not be fetched" in first and "SDL_MAVEN_REPO" in first
    backend, seconds = last.split()[1], float(last.split()[2])
    assert backend == "embedded" and seconds < 5
