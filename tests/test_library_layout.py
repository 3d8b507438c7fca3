"""The layout's import rules (CONTRIBUTING.md, "Where new code goes"), read from every import.

Every ``import`` in ``course_lib`` is read, the lazy ones inside functions too; only those under
``if TYPE_CHECKING:`` are left out, since they never run. Each module has a place: an *area*
(``components``, ``lb``, ``kafka``, ``capstone``) and a *role* inside it (``models``, ``views``,
``runtime``, ``clients``, ``live``), or a shared home (``core``, ``ui``, ``grading``,
``exercises``), or it is an entry point (``__main__``, ``doctor``, ``authoring``). The rules say
which places may import which, and (R10) that a view raises no ``ValueError``/``TypeError``: a
knob is judged by the description the view builds. A violation names the module, the line and
the rule.
There is no list of exceptions: the library obeys every rule. Each rule is shown to fire on a
planted violation (``test_each_rule_catches_a_planted_violation``), so the test can fail.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_lib"
AREAS = ("components", "lb", "kafka", "capstone")
ROLES = ("models", "views", "runtime", "clients", "live")
#: Third-party or standard modules a model may not touch: models are pure (no clients, no
#: figures, no widgets, no processes, no sockets), so they run anywhere, fast and seeded.
IMPURE = ("kafka", "plotly", "ipywidgets", "anywidget", "subprocess", "socket", "http",
          "urllib", "multiprocessing", "threading")
#: What a view may not do: talk to real parts, or validate (the description does that, once).
VIEW_FORBIDDEN = ("kafka", "subprocess", "socket", "http", "multiprocessing")


@dataclass(frozen=True)
class Place:
    """Where a module sits: ``area`` (or shared home) and ``role``; ``lab`` for a live module."""

    home: str
    role: str
    lab: str = ""


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def place(module: str) -> Place:
    parts = module.split(".")[1:]
    if not parts:
        return Place("course_lib", "package")
    home = parts[0]
    if home in AREAS:
        if len(parts) == 1:
            return Place(home, "package")
        role = parts[1] if parts[1] in ROLES else "?"
        lab = parts[2] if role == "live" and len(parts) > 2 else ""
        return Place(home, role, lab)
    if home in ("core", "ui", "grading", "exercises"):
        return Place(home, home)
    return Place("course_lib", "entry")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module, resolved to a file where one exists
    line: int
    typing_only: bool
    at_top: bool  # executed when the module is imported (not inside a function)
    in_init: bool  # the importing module is a package's __init__


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(name: str, root: Path) -> str:
    """``course_lib.a.b`` → itself if ``a/b.py`` or ``a/b/`` exists, else its parent (``b`` is a
    name inside ``a``)."""
    relative = Path(*name.split("."))
    if (root / relative).with_suffix(".py").exists() or (root / relative).is_dir():
        return name
    return name.rsplit(".", 1)[0]


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    """Every import statement of ``path``, with whether it runs at import time."""
    me = module_name(path, root)
    init = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool, at_top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.body:
                    visit_one(sub, True, at_top)
                for sub in child.orelse:
                    visit_one(sub, typing_only, at_top)
                continue
            visit_one(child, typing_only, at_top)

    def visit_one(child: ast.AST, typing_only: bool, at_top: bool) -> None:
        if isinstance(child, ast.ImportFrom):
            if child.level:
                base = me.split(".")[: -child.level + (1 if path.name == "__init__.py" else 0)
                                     or None]
                module = ".".join([*base, *([child.module] if child.module else [])])
            else:
                module = child.module or ""
            for alias in child.names:
                target = _resolve(f"{module}.{alias.name}", root) if module.startswith(
                    "course_lib") else module
                found.append(Import(me, target, child.lineno, typing_only, at_top, init))
        elif isinstance(child, ast.Import):
            for alias in child.names:
                found.append(Import(me, alias.name, child.lineno, typing_only, at_top, init))
        else:
            inner = at_top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                                     | ast.Lambda)
            visit(child, typing_only, inner)

    visit(ast.parse(path.read_text()), False, True)
    return found


def _external(target: str, names: tuple[str, ...]) -> bool:
    return target.split(".")[0] in names


def violations(imp: Import) -> list[str]:
    """The rules ``imp`` breaks, each as one sentence."""
    if imp.typing_only:
        return []
    src, out = place(imp.module), []
    if not imp.target.startswith("course_lib"):
        if src.role == "models" and _external(imp.target, IMPURE):
            out.append(f"R2 a model imports {imp.target} (models are pure)")
        if src.role == "views" and _external(imp.target, VIEW_FORBIDDEN):
            out.append(f"R6 a view imports {imp.target} (views only draw)")
        if src.home in ("core", "ui") and _external(imp.target, ("kafka",)):
            out.append(f"R1 shared code imports {imp.target}")
        return out
    dst = place(imp.target)
    if dst.home == "exercises" and src.home != "exercises":
        out.append("R7 the library imports the exercises (exercises import the library)")
    if dst.home == "grading" and src.home not in ("grading", "exercises", "course_lib"):
        out.append("R7 the library imports grading")
    if src.home == "core" and dst.home != "core":
        out.append(f"R1 core imports {imp.target} (core imports only core)")
    if src.home == "ui" and dst.home not in ("core", "ui"):
        out.append(f"R1 ui imports {imp.target} (ui imports only core)")
    if src.home in AREAS and dst.home in AREAS and src.home != dst.home and src.home != "capstone":
        out.append(f"R7 area {src.home} imports area {dst.home} (only the capstone composes)")
    allowed = {
        "models": {"models"},
        "views": {"models", "views", "live"},
        "runtime": {"models", "runtime"},
        "clients": {"models", "runtime", "clients"},
        "live": {"models", "runtime", "clients", "live"},
    }.get(src.role)
    if allowed is not None:
        if dst.home == "ui" and src.role != "views":
            out.append(f"R2/R5 a {src.role[:-1] if src.role != 'live' else 'lab'} imports ui "
                       f"({imp.target}): only views draw")
        elif dst.home in AREAS and dst.role in ROLES and dst.role not in allowed:
            rule = {"models": 2, "views": 6, "runtime": 3, "clients": 4, "live": 5}[src.role]
            out.append(f"R{rule} a module in {src.role}/ imports {dst.role}/ ({imp.target})")
        if src.role == "views" and imp.target == "course_lib.core.validate":
            out.append("R6 a view validates (descriptions validate, views only draw)")
        if (src.role == "live" and dst.role == "live" and dst.home == src.home
                and dst.lab != src.lab and dst.lab):
            out.append(f"R5 lab {src.lab} imports lab {dst.lab} (shared code moves to clients/)")
    if (imp.in_init and src.home in AREAS + ("course_lib",) and imp.at_top
            and imp.target != "course_lib.core.lazy"):
        out.append(f"R8 a package __init__ imports {imp.target} at import time "
                       "(list it under TYPE_CHECKING for core.lazy)")
    return out


def library_modules(root: Path = ROOT) -> list[Path]:
    return sorted((root / "course_lib").rglob("*.py"))


def all_violations(root: Path = ROOT) -> list[str]:
    found = []
    for path in library_modules(root):
        for imp in imports_of(path, root):
            found += [f"{imp.module}:{imp.line}: {v}" for v in violations(imp)]
    return found


# -- R9: processes ------------------------------------------------------------------------------
SPAWNERS = {("subprocess", "Popen"), ("os", "fork"), ("os", "forkpty"), ("os", "system"),
            ("os", "popen"), ("os", "posix_spawn"), ("os", "posix_spawnp"), ("pty", "fork")}


def process_violations(path: Path, root: Path = ROOT) -> list[str]:
    """A child started outside ``core.procs.spawn``; a ``subprocess.run`` without ``timeout``."""
    me = module_name(path, root)
    if me == "course_lib.core.procs":
        return []
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            pair = (func.value.id, func.attr)
            if pair in SPAWNERS or pair[0] == "multiprocessing":
                found.append(f"{me}:{node.lineno}: R9 {pair[0]}.{pair[1]} starts a child outside "
                             "core.procs.spawn")
            if pair == ("subprocess", "run") and not any(k.arg == "timeout"
                                                         for k in node.keywords):
                found.append(f"{me}:{node.lineno}: R9 subprocess.run without a timeout")
        elif isinstance(func, ast.Name) and func.id == "Popen":
            found.append(f"{me}:{node.lineno}: R9 Popen starts a child outside core.procs.spawn")
    return found


# -- R10: views do not validate --------------------------------------------------------------
#: The exceptions that mean "a bad value": raised by descriptions (core.validate), never a view.
VALIDATION_ERRORS = ("ValueError", "TypeError")


def _raised_name(node: ast.Raise) -> str:
    """``ValueError`` for ``raise ValueError(...)``, ``raise ValueError`` or
    ``raise builtins.ValueError(...)``; ``""`` for a bare ``raise`` (re-raising is not judging)."""
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    if isinstance(exc, ast.Name):
        return exc.id
    return exc.attr if isinstance(exc, ast.Attribute) else ""


def raise_violations(path: Path, root: Path = ROOT) -> list[str]:
    """A module in a ``views/`` folder that raises ValueError/TypeError: it judges a knob itself
    instead of building the description whose validation says it in the course's words."""
    me = module_name(path, root)
    if place(me).role != "views":
        return []
    return [f"{me}:{node.lineno}: R10 a view raises {_raised_name(node)} (move the check into "
            "the description it belongs to, in models/)"
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Raise) and _raised_name(node) in VALIDATION_ERRORS]


