"""The lessons' load-balancing experiments: knob values → Scenario → runs and numbers.

What the dashboards of lessons 02 and 03 show, computed here and drawn by
:mod:`course_lib.lb.views.dashboards` (text) and :mod:`course_lib.lb.views.figures`: the policy race
on identical or unequal servers (memoised digests, so a slider moved back is shown at once), which
servers theory says are saturated, the scale curves, and lesson 03's three failover approaches.

Introduced in ``notebooks/02_load_balancing.ipynb`` and ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from course_lib.core import progress
from course_lib.core.stats import batch_means
from course_lib.core.validate import description, integer, number, one_of
from course_lib.lb.models.policies import POLICIES
from course_lib.lb.models.result import Result
from course_lib.lb.models.scenario import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.models.simulate import simulate

__all__ = ["APPROACHES", "COMPARED", "PREDICTED_KINDS", "SEED", "WARMUP", "SCALE_SERVERS",
           "FailurePrediction", "ScaleSetting", "UnequalRace", "failover_run", "failover_scenario",
           "race_runs", "run_policies", "saturated", "scale_curves", "unequal_backends"]

SEED = 2026
COMPARED = ("random", "round_robin", "power_of_two", "least_connections")
WARMUP = 5.0


def _race_scenario(backends, arrival_rate: float, duration: float, policy: str,
                   seed: int) -> Scenario:
    return Scenario(tuple(backends), policy, arrival_rate, duration, health_check=None,
                    request_timeout=1e6, seed=seed)


def run_policies(backends, arrival_rate: float, duration: float, policies=COMPARED,
                 seed: int = SEED) -> dict[str, Result]:
    """The same backends and the same arrivals under each policy (only the policy changes)."""
    return {p: simulate(_race_scenario(backends, arrival_rate, duration, p, seed))
            for p in policies}



class _RaceDigest:
    """What the policy-race figures and texts read from a Result (its summary after the warm-up
    and its per-backend table), without the records: cheap to keep in the dashboards' memo."""

    def __init__(self, result: Result) -> None:
        self._summary = result.summary(WARMUP)
        self._table = result.per_backend()

    def summary(self, since: float = 0.0) -> dict:
        if since != WARMUP:
            raise ValueError(f"since must be {WARMUP:g} for a race digest (got {since!r})")
        return dict(self._summary)

    def per_backend(self) -> dict:
        return {name: dict(row) for name, row in self._table.items()}


@lru_cache(maxsize=256)
def _race_digest(scenario: Scenario) -> _RaceDigest:
    """Memoised run → digest: a slider moved back to a value already seen is shown at once."""
    return _RaceDigest(simulate(scenario))


@lru_cache(maxsize=8)
def failover_run(scenario: Scenario) -> Result:
    """Memoised :func:`simulate` for the failover dashboards (a few runs: they are large)."""
    return simulate(scenario)


def race_runs(backends, arrival_rate: float, duration: float, policies,
                    seed: int) -> dict[str, _RaceDigest]:
    """:func:`run_policies` for the dashboards: memoised digests. Policies other than weighted
    round-robin ignore weights (except 0, which drains a backend), so their runs are looked up
    with positive weights set to 1: moving the weight slider re-runs only the weighted policy."""
    runs = {}
    for policy in policies:
        shown = tuple(backends)
        if policy != "weighted_round_robin":
            shown = tuple(replace(b, weight=1) if b.weight > 0 else b for b in shown)
        runs[policy] = _race_digest(_race_scenario(shown, arrival_rate, duration, policy, seed))
    return runs


def saturated(policy: str, backends, arrival_rate: float) -> list[str]:
    """The servers offered at least their capacity under ``policy``: their queues never settle.

    A finite run always prints a finite mean, so a dashboard must say from theory when that
    number means nothing. Round-robin and random give every server an equal share, weighted
    round-robin a share proportional to its weight; the adaptive policies (least connections,
    power of two) move work off a backed-up server, so only a total load at or above the total
    capacity saturates them, and then all servers.
    """
    live = [b for b in backends if b.weight > 0]
    if policy in ("round_robin", "random"):
        shares = {b.name: 1 / len(live) for b in live}
    elif policy == "weighted_round_robin":
        total = sum(b.weight for b in live)
        shares = {b.name: b.weight / total for b in live}
    else:
        capacity = sum(b.service_rate for b in live)
        return [b.name for b in live] if arrival_rate >= capacity else []
    return [b.name for b in live if arrival_rate * shares[b.name] >= b.service_rate]


SCALE_SERVERS = tuple(range(2, 13))
SCALE_WARMUP, SCALE_WINDOW, SCALE_TAIL, SCALE_BATCHES = 20.0, 380.0, 10.0, 10


@description
@dataclass(frozen=True)
class ScaleSetting:
    """Lesson 02's "add servers" dashboard: a server count on the curve, a utilisation ``rho``
    every count runs at, and each server's rate. ``servers`` must be one of
    :data:`SCALE_SERVERS` (the curves are computed for those counts only)."""

    servers: int = 4
    rho: float = 0.8
    service_rate: float = 10.0

    def __post_init__(self) -> None:
        integer("servers", self.servers, ge=SCALE_SERVERS[0], le=SCALE_SERVERS[-1])
        number("rho", self.rho, gt=0, lt=1)
        number("service_rate", self.service_rate, gt=0)


