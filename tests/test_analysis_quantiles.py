"""Order-statistic confidence intervals for quantiles (simkit.analysis.quantiles)."""

import numpy as np
import numpy.testing as npt
import pytest
from scipy import stats

from simkit._quantiles import (
    order_statistic_ranks,
    quantile_ci,
)
from simkit.errors import SimkitError


def _naive_ranks(n, p, confidence):
    """Equal-tailed ranks by scanning the binomial CDF (slow, obvious)."""
    alpha = 1 - confidence
    cdf = stats.binom.cdf(np.arange(n + 1), n, p)
    lo = int(np.argmax(cdf >= alpha / 2))  # smallest k with F(k) >= alpha/2
    hi = int(np.argmax(cdf >= 1 - alpha / 2)) + 1
    return lo, hi


@pytest.mark.parametrize("n", [20, 101, 1000])
@pytest.mark.parametrize("p", [0.05, 0.25, 0.5, 0.9])
def test_ranks_match_naive_scan(n, p):
    lo, hi, cov = order_statistic_ranks(n, p, 0.95)
    assert (int(lo), int(hi)) == _naive_ranks(n, p, 0.95)
    # The exact coverage is P(lo <= B <= hi - 1), never below the nominal level.
    exact = stats.binom.cdf(hi - 1, n, p) - stats.binom.cdf(lo - 1, n, p)
    npt.assert_allclose(cov, exact)
    assert cov >= 0.95


def test_unbounded_ends_at_small_n():
    est = quantile_ci(np.arange(10.0), [0.01, 0.5, 0.99])
    assert est.lo[0] == -np.inf and np.isfinite(est.hi[0])
    assert est.hi[2] == np.inf and np.isfinite(est.lo[2])
    assert np.isfinite(est.lo[1]) and np.isfinite(est.hi[1])


def test_vectorized_over_columns_equals_column_by_column():
    rng = np.random.default_rng(12345)
    x = rng.lognormal(size=(500, 4))
    q = [0.05, 0.5, 0.95]
    est = quantile_ci(x, q)
    assert est.value.shape == est.lo.shape == est.hi.shape == (3, 4)
    for j in range(4):
        one = quantile_ci(x[:, j], q)
        npt.assert_array_equal(est.value[:, j], one.value)
        npt.assert_array_equal(est.lo[:, j], one.lo)
        npt.assert_array_equal(est.hi[:, j], one.hi)
    # axis=1 on the transpose gives the same answer
    est_t = quantile_ci(x.T, q, axis=1)
    npt.assert_array_equal(est_t.lo, est.lo)


def test_interval_ends_are_sample_order_statistics():
    x = np.random.default_rng(12345).normal(size=300)
    est = quantile_ci(x, [0.2, 0.7])
    s = np.sort(x)
    lo_r, hi_r, _ = order_statistic_ranks(300, [0.2, 0.7])
    npt.assert_array_equal(est.lo, s[lo_r - 1])
    npt.assert_array_equal(est.hi, s[hi_r - 1])
    assert np.all(est.lo <= est.value) and np.all(est.value <= est.hi)


@pytest.mark.parametrize("p", [0.05, 0.5, 0.95])
def test_coverage_on_known_quantiles(p):
    """Coverage over repeated seeds equals the exact binomial coverage.

    Exponential(1) has quantile -log(1 - p). Over R independent samples the
    number of intervals covering it is Binomial(R, cov), cov the exact coverage
    computed from the ranks, so |hits - R cov| / sqrt(R cov (1 - cov)) < 4
    (two-sided false alarm ~6e-5). Reading the order statistic one rank off
    (a 0/1-based slip) moves coverage by 6-7 s.e. at p = 0.05/0.95 and by 4.1
    s.e. at p = 0.5 with R = 10,000.
    """
    n, reps = 200, 10_000
    truth = -np.log1p(-p)
    rng = np.random.default_rng(20240601)
    x = rng.exponential(size=(n, reps))
    est = quantile_ci(x, [p], axis=0)
    hits = int(np.sum((est.lo[0] <= truth) & (truth <= est.hi[0])))
    cov = float(est.coverage[0])
    z = (hits - reps * cov) / np.sqrt(reps * cov * (1 - cov))
    assert abs(z) < 4.0, (hits / reps, cov)
    assert cov >= 0.95


def test_coverage_is_conservative_for_discrete_data():
    """Ties only widen the interval: coverage >= exact binomial coverage.

    One-sided check: hits below R*cov - 4 s.e. would signal under-coverage
    (false alarm ~3e-5).
    """
    n, reps, p, lam = 150, 3000, 0.5, 3.0
    truth = stats.poisson.ppf(p, lam)
    x = np.random.default_rng(7).poisson(lam, size=(n, reps)).astype(float)
    est = quantile_ci(x, [p])
    hits = int(np.sum((est.lo[0] <= truth) & (truth <= est.hi[0])))
    cov = float(est.coverage[0])
    assert hits >= reps * cov - 4.0 * np.sqrt(reps * cov * (1 - cov))


def test_bad_input_raises():
    with pytest.raises(SimkitError, match="empty"):
        quantile_ci(np.array([]), [0.5])
    with pytest.raises(SimkitError, match="NaN"):
        quantile_ci(np.array([1.0, np.nan]), [0.5])
    with pytest.raises(SimkitError, match="`q`"):
        quantile_ci(np.arange(5.0), [1.5])
    with pytest.raises(SimkitError, match="`confidence`"):
        quantile_ci(np.arange(5.0), [0.5], confidence=1.0)
    with pytest.raises(SimkitError, match="`method`"):
        quantile_ci(np.arange(5.0), [0.5], method="nope")
    with pytest.raises(SimkitError, match="`q`"):
        quantile_ci(np.arange(5.0), [])


@pytest.mark.parametrize("n", [1, 2, 7, 40, 101, 2_000, 10_000, 1_000_000])
def test_ranks_equal_scipy_binomial_quantiles(n):
    """The ranks come from scipy.special.bdtr on a window (no scipy.stats import);
    they must be scipy.stats.binom's ppf exactly, the coverage its cdf."""
    from scipy.stats import binom

    from simkit._quantiles import order_statistic_ranks

    q = np.array([0.0, 1e-6, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0])
    for conf in (0.5, 0.9, 0.95, 0.99):
        a = 1.0 - conf
        lo = np.clip(binom.ppf(a / 2, n, q).astype(np.int64), 0, n + 1)
        hi = np.clip(binom.ppf(1 - a / 2, n, q).astype(np.int64) + 1, 0, n + 1)
        got_lo, got_hi, cov = order_statistic_ranks(n, q, conf)
        np.testing.assert_array_equal(got_lo, lo)
        np.testing.assert_array_equal(got_hi, hi)
        # Two evaluations of the same CDF: they differ by ~1e-11 at n = 10^6.
        np.testing.assert_allclose(cov, binom.cdf(hi - 1, n, q) - binom.cdf(lo - 1, n, q),
                                   rtol=0, atol=1e-9)
