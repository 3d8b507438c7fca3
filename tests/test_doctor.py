"""The doctor's table: one row per requirement, a clear verdict, a fix when it is not ok."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import doctor

ROOT = Path(__file__).resolve().parents[1]


def test_rows_without_kafka_cover_python_packages_and_tools():
    rows = doctor.run_checks(kafka=False)
    names = [r.check for r in rows]
    assert names[0] == "Python ≥ 3.11"
    assert {f"{name} ≥ {minimum}" for name, minimum, _ in doctor.PACKAGES} <= set(names)
    assert all(r.verdict in (doctor.OK, doctor.WARN, doctor.FAIL) for r in rows)
    assert all(r.advice for r in rows if r.verdict != doctor.OK)


def test_missing_and_old_packages_fail_with_advice():
    missing = doctor.check_package("no-such-package-xyz", "1.0", "testing")
    assert missing.verdict == doctor.FAIL and "make lab" in missing.advice
    old = doctor.check_package("pytest", "999.0", "testing")
    assert old.verdict == doctor.FAIL and "too old" in old.advice


def test_version_parsing():
    assert doctor._version_tuple("3.0.12") == (3, 0, 12)
    assert doctor._version_tuple("8.1.0rc1") == (8, 1, 0)
    assert doctor._version_tuple("1.26.post1") == (1, 26)


def test_table_says_ready_or_counts_failures():
    rows = [doctor.Row("a", "1", doctor.OK), doctor.Row("b", "none", doctor.FAIL, "install b")]
    table = doctor.format_table(rows)
    assert "→ install b" in table and "1 check(s) failed" in table
    assert doctor.format_table(rows[:1]).endswith("Ready for the course.")


@pytest.mark.kafka
def test_command_line_doctor_runs_the_broker_round_trip():
    done = subprocess.run([sys.executable, "-m", "course_lib", "doctor"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert doctor.KAFKA_ROW in done.stdout
    assert "produce/consume round trip" in done.stdout
    assert done.returncode == 0, done.stdout


def test_optional_tools_name_their_lessons_in_the_doctor_and_the_readme():
    """HAProxy for 03b *and* 07; Apache Kafka for 04–06, 05b and 07; Chromium for no lesson.
    The README's table says the same as :data:`doctor.OPTIONAL_TOOLS`, row by row."""
    tools = doctor.OPTIONAL_TOOLS
    assert tools["HAProxy"][0] == ("03b", "07")
    assert set(tools["Apache Kafka"][0]) == {"04", "05", "05b", "06", "07"}
    assert tools["Chromium"][0] == ()
    rows = {r.check: r for r in doctor.run_checks(kafka=False)}
    assert "HAProxy (lessons 03b, 07: live runs)" in rows
    assert "05b" in doctor.KAFKA_ROW and "07" in doctor.KAFKA_ROW
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Optional system tools"):]
    for tool, (lessons, without) in tools.items():
        [line] = [li for li in section.splitlines() if li.startswith(f"| **{tool}**")]
        assert all(lesson in line for lesson in lessons), (tool, line)
        assert without in line, (tool, line)


def test_rows_say_what_the_lessons_do_without_the_tool(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_NO_HAPROXY", "1")
    monkeypatch.setenv("SDL_KAFKA_CACHE", str(tmp_path))
    haproxy = doctor.check_haproxy()
    assert haproxy.verdict == doctor.WARN and "07's live run show stored runs" in haproxy.advice
    jars = doctor.check_kafka_jars()
    assert jars.verdict == doctor.WARN and "05b's cluster and 07's live run" in jars.advice
