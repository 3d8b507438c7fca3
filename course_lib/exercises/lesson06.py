"""Self-checks for lesson 06 (when (not) to use Kafka): a decision quiz and one measured number.

Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from typing import Any

from course_lib.checks import Verdict, check_choice, check_number
from course_lib.exercises.quantities import read_quantity
from course_lib.kafka.decision import IntegrationScenario, simulate_integration

__all__ = [
    "OPTIONS",
    "check_checkout",
    "check_direct_failures",
    "check_fraud_history",
    "check_welcome_emails",
    "solution_checkout",
    "solution_direct_failures",
    "solution_fraud_history",
    "solution_welcome_emails",
]

OPTIONS = ["direct API", "database table", "message broker", "Kafka"]
#: The lesson's own labels (its tables say "direct API call") and common names for each option.
ALIASES = {
    "direct api call": "direct API", "direct call": "direct API", "api call": "direct API",
    "api": "direct API", "http": "direct API", "rest": "direct API", "grpc": "direct API",
    "rpc": "direct API", "table": "database table", "db table": "database table",
    "jobs table": "database table", "database": "database table",
    "broker": "message broker", "message queue": "message broker", "queue": "message broker",
    "rabbitmq": "message broker", "activemq": "message broker", "sqs": "message broker",
    "apache kafka": "Kafka",
}


def _option(answer: Any) -> Any:
    """The option an answer names: the lesson's labels and common aliases are accepted."""
    if not isinstance(answer, str):
        return answer
    return ALIASES.get(" ".join(answer.strip().lower().split()), answer)
SEED = 2026


def solution_checkout() -> str:
    return "direct API"


def check_checkout(answer: Any) -> Verdict:
    """The checkout page must tell the user whether the payment was accepted before answering."""
    return check_choice(
        _option(answer), solution_checkout(), options=OPTIONS, what="your choice",
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


def check_fraud_history(answer: Any) -> Verdict:
    """Shipping, billing and a new fraud model (trained on 30 days of orders), 5,000 orders/s."""
    return check_choice(
        _option(answer), solution_fraud_history(), options=OPTIONS,
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


def check_welcome_emails(answer: Any) -> Verdict:
    """A small app on PostgreSQL sends ~50 welcome emails per hour; no Kafka, no broker yet."""
    return check_choice(
        _option(answer), solution_welcome_emails(), options=OPTIONS,
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


def solution_direct_failures() -> int:
    """Failed calls in the default scenario (200 msg/s, a 5 s outage), from the simulation."""
    return simulate_integration(IntegrationScenario(style="direct_api"), seed=SEED).failed


def check_direct_failures(answer: Any) -> Verdict:
    """How many orders fail at the producer with a direct API in the default scenario?"""
    answer = read_quantity(answer, {"orders": 1, "calls": 1, "failed calls": 1,
                                    "failed orders": 1}, "failed calls")
    if isinstance(answer, Verdict):
        return answer
    return check_number(
        answer, solution_direct_failures(), rel_tol=0.1, what="failed calls",
        too_low="While the consumer is down nobody holds the messages: every call in those "
                "seconds fails (about produce rate × outage length).",
        too_high="Only calls made during the outage fail; before and after it the consumer "
                 "keeps up.",
        explain="About 200 msg/s × 5 s: the producer must retry, store or drop each of them, "
                "exactly the work a buffer (table, broker, Kafka) does for it.",
    )
