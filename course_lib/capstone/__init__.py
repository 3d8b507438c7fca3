"""Lesson 07, the capstone: design the coffee shop's order system, break it, score it, pay for it.

* :mod:`~course_lib.capstone.models.design`: :class:`Design`, the learner's validated choices;
* :mod:`~course_lib.capstone.models.problem`: the traffic profile, the failure script, the
  objectives and the (assumed) prices;
* :mod:`~course_lib.capstone.models.engine`: :func:`evaluate` composes the balancer, replication and
  consumer-group models into one simulated day;
* :mod:`~course_lib.capstone.models.score`: the scorer, from flat run records to a :class:`Score`;
* :mod:`~course_lib.capstone.models.references`: the reference designs, sweeps and the Pareto front;
* :mod:`~course_lib.capstone.views.report`: the table, the cost-vs-availability figure, the
  dashboard;
* :mod:`~course_lib.capstone.live.shop.run`: :func:`~course_lib.capstone.live.shop.run.run_live`
  stands a design up for real (HAProxy, Apache Kafka, checkout servers
  (:mod:`~course_lib.capstone.runtime.api`, :mod:`~course_lib.capstone.runtime.db`) and consumers
  (:mod:`~course_lib.capstone.clients.consumer`)) and scores the measurements
  (:mod:`~course_lib.capstone.live.shop.records`) beside the simulation
  (:mod:`~course_lib.capstone.live.shop.result`). Imported only when a lesson asks for it.
"""

from typing import TYPE_CHECKING

from course_lib.core.lazy import lazy_exports

if TYPE_CHECKING:  # the lesson API, imported on first use (core/lazy.py)
    from course_lib.capstone.live.shop.run import run_live
    from course_lib.capstone.models import references
    from course_lib.capstone.models.design import RANGES, Design
    from course_lib.capstone.models.engine import Problem, evaluate, simulate_run
    from course_lib.capstone.models.problem import (
        FailureScript,
        Objectives,
        Prices,
        TrafficProfile,
        Work,
    )
    from course_lib.capstone.models.references import (
        REFERENCE_DESIGNS,
        cheapest_meeting,
        design_grid,
    )
    from course_lib.capstone.models.score import (
        CheckoutRecord,
        OrderRecord,
        RunRecords,
        Score,
        score,
    )
    from course_lib.capstone.views import report as view

__getattr__, __dir__, __all__ = lazy_exports(__name__)
