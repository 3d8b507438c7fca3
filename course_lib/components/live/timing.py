"""Where a real request's time goes: client vs. server vs. database, measured on 127.0.0.1.

:func:`measure_request_path` sends a few hundred requests through an :class:`ApiClient` (a mix of
writes and reads, chosen by a seeded generator so the mix is the same every run) and keeps, for
each, the three nested timings: ``db_time`` ⊂ ``server_time`` ⊂ ``client_time``. What is left
outside the server, ``client_time − server_time``, is the network and HTTP machinery (connect,
send, parse, receive). On loopback that is tens of microseconds to a millisecond; across a
continent it would be tens of milliseconds, which is what the simpy model then explores.

These are *wall-clock* measurements: they differ on every run, so their notebook cells are the
only ones whose output nbval ignores. The counts (how many requests, how many answered 2xx) are
deterministic and checked.

Introduced in ``notebooks/01_essential_components.ipynb``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from course_lib.components.clients.api import ApiClient
from course_lib.core.stats import linear_quantile

__all__ = ["LAYERS", "PathTiming", "measure_request_path"]

#: The layers of one request, outermost first, with the record field that measures each.
LAYERS = {"client (total)": "client_time", "network + HTTP": "network_time",
          "server (handler)": "server_time", "database": "db_time"}


@dataclass(frozen=True)
class PathTiming:
    """One record per request: ``(kind, status, client_time, server_time, db_time)``, seconds."""

    records: list[tuple[str, int, float, float, float]]

    def times(self, layer: str) -> np.ndarray:
        """The per-request times (seconds) of one of :data:`LAYERS`'s fields."""
        data = np.array([r[2:] for r in self.records])
        if layer == "network_time":
            return data[:, 0] - data[:, 1]
        return data[:, ["client_time", "server_time", "db_time"].index(layer)]

    @property
    def all_ok(self) -> bool:
        return all(200 <= r[1] < 300 for r in self.records)

    @property
    def nested(self) -> bool:
        """True when db ≤ server ≤ client for every request (the timings are consistent)."""
        return all(db <= server <= client for _, _, client, server, db in self.records)

    def table(self) -> str:
        """A fixed-width table of mean/p50/p95/p99 per layer, in milliseconds."""
        lines = [f"{'layer':<18}{'mean':>9}{'p50':>9}{'p95':>9}{'p99':>9}   (ms)"]
        for label, name in LAYERS.items():
            t = self.times(name) * 1e3
            p50, p95, p99 = (linear_quantile(t, q) for q in (0.50, 0.95, 0.99))
            lines.append(f"{label:<18}{t.mean():9.3f}{p50:9.3f}{p95:9.3f}{p99:9.3f}")
        return "\n".join(lines)


def measure_request_path(client: ApiClient, requests: int = 300, *, write_share: float = 0.2,
                         seed: int = 0) -> PathTiming:
    """Send ``requests`` requests (``write_share`` of them creating a note) and time each."""
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise ValueError(f"requests must be an integer >= 1 (got {requests!r})")
    if not 0 <= write_share <= 1:
        raise ValueError(f"write_share must be in [0, 1] (got {write_share!r})")
    rng = random.Random(seed)
    created = [client.create("notes", text="first").body["item"]["id"]]
    records = []
    for i in range(requests):
        if rng.random() < write_share:
            kind, reply = "write", client.create("notes", text=f"note {i}")
            created.append(reply.body["item"]["id"])
        else:
            kind, reply = "read", client.get("notes", rng.choice(created))
        records.append((kind, reply.status, reply.client_time, reply.server_time, reply.db_time))
    return PathTiming(records)

