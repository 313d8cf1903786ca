"""Counter-based random numbers for the kernels.

Every draw is a pure function of ``(key, path, index, purpose)`` (a *stream
seed*, see :func:`stream_seed`) and a counter inside that stream, so the numbers a
path sees do not depend on the thread that runs it, on how paths are chunked,
or on the backend. The generator is SplitMix64 evaluated at ``seed + counter *
golden``, which passes BigCrush; the mixer is SplitMix64's finalizer (Steele,
Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
Vigna, ``splitmix64.c``, prng.di.unimi.it, 2015).

Discrete draws (Poisson, binomial) use inversion of one uniform, so a larger
mean gives a count at least as large under the same uniform: strategies
compared on common random numbers stay ordered path by path.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._flags import NJ
from .vmath import vlog

_U64 = numba.uint64
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO53 = 1.0 / 9007199254740992.0
#: u + lam below this proves Poisson(lam) at u is 0 (see poisson_inv).
_ZERO_SURE = 1.0 - 1e-12

#: Purposes: each keeps its own counter space so that changing how many draws
#: one mechanism makes never shifts the draws of another. Constants that reach
#: jitted calls are numpy integers, not Python ints: numba compiles a callee
#: once more for every distinct Python-int literal argument.
P_NOTIFIED = np.int64(1)     # per notified viewer: arrival, segment, dwell
P_DISCOVERED = np.int64(2)   # per feed viewer: arrival, segment, dwell, follow
P_PARTNER = np.int64(3)      # per partner viewer: arrival, segment, dwell, follow
P_VIRAL = np.int64(4)        # per virality offspring (by key): arrival, segment, dwell,
                   # follow, offspring count
P_OFFSPRING = np.int64(5)    # offspring counts of notified, partner and feed viewers
P_COUNTS = np.int64(6)       # Poisson counts of arrivals (by source and hour)
P_GIFTS = np.int64(7)        # gift counts per (segment, catalogue item)
P_MERCH = np.int64(8)        # buyers and order values
P_DONATE = np.int64(9)       # donors and amounts
P_SCHEDULE = np.int64(10)    # ad-hoc days and hours, collaboration flags
P_DAILY = np.int64(11)       # organic growth, unfollows, brand offers (keyed by day)
P_SHOCK = np.int64(12)       # per stream: audience (counter 0) and gifting (1) shocks
P_SUBS = np.int64(13)        # per stream: subscriber viewers (0), sign-ups (1)
P_SUBVIEW = np.int64(14)     # per subscriber viewer: arrival, segment, dwell
P_MATCH = np.int64(15)       # per stream: matches, starts, opponents, match gifts
P_MATCHVIEW = np.int64(16)   # per opponent viewer: arrival, segment, dwell, follow

_NJ = NJ


@numba.njit(inline="always", **_NJ)
def mix(z):
    """SplitMix64 finalizer on uint64 (Steele, Lea and Flood, OOPSLA 2014)."""
    z = _U64(z)
    z = (z ^ (z >> _U64(30))) * _M1
    z = (z ^ (z >> _U64(27))) * _M2
    return z ^ (z >> _U64(31))


@numba.njit(**_NJ)
def stream_seed(key, path, index, purpose):
    """Seed of the counter stream for ``(key, path, index, purpose)``.

    ``index`` is the stream number for per-stream purposes and the day number
    for ``P_DAILY``.
    """
    h = mix(_U64(purpose) * GOLDEN + _U64(0x632BE59BD9B4E019))
    h = mix(_U64(index) ^ h)
    h = mix(_U64(path) ^ h)
    return mix(_U64(key) ^ h)


@numba.njit(inline="always", **_NJ)
def u01(seed, counter):
    """Uniform double in (0, 1) at ``counter`` of stream ``seed``."""
    z = mix(_U64(seed) + _U64(counter) * GOLDEN)
    return (float(z >> _U64(11)) + 0.5) * _TWO53


# Acklam's coefficients: central numerator/denominator (A, B), tails (C, D).
_A0, _A1, _A2 = -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02
_A3, _A4, _A5 = 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
_B0, _B1, _B2 = -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02
_B3, _B4 = 6.680131188771972e+01, -1.328068155288572e+01
_C0, _C1, _C2 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00
_C3, _C4, _C5 = -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
_D0, _D1, _D2 = 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00
_D3 = 3.754408661907416e+00
_P_TAIL = 0.02425


@numba.njit(inline="always", **_NJ)
def ndtri(p):
    """Standard normal quantile at ``p`` in (0, 1) (Acklam's rational
    approximation, relative error < 1.2e-9, increasing in ``p``).

    Branch-free, so that a loop of it vectorizes: both the central and the tail
    forms are evaluated and one is selected before the single division. The
    upper tail uses ``1 - p``, exact for ``p >= 0.5``.
    """
    q = p - 0.5
    r = q * q
    num_c = (((((_A0 * r + _A1) * r + _A2) * r + _A3) * r + _A4) * r + _A5) * q
    den_c = ((((_B0 * r + _B1) * r + _B2) * r + _B3) * r + _B4) * r + 1.0
    lower = p < 0.5
    pt = p if lower else 1.0 - p
    t = math.sqrt(-2.0 * vlog(pt))
    num_t = ((((_C0 * t + _C1) * t + _C2) * t + _C3) * t + _C4) * t + _C5
    num_t = num_t if lower else -num_t
    den_t = (((_D0 * t + _D1) * t + _D2) * t + _D3) * t + 1.0
    tail = pt < _P_TAIL
    return (num_t if tail else num_c) / (den_t if tail else den_c)


@numba.njit(**_NJ)
def poisson_inv(u, lam):
    """Poisson(``lam``) quantile at ``u``: the smallest k with CDF(k) >= u.

    Small means search up from 0; large means start at the mode, with the CDF
    there summed from the lower tail (12 standard deviations), so the cost is
    O(sqrt(lam)).
    """
    if lam <= 0.0:
        return 0
    if u + lam < _ZERO_SURE:
        # u < 1 - lam <= exp(-lam) with a margin far above the rounding of
        # exp, u + lam and 1 - lam: the count is 0 without evaluating exp
        # (the common case for offspring counts; same result bit for bit).
        return 0
    if lam < 30.0:
        p = math.exp(-lam)
        cdf = p
        k = 0
        while u > cdf and k < 1000:
            k += 1
            p *= lam / k
            cdf += p
        return k
    m = int(lam)
    pm = math.exp(-lam + m * math.log(lam) - math.lgamma(m + 1.0))
    lo = max(0, m - int(12.0 * math.sqrt(lam)) - 1)
    below = 0.0
    p = pm
    for k in range(m, lo, -1):
        p *= k / lam
        below += p
    cdf = below + pm
    if u <= cdf:
        k = m
        p = pm
        while k > 0:
            if u > cdf - p:
                return k
            cdf -= p
            p *= k / lam
            k -= 1
        return 0
    k = m
    p = pm
    while u > cdf:
        k += 1
        p *= lam / k
        cdf += p
        if p < 1e-300:
            break
    return k


@numba.njit(**_NJ)
def binom_inv(u, n, p):
    """Binomial(``n``, ``p``) quantile at ``u`` (inversion; O(sqrt(n p)) for large means).

    For large ``n p`` it starts at the mode with the CDF summed from 12
    standard deviations below, like :func:`poisson_inv`.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    q = 1.0 - p
    r = p / q
    mean = n * p
    if mean < 30.0:
        pk = math.exp(n * math.log1p(-p))
        cdf = pk
        k = 0
        while u > cdf and k < n:
            pk *= (n - k) / (k + 1.0) * r
            k += 1
            cdf += pk
            if pk < 1e-300 and k > mean:
                break
        return k
    m = int((n + 1) * p)
    if m > n:
        m = n
    pm = math.exp(math.lgamma(n + 1.0) - math.lgamma(m + 1.0) - math.lgamma(n - m + 1.0)
                  + m * math.log(p) + (n - m) * math.log1p(-p))
    sd = math.sqrt(mean * q)
    lo = max(0, m - int(12.0 * sd) - 1)
    below = 0.0
    pk = pm
    for k in range(m, lo, -1):
        pk *= k / ((n - k + 1.0) * r)
        below += pk
    cdf = below + pm
    if u <= cdf:
        k = m
        pk = pm
        while k > 0:
            if u > cdf - pk:
                return k
            cdf -= pk
            pk *= k / ((n - k + 1.0) * r)
            k -= 1
        return 0
    k = m
    pk = pm
    while u > cdf and k < n:
        pk *= (n - k) / (k + 1.0) * r
        k += 1
        cdf += pk
        if pk < 1e-300:
            break
    return k
