"""One engine knob and one way to name random streams, for every model with a fast twin."""

from __future__ import annotations

import pytest

from course_lib.components import PathScenario, simulate_path, simulate_server
from course_lib.core.engines import ENGINES, check_engine, stream
from course_lib.kafka.models.decision import IntegrationScenario
from course_lib.kafka.models.decision_engine import simulate_integration
from course_lib.kafka.models.group import GroupScenario, simulate_group
from course_lib.lb import Backend, Scenario
from course_lib.lb.models.simulate import simulate

RUNS = {
    "lb.simulate": lambda engine: simulate(
        Scenario((Backend("a", 10.0),), "round_robin", 5.0, 5.0, health_check=None),
        engine=engine),
    "simulate_server": lambda engine: simulate_server(5.0, 10.0, duration=5.0, engine=engine),
    "simulate_path": lambda engine: simulate_path(PathScenario(duration=2.0, warmup=0.5),
                                                  engine=engine),
    "simulate_integration": lambda engine: simulate_integration(
        IntegrationScenario(duration=2.0), engine=engine),
    "simulate_group": lambda engine: simulate_group(GroupScenario(duration=2.0), engine=engine),
}


@pytest.mark.parametrize("name", RUNS)
def test_every_engine_knob_takes_the_same_values_and_words_the_same_error(name):
    for engine in ENGINES:
        RUNS[name](engine)
    with pytest.raises(ValueError, match=r"engine must be 'auto' or 'simpy' \(got 'fast'\)"):
        RUNS[name]("fast")


def test_check_engine_returns_the_value():
    assert [check_engine(e) for e in ENGINES] == ["auto", "simpy"]


def test_a_stream_depends_on_the_seed_and_the_name_only():
    assert stream(7, "arrivals").random() == stream(7, "arrivals").random()
    assert stream(7, "arrivals").random() != stream(7, "services").random()
    assert stream(7, "arrivals").random() != stream(8, "arrivals").random()
    # the spelling the engines used before this helper: stored outputs must not move
    import random

    assert stream(2026, "service-a").random() == random.Random("2026-service-a").random()


@pytest.mark.parametrize("model", ["path", "integration", "group", "capstone"])
def test_the_seed_is_a_field_and_the_old_argument_still_overrides_it(model):
    from dataclasses import replace

    from course_lib.capstone import REFERENCE_DESIGNS, Problem, evaluate
    from course_lib.capstone.models import engine as capstone
    from course_lib.components.models import path_engine
    from course_lib.kafka.models import decision_engine, group

    short_group = group.GroupScenario(duration=5.0)
    description, new, old = {
        "path": (PathScenario(duration=2.0, warmup=0.5), path_engine.simulate, simulate_path),
        "integration": (IntegrationScenario(duration=2.0), decision_engine.simulate,
                        simulate_integration),
        "group": (short_group, group.simulate, group.simulate_group),
        "capstone": (Problem(), lambda p: evaluate(REFERENCE_DESIGNS["N+1"], problem=p),
                     lambda p, seed: evaluate(REFERENCE_DESIGNS["N+1"], seed, p)),
    }[model]
    seeded_7 = replace(description, seed=7)
    assert new(seeded_7) == old(description, seed=7)  # the argument wins, as it used to
    assert old(seeded_7, seed=None) == new(seeded_7)  # without it, the description's seed
    assert new(seeded_7) != new(description)  # and the seed reaches the draws
    if model == "capstone":
        assert capstone.simulate(REFERENCE_DESIGNS["N+1"], seeded_7) == capstone.simulate_run(
            REFERENCE_DESIGNS["N+1"], 7)


def test_seeded_keeps_the_description_or_replaces_only_its_seed():
    from course_lib.core.engines import seeded

    s = PathScenario(arrival_rate=80.0, seed=3)
    assert seeded(s, None) is s
    assert seeded(s, 5) == PathScenario(arrival_rate=80.0, seed=5)
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0 \(got -1\)"):
        seeded(s, -1)


@pytest.mark.parametrize("module", [
    "course_lib.lb.models.simulate", "course_lib.components.models.server",
    "course_lib.components.models.path_engine", "course_lib.kafka.models.replication_engine",
    "course_lib.kafka.models.group", "course_lib.kafka.models.decision_engine",
    "course_lib.kafka.models.hol", "course_lib.capstone.models.engine"])
def test_every_model_runs_by_one_name(module):
    import importlib

    assert callable(importlib.import_module(module).simulate)
