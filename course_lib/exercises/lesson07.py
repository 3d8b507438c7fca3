"""Lesson 07's exercises: read a failing objective off the model, then the capstone challenge.

1. With ``min.insync.replicas`` raised to the replication factor (3 of 3), which objective does
   the N+1 design miss? The model answers it (``evaluate``), so the check asks the model too.
2. The challenge: the cheapest design that meets every objective. A design tuned to the one
   seed the lesson shows could pass by luck, so the check evaluates it on :data:`HIDDEN_SEEDS`,
   seeds the lesson never prints, and explains the first objective that failed and where (the
   breakdown's worst cause). It passes when every objective holds on every hidden seed and the
   design costs no more than the worked solution (cheaper is welcome, and said so).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from course_lib.capstone import Design, evaluate
from course_lib.capstone.models.references import REFERENCE_DESIGNS
from course_lib.capstone.models.score import cost_per_hour, explain
from course_lib.grading.checks import CheckResult, check_choice
from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.kafka.models.group import idle_note

__all__ = ["HIDDEN_SEEDS", "check_cheapest_design", "check_strict_isr_objective", "hint",
           "solution", "solution_cheapest_design", "solution_strict_isr_objective"]

declare = declarations(__name__)

HIDDEN_SEEDS = (11, 23, 37)
LESSON_SEED = 2026
OBJECTIVE_NAMES = ("availability", "p99_ms", "orders_lost", "duplicates", "freshness_p99_s")
ALIASES = {"freshness": "freshness_p99_s", "p99": "p99_ms", "latency": "p99_ms",
           "lost": "orders_lost", "loss": "orders_lost", "orders lost": "orders_lost",
           "duplicate": "duplicates"}
FIXES = {
    "availability": "Checkouts failed: with a second server and retries a crash is retried "
                    "elsewhere; without one there is nowhere to go.",
    "p99_ms": "Checkouts were slow: the peak must fit on the servers left when one is gone, and "
              "a hung server must be found quickly (interval × fall).",
    "orders_lost": "Acknowledged orders vanished: acks='all' with a replication factor of at "
                   "least 2 keeps every acknowledged order when one broker dies.",
    "duplicates": "Orders were processed twice: producer idempotence drops Kafka's retried "
                  "copies, an idempotency key the checkout's retried copies.",
    "freshness_p99_s": "Orders were late: the consumers must keep up with the peak, and writes "
                       "stall while a broker is down if min.insync.replicas equals the RF.",
}


def _strict_isr() -> Design:
    return replace(REFERENCE_DESIGNS["N+1"], min_insync_replicas=3)


def solution_strict_isr_objective() -> str:
    """The objective the model says the N+1 design misses with min.insync.replicas = 3."""
    return evaluate(_strict_isr(), seed=LESSON_SEED).failing[0]


@declare.custom("strict_isr_objective")
def check_strict_isr_objective(answer: Any) -> CheckResult:
    """One objective name (``freshness_p99_s``, or ``freshness``)."""
    failing = evaluate(_strict_isr(), seed=LESSON_SEED).failing
    return check_choice(
        answer, failing, options=OBJECTIVE_NAMES, aliases=ALIASES, what="the failing objective",
        hints={"orders_lost": "acks='all' never acknowledges what it cannot keep: the writes "
                              "wait (and retry) instead of being lost.",
               "availability": "The checkout produces asynchronously: it still answers; what "
                               "suffers is downstream.",
               "duplicates": "Idempotence is on, so the producer's retries are recognised."},
        explain="Strict durability turns a broker loss into waiting: orders arrive late.")


def solution_cheapest_design() -> Design:
    """Two servers of four workers with fast checks, two brokers (RF 2, min ISR 1), two
    consumers on two partitions: each part the least that survives its failure."""
    return Design(api_servers=2, workers=4, interval=0.5, brokers=2, partitions=2,
                  replication_factor=2, min_insync_replicas=1, consumers=2)


def _luck(design: Design) -> str:
    """Why a design that met "zero lost, zero duplicates" on the hidden runs only got lucky.

    Those two objectives are guarantees, not averages: the failure table of the course
    (acks, retries, idempotence) says when a run *can* lose or duplicate, whether or not the
    runs drawn happened to."""
    if design.acks != "all":
        return (f"acks={design.acks} acknowledges an order before a follower has it: when the "
                f"leader dies in that moment the order is lost. The hidden runs were lucky; "
                f"{FIXES['orders_lost']}")
    if design.retries and not design.idempotency_key:
        return ("Retries without an idempotency key can store a checkout twice when the first "
                f"attempt had reached the database; the hidden runs were lucky. "
                f"{FIXES['duplicates']}")
    return ""


def _cheapest(answer: Any) -> tuple[bool, str]:
    """The verdict, and, for a design with more consumers than partitions, how many idle (a
    legal design, but paid-for consumers that do nothing: lesson 04)."""
    if not isinstance(answer, Design):
        return False, f"Expected a Design(...), got {type(answer).__name__}."
    ok, message = _cheapest_verdict(answer)
    idle = idle_note(answer.consumers, answer.partitions)
    return ok, f"{message}\n{idle[0].upper()}{idle[1:]}." if idle else message


def _cheapest_verdict(answer: Design) -> tuple[bool, str]:
    for seed in HIDDEN_SEEDS:
        result = evaluate(answer, seed=seed)
        if not result.meets_slo:
            first = result.failing[0]
            return False, (f"On a failure run you have not seen (seed {seed}) it misses "
                           f"{', '.join(result.failing)}:\n{explain(result)}\n{FIXES[first]}")
    luck = _luck(answer)
    if luck:
        return False, f"It met every objective on the hidden runs, but: {luck}"
    cost, ours = cost_per_hour(answer), cost_per_hour(solution_cheapest_design())
    if cost > ours + 1e-9:
        return False, (f"It meets every objective on all {len(HIDDEN_SEEDS)} hidden runs, but "
                       f"costs ${cost:.3f}/h; a design at ${ours:.3f}/h does too. Which part "
                       f"is there for a failure that the rest already survives?")
    better = " Cheaper than our solution: well found." if cost < ours - 1e-9 else ""
    return True, (f"It meets every objective on all {len(HIDDEN_SEEDS)} hidden runs at "
                  f"${cost:.3f}/h.{better}")


check_cheapest_design = declare.that("cheapest_design", _cheapest)


hint, solution = helpers(__name__)
