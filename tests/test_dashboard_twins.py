"""Every live dashboard cell has a checked twin: the same render function, the same defaults.

A dashboard cell's output is not compared by nbval (it is live), so the cell right after it must
call the same render function with the dashboard's default knob values; nbval then checks that
figure. The defaults are read from the dashboard cell's source (the first argument of each
``slider``/``int_slider``/``dropdown``, plus ``fixed={...}``) and compared with the twin's
keyword arguments; a twin may leave out a knob only when it passes the function's own default.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
CONTROLS = {"slider", "int_slider", "dropdown"}


def _calls(tree: ast.AST, name: str | None = None) -> list[ast.Call]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", None)
            if name is None or callee == name:
                found.append(node)
    return found


def _name(node: ast.expr) -> str:
    return ast.unparse(node)


def _dashboards():
    for path in LESSONS:
        cells = json.loads(path.read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        for i, cell in enumerate(code):
            source = "".join(cell["source"])
            if "dashboard(" not in source:
                continue
            for call in _calls(ast.parse(source), "dashboard"):
                if not call.args:
                    continue
                twin = "".join(code[i + 1]["source"]) if i + 1 < len(code) else ""
                yield pytest.param(call, source, twin, id=f"{path.stem}:{_name(call.args[0])}")


DASHBOARDS = list(_dashboards())


def _value(node: ast.expr) -> object:
    """A literal's value, or a name's source text (``SEED`` in both cells compares equal)."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def _defaults(call: ast.Call) -> dict[str, object]:
    values = {}
    for kw in call.keywords:
        if kw.arg == "fixed" and isinstance(kw.value, ast.Dict):
            values.update({_value(k): _value(v) for k, v in zip(kw.value.keys, kw.value.values,
                                                                strict=True)})
        elif isinstance(kw.value, ast.Call) and _name(kw.value.func) in CONTROLS:
            values[kw.arg] = _value(kw.value.args[0])
    return values


def _resolve(dotted: str, setup_source: str):
    """The render function object, from the names the lesson imported."""
    namespace: dict = {}
    for node in ast.parse(setup_source).body:
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                namespace[alias.asname or alias.name] = getattr(module, alias.name, None) or \
                    importlib.import_module(f"{node.module}.{alias.name}")
    head, *rest = dotted.split(".")
    obj = namespace[head]
    for part in rest:
        obj = getattr(obj, part)
    return obj


def test_every_lesson_dashboard_is_found():
    assert len(DASHBOARDS) >= 10


@pytest.mark.parametrize(("call", "source", "twin"), DASHBOARDS)
def test_twin_calls_the_same_render_with_the_dashboard_defaults(call, source, twin):
    render = _name(call.args[0])
    twins = _calls(ast.parse(twin), render.rsplit(".", 1)[-1]) if twin else []
    assert twins, f"the cell after the {render} dashboard does not call {render}"
    given = {kw.arg: _value(kw.value) for kw in twins[0].keywords}
    defaults = _defaults(call)
    for knob, value in given.items():
        if knob in defaults:
            assert value == defaults[knob], f"twin passes {knob}={value!r}, dashboard starts at " \
                                            f"{defaults[knob]!r}"
    missing = {k: v for k, v in defaults.items() if k not in given}
    if missing:
        setup = "\n".join(
            "".join(c["source"]) for p in LESSONS for c in json.loads(p.read_text())["cells"]
            if c["cell_type"] == "code" and render.split(".")[0] in "".join(c["source"])
            and "import" in "".join(c["source"]))
        signature = inspect.signature(_resolve(render, setup))
        for knob, value in missing.items():
            default = signature.parameters[knob].default
            assert default == value, (f"twin omits {knob}; {render}'s own default {default!r} "
                                      f"differs from the dashboard's {value!r}")
