"""The exact shortcuts that let the replication engine redraw a dashboard within 100 ms.

Lessons 05 and 05b redraw a 60-second run of ~6,000 writes on every slider move. Written plainly,
that is a simpy event per write, a few per fetch and a process per timed-out request, and a
copy of the leader's log per fetch: 45–90 ms of engine alone. Each shortcut here does the
same work with fewer objects, and none changes a result: every write, event and sample stays
the same (``tests/test_replication_exact.py`` compares hundreds of runs with the engine's
results before these shortcuts).

* :class:`Environment` lets a process that would wait for the very next event of the run carry
  on at once (:meth:`~Environment.skip_to`), and starts a one-shot callback exactly where a
  new process would start (:meth:`~Environment.start`);
* :func:`gaps` draws the producer's exponential gaps in blocks;
* :func:`fetch_into` appends what a follower lacks instead of copying the whole log.

Used by :mod:`course_lib.kafka.models.replication_engine` (lesson 05).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import simpy
from simpy.events import URGENT

from course_lib.core.engines import expovariates

__all__ = ["Environment", "fetch_into", "gaps"]


class Environment(simpy.Environment):
    """simpy's environment with two shortcuts for the engine's busiest paths."""

    def skip_to(self, at: float) -> bool:
        """Move the clock to ``at`` if no event is due until then, and say so; else do nothing.

        A process that would ``yield timeout(delay)`` calls ``skip_to(now + delay)`` first and
        goes on at once if it returns True. Exact: its timeout would be the next event popped,
        and popping it only sets the clock to ``at`` (computed as simpy computes it, ``now +
        delay``) before resuming that process. When another event is due at ``at`` or before,
        the process yields its timeout as before, so simpy's order among ties is untouched.
        """
        if at < self.peek():
            self._now = at
            return True
        return False

    def start(self, callback: Callable[[simpy.Event], None]) -> None:
        """Call ``callback`` when a process created now would start running.

        ``process()`` schedules an urgent event now and runs the generator's first step when
        it is popped, so a timeout the process then asks for takes its place in simpy's order
        at that moment; a callback started here that asks for one takes the same place. What
        is saved is the generator, its resumption and the end-of-process event nobody waits for.
        """
        event = simpy.Event(self)
        event.callbacks.append(callback)
        event._ok, event._value = True, None  # triggered, as simpy's own start event is
        self.schedule(event, URGENT)


def gaps(rng: random.Random, rate: float, count: int) -> Iterator[float]:
    """``rng.expovariate(rate)`` again and again, drawn ``count`` at a time (about a run's
    writes) by :func:`~course_lib.core.engines.expovariates`: the same numbers, bit for bit.
    ``rng`` must be the caller's alone: it is left ahead of the numbers used."""
    while True:
        yield from expovariates(rng, rate, count).tolist()


#: Per follower: (the leader's log it last fetched from, how far, the list that fetch made).
Synced = dict[int, tuple[list[int], int, list[int]]]


def fetch_into(logs: dict[int, list[int]], synced: Synced, b: int, source: list[int],
               end: int) -> None:
    """Make ``source[:end]`` broker ``b``'s log, copying only what ``b`` lacks.

    Logs change in place only by appends (truncations and fetches assign new lists), so if
    ``b``'s list is the one its last fetch made from this same ``source``, still of the length
    that fetch gave it, it is a prefix of ``source`` and the rest is appended. Otherwise (a new
    leader, a truncation, appends while ``b`` led) the prefix is copied, as every fetch did.
    """
    log = logs[b]
    was_source, was_end, was_log = synced.get(b, (None, 0, None))
    if was_source is source and was_log is log and len(log) == was_end <= end:
        log.extend(source[was_end:end])
    else:
        logs[b] = log = source[:end]
    synced[b] = (source, end, log)
