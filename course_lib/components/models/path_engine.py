"""The request path's engine: :func:`simulate` runs a :class:`PathScenario` (simpy or fast);
:func:`simulate_path` is the name lesson 01 calls, with its old ``seed=`` argument.

The description and the result live in :mod:`course_lib.components.models.path`; the twin engine
in :mod:`course_lib.components.models.path_fast`. Apart, so neither imports the other in a cycle.
Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import simpy

from course_lib.components.models.path import PathResult, PathScenario
from course_lib.components.models.path_fast import simulate_path_fast
from course_lib.core.engines import check_engine, seeded, stream

__all__ = ["simulate", "simulate_path"]


def simulate_path(scenario: PathScenario, seed: int | None = None, *, engine: str = "auto"
                  ) -> PathResult:
    """:func:`simulate`, under lesson 01's name; ``seed`` (kept for one release) overrides
    ``scenario.seed`` (:func:`course_lib.core.engines.seeded`)."""
    return simulate(seeded(scenario, seed), engine=engine)


def simulate(scenario: PathScenario, *, engine: str = "auto") -> PathResult:
    """Run ``scenario`` for its ``duration`` (then drain); deterministic for its ``seed``.

    ``engine="simpy"`` runs the simpy model below. The default ``"auto"`` runs the same model on
    a lighter event loop (:mod:`course_lib.components.models.path_fast`): an identical result, five
    to six times faster.
    """
    check_engine(engine)
    if engine == "auto":
        return simulate_path_fast(scenario)
    s, seed = scenario, scenario.seed
    rng = {k: stream(seed, k) for k in ("arrivals", "net", "server", "data")}
    env = simpy.Environment()
    workers = simpy.Resource(env, capacity=s.workers)
    pool = simpy.Resource(env, capacity=s.db_pool)
    records: list[tuple[float, float | None, int, int]] = []
    busy = [0.0]
    active = [0]

    def one_way():
        """A network leg: its delay, and whether the packet is lost."""
        net = rng["net"]
        jitter = net.expovariate(1 / s.network_jitter) if s.network_jitter else 0.0
        return s.network_delay + jitter, net.random() < s.loss_probability

    def attempt(done: simpy.Event, visits: list[int]):
        delay, lost = one_way()
        yield env.timeout(delay)
        if lost:
            return
        visits[0] += 1
        with workers.request() as worker:
            yield worker
            started = env.now
            yield env.timeout(rng["server"].expovariate(1 / s.server_time))
            if rng["data"].random() < s.cache_hit_ratio:
                yield env.timeout(s.cache_time)
            else:
                with pool.request() as connection:
                    yield connection
                    yield env.timeout(rng["data"].expovariate(1 / s.db_time))
            low, high = max(started, s.warmup), min(env.now, s.duration)
            busy[0] += max(0.0, high - low)
        delay, lost = one_way()
        yield env.timeout(delay)
        if not lost and not done.triggered:
            done.succeed()

    def client(sent_at: float):
        active[0] += 1
        done, visits, attempts = env.event(), [0], 0
        while attempts < s.max_attempts and not done.triggered:
            attempts += 1
            env.process(attempt(done, visits))
            yield done | env.timeout(s.retry_timeout)
        active[0] -= 1
        if sent_at >= s.warmup:
            records.append((sent_at, env.now if done.triggered else None, attempts, visits[0]))

    def source():
        while True:
            gap = rng["arrivals"].expovariate(s.arrival_rate)
            if env.now + gap >= s.duration:
                return
            yield env.timeout(gap)
            env.process(client(env.now))

    env.process(source())
    env.run(until=s.duration)
    at_end = active[0]
    env.run()
    records.sort(key=lambda r: r[0])
    return PathResult(s, seed, records, at_end, busy[0])
