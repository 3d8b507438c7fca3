"""Measured against simulated: the numbers side by side, and claims that say whether they agree.

The simulator makes a *range* prediction for detection, not a point: the first check that sees
the failure starts at an unknown phase in ``[0, interval)``, so a crash is marked down between
``(fall−1)·interval`` and ``fall·interval`` after it (a hang adds ``fall · timeout``), see
:func:`course_lib.lb.models.scenario.detection_bounds`. A live run is one draw from that range.

**The allowance.** A measured detection is compared to the range widened by
:data:`DETECTION_ALLOWANCE` on both sides. It covers what the model leaves out and what the
measurement adds, each a few milliseconds on an idle machine: HAProxy's timers, the moment our
``kill`` is stamped (just before the signal) and the moment HAProxy's log line is read. On a
shared 2-core machine each of these processes may also wait for a CPU; Linux hands out slices of
roughly 3–24 ms, so 0.1 s leaves room for about four such waits in a row. It is not a fudge for
check scheduling: getting that wrong (e.g. checks every ``interval`` from their *start* for a
hang) would move the result by ``fall · timeout`` = 0.6 s, far outside it.

**Failed requests** during detection follow from it: the failed backend keeps its share of the
traffic (``1/n`` for round-robin, ``weight/Σweights`` for weighted) until it is marked down, so
``rate · share · detection`` requests fail, plus at most :data:`EXTRA_FAILURES`: the request being
served at the instant of the crash (reset) and one more from the phase of the rotation.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import math

from course_lib.core.claims import Claim
from course_lib.core.stats import percentile
from course_lib.lb.live.failover.lab import LiveResult
from course_lib.lb.models.result import Result
from course_lib.lb.models.scenario import detection_bounds

DETECTION_ALLOWANCE = 0.1
EXTRA_FAILURES = 2
#: The hot-standby verdict ignores backup answers to requests sent this close before the last
#: primary was marked down: HAProxy decided before our reader stamped its log line.
STAMP_SLACK = 0.05


def _pct(values: list[float], q: float) -> float | None:
    """The interpolated ``q``-quantile of unsorted values (``None`` if there are none)."""
    return percentile(sorted(values), q)


def share(result: LiveResult | Result, backend: str) -> float:
    """The failed backend's share of the traffic while it is still believed up."""
    sc = result.scenario
    primaries = [b for b in sc.backends if not b.backup]
    if sc.policy == "weighted_round_robin":
        total = sum(b.weight for b in primaries)
        return next(b.weight for b in primaries if b.name == backend) / total
    return 1 / len(primaries)


def expected_failed(result: LiveResult | Result) -> tuple[int, int]:
    """Range of failed requests implied by the detection range (single-failure runs)."""
    sc = result.scenario
    (failure,) = sc.failures
    assert sc.health_check is not None, "the detection range needs an active health check"
    lo, hi = detection_bounds(sc.health_check, failure.kind)
    if sc.retries:
        return 0, 0
    per_s = sc.arrival_rate * share(result, failure.backend)
    low = math.floor(per_s * max(0.0, lo - DETECTION_ALLOWANCE))
    return low, math.ceil(per_s * (hi + DETECTION_ALLOWANCE)) + EXTRA_FAILURES


def measured_row(live: LiveResult) -> dict:
    """The numbers of one live run: detection, failures, latency before and after."""
    first = live.detections[0]
    lat_before = [r.response_time for r in live.requests if r.ok and r.sent_at < first.failed_at]
    after_at = max((d.marked_down_at or math.inf) for d in live.detections)
    end = min((d.recovered_at or math.inf) for d in live.detections)
    lat_after = [r.response_time for r in live.requests if r.ok and after_at <= r.sent_at < end]
    return {
        "detection_time": first.detection_time,
        "failed": len(live.failed()),
        "p50_before": _pct(lat_before, 0.5), "p99_before": _pct(lat_before, 0.99),
        "p50_after": _pct(lat_after, 0.5), "p99_after": _pct(lat_after, 0.99),
    }


