"""The lessons' scenarios and render functions: knob values → Scenario → simulate → figure.

Render functions are plain: the notebook's live dashboards call them on every slider move, and
the "checked twin" cells call them with the defaults. They hold no model logic: each builds a
:class:`~course_lib.lb.scenario.Scenario` (whose validation produces the error messages the
dashboards show), runs :func:`~course_lib.lb.simulate.simulate` and hands the result to
:mod:`course_lib.lb.figures`.

Introduced in ``notebooks/02_load_balancing.ipynb`` and ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from course_lib import queueing
from course_lib.lb.figures import (
    approach_label,
    latency_figure,
    scale_figure,
    timeline_figure,
    utilisation_figure,
)
from course_lib.lb.policies import POLICIES
from course_lib.lb.result import Result
from course_lib.lb.scenario import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.simulate import simulate
from course_lib.stats import batch_means

__all__ = [
    "APPROACHES",
    "failover_scenario",
    "render_failover",
    "render_policy_race",
    "render_scale",
    "render_unequal",
    "run_policies",
    "saturated",
    "unequal_backends",
]

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
def _failover_run(scenario: Scenario) -> Result:
    """Memoised :func:`simulate` for the failover dashboards (a few runs: they are large)."""
    return simulate(scenario)


def _dashboard_runs(backends, arrival_rate: float, duration: float, policies,
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


def render_policy_race(arrival_rate: float = 32.0, servers: int = 4, service_rate: float = 10.0,
                       duration: float = 120.0, seed: int = SEED):
    """Identical servers: mean/p95/p99 per policy, with the M/M/1 mean of random splitting."""
    backends = [Backend(f"s{i + 1}", service_rate) for i in range(servers)]
    results = _dashboard_runs(backends, arrival_rate, duration, COMPARED, seed)
    rho = arrival_rate / (servers * service_rate)
    theory = (queueing.mm1_mean_response_time(arrival_rate / servers, service_rate)
              if rho < 1 else None)
    fig = latency_figure(results, theory, since=WARMUP,
                         title=f"{servers} identical servers at ρ = {rho:.2f}")
    text = "  ".join(
        f"{p}: grows without bound" if saturated(p, backends, arrival_rate)
        else f"{p}: {r.summary(WARMUP)['mean_latency'] * 1000:.0f} ms"
        for p, r in results.items())
    return fig, f"mean response time — {text}"


SCALE_SERVERS = tuple(range(2, 13))
SCALE_WARMUP, SCALE_WINDOW, SCALE_TAIL, SCALE_BATCHES = 20.0, 380.0, 10.0, 10


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
    # an "ok" request always has a latency (None only for failed or in-flight ones)
    latencies = [r.latency for r in run.requests
                 if SCALE_WARMUP <= r.arrival_at < end and r.outcome == "ok"
                 and r.latency is not None]
    return batch_means(latencies, SCALE_BATCHES)


@lru_cache(maxsize=8)
def _scale_curves(rho: float, service_rate: float, seed: int) -> dict[str, tuple]:
    """Memoised (runs are deterministic): policy → ((mean, SE) for each of SCALE_SERVERS)."""
    return {p: tuple(_scale_point(p, n, rho, service_rate, seed) for n in SCALE_SERVERS)
            for p in COMPARED}


def render_scale(servers: int = 4, rho: float = 0.8, service_rate: float = 10.0,
                 seed: int = SEED):
    """Mean response time against the number of servers (2–12) at a fixed utilisation ``rho``.

    One line per policy with ±2 standard-error bars, the M/M/1 mean (what ``random`` gives: each
    server is its own M/M/1 queue at ρ) and the M/M/N mean of one shared queue (no balancer
    does better) dashed. ``servers`` only moves the marker and the numbers in the text: the
    curves are computed once per ``rho`` (about 3 s for a million requests), then memoised.
    """
    low, high = SCALE_SERVERS[0], SCALE_SERVERS[-1]
    if isinstance(servers, bool) or not isinstance(servers, int) or not low <= servers <= high:
        raise ValueError(f"servers must be an integer from {low} to {high} (got {servers!r})")
    if not 0 < rho < 1:
        raise ValueError(f"rho must be > 0 and < 1 (got {rho!r})")
    if not service_rate > 0:
        raise ValueError(f"service_rate must be > 0 (got {service_rate!r})")
    curves = _scale_curves(float(rho), float(service_rate), seed)
    mm1 = queueing.mm1_mean_response_time(rho * service_rate, service_rate)
    mmn = [queueing.mmc_mean_response_time(rho * n * service_rate, service_rate, n)
           for n in SCALE_SERVERS]
    fig = scale_figure(SCALE_SERVERS, curves, mm1, mmn, marker=servers,
                       title=f"Mean response time as servers are added, ρ = {rho:.2f}")
    k = SCALE_SERVERS.index(servers)
    text = "  ".join(f"{p}: {c[k][0] * 1000:.0f} ± {2 * c[k][1] * 1000:.0f} ms"
                     for p, c in curves.items())
    return fig, (f"{servers} servers at ρ = {rho:.2f} — {text}  (M/M/1 {mm1 * 1000:.0f} ms, "
                 f"one shared queue M/M/{servers} {mmn[k] * 1000:.0f} ms; ± 2 standard errors)")


def unequal_backends(fast_weight: float = 1.0) -> list[Backend]:
    """One server three times as fast as the other two (30, 10, 10 requests/s)."""
    return [Backend("fast", 30.0, weight=fast_weight), Backend("slow1", 10.0),
            Backend("slow2", 10.0)]


def render_unequal(policy: str = "round_robin", fast_weight: float = 1.0,
                   arrival_rate: float = 35.0, duration: float = 300.0, seed: int = SEED):
    """Unequal servers: utilisation per server for one policy, next to round-robin."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)} (got {policy!r})")
    backends = unequal_backends(fast_weight)
    shown = ("round_robin", policy) if policy != "round_robin" else ("round_robin",)
    results = _dashboard_runs(backends, arrival_rate, duration, shown, seed)
    fig = utilisation_figure(results, title=f"Servers of 30, 10, 10 req/s at {arrival_rate:g} "
                                            f"req/s (fast weight {fast_weight:g})")
    parts = []
    for p, r in results.items():
        full = saturated(p, backends, arrival_rate)
        parts.append(f"{p}: p95 grows without bound ({', '.join(full)} at ≥ 100 %)" if full
                     else f"{p}: p95 {r.summary(WARMUP)['p95'] * 1000:.0f} ms")
    return fig, "  ".join(parts)


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