def _scale_point(policy: str, servers: int, rho: float, service_rate: float,
                 seed: int) -> tuple[float, float]:
    """Mean response time of one policy on ``servers`` identical servers at utilisation ``rho``,
    and its standard error by batch means (10 batches of the requests that arrive in a 380 s
    window after a 20 s warm-up; the run goes on 10 s more so that they all finish).

    Each server count gets its own seed (``seed + 1000 × servers``): one random stream shared
    by every count would shift the whole random curve up or down together. Within a count every
    policy sees the same arrivals and service times, so the gaps between them are sharper.
    """
    backends = tuple(Backend(f"s{i + 1}", service_rate) for i in range(servers))
    run = simulate(_race_scenario(backends, rho * servers * service_rate,
                                  SCALE_WARMUP + SCALE_WINDOW + SCALE_TAIL, policy,
                                  seed + 1000 * servers))
    end = SCALE_WARMUP + SCALE_WINDOW
    # an "ok" request always has a response time (None only for failed or in-flight ones)
    response_times = [r.response_time for r in run.requests
                 if SCALE_WARMUP <= r.arrival_at < end and r.outcome == "ok"
                 and r.response_time is not None]
    return batch_means(response_times, SCALE_BATCHES)


@lru_cache(maxsize=8)
def scale_curves(rho: float, service_rate: float, seed: int) -> dict[str, tuple]:
    """Memoised (runs are deterministic): policy → ((mean, SE) for each of SCALE_SERVERS).

    A miss takes seconds (a million requests): lesson 02's cell shows which policy is running."""
    with progress.task("scale sweep", f"{len(COMPARED)} policies simulated") as task:
        return {p: tuple(_scale_point(p, n, rho, service_rate, seed) for n in SCALE_SERVERS)
                for p in task.steps(COMPARED)}


def unequal_backends(fast_weight: float = 1.0) -> list[Backend]:
    """One server three times as fast as the other two (30, 10, 10 requests/s)."""
    return [Backend("fast", 30.0, weight=fast_weight), Backend("slow1", 10.0),
            Backend("slow2", 10.0)]


@description
@dataclass(frozen=True)
class UnequalRace:
    """Lesson 02's unequal-servers dashboard: one ``policy`` raced against round-robin on
    :func:`unequal_backends` (the fast one weighted ``fast_weight``)."""

    policy: str = "round_robin"
    fast_weight: float = 1.0
    arrival_rate: float = 35.0
    duration: float = 300.0

    def __post_init__(self) -> None:
        one_of("policy", self.policy, POLICIES)
        number("fast_weight", self.fast_weight, ge=0)
        number("arrival_rate", self.arrival_rate, gt=0)
        number("duration", self.duration, gt=0)

    @property
    def policies(self) -> tuple[str, ...]:
        """Round-robin first, then the chosen policy (once, when it is round-robin)."""
        return ("round_robin", self.policy) if self.policy != "round_robin" else ("round_robin",)


PREDICTED_KINDS = ("crash", "hang")


@description
@dataclass(frozen=True)
class FailurePrediction:
    """Lesson 03b's prediction dashboard: b1 fails (``crash`` or ``hang``) at 1 s and is back at
    3.5 s, under checks every ``interval`` seconds that mark it down after ``fall`` failures
    (``rise`` 2, the lab's check ``timeout``; ``None`` as in :class:`HealthCheck`). A slow server
    is not offered: the lab never plays one.
    """

    interval: float = 0.5
    fall: int = 3
    kind: str = "crash"
    timeout: float | None = 0.2

    def __post_init__(self) -> None:
        one_of("kind", self.kind, PREDICTED_KINDS)
        self.health_check()  # refuses interval, fall and timeout, naming health_check.<field>

    def health_check(self) -> HealthCheck:
        return HealthCheck(interval=self.interval, timeout=self.timeout, rise=2, fall=self.fall)

    def applied_to(self, base: Scenario) -> Scenario:
        """``base`` (the lab's round-robin run) with these checks and this failure of b1."""
        return replace(base, health_check=self.health_check(),
                       failures=(Failure("b1", at=1.0, kind=self.kind, end_at=3.5),))


APPROACHES = ("round_robin", "weighted", "standby")


def failover_scenario(approach: str = "round_robin", failure_at: float = 20.0,
                      kind: str = "crash", interval: float = 2.0, rise: int = 2, fall: int = 3,
                      timeout: float = 1.0, retries: int = 0, standby: str = "hot",
                      arrival_rate: float = 120.0, duration: float = 60.0,
                      recover_at: float | None = 45.0, seed: int = SEED) -> Scenario:
    """Lesson 03's three approaches to the same failure (total primary capacity 200 req/s).

    * ``round_robin``: four equal servers (50 req/s); ``b`` fails, the rotation skips it;
    * ``weighted``: ``big`` (100 req/s, weight 2) and two small ones (50, weight 1), smooth
      weighted round-robin; ``small1`` fails and its share moves to ``big`` and ``small2`` in
      proportion to their weights, i.e. to the capacity that is left;
    * ``standby``: one ``primary`` (200 req/s) and a ``backup`` of the same size, hot or cold.
    """
    if approach == "round_robin":
        backends = [Backend(n, 50.0) for n in "abcd"]
        policy, victim = "round_robin", "b"
    elif approach == "weighted":
        backends = [Backend("big", 100.0, weight=2), Backend("small1", 50.0),
                    Backend("small2", 50.0)]
        policy, victim = "weighted_round_robin", "small1"
    elif approach == "standby":
        backends = [Backend("primary", 200.0), Backend("backup", 200.0, backup=True)]
        policy, victim = "round_robin", "primary"
    else:
        raise ValueError(f"approach must be one of {', '.join(APPROACHES)} (got {approach!r})")
    until = recover_at if recover_at is not None and recover_at > failure_at else None
    return Scenario(
        tuple(backends), policy, arrival_rate, duration,
        health_check=HealthCheck(interval, timeout, rise, fall),
        failures=(Failure(victim, failure_at, kind, until, 4.0 if kind == "slow" else None),),
        retries=retries, standby=standby, cold_start_time=10.0, request_timeout=2.0, seed=seed,
    )