def simulated_row(sim: Result) -> dict:
    """The same numbers from the simulator."""
    first = sim.detections[0]
    ok = [r for r in sim.requests if r.outcome == "ok"]
    after_at = max((d.marked_down_at or math.inf) for d in sim.detections)
    end = min((d.recovered_at or math.inf) for d in sim.detections)
    # an "ok" request always has a response time (None only for failed or in-flight ones)
    timed = [(r.arrival_at, r.response_time) for r in ok if r.response_time is not None]
    before = [t for at, t in timed if at < first.failed_at]
    after = [t for at, t in timed if after_at <= at < end]
    return {
        "detection_time": first.detection_time,
        "failed": sim.summary()["failed"],
        "p50_before": _pct(before, 0.5), "p99_before": _pct(before, 0.99),
        "p50_after": _pct(after, 0.5), "p99_after": _pct(after, 0.99),
    }


def verdicts(live: LiveResult, sim: Result) -> list[Claim]:
    """Agreement checks whose text is the same on every machine where they hold."""
    sc = live.scenario
    out = []
    for d in live.detections:
        assert sc.health_check is not None, "the detection range needs an active health check"
        lo, hi = detection_bounds(sc.health_check, d.kind)
        t = d.detection_time
        inside = t is not None and lo - DETECTION_ALLOWANCE <= t <= hi + DETECTION_ALLOWANCE
        out.append(Claim(f"{d.backend} ({d.kind}): measured detection "
                         f"{'within' if inside else 'OUTSIDE'} the simulated range "
                         f"[{lo:.2f}, {hi:.2f}] s (± {DETECTION_ALLOWANCE} s allowance)",
                         t, (lo, hi), inside, unit="s"))
    backups = [b.name for b in sc.backends if b.backup]
    if len(sc.failures) == 1:
        low, high = expected_failed(live)
        n = len(live.failed())
        ok = low <= n <= high
        what = "no request failed, as predicted" if high == 0 else (
            f"failed requests {'within' if ok else 'OUTSIDE'} the predicted range [{low}, {high}]")
        out.append(Claim(what if ok or high else "some requests failed despite retries",
                         n, (low, high), ok))
    if backups:
        down_at = max(d.marked_down_at or math.inf for d in live.detections)
        early = [r for r in live.requests if r.ok and r.backend in backups
                 and r.sent_at < down_at - STAMP_SLACK]
        late = [r for r in live.requests if r.ok and r.backend in backups and r.sent_at > down_at]
        ok = not early and bool(late)
        # the model's backup serves exactly when every primary is down: the claim's prediction
        out.append(Claim("the backup served traffic only after every primary was marked down"
                         if ok else "the backup served traffic while a primary was up"
                         if early else "the backup never served traffic", ok, True, ok))
    first = measured_row(live)["p50_before"]
    sim_p50 = simulated_row(sim)["p50_before"]
    ok = first is not None and sim_p50 is not None and first >= sim_p50
    out.append(Claim("measured median latency above the simulated one (the model has "
                     "no network, proxy or Python time)" if ok else
                     "measured median latency BELOW the simulated one", first, sim_p50, ok,
                     unit="s"))
    return out


def _fmt(value: float | None, scale: float) -> str:
    return "–" if value is None else f"{value * scale:.3g}"


def table_rows(lives: dict[str, LiveResult], sims: dict[str, Result]) -> list[list]:
    """Rows for :func:`.figures.comparison_table`: run, metric, measured, simulated."""
    rows = []
    for name, live in lives.items():
        m, s = measured_row(live), simulated_row(sims[name])
        for key, unit, scale in (("detection_time", "s", 1), ("failed", "", 1),
                                 ("p50_before", "ms", 1000), ("p99_before", "ms", 1000),
                                 ("p50_after", "ms", 1000), ("p99_after", "ms", 1000)):
            rows.append([name, f"{key} ({unit})" if unit else key,
                         _fmt(m[key], scale), _fmt(s[key], scale)])
    return rows
