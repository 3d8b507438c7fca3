"""Lesson 05b self-checks: the solution passes, typical wrong answers fail with a hint."""

from course_lib.exercises import lesson05b as ex


def test_acks1_loss():
    assert ex.solution_acks1_loss() == 200
    assert ex.check_acks1_loss(ex.solution_acks1_loss())
    none = ex.check_acks1_loss(0)
    assert not none and "Which records had the followers NOT fetched" in none.message
    everything = ex.check_acks1_loss(500)
    assert not everything and "everything before the freeze was replicated" in everything.message
    assert not ex.check_acks1_loss(None).answered


def test_unclean_loss():
    assert ex.solution_unclean_loss() == 800
    assert ex.check_unclean_loss(800)
    zero = ex.check_unclean_loss(0)
    assert not zero and "unclean_off" in zero.message
    assert not ex.check_unclean_loss(None).answered


def test_close_to_is_a_range_check():
    assert ex.close_to(199, 200) and ex.close_to(290, 200)
    assert not ex.close_to(0, 200) and not ex.close_to(350, 200)


def test_min_isr():
    """RF 5 on 5 brokers: 3, not the live run's 2 for RF 3."""
    assert ex.solution_min_isr() == 3
    assert ex.check_min_isr(3) and ex.check_min_isr("3")
    assert "live run's setting for RF 3" in ex.check_min_isr(2).message
    assert "only one or two brokers" in ex.check_min_isr(1).message
    assert "NotEnoughReplicas" in ex.check_min_isr(4).message
    assert not ex.check_min_isr(...).answered
    assert "should be a number" in ex.check_min_isr([3]).message


def test_a_prediction_is_the_learners_own_none_is_no_prediction_and_0_is_one():
    assert ex.compare_with_live(None, 198).startswith("No prediction yet")
    assert ex.compare_with_live(..., 198).startswith("No prediction yet")
    assert ex.compare_with_live(0, 198).startswith("❌")  # the misconception, judged
    assert ex.compare_with_live(200, 198).startswith("✅")
    assert ex.compare_with_live(600, 198).startswith("❌")
    assert ex.compare_with_live("200", 198).startswith("A prediction is a number")


def test_the_lessons_compare_cells_never_call_a_solution():
    """The grader takes a call of a solution for the learner looking it up (instructor review:
    every learner scored 0 on exercises 1 and 2 because the lesson's own cells called them)."""
    import json
    from pathlib import Path

    nb = json.loads(Path(__file__).resolve().parent.parent.joinpath(
        "notebooks", "05b_kafka_cluster_for_real.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
            and "solution" not in c.get("metadata", {}).get("tags", [])]
    assert not [c for c in code if "ex.solution" in c]
