"""The lessons' render functions: knob values → the experiment's numbers → figure and text.

Render functions are plain: the notebook's live dashboards call them on every slider move, and
the "checked twin" cells call them with the defaults. They hold no model logic: the runs and the
theory come from :mod:`course_lib.lb.models.experiments` (scenarios whose validation produces the
error messages the dashboards show), the figures from :mod:`course_lib.lb.views.figures`; this
module only words the text. The experiments' names the lessons import are re-exported here.

Introduced in ``notebooks/02_load_balancing.ipynb`` and ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import math

from course_lib.core import queueing
from course_lib.lb.models.experiments import (
    APPROACHES,
    COMPARED,
    SCALE_SERVERS,
    SEED,
    WARMUP,
    ScaleSetting,
    UnequalRace,
    failover_run,
    failover_scenario,
    race_runs,
    run_policies,
    saturated,
    scale_curves,
    unequal_backends,
)
from course_lib.lb.models.result import Result
from course_lib.lb.models.scenario import Backend
from course_lib.lb.views.figures import (
    approach_label,
    response_time_figure,
    scale_figure,
    timeline_figure,
    utilisation_figure,
)

__all__ = ["APPROACHES", "failover_scenario", "render_failover", "render_policy_race",
           "render_scale", "render_unequal", "run_policies", "saturated", "unequal_backends"]

def render_policy_race(arrival_rate: float = 32.0, servers: int = 4, service_rate: float = 10.0,
                       duration: float = 120.0, seed: int = SEED):
    """Identical servers: mean/p95/p99 per policy, with the M/M/1 mean of random splitting."""
    backends = [Backend(f"s{i + 1}", service_rate) for i in range(servers)]
    results = race_runs(backends, arrival_rate, duration, COMPARED, seed)
    rho = arrival_rate / (servers * service_rate)
    theory = (queueing.mm1_mean_response_time(arrival_rate / servers, service_rate)
              if rho < 1 else None)
    fig = response_time_figure(results, theory, since=WARMUP,
                         title=f"{servers} identical servers at ρ = {rho:.2f}")
    text = "  ".join(
        f"{p}: grows without bound" if saturated(p, backends, arrival_rate)
        else f"{p}: {r.summary(WARMUP)['mean_response_time'] * 1000:.0f} ms"
        for p, r in results.items())
    return fig, f"mean response time — {text}"


def render_scale(servers: int = 4, rho: float = 0.8, service_rate: float = 10.0,
                 seed: int = SEED):
    """Mean response time against the number of servers (2–12) at a fixed utilisation ``rho``.

    One line per policy with ±2 standard-error bars, the M/M/1 mean (what ``random`` gives: each
    server is its own M/M/1 queue at ρ) and the M/M/N mean of one shared queue (no balancer
    does better) dashed. ``servers`` only moves the marker and the numbers in the text: the
    curves are computed once per ``rho`` (about 3 s for a million requests), then memoised.
    """
    ScaleSetting(servers, rho, service_rate)  # refuses a bad knob, naming it
    curves = scale_curves(float(rho), float(service_rate), seed)
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


def render_unequal(policy: str = "round_robin", fast_weight: float = 1.0,
                   arrival_rate: float = 35.0, duration: float = 300.0, seed: int = SEED):
    """Unequal servers: utilisation per server for one policy, next to round-robin."""
    race = UnequalRace(policy, fast_weight, arrival_rate, duration)  # refuses a bad knob
    backends = unequal_backends(fast_weight)
    results = race_runs(backends, arrival_rate, duration, race.policies, seed)
    fig = utilisation_figure(results, title=f"Servers of 30, 10, 10 req/s at {arrival_rate:g} "
                                            f"req/s (fast weight {fast_weight:g})")
    parts = []
    for p, r in results.items():
        full = saturated(p, backends, arrival_rate)
        parts.append(f"{p}: p95 grows without bound ({', '.join(full)} at ≥ 100 %)" if full
                     else f"{p}: p95 {r.summary(WARMUP)['p95'] * 1000:.0f} ms")
    return fig, "  ".join(parts)


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
    result = failover_run(scenario)
    (failure,) = scenario.failures
    title = (f"Requests per backend ({approach_label(scenario)}): {failure.backend} "
             f"{failure.kind} at {failure.at:g} s")
    return timeline_figure(result, title=title), describe(result)
