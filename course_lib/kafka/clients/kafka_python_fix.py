"""A fix for kafka-python 3.0.x: a group join that finishes while no ``poll()`` waits is lost.

Measured on this machine (lesson 04's ledger group, two consumers on a fresh topic, the CPU
busy): about one run in six ended with one member stuck for good, holding no partitions, while
the other member owned them all. The cause is in ``BaseCoordinator.join_group_async``:

* a short ``poll(timeout_ms=100)`` stops waiting for the JoinGroup/SyncGroup round trip and
  leaves it in flight as ``_join_task`` (on purpose: the next poll should await the same one);
* if that round trip *completes* before the next poll, the next poll's ``join_group_async``
  sees ``self._join_task.is_done`` and replaces the finished task with a new JoinGroup,
  discarding its result (``need_rejoin()`` stays true meanwhile: ``rejoin_needed`` is only
  cleared by the steps that never ran);
* so the code after the await never runs for that join: the member is never marked ``STABLE``,
  its heartbeat stays disabled, its assignment is never applied. The coordinator then drops it
  after ``session_timeout_ms`` and the other members rebalance without it; it never comes back.

:func:`apply` wraps ``ConsumerCoordinator.poll`` and ``join_group_async`` so that a finished,
unconsumed join is completed first, with exactly the steps kafka-python runs after a successful
await (a failed one is cleared so that the normal retry path runs). With it, the same load test
settled 60 of 60 runs (8 of 30 stuck without it). Applied by the course's first consumer
(``make_consumer``, which every group consumer of the course, the labs' child processes included,
goes through); remove it once an upstream release fixes the loop. (kafka-python 2.x had the same
race, fixed by PR #2617; the 3.0 async rewrite brought it back. A Kafka engineer's review,
``shared/notes/reviews/kafka-2026-12.md`` §5, checked this diagnosis against 3.0.12's code.) A raw
``KafkaConsumer`` a learner builds before any of these runs without it.

A patch of another library's internals is only right for the code it was written against. The
course pins that release (``pyproject.toml``: :data:`FIXED_VERSION`), and :func:`apply` checks the
two functions it wraps against fingerprints of that release's source: on any other version, or
if their code differs, it refuses, says so once (:class:`FixNotInstalled`, a warning naming the
version and what to do) and leaves kafka-python as it is.
"""

from __future__ import annotations

import hashlib
import inspect
import warnings
from typing import Any

import kafka
from kafka.coordinator.base import BaseCoordinator
from kafka.coordinator.consumer import ConsumerCoordinator
from kafka.structs import MemberState

__all__ = ["FIXED_VERSION", "FixNotInstalled", "apply", "complete_finished_join", "why_not"]

_ORIGINAL_JOIN = BaseCoordinator.join_group_async
_ORIGINAL_POLL = ConsumerCoordinator.poll

#: The kafka-python release the fix was written against and tested on (pinned in pyproject.toml).
FIXED_VERSION = "3.0.12"
#: sha256 (first 16 hex digits) of each wrapped function's source in :data:`FIXED_VERSION`.
FINGERPRINTS = {"BaseCoordinator.join_group_async": "f9b7d8038dabf04d",
                "ConsumerCoordinator.poll": "cb7886f194ce9e82"}


class FixNotInstalled(RuntimeWarning):
    """kafka-python is not the code the group-join fix was written for, so it was not applied."""


def _fingerprint(function: Any) -> str:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):  # no source to compare: treat as changed
        return "no source"
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def why_not(version: str | None = None, functions: dict[str, Any] | None = None) -> str | None:
    """Why the fix must not be applied to this kafka-python, or None when it fits exactly."""
    version = kafka.__version__ if version is None else version
    if version != FIXED_VERSION:
        return (f"kafka-python {version} is installed; the course's group-join fix was written "
                f"for {FIXED_VERSION}")
    functions = functions or {"BaseCoordinator.join_group_async": _ORIGINAL_JOIN,
                              "ConsumerCoordinator.poll": _ORIGINAL_POLL}
    changed = [name for name, function in functions.items()
               if _fingerprint(function) != FINGERPRINTS[name]]
    if changed:
        return (f"kafka-python {version}'s {' and '.join(changed)} differ from the code the "
                f"course's group-join fix was written for")
    return None


async def complete_finished_join(coordinator: Any) -> bool:
    """Finish a join whose round trip ended while nobody awaited it; True if there was one."""
    task = coordinator._join_task
    if task is None or not task.is_done:
        return False
    coordinator._join_task = None
    if task.exception is not None:  # the normal path retries (error side effects were applied)
        return False
    generation = coordinator._generation
    with coordinator._lock:  # the same steps as kafka-python after a successful await
        coordinator.rejoining = False
        coordinator.rejoin_needed = False
        coordinator.state = MemberState.STABLE
        coordinator._enable_heartbeat()
    await coordinator._on_join_complete_async(generation.generation_id, generation.member_id,
                                              generation.protocol, task.value)
    return True


def _finished_join_waits(coordinator: Any) -> bool:
    task = getattr(coordinator, "_join_task", None)
    return task is not None and task.is_done


async def _join_group_async(self: Any, timeout_ms: Any = None) -> Any:
    await complete_finished_join(self)
    return await _ORIGINAL_JOIN(self, timeout_ms)


def _poll(self: Any, timeout_ms: Any = None) -> Any:
    if _finished_join_waits(self):  # poll() only joins when need_rejoin(): finish it here
        self._manager.run(complete_finished_join, self)
    return _ORIGINAL_POLL(self, timeout_ms)


_refused: list[str] = []


def apply() -> bool:
    """Install the fix on the pinned kafka-python (idempotent); returns whether it is installed.

    On any other kafka-python it installs nothing and warns once, naming the cause. Every
    course consumer calls it, so the check (reading two functions' source) runs only once."""
    if ConsumerCoordinator.poll is _poll:
        return True
    if _refused:
        return False
    why = why_not()
    if why is not None:
        if not _refused:
            _refused.append(why)
            warnings.warn(
                f"{why}, so it is not installed: a consumer group may now and then lose a member "
                f"for good on a busy machine (course_lib/kafka/clients/kafka_python_fix.py says "
                f"why). Reinstall the pinned client (pip install kafka-python=={FIXED_VERSION}; "
                f"make lab does), or check whether this release fixed the join loop.",
                FixNotInstalled, stacklevel=2)
        return False
    BaseCoordinator.join_group_async = _join_group_async
    ConsumerCoordinator.poll = _poll
    return True