# -- R8: cycles ---------------------------------------------------------------------------------
def cycles(root: Path = ROOT) -> list[list[str]]:
    """Import cycles among modules, counting every executed import (lazy ones included)."""
    graph: dict[str, set[str]] = {}
    for path in library_modules(root):
        for imp in imports_of(path, root):
            if (not imp.typing_only and imp.target.startswith("course_lib")
                    and imp.target != imp.module and not imp.module.startswith(imp.target + ".")):
                graph.setdefault(imp.module, set()).add(imp.target)
    found, state = [], {}

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node, [])
    return found


# -- the tests ----------------------------------------------------------------------------------
def test_every_module_has_a_place():
    unplaced = [module_name(p) for p in library_modules() if place(module_name(p)).role == "?"]
    assert unplaced == [], "modules outside the layout (CONTRIBUTING.md says where each goes)"


def test_the_library_obeys_every_import_rule():
    assert all_violations() == []


def test_no_child_process_outside_procs_spawn():
    assert [v for p in library_modules() for v in process_violations(p)] == []


def test_no_import_cycles():
    assert cycles() == []


def test_no_view_raises_a_validation_error():
    assert [v for p in library_modules() for v in raise_violations(p)] == []


PLANTED = {
    "course_lib/kafka/models/leak.py": ("import plotly.graph_objects as go\n", "R2"),
    "course_lib/kafka/models/leak2.py": ("from course_lib.kafka.runtime import cluster\n", "R2"),
    "course_lib/lb/models/leak3.py": ("def f():\n    from kafka import KafkaProducer\n", "R2"),
    "course_lib/kafka/live/lab_a.py": ("from course_lib.kafka.live.lab_b import x\n", "R5"),
    "course_lib/kafka/live/lab_c.py": ("from course_lib.kafka.views.group import f\n", "R5"),
    "course_lib/kafka/views/v.py": ("from course_lib.kafka.runtime.cluster import K\n", "R6"),
    "course_lib/kafka/views/v2.py": ("from course_lib.core.validate import number\n", "R6"),
    "course_lib/lb/models/cross.py": ("from course_lib.kafka.models.group import G\n", "R7"),
    "course_lib/core/up.py": ("from course_lib.lb.models.scenario import Scenario\n", "R1"),
    "course_lib/kafka/__init__.py": ("from course_lib.kafka.runtime import cluster\n", "R8"),
    "course_lib/kafka/live/grader.py": ("from course_lib.exercises import lesson04\n", "R7"),
}


