"""The request-path model of :mod:`~course_lib.components.models.path`, on a small event loop of its
own.

The simpy model reads like the story (a client process, attempt processes, two resources), and
it is the one lesson 01 explains. Each request costs it about sixteen simpy events, most of them
bookkeeping (process start-ups, resource grants, the retry timer's condition). This module runs
the same model on a plain heap of ``(time, sequence, what, attempt)`` entries with about six
events per request, so the dashboards can follow a slider.

It is exact, not an approximation: every random number is drawn from the same named stream, in
the same order, at the same simulated instant, and every time is computed with the same
floating-point operations, so :func:`simulate_path_fast` returns a
:class:`~course_lib.components.models.path.PathResult` identical to ``simulate_path``'s
(``tests/test_components_fast.py`` compares them on many scenarios). The streams are separate
(arrivals, network, server, data), so only the order of draws *within* a stream matters, and
that is the time order of the events that draw; two different requests never act at the very
same instant (their times are sums of different continuous random numbers).

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush
from math import inf, log

from course_lib.core.engines import arrival_times, seeded, stream, uniform_stream

__all__ = ["simulate_path_fast"]

# What an event does when it comes up (the third element of a heap entry).
ARRIVAL, RETRY, AT_SERVER, SERVED, DATA_DONE, BACK = range(6)
HEAP = -1  # the next event is the heap's (one of the last four kinds)


class _Client:
    __slots__ = ("sent_at", "attempts", "visits", "done", "finished")

    def __init__(self, sent_at: float) -> None:
        self.sent_at = sent_at
        self.attempts = 1
        self.visits = 0
        self.done = False
        self.finished = False


class _Attempt:
    __slots__ = ("client", "started", "lost", "holds_connection")

    def __init__(self, client: _Client) -> None:
        self.client = client
        self.started = 0.0
        self.lost = False
        self.holds_connection = False


def simulate_path_fast(scenario, seed: int | None = None):
    """The :class:`PathResult` of ``path_engine.simulate(scenario)``, without simpy (``seed``,
    if given, overrides ``scenario.seed``, as for ``path_engine.simulate_path``).

    Three sources of events, merged in the order one heap of ``(time, sequence)`` would give:
    the heap (network legs, service, data), the arrivals (their instants known in advance: the
    arrivals stream is drawn for nothing else) and the retry timers (pushed ``retry_timeout``
    after events that come in time order, so a plain FIFO queue keeps them sorted). Each arrival
    and timer keeps the sequence number its heap entry would have had, so ties, if any, break
    as before. Exponential draws are ``-log(1.0 - u) / rate`` on the stream's next ``random()``,
    the very operations of ``random.expovariate``.
    """
    from course_lib.components.models.path import PathResult

    s = seeded(scenario, seed)
    seed = s.seed
    arrivals = arrival_times(stream(seed, "arrivals"), s.arrival_rate, s.duration).tolist()
    net_u, server_u, data_u = (uniform_stream(stream(seed, k)) for k in ("net", "server", "data"))
    base_delay, jitter, loss = s.network_delay, s.network_jitter, s.loss_probability
    jitter_rate = 1 / jitter if jitter else 0.0
    server_rate, db_rate = 1 / s.server_time, 1 / s.db_time
    warmup, duration, retry_timeout = s.warmup, s.duration, s.retry_timeout
    cache_hit_ratio, cache_time, max_attempts = s.cache_hit_ratio, s.cache_time, s.max_attempts
    heap: list = []
    timers: deque[tuple[float, int, _Client]] = deque()
    seq = 0
    free_workers, free_connections = s.workers, s.db_pool
    waiting_workers: deque[_Attempt] = deque()
    waiting_connections: deque[_Attempt] = deque()
    records: list[tuple[float, float | None, int, int]] = []
    busy = 0.0
    active = 0
    at_end = None

    def finish(client: _Client, done_at: float | None) -> None:
        nonlocal active
        client.finished = True
        active -= 1
        if client.sent_at >= warmup:
            records.append((client.sent_at, done_at, client.attempts, client.visits))

    count, next_arrival = len(arrivals), 0
    arrival_at, arrival_seq = (arrivals[0], 0) if arrivals else (inf, 0)
    seq = 1 if arrivals else 0
    while True:
        # The earliest (time, sequence) of the three sources.
        if heap:
            now, order = heap[0][0], heap[0][1]
            what = HEAP
        else:
            now, order, what = inf, 0, HEAP
        if arrival_at < now or (arrival_at == now and arrival_seq < order):
            now, order, what = arrival_at, arrival_seq, ARRIVAL
        if timers and (timers[0][0] < now or (timers[0][0] == now and timers[0][1] < order)):
            now, what = timers[0][0], RETRY
        if now == inf:
            break
        if at_end is None and now >= duration:
            at_end = active
        if what == ARRIVAL:
            next_arrival += 1
            if next_arrival < count:
                arrival_at, arrival_seq = arrivals[next_arrival], seq
                seq += 1
            else:
                arrival_at = inf
            client = _Client(now)
            active += 1
            attempt = _Attempt(client)
            timers.append((now + retry_timeout, seq, client))
            seq += 1
            delay = base_delay + (-log(1.0 - next(net_u)) / jitter_rate if jitter else 0.0)
            attempt.lost = next(net_u) < loss  # a network leg (the model's one_way)
            heappush(heap, (now + delay, seq, AT_SERVER, attempt))
            seq += 1
            continue
        if what == RETRY:
            client = timers.popleft()[2]
            if client.finished:
                continue
            if client.attempts < max_attempts:
                client.attempts += 1
                timers.append((now + retry_timeout, seq, client))
                seq += 1
                attempt = _Attempt(client)
                delay = base_delay + (-log(1.0 - next(net_u)) / jitter_rate if jitter else 0.0)
                attempt.lost = next(net_u) < loss  # a network leg (the model's one_way)
                heappush(heap, (now + delay, seq, AT_SERVER, attempt))
                seq += 1
            else:
                finish(client, None)
            continue
        _, _, what, item = heappop(heap)
        if what == AT_SERVER:
            if item.lost:
                continue
            item.client.visits += 1
            if not free_workers:
                waiting_workers.append(item)
                continue
            free_workers -= 1
            item.started = now
            heappush(heap, (now + -log(1.0 - next(server_u)) / server_rate, seq, SERVED, item))
            seq += 1
        elif what == SERVED:
            if next(data_u) < cache_hit_ratio:
                heappush(heap, (now + cache_time, seq, DATA_DONE, item))
                seq += 1
            elif free_connections:
                free_connections -= 1
                item.holds_connection = True
                heappush(heap, (now + -log(1.0 - next(data_u)) / db_rate, seq, DATA_DONE, item))
                seq += 1
            else:
                waiting_connections.append(item)
        elif what == DATA_DONE:
            if item.holds_connection:  # release it: the next in line takes it
                item.holds_connection = False
                if waiting_connections:
                    nxt = waiting_connections.popleft()
                    nxt.holds_connection = True
                    heappush(heap, (now + -log(1.0 - next(data_u)) / db_rate, seq, DATA_DONE,
                                    nxt))
                    seq += 1
                else:
                    free_connections += 1
            low = item.started if item.started > warmup else warmup
            high = now if now < duration else duration
            busy += high - low if high - low > 0.0 else 0.0
            if waiting_workers:
                nxt = waiting_workers.popleft()
                nxt.started = now
                heappush(heap, (now + -log(1.0 - next(server_u)) / server_rate, seq, SERVED, nxt))
                seq += 1
            else:
                free_workers += 1
            delay = base_delay + (-log(1.0 - next(net_u)) / jitter_rate if jitter else 0.0)
            item.lost = next(net_u) < loss  # a network leg (the model's one_way)
            heappush(heap, (now + delay, seq, BACK, item))
            seq += 1
        else:  # BACK: the response reaches the client, unless it was lost
            client = item.client
            if not item.lost and not client.done:
                client.done = True
                if not client.finished:
                    finish(client, now)
    if at_end is None:
        at_end = active
    records.sort(key=lambda r: r[0])
    return PathResult(s, seed, records, at_end, busy)
