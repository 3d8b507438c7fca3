"""The five runs of lesson 03b, each one Scenario that both the simulator and the lab play.

Every run lasts 5 s at 100 requests/s against backends that serve in a fixed 5 ms
(``service="deterministic"``, 200 requests/s each: about 17 % busy), with checks every 0.5 s,
``fall 3``, ``rise 2`` and a 0.2 s check timeout. One thing changes per run:

* ``rr_crash`` — round-robin, ``b1`` is killed at 1 s and restarted at 3.5 s;
* ``rr_hang`` — the same, but ``b1`` is frozen (SIGSTOP) instead of killed;
* ``weighted_crash`` — weights 3:1:1 (HAProxy ``roundrobin``), the heavy ``b1`` is killed;
* ``hot_standby`` — ``b1``, ``b2`` primaries and ``b3`` a ``backup``; both primaries die;
* ``retries_redispatch`` — ``rr_crash`` with ``retries 1`` + ``option redispatch``.

and three runs where nothing fails but an operator acts on HAProxy's runtime API
(:func:`operator_scenarios`, 4 s each):

* ``maintenance`` — the three round-robin backends; ``b1`` is drained at 1 s, put in
  maintenance at 1.5 s and back to ready at 2.5 s (a planned failover of one server);
* ``manual_failover`` — a primary ``b1`` and a hot ``backup`` ``b2``: the same three commands
  on ``b1`` fail over to the backup by hand and fail back;
* ``set_weight`` — three backends of weight 4 under ``balance roundrobin``; at 1.5 s
  ``set weight app/b1 50%`` halves ``b1``'s weight (its share falls from 1/3 to 1/5).

Where HAProxy is not installed the lesson shows a stored copy of these runs
(:data:`STORED_PATH`, written by :func:`record`), labelled as such by
:mod:`course_lib.core.runs`.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from course_lib.core.runs import REFERENCE_MACHINE, RunStore, why_stored
from course_lib.lb.live.failover.lab import LiveResult, run_lab
from course_lib.lb.models.operations import Operation
from course_lib.lb.models.scenario import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.runtime.haproxy import INSTALL_HINT, haproxy_binary

STORED_PATH = Path(__file__).with_name("stored_runs.json")
CHECKS = HealthCheck(interval=0.5, timeout=0.2, rise=2, fall=3)


def base_scenario(seed: int = 2026) -> Scenario:
    """Three equal backends, round-robin, ``b1`` crashes at 1 s and is back at 3.5 s."""
    return Scenario(
        backends=tuple(Backend(f"b{i}", service_rate=200.0) for i in (1, 2, 3)),
        policy="round_robin", arrival_rate=100.0, duration=5.0, health_check=CHECKS,
        failures=(Failure("b1", at=1.0, kind="crash", end_at=3.5),), retries=0,
        request_timeout=1.0, service="deterministic", seed=seed,
    )


def lab_scenarios(seed: int = 2026) -> dict[str, Scenario]:
    """The lesson's runs by name (see the module docstring)."""
    base = base_scenario(seed)
    hang = replace(base, failures=(Failure("b1", at=1.0, kind="hang", end_at=3.5),))
    weighted = replace(base, policy="weighted_round_robin", backends=(
        Backend("b1", 200.0, weight=3), Backend("b2", 200.0, weight=1),
        Backend("b3", 200.0, weight=1)))
    standby = replace(base, backends=(
        Backend("b1", 200.0), Backend("b2", 200.0), Backend("b3", 200.0, backup=True)),
        failures=(Failure("b1", at=1.0, kind="crash"), Failure("b2", at=1.5, kind="crash")))
    return {
        "rr_crash": base,
        "rr_hang": hang,
        "weighted_crash": weighted,
        "hot_standby": standby,
        "retries_redispatch": replace(base, retries=1),
    }


PLANNED = (Operation(1.0, "b1", "drain"), Operation(1.5, "b1", "maint"),
           Operation(2.5, "b1", "ready"))


def operator_scenarios(seed: int = 2026) -> dict[str, Scenario]:
    """The runs where an operator acts and nothing fails (see the module docstring)."""
    base = replace(base_scenario(seed), failures=(), duration=4.0)
    pair = (Backend("b1", 200.0), Backend("b2", 200.0, backup=True))
    weighted = tuple(Backend(f"b{i}", 200.0, weight=4) for i in (1, 2, 3))
    return {
        "maintenance": replace(base, operations=PLANNED),
        "manual_failover": replace(base, backends=pair, operations=PLANNED),
        "set_weight": replace(base, policy="weighted_round_robin", backends=weighted,
                              operations=(Operation(1.5, "b1", "weight", 0.5),)),
    }


def _store(scenarios: Mapping[str, Scenario]) -> RunStore[LiveResult]:
    """The stored runs, each read back beside the scenario of the same name."""
    return RunStore(STORED_PATH, LiveResult.to_json,
                    lambda name, data: LiveResult.from_json(data, scenarios[name]),
                    software=lambda r: f"HAProxy {r.haproxy_version}")


def _why_not_live() -> str | None:
    return INSTALL_HINT if haproxy_binary() is None else None


def live_or_stored(scenarios: dict[str, Scenario], *, live: bool | None = None
                   ) -> dict[str, LiveResult]:
    """Run the scenarios for real when HAProxy is here (or ``live=True``), else load the store,
    labelled with why (``live=False`` always loads it)."""
    why = why_stored(live, _why_not_live)
    return _store(scenarios).live_or_stored(scenarios, lambda name: run_lab(scenarios[name]), why)


def record(seed: int = 2026, names: tuple[str, ...] | None = None) -> dict[str, LiveResult]:
    """Re-measure runs and write them to :data:`STORED_PATH` (an author's tool).

    ``names`` picks some runs (of :func:`lab_scenarios` and :func:`operator_scenarios`) and keeps
    the other stored ones as they are, byte for byte; ``None`` re-measures all of them.
    """
    every = {**lab_scenarios(seed), **operator_scenarios(seed)}
    chosen = every if names is None else {n: every[n] for n in names}
    results = {name: run_lab(sc) for name, sc in chosen.items()}
    return _store(every).record(results, REFERENCE_MACHINE, keep_others=names is not None)
