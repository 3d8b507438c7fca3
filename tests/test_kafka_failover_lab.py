"""Lesson 05b's failover lab: each live run's claims on a real 3-broker Kafka agree with the
model, and without Kafka the stored runs (measured on Apache Kafka) stand in, saying so.

The live tests assert outcomes (lost or not, offline or not, NotEnoughReplicas or not), never
timings: those depend on the machine. Only ``crash_leader`` runs live here, as a check that
needs no notebook: lesson 05b itself runs all six scenarios live on Apache Kafka whenever it
is there (``LIVE``; in CI it must be), and nbval compares every claim row it prints, measured,
simulated and agreed, with the stored lesson, which shows the outcomes in :data:`EXPECTED`.
Running the other five here too cost about 50 s of the suite's time for the same check. The
controlled shutdown also runs live in ``test_kafka_cluster.py``.
"""

from __future__ import annotations

import pytest

from course_lib.kafka.live.failover import compare
from course_lib.kafka.live.failover.producer import in_send_order, producer_defaults
from course_lib.kafka.live.failover.run import run_live
from course_lib.kafka.models.failover import JVM_START_S, LiveScenario, lab_scenarios, to_model
from course_lib.kafka.models.replication_engine import simulate

SCENARIOS = lab_scenarios()
#: What each run must show (the lesson's story), measured and simulated alike.
EXPECTED = {
    "crash_leader": {"no acknowledged record lost": True, "no record written twice": True,
                     "another broker became leader": True,
                     "the restarted broker caught up and rejoined the ISR": True},
    "controlled_shutdown": {"no acknowledged record lost": True,
                            "another broker became leader": True},
    "two_down": {"no acknowledged record lost": True,
                 "writes rejected with NotEnoughReplicas": True,
                 "the leader stayed, so reads went on": True},
    "acks1_lagging": {"no acknowledged record lost": False,
                      "the partition went offline (no leader)": False},
    "unclean_on": {"no acknowledged record lost": False,
                   "another broker became leader": True},
    "unclean_off": {"no acknowledged record lost": True,
                    "the partition went offline (no leader)": True,
                    "another broker became leader": False,
                    "the restarted broker caught up and rejoined the ISR": True},
    "elr_acks1": {"no acknowledged record lost": False,
                  "the partition went offline (no leader)": False,
                  "another broker became leader": True},
    "two_down_back": {"no acknowledged record lost": True,
                      "writes rejected with NotEnoughReplicas": False,
                      'writes told "failed" are in the log all the same': True},
    "acks0_killed": {"under 1 % of acknowledged records lost": True,
                     "no write rejected": True, "another broker became leader": True},
    "shutdown_under_load": {"no acknowledged record lost": False, "no write rejected": False,
                            "another broker became leader": True},
}


def _check(name: str, run, sim) -> None:
    found = {c.text: c for c in compare.claims(run, sim)}
    for text, want in EXPECTED[name].items():
        assert found[text].measured is want, (name, text, run.summary(), run.events)
        assert found[text].simulated is want, (name, text, sim.summary(), sim.events)
    assert all(c.agree for c in found.values()), [c.row() for c in found.values()]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_stored_runs_tell_the_lessons_story_and_agree_with_the_model(name):
    runs = compare.live_or_stored({name: SCENARIOS[name]}, None)
    assert runs[name].label.startswith("stored run (Apache Kafka 4.")
    _check(name, runs[name], simulate(to_model(SCENARIOS[name])))


def test_stored_runs_round_trip(tmp_path):
    runs = compare.load_runs()
    path = tmp_path / "runs.json"
    compare.save_runs(runs, path)
    again = compare.load_runs(path)
    for name, run in runs.items():
        assert again[name].summary() == run.summary() and again[name].events == run.events
    assert in_send_order(runs["crash_leader"].read_back)
    assert not in_send_order([0, 2, 1])


def test_a_run_reports_through_the_history_checker():
    """A hand-made run: 1 lost, 2 written twice and out of order, 3 rejected yet landed."""
    from course_lib.kafka.live.failover.result import FailoverRun

    outcomes = ["acknowledged", "acknowledged", "acknowledged", "rejected", "rejected"]
    sends = [{"seq": i, "sent_at": i / 10, "outcome": o, "error": "" if o[0] == "a" else "X",
              "offset": None} for i, o in enumerate(outcomes)]
    run = FailoverRun(SCENARIOS["crash_leader"], sends, [0, 2, 3, 2], [], [])
    assert (run.lost, run.duplicates, run.indefinite, run.out_of_order) == (1, 1, 1, 0)
    assert run.history().of("indefinite") == (3,)
    assert FailoverRun(SCENARIOS["crash_leader"], sends, [2, 0], [], []).out_of_order == 1


def test_acks1_loss_is_about_rate_times_freeze_in_the_stored_run():
    sc = SCENARIOS["acks1_lagging"]
    lost = compare.load_runs()["acks1_lagging"].lost
    assert 0.5 * sc.produce_rate * sc.freeze_time <= lost <= 1.5 * sc.produce_rate * sc.freeze_time


def test_the_lab_signals_are_the_models_failure_kinds_and_freezes():
    short, long = to_model(SCENARIOS["acks1_lagging"]), to_model(SCENARIOS["unclean_on"])
    assert (short.freeze_time, short.broker_failures, short.failure_kind) == (1.0, ((0, 2.0),),
                                                                             "kill")
    assert (long.freeze_time, long.broker_failures) == (4.0, ((0, 5.0),))
    assert to_model(SCENARIOS["controlled_shutdown"]).failure_kind == "controlled"
    assert to_model(SCENARIOS["crash_leader"]).down_time == 4.0 + JVM_START_S


def test_the_description_refuses_what_kafka_would():
    with pytest.raises(ValueError, match=r"idempotence requires acks='all' and retries > 0 "
                                         r"\(got acks='1', retries=2147483647\)"):
        LiveScenario(acks=1)
    with pytest.raises(ValueError, match=r"failure_at must be in \[0, duration=3\) \(got 5\)"):
        LiveScenario(failure_at=5)
    with pytest.raises(ValueError, match=r"duration must be in \(0, 10 \(a lab run is short\)\]"):
        LiveScenario(duration=60)


def test_the_producer_table_reads_the_installed_clients_defaults():
    rows = {r[0]: r for r in producer_defaults()}
    assert rows["acks"][1] == "-1" and rows["enable.idempotence"][1] == "true"
    assert rows["max.in.flight.requests.per.connection"][1] == "5"


@pytest.mark.apache_kafka
@pytest.mark.slow
def test_a_live_leader_crash_agrees_with_the_model(cluster):
    run = run_live(cluster, SCENARIOS["crash_leader"])
    _check("crash_leader", run, simulate(to_model(SCENARIOS["crash_leader"])))
    assert in_send_order(run.read_back) and run.timings()["time_to_new_leader"] is not None
