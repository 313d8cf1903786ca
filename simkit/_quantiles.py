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

from .errors import SimkitError

__all__ = [
    "QuantileEstimate",
    "order_statistic_ranks",
    "quantile_ci",
    "check_levels",
    "check_confidence",
]

#: Point-estimate methods accepted by :func:`quantile_ci` (numpy's names).
METHODS = ("linear", "inverted_cdf", "hazen", "weibull", "median_unbiased",
           "closest_observation", "lower", "higher", "nearest", "midpoint")


def check_confidence(confidence, name="confidence"):
    """Return ``confidence`` as a float in (0, 1) or raise :class:`SimkitError`.

    Examples
    --------
    >>> check_confidence(0.95)
    0.95
    """
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise SimkitError(f"`{name}` must be a number in (0, 1), got {confidence!r}") \
            from None
    if not 0.0 < c < 1.0:
        raise SimkitError(f"`{name}` must be a number in (0, 1), got {confidence!r}")
    return c


def check_levels(levels, name="levels", *, percent=False):
    """Return quantile levels as a 1-d float array of fractions in [0, 1].

    Parameters
    ----------
    levels : float or sequence of float
        The levels; fractions in [0, 1], or percentages in [0, 100] when
        ``percent`` is true.
    name : str
        Parameter name used in error messages.
    percent : bool
        Interpret ``levels`` as percentages.

    Returns
    -------
    ndarray
        Fractions, in the order given (duplicates are kept).

    Raises
    ------
    SimkitError
        If a level is not a finite number in range, or none is given.

    Examples
    --------
    >>> check_levels([5, 50, 95], percent=True)
    array([0.05, 0.5 , 0.95])
    """
    hi = 100.0 if percent else 1.0
    try:
        q = np.atleast_1d(np.asarray(levels, dtype=float))
    except (TypeError, ValueError):
        raise SimkitError(f"`{name}` must be numbers in [0, {hi:g}], got {levels!r}") \
            from None
    if q.ndim != 1 or q.size == 0 or not np.all(np.isfinite(q)) \
            or np.any(q < 0) or np.any(q > hi):
        raise SimkitError(f"`{name}` must be numbers in [0, {hi:g}], got {levels!r}")
    return q / 100.0 if percent else q


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
    q = np.asarray(q, dtype=float)
    confidence = check_confidence(confidence)
    lo, hi, coverage = _ranks(int(n), tuple(q.ravel().tolist()), float(confidence))
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
    if method not in METHODS:
        raise SimkitError(f"`method` must be one of {', '.join(METHODS)}, "
                          f"got {method!r}")
    q = check_levels(q, "q")
    a = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    n = a.shape[0]
    if n == 0:
        raise SimkitError("cannot estimate quantiles of an empty sample")
    if not np.all(np.isfinite(a)):
        raise SimkitError("cannot estimate quantiles: sample has NaN or infinite "
                          "values")
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
