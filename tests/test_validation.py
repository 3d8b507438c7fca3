"""Every description refuses the same bad inputs the same way: a ValueError or TypeError whose
message names the field and the value, raised at construction in well under a second.

One table of bad values (negative, zero, NaN, infinity, wrong type, out-of-range choice) runs over
every model's description; each row of ``FIELDS`` says how to build that description with one
field replaced. The wording itself (field, rule, value) is pinned in ``test_messages``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import time
from dataclasses import replace

import pytest

import course_lib
from course_lib.capstone import Design, Problem, TrafficProfile, Work
from course_lib.components.models.knee import LoadPoint
from course_lib.components.models.path import PathKnobs, PathScenario
from course_lib.components.models.server import ServerScenario, simulate_server
from course_lib.core import queueing, validate
from course_lib.kafka.live.crash import Handover
from course_lib.kafka.models.decision import Costs, IntegrationScenario
from course_lib.kafka.models.failover import LiveScenario
from course_lib.kafka.models.group import GroupScenario
from course_lib.kafka.models.hol import HolScenario
from course_lib.kafka.models.queue import QueueLab
from course_lib.kafka.models.replication import ReplicationScenario
from course_lib.kafka.models.replication_engine import simulate_replication
from course_lib.kafka.models.windows import Windowing
from course_lib.lb import Backend, HealthCheck, PassiveCheck, Scenario
from course_lib.lb.models.experiments import FailurePrediction, ScaleSetting, UnequalRace

TWO = (Backend("a", 100.0), Backend("b", 100.0))

# (description, field name in the message, build(value)) for fields that must be > 0
POSITIVE = [
    ("lb.Scenario", "arrival_rate", lambda v: Scenario(TWO, arrival_rate=v)),
    ("lb.Backend", "backends[1].service_rate",
     lambda v: Scenario((TWO[0], Backend("b", v)))),
    ("lb.HealthCheck", "health_check.interval", lambda v: HealthCheck(interval=v)),
    ("lb.PassiveCheck", "passive.fail_timeout", lambda v: PassiveCheck(fail_timeout=v)),
    ("queueing", "service_rate", lambda v: queueing.utilisation(50.0, v, 1)),
    ("simulate_server", "arrival_rate", lambda v: simulate_server(v, 10.0, 1, duration=1.0)),
    ("ServerScenario", "service_rate", lambda v: ServerScenario(5.0, v)),
    ("PathScenario", "db_time", lambda v: PathScenario(db_time=v)),
    ("PathKnobs", "db_time_ms", lambda v: PathKnobs(db_time_ms=v)),
    ("LoadPoint", "arrival_rate", lambda v: LoadPoint(v)),
    ("ScaleSetting", "service_rate", lambda v: ScaleSetting(service_rate=v)),
    ("UnequalRace", "arrival_rate", lambda v: UnequalRace(arrival_rate=v)),
    ("FailurePrediction", "health_check.interval", lambda v: FailurePrediction(interval=v)),
    ("Costs", "costs.poll_interval", lambda v: Costs(poll_interval=v)),
    ("IntegrationScenario", "produce_rate", lambda v: IntegrationScenario(produce_rate=v)),
    ("GroupScenario", "processing_time", lambda v: GroupScenario(processing_time=v)),
    ("Windowing", "size_ms", lambda v: Windowing(v)),
    ("ReplicationScenario", "produce_rate", lambda v: ReplicationScenario(produce_rate=v)),
    ("simulate_replication", "produce_rate",
     lambda v: simulate_replication("all", 3, 2, 1, produce_rate=v)),
    ("capstone.TrafficProfile", "base_rate", lambda v: TrafficProfile(base_rate=v)),
    ("capstone.Work", "consume_time", lambda v: Work(consume_time=v)),
    ("HolScenario", "produce_rate", lambda v: HolScenario(produce_rate=v)),
    ("LiveScenario", "produce_rate", lambda v: LiveScenario(produce_rate=v)),
    ("LiveScenario", "duration", lambda v: LiveScenario(duration=v)),
]
# fields that must be integers >= 1
COUNTS = [
    ("lb.HealthCheck", "health_check.fall", lambda v: HealthCheck(fall=v)),
    ("queueing", "servers", lambda v: queueing.utilisation(50.0, 100.0, v)),
    ("simulate_server", "workers", lambda v: simulate_server(5.0, 10.0, v, duration=1.0)),
    ("ServerScenario", "workers", lambda v: ServerScenario(5.0, 10.0, v)),
    ("PathScenario", "workers", lambda v: PathScenario(workers=v)),
    ("PathKnobs", "workers", lambda v: PathKnobs(workers=v)),
    ("ScaleSetting", "servers", lambda v: ScaleSetting(servers=v)),
    ("FailurePrediction", "health_check.fall", lambda v: FailurePrediction(fall=v)),
    ("Costs", "costs.db_batch", lambda v: Costs(db_batch=v)),
    ("IntegrationScenario", "consumers", lambda v: IntegrationScenario(consumers=v)),
    ("GroupScenario", "partitions", lambda v: GroupScenario(partitions=v)),
    ("QueueLab", "batch_size", lambda v: QueueLab(batch_size=v)),
    ("ReplicationScenario", "replication_factor",
     lambda v: ReplicationScenario(replication_factor=v)),
    ("ReplicationScenario", "min_insync_replicas",
     lambda v: ReplicationScenario(min_insync_replicas=v)),
    ("capstone.Design", "api_servers", lambda v: Design(api_servers=v)),
    ("capstone.Design", "consumers", lambda v: Design(consumers=v)),
    ("capstone.Design", "partitions", lambda v: Design(partitions=v)),
    ("HolScenario", "partitions", lambda v: HolScenario(partitions=v)),
    ("HolScenario", "consumers", lambda v: HolScenario(consumers=v)),
    ("LiveScenario", "min_insync_replicas", lambda v: LiveScenario(min_insync_replicas=v)),
]
# fields that pick one of a few names
CHOICES = [
    ("lb.Scenario", "policy", lambda v: Scenario(TWO, policy=v)),
    ("lb.Scenario", "service", lambda v: Scenario(TWO, service=v)),
    ("simulate_server", "engine", lambda v: simulate_server(5.0, 10.0, 1, 1.0, engine=v)),
    ("IntegrationScenario", "style", lambda v: IntegrationScenario(style=v)),
    ("GroupScenario", "processing", lambda v: GroupScenario(processing=v)),
    ("QueueLab", "mode", lambda v: QueueLab(mode=v)),
    ("ReplicationScenario", "acks", lambda v: ReplicationScenario(acks=v)),
    ("ReplicationScenario", "failure_kind", lambda v: ReplicationScenario(failure_kind=v)),
    ("capstone.Design", "policy", lambda v: Design(policy=v)),
    ("capstone.Design", "standby", lambda v: Design(standby=v)),
    ("capstone.Design", "acks", lambda v: Design(acks=v)),
    ("Handover", "how", lambda v: Handover(how=v)),
    ("UnequalRace", "policy", lambda v: UnequalRace(policy=v)),
    ("FailurePrediction", "kind", lambda v: FailurePrediction(kind=v)),
    ("HolScenario", "style", lambda v: HolScenario(style=v)),
    ("LiveScenario", "failure", lambda v: LiveScenario(failure=v)),
    ("LiveScenario", "acks", lambda v: LiveScenario(acks=v, idempotence=False)),
]

# the seed of every random stream of a run: a field of the description, an integer >= 0
SEEDS = [
    ("lb.Scenario", "seed", lambda v: Scenario(TWO, seed=v)),
    ("PathScenario", "seed", lambda v: PathScenario(seed=v)),
    ("IntegrationScenario", "seed", lambda v: IntegrationScenario(seed=v)),
    ("GroupScenario", "seed", lambda v: GroupScenario(seed=v)),
    ("capstone.Problem", "seed", lambda v: Problem(seed=v)),
]

BAD_NUMBERS = [-1.0, 0, math.nan, math.inf, -math.inf, "fast", None, True]
BAD_COUNTS = [-1, 0, 2.5, "3", None, True]
BAD_CHOICES = ["nope", "", 7.5, None]


def _refused(build, value, name):
    started = time.perf_counter()
    with pytest.raises((ValueError, TypeError)) as caught:
        build(value)
    elapsed = time.perf_counter() - started
    message = str(caught.value)
    assert name in message, message
    assert f"(got {value!r})" in message, message
    assert elapsed < 1.0, f"{name}={value!r} took {elapsed:.2f} s to refuse"


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize(("model", "name", "build"), POSITIVE, ids=[f"{m}.{n}" for m, n, _ in
                                                                     POSITIVE])
def test_bad_numbers_are_refused_naming_the_field(model, name, build, value):
    _refused(build, value, name)


@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
@pytest.mark.parametrize(("model", "name", "build"), COUNTS, ids=[f"{m}.{n}" for m, n, _ in
                                                                   COUNTS])
def test_bad_counts_are_refused_naming_the_field(model, name, build, value):
    _refused(build, value, name)


@pytest.mark.parametrize("value", [-1, 2.5, "3", None, True], ids=repr)
def test_retries_may_be_zero_but_not_negative_or_fractional(value):
    assert ReplicationScenario(retries=0).retries == 0
    _refused(lambda v: ReplicationScenario(retries=v), value, "retries")


@pytest.mark.parametrize("value", [-1, 2.5, "3", None, True], ids=repr)
@pytest.mark.parametrize(("model", "name", "build"), SEEDS, ids=[f"{m}.{n}" for m, n, _ in SEEDS])
def test_seeds_are_whole_numbers_from_zero(model, name, build, value):
    assert build(0).seed == 0 and build(2026).seed == 2026
    _refused(build, value, name)


@pytest.mark.parametrize("value", BAD_CHOICES, ids=repr)
@pytest.mark.parametrize(("model", "name", "build"), CHOICES, ids=[f"{m}.{n}" for m, n, _ in
                                                                    CHOICES])
def test_bad_choices_are_refused_naming_the_field(model, name, build, value):
    _refused(build, value, name)


def test_wrong_types_are_type_errors_that_old_callers_still_catch_as_value_errors():
    with pytest.raises(TypeError, match=r"produce_rate must be a finite number > 0 \(got 'x'\)"):
        ReplicationScenario(produce_rate="x")
    with pytest.raises(ValueError, match=r"consumers must be an integer >= 1 \(got True\)"):
        GroupScenario(consumers=True)


def test_costs_fail_at_construction_not_inside_simpy():
    with pytest.raises(ValueError, match=r"costs\.network_hop must be a finite number >= 0 "
                                         r"\(got -1\)"):
        Costs(network_hop=-1)
    assert replace(Costs(), network_hop=0.0).network_hop == 0.0  # zero cost is allowed
    with pytest.raises(TypeError, match=r"costs must be a Costs \(got 5\)"):
        IntegrationScenario(costs=5)


def test_an_infinite_write_rate_is_an_error_not_a_hang():
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"produce_rate must be a finite number > 0 \(got inf\)"):
        simulate_replication("all", 3, 2, 1, produce_rate=math.inf)
    # a finite rate too large to simulate in seconds is refused as well, naming the limit
    with pytest.raises(ValueError, match=r"produce_rate must be <= 1,000,000 / duration"):
        simulate_replication("all", 3, 2, 1, produce_rate=1e9)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("call", "message"), [
    (lambda: validate.number("x", -1, gt=0), r"^x must be a finite number > 0 \(got -1\)$"),
    (lambda: validate.number("x", 2.0, ge=0, le=1), r"^x must be in \[0, 1\] \(got 2.0\)$"),
    (lambda: validate.number("x", 1.0, ge=0, lt=1), r"^x must be in \[0, 1\) \(got 1.0\)$"),
    (lambda: validate.number("x", math.nan, finite=False), r"^x must be a number \(got nan\)$"),
    (lambda: validate.integer("rf", 4, ge=1, le=3, high_name="brokers=3"),
     r"^rf must be an integer in \[1, brokers=3\] \(got 4\)$"),
    (lambda: validate.one_of("p", "x", ("a", "b")), r"^p must be 'a' or 'b' \(got 'x'\)$"),
    (lambda: validate.one_of("p", "x", ("a", "b", "c")), r"^p must be one of a, b, c \(got 'x'\)$"),
    (lambda: validate.number(validate.indexed("backends", 2, "service_rate"), 0, gt=0),
     r"^backends\[2\]\.service_rate must be a finite number > 0 \(got 0\)$"),
    (lambda: validate.flag("idempotence", 1), r"^idempotence must be True or False \(got 1\)$"),
    (lambda: validate.flag("backup", None), r"^backup must be True or False \(got None\)$"),
])
def test_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_valid_values_pass_through():
    assert validate.number("x", 3, gt=0) == 3.0
    assert validate.number("x", math.inf, ge=0, finite=False) == math.inf
    assert validate.integer("n", 0, ge=0) == 0
    assert validate.one_of("acks", 1, (0, 1)) == 1
    assert validate.indexed("failures", 0) == "failures[0]"
    assert validate.flag("idempotence", False) is False


# -- unknown fields: "did you mean ..." ------------------------------------------------------------

def _validated_descriptions():
    """Every frozen dataclass in course_lib that validates itself (``__post_init__`` or
    ``validate``), found by scanning the package, so a new description gets its row unasked."""
    found = set()
    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if ".exercises" in info.name:
            continue
        for cls in vars(importlib.import_module(info.name)).values():
            if (inspect.isclass(cls) and cls.__module__ == info.name
                    and dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
                    and ("__post_init__" in vars(cls) or "validate" in vars(cls))):
                found.add(cls)
    return sorted(found, key=lambda c: c.__qualname__)


DESCRIBED = _validated_descriptions()


def _typo(name: str) -> str:
    return name + name[-1]  # interval -> intervall, at -> att


def test_the_scan_finds_the_descriptions():
    names = {c.__name__ for c in DESCRIBED}
    assert {"Design", "Scenario", "Backend", "ReplicationScenario", "GroupScenario"} <= names
    assert len(DESCRIBED) >= 30


@pytest.mark.parametrize("cls", DESCRIBED, ids=lambda c: c.__name__)
def test_a_misspelt_field_names_the_class_the_field_and_the_closest_fields(cls):
    fields = [f.name for f in dataclasses.fields(cls) if f.init]
    name = fields[-1]
    with pytest.raises(TypeError) as caught:
        cls(**{_typo(name): 1})
    message = str(caught.value)
    assert message.startswith(f"{cls.__name__} has no field {_typo(name)!r}; did you mean ")
    assert repr(name) in message.split("?")[0]
    assert message.endswith(f"(fields: {', '.join(fields)})")


def test_design_check_intervall_says_interval():
    with pytest.raises(TypeError, match=r"^Design has no field 'check_intervall'; did you mean "
                                        r"'interval'\? \(fields: api_servers, "):
        Design(check_intervall=5)


def test_a_name_like_no_field_lists_the_fields_without_a_guess():
    with pytest.raises(TypeError, match=r"^HealthCheck has no field 'zzz' \(fields: interval, "):
        HealthCheck(zzz=1)


def test_other_type_errors_are_unchanged():
    with pytest.raises(validate.FieldTypeError, match=r"^health_check.interval must be a finite"):
        HealthCheck(interval="fast")
    with pytest.raises(TypeError, match="positional argument"):
        HealthCheck(1.0, 2.0, 3, 4, 5, 6, 7, 8, 9, 10)
    assert replace(HealthCheck(), interval=2.0).interval == 2.0
    with pytest.raises(TypeError, match="did you mean 'interval'"):
        replace(HealthCheck(), intervall=2.0)
