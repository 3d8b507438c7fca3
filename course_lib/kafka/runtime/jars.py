"""Apache Kafka's jars: a committed, sha256-pinned lock, fetched once into a per-user cache.

Why a lock and a few lines of standard-library Python rather than Maven or a resolver package:
a learner needs nothing but ``pip``, CI gets the same 46 files every time, and every file is
checked against the hash recorded when the lock was made. The lock (``kafka-jars.lock`` beside
this file) lists one jar a line: ``sha256  size  group:artifact:version``. It was produced on a
machine with Maven (``python -m course_lib.kafka.runtime.jars --relock``, which runs
``mvn dependency:list`` on a three-line POM) and is regenerated at each Kafka bump.

What the lock holds, measured when it was made (2026-12-01): ``org.apache.kafka:kafka_2.13:4.3.2``
with its runtime dependencies, plus ``log4j-slf4j-impl`` (Kafka's POM carries no SLF4J binding,
so without it the broker logs nothing; Kafka 4.3 still uses slf4j-api 1.7.36, hence the 1.x
binding rather than ``log4j-slf4j2-impl``): 46 jars, 45.2 MB. ``kafka.Kafka`` and
``kafka.tools.StorageTool`` are in ``kafka_2.13-4.3.2.jar``; there is no
``org.apache.kafka.tools.StorageTool``.

Where from: Maven Central, or the repository named by ``SDL_MAVEN_REPO`` (a mirror or a
corporate proxy; Maven's ``settings.xml`` is not read). Where to: ``SDL_KAFKA_CACHE``, else
``$XDG_CACHE_HOME/system-design-lab/kafka``, else ``~/.cache/system-design-lab/kafka``. Every
request has a time limit, and a whole fetch has one too, so an unreachable host costs seconds,
never a hang.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from course_lib.core.errors import PartError

LOCK_FILE = Path(__file__).with_name("kafka-jars.lock")
CENTRAL = "https://repo.maven.apache.org/maven2"
REPO_ENV = "SDL_MAVEN_REPO"
CACHE_ENV = "SDL_KAFKA_CACHE"
KAFKA_VERSION = "4.3.2"
#: What the lock is made from (``--relock``): the broker and the logging binding it lacks.
ROOTS = ("org.apache.kafka:kafka_2.13:" + KAFKA_VERSION,
         "org.apache.logging.log4j:log4j-slf4j-impl:2.25.5")


class JarsError(PartError):
    """Kafka's jars could not be had: the message says where we looked and what to do."""


@dataclass(frozen=True)
class Jar:
    """One locked jar: its Maven coordinates, size and sha256."""

    group: str
    artifact: str
    version: str
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    @property
    def repo_path(self) -> str:
        """The jar's path in a Maven-layout repository."""
        return "/".join([*self.group.split("."), self.artifact, self.version, self.filename])


def read_lock(path: Path = LOCK_FILE) -> list[Jar]:
    """The jars of the lock file, in its order."""
    jars = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            sha, size, coordinates = line.split()
            group, artifact, version = coordinates.split(":")
            jars.append(Jar(group, artifact, version, int(size), sha))
        except ValueError as exc:
            raise JarsError(f"{path}:{number}: expected 'sha256 size group:artifact:version', "
                            f"got {line!r}") from exc
    return jars


