"""Bounded waits and retries: one way to wait for a real part, and to fail saying what for.

Every wait in the course has a limit (a lesson cell must never hang), names what it waited for
when the limit runs out, and never sleeps past it. A retry retries only what is worth retrying:
an error that says it is transient (kafka-python marks those ``retriable = True``; checked by
duck typing, so ``core`` needs no kafka-python) or one of the types a caller names (say
``OSError`` while a socket comes up). Anything else is a bug or a wrong request and is raised
at once, instead of being retried until the deadline hides it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from course_lib.core.errors import WaitTimeout

__all__ = ["WaitTimeout", "is_retriable", "retry", "wait_until"]

T = TypeVar("T")


def wait_until(predicate: Callable[[], T | None], timeout_s: float, what: str, *,
               interval_s: float = 0.1, error: type[WaitTimeout] = WaitTimeout,
               detail: Callable[[], Any] | None = None) -> T:
    """Call ``predicate`` every ``interval_s`` until it returns something truthy; return that.

    Raises ``error`` (a :class:`WaitTimeout`) ``timed out after … s waiting for <what>`` once
    ``timeout_s`` has passed, ending with ``detail()`` when given (the last state seen, a log's
    tail). The predicate is asked once more at the deadline, never after it.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            message = f"timed out after {timeout_s:g} s waiting for {what}"
            if detail is not None:
                message += f": {detail()}"
            raise error(message, what=what, timeout_s=timeout_s)
        time.sleep(min(interval_s, remaining))


def is_retriable(exc: BaseException, retriable: tuple[type[BaseException], ...] = ()) -> bool:
    """True if ``exc`` says it is transient (``exc.retriable``) or is one of ``retriable``."""
    return isinstance(exc, retriable) or getattr(exc, "retriable", False) is True


def retry(call: Callable[[], T], timeout_s: float, what: str, *,
          retriable: tuple[type[BaseException], ...] = (), interval_s: float = 0.2,
          error: type[WaitTimeout] = WaitTimeout) -> T:
    """Return ``call()``, calling it again every ``interval_s`` while it raises a retriable
    error (:func:`is_retriable`); any other error propagates at once.

    Once ``timeout_s`` has passed, raises ``error`` ``timed out after … s waiting for <what>:
    <the last error>``, chained to that error.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_retriable(exc, retriable):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise error(f"timed out after {timeout_s:g} s waiting for {what}: {exc}",
                            what=what, timeout_s=timeout_s, last=exc) from exc
        time.sleep(min(interval_s, remaining))
