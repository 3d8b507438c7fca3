"""Several balancers, no shared state: what is left of least connections and power of two?

Lesson 02's race has one balancer that knows every server's exact number of requests in flight.
A real fleet (many HAProxies, an Envoy beside every service) has many balancers, and each one
counts only the requests *it* sent (``Scenario.balancers``: each request reaches one balancer
at random). With ``B`` balancers a count covers about 1/B of a server's load, so the adaptive
policies see less and less of it. :func:`fleet_runs` measures the mean response time of each
policy for several fleet sizes with batch-means standard errors, on the same arrivals.

Introduced in ``notebooks/02_load_balancing.ipynb``.
"""

from __future__ import annotations

from functools import lru_cache

from course_lib.core import progress
from course_lib.core.stats import batch_means
from course_lib.lb.models.scenario import Backend, Scenario
from course_lib.lb.models.simulate import simulate

__all__ = ["FLEET_POLICIES", "fleet_runs"]

FLEET_POLICIES = ("random", "round_robin", "power_of_two", "least_connections")
WARMUP, WINDOW, TAIL, BATCHES = 20.0, 380.0, 10.0, 10


@lru_cache(maxsize=4)
def fleet_runs(fleets: tuple[int, ...] = (1, 5, 20), servers: int = 4, rho: float = 0.8,
               service_rate: float = 10.0, seed: int = 2026) -> dict[str, tuple]:
    """Policy → ((mean, SE) in seconds for each fleet size); memoised (runs are deterministic).

    The same windows as lesson 02's scale figure: requests arriving in 380 s after a 20 s
    warm-up, cut into 10 batches for the standard error.
    """
    for b in fleets:
        if isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= 1000:
            raise ValueError(f"fleets must be integers from 1 to 1000 (got {b!r})")
    backends = tuple(Backend(f"s{i + 1}", service_rate) for i in range(servers))
    out = {}
    with progress.task("fleet sweep", f"{len(FLEET_POLICIES)} policies simulated") as task:
        for policy in task.steps(FLEET_POLICIES):  # seconds in all: say which one runs
            points = []
            for b in fleets:
                run = simulate(Scenario(backends, policy, rho * servers * service_rate,
                                        WARMUP + WINDOW + TAIL, health_check=None,
                                        request_timeout=1e6, seed=seed, balancers=b))
                # an "ok" request always has a response time (None only for failed or
                # in-flight ones)
                response_times = [r.response_time for r in run.requests
                                  if WARMUP <= r.arrival_at < WARMUP + WINDOW
                                  and r.outcome == "ok" and r.response_time is not None]
                points.append(batch_means(response_times, BATCHES))
            out[policy] = tuple(points)
    return out
