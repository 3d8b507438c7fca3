"""An exact shortcut through :func:`~course_lib.lb.models.simulate.simulate` for the policy races.

Lesson 02 compares policies on healthy servers: no health checks, no failures, no timeouts that
could fire before the run ends. Nothing can then fail, and the simpy model reduces to a few lines
of bookkeeping that need no event queue:

* requests arrive at ``t += gap`` (the same arrival stream, the same floating-point sums);
* each backend is a FIFO single server, so a request sent to it starts at
  ``max(arrival, the previous request's finish there)`` and finishes ``service`` later. Its
  service time is the next draw of *that backend's* stream: simpy draws it when service starts,
  which on a FIFO server is the same order as the order requests were sent there;
* the policy sees ``in_flight``: requests sent to each backend minus those that finished
  *before* this arrival. A heap of finish times, popped as the clock passes them, keeps it.

Every number is computed with the same operations in the same order as in the simpy engine, so
the :class:`~course_lib.lb.models.result.Result` is identical record for record
(``tests/test_lb_speed.py`` compares the two on many scenarios and seeds); it is about 2.5 times
faster than the simpy engine, which with lesson 02's 4 policies × 120 s runs is what lets the
dashboards follow a slider. The one theoretical difference is an exact tie between a finish
time and an arrival time, which has probability zero with exponential gaps. The simpy engine
stays the model the lessons explain; this is an optimisation that :func:`simulate` applies by
itself when :func:`applies` says it may.

Introduced in ``notebooks/02_load_balancing.ipynb``.
"""

from __future__ import annotations

from heapq import heappop, heappush

from course_lib.core.engines import stream
from course_lib.lb.models.policies import make_policy
from course_lib.lb.models.result import AttemptRecord, RequestRecord, Result
from course_lib.lb.models.scenario import Scenario

__all__ = ["applies", "simulate_healthy"]


def _eligible(scenario: Scenario) -> list[str]:
    """The backends the balancer offers its policy when every primary is believed up."""
    return [b.name for b in scenario.backends if not b.backup and b.weight > 0]


def applies(scenario: Scenario) -> bool:
    """True when nothing in ``scenario`` can fail or change the balancer's belief.

    (Scenarios with non-idempotent requests take the simpy engine, which draws each request's
    method; nothing fails here, so the method would change nothing but the records.)
    """
    s = scenario
    return (s.health_check is None and not s.failures and s.passive is None
            and s.request_timeout >= s.duration and bool(_eligible(s))
            and not s.non_idempotent and not s.operations and s.agent is None
            and s.balancers == 1)


def simulate_healthy(scenario: Scenario) -> Result:
    """The run :func:`~course_lib.lb.models.simulate.simulate` returns, computed without simpy."""
    if not applies(scenario):
        raise ValueError("scenario must have no health checks, failures, passive checks or "
                         "request timeouts shorter than the run (got one that has)")
    return _result(scenario, *_recurrence(scenario))


def _recurrence(s: Scenario) -> tuple[list[float], list[str], list[float], list[float]]:
    """Every request's ``(sent, backend, service start, finish)``, in id order."""
    end = s.duration
    seed = s.seed
    eligible = _eligible(s)
    names = s.names
    policy = make_policy(s.policy, s.weights, seed, "policy-0")  # the simulator's first balancer
    pick = policy.pick
    arrivals = stream(seed, "arrivals")
    gap = arrivals.expovariate
    rate = s.arrival_rate
    deterministic = s.service == "deterministic"
    draw = {}
    mean = {}
    for b in s.backends:
        draw[b.name] = stream(seed, f"service-{b.name}").expovariate
        mean[b.name] = 1.0 / b.service_rate  # the engine's ``factor / rate`` with factor 1.0
    in_flight = {name: 0 for name in names}
    last_finish = {name: -1.0 for name in names}
    finishing: list[tuple[float, str]] = []  # (finish, backend) of requests still in flight
    sent, chosen, starts, finishes = [], [], [], []
    now = 0.0
    while True:
        now = now + gap(rate)
        if now >= end:
            break
        while finishing and finishing[0][0] < now:
            in_flight[heappop(finishing)[1]] -= 1
        name = pick(eligible, in_flight)
        in_flight[name] += 1
        previous = last_finish[name]
        started_at = previous if previous > now else now
        m = mean[name]
        finish = started_at + (m if deterministic else draw[name](1 / m))
        last_finish[name] = finish
        heappush(finishing, (finish, name))
        sent.append(now)
        chosen.append(name)
        starts.append(started_at)
        finishes.append(finish)
    return sent, chosen, starts, finishes


def _result(s: Scenario, sent: list[float], chosen: list[str], starts: list[float],
            finishes: list[float]) -> Result:
    """The :class:`Result` of a run where nothing failed, from :func:`_recurrence`'s lists."""
    end = s.duration
    cold = s.standby == "cold"
    names = s.names
    # The records, in the engine's order: attempts as they complete (by finish time), requests
    # by id; busy time summed per backend in the order it served (FIFO = id order).
    ids = range(len(sent))
    done = sorted((i for i in ids if finishes[i] < end), key=lambda i: (finishes[i], i))
    attempts = [AttemptRecord(i, chosen[i], sent[i], finishes[i], "ok") for i in done]
    requests = [
        RequestRecord(i, sent[i], chosen[i], "ok", finishes[i], finishes[i] - sent[i], 1)
        if finishes[i] < end else RequestRecord(i, sent[i], chosen[i], "in_flight", None, None, 1)
        for i in ids
    ]
    busy = {name: 0.0 for name in names}
    in_service = {}  # the request each backend was serving when the run stopped
    for i in ids:
        if finishes[i] < end:
            busy[chosen[i]] += finishes[i] - starts[i]
        elif starts[i] < end:
            in_service[chosen[i]] = starts[i]
    busy_time = {n: busy[n] + (end - in_service[n] if n in in_service else 0.0) for n in names}
    return Result(
        scenario=s, requests=requests, attempts=attempts,
        actual_log={b.name: [(0.0, "off" if cold and b.backup else "up")] for b in s.backends},
        belief_log={b.name: [(0.0, not (cold and b.backup))] for b in s.backends},
        busy_time=busy_time,
    )
