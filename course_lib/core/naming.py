"""Unique names for things a lesson creates (topics, consumer groups, working folders).

Re-running a notebook, or running two at once against one broker, must never mix data, so every
topic and group carries a per-run id. The id has a fixed shape (``run-`` and 8 hex digits) that
the nbval sanitize file replaces with ``run-ID``: stored outputs stay comparable.
"""

from __future__ import annotations

import itertools
import secrets

RUN_ID = f"run-{secrets.token_hex(4)}"
_counter = itertools.count(1)


def unique_name(prefix: str) -> str:
    """``prefix``, this process's run id and a counter, e.g. ``orders-run-1a2b3c4d-3``.

    The run id keeps runs apart; the counter (deterministic within a run) keeps two names with
    the same prefix apart. Only characters Kafka allows in topic names are used.
    """
    return f"{prefix}-{RUN_ID}-{next(_counter)}"
