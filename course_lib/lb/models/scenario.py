"""What a load-balancing scenario *is*: backends, a policy, health checks and injected failures.

These frozen dataclasses are descriptions only; :func:`course_lib.lb.models.simulate` runs them, and
:mod:`course_lib.lb.models.config` renders the same description as HAProxy or nginx configuration.
Every field is validated when the object is built, and a bad value raises ``ValueError`` naming
the field, the rule and the value (``backends[2].service_rate must be a finite number > 0
(got -1.0)``, worded by :mod:`course_lib.core.validate`), so the simulator, the dashboards and the
live lab all show the same sentence.

Health-check knobs follow HAProxy (the same ideas have other names elsewhere):

=====================  =================  ================================  =======================
this course            HAProxy            AWS ALB target group              Envoy
=====================  =================  ================================  =======================
``interval`` (2 s)     ``inter``          ``HealthCheckIntervalSeconds``    ``interval``
``timeout`` (=inter)   ``timeout check``  ``HealthCheckTimeoutSeconds``     ``timeout``
``fall`` (3)           ``fall``           ``UnhealthyThresholdCount``       ``unhealthy_threshold``
``rise`` (2)           ``rise``           ``HealthyThresholdCount``         ``healthy_threshold``
=====================  =================  ================================  =======================

nginx open source has no active checks; its passive ones (``max_fails``/``fail_timeout``) are
:class:`PassiveCheck`.

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from course_lib.core.validate import description, integer, number, one_of
from course_lib.lb.models.operations import Operation
from course_lib.lb.models.policies import POLICIES
from course_lib.lb.models.weights import AgentCheck

__all__ = ["FAILURE_KINDS", "SERVICE_DISTRIBUTIONS", "Backend", "Failure", "HealthCheck",
           "PassiveCheck", "Scenario", "detection_bounds"]

FAILURE_KINDS = ("crash", "hang", "slow")
SERVICE_DISTRIBUTIONS = ("exponential", "deterministic")
STANDBY_MODES = ("hot", "cold")


# the rules live in course_lib.core.validate (one wording for every model); these names stay short
def _number(name: str, value: object) -> float:
    return number(name, value, finite=False)


def _positive(name: str, value: object) -> None:
    number(name, value, gt=0)


def _non_negative(name: str, value: object) -> None:
    number(name, value, ge=0)


def _int_at_least(name: str, value: object, low: int) -> None:
    integer(name, value, ge=low)


@description
@dataclass(frozen=True)
class Backend:
    """One server behind the balancer: FIFO, one request at a time, ``service_rate`` per second.

    ``weight`` is used by weighted round-robin (0 = drained: no new requests). A ``backup``
    server gets traffic only when no primary is believed up (HAProxy and nginx ``backup``).
    ``slowstart`` (seconds, HAProxy ``slowstart``): after coming back up, the weight ramps from
    ~0 to ``weight`` over that time (:mod:`course_lib.lb.models.weights`).
    Validated by the :class:`Scenario` that lists it, so errors name its position
    (``backends[2].service_rate``).
    """

    name: str
    service_rate: float
    weight: float = 1
    backup: bool = False
    slowstart: float = 0.0

    def validate(self, where: str = "backend") -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"{where}.name must be a non-empty string (got {self.name!r})")
        _positive(f"{where}.service_rate", self.service_rate)
        _non_negative(f"{where}.weight", self.weight)
        _non_negative(f"{where}.slowstart", self.slowstart)



@description
@dataclass(frozen=True)
class HealthCheck:
    """Active health checks with HAProxy's semantics (``inter``, ``timeout check``, rise, fall).

    A check is sent every ``interval`` seconds, counted from the end of the previous check.
    ``fall`` consecutive failures mark a server down, ``rise`` consecutive successes mark it up
    again; one success while going down (or one failure while going up) resets the count.
    A crashed server refuses the check at once; a hung one fails it after ``timeout`` seconds
    (``None`` means "same as interval", HAProxy's behaviour without ``timeout check``).
    """

    interval: float = 2.0
    timeout: float | None = None
    rise: int = 2
    fall: int = 3

    def __post_init__(self) -> None:
        _positive("health_check.interval", self.interval)
        if self.timeout is not None:
            _positive("health_check.timeout", self.timeout)
        _int_at_least("health_check.rise", self.rise, 1)
        _int_at_least("health_check.fall", self.fall, 1)

    @property
    def check_timeout(self) -> float:
        """The effective timeout of one check, in seconds."""
        return self.interval if self.timeout is None else self.timeout


@description
@dataclass(frozen=True)
class PassiveCheck:
    """Passive detection, nginx style: ``max_fails`` failed requests within ``fail_timeout``
    seconds make a backend unavailable for ``fail_timeout`` seconds; then it is tried again.

    (HAProxy's equivalent is ``observe layer4 error-limit N on-error mark-down``.)
    """

    max_fails: int = 1
    fail_timeout: float = 10.0

    def __post_init__(self) -> None:
        _int_at_least("passive.max_fails", self.max_fails, 1)
        _positive("passive.fail_timeout", self.fail_timeout)


@description
@dataclass(frozen=True)
class Failure:
    """A failure injected into backend ``backend`` from ``at`` until ``end_at`` (or
    forever): instants, in seconds from the start of the run (the glossary's ``*_at`` rule).

    * ``crash``: the process is gone; connections are refused, requests in flight are reset;
    * ``hang``: the process accepts connections but never answers; requests and checks time out;
    * ``slow``: the service rate is divided by ``factor`` (a degraded disk, a noisy neighbour).

    Recovery at ``end_at`` is a restart: the backend comes back empty and healthy.
    Validated by the :class:`Scenario` that lists it (errors name ``failures[i]``).
    """

    backend: str
    at: float
    kind: str = "crash"
    end_at: float | None = None
    factor: float | None = None

    def validate(self, where: str = "failure") -> None:
        _non_negative(f"{where}.at", self.at)
        one_of(f"{where}.kind", self.kind, FAILURE_KINDS)
        if self.end_at is not None:
            _number(f"{where}.end_at", self.end_at)
            if not self.end_at > self.at:
                raise ValueError(f"{where}.end_at must be > at={self.at:g} (got {self.end_at!r})")
        if self.kind == "slow":
            if self.factor is None:
                raise ValueError(f"{where}.factor must be given for kind 'slow' (got None)")
            _number(f"{where}.factor", self.factor)
            if not self.factor >= 1:
                raise ValueError(f"{where}.factor must be >= 1 (got {self.factor!r})")



@description
@dataclass(frozen=True)
class Scenario:
    """A balancer in front of ``backends``, fed Poisson traffic for ``duration`` seconds.

    * ``policy``: one of :data:`course_lib.lb.models.policies.POLICIES`;
    * ``health_check``: active checks, or ``None`` for none; ``passive``: nginx-style detection;
    * ``retries``: how many times a failed request (refused, reset or timed out) is re-sent to
      another backend believed up (HAProxy ``retries`` + ``option redispatch``, nginx
      ``proxy_next_upstream error timeout``);
    * ``non_idempotent``: the share of requests (a ``POST /orders``) that must not be replayed:
      a reset or a timeout may come *after* the server acted, so re-sending would act twice.
      Such a request is retried only when its connection was refused (it never reached a
      server), which is what nginx does by default and HAProxy's ``retry-on conn-failure``;
    * ``request_timeout``: how long the balancer waits for a backend's answer (HAProxy
      ``timeout server``, nginx ``proxy_read_timeout``);
    * ``standby``: ``"hot"`` backups run and are checked all along; ``"cold"`` backups are only
      started when no primary is left and need ``cold_start_time`` seconds to boot;
    * ``service``: ``"exponential"`` (M/M/1 servers) or ``"deterministic"`` service times;
    * ``operations``: what an operator does during the run (drain, maintenance, ready, a new
      weight: :class:`~course_lib.lb.models.operations.Operation`);
    * ``agent``: an :class:`~course_lib.lb.models.weights.AgentCheck` on every backend that lowers
      its weight as its latency rises (HAProxy ``agent-check``);
    * ``balancers``: how many independent balancers share the traffic (each request reaches one
      at random); each keeps its own policy state and counts only its own requests in flight.
    """

    backends: tuple[Backend, ...]
    policy: str = "round_robin"
    arrival_rate: float = 100.0
    duration: float = 60.0
    health_check: HealthCheck | None = field(default_factory=HealthCheck)
    failures: tuple[Failure, ...] = ()
    retries: int = 0
    seed: int = 0
    passive: PassiveCheck | None = None
    request_timeout: float = 5.0
    standby: str = "hot"
    cold_start_time: float = 20.0
    service: str = "exponential"
    non_idempotent: float = 0.0
    operations: tuple[Operation, ...] = ()
    agent: AgentCheck | None = None
    balancers: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "backends", tuple(self.backends or ()))
        object.__setattr__(self, "failures", tuple(self.failures or ()))
        object.__setattr__(self, "operations", tuple(self.operations or ()))
        if not self.backends:
            raise ValueError("backends must list at least one backend (got none)")
        names = []
        for i, backend in enumerate(self.backends):
            if not isinstance(backend, Backend):
                raise ValueError(f"backends[{i}] must be a Backend (got {backend!r})")
            backend.validate(f"backends[{i}]")
            if backend.name in names:
                raise ValueError(f"backends[{i}].name must be unique (got {backend.name!r} twice)")
            names.append(backend.name)
        if all(b.weight == 0 for b in self.backends):
            raise ValueError("backends[*].weight must not all be 0 (got all weights 0)")
        if all(b.backup for b in self.backends):
            raise ValueError(
                "backends must include at least one non-backup backend (got only backups)"
            )
        one_of("policy", self.policy, POLICIES)
        _positive("arrival_rate", self.arrival_rate)
        _positive("duration", self.duration)
        if self.health_check is not None and not isinstance(self.health_check, HealthCheck):
            raise ValueError(
                f"health_check must be a HealthCheck or None (got {self.health_check!r})"
            )
        if self.passive is not None and not isinstance(self.passive, PassiveCheck):
            raise ValueError(f"passive must be a PassiveCheck or None (got {self.passive!r})")
        _int_at_least("retries", self.retries, 0)
        _int_at_least("balancers", self.balancers, 1)
        if not 0 <= _number("non_idempotent", self.non_idempotent) <= 1:
            raise ValueError(
                f"non_idempotent must be a share from 0 to 1 (got {self.non_idempotent!r})"
            )
        _positive("request_timeout", self.request_timeout)
        one_of("standby", self.standby, STANDBY_MODES)
        _non_negative("cold_start_time", self.cold_start_time)
        one_of("service", self.service, SERVICE_DISTRIBUTIONS)
        _int_at_least("seed", self.seed, 0)
        windows: dict[str, list[tuple[float, float, int]]] = {}
        for i, failure in enumerate(self.failures):
            if not isinstance(failure, Failure):
                raise ValueError(f"failures[{i}] must be a Failure (got {failure!r})")
            failure.validate(f"failures[{i}]")
            if failure.backend not in names:
                raise ValueError(
                    f"failures[{i}].backend must name a backend ({', '.join(names)}) "
                    f"(got {failure.backend!r})"
                )
            end = math.inf if failure.end_at is None else failure.end_at
            for start, stop, j in windows.get(failure.backend, []):
                if failure.at < stop and start < end:
                    raise ValueError(
                        f"failures[{i}] must not overlap failures[{j}] on backend "
                        f"{failure.backend!r} (got at={failure.at:g})"
                    )
            windows.setdefault(failure.backend, []).append((failure.at, end, i))

        if self.agent is not None and not isinstance(self.agent, AgentCheck):
            raise ValueError(f"agent must be an AgentCheck or None (got {self.agent!r})")
        dynamic = [f"backends[{i}].slowstart" for i, b in enumerate(self.backends) if b.slowstart]
        dynamic += ["agent"] if self.agent is not None else []
        if dynamic and self.policy != "weighted_round_robin":
            raise ValueError(
                f"{dynamic[0]} needs policy 'weighted_round_robin' (got {self.policy!r}): "
                "weights that change at run time need a dynamic algorithm (HAProxy roundrobin)")
        for i, operation in enumerate(self.operations):
            if not isinstance(operation, Operation):
                raise ValueError(f"operations[{i}] must be an Operation (got {operation!r})")
            operation.validate(f"operations[{i}]", tuple(names), self.policy)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.backends)

    @property
    def weights(self) -> dict[str, float]:
        return {b.name: b.weight for b in self.backends}

    @property
    def capacity(self) -> float:
        """Total service rate of the primaries, requests per second."""
        return sum(b.service_rate for b in self.backends if not b.backup)

    @property
    def utilisation(self) -> float:
        """ρ = arrival_rate / (sum of the primaries' service rates)."""
        return self.arrival_rate / self.capacity


def detection_bounds(health_check: HealthCheck, kind: str = "crash") -> tuple[float, float]:
    """The exact range of detection times (failure → marked down) under active checks.

    Checks of a healthy, not overloaded server return at once, so check *starts* are
    ``interval`` apart, at a phase the failure does not know about. The first check that sees the
    failure starts within ``[0, interval)`` after it. For a crash every failing check returns at
    once, so the ``fall``-th one ends ``(fall−1)·interval`` later:
    ``[(fall−1)·interval, fall·interval)``. For a hang each failing check lasts ``timeout`` and
    the next starts ``interval`` after it ended, which adds ``fall·timeout`` to both ends.
    ``slow`` failures have no bound (checks may keep passing), so they raise ``ValueError``.
    """
    if kind not in ("crash", "hang"):
        raise ValueError(f"kind must be 'crash' or 'hang' for a detection bound (got {kind!r})")
    low = (health_check.fall - 1) * health_check.interval
    high = health_check.fall * health_check.interval
    if kind == "hang":
        extra = health_check.fall * health_check.check_timeout
        low, high = low + extra, high + extra
    return low, high
