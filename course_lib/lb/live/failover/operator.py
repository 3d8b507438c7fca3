"""The operator's runs, measured against simulated: drain, maintenance, manual failover, weights.

A crash costs every request the balancer sends to the dead server until ``fall`` checks have
failed (about fall × inter of its traffic). An operator who *knows* a server is about to go
away does better: ``drain`` stops new requests while those in flight finish, ``maint`` stops the
checks too, and ``ready`` brings it back. The claims here (:class:`~course_lib.core.claims.Claim`)
check, for a live run and the simulation of the same
:class:`~course_lib.lb.models.scenario.Scenario`:

* no request failed, measured and simulated;
* while a backend was drained or in maintenance it answered no request sent then (the backup
  answered everything when the drained one was the only primary), and after ``ready`` it takes
  its share again;
* after ``set weight``, each backend's share of the answers is within :data:`SHARE_POINTS`
  percentage points of the simulated share (200–300 requests per window make a point or two of
  rotation phase; HAProxy's weighted tree and the smooth round-robin both give exact
  proportions over a cycle).

Requests sent within :data:`GUARD` seconds of a command are left out of the windows: one of
them may have been routed just before HAProxy applied it.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

from course_lib.core.claims import Claim
from course_lib.lb.live.failover.lab import LiveResult
from course_lib.lb.models.result import Result

GUARD = 0.02
SHARE_POINTS = 3.0

__all__ = ["GUARD", "SHARE_POINTS", "cost_rows", "operator_verdicts", "shares"]


def _answers(result: LiveResult | Result, start: float, end: float) -> list[str | None]:
    """Backends that answered requests sent in ``[start, end)`` (None: an answer that did not
    say which backend it came from)."""
    if isinstance(result, LiveResult):
        return [r.backend for r in result.requests if start <= r.sent_at < end and r.ok]
    return [r.backend for r in result.requests if start <= r.arrival_at < end
            and r.outcome == "ok"]


def _failed(result: LiveResult | Result) -> int:
    if isinstance(result, LiveResult):
        return sum(not r.ok for r in result.requests)
    failed = result.summary()["failed"]
    assert isinstance(failed, int)  # a count, never None
    return failed


def shares(result: LiveResult | Result, start: float, end: float) -> dict[str, float]:
    """Each backend's share of the answers to requests sent in ``[start, end)``."""
    served = _answers(result, start, end)
    return {n: served.count(n) / len(served) if served else 0.0 for n in result.scenario.names}


def _out_windows(scenario) -> list[tuple[str, float, float]]:
    """(backend, from, to): out of the rotation from its first drain/maint to its ready."""
    windows: list[tuple[str, float, float]] = []
    since: dict[str, float] = {}
    for op in sorted(scenario.operations, key=lambda o: o.at):
        if op.action in ("drain", "maint"):
            since.setdefault(op.backend, op.at)
        elif op.action == "ready" and op.backend in since:
            windows.append((op.backend, since.pop(op.backend), op.at))
    return windows + [(b, t, scenario.duration) for b, t in since.items()]


def operator_verdicts(live: LiveResult, sim: Result) -> list[Claim]:
    """Claims whose text does not depend on the machine when they hold (shares are fractions)."""
    sc = live.scenario
    lf, sf = _failed(live), _failed(sim)
    out = [Claim("no request failed, measured and simulated" if lf == 0 and sf == 0 else
                 f"requests failed (measured {lf}, simulated {sf})", lf, sf, lf == 0 and sf == 0)]
    refused = [(op[2], op[4]) for op in live.meta.get("operations", []) if op[4]]
    if refused:  # HAProxy answers nothing to a command it carried out
        command, answer = refused[0]
        out.append(Claim(f"HAProxy answered {answer!r} to {command!r}", answer, "", False))
    backups = [b.name for b in sc.backends if b.backup]
    for backend, start, stop in _out_windows(sc):
        inside = _answers(live, start + GUARD, stop - GUARD)
        inside_sim = _answers(sim, start + GUARD, stop - GUARD)
        ok = backend not in inside and bool(inside)
        out.append(Claim(f"{backend} answered none of the requests sent while it was out of the "
                         f"rotation ({start:g}–{stop:g} s)", inside.count(backend),
                         inside_sim.count(backend), ok))
        if backups and set(inside) <= set(backups) and inside:
            out.append(Claim(f"the backup {', '.join(backups)} answered all of them "
                             "(a manual failover)", True, None, True))
        if stop < sc.duration:
            after_live = shares(live, stop + GUARD, sc.duration)[backend]
            after_sim = shares(sim, stop + GUARD, sc.duration)[backend]
            close = abs(after_live - after_sim) * 100 <= SHARE_POINTS
            out.append(Claim(f"after ready, {backend} takes its share again: within "
                             f"{SHARE_POINTS:g} points of the simulated {after_sim:.0%}",
                             after_live, after_sim, close))
    for op in (o for o in sc.operations if o.action == "weight"):
        assert op.weight is not None  # Operation.validate: a "weight" operation carries one
        for label, start, end in (("before", 0.0, op.at - GUARD), ("after", op.at + GUARD,
                                                                     sc.duration)):
            measured, simulated = shares(live, start, end), shares(sim, start, end)
            worst = max(abs(measured[n] - simulated[n]) for n in sc.names) * 100
            said = ", ".join(f"{n} {simulated[n]:.0%}" for n in sc.names)
            out.append(Claim(f"{label} set weight {op.backend} {round(op.weight * 100)}%: every "
                             f"share within {SHARE_POINTS:g} points of the simulated ({said})",
                             tuple(measured[n] for n in sc.names),
                             tuple(simulated[n] for n in sc.names), worst <= SHARE_POINTS))
    return out


def cost_rows(pairs: dict[str, tuple[LiveResult, Result]]) -> list[list]:
    """Rows ``[run, how, measured failed, simulated failed]`` for a table of failover costs."""
    rows = []
    for name, (live, sim) in pairs.items():
        how = "operator (runtime API)" if live.scenario.operations else "automatic (checks)"
        rows.append([name, how, _failed(live), _failed(sim)])
    return rows
