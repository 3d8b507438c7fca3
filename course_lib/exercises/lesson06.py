"""Self-checks for lesson 06 (when (not) to use Kafka): a decision quiz and one measured number.

Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import CheckResult, Mistake, check_choice, check_number
from course_lib.grading.exercise import exercise, helpers
from course_lib.kafka.decision import IntegrationScenario, simulate_integration

__all__ = ["OPTIONS", "check_checkout", "check_direct_failures", "check_fraud_history",
           "check_welcome_emails", "hint", "solution", "solution_checkout",
           "solution_direct_failures", "solution_fraud_history", "solution_welcome_emails"]

OPTIONS = ["direct API", "database table", "message broker", "Kafka"]
SEED = 2026
#: Other names learners use for the four options.
ALIASES = {"direct api call": "direct API", "api": "direct API", "api call": "direct API",
           "rest": "direct API", "rest call": "direct API", "http": "direct API",
           "synchronous call": "direct API", "database": "database table", "db": "database table",
           "table": "database table", "jobs table": "database table", "outbox": "database table",
           "broker": "message broker", "queue": "message broker", "rabbitmq": "message broker",
           "apache kafka": "Kafka", "log": "Kafka", "direct call": "direct API",
           "grpc": "direct API", "rpc": "direct API", "db table": "database table",
           "message queue": "message broker", "activemq": "message broker",
           "sqs": "message broker"}


def solution_checkout() -> str:
    return "direct API"


@exercise(1, hints=(
    "Can the checkout page answer the user before the payment service has decided?",
    "An asynchronous hand-over decouples the caller from the callee; it helps only when the "
    "caller need not wait for the result.",
    "The caller needs the result now.",
), worked="The user is waiting for the payment decision, so the caller cannot continue without "
          "the result: a synchronous {answer} (with timeouts and retries from lessons 02–03). "
          "A queue would add a hop and a reply channel and buy no decoupling.")
def check_checkout(answer: Any) -> CheckResult:
    """The checkout page must tell the user whether the payment was accepted before answering."""
    return check_choice(
        answer, solution_checkout(), options=OPTIONS, aliases=ALIASES, what="your choice",
        hints={
            "Kafka": "The user is waiting for this answer: an asynchronous hand-over adds a hop "
                     "and needs a reply channel, and decoupling buys nothing when the caller "
                     "cannot continue without the result.",
            "message broker": "Request/reply over a broker works, but the caller still waits; "
                              "it only adds a hop and a system to run.",
            "database table": "Polling adds hundreds of milliseconds to a request a user is "
                              "waiting for.",
        },
        explain="A synchronous call fits when the caller needs the result now; make it robust "
                "with timeouts and retries (lessons 02-03) rather than a queue.",
    )


def solution_fraud_history() -> str:
    return "Kafka"


@exercise(2, hints=(
    "Three independent consumers, one of which needs last month's orders.",
    "Which hand-over keeps messages after they are consumed, and copes with 5,000 writes/s?",
    "A classic broker deletes acknowledged messages; a database table is far below 5,000/s here.",
), worked="Several independent consumers, replay of 30 days of retained history and 5,000 "
          "orders/s are what a partitioned, retained log provides: {answer}.")
def check_fraud_history(answer: Any) -> CheckResult:
    """Shipping, billing and a new fraud model (trained on 30 days of orders), 5,000 orders/s."""
    return check_choice(
        answer, solution_fraud_history(), options=OPTIONS, aliases=ALIASES,
        hints={
            "message broker": "A classic broker deletes a message once it is acknowledged: the "
                              "fraud model cannot read last month's orders.",
            "database table": "Rows are deleted once processed, so the fraud model cannot read "
                              "last month's orders; and 5,000 writes/s is far beyond the "
                              "table's ceiling under the lesson's assumed costs (~490 msg/s; a "
                              "real database's depends on its hardware).",
            "direct API": "The order service would call three services, fail when any is down, "
                          "and change every time a new consumer appears.",
        },
        explain="Several independent consumers, replay of retained history and high throughput "
                "are exactly what a partitioned, retained log provides.",
    )


def solution_welcome_emails() -> str:
    return "database table"


@exercise(3, hints=(
    "50 messages an hour is very little; what does this app already run?",
    "Prefer the option that adds no new system to operate but still buffers when the mail "
    "service is down.",
    "PostgreSQL can be a queue: SELECT … FOR UPDATE SKIP LOCKED.",
), worked="At ~50 emails an hour the PostgreSQL the app already runs is enough: a {answer} of "
          "pending emails, claimed with SELECT … FOR UPDATE SKIP LOCKED, buffers outages and "
          "needs nothing new to operate.")
def check_welcome_emails(answer: Any) -> CheckResult:
    """A small app on PostgreSQL sends ~50 welcome emails per hour; no Kafka, no broker yet."""
    return check_choice(
        answer, solution_welcome_emails(), options=OPTIONS, aliases=ALIASES,
        hints={
            "Kafka": "A Kafka cluster to run, monitor and upgrade for 50 messages an hour: the "
                     "table already buffers, survives outages and needs nothing new.",
            "message broker": "It would work, but it is one more system to operate for a load "
                              "the existing database handles easily.",
            "direct API": "If the mail service is down the sign-up fails or the email is lost; "
                          "a buffer is worth having, and the database is already there.",
        },
        explain="At low rates a jobs table (claimed with SELECT … FOR UPDATE SKIP LOCKED) is the "
                "simplest reliable queue; move on when the write rate or the number of "
                "consumers grows.",
    )


#: Exercise 4 changes the default scenario (200 msg/s, a 5 s outage), whose count the lesson's
#: comparison table already prints (1006): re-reading it must not answer the exercise.
OUTAGE_RATE, OUTAGE_TIME = 150.0, 12.0


def _failures(produce_rate: float = OUTAGE_RATE, outage_time: float = OUTAGE_TIME) -> int:
    scenario = IntegrationScenario(style="direct_api", produce_rate=produce_rate,
                                   outage_time=outage_time)
    return simulate_integration(scenario, seed=SEED).failed


def solution_direct_failures() -> int:
    """Failed calls at 150 msg/s with a 12 s outage, from the seeded simulation."""
    return _failures()


@exercise(4, hints=(
    "With a direct call, nobody holds a message while the consumer is down.",
    "Every call made during the outage fails: about produce rate × outage length.",
    "This scenario sends 150 msg/s and the outage lasts 12 s (not the table's 200 msg/s, 5 s).",
), worked="While the consumer is down every direct call fails: about 150 msg/s × 12 s ≈ 1,800; "
          "the seeded simulation counts {answer}. The producer must retry, store or drop each "
          "of them — exactly the work a buffer does for it.")
def check_direct_failures(answer: Any) -> CheckResult:
    """How many orders fail at the producer with a direct API at 150 msg/s, 12 s down?"""
    return check_number(
        answer, solution_direct_failures(), rel_tol=0.1, what="failed calls",
        minimum=0,
        mistakes=[Mistake(_failures(200.0, 5.0), "That is the table's default scenario "
                                                 "(200 msg/s, a 5 s outage); this one sends "
                                                 "150 msg/s and is down for 12 s."),
                  Mistake(200.0 * OUTAGE_TIME, "That uses the default 200 msg/s; this producer "
                                               "sends 150 msg/s."),
                  Mistake(OUTAGE_RATE * 5.0, "That uses the default 5 s outage; this one lasts "
                                             "12 s.")],
        too_low="While the consumer is down nobody holds the messages: every call in those "
                "seconds fails (about produce rate × outage length).",
        too_high="Only calls made during the outage fail; before and after it the consumer "
                 "keeps up.",
        explain="About 150 msg/s × 12 s: the producer must retry, store or drop each of them, "
                "exactly the work a buffer (table, broker, Kafka) does for it.",
    )


hint, solution = helpers(__name__)
