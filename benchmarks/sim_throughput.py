"""Simulated requests per second: our simulators beside a bare simpy loop and Ciw, same model.

The model is M/M/c: Poisson arrivals at λ, c servers with exponential service at μ. The
lesson-01 server model (``simulate_server``) is exactly that; the load balancer simulator runs c
backends behind a ``random`` balancer with health checks off (c M/M/1 queues fed the same total
traffic), so it processes the same number of requests. A bare simpy loop is the floor of what
simpy costs; Ciw is an established queueing-network simulator. Ratios are taken within one run.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import simpy

ARRIVAL_RATE, SERVICE_RATE, SERVERS, DURATION = 200.0, 60.0, 4, 300.0


@dataclass(frozen=True)
class Throughput:
    name: str
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def bare_simpy(lam: float, mu: float, c: int, horizon: float, seed: int = 1) -> int:
    """The smallest simpy M/M/c: a Resource and two generator processes."""
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    done = [0]

    def customer():
        with servers.request() as req:
            yield req
            yield env.timeout(rng.expovariate(mu))
        done[0] += 1

    def source():
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    return done[0]


def ciw_mmc(lam: float, mu: float, c: int, horizon: float, seed: int = 1) -> int:
    import ciw

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=lam)],
                                 service_distributions=[ciw.dists.Exponential(rate=mu)],
                                 number_of_servers=[c])
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    return len(sim.get_all_records())


def server_model(lam: float, mu: float, c: int, horizon: float, seed: int = 1) -> int:
    from course_lib.components.models.server import simulate_server

    result = simulate_server(lam, mu, workers=c, duration=horizon, seed=seed, warmup=0.0)
    return int(round(result.throughput * horizon))


def lb_model(lam: float, mu: float, c: int, horizon: float, seed: int = 1) -> int:
    from course_lib.lb import Backend, Scenario
    from course_lib.lb.models.simulate import simulate

    scenario = Scenario(backends=tuple(Backend(f"s{i}", service_rate=mu) for i in range(c)),
                        policy="random", arrival_rate=lam, duration=horizon, health_check=None,
                        seed=seed)
    return simulate(scenario).summary()["ok"]


ENGINES: dict[str, Callable[..., int]] = {
    "bare simpy M/M/c loop": bare_simpy,
    "Ciw M/M/c": ciw_mmc,
    "lesson 01 simulate_server (M/M/c)": server_model,
    "lesson 02-03 lb.simulate (random, c backends)": lb_model,
}


def measure(repeats: int = 3) -> list[Throughput]:
    """Best-of-``repeats`` wall time per engine (the least disturbed run)."""
    results = []
    for name, engine in ENGINES.items():
        times, count = [], 0
        for r in range(repeats):
            started = time.perf_counter()
            count = engine(ARRIVAL_RATE, SERVICE_RATE, SERVERS, DURATION, seed=r + 1)
            times.append(time.perf_counter() - started)
        results.append(Throughput(name, count, min(times)))
    return results


def lb_reference_scenario_seconds(repeats: int = 5) -> float:
    """The issue's reference: 60 s, 4 backends, 200 req/s, default health checks (median)."""
    from course_lib.lb import Backend, Scenario
    from course_lib.lb.models.simulate import simulate

    scenario = Scenario(backends=tuple(Backend(f"s{i}", service_rate=60.0) for i in range(4)),
                        arrival_rate=200.0, duration=60.0)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        simulate(scenario)
        times.append(time.perf_counter() - started)
    return statistics.median(times)