def cache_dir() -> Path:
    """Where this user's copy of the jars lives (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "system-design-lab" / "kafka"


def jar_dir() -> Path:
    return cache_dir() / KAFKA_VERSION


def repository() -> str:
    return (os.environ.get(REPO_ENV) or CENTRAL).rstrip("/")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing_jars(jars: list[Jar] | None = None) -> list[Jar]:
    """The locked jars not yet in the cache (sizes are compared; hashes were checked on fetch)."""
    folder = jar_dir()
    return [jar for jar in (jars or read_lock())
            if not (folder / jar.filename).is_file()
            or (folder / jar.filename).stat().st_size != jar.size]


def cached() -> bool:
    """True when every locked jar is in the cache: starting Kafka needs no network."""
    return not missing_jars()


def _download(jar: Jar, target: Path, base: str, timeout_s: float) -> None:
    """Fetch one jar to ``target`` through a temporary file, verifying size and sha256."""
    url = f"{base}/{jar.repo_path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise JarsError(f"could not fetch {url}: {reason}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if len(data) != jar.size or actual != jar.sha256:
        raise JarsError(f"{url} is not the locked file (sha256 {actual[:12]}…, {len(data)} bytes; "
                        f"the lock says {jar.sha256[:12]}…, {jar.size} bytes)")
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, target)


def fetch(timeout_s: float = 120.0, request_timeout_s: float = 4.0,
          progress: bool = False) -> Path:
    """Make sure every locked jar is in the cache; return the folder that holds them.

    The first request fails within ``request_timeout_s`` when the repository cannot be reached,
    so an offline machine learns so in seconds. ``timeout_s`` bounds the whole download.
    """
    folder = jar_dir()
    todo = missing_jars()
    if not todo:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    base = repository()
    deadline = time.monotonic() + timeout_s
    for index, jar in enumerate(todo, start=1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise JarsError(f"fetching Kafka's jars from {base} took over {timeout_s:.0f} s; "
                            f"{len(todo) - index + 1} of {len(todo)} still missing")
        if progress:
            print(f"  [{index}/{len(todo)}] {jar.filename}", flush=True)
        try:
            _download(jar, folder / jar.filename, base, min(request_timeout_s, remaining)
                      if index == 1 else min(30.0, remaining))
        except JarsError as exc:
            raise JarsError(f"{exc}. Kafka's jars come from Maven Central, or from the "
                            f"repository in {REPO_ENV}; run 'make kafka' once when online."
                            ) from exc
    return folder


def classpath() -> str:
    """The broker's class path, from the cache (call :func:`fetch` first)."""
    folder = jar_dir()
    return os.pathsep.join(str(folder / jar.filename) for jar in read_lock())


def verify() -> list[str]:
    """Problems with the cached jars (missing, wrong size or wrong sha256); empty when all good."""
    problems = []
    for jar in read_lock():
        path = jar_dir() / jar.filename
        if not path.is_file():
            problems.append(f"{jar.filename}: missing")
        elif _sha256(path) != jar.sha256:
            problems.append(f"{jar.filename}: sha256 differs from the lock")
    return problems


def relock(path: Path = LOCK_FILE) -> list[Jar]:
    """Regenerate the lock with Maven (needs ``mvn`` and a repository it reaches)."""
    deps = "".join(
        "<dependency><groupId>{}</groupId><artifactId>{}</artifactId><version>{}</version>"
        "</dependency>".format(*root.split(":")) for root in ROOTS)
    pom = ('<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
           "<groupId>sdl</groupId><artifactId>kafka-lock</artifactId><version>1</version>"
           f"<dependencies>{deps}</dependencies></project>")
    with tempfile.TemporaryDirectory() as work:
        Path(work, "pom.xml").write_text(pom)
        listing = Path(work, "deps.txt")
        subprocess.run(["mvn", "-q", "-B", "dependency:list", "-DincludeScope=runtime",
                        f"-DoutputFile={listing}", "-DoutputAbsoluteArtifactFilename=true"],
                       cwd=work, check=True, timeout=600)
        jars = []
        for line in listing.read_text().splitlines():
            parts = line.strip().split(":")
            if len(parts) < 6 or parts[2] != "jar":
                continue
            file = Path(":".join(parts[5:]))
            jars.append(Jar(parts[0], parts[1], parts[3], file.stat().st_size, _sha256(file)))
    jars.sort(key=lambda j: (j.group, j.artifact))
    header = (f"# Apache Kafka {KAFKA_VERSION} broker class path, made by "
              "'python -m course_lib.kafka.runtime.jars --relock'.\n"
              "# sha256  size  group:artifact:version\n")
    path.write_text(header + "".join(f"{j.sha256}  {j.size}  {j.group}:{j.artifact}:{j.version}\n"
                                     for j in jars))
    return jars


if __name__ == "__main__":
    if "--relock" in sys.argv:
        locked = relock()
        print(f"{len(locked)} jars, {sum(j.size for j in locked) / 1e6:.1f} MB -> {LOCK_FILE}")
    else:
        print(fetch(progress=True))
