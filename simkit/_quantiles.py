"""Sample quantiles with distribution-free confidence intervals.

The interval for the ``p``-quantile ``xi_p`` of a sample of size ``n`` is a
pair of order statistics ``[x_(l), x_(u)]``. Because the number of sample
points at or below ``xi_p`` is ``Binomial(n, p)`` whatever the distribution,
its coverage is known exactly for continuous data and is a lower bound for
discrete data (ties only make it wider). Everything here is vectorized over
quantile levels and over any number of columns.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from . import _validate
from .errors import SimkitError

__all__ = [
    "QuantileEstimate",
    "order_statistic_ranks",
    "quantile_ci",
]

#: Point-estimate methods accepted by :func:`quantile_ci` (numpy's names).
METHODS = ("linear", "inverted_cdf", "hazen", "weibull", "median_unbiased",
           "closest_observation", "lower", "higher", "nearest", "midpoint")


def _order_statistic_ranks_iv(n, q, confidence):
    """Input validation for :func:`order_statistic_ranks`."""
    n = _validate.integer(n, "n", minimum=0)
    q = _validate.levels(q if np.ndim(q) else [q], "q").reshape(np.shape(q))
    return n, q, _validate.confidence(confidence)


def order_statistic_ranks(n, q, confidence=0.95):
    """Ranks of the order statistics bounding the ``q``-quantile interval.

    Parameters
    ----------
    n : int
        Sample size.
    q : float or array_like
        Quantile level(s) in [0, 1].
    confidence : float
        Nominal two-sided confidence level.

    Returns
    -------
    lo, hi : ndarray of int
        1-based ranks ``l`` and ``u`` (shape of ``q``): the interval is
        ``[x_(l), x_(u)]``. ``l == 0`` means the interval has no lower bound at
        this sample size (``-inf``), ``u == n + 1`` no upper bound (``+inf``).
    coverage : ndarray of float
        Exact coverage ``P(l <= B <= u - 1)`` with ``B ~ Binomial(n, q)``; the
        true coverage for continuous data, a lower bound for discrete data.

    Notes
    -----
    Equal tails: ``l`` is the smallest ``k`` with ``P(B <= k) >= alpha/2`` and
    ``u - 1`` the smallest ``k`` with ``P(B <= k) >= 1 - alpha/2``, where
    ``alpha = 1 - confidence``. Then ``P(B < l) < alpha/2`` and
    ``P(B >= u) <= alpha/2``, so coverage ``>= confidence``.

    Examples
    --------
    >>> lo, hi, cov = order_statistic_ranks(100, 0.5)
    >>> int(lo), int(hi), bool(cov >= 0.95)
    (40, 61, True)
    """
    n, q, confidence = _order_statistic_ranks_iv(n, q, confidence)
    lo, hi, coverage = _ranks(n, tuple(q.ravel().tolist()), confidence)
    return (np.array(lo, dtype=np.int64).reshape(q.shape),
            np.array(hi, dtype=np.int64).reshape(q.shape),
            np.array(coverage).reshape(q.shape))


def _binom_ppf(p, n, q):
    """Smallest ``k`` in [0, n] with ``P(Binomial(n, q) <= k) >= p``, for 0 < p < 1.

    The CDF (``scipy.special.bdtr``) is evaluated on a window of 12 standard
    deviations around the mean, which holds the answer for any ``p`` in
    [1e-30, 1 - 1e-30]; ``scipy.stats.binom.ppf`` gives the same ranks but its
    import alone costs half a second of every command's start.
    """
    from scipy.special import bdtr

    sd = math.sqrt(n * q * (1.0 - q))
    k0 = max(0, math.floor(n * q - 12.0 * sd) - 2)
    k1 = min(n, math.ceil(n * q + 12.0 * sd) + 2)
    k = np.arange(k0, k1 + 1)
    cdf = bdtr(k, n, q)
    cdf[-1] = 1.0 if k1 == n else cdf[-1]
    i = int(np.searchsorted(cdf, p, side="left"))
    return int(k[min(i, k.size - 1)])


@functools.lru_cache(maxsize=512)
def _ranks(n, q, confidence):
    # Cached: a summary asks the same (n, levels) for every metric.
    from scipy.special import bdtr

    alpha = 1.0 - confidence
    lo = np.array([_binom_ppf(alpha / 2.0, n, x) for x in q], dtype=np.int64)
    hi = np.array([_binom_ppf(1.0 - alpha / 2.0, n, x) for x in q], dtype=np.int64) + 1
    lo = np.clip(lo, 0, n + 1)
    hi = np.clip(hi, 0, n + 1)
    qa = np.asarray(q, dtype=float)
    # P(lo <= B <= hi - 1); bdtr(-1, ...) is 0 (nan-free: k = -1 gives 0 below).
    upper = np.where(hi - 1 >= n, 1.0, bdtr(np.maximum(hi - 1, 0), n, qa))
    below = np.where(lo - 1 < 0, 0.0, bdtr(np.maximum(lo - 1, 0), n, qa))
    coverage = upper - below
    return tuple(lo.tolist()), tuple(hi.tolist()), tuple(coverage.tolist())


@dataclass(frozen=True)
class QuantileEstimate:
    """Sample quantiles with order-statistic confidence intervals.

    Attributes
    ----------
    levels : ndarray
        Quantile levels (fractions), shape ``(L,)``.
    value : ndarray
        Point estimates, shape ``(L, *columns)``.
    lo, hi : ndarray
        Interval bounds, same shape as ``value``; ``-inf``/``+inf`` where the
        sample is too small to bound the quantile at this confidence.
    n : int
        Sample size.
    confidence : float
        Nominal confidence of the intervals.
    coverage : ndarray
        Exact (continuous-data) coverage of each level's interval, shape ``(L,)``.
    method : str
        numpy quantile method used for ``value``.
    """

    levels: np.ndarray
    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n: int
    confidence: float
    coverage: np.ndarray
    method: str = "linear"

    @property
    def half_width(self):
        """Largest distance from estimate to an interval end (``inf``: unbounded)."""
        return np.maximum(self.value - self.lo, self.hi - self.value)


def _quantile_ci_iv(x, q, confidence, axis, method):
    """Input validation for :func:`quantile_ci`: ``(sample, levels, confidence)``
    with the observations moved to axis 0."""
    _validate.choice(method, "method", METHODS)
    q = _validate.levels(q, "q")
    confidence = _validate.confidence(confidence)
    try:
        a = np.moveaxis(np.asarray(x, dtype=float), _validate.integer(
            axis, "axis", minimum=-np.ndim(x)), 0)
    except (TypeError, ValueError, np.exceptions.AxisError) as exc:
        raise SimkitError(f"`x` must be an array of numbers with an axis {axis!r}, "
                          f"got {type(x).__name__} ({exc})") from None
    if a.shape[0] == 0:
        raise SimkitError("cannot estimate quantiles of an empty sample")
    if not np.all(np.isfinite(a)):
        raise SimkitError("cannot estimate quantiles: sample has NaN or infinite "
                          "values")
    return a, q, confidence


def quantile_ci(x, q, *, confidence=0.95, axis=0, method="linear"):
    """Sample quantiles of ``x`` with distribution-free confidence intervals.

    Parameters
    ----------
    x : array_like
        Sample; observations run along ``axis``, other axes are independent
        columns (e.g. streams or days). Must be finite.
    q : float or sequence of float
        Quantile levels, fractions in [0, 1].
    confidence : float
        Two-sided confidence level of the intervals (default 0.95).
    axis : int
        Axis of the observations.
    method : str
        numpy's quantile method for the point estimate (default ``"linear"``;
        ``"inverted_cdf"`` gives an order statistic).

    Returns
    -------
    QuantileEstimate
        ``value``, ``lo`` and ``hi`` have shape ``(len(q), *other_axes)``.

    Raises
    ------
    SimkitError
        On an empty or non-finite sample, bad levels or confidence.

    See Also
    --------
    order_statistic_ranks : the ranks and exact coverage used here.
    simkit.analysis.bands : quantile bands over a horizon.

    Notes
    -----
    With ``x_(1) <= ... <= x_(n)`` the sorted sample, the interval for level
    ``p`` is ``[x_(l), x_(u)]`` with ranks from :func:`order_statistic_ranks`.
    It holds whatever the distribution of ``x``, needs no density estimate and
    is invariant under monotone transformations.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(12345).exponential(size=2000)
    >>> est = quantile_ci(x, [0.5, 0.95])
    >>> bool(np.all(est.lo <= est.value) and np.all(est.value <= est.hi))
    True
    >>> bool(est.lo[0] < np.log(2) < est.hi[0])  # true median is ln 2
    True
    """
    a, q, confidence = _quantile_ci_iv(x, q, confidence, axis, method)
    n = a.shape[0]
    s = np.sort(a, axis=0)
    value = np.quantile(s, q, axis=0, method=method)
    lo_r, hi_r, coverage = order_statistic_ranks(n, q, confidence)
    cols = s.shape[1:]
    lo = np.full((q.size, *cols), -np.inf)
    hi = np.full((q.size, *cols), np.inf)
    ok_lo = lo_r >= 1
    ok_hi = hi_r <= n
    lo[ok_lo] = s[lo_r[ok_lo] - 1]
    hi[ok_hi] = s[hi_r[ok_hi] - 1]
    return QuantileEstimate(q, value, lo, hi, n, float(confidence), coverage, method)
