"""Every hint a lesson tells the learner to ask for works as written, in a fresh kernel.

Lessons 04, 05 and 06 used to say "Stuck? ``ex.hint(1)``" without ever importing ``ex``, so the
call raised NameError (learner review 2026-12, section 0). The rule now: every lesson's setup cell
(its first code cell) imports its exercises as ``ex`` (``from course_lib.exercises import
lessonNN as ex``), and every hint instruction the lesson gives, in markdown or in a comment, is
``ex.hint(n)``.

For each lesson this test reads those instructions from the notebook, starts a fresh Python
(cwd ``notebooks/``, as a kernel; progress recording off), executes the *import statements* of
the setup cell and nothing else, then types each instruction exactly as written and checks that
it prints hint 1 of that exercise. The printed hint names the call for the next tier ("Run
ex.hint(1) again …"): that call is typed as written too, up to tier 3, whose "ex.solution(1)"
must name something callable in that kernel. Only the imports run because lesson 05's setup cell
also prints ``bootstrap_servers()``, which starts a broker; the hints need none, and the test
checks that the imports alone start no process and no thread.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.grading.exercise import lesson
from course_lib.grading.notebooks import lesson_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
#: Any call of a ``hint`` a lesson names: ``hint(1)``, ``ex.hint(2)``, ``exercises.hint(3, 1)``.
HINT_CALL = re.compile(r"(?<![\w.])(?:\w+\.)?hint\(\s*\d+\s*(?:,\s*\d+\s*)?\)")

#: Runs in the fresh process: the setup cell's imports, then each call as a learner types it.
DRIVER = r'''
import contextlib, io, json, re, sys, threading

job = json.loads(sys.stdin.read())
ns = {"__name__": "__main__"}
exec(compile(job["imports"], "<setup cell imports>", "exec"), ns)

from course_lib.core import procs  # the registry of every process the course starts

started = {"children": procs.live_children(),
           "threads": [t.name for t in threading.enumerate() if t is not threading.main_thread()]}


def run(call):
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(call, "<learner>", "exec"), ns)
    except Exception as exc:
        return {"call": call, "out": out.getvalue(), "error": f"{type(exc).__name__}: {exc}"}
    return {"call": call, "out": out.getvalue()}


results = {}
for call in job["calls"]:
    tiers = [run(call)]
    while "error" not in tiers[-1] and len(tiers) < 4:
        again = re.search(r"Run (\S+\)) again", tiers[-1]["out"])
        if not again:
            break
        tiers.append(run(again.group(1)))
    last = re.search(r"Still stuck\? (\S+)\(\d+\)", tiers[-1]["out"])
    named = None
    if last:
        try:
            named = callable(eval(last.group(1), ns))
        except Exception as exc:
            named = f"{type(exc).__name__}: {exc}"
    results[call] = {"tiers": tiers, "solution_named": last and last.group(1),
                     "solution_callable": named}
print(json.dumps({"started": started, "results": results}))
'''


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def instructions(path: Path) -> list[str]:
    """Every hint call the lesson tells the learner to type, in order, each once: anywhere in
    markdown, and in the comment lines of code cells (where the solution cells say "Stuck?")."""
    calls: list[str] = []
    for cell in _cells(path):
        text = _source(cell)
        if cell["cell_type"] == "code":
            text = "\n".join(ln for ln in text.splitlines() if ln.lstrip().startswith("#"))
        elif cell["cell_type"] != "markdown":
            continue
        calls += [m.group(0) for m in HINT_CALL.finditer(text) if m.group(0) not in calls]
    return calls


def setup_imports(path: Path) -> tuple[str, ast.Module]:
    """The import statements of the lesson's setup cell (its first code cell), as source."""
    setup = next(c for c in _cells(path) if c["cell_type"] == "code")
    tree = ast.parse(_source(setup))
    tree.body = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return ast.unparse(tree), tree


def _number(call: str) -> int:
    return int(re.search(r"hint\(\s*(\d+)", call).group(1))  # type: ignore[union-attr]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_setup_cell_imports_the_lessons_exercises_as_ex(path):
    code = lesson_of(path)
    _, tree = setup_imports(path)
    binds_ex = any(isinstance(n, ast.ImportFrom) and n.module == "course_lib.exercises"
                   and any(a.name == f"lesson{code}" and a.asname == "ex" for a in n.names)
                   for n in tree.body)
    assert binds_ex, (f"{path.name}: the first code cell should contain "
                      f"'from course_lib.exercises import lesson{code} as ex'")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_exercise_has_a_hint_instruction_and_all_say_ex_hint(path):
    calls = instructions(path)
    numbers = {_number(c) for c in calls}
    expected = set(lesson(lesson_of(path)).exercises)
    assert numbers >= expected, f"{path.name}: no hint instruction for {expected - numbers}"
    odd = [c for c in calls if not re.fullmatch(r"ex\.hint\(\d+\)", c)]
    assert not odd, f"{path.name}: say 'ex.hint(n)' as every lesson does, not {odd}"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_each_hint_instruction_prints_its_tiers_after_only_the_setup_imports(path):
    code = lesson_of(path)
    exercises = lesson(code).exercises
    calls = instructions(path)
    imports, _ = setup_imports(path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SDL_PROGRESS_FILE": "off",
           "PLOTLY_RENDERER": "plotly_mimetype", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", DRIVER], cwd=NOTEBOOKS, env=env, text=True,
                          input=json.dumps({"imports": imports, "calls": calls}),
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["started"] == {"children": [], "threads": []}, (
        f"{path.name}: the setup cell's imports started something: {report['started']}")
    for call in calls:
        result = report["results"][call]
        hints = exercises[_number(call)].hints
        tiers = result["tiers"]
        assert all("error" not in t for t in tiers), f"{path.name}: {tiers[-1]}"
        assert [t["out"].split(":", 1)[0] for t in tiers] == [
            "Hint 1 of 3 (a nudge)", "Hint 2 of 3 (the method)", "Hint 3 of 3 (nearly the answer)"
        ], f"{path.name}: {call} and the calls its hints name printed {tiers}"
        for tier, text in zip(tiers, hints, strict=True):
            assert text in tier["out"], f"{path.name}: {tier['call']} printed {tier['out']!r}"
        assert tiers[0]["call"] == call and tiers[1]["call"] == call, (
            f"{path.name}: the hint says to run {tiers[1]['call']}, the lesson says {call}")
        assert result["solution_callable"] is True, (
            f"{path.name}: hint 3 names {result['solution_named']}(…), which this kernel "
            f"cannot call: {result['solution_callable']}")
