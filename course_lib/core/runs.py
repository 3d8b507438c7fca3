"""Stored live runs: one JSON file of runs by name, the live-or-stored choice, and the one label.

Lessons 03b (HAProxy), 05b (Apache Kafka) and 07 (both) measure real processes. Where the real
part cannot run, each shows runs measured once on a reference machine instead, and says so. This
module is that mechanism, once: a lab describes its runs with a :class:`RunStore` (the file, its
own to-dict and from-dict functions) and decides with :func:`why_stored`; what a run *is* stays
in the lab, so ``core`` knows no area.

Every run, live or stored, carries a :func:`label` of one shape::

    live run (HAProxy 2.6.12, measured on this machine)
    stored run (Apache Kafka 4.3.2, measured on Linux x86_64, 2 cores), shown because <why>

A stored file keeps, under each run's ``"label"``, only where it was measured ("measured on a
2-core Linux machine"): the rest of the label depends on where and why it is shown.

The file is written deterministically (:func:`dumps`: sorted keys, compact separators, one
trailing newline), so re-recording one run changes only that run's bytes in a diff, and a file
written before this module existed reads back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from course_lib.core import progress

__all__ = ["ASKED_STORED", "REFERENCE_MACHINE", "THIS_MACHINE", "Labelled", "RunStore", "dumps",
           "label", "why_stored"]

#: Where a live run was measured, as its label says it.
THIS_MACHINE = "measured on this machine"
#: Where the course's stored runs were measured (what an author's ``record`` writes).
REFERENCE_MACHINE = "measured on a 2-core Linux machine"
#: The reason a stored run is shown when the caller asked for one (``live=False``).
ASKED_STORED = "live=False was asked"


class Labelled(Protocol):
    """A run the store can label: every lab's run type has a mutable ``label``."""

    label: str


R = TypeVar("R", bound=Labelled)


def dumps(payload: Mapping[str, Any]) -> str:
    """The stored file's text: sorted keys, compact separators, a trailing newline.

    Compact rather than indented because a stored run holds thousands of small rows (one per
    request); sorted so the same runs always give the same bytes.
    """
    return json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n"


def label(measured: str, *, software: str = "", why: str | None = None) -> str:
    """The one label: ``live run (…)`` when ``why`` is None, else ``stored run (…), shown because
    why``. ``measured`` says where ("measured on this machine"); ``software`` names what ran
    ("HAProxy 2.6.12"), left out when empty."""
    inside = f"{software}, {measured}" if software else measured
    if why is None:
        return f"live run ({inside})"
    return f"stored run ({inside}), shown because {why}"


def why_stored(live: bool | None, unavailable: Callable[[], str | None]) -> str | None:
    """Why a stored run is shown instead of a live one; None means run live.

    ``live=True`` runs live (if the real part is missing, the run fails and says why);
    ``live=False`` shows the stored run (:data:`ASKED_STORED`); ``live=None`` runs live when
    ``unavailable()`` (asked only then: it may probe the machine) finds no reason not to.
    """
    if live is True:
        return None
    if live is False:
        return ASKED_STORED
    return unavailable()


@dataclass(frozen=True)
class RunStore(Generic[R]):
    """One lab's stored runs: the file and how a run becomes a dict and back.

    ``from_dict(name, data)`` gets the run's name too, so a lab can pair a run with the
    description it was measured from. ``software(run)`` names what ran, for the label.
    """

    path: Path
    to_dict: Callable[[R], dict[str, Any]]
    from_dict: Callable[[str, dict[str, Any]], R]
    software: Callable[[R], str] = lambda run: ""

    def _payload(self, path: Path | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads((path or self.path).read_text())
        return payload

    def names(self) -> list[str]:
        """The names of the stored runs, in file order."""
        return list(self._payload())

    def load(self, names: Iterable[str] | None = None, *, why: str | None = None,
             path: Path | None = None) -> dict[str, R]:
        """Stored runs by name (all of them when ``names`` is None).

        With ``why``, each run's label becomes the stored :func:`label` saying where it was
        measured and why it is shown; without, it keeps the stored text.
        """
        payload = self._payload(path)
        wanted = list(payload) if names is None else list(names)
        missing = [n for n in wanted if n not in payload]
        if missing:
            raise KeyError(f"no stored live run named {', '.join(map(repr, missing))} in "
                           f"{(path or self.path).name} (stored: {', '.join(payload)})"
                           + (f"; one was wanted because {why}" if why else ""))
        runs = {name: self.from_dict(name, payload[name]) for name in wanted}
        if why is not None:
            for name, run in runs.items():
                run.label = label(payload[name]["label"], software=self.software(run), why=why)
        return runs

    def save(self, runs: Mapping[str, R], *, keep_others: bool = False,
             path: Path | None = None) -> None:
        """Write ``runs`` by name; ``keep_others`` keeps the file's other runs byte for byte."""
        target = path or self.path
        payload = self._payload(target) if keep_others and target.exists() else {}
        payload.update({name: self.to_dict(run) for name, run in runs.items()})
        target.write_text(dumps(payload))

    def record(self, runs: Mapping[str, R], measured: str, *,
               keep_others: bool = False) -> dict[str, R]:
        """Store freshly measured ``runs`` labelled with where (``"measured on …"``): an
        author's tool, run where the real part is installed."""
        for run in runs.values():
            run.label = measured
        self.save(runs, keep_others=keep_others)
        return dict(runs)

    def live_or_stored(self, names: Iterable[str], run: Callable[[str], R],
                       why: str | None) -> dict[str, R]:
        """``run(name)`` for each name when ``why`` is None (see :func:`why_stored`), else the
        stored runs, labelled with ``why``."""
        if why is None:  # live runs take seconds each: say which one is running
            names = list(names)
            with progress.task("live runs", f"{len(names)} runs measured") as task:
                return {name: run(name) for name in task.steps(names)}
        return self.load(names, why=why)
