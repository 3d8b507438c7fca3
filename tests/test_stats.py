"""The course's statistics helpers: one interpolated percentile (numpy's, in two spellings),
lesson 06's lower quantile, and batch means (components.models.server re-exports it); every
quantile takes q in [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.components.models import server as model
from course_lib.core import stats
from course_lib.kafka.models import decision
from course_lib.lb.models import result


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60), st.floats(0, 1))
def test_percentile_is_numpys_default_definition(values, q):
    values = sorted(values)
    assert stats.percentile(values, q) == pytest.approx(float(np.percentile(values, 100 * q)),
                                                        rel=1e-12, abs=1e-9)


def test_percentile_of_small_lists_by_hand():
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([3.0], 0.95) == 3.0
    assert stats.percentile([0.0, 10.0], 0.95) == pytest.approx(9.5)
    assert stats.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5


def test_lower_quantile_is_the_smallest_value_with_q_of_the_data_at_or_below_it():
    values = range(1, 21)  # 1..20
    assert stats.lower_quantile(values, 0.5) == 10  # 10 of 20 are <= 10; the upper one is 11
    assert stats.lower_quantile(values, 0.95) == 19  # q·n = 19 exactly (read as 95/100)
    assert stats.lower_quantile(values, 0.99) == 20  # q·n = 19.8: only 20 has 99 % at or below
    assert stats.lower_quantile(values, 1.0) == 20
    assert stats.lower_quantile(values, 0.0) == 1
    assert stats.lower_quantile(range(1, 11), 0.1) == 1  # not 2: 0.1·10 is one, not a hair more
    assert stats.lower_quantile([1.0, 2.0, 3.0], 0.5) == 2.0  # odd n: the median sample
    assert np.isnan(stats.lower_quantile([], 0.5))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.integers(-50, 50), min_size=1, max_size=60),
       st.integers(0, 100).map(lambda p: p / 100))
def test_lower_quantile_is_the_inverse_of_the_empirical_distribution(values, q):
    values = sorted(values)
    got = stats.lower_quantile(values, q)
    n = len(values)
    at_or_below = sum(v <= got for v in values)
    assert at_or_below * 100 >= round(q * 100) * n  # at least q of the data is <= it
    smaller = [v for v in values if v < got]  # and no smaller sample value has that
    assert not smaller or sum(v <= smaller[-1] for v in values) * 100 < round(q * 100) * n
    # numpy's name for this definition is "inverted_cdf"
    assert got == np.quantile(values, q, method="inverted_cdf")


@pytest.mark.parametrize("q", [0.50, 0.95, 0.99, 0.995])
def test_linear_quantile_is_exactly_np_percentile_for_the_course_qs(q):
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 10, 999, 1000, 2016):
        values = rng.exponential(0.01, size=n)
        assert stats.linear_quantile(values, q) == float(np.percentile(values, round(100 * q, 1)))
        assert stats.linear_quantile(list(values), q) == stats.linear_quantile(values, q)


def test_quantiles_take_a_fraction_and_say_so():
    for function in (stats.percentile, stats.lower_quantile, stats.linear_quantile):
        with pytest.raises(ValueError, match=r"q must be a fraction in \[0, 1\], e.g. 0.95 for "
                                             r"p95 \(got 95\)"):
            function([1.0, 2.0], 95)
    with pytest.raises(ValueError, match="no values"):
        stats.linear_quantile([], 0.5)


def test_the_models_use_the_shared_definitions():
    assert result._percentile is stats.percentile
    assert decision._quantile is stats.lower_quantile
    assert model.batch_means is stats.batch_means
    run = model.simulate_server(arrival_rate=5.0, service_rate=10.0, workers=1, duration=50.0,
                                warmup=5.0, seed=1)
    assert run.response_time_percentile(0.95) == float(np.percentile(run.response_times, 95))
    assert run.summary()["p99_response_time"] == float(np.percentile(run.response_times, 99))


def test_batch_means_error_grows_with_correlation():
    rng = np.random.default_rng(0)
    independent = rng.normal(size=4000)
    correlated = np.repeat(rng.normal(size=40), 100)  # blocks of 100 identical values
    _, se_independent = stats.batch_means(independent, 20)
    _, se_correlated = stats.batch_means(correlated, 20)
    assert se_independent == pytest.approx(1 / np.sqrt(4000), rel=0.5)
    assert se_correlated > 5 * se_independent
    with pytest.raises(ValueError, match="need at least 40 values for 20 batches"):
        stats.batch_means(range(39), 20)
