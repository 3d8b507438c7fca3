"""An exact fast twin of :func:`~course_lib.lb.models.simulate.simulate` for failover scenarios.

Lesson 03's dashboards run a minute of traffic (7,000 to 12,000 requests) through health checks,
a failure, timeouts and retries on every slider move. The simpy model spends most of that on two
events per request (its arrival, the end of its service), each a trip through simpy's event
queue, and neither needs the queue. Arrivals are known in advance: the same stream summed the
same way (:func:`course_lib.core.engines.arrival_times`). A backend is a FIFO single server, so
it is *advanced* lazily, just before anything looks at it (a request sent there, its check, its
failure, its timeout watch, the end of the run): the attempts that finished meanwhile end
``ok`` at their own instants, and each next service time is drawn from that backend's stream
when it starts, as in the engine. Only the rare events (checks, failures and recoveries, the
timeout watches, a cold standby's start) go through a heap ordered as simpy orders its queue,
``(time, priority, insertion order)``, so events due at one instant (a crash resetting several
requests whose retries time out together) run in the engine's order; the attempt records are
put back in the engine's order (end time, then processing order) at the end.

It applies when the policy never reads in-flight counts (round-robin, weighted round-robin,
random), service times are exponential, and there are no passive checks, operator commands,
agent checks, slow starts or fleet of balancers: lesson 03's dashboards. The engine's methods are
mirrored one for one, so the :class:`~course_lib.lb.models.result.Result` is identical record
for record (``tests/test_lb_failover_fast.py``, on generated scenarios); as in
:mod:`course_lib.lb.models.fastpath`, the one theoretical difference is an exact tie between two
random instants, which has probability zero. :func:`simulate` takes this twin by itself when
:func:`applies` says it may; the simpy engine stays the model the lesson explains.

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from heapq import heappop, heappush
from itertools import count

from course_lib.core.engines import arrival_times, exact_delay, stream, uniform_stream
from course_lib.lb.models.detection import DOWN_STATES, check_outcome, restore_after_failure
from course_lib.lb.models.lazy_backend import Attempt, LazyBackend, Request, RunRecords
from course_lib.lb.models.policies import make_policy
from course_lib.lb.models.result import AttemptRecord, RequestRecord, Result
from course_lib.lb.models.scenario import Failure, Scenario

__all__ = ["applies", "simulate_failover"]

COUNT_BLIND = ("round_robin", "weighted_round_robin", "random")  # policies that ignore in_flight
_URGENT, _NORMAL = 0, 1  # simpy's priorities: a process's start before the timeouts due then
_NO_COUNTS: dict[str, int] = {}  # what a count-blind policy is shown as in-flight counts
_new = tuple.__new__  # a record without the Python-level ``__new__`` of a named tuple


def applies(scenario: Scenario) -> bool:
    """True when the twin mirrors everything ``scenario`` can make the engine do."""
    s = scenario
    return (s.policy in COUNT_BLIND and s.service == "exponential" and s.passive is None
            and not s.operations and s.agent is None and s.balancers == 1
            and all(b.slowstart == 0 for b in s.backends))


class _Twin:
    """The engine's methods (same names, same order of effects) on lazily advanced backends."""

    def __init__(self, scenario: Scenario) -> None:
        s = self.s = scenario
        self.now: float = 0  # simpy's clock starts at the integer 0, and so does this one
        self.heap: list[tuple[float, int, int, Callable[[], None]]] = []
        self.eid = count()
        times = arrival_times(stream(s.seed, "arrivals"), s.arrival_rate, s.duration)
        self.times = times.tolist()
        self.out = RunRecords(len(self.times))
        self.servers = {b.name: LazyBackend(s, i, self.out) for i, b in enumerate(s.backends)}
        self.primaries = [sv for sv in self.servers.values() if not sv.backup]
        self.backups = [sv for sv in self.servers.values() if sv.backup]
        self.request_timeout = s.request_timeout
        self.pick = make_policy(s.policy, s.weights, s.seed, "policy-0").pick
        self.cold_triggered = False
        self._eligible: list[str] | None = None

    def timeout(self, delay: float, callback: Callable[[], None],
                priority: int = _NORMAL) -> None:
        heappush(self.heap, (self.now + delay, priority, next(self.eid), callback))

    # ---- the balancer ---------------------------------------------------------------------
    def eligible(self) -> list[str]:
        if self._eligible is None:
            up = [sv.name for sv in self.primaries if sv.believed and sv.usable_weight]
            if not up:
                up = [sv.name for sv in self.backups if sv.believed and sv.usable_weight]
            self._eligible = up
        return self._eligible

    def dispatch(self, request: Request, last_outcome: str) -> None:
        now = self.now
        candidates = self._eligible if self._eligible is not None else self.eligible()
        if request.tried:
            candidates = [n for n in candidates if n not in request.tried]
        if not candidates:
            self.finish(request, last_outcome, now)
            return
        name = self.pick(candidates, _NO_COUNTS)
        server = self.servers[name]
        request.tried.append(name)
        attempt = Attempt(request, server, now)
        if server.actual in DOWN_STATES:
            self.end_attempt(attempt, "refused", now)
            return
        current = server.current
        if current is not None and current.finish < now:
            server.advance(now)
            current = server.current
        attempt.deadline = deadline = now + self.request_timeout
        server.watch.append(attempt)
        if not server.watching:
            self.arm(server, deadline)
        server.queue.append(attempt)
        if current is None and server.actual != "hung":
            server.start_next(now)

    def arm(self, server: LazyBackend, at: float) -> None:
        """The engine's ``arm``: the same arithmetic, so the wake-up is the same float."""
        server.watching = True
        self.timeout(exact_delay(self.now, at), partial(self.on_watch, server))

    def on_watch(self, server: LazyBackend) -> None:
        now = self.now
        server.advance(now)
        server.watching = False
        watch = server.watch
        while watch and (watch[0].ended or watch[0].deadline <= now):
            attempt = watch.popleft()
            if not attempt.ended:
                self.end_attempt(attempt, "timeout", now)
        if watch and not server.watching:
            self.arm(server, watch[0].deadline)

    def end_attempt(self, attempt: Attempt, outcome: str, now: float) -> None:
        attempt.ended = True
        request = attempt.request
        self.out.ended.append((now, next(self.out.order), _new(AttemptRecord, (
            request.id, attempt.server.name, attempt.sent_at, now, outcome))))
        if outcome == "ok":
            self.finish(request, "ok", now)
            return
        replay_safe = request.idempotent or outcome == "refused"
        if replay_safe and len(request.tried) <= self.s.retries:
            self.dispatch(request, outcome)
        else:
            self.finish(request, outcome, now)

    def finish(self, request: Request, outcome: str, now: float) -> None:
        backend = request.tried[-1] if request.tried else None
        self.out.requests[request.id] = _new(RequestRecord, (
            request.id, request.arrival_at, backend, outcome, now, now - request.arrival_at,
            len(request.tried), request.idempotent))

    # ---- the backends ---------------------------------------------------------------------
    def drop_all(self, server: LazyBackend, outcome: str) -> None:
        held = list(server.queue)
        if server.current is not None:
            if server.actual != "hung":
                server.busy_time += self.now - server.service_started_at
            held.insert(0, server.current)
        server.current = None
        server.queue.clear()
        for attempt in held:
            if not attempt.ended:
                self.end_attempt(attempt, outcome, self.now)

    def set_actual(self, server: LazyBackend, state: str) -> None:
        server.actual = state
        server.actual_log.append((self.now, state))

    def inject(self, failure: Failure) -> None:
        server = self.servers[failure.backend]
        server.advance(self.now)
        if failure.kind == "crash":
            self.drop_all(server, "reset")
            self.set_actual(server, "crashed")
        elif failure.kind == "hang":
            if server.current is not None:
                server.busy_time += self.now - server.service_started_at
            self.set_actual(server, "hung")
        else:
            assert failure.factor is not None  # a slow failure always has one (validated)
            server.factor = failure.factor
            self.set_actual(server, "slow")
        if failure.end_at is not None:
            self.timeout(failure.end_at - failure.at, partial(self.recover, failure))

    def recover(self, failure: Failure) -> None:
        server = self.servers[failure.backend]
        server.advance(self.now)
        restore_after_failure(self, server, failure.kind)
        if server.current is None and server.queue:
            server.start_next(self.now)

    # ---- what the balancer believes ---------------------------------------------------------
    def check(self, server: LazyBackend) -> None:
        """One active check (the engine's ``checker`` loop, one turn per call)."""
        hc = self.s.health_check
        assert hc is not None
        server.advance(self.now)
        passed, duration = check_outcome(server, hc.check_timeout)
        if duration:
            self.timeout(duration, partial(self.checked, server, passed))
        else:
            self.checked(server, passed)

    def checked(self, server: LazyBackend, passed: bool) -> None:
        hc = self.s.health_check
        assert hc is not None
        if passed:
            server.failures = 0
            server.successes += 1
            if not server.active_up and server.successes >= hc.rise:
                server.active_up = True
                self.update_belief(server)
        else:
            server.successes = 0
            server.failures += 1
            if server.active_up and server.failures >= hc.fall:
                server.active_up = False
                self.update_belief(server)
        self.timeout(hc.interval, partial(self.check, server))

    def update_belief(self, server: LazyBackend) -> None:
        believed = server.active_up
        if believed == server.believed:
            return
        server.believed = believed
        server.belief_log.append((self.now, believed))
        self._eligible = None
        if not self.cold_triggered and not any(sv.believed for sv in self.primaries):
            self.cold_triggered = True
            for backup in self.backups:
                if backup.actual == "off":  # a simpy process: it starts before what is due now
                    self.timeout(0, partial(self.cold_start, backup), _URGENT)

    def cold_start(self, server: LazyBackend) -> None:
        self.set_actual(server, "starting")
        self.timeout(self.s.cold_start_time, partial(self.started, server))

    def started(self, server: LazyBackend) -> None:
        self.set_actual(server, "up")
        if self.s.health_check is None:
            server.active_up = True
            self.update_belief(server)

    # ---- running -------------------------------------------------------------------------
    def run(self) -> Result:
        s, heap = self.s, self.heap
        end = s.duration
        for failure in s.failures:  # the engine's processes, in the engine's order
            self.timeout(failure.at, partial(self.inject, failure))
        if s.health_check is not None:
            phases = stream(s.seed, "checks")
            for server in self.servers.values():
                self.timeout(phases.uniform(0, s.health_check.interval),
                             partial(self.check, server))
        share = s.non_idempotent
        methods = uniform_stream(stream(s.seed, "methods"))
        requests: list[Request] = []
        add, dispatch = requests.append, self.dispatch
        for rid, at in enumerate(self.times):
            while heap and heap[0][0] < at:
                self.now, _, _, callback = heappop(heap)
                callback()
            self.now = at
            request = Request(rid, at, not share or next(methods) >= share)
            add(request)
            dispatch(request, "no_server")
        while heap and heap[0][0] < end:
            self.now, _, _, callback = heappop(heap)
            callback()
        self.now = end
        for server in self.servers.values():
            server.advance(end)
        records, ended = self.out.requests, self.out.ended
        for request in requests:
            if records[request.id] is None:
                records[request.id] = RequestRecord(
                    request.id, request.arrival_at, request.tried[-1] if request.tried else None,
                    "in_flight", None, None, len(request.tried), request.idempotent)
        ended.sort()  # (end, order) pairs are unique: the records themselves are never compared
        busy = {}
        for sv in self.servers.values():
            extra = end - sv.service_started_at if sv.current and sv.actual != "hung" else 0.0
            busy[sv.name] = sv.busy_time + extra
        self.release()
        return Result(
            scenario=s,
            requests=records,  # type: ignore[arg-type]  # every slot filled above
            attempts=[e[2] for e in ended],
            actual_log={n: sv.actual_log for n, sv in self.servers.items()},
            belief_log={n: sv.belief_log for n, sv in self.servers.items()},
            busy_time=busy,
        )

    def release(self) -> None:
        """Break the run's reference cycles (an attempt and its backend's queue, the heap's
        callbacks and the twin), so that its tens of thousands of objects are freed as the run
        returns, by reference counting, instead of waiting for the garbage collector: a
        dashboard paid for that collection, in proportion to the run's size, after every move."""
        self.heap.clear()
        for server in self.servers.values():
            server.queue.clear()
            server.watch.clear()
            server.current = None


def simulate_failover(scenario: Scenario) -> Result:
    """The run :func:`~course_lib.lb.models.simulate.simulate` returns, with simpy left out."""
    if not applies(scenario):
        raise ValueError("scenario must use a policy that ignores in-flight counts and have no "
                         "passive checks, operations, agent checks, slow starts or several "
                         "balancers (got one that has)")
    return _Twin(scenario).run()
