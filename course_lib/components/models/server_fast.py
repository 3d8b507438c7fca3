"""The M/M/c run of :func:`~course_lib.components.models.server.simulate_server`, without simpy.

In the simpy model every request draws its service time when it arrives, and the workers serve
one FIFO queue. Then nothing needs an event queue: request *i* starts as soon as it has arrived
*and* a worker is free, ``started = max(arrived, earliest free worker)``, and keeps that worker
until ``started + service``. A heap of the ``c`` workers' free-at times gives the earliest one
(Kiefer & Wolfowitz's recurrence for the FIFO multi-server queue; Lindley's for c = 1).

The floating-point operations are the ones simpy performs (``now + gap``, ``started + service``),
so every request's ``(arrived_at, started_at, finished_at)`` is *identical* to the simpy run, and
the time averages are summed in the same order (``tests/test_components_fast.py`` checks this
for many seeds, worker counts and loads, stable and not). It is about ten times faster, which is
what lets lesson 01's load curve follow its sliders. The only case where the two could differ is
an exact tie between a finish and an arrival time, which has probability zero.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

from heapq import heapreplace

import numpy as np

from course_lib.core.engines import arrival_times, expovariates, stream

__all__ = ["server_digest", "server_run"]


def _area(up: np.ndarray, down: np.ndarray, start: float, end: float) -> float:
    """∫ (number of +1 events − number of −1 events so far) dt over [start, end).

    Sums ``value · (high − low)`` event by event in time order, exactly like
    :class:`~course_lib.components.models.server._Integral` does (``np.cumsum`` adds left to right),
    so the total is bit-for-bit the simpy model's.
    """
    times = np.concatenate([up, down])
    order = np.argsort(times, kind="stable")
    times = times[order]
    deltas = np.where(order < len(up), 1, -1)
    before = np.concatenate([[0], np.cumsum(deltas)[:-1]])  # value just before each event
    last = np.concatenate([[0.0], times[:-1]])
    low = np.maximum(last, start)
    high = np.minimum(times, end)
    pieces = np.where(high > low, before * (high - low), 0.0)
    return float(np.cumsum(pieces)[-1]) if len(pieces) else 0.0


def _times(arrival_rate: float, service_rate: float, workers: int, duration: float,
           seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every request's arrival, start and finish (arrays, in arrival order): the recurrence."""
    a = arrival_times(stream(seed, "arrivals"), arrival_rate, duration)
    lengths = expovariates(stream(seed, "services"), service_rate, len(a)).tolist()
    started, finished = [], []
    if workers == 1:  # Lindley: the one worker is free when the previous request finishes
        end_at = 0.0
        for now, length in zip(a.tolist(), lengths, strict=True):
            begin = end_at if end_at > now else now
            end_at = begin + length
            started.append(begin)
            finished.append(end_at)
    else:
        free = [0.0] * workers  # when each worker is next free (a heap)
        for now, length in zip(a.tolist(), lengths, strict=True):
            earliest = free[0]
            begin = earliest if earliest > now else now
            end_at = begin + length
            heapreplace(free, end_at)
            started.append(begin)
            finished.append(end_at)
    return a, np.array(started), np.array(finished)


def _in_order(a: np.ndarray) -> bool:
    """Whether arrival instants strictly increase, so arrival order is the records' sort order
    (two equal instants need a zero gap: probability 2⁻⁵³ a draw, but then sort as simpy's
    records are sorted)."""
    return bool(np.all(a[1:] > a[:-1]))


def server_run(arrival_rate: float, service_rate: float, workers: int, duration: float,
               seed: int, warmup: float) -> tuple:
    """The fields of a :class:`~course_lib.components.models.server.ServerResult` after ``seed``.

    Arguments are already validated by ``simulate_server``. Returns ``(requests,
    in_system_at_end, area_in_system, area_busy, completions_in_window, carried_in_time)``.
    """
    a, s, f = _times(arrival_rate, service_rate, workers, duration, seed)
    measured = a >= warmup
    requests = list(zip(a[measured].tolist(), s[measured].tolist(), f[measured].tolist(),
                        strict=True))
    if not _in_order(a):
        requests.sort()
    at_end = int(len(a) - np.count_nonzero(f < duration))
    completions = int(np.count_nonzero((f >= warmup) & (f < duration)))
    carried = 0.0
    for done in sorted(f[~measured & (f > warmup)].tolist()):  # in the order they finish
        carried += min(done, duration) - warmup
    return (requests, at_end, _area(a, f, warmup, duration), _area(s, f, warmup, duration),
            completions, carried)


def server_digest(arrival_rate: float, service_rate: float, workers: int, duration: float,
                  seed: int, warmup: float) -> tuple[np.ndarray, float, int]:
    """Of the same run, only ``(response_times, throughput, in_system_at_end)``.

    What lesson 01's load curve reads from each of its twelve runs, equal to the
    :class:`~course_lib.components.models.server.ServerResult` properties of the same name
    (``tests/test_components_fast.py``), without the per-request tuples and the time averages
    it does not draw: about half the work, which a move of the worker slider pays twelve times.
    """
    a, s, f = _times(arrival_rate, service_rate, workers, duration, seed)
    measured = a >= warmup
    if not _in_order(a):  # the ServerResult's order: its sorted records
        order = np.lexsort((f, s, a))
        a, f, measured = a[order], f[order], measured[order]
    completions = int(np.count_nonzero((f >= warmup) & (f < duration)))
    at_end = int(len(a) - np.count_nonzero(f < duration))
    return f[measured] - a[measured], completions / (duration - warmup), at_end
