"""Weights that follow health: ``slowstart`` for a recovered server, an agent that reports load.

A configured weight says what a server can do when all is well. Two HAProxy features let the
weight say what it can do *now* (both only with dynamic algorithms such as ``roundrobin``, the
course's ``weighted_round_robin``; the simulator applies them to that policy only):

* ``slowstart <time>`` (a server option): a server that comes back after being down starts with
  almost no weight and grows linearly to its full weight over ``time``. A freshly restarted
  process has cold caches and empty connection pools; handing it a full share at once can knock
  it straight back down.
* ``agent-check`` (a server option): every ``agent-inter`` HAProxy asks a small agent on the
  server for a weight, as a percentage of the configured one. What the agent reports is the
  application's choice; here (:class:`AgentCheck`) it is the latency a new request would see
  against a ``target``: 100 % while the server keeps up, ``target / response_time`` when it falls
  behind, never below :data:`MIN_FRACTION` (a server with weight 0 would never be asked again by
  traffic, only by the agent). So a *slow* server, which active checks may never mark down, loses
  traffic in proportion to how slow it is.

The effective weight is the configured weight × the operator's fraction (``set weight``) × the
slow-start ramp × the agent's fraction, as in HAProxy, where the agent's and the operator's
percentages both set the same user weight (the last one wins there; they multiply here, which is
the same whenever only one of them is used).

Introduced in ``notebooks/03_failover.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.core.validate import description, number

__all__ = ["MIN_FRACTION", "AgentCheck", "agent_fraction", "slowstart_fraction"]

#: The smallest fraction of its weight a server in slow start or reported by an agent keeps.
MIN_FRACTION = 0.01


def _positive(name: str, value: object) -> None:
    number(name, value, gt=0)


@description
@dataclass(frozen=True)
class AgentCheck:
    """An agent on every backend reports a weight every ``interval`` s (HAProxy ``agent-inter``).

    The report is 100 % while a new request would finish within ``target`` seconds, and
    ``target / response_time`` beyond (``response_time`` = the backlog plus one service time).
    """

    interval: float = 1.0
    target: float = 0.05

    def __post_init__(self) -> None:
        _positive("agent.interval", self.interval)
        _positive("agent.target", self.target)


def agent_fraction(agent: AgentCheck, response_time: float) -> float:
    """What the agent reports for a server whose next request would take ``latency`` seconds."""
    if response_time <= agent.target:
        return 1.0
    return max(MIN_FRACTION, agent.target / response_time)


def slowstart_fraction(slowstart: float, since: float) -> float:
    """The ramp ``since`` seconds after a server came back: linear from ~0 to 1 over slowstart."""
    if slowstart <= 0 or since >= slowstart:
        return 1.0
    return max(MIN_FRACTION, since / slowstart)