def test_each_rule_catches_a_planted_violation(tmp_path):
    """A copy of the rules' inputs with one violation per rule: each is reported, by its rule."""
    for relative, (source, rule) in PLANTED.items():
        path = tmp_path / relative
        for parent in reversed(path.relative_to(tmp_path).parents):
            (tmp_path / parent).mkdir(exist_ok=True)
        path.write_text(source)
        (tmp_path / "course_lib/kafka/live").mkdir(parents=True, exist_ok=True)
        (tmp_path / "course_lib/kafka/live/lab_b.py").write_text("x = 1\n")
        found = [v for imp in imports_of(path, tmp_path) for v in violations(imp)]
        assert any(v.startswith(rule) for v in found), (relative, found)
    typing_only = tmp_path / "course_lib/kafka/models/typed.py"
    typing_only.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                           "    import plotly\n")
    assert [v for imp in imports_of(typing_only, tmp_path) for v in violations(imp)] == []


def test_planted_cycle_and_child_are_caught(tmp_path):
    models = tmp_path / "course_lib" / "lb" / "models"
    models.mkdir(parents=True)
    (models / "a.py").write_text("from course_lib.lb.models.b import y\nx = 1\n")
    (models / "b.py").write_text("def f():\n    from course_lib.lb.models.a import x\ny = 2\n")
    assert cycles(tmp_path) == [["course_lib.lb.models.a", "course_lib.lb.models.b",
                                 "course_lib.lb.models.a"]]
    child = tmp_path / "course_lib" / "kafka" / "live" / "spawner.py"
    child.parent.mkdir(parents=True)
    child.write_text("import subprocess\nsubprocess.Popen(['x'])\nsubprocess.run(['y'])\n")
    found = process_violations(child, tmp_path)
    assert len(found) == 2 and "Popen" in found[0] and "timeout" in found[1]


