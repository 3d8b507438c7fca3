"""Self-checks for lesson 06 (when (not) to use Kafka): a decision quiz and one measured number.

Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from course_lib.grading.declare import declarations
from course_lib.grading.exercise import helpers
from course_lib.kafka.models.decision import IntegrationScenario
from course_lib.kafka.models.decision_engine import simulate_integration

__all__ = ["OPTIONS", "check_checkout", "check_direct_failures", "check_fraud_history",
           "check_welcome_emails", "hint", "solution", "solution_checkout",
           "solution_direct_failures", "solution_fraud_history", "solution_welcome_emails"]

declare = declarations(__name__)

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


check_checkout = declare.choice("checkout", options=OPTIONS, aliases=ALIASES)


def solution_fraud_history() -> str:
    return "Kafka"


check_fraud_history = declare.choice("fraud_history", options=OPTIONS, aliases=ALIASES)


def solution_welcome_emails() -> str:
    return "database table"


check_welcome_emails = declare.choice("welcome_emails", options=OPTIONS, aliases=ALIASES)


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


check_direct_failures = declare.number(
    "direct_failures", rel_tol=0.1, minimum=0,
    facts={"default_scenario": _failures(200.0, 5.0), "default_rate": 200.0 * OUTAGE_TIME,
           "default_outage": OUTAGE_RATE * 5.0})


hint, solution = helpers(__name__)
