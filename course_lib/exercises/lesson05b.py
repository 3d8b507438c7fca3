"""Self-checks and reference solutions for ``notebooks/05b_kafka_cluster_for_real.ipynb``.

The two prediction exercises are about the lab's own runs (``lab_scenarios``): the learner
predicts from the settings, then the lesson compares the prediction with the live measurement
(:func:`close_to`), which is a range check because a live count varies from run to run.
"""

from __future__ import annotations

import functools

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.kafka.models.failover import lab_scenarios

declare = declarations(__name__)


def _unreplicated(name: str) -> float:
    """Writes the leader acknowledged while its followers were frozen: rate × freeze."""
    sc = lab_scenarios()[name]
    return sc.produce_rate * sc.freeze_time


def solution_acks1_loss() -> float:
    """``acks1_lagging``: 200 writes/s, followers frozen 1 s before the leader dies."""
    return _unreplicated("acks1_lagging")


check_acks1_loss = declare.number("acks1_loss", rel_tol=0.25, minimum=0)


def solution_unclean_loss() -> float:
    """``unclean_on``: followers frozen 4 s (fenced, out of the ISR), then the leader dies and
    a stale follower is elected: everything written during the freeze is gone."""
    return _unreplicated("unclean_on")


check_unclean_loss = declare.number("unclean_loss", rel_tol=0.25, minimum=0)


def close_to(measured: int, predicted: float, within: float = 0.5) -> bool:
    """Does a live count fall within ±``within`` (a fraction) of a prediction?"""
    return abs(measured - predicted) <= within * predicted


def compare_with_live(prediction: object, measured: int, within: float = 0.5) -> str:
    """The learner's own prediction against a live count, in one line.

    ``None`` (or ``...``) is no prediction, and the line says so: it never borrows the
    solution, so a stored notebook prints no verdict nobody made. ``0`` is a prediction (the
    belief the exercise targets), judged like any other."""
    if prediction is None or prediction is Ellipsis:
        return ("No prediction yet: put your number in the answer cell above (0 counts as "
                "one), run it, then run this cell again.")
    if isinstance(prediction, bool) or not isinstance(prediction, int | float):
        return f"A prediction is a number of records (got {prediction!r})."
    if close_to(measured, float(prediction), within):
        return f"✅ the live run lost {measured}: within {within:.0%} of your {prediction:g}"
    return (f"❌ the live run lost {measured}: more than {within:.0%} away from your "
            f"{prediction:g}")


#: Exercise 3 is asked of a 5-broker cluster with RF 5 (the lesson's live 3-broker run,
#: ``two_down``, shows min.insync.replicas=2 for RF 3: re-reading it must not answer this one).
ISR_BROKERS = ISR_RF = 5
ISR_TOLERATED = 2  # brokers that may be down with writes still accepted


@functools.lru_cache(maxsize=1)  # seeded model runs (~3 s in all): the same answer every time
def solution_min_isr() -> int:
    """RF 5, ``acks=all``: the ``min.insync.replicas`` with which two brokers down keep writes
    going and three down make the leader refuse writes (``NOT_ENOUGH_REPLICAS``) rather than
    acknowledge records that only two brokers have (found by running the model)."""
    from course_lib.kafka.models.replication_engine import simulate_replication

    for m in range(1, ISR_RF + 1):
        ok = simulate_replication("all", ISR_RF, m, ISR_TOLERATED, seed=1, brokers=ISR_BROKERS)
        over = simulate_replication("all", ISR_RF, m, ISR_TOLERATED + 1, seed=1,
                                    brokers=ISR_BROKERS)
        if ("NOT_ENOUGH_REPLICAS" not in ok.reasons()
                and "NOT_ENOUGH_REPLICAS" in over.reasons() and not over.lost):
            return m
    raise AssertionError("no min.insync.replicas satisfies both")  # the model changed


check_min_isr = declare.number("min_isr", rel_tol=0, abs_tol=0, integer=True, minimum=1)


hint, solution = helpers(__name__)
