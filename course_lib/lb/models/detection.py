"""How the simulated balancer learns about its backends: checks, passive detection, operators.

Part of the engine in :mod:`course_lib.lb.models.simulate` (a mixin of its ``_Engine``, kept apart
so each module stays readable): the active checker follows HAProxy (see
:class:`~course_lib.lb.models.scenario.HealthCheck`), passive detection follows nginx
(:class:`~course_lib.lb.models.scenario.PassiveCheck`), and an operator's commands
(:class:`~course_lib.lb.models.operations.Operation`) change what the balancer may use without it
having to notice anything. The *belief* these methods maintain is the only thing the balancer routes
on.

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from course_lib.lb.models.config import integer_weights
from course_lib.lb.models.weights import agent_fraction, slowstart_fraction

if TYPE_CHECKING:
    from course_lib.lb.models.policies import Policy
    from course_lib.lb.models.scenario import Scenario
    from course_lib.lb.models.state import ServerState

DOWN_STATES = ("crashed", "off", "starting")

__all__ = ["DOWN_STATES", "DetectionMixin"]


def check_outcome(server: Any, check_timeout: float) -> tuple[bool, float]:
    """One active check of ``server``: (passed, how long it took). A down server refuses at
    once; a hung one, or one with more queued work than the check may wait, times out. Shared
    by the simpy engine and its failover twin, so both judge a check alike."""
    if server.actual in DOWN_STATES:
        return False, 0.0
    if server.actual == "hung" or server.backlog_time() > check_timeout:
        return False, check_timeout
    return True, 0.0


def restore_after_failure(engine: Any, server: Any, kind: str) -> None:
    """A failed server is back: a hang's stuck requests are reset, its speed and state restored,
    and with no health check the balancer trusts it at once. Shared by the simpy engine and its
    failover twin, so both recover a server alike (each then restarts its queue its own way)."""
    if kind == "hang":
        engine.drop_all(server, "reset")
    server.factor = 1.0
    engine.set_actual(server, "up")
    if engine.s.health_check is None:
        server.active_up = True
        engine.update_belief(server)


class DetectionMixin:
    """Checks, passive detection, beliefs, cold starts, operators and weights that follow health.

    Expects the engine's attributes: ``env``, ``s`` (the scenario), ``servers``, ``primaries``,
    ``backups``, ``policies``, ``cold_triggered``, ``ramping``, ``_eligible`` and ``set_actual``.
    """

    # Declarations only (no values, so nothing at run time): the engine sets them.
    env: Any  # simpy.Environment (simpy ships no type information)
    s: Scenario
    servers: dict[str, ServerState]
    primaries: list[ServerState]
    backups: list[ServerState]
    policies: list[Policy]
    cold_triggered: bool
    ramping: set[ServerState]
    _eligible: list[str] | None

    if TYPE_CHECKING:
        def set_actual(self, server: ServerState, state: str) -> None: ...

    def checker(self, server, phase: float):
        hc = self.s.health_check
        assert hc is not None  # run() starts checkers only with a health check
        yield self.env.timeout(phase)
        successes = failures = 0
        while True:
            passed, duration = check_outcome(server, hc.check_timeout)
            if duration:
                yield self.env.timeout(duration)
            if passed:
                failures = 0
                successes += 1
                if not server.active_up and successes >= hc.rise:
                    server.active_up = True
                    self.update_belief(server)
            else:
                successes = 0
                failures += 1
                if server.active_up and failures >= hc.fall:
                    server.active_up = False
                    self.update_belief(server)
            yield self.env.timeout(hc.interval)

    def passive_failure(self, server) -> None:
        now = self.env.now
        passive = self.s.passive
        assert passive is not None  # end_attempt() calls this only with passive detection
        if now < server.passive_down_until:
            return
        server.fail_times.append(now)
        while server.fail_times and server.fail_times[0] <= now - passive.fail_timeout:
            server.fail_times.popleft()
        if len(server.fail_times) >= passive.max_fails:
            server.fail_times.clear()
            server.passive_down_until = now + passive.fail_timeout
            self.update_belief(server)
            back = self.env.timeout(passive.fail_timeout)
            back.callbacks.append(lambda _e, sv=server: self.update_belief(sv))

    def update_belief(self, server) -> None:
        now = self.env.now
        believed = server.active_up and now >= server.passive_down_until
        if believed == server.believed:
            return
        server.believed = believed
        server.belief_log.append((now, believed))
        self._eligible = None
        if believed and server.slowstart and len(server.belief_log) > 2:  # back after a down
            server.ramp_since = now
            self.ramping.add(server)
            self.reweigh(server)
        if not self.cold_triggered and not any(sv.believed for sv in self.primaries):
            self.cold_triggered = True
            for backup in self.backups:
                if backup.actual == "off":
                    self.env.process(self.cold_start(backup))

    def operate(self, operation):
        """An operator's command at its time: the next request already sees it."""
        yield self.env.timeout(operation.at)
        server = self.servers[operation.backend]
        if operation.action == "weight":
            # HAProxy's arithmetic (server_parse_weight_change_request): the configured integer
            # weight × N / 100, rounded down, at most 256. With weight 4, 20 % is weight 0.
            configured = integer_weights(self.s)[server.name]
            new = min(256, configured * round(operation.weight * 100) // 100)
            server.operator_fraction = new / configured if configured else 0.0
            self.reweigh(server)
        else:
            server.admin = operation.action
        self._eligible = None

    def reweigh(self, server) -> None:
        """The effective weight: configured × operator × slow-start ramp × agent."""
        ramp = 1.0
        if server.ramp_since is not None:
            ramp = slowstart_fraction(server.slowstart, self.env.now - server.ramp_since)
            if ramp >= 1.0:
                server.ramp_since = None
                self.ramping.discard(server)
        weight = server.configured_weight * server.operator_fraction * ramp * server.agent_fraction
        if (weight > 0) != (server.weight > 0):
            self._eligible = None
        server.weight = weight
        for policy in self.policies:
            if hasattr(policy, "weights"):
                policy.weights[server.name] = weight

    def agent(self, server, phase: float):
        """HAProxy ``agent-check``: every ``agent.interval`` the server reports a weight.

        A crashed or hung server's agent does not answer, and HAProxy keeps the last weight.
        """
        agent = self.s.agent
        assert agent is not None  # run() starts agents only with an agent check
        yield self.env.timeout(phase)
        while True:
            if server.actual not in DOWN_STATES and server.actual != "hung":
                response_time = server.backlog_time() + server.factor / server.rate
                server.agent_fraction = agent_fraction(agent, response_time)
                self.reweigh(server)
            yield self.env.timeout(agent.interval)

    def cold_start(self, server):
        self.set_actual(server, "starting")
        yield self.env.timeout(self.s.cold_start_time)
        self.set_actual(server, "up")
        if self.s.health_check is None:
            server.active_up = True
            self.update_belief(server)
