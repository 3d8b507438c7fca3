"""Lesson 07 self-checks both ways: the solutions pass; typical wrong answers fail, naming the
objective that failed and where; a design tuned to one run is judged on runs it has not seen."""

from __future__ import annotations

from dataclasses import replace

from course_lib.capstone import evaluate
from course_lib.capstone.models.references import REFERENCE_DESIGNS
from course_lib.exercises import lesson07 as ex


def test_strict_isr_objective():
    assert ex.solution_strict_isr_objective() == "freshness_p99_s"
    assert ex.check_strict_isr_objective("freshness")  # an alias
    assert ex.check_strict_isr_objective("freshness_p99_s")
    lost = ex.check_strict_isr_objective("orders_lost")
    assert not lost and "never acknowledges what it cannot keep" in lost.message
    assert "still answers" in ex.check_strict_isr_objective("availability").message
    assert not ex.check_strict_isr_objective(None).answered


def test_the_solution_meets_every_objective_on_every_hidden_seed_and_costs_less_than_n_plus_1():
    design = ex.solution_cheapest_design()
    for seed in ex.HIDDEN_SEEDS:
        assert evaluate(design, seed=seed).meets_slo, seed
    assert ex.check_cheapest_design(design)
    assert evaluate(design).cost_per_hour < evaluate(REFERENCE_DESIGNS["N+1"]).cost_per_hour


def test_the_hidden_seeds_are_not_the_lessons():
    assert ex.LESSON_SEED not in ex.HIDDEN_SEEDS and len(set(ex.HIDDEN_SEEDS)) >= 3


def test_a_design_that_meets_the_lessons_run_but_not_a_hidden_one_fails_naming_both():
    slower_checks = replace(ex.solution_cheapest_design(), interval=1.0)
    assert evaluate(slower_checks, seed=ex.LESSON_SEED).meets_slo  # it passes the run shown
    verdict = ex.check_cheapest_design(slower_checks)
    assert not verdict and "you have not seen" in verdict.message
    assert "p99" in verdict.message and "'api hang'" in verdict.message
    assert "hung server must be found quickly" in verdict.message


def test_a_design_that_meets_every_objective_but_costs_more_is_not_the_cheapest():
    verdict = ex.check_cheapest_design(REFERENCE_DESIGNS["N+1"])
    assert not verdict and "$1.792/h" in verdict.message and "$1.454/h" in verdict.message


def test_the_single_server_fails_on_availability_and_says_where():
    verdict = ex.check_cheapest_design(REFERENCE_DESIGNS["single server"])
    assert not verdict and "availability" in verdict.message
    assert "most failed checkouts during 'api" in verdict.message


def test_lucky_runs_do_not_pass_a_design_that_can_lose_or_duplicate():
    acks_1 = replace(ex.solution_cheapest_design(), acks=1, idempotence=False)
    verdict = ex.check_cheapest_design(acks_1)
    # either a hidden run loses an order, or none does and the guarantee is refused anyway
    assert not verdict and ("orders_lost" in verdict.message or "acks=1" in verdict.message)
    assert "acks=1 acknowledges an order before a follower has it" in ex._luck(acks_1)
    no_key = replace(ex.solution_cheapest_design(), idempotency_key=False)
    verdict = ex.check_cheapest_design(no_key)
    assert not verdict and "idempotency key" in verdict.message
    assert "idempotency key" in ex._luck(no_key)
    assert ex._luck(ex.solution_cheapest_design()) == ""


def test_blank_and_wrong_types():
    assert not ex.check_cheapest_design(None).answered
    wrong = ex.check_cheapest_design(3)
    assert not wrong and wrong.answered and "Expected a Design" in wrong.message


def test_hints_climb_a_ladder_and_the_worked_solution_names_the_design(capsys):
    ex.hint(2, 1)
    ex.hint(2, 3)
    ex.solution(2)
    out = capsys.readouterr().out
    assert "Start from the N+1 reference" in out and "interval=0.5" in out
    assert "Design(api_servers=2" in out