def test_planted_raise_in_a_view_is_caught(tmp_path):
    views = tmp_path / "course_lib" / "lb" / "views"
    views.mkdir(parents=True)
    view = views / "judge.py"
    view.write_text("def render(rho):\n    if not 0 < rho < 1:\n"
                    "        raise ValueError(f'rho must be < 1 (got {rho})')\n"
                    "    if rho is None:\n        raise TypeError\n"
                    "    try:\n        pass\n    except KeyError:\n        raise\n"
                    "    raise RuntimeError('not a knob')\n")
    found = raise_violations(view, tmp_path)
    assert [v.split(": ", 1)[1].split(" (")[0] for v in found] == [
        "R10 a view raises ValueError", "R10 a view raises TypeError"]
    assert found[0].startswith("course_lib.lb.views.judge:3:")
    model = tmp_path / "course_lib" / "lb" / "models" / "judge.py"
    model.parent.mkdir(parents=True)
    model.write_text(view.read_text())
    assert raise_violations(model, tmp_path) == []  # descriptions are where checks belong


@pytest.mark.parametrize("package", ["course_lib.kafka", "course_lib.lb", "course_lib.components",
                                     "course_lib.capstone", "course_lib.lb.live"])
def test_importing_an_area_runs_nothing(package):
    """A package's import loads no runtime, no client library and no plotting (fresh process)."""
    probe = (f"import sys, {package}\n"
             "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('kafka', 'plotly', 'ipywidgets', 'simpy')"
             " or '.runtime' in m or '.live.' in m or '.clients' in m)\n"
             "print(bad)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("package", ["course_lib.kafka", "course_lib.lb", "course_lib.components",
                                     "course_lib.capstone", "course_lib.lb.live"])
def test_every_lazy_export_resolves(package):
    import importlib

    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_every_model_imports_without_kafka_python_plotly_or_widgets():
    """As if they were not installed: a finder refuses them, then every ``models/`` module imports
    (the pure replication model among them), and no child process was started."""
    probe = """
import importlib, importlib.abc, pathlib, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("kafka", "plotly", "ipywidgets", "anywidget"):
            raise ImportError(f"{name} is not installed (refused by the test)")
sys.meta_path.insert(0, Refuse())
import course_lib.core.procs as procs
root = pathlib.Path("course_lib")
for path in sorted(root.glob("*/models/*.py")):
    importlib.import_module(".".join(path.with_suffix("").parts).replace(".__init__", ""))
import course_lib.kafka.models.replication
print(len(procs.live_children()), sorted(m for m in sys.modules if m.startswith("course_lib.")
      and any(r in m for r in (".runtime", ".clients", ".live.", ".views"))))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(None, 1) == ["0", "[]\n"]
