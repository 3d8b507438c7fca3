"""The course's statistics helpers: one interpolated percentile, lesson 06's lower quantile,
and batch means (moved from components.model, which re-exports it)."""

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


def test_lower_quantile_takes_a_sample_without_interpolating():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert stats.lower_quantile(values, 0.95) == 20.0  # index floor(0.95 * 20) = 19
    assert stats.lower_quantile(values, 0.5) == 11.0
    assert stats.lower_quantile(values, 1.0) == 20.0
    assert np.isnan(stats.lower_quantile([], 0.5))


def test_the_models_use_the_shared_definitions():
    assert result._percentile is stats.percentile
    assert decision._quantile is stats.lower_quantile
    assert model.batch_means is stats.batch_means


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
