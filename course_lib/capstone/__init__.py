"""Lesson 07, the capstone: design the coffee shop's order system, break it, score it, pay for it.

* :mod:`~course_lib.capstone.design`: :class:`Design`, the learner's validated choices;
* :mod:`~course_lib.capstone.problem`: the traffic profile, the failure script, the objectives
  and the (assumed) prices;
* :mod:`~course_lib.capstone.engine`: :func:`evaluate` composes the balancer, replication and
  consumer-group models into one simulated day;
* :mod:`~course_lib.capstone.score`: the scorer, from flat run records to a :class:`Score`;
* :mod:`~course_lib.capstone.references`: the reference designs, sweeps and the Pareto front;
* :mod:`~course_lib.capstone.view`: the table, the cost-vs-availability figure, the dashboard;
* :mod:`~course_lib.capstone.live`: :func:`~course_lib.capstone.live.run_live` stands a design up
  for real (HAProxy, Apache Kafka, checkout servers and consumers: :mod:`.live_api`,
  :mod:`.live_consumer`, :mod:`.live_db`) and scores the measurements (:mod:`.live_records`)
  beside the simulation (:mod:`.live_result`). Not imported here: it starts real processes.
"""

from course_lib.capstone.design import RANGES, Design
from course_lib.capstone.engine import Problem, evaluate, simulate_run
from course_lib.capstone.problem import FailureScript, Objectives, Prices, TrafficProfile, Work
from course_lib.capstone.score import CheckoutRecord, OrderRecord, RunRecords, Score, score

__all__ = ["RANGES", "CheckoutRecord", "Design", "FailureScript", "Objectives", "OrderRecord",
           "Prices", "Problem", "RunRecords", "Score", "TrafficProfile", "Work", "evaluate",
           "score", "simulate_run"]
