"""The five runs of lesson 03b, each one Scenario that both the simulator and the lab play.

Every run lasts 5 s at 100 requests/s against backends that serve in a fixed 5 ms
(``service="deterministic"``, 200 requests/s each: about 17 % busy), with checks every 0.5 s,
``fall 3``, ``rise 2`` and a 0.2 s check timeout. One thing changes per run:

* ``rr_crash`` — round-robin, ``b1`` is killed at 1 s and restarted at 3.5 s;
* ``rr_hang`` — the same, but ``b1`` is frozen (SIGSTOP) instead of killed;
* ``weighted_crash`` — weights 3:1:1 (HAProxy ``roundrobin``), the heavy ``b1`` is killed;
* ``hot_standby`` — ``b1``, ``b2`` primaries and ``b3`` a ``backup``; both primaries die;
* ``retries_redispatch`` — ``rr_crash`` with ``retries 1`` + ``option redispatch``.

Where HAProxy is not installed the lesson shows a stored copy of these runs
(:data:`STORED_PATH`, written by :func:`record`), clearly labelled as such.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from course_lib.lb.scenario import Backend, Failure, HealthCheck, Scenario

from .haproxy import haproxy_binary
from .lab import LiveResult, load_results, run_lab, save_results

STORED_PATH = Path(__file__).with_name("stored_runs.json")
CHECKS = HealthCheck(interval=0.5, timeout=0.2, rise=2, fall=3)


def base_scenario(seed: int = 2026) -> Scenario:
    """Three equal backends, round-robin, ``b1`` crashes at 1 s and is back at 3.5 s."""
    return Scenario(
        backends=tuple(Backend(f"b{i}", service_rate=200.0) for i in (1, 2, 3)),
        policy="round_robin", arrival_rate=100.0, duration=5.0, health_check=CHECKS,
        failures=(Failure("b1", at=1.0, kind="crash", until=3.5),), retries=0,
        request_timeout=1.0, service="deterministic", seed=seed,
    )


def lab_scenarios(seed: int = 2026) -> dict[str, Scenario]:
    """The lesson's runs by name (see the module docstring)."""
    base = base_scenario(seed)
    hang = replace(base, failures=(Failure("b1", at=1.0, kind="hang", until=3.5),))
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


def live_or_stored(scenarios: dict[str, Scenario], *, live: bool | None = None
                   ) -> dict[str, LiveResult]:
    """Run the scenarios for real when HAProxy is here (or ``live=True``), else load the store."""
    if live is None:
        live = haproxy_binary() is not None
    if live:
        return {name: run_lab(sc) for name, sc in scenarios.items()}
    results = load_results(STORED_PATH, scenarios)
    for r in results.values():
        r.label = f"stored run ({r.label}, HAProxy {r.haproxy_version})"
    return results


def record(seed: int = 2026) -> dict[str, LiveResult]:
    """Re-measure every run and overwrite :data:`STORED_PATH` (an author's tool)."""
    results = {name: run_lab(sc) for name, sc in lab_scenarios(seed).items()}
    for r in results.values():
        r.label = "measured on a 2-core Linux machine"
    save_results(results, STORED_PATH)
    return results
