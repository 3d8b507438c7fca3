"""The capstone's simulation: one :class:`Design` through the busy day, composed from the course's
own engines, scored by :func:`course_lib.capstone.models.score.score`.

:func:`simulate_run` produces the run's records in three steps, each an engine a lesson built:

1. **The API tier** (lessons 01–03): the day is cut where the traffic rate or the database speed
   changes (base, peak, slow database), and each piece is one :func:`course_lib.lb.models.simulate`
   run: ``api_servers`` backends (plus the standby as HAProxy ``backup``) behind the chosen policy,
   with HAProxy-style health checks, retries and ``timeout server``; the crash and the hang of the
   script are :class:`~course_lib.lb.Failure` s of the first and second server (the same server
   when there is only one). *Simplified*: one API server with ``k = min(workers, db_pool)``
   workers is one FIFO server at ``k`` times one worker's rate (an M/M/1 at kμ, not an M/M/k: it
   overstates queueing a little at light load); every piece starts with empty queues; requests
   still in flight when a piece ends are dropped from the count; a failure that spans two pieces
   is detected again in the second. Without an idempotency key a retried checkout whose earlier
   attempt was reset by a crash or timed out on a server that was only slow may already have
   been stored: the worst case is counted, a second copy of that order.
2. **The broker loss** (lesson 05): the orders topic's partitions are placed round-robin on the
   brokers (partition p leads on broker p mod B, its followers on the next ones). The dead broker
   is, for each partition, its leader, a follower, or absent. For each of the first two roles
   :func:`course_lib.kafka.models.replication_engine.simulate` runs the one-partition model around
   the failure, with the design's ``acks``, RF, ``min.insync.replicas`` and idempotence, and a
   producer that retries until Kafka's ``delivery.timeout.ms`` (120 s). Each order of an affected
   partition, created within the modelled window, takes the fate of the first modelled write sent
   at or after it: delivered after that write's delay, lost (acknowledged then gone,
   unavailable at the end, or given up: the checkout had answered and the order never reached
   the log) or duplicated. *Simplified*: the
   checkout produces asynchronously, so Kafka adds nothing to checkout latency; partitions
   without a replica on the dead broker, and orders outside the window, reach the log at once;
   the window's write rate is the profile's rate at the moment the broker dies.
3. **The consumers** (lesson 04): a capacity calculation, not a simulation: the group is one pipe
   of capacity :func:`course_lib.kafka.models.group.group_capacity` (the busiest consumer's
   partitions set the pace), slower while the database is slow (a third of a consumer's work is
   a database write); orders are taken in log order and each takes ``consume_time``. An order's
   freshness is checkout to processed. *Simplified*: no rebalances, deterministic service.

Every random stream is seeded from ``Problem.seed`` (one per piece and per Kafka role), so a
design and a seed always give the same score, and two designs see the same arrivals wherever they
share a piece.

Introduced in ``notebooks/07_capstone.ipynb``.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from course_lib.capstone.models.design import Design
from course_lib.capstone.models.problem import (
    FailureScript,
    Objectives,
    Prices,
    TrafficProfile,
    Work,
)
from course_lib.capstone.models.score import (
    CheckoutRecord,
    OrderRecord,
    RunRecords,
    Score,
    cause_timeline,
    score,
)
from course_lib.core.engines import seeded
from course_lib.core.validate import description, integer, number
from course_lib.kafka.models.group import GroupScenario, group_capacity
from course_lib.kafka.models.replication import ReplicationScenario
from course_lib.kafka.models.replication_engine import simulate as simulate_replication
from course_lib.lb import Backend, Failure, HealthCheck, Scenario
from course_lib.lb.models.simulate import simulate as simulate_lb

__all__ = ["Problem", "evaluate", "pieces", "simulate", "simulate_run"]

PRODUCER_RETRIES = 1_000_000  # Kafka's default: retry until delivery.timeout.ms runs out
DB_SHARE_OF_CONSUMING = 1 / 3


@description
@dataclass(frozen=True)
class Problem:
    """The whole problem in one value: traffic, failures, work, objectives and prices."""

    profile: TrafficProfile = TrafficProfile()
    script: FailureScript = FailureScript()
    work: Work = Work()
    objectives: Objectives = Objectives()
    prices: Prices = Prices()
    seed: int = 0  # of every random stream of the simulated day (the same for every design)

    def __post_init__(self) -> None:
        integer("seed", self.seed, ge=0)
        # every failure must start within the day, or it would silently never happen
        limit = f"profile.duration={self.profile.duration:g}"
        for name in ("crash_at", "hang_at", "broker_crash_at", "db_slow_at"):
            number(f"script.{name}", getattr(self.script, name), lt=self.profile.duration,
                   high_name=limit)


def pieces(problem: Problem) -> list[tuple[float, float, float, float]]:
    """The day cut into ``(start, end, rate, db_factor)`` pieces of constant rate and DB speed."""
    p, s = problem.profile, problem.script
    cuts = sorted({0.0, p.duration, *(t for t in (p.peak_start_at, p.peak_end_at, s.db_slow_at,
                                                  s.db_slow_end_at) if 0 < t < p.duration)})
    out = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        slow = s.db_slow_at <= start < s.db_slow_end_at
        out.append((start, end, p.rate_at(start), s.db_slow_factor if slow else 1.0))
    return out


def _clip(backend: str, kind: str, at: float, until: float, start: float,
          end: float) -> Failure | None:
    if until <= start or at >= end:
        return None
    return Failure(backend, max(at, start) - start, kind,
                   None if until >= end else until - start)


def _api_tier(design: Design, problem: Problem, seed: int) -> tuple[list, dict[int, int]]:
    """Step 1: checkouts (global time) and, per checkout index, the copies it stored."""
    work, script = problem.work, problem.script
    names = [f"api{i + 1}" for i in range(design.api_servers)]
    hung = names[1] if len(names) > 1 else names[0]
    checkouts: list[tuple[float, bool, float | None]] = []
    copies: dict[int, int] = {}
    for i, (start, end, rate, factor) in enumerate(pieces(problem)):
        service_rate = design.concurrency / (work.app_time + work.db_time * factor)
        backends = [Backend(n, service_rate) for n in names]
        if design.standby != "none":
            backends.append(Backend("standby", service_rate, backup=True))
        failures = [f for f in (
            _clip(names[0], "crash", script.crash_at, script.crash_end_at, start, end),
            _clip(hung, "hang", script.hang_at, script.hang_end_at, start, end)) if f]
        failures = [f for f in failures if f.end_at is None or f.end_at > f.at]
        result = simulate_lb(Scenario(
            tuple(backends), policy=design.policy, arrival_rate=rate, duration=end - start,
            health_check=HealthCheck(interval=design.interval, fall=design.fall),
            failures=tuple(failures), retries=design.retries, seed=seed * 1000 + i,
            request_timeout=work.request_timeout,
            standby="hot" if design.standby == "none" else design.standby))
        risky: set[int] = set()
        if not design.idempotency_key and design.retries:
            hang = next((f for f in failures if f.kind == "hang"), None)
            for a in result.attempts:
                hung_now = (hang is not None and a.backend == hang.backend and hang.at <= a.sent_at
                            and (hang.end_at is None or a.sent_at < hang.end_at))
                if a.outcome == "reset" or (a.outcome == "timeout" and not hung_now):
                    risky.add(a.request_id)
        for r in result.requests:
            if r.outcome == "in_flight":
                continue
            ok = r.outcome == "ok"
            if ok and r.id in risky:
                copies[len(checkouts)] = 2
            checkouts.append((start + r.arrival_at, ok, r.response_time if ok else None))
    return checkouts, copies


def _role(partition: int, design: Design) -> str:
    """What the dead broker (broker 0) is for ``partition``: leader, follower or none."""
    b = design.brokers
    replicas = [(partition + k) % b for k in range(design.replication_factor)]
    return "leader" if replicas[0] == 0 else "follower" if 0 in replicas else "none"


def _kafka(design: Design, problem: Problem, seed: int) -> tuple[float, dict[str, list[dict]]]:
    """Step 2: the one-partition replication model, per role of the dead broker."""
    script, work = problem.script, problem.work
    start = max(0.0, script.broker_crash_at - 5.0)
    back = script.broker_down_time + work.broker_start_time  # restarted, then serving
    duration = min(problem.profile.duration, script.broker_crash_at + back + 10.0) - start
    roles = {_role(p, design) for p in range(design.partitions)} - {"none"}
    runs: dict[str, list[dict]] = {}
    for k, role in enumerate(sorted(roles)):
        runs[role] = simulate_replication(ReplicationScenario(
            acks=design.acks, replication_factor=design.replication_factor,
            min_insync_replicas=design.min_insync_replicas, brokers=design.brokers,
            broker_failures=((0 if role == "leader" else 1, script.broker_crash_at - start),),
            produce_rate=problem.profile.rate_at(script.broker_crash_at), duration=duration,
            request_timeout=work.produce_timeout, retries=PRODUCER_RETRIES,
            idempotence=design.idempotence, down_time=back,
            seed=seed * 1000 + 500 + k)).writes
    return start, runs


def simulate_run(design: Design, seed: int | None = None,
                 problem: Problem | None = None) -> RunRecords:
    """:func:`simulate`, under lesson 07's name; ``seed`` (kept for one release) overrides
    ``problem.seed`` (:func:`course_lib.core.engines.seeded`)."""
    return simulate(design, seeded(Problem() if problem is None else problem, seed))


def simulate(design: Design, problem: Problem | None = None) -> RunRecords:
    """The records of one simulated day of ``design`` facing ``problem`` (default: the lesson's),
    seeded by ``problem.seed`` (steps 1–3 of the module docstring)."""
    problem = Problem() if problem is None else problem
    profile, script, work = problem.profile, problem.script, problem.work
    checkouts, copies = _api_tier(design, problem, problem.seed)
    window_start, runs = _kafka(design, problem, problem.seed)
    sent_at = {role: [w["sent_at"] for w in writes] for role, writes in runs.items()}
    pending = []  # (in the log at, order id, created at, copies, cause)
    lost: list[tuple[int, float, int, str]] = []
    order_id = 0
    # the cause of each checkout and the dead broker's role per partition, worked out once
    # (not once per order and again per checkout record: a tenth of a dashboard frame)
    cause_of = cause_timeline(profile, script)
    causes = [cause_of(arrival) for arrival, _, _ in checkouts]
    roles = [_role(p, design) for p in range(design.partitions)]
    for index, (arrival, ok, response_time) in enumerate(checkouts):
        if not ok:
            continue
        created = arrival + (response_time or 0.0)
        n, order_id = order_id, order_id + 1
        role = roles[n % design.partitions]
        api_copies = copies.get(index, 1)
        cause = causes[index]
        relative = created - window_start
        if role not in runs or not sent_at[role] or not 0 <= relative <= sent_at[role][-1]:
            pending.append((created, n, arrival, api_copies, cause))
            continue
        j = min(bisect_left(sent_at[role], relative), len(sent_at[role]) - 1)
        w = runs[role][j]
        if w["outcome"] != "acknowledged" or w["fate"] != "kept":
            lost.append((n, created, api_copies, cause))
            continue
        delay = w["decided_at"] - w["sent_at"]
        pending.append((created + delay, n, arrival, api_copies * w["copies"], cause))
    orders = [OrderRecord(n, created, "lost", c, None, cause) for n, created, c, cause in lost]
    free_at = 0.0
    # the consume time and the group's capacity with the database normal and slow (one
    # validated description each, not one per order)
    each_when = {slow: work.consume_time * (1 + (script.db_slow_factor - 1)
                                            * DB_SHARE_OF_CONSUMING if slow else 1.0)
                 for slow in (False, True)}
    capacities = {slow: group_capacity(GroupScenario(partitions=design.partitions,
                                                     consumers=design.consumers,
                                                     processing_time=each))
                  for slow, each in each_when.items()}
    for in_log, n, arrival, c, cause in sorted(pending):
        slow = script.db_slow_at <= in_log < script.db_slow_end_at
        each, capacity = each_when[slow], capacities[slow]
        begin = max(in_log, free_at)
        free_at = begin + 1.0 / capacity
        orders.append(OrderRecord(n, in_log, "delivered", c, begin + each - arrival, cause))
    orders.sort(key=lambda o: o.order_id)
    records = [CheckoutRecord(a, ok, lat, cause)
               for (a, ok, lat), cause in zip(checkouts, causes, strict=True)]
    return RunRecords(records, orders, "simulated")


def evaluate(design: Design, seed: int | None = None, problem: Problem | None = None) -> Score:
    """Simulate the day for ``design`` and score it against the problem's objectives; ``seed``
    (kept for one release) overrides ``problem.seed``."""
    problem = seeded(Problem() if problem is None else problem, seed)
    return score(simulate(design, problem), design, problem.objectives, problem.prices)
