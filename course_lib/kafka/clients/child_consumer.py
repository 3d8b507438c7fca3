"""A consumer in a child process, so that it can really crash: ``SIGKILL``, no goodbye.

Closing a consumer politely sends *LeaveGroup*: the coordinator rebalances at once and the
partitions move to the survivors. A process that is killed (``kill -9``, the OOM killer, a lost
VM) sends nothing; the coordinator only notices when no heartbeat has arrived for
``session_timeout_ms``, and until then the dead member still *owns* its partitions, which nobody
reads. To show that stall for real the member must be a separate process the lesson can kill:

* :class:`ChildConsumer` starts ``python -m course_lib.kafka.clients.child_consumer`` with a JSON
  job. The child is started by :func:`course_lib.core.procs.spawn` (it dies with its parent, in its
  own session), and every wait on it is bounded; :meth:`ChildConsumer.kill` sends ``SIGKILL``,
  :meth:`ChildConsumer.leave` ``SIGTERM`` (the child then closes its consumer: LeaveGroup). Both
  reap the process.
* The child reports on stdout, one JSON object a line: ``{"assigned": [0, 1]}`` whenever its
  assignment changes, ``{"processed": n}`` when a queue job reached its crash point.

Two jobs: ``member`` (join a group, poll, report the assignment; used by
:mod:`~course_lib.kafka.live.crash`) and ``queue`` (lesson 05's queue-lab consumer up to its crash
point, :mod:`~course_lib.kafka.live.queue_lab`).

Introduced in ``notebooks/04_kafka_fundamentals.ipynb``.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Any

from course_lib.core import procs
from course_lib.core.errors import PartError, WaitTimeout
from course_lib.core.procs import stop_on_sigterm
from course_lib.core.waiting import wait_until

__all__ = ["ChildConsumer", "ChildError"]


class ChildError(PartError):
    """The child consumer did not do what it was asked within the time allowed."""


class ChildTimeout(ChildError, WaitTimeout):
    """The child consumer (or a group it is in) did not report what was awaited in time."""


class ChildConsumer:
    """One child process running a consumer job; use as a context manager (it is always reaped)."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.messages: queue.Queue[dict] = queue.Queue()
        self.last: dict[str, Any] = {}
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = procs.spawn(
            [sys.executable, "-m", "course_lib.kafka.clients.child_consumer", json.dumps(job)],
            owner="kafka.child_consumer", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                continue

    def wait_for(self, key: str, predicate=lambda value: True, timeout_s: float = 30.0) -> Any:
        """Block until the child reports ``key`` with a value ``predicate`` accepts; return it."""
        def reported() -> tuple[Any] | None:  # a tuple: the value itself may be falsy ([])
            self.drain()
            if key in self.last and predicate(self.last[key]):
                return (self.last[key],)
            if self.process.poll() is not None and self.messages.empty():
                raise ChildError(f"the child consumer exited (exit code {self.process.poll()}) "
                                 f"before reporting {key!r}; is the broker still running?")
            return None

        return wait_until(reported, timeout_s, f"the child consumer to report {key!r}",
                          interval_s=0.02, error=ChildTimeout,
                          detail=lambda: "is the broker still running?")[0]

    def drain(self) -> dict[str, Any]:
        """Take in every report that arrived; return the latest value of each key."""
        while True:
            try:
                self.last.update(self.messages.get_nowait())
            except queue.Empty:
                return self.last

    def kill(self) -> float:
        """``SIGKILL`` the child (no LeaveGroup, no commit); reap it; return the kill instant."""
        at = time.monotonic()
        procs.kill(self.process)
        return at

    def leave(self) -> float:
        """Ask the child to close its consumer (LeaveGroup) and exit; return the instant asked.
        It gets 10 s to do so (then ``SIGKILL``), and is reaped either way."""
        at = time.monotonic()
        procs.stop(self.process, timeout=10.0)
        return at

    def __enter__(self) -> ChildConsumer:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()


# -- the child's side -------------------------------------------------------------------------
def _say(**message: Any) -> None:
    print(json.dumps(message), flush=True)


def _member(job: dict[str, Any]) -> None:
    """Join ``job['group']``, poll until SIGTERM, report every assignment change."""
    from course_lib.kafka.clients.factory import make_consumer

    stop = stop_on_sigterm()
    consumer = make_consumer(job["topic"], bootstrap_servers=job["bootstrap"],
                             group_id=job["group"], consumer_timeout_ms=float("inf"),
                             **job.get("config", {}))
    seen: list[int] | None = None
    try:
        while not stop.requested:
            consumer.poll(timeout_ms=100)
            owned = sorted(tp.partition for tp in consumer.assignment())
            if owned != seen:
                seen = owned
                _say(assigned=owned)
    finally:
        consumer.close(autocommit=False, timeout_ms=5000)  # LeaveGroup


def _queue(job: dict[str, Any]) -> None:
    """Lesson 05's queue consumer up to its crash point, then wait there to be killed."""
    import sqlite3

    from course_lib.kafka.clients.queue_consumer import consume_queue
    from course_lib.kafka.models.queue import QueueLab

    lab = QueueLab(**job["lab"])
    db = sqlite3.connect(job["db"])
    _, processed, _ = consume_queue(lab, job["topic"], job["group"], db, job["log_end"],
                                 lab.crash_after, time.monotonic() + job["timeout_s"],
                                 bootstrap=job["bootstrap"], close=False)
    db.close()
    _say(processed=processed)
    time.sleep(job["timeout_s"])  # the parent kills us here; heartbeats go on meanwhile


def main(argv: list[str]) -> int:
    job = json.loads(argv[1])
    {"member": _member, "queue": _queue}[job["kind"]](job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