def describe(result: Result) -> str:
    """One paragraph of numbers under the timeline: detection and what it cost."""
    s = result.summary()
    parts = [f"sent {s['sent']}, ok {s['ok']}, failed {s['failed']} "
             f"(refused {s['refused']}, reset {s['reset']}, timeout {s['timeout']}, "
             f"no server {s['no_server']}), retried {s['retried']}"]
    for d in result.detections:
        if d.marked_down_at is None:
            parts.append(f"{d.backend} {d.kind} at {d.failed_at:g} s: never marked down")
        else:
            up = "" if d.marked_up_at is None else f", marked up at {d.marked_up_at:.2f} s"
            parts.append(f"{d.backend} {d.kind} at {d.failed_at:g} s: marked down after "
                         f"{d.detection_time:.2f} s{up}")
            # A slow server's checks can pass again while it is still slow: it flaps back in.
            end = d.recovered_at if d.recovered_at is not None else math.inf
            back = [t for t, up in result.belief_log[d.backend] if up and d.failed_at < t < end]
            if back:
                parts[-1] += (f"; re-admitted {len(back)}× while still {d.kind} "
                              f"(first at {back[0]:.2f} s)")
    p50, p95, p99 = s["p50"], s["p95"], s["p99"]
    if p95 is not None:
        assert p50 is not None and p99 is not None  # all three None, or none: the same "ok" list
        parts.append(f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                     f"p99 {p99 * 1000:.0f} ms")
    return "\n".join(parts)


def render_failover(**knobs):
    """Timeline + summary text for :func:`failover_scenario` with these knob values."""
    scenario = failover_scenario(**knobs)
    result = _failover_run(scenario)
    (failure,) = scenario.failures
    title = (f"Requests per backend ({approach_label(scenario)}): {failure.backend} "
             f"{failure.kind} at {failure.at:g} s")
    return timeline_figure(result, title=title), describe(result)
