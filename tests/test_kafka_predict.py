"""Lesson 05b's "predict, then verify" on a generated scenario: each learner gets their own,
nobody's prediction is filled in for them, and every claim is marked against the answer."""

from __future__ import annotations

import pytest

from course_lib.kafka.live.failover import predict
from course_lib.kafka.live.failover.differential import model_claims
from course_lib.kafka.models.failover import to_model
from course_lib.kafka.models.replication_engine import simulate


def test_each_learner_gets_a_short_scenario_of_their_own(monkeypatch):
    monkeypatch.delenv("SDL_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert predict.learner() == predict.DEFAULT_LEARNER
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert predict.learner() == "ada"
    monkeypatch.setenv("SDL_LEARNER", "grace")
    assert predict.learner() == "grace"
    seeds = {predict.unseen_scenario(f"learner{i}").seed for i in range(20)}
    assert len(seeds) == 20 and min(seeds) >= 100_000  # none of the sweeps' seeds
    assert all(predict.unseen_scenario(f"learner{i}").delivery_timeout
               <= predict.MAX_DELIVERY_S for i in range(20))
    assert predict.unseen_scenario("ada") == predict.unseen_scenario("ada")


@pytest.mark.parametrize("prediction", [{}, {"lost": True, "duplicated": False},
                                        {"lost": 0, "duplicated": False, "rejected": True},
                                        {"lost": None, "duplicated": None, "rejected": None}])
def test_no_prediction_is_not_replaced_by_the_answer(prediction):
    lines = predict.verify(prediction, predict.unseen_scenario("ada"), None)
    assert len(lines) == 1 and lines[0].startswith("No prediction yet for")
    assert "✅" not in lines[0]


def test_every_claim_is_marked_against_the_answer():
    sc = predict.unseen_scenario("ada")
    truth = model_claims(simulate(to_model(sc)))
    right = {c: truth[c] for c in predict.PREDICTED}
    wrong = {c: not truth[c] for c in predict.PREDICTED}
    assert all(line.startswith("✅") for line in predict.verify(right, sc, None)[1:])
    assert all(line.startswith("❌") for line in predict.verify(wrong, sc, None)[1:])
    assert "the model (no cluster here" in predict.verify(right, sc, None)[0]
