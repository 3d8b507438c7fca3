"""What an operator does to a running balancer: drain, maintenance, back to ready, a new weight.

Failures happen *to* a balancer; operations are done *by* someone, through HAProxy's runtime API
(the admin-level ``stats socket``), at a moment they choose:

=====================  ==========================================  ==============================
``Operation.action``    HAProxy runtime API                          effect on new requests
=====================  ==========================================  ==============================
``drain``               ``set server app/b1 state drain``            none; in-flight ones finish,
                                                                     checks go on
``maint``               ``set server app/b1 state maint``            none; checks stop too
``ready``               ``set server app/b1 state ready``            back in the rotation
``weight``              ``set weight app/b1 50%``                    share ∝ the new weight
=====================  ==========================================  ==============================

A planned failover is ``drain`` (wait for in-flight requests) → ``maint`` (work on it) →
``ready``: unlike a crash, which costs every request sent to the server until ``fall`` checks
have failed, it fails no request at all. When every primary is drained or in maintenance, the
``backup`` servers take over, which makes the same three commands a *manual* failover to a
standby and a manual failback.

``weight`` is a fraction of the server's configured weight (``0.5`` = HAProxy's ``50%``).
HAProxy computes the new weight in integers, configured × N / 100 rounded down, and the
simulator does the same: with ``weight 4``, ``20%`` is weight 0 and the server gets no traffic
at all, so fine-grained percentages need a large configured weight (``weight 100``). Only
weighted round-robin (HAProxy ``roundrobin``) changes weights on the fly; HAProxy's
``static-rr`` accepts only 0 % or 100 % at run time, so the description refuses anything else
for the other policies.

Introduced in ``notebooks/03b_failover_for_real.ipynb``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from course_lib.core.validate import description

__all__ = ["ACTIONS", "Operation", "runtime_command"]

ACTIONS = ("drain", "maint", "ready", "weight")


@description
@dataclass(frozen=True)
class Operation:
    """At ``at`` seconds, the operator does ``action`` to ``backend`` (``weight``: a fraction)."""

    at: float
    backend: str
    action: str
    weight: float | None = None

    def validate(self, where: str, names: tuple[str, ...], policy: str) -> None:
        """Raise ``ValueError`` naming ``where`` (``operations[2]``), the rule and the value."""
        if isinstance(self.at, bool) or not isinstance(self.at, int | float) or not (
                math.isfinite(self.at) and self.at >= 0):
            raise ValueError(f"{where}.at must be a number >= 0 (got {self.at!r})")
        if self.backend not in names:
            raise ValueError(f"{where}.backend must name a backend ({', '.join(names)}) "
                             f"(got {self.backend!r})")
        if self.action not in ACTIONS:
            raise ValueError(f"{where}.action must be one of {', '.join(ACTIONS)} "
                             f"(got {self.action!r})")
        if self.action != "weight":
            if self.weight is not None:
                raise ValueError(f"{where}.weight must be None for action {self.action!r} "
                                 f"(got {self.weight!r})")
            return
        w = self.weight
        if isinstance(w, bool) or not isinstance(w, int | float) or not (
                math.isfinite(w) and 0 <= w <= 2.56):
            raise ValueError(f"{where}.weight must be a fraction of the configured weight from "
                             f"0 to 2.56 (0%–256%) (got {w!r})")
        if policy != "weighted_round_robin" and w not in (0, 1):
            raise ValueError(
                f"{where}.weight must be 0 or 1 with policy {policy!r} (got {w!r}): only "
                "weighted_round_robin (HAProxy roundrobin) changes weights at run time")


def runtime_command(operation: Operation, backend_section: str = "app") -> str:
    """The HAProxy runtime-API command for ``operation`` (``set server app/b1 state drain``)."""
    target = f"{backend_section}/{operation.backend}"
    if operation.action == "weight":
        assert operation.weight is not None  # validate(): a "weight" operation carries one
        return f"set weight {target} {round(operation.weight * 100)}%"
    return f"set server {target} state {operation.action}"
