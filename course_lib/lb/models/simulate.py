"""The simulator: a balancer, its backends, health checks and failures, as a simpy model.

``simulate(scenario)`` builds fresh simpy state, runs it for ``scenario.duration`` seconds and
returns a :class:`~course_lib.lb.models.result.Result`. What happens, in the order a request sees
it:

1. Requests arrive as a Poisson stream. The balancer keeps a *belief* about every backend (up or
   down) and offers the policy only the backends it believes up: primaries first, backups only
   when no primary is left (no backend at all → the request fails at once, ``no_server``, the
   503 of HAProxy and the 502 of nginx).
2. The chosen backend serves requests one at a time, first come first served. A crashed one
   refuses the connection at once (``refused``) and resets the requests it held (``reset``); a
   hung one accepts and never answers, so its requests end after ``request_timeout``
   (``timeout``); a slow one serves at ``service_rate / factor``.
3. A failed attempt is retried on another backend believed up, at most ``retries`` times;
   a non-idempotent request only if its connection was refused (it never reached a server).
4. Independently, every backend is checked every ``interval`` seconds (HAProxy semantics, see
   :class:`~course_lib.lb.models.scenario.HealthCheck`); the checks, and optional passive detection,
   are the only way the belief changes. The truth and the belief are both recorded, so a lesson
   can show the gap between them: that gap is where requests fail.
5. An operator can act at set times (``scenario.operations``): a drained or maintained backend
   is offered no new requests whatever the belief, and ``set weight``, a slow start after a
   recovery or an agent's report change the weights weighted round-robin uses
   (:mod:`course_lib.lb.models.detection`, :mod:`course_lib.lb.models.weights`).

A check is answered at once by a working backend, unless its backlog would take longer than the
check timeout to clear: an overloaded server answers its health check too late and is marked
down, which is how cascading failures start.

Each random stream (arrivals, each backend's service times, check phases, agent phases, request
methods, the policy) has its own seed derived from ``scenario.seed``, so changing the policy
leaves the arrivals unchanged.

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

from functools import partial

import simpy

from course_lib.core.engines import check_engine, exact_delay, stream
from course_lib.lb.models import failover_fast, fastpath, fastpath_checked
from course_lib.lb.models.detection import DOWN_STATES, DetectionMixin, restore_after_failure
from course_lib.lb.models.policies import make_policy
from course_lib.lb.models.result import AttemptRecord, RequestRecord, Result
from course_lib.lb.models.scenario import Scenario
from course_lib.lb.models.state import Attempt as _Attempt
from course_lib.lb.models.state import PendingRequest as _Request
from course_lib.lb.models.state import ServerState as _Server

__all__ = ["simulate"]


class _Engine(DetectionMixin):
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.env = simpy.Environment()
        cold = scenario.standby == "cold"
        self.servers = {
            b.name: _Server(b, scenario.seed, cold and b.backup) for b in scenario.backends
        }
        self.primaries = [sv for sv in self.servers.values() if not sv.backup]
        self.backups = [sv for sv in self.servers.values() if sv.backup]
        # One policy and one view of the in-flight counts per balancer: with several, each sees
        # only the requests it sent itself (no shared state), as a fleet of HAProxies does.
        self.policies = [make_policy(scenario.policy, scenario.weights, scenario.seed,
                                     f"policy-{i}") for i in range(scenario.balancers)]
        self.policy = self.policies[0]
        self.counts = [{name: 0 for name in self.servers} for _ in self.policies]
        self.in_flight = self.counts[0]
        self.requests: list[RequestRecord] = []
        self.attempts: list[AttemptRecord] = []
        self.pending: dict[int, _Request] = {}
        self.cold_triggered = False
        self.ramping: set[_Server] = set()
        self._eligible: list[str] | None = None
        self.deterministic = scenario.service == "deterministic"

    # ---- the balancer ---------------------------------------------------------------------
    def eligible(self) -> list[str]:
        if self._eligible is None:
            up = [sv.name for sv in self.primaries if sv.usable]
            if not up:
                up = [sv.name for sv in self.backups if sv.usable]
            self._eligible = up
        return self._eligible

    def arrivals(self):
        rng = stream(self.s.seed, "arrivals")
        methods = stream(self.s.seed, "methods")  # its own stream: arrivals unchanged
        share = self.s.non_idempotent
        fleet = stream(self.s.seed, "balancers")  # which balancer a client reaches
        many = self.s.balancers
        rid = 0
        while True:
            yield self.env.timeout(rng.expovariate(self.s.arrival_rate))
            request = _Request(rid, self.env.now, not share or methods.random() >= share,
                               fleet.randrange(many) if many > 1 else 0)
            rid += 1
            self.pending[request.id] = request
            self.dispatch(request, "no_server")

    def dispatch(self, request: _Request, last_outcome: str) -> None:
        now = self.env.now
        if self.ramping:  # slow starts in progress: their weights grow with time
            for server in list(self.ramping):
                self.reweigh(server)
        candidates = self.eligible()
        if request.tried:
            candidates = [n for n in candidates if n not in request.tried]
        if not candidates:
            self.finish(request, last_outcome)
            return
        counts = self.counts[request.balancer]
        name = self.policies[request.balancer].pick(candidates, counts)
        server = self.servers[name]
        request.tried.append(name)
        attempt = _Attempt(request, server, now)
        counts[name] += 1
        if server.actual in DOWN_STATES:
            self.end_attempt(attempt, "refused")
            return
        attempt.deadline = now + self.s.request_timeout
        server.watch.append(attempt)
        if not server.watching:
            self.arm(server, attempt.deadline)
        server.queue.append(attempt)
        if server.current is None and server.actual != "hung":
            self.start_next(server)

    # ---- request timeouts ---------------------------------------------------------------------
    # A backend ends its attempts oldest first (served in order, all reset at once, or timed out
    # in order of sending), so only the oldest attempt still running can be the next to time
    # out. One wake-up per backend, at that attempt's deadline, replaces a timer per attempt:
    # most attempts end long before their deadline, and their timers would fire for nothing.
    def arm(self, server: _Server, at: float) -> None:
        """Wake up at the instant ``at`` (exactly: the same float a per-attempt timer had)."""
        server.watching = True
        self.env.timeout(exact_delay(self.env.now, at)).callbacks.append(
            partial(self.on_watch, server))

    def on_watch(self, server: _Server, _event) -> None:
        server.watching = False
        watch, now = server.watch, self.env.now
        while watch and (watch[0].ended or watch[0].deadline <= now):
            attempt = watch.popleft()
            if not attempt.ended:
                self.end_attempt(attempt, "timeout")
        if watch and not server.watching:
            self.arm(server, watch[0].deadline)

    def end_attempt(self, attempt: _Attempt, outcome: str) -> None:
        now = self.env.now
        attempt.ended = True
        server = attempt.server
        self.counts[attempt.request.balancer][server.name] -= 1
        request = attempt.request
        self.attempts.append(
            AttemptRecord(request.id, server.name, attempt.sent_at, now, outcome)
        )
        if outcome == "ok":
            self.finish(request, "ok")
            return
        if self.s.passive is not None:
            self.passive_failure(server)
        # A reset or a timeout may come after the server acted: replaying a POST could act
        # twice. A refused connection never reached a server, so it is safe to re-send.
        replay_safe = request.idempotent or outcome == "refused"
        if replay_safe and len(request.tried) <= self.s.retries:
            self.dispatch(request, outcome)
        else:
            self.finish(request, outcome)

    def finish(self, request: _Request, outcome: str) -> None:
        now = self.env.now
        del self.pending[request.id]
        backend = request.tried[-1] if request.tried else None
        self.requests.append(RequestRecord(
            request.id, request.arrival_at, backend, outcome, now,
            now - request.arrival_at, len(request.tried), request.idempotent,
        ))

    # ---- the backends ---------------------------------------------------------------------
    def start_next(self, server: _Server) -> None:
        if not server.queue:
            return
        attempt = server.queue.popleft()
        server.current = attempt
        server.service_started_at = self.env.now
        mean = server.factor / server.rate
        service = mean if self.deterministic else server.rng.expovariate(1 / mean)
        done = self.env.timeout(service)
        done.callbacks.append(partial(self.on_served, server, server.epoch))

    def on_served(self, server: _Server, epoch: int, _event) -> None:
        if epoch != server.epoch:  # the server crashed or hung meanwhile: stale completion
            return
        attempt = server.current
        assert attempt is not None  # same epoch: start_next's attempt is still being served
        server.current = None
        server.busy_time += self.env.now - server.service_started_at
        if not attempt.ended:  # a timed-out request is still served: wasted work
            self.end_attempt(attempt, "ok")
        self.start_next(server)

    def drop_all(self, server: _Server, outcome: str) -> None:
        """The process died (crash) or was restarted (hang recovery): reset what it held."""
        server.epoch += 1
        held = list(server.queue)
        if server.current is not None:
            if server.actual != "hung":
                server.busy_time += self.env.now - server.service_started_at
            held.insert(0, server.current)
        server.current = None
        server.queue.clear()
        for attempt in held:
            if not attempt.ended:
                self.end_attempt(attempt, outcome)

    def set_actual(self, server: _Server, state: str) -> None:
        server.actual = state
        server.actual_log.append((self.env.now, state))

    def inject(self, failure):
        server = self.servers[failure.backend]
        yield self.env.timeout(failure.at)
        if failure.kind == "crash":
            self.drop_all(server, "reset")
            self.set_actual(server, "crashed")
        elif failure.kind == "hang":
            server.epoch += 1  # the request in service never completes
            if server.current is not None:
                server.busy_time += self.env.now - server.service_started_at
            self.set_actual(server, "hung")
        else:
            server.factor = failure.factor
            self.set_actual(server, "slow")
        if failure.end_at is None:
            return
        yield self.env.timeout(failure.end_at - failure.at)
        restore_after_failure(self, server, failure.kind)
        if server.current is None:
            self.start_next(server)

    # ---- running -------------------------------------------------------------------------
    def run(self) -> Result:
        env = self.env
        env.process(self.arrivals())
        for failure in self.s.failures:
            env.process(self.inject(failure))
        for operation in self.s.operations:
            env.process(self.operate(operation))
        if self.s.agent is not None:
            phases = stream(self.s.seed, "agents")
            for server in self.servers.values():
                env.process(self.agent(server, phases.uniform(0, self.s.agent.interval)))
        if self.s.health_check is not None:
            phases = stream(self.s.seed, "checks")
            for server in self.servers.values():
                phase = phases.uniform(0, self.s.health_check.interval)
                env.process(self.checker(server, phase))
        env.run(until=self.s.duration)
        end = self.s.duration
        for request in self.pending.values():
            backend = request.tried[-1] if request.tried else None
            self.requests.append(RequestRecord(
                request.id, request.arrival_at, backend, "in_flight", None, None,
                len(request.tried), request.idempotent,
            ))
        self.requests.sort(key=lambda r: r.id)
        busy = {}
        for sv in self.servers.values():
            extra = end - sv.service_started_at if sv.current and sv.actual != "hung" else 0.0
            busy[sv.name] = sv.busy_time + extra
        return Result(
            scenario=self.s,
            requests=self.requests,
            attempts=self.attempts,
            actual_log={n: sv.actual_log for n, sv in self.servers.items()},
            belief_log={n: sv.belief_log for n, sv in self.servers.items()},
            busy_time=busy,
        )


def simulate(scenario: Scenario, *, engine: str = "auto") -> Result:
    """Run ``scenario`` once (deterministic for a given ``scenario.seed``) and return a Result.

    ``engine="simpy"`` always runs the model above. The default ``"auto"`` takes an exact
    shortcut when nothing in the scenario can fail (:mod:`course_lib.lb.models.fastpath`), or
    when nothing but a health check or a request timeout could and neither does
    (:mod:`course_lib.lb.models.fastpath_checked`), or, for lesson 03's failover scenarios, an
    exact twin that keeps simpy's event queue only for the rare events
    (:mod:`course_lib.lb.models.failover_fast`): the same result, record for record, several
    times faster.
    """
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario must be a Scenario (got {scenario!r})")
    check_engine(engine)
    if engine == "auto" and fastpath.applies(scenario):
        return fastpath.simulate_healthy(scenario)
    if engine == "auto" and fastpath_checked.applies_checked(scenario):
        result = fastpath_checked.simulate_checked(scenario)
        if result is not None:
            return result
    if engine == "auto" and failover_fast.applies(scenario):
        return failover_fast.simulate_failover(scenario)
    return _Engine(scenario).run()
