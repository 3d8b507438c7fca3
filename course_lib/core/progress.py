"""Progress on long work: the protocol labs and sweeps report through, with a silent default.

A live run or a sweep that takes more than a few seconds says what it is doing ("starting 3
brokers", "crash_leader 2/6") so that a learner can tell work from a hang. Labs and models may
not import ``course_lib.ui`` (``tests/test_library_layout.py``), so they report here, to
whatever :class:`Progress` the current *factory* makes:

- nothing at all by default (tests, scripts, the CLI): progress never changes what a function
  returns or prints;
- one line per phase on stderr when ``SDL_PROGRESS=stderr`` is set (asked for explicitly);
- in a notebook, a single line updated in place (``course_lib.ui.progress`` installs that
  factory when a notebook imports the course's widgets or figures).

Labs open a :func:`task` around the whole long call and report phases inside it; helpers deep
down (a cluster start) call :func:`phase`, which goes to the open task or nowhere. A task opened
inside another one reports into the outer line instead of opening a second display.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Progress(Protocol):
    """Where one long task's progress goes."""

    def update(self, text: str, elapsed_s: float) -> None:
        """The task is now doing ``text`` (a phase: "crash_leader 2/6"), ``elapsed_s`` in."""

    def close(self, summary: str, elapsed_s: float) -> None:
        """The task ended; ``summary`` is one line saying what was done (no timings in it)."""


#: Makes the :class:`Progress` of a task from its title.
ProgressFactory = Callable[[str], Progress]


class Quiet:
    """Reports nothing: the default outside a notebook."""

    def update(self, text: str, elapsed_s: float) -> None:
        pass

    def close(self, summary: str, elapsed_s: float) -> None:
        pass


class Stderr:
    """One line per phase on stderr, for a terminal run that asked for progress."""

    def __init__(self, title: str) -> None:
        self.title = title

    def update(self, text: str, elapsed_s: float) -> None:
        print(f"{self.title}: {text}… {elapsed_s:.0f} s", file=sys.stderr, flush=True)

    def close(self, summary: str, elapsed_s: float) -> None:
        print(f"{self.title}: {summary} ({elapsed_s:.0f} s)", file=sys.stderr, flush=True)


def _default_factory(title: str) -> Progress:
    return Stderr(title) if os.environ.get("SDL_PROGRESS") == "stderr" else Quiet()


_factory: ContextVar[ProgressFactory] = ContextVar("progress_factory", default=_default_factory)
_installed: list[ProgressFactory] = []
_active: ContextVar[Task | None] = ContextVar("progress_task", default=None)


def install(factory: ProgressFactory | None) -> None:
    """Make ``factory`` the process-wide default (``None`` restores the silent default).

    ``SDL_PROGRESS=stderr`` still wins, so a terminal run that asked for lines gets them.
    """
    _installed[:] = [factory] if factory is not None else []


@contextmanager
def reporting_to(factory: ProgressFactory) -> Iterator[None]:
    """Tasks opened inside this block report to ``factory`` (a test, or one cell's own display)."""
    token = _factory.set(factory)
    try:
        yield
    finally:
        _factory.reset(token)


def _make(title: str) -> Progress:
    factory = _factory.get()
    if factory is _default_factory and _installed and os.environ.get("SDL_PROGRESS") != "stderr":
        factory = _installed[0]
    return factory(title)


class Task:
    """One long piece of work being reported; made by :func:`task`."""

    def __init__(self, title: str, progress: Progress, outer: Task | None) -> None:
        self.title = title
        self.summary = "done"
        self._progress = progress
        self._outer = outer
        self._started = time.monotonic()
        self._last: str | None = None

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def phase(self, text: str) -> None:
        """Now doing ``text``; a nested task prefixes it with its own title. A wait that reports
        from its polling loop repeats itself: the same text again is not sent again."""
        if self._outer is not None:
            self._outer.phase(f"{self.title}: {text}")
        elif text != self._last:
            self._last = text
            self._progress.update(text, self.elapsed())

    def steps(self, items: Iterable[T], label: Callable[[T], str] = str) -> Iterator[T]:
        """Yield ``items``, reporting "<label> i/n" before each one."""
        items = list(items)
        for i, item in enumerate(items, 1):
            self.phase(f"{label(item)} {i}/{len(items)}")
            yield item


@contextmanager
def task(title: str, summary: str = "done") -> Iterator[Task]:
    """Report a long piece of work titled ``title``; ``summary`` is the deterministic last line
    (the task may change it through ``.summary``). Inside another task, it reports into that one.
    """
    outer = _active.get()
    current = Task(title, Quiet() if outer is not None else _make(title), outer)
    current.summary = summary
    token = _active.set(current)
    try:
        current.phase("starting")
        yield current
    finally:
        _active.reset(token)
        if outer is None:
            current._progress.close(current.summary, current.elapsed())


def reported(title: str, summary: str = "done") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a lab so that every call is one :func:`task`; its body reports with
    :func:`phase` (no re-indented body, and the task ends however the lab does)."""
    def decorate(lab: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(lab)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with task(title, summary):
                return lab(*args, **kwargs)
        return run
    return decorate


def phase(text: str) -> None:
    """Report ``text`` to the open task, if any (helpers deep inside a lab call this)."""
    current = _active.get()
    if current is not None:
        current.phase(text)


def steps(items: Iterable[T], label: Callable[[T], str] = str) -> Iterator[T]:
    """:meth:`Task.steps` on the open task; plain iteration when there is none."""
    current = _active.get()
    if current is None:
        yield from items
    else:
        yield from current.steps(items, label)
