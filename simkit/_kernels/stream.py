"""One live stream: arrivals, dwell, segments, gifts, concurrency (docs/model.md §1).

Random-number layout (what ``tests/naive.py`` reproduces exactly): the stream
``si`` of path ``p`` uses the counter streams ``stream_seed(key, p, si, P_*)``:

* ``P_COUNTS``: counter 0 notified count, 1+j feed count of hour chunk j,
  30 partner count;
* ``P_NOTIFIED``: viewer i uses counters 3i (arrival), 3i+1 (segment), 3i+2 (dwell);
* ``P_DISCOVERED``, ``P_PARTNER``, ``P_VIRAL``: viewer i uses 4i (arrival),
  4i+1 (segment), 4i+2 (dwell), 4i+3 (follow);
* ``P_OFFSPRING``: the offspring count of viewer i of a source is drawn at
  counter ``OFF_<source> + i`` (offspring viewers are numbered in the order
  their cascades run: roots in the order above, each cascade depth first);
* ``P_GIFTS``: counter k * J + j for segment k and catalogue item j;
* ``P_MERCH`` / ``P_DONATE``: counter 0 the count, 1+b the b-th amount.

Cascades run after the viewer loops, root by root in viewer order (notified,
partner, feed): a viewer that may have offspring is buffered
(:func:`_hold_root`) instead of branching out of the loop, because the branch,
taken by about one viewer in five and unpredictable, cost more than the rest
of the viewer's work. The buffer size changes nothing but the order in which
floating-point minutes are summed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from . import layout as L
from .rng import (
    P_COUNTS, P_DISCOVERED, P_DONATE, P_GIFTS, P_MERCH, P_NOTIFIED, P_OFFSPRING,
    P_PARTNER, P_VIRAL, _NJ, _ZERO_SURE, binom_inv, n_offspring, ndtri, poisson_inv,
    stream_seed, u01,
)

# Slots of the per-stream result vector ``res``.
R_UNIQUE, R_NOTIFIED, R_DISCOVERED, R_NEWF, R_VM, R_PEAK = 0, 1, 2, 3, 4, 5
R_GIFTS, R_COINS, R_MERCH, R_DONATIONS = 6, 7, 8, 9
N_RES = 10
#: Feed arrivals are Poisson per hour chunk; counter of the partner count.
_C_PARTNER = 30
#: ``P_OFFSPRING`` counter of the first viewer of each source (viewer i of a
#: source draws its offspring count at its source's base + i).
OFF_NOTIFIED, OFF_PARTNER, OFF_DISCOVERED, OFF_VIRAL = 0, 1 << 40, 2 << 40, 3 << 40


@numba.njit(inline="always", **_NJ)
def dwell(th, u):
    """Dwell time (minutes) at uniform ``u`` for the scenario row ``th``.

    ``DWELL_A`` is the log-median (lognormal), the scale (Weibull) or the
    mean (exponential), engagement factor included; ``DWELL_B`` is sigma or the
    Weibull shape.
    """
    kind = th[L.DWELL_KIND]
    if kind == L.DWELL_LOGNORMAL:
        return math.exp(th[L.DWELL_A] + th[L.DWELL_B] * ndtri(u))
    if kind == L.DWELL_WEIBULL:
        return th[L.DWELL_A] * (-math.log1p(-u)) ** (1.0 / th[L.DWELL_B])
    return -th[L.DWELL_A] * math.log1p(-u)


@numba.njit(inline="always", **_NJ)
def segment(cum, u):
    """Index of the segment whose cumulative share first reaches ``u``."""
    k = 0
    n = cum.shape[0]
    while k < n - 1 and u > cum[k]:
        k += 1
    return k


@numba.njit(inline="always", **_NJ)
def _present(a, leave, diff, seg_min, k):
    """Record a viewer present on [a, leave): minutes by segment and the
    whole-minute presence grid (present at minute m iff a <= m < leave)."""
    seg_min[k] += leave - a
    diff[int(math.ceil(a))] += 1
    diff[int(math.ceil(leave))] -= 1
    return leave - a


@numba.njit(_nrt=False, **_NJ)
def _dfs(stack, top, th, cum_n, seg_min, diff, horizon_t, seeds, ctr, acc):
    """Run the depth-first cascade on ``stack`` (``top`` rows in use).

    Returns 0 when the cascade is finished, or ``stack.shape[0]`` when a push
    filled the stack: the caller then copies it into a larger one and calls
    again, which continues exactly where this call stopped. The stack is never
    reassigned here, so the hot loop does no reference counting.
    """
    beta = th[L.VIRAL_BETA]
    phi = th[L.PHI]
    seed_off, seed_vir = seeds[0], seeds[1]
    cap = stack.shape[0]
    while top > 0:
        a, lv = stack[top - 1, 0], stack[top - 1, 1]
        stack[top - 1, 2] -= 1
        if stack[top - 1, 2] <= 0:
            top -= 1
        v = ctr[0]
        ctr[0] += 1
        base = 4 * v
        ac = a + (lv - a) * u01(seed_vir, base)
        k = segment(cum_n, u01(seed_vir, base + 1))
        lc = min(ac + dwell(th, u01(seed_vir, base + 2)), horizon_t)
        acc[0] += _present(ac, lc, diff, seg_min, k)
        if u01(seed_vir, base + 3) < phi:
            acc[1] += 1.0
        acc[2] += 1.0
        c = n_offspring(u01(seed_off, OFF_VIRAL + v), beta * (lc - ac))
        if c > 0:
            stack[top, 0], stack[top, 1], stack[top, 2] = ac, lc, c
            top += 1
            if top == cap:
                return top
    return 0


@numba.njit(**_NJ)
def _cascade_grown(stack, th, cum_n, seg_min, diff, horizon_t, seeds, ctr, acc):
    """Continue a cascade whose full ``stack`` did not hold it, on ever larger
    copies (rare; this function allocates, :func:`_dfs` cannot)."""
    top = stack.shape[0]
    while top > 0:
        bigger = np.empty((2 * top, 3))
        bigger[:top] = stack[:top]
        stack = bigger
        top = _dfs(stack, top, th, cum_n, seg_min, diff, horizon_t, seeds, ctr, acc)


@numba.njit(_nrt=False, **_NJ)
def _flush_roots(roots, m, th, cum_n, seg_min, diff, horizon_t, stack, seeds, ctr,
                 acc):
    """Draw the offspring of the ``m`` candidate roots held in ``roots`` (rows of
    arrival, leave, offspring uniform), in order, and run their cascades.

    Each viewer present brings feed viewers at rate ``beta`` per minute, so a
    viewer staying ``s`` minutes has Poisson(beta s) offspring, arriving
    uniformly while it is present; offspring have offspring in turn (depth
    first, on ``stack``: rows of (arrival, leave, children left)).

    Returns 0, or the ``stack`` row count when a cascade outgrew it: the caller
    then finishes that cascade with :func:`_cascade_grown` and calls again with
    the rows after ``ctr[1]``, the index of the root whose cascade was cut.
    """
    beta = th[L.VIRAL_BETA]
    for r in range(ctr[1], m):
        a0, l0 = roots[r, 0], roots[r, 1]
        c = poisson_inv(roots[r, 2], beta * (l0 - a0))
        if c > 0:
            stack[0, 0], stack[0, 1], stack[0, 2] = a0, l0, c
            if _dfs(stack, 1, th, cum_n, seg_min, diff, horizon_t, seeds, ctr, acc):
                ctr[1] = r + 1
                return stack.shape[0]
    return 0


@numba.njit(**_NJ)
def _run_roots(roots, m, th, cum_n, seg_min, diff, horizon_t, stack, seeds, ctr,
               acc):
    """Run the cascades of the ``m`` buffered roots (see :func:`_flush_roots`)."""
    ctr[1] = 0
    while _flush_roots(roots, m, th, cum_n, seg_min, diff, horizon_t, stack, seeds,
                       ctr, acc):
        _cascade_grown(stack, th, cum_n, seg_min, diff, horizon_t, seeds, ctr, acc)
    return 0


@numba.njit(inline="always", **_NJ)
def _hold_root(roots, m, ar, lv, u, beta):
    """Buffer a viewer as a candidate cascade root; return the new row count.

    The row is always written and kept only when ``u`` may give offspring (the
    zero test of :func:`n_offspring`), without a branch: most viewers have no
    offspring, and an unpredictable branch per viewer costs more than the
    write.
    """
    roots[m, 0] = ar
    roots[m, 1] = lv
    roots[m, 2] = u
    keep = u + beta * (lv - ar) >= _ZERO_SURE
    return m + (1 if keep else 0)


@numba.njit(**_NJ)
def simulate_stream(th, activity, wdf, cum_f, cum_n, seg_rate, seg_w, coins,
                    key, path, si, followers, habit, duration, hour, weekday,
                    collab, promo, diff, seg_min, stack, roots, res, curve):
    """Simulate stream ``si`` of ``path``; fill ``res`` (see ``R_*``) and ``curve``.

    Parameters
    ----------
    th : float64[:]
        The scenario's packed parameters (``layout``).
    activity, wdf : float64[:]
        Hourly activity a(h) (24) and weekday factors (7).
    cum_f, cum_n : float64[:]
        Cumulative segment shares of notified viewers and of newcomers.
    seg_rate : float64[:]
        Gift rate per minute of each segment (times g(e)).
    seg_w, coins : float64[:, :], int64[:]
        Pick probability of each catalogue item by segment, and coin values.
    followers, habit, duration : float
        F, H and T of this stream.
    hour, weekday : int
        Start hour and weekday.
    collab : bool
        Whether the partner's followers are notified too.
    promo : float
        Promotion multiplier P.
    diff, seg_min, stack, roots : arrays
        Scratch (zeroed on return): presence grid (>= ceil(T) + 2), minutes by
        segment, virality stack (>= 2 rows), cascade-root buffer (rows of 3).
    res : float64[:]
        Output (``N_RES``).
    curve : float64[:]
        Concurrency at each whole minute (length 0 to skip).

    Returns
    -------
    stack : float64[:, :]
        The virality stack passed in (deeper cascades use temporary copies).
    """
    t_int = int(math.ceil(duration))
    a = activity[hour] * wdf[weekday]
    seed_counts = stream_seed(key, path, si, P_COUNTS)
    seeds = np.empty(2, dtype=np.uint64)
    seeds[0] = stream_seed(key, path, si, P_OFFSPRING)
    seeds[1] = stream_seed(key, path, si, P_VIRAL)
    seed_off = seeds[0]
    ctr = np.zeros(2, dtype=np.int64)   # offspring viewers so far, next root to run
    acc = np.zeros(3)           # viewer-minutes, follows, offspring (cascades)
    beta = th[L.VIRAL_BETA]
    viral = beta > 0.0
    kappa = th[L.KAPPA]
    phi = th[L.PHI]
    trunc = -math.expm1(-kappa * duration)   # P(notified arrival <= T)
    cap = roots.shape[0]
    m = 0                       # candidate roots buffered
    vm = 0.0
    newf = 0.0

    # Notified followers: Poisson(F r a H P), arrivals Exp(kappa) truncated to [0, T].
    seed = stream_seed(key, path, si, P_NOTIFIED)
    n_not = poisson_inv(u01(seed_counts, 0),
                        followers * th[L.JOIN] * a * habit * promo * trunc)
    ff = th[L.FOLLOWER_FACTOR]
    for i in range(n_not):
        c = 3 * i
        ar = -math.log(1.0 - u01(seed, c) * trunc) / kappa
        k = segment(cum_f, u01(seed, c + 1))
        lv = min(ar + ff * dwell(th, u01(seed, c + 2)), duration)
        vm += _present(ar, lv, diff, seg_min, k)
        if viral:
            m = _hold_root(roots, m, ar, lv, u01(seed_off, OFF_NOTIFIED + i), beta)
            if m == cap:
                m = _run_roots(roots, m, th, cum_n, seg_min, diff, duration, stack,
                               seeds, ctr, acc)

    # Partner's followers on a joint stream: like notified, but newcomers.
    n_par = 0
    if collab:
        seed = stream_seed(key, path, si, P_PARTNER)
        n_par = poisson_inv(u01(seed_counts, _C_PARTNER),
                            th[L.PARTNER_F] * th[L.JOIN] * th[L.INTEREST] * a * promo
                            * trunc)
        for i in range(n_par):
            c = 4 * i
            ar = -math.log(1.0 - u01(seed, c) * trunc) / kappa
            k = segment(cum_n, u01(seed, c + 1))
            lv = min(ar + dwell(th, u01(seed, c + 2)), duration)
            vm += _present(ar, lv, diff, seg_min, k)
            if u01(seed, c + 3) < phi:
                newf += 1.0
            if viral:
                m = _hold_root(roots, m, ar, lv, u01(seed_off, OFF_PARTNER + i), beta)
                if m == cap:
                    m = _run_roots(roots, m, th, cum_n, seg_min, diff, duration,
                                   stack, seeds, ctr, acc)

    # Feed discovery: Poisson with rate mu a(hour) in each hour chunk.
    seed = stream_seed(key, path, si, P_DISCOVERED)
    n_dis = 0
    n_chunks = (t_int + 59) // 60
    for j in range(n_chunks):
        t0 = 60.0 * j
        length = min(60.0, duration - t0)
        rate = th[L.MU] * activity[(hour + j) % 24] * wdf[weekday]
        n_j = poisson_inv(u01(seed_counts, 1 + j), rate * length)
        for i in range(n_dis, n_dis + n_j):
            c = 4 * i
            ar = t0 + length * u01(seed, c)
            k = segment(cum_n, u01(seed, c + 1))
            lv = min(ar + dwell(th, u01(seed, c + 2)), duration)
            vm += _present(ar, lv, diff, seg_min, k)
            if u01(seed, c + 3) < phi:
                newf += 1.0
            if viral:
                m = _hold_root(roots, m, ar, lv, u01(seed_off, OFF_DISCOVERED + i),
                               beta)
                if m == cap:
                    m = _run_roots(roots, m, th, cum_n, seg_min, diff, duration,
                                   stack, seeds, ctr, acc)
        n_dis += n_j
    if m > 0:
        _run_roots(roots, m, th, cum_n, seg_min, diff, duration, stack, seeds, ctr,
                   acc)

    # Concurrency at whole minutes, and its peak; clear the grid.
    level = 0.0
    peak = 0.0
    for m in range(t_int):
        level += diff[m]
        if level > peak:
            peak = level
        if curve.shape[0] > 0:
            curve[m] = level
    diff[: t_int + 2] = 0

    # Gifts: given the minutes each segment watched, gifts of item j by segment
    # k are Poisson(rho_k g(e) minutes_k w_kj), independent over (k, j).
    seed = stream_seed(key, path, si, P_GIFTS)
    n_items = int(th[L.N_GIFTS])   # this scenario's catalogue, not the batch padding
    gifts = 0.0
    coin_sum = 0.0
    for k in range(seg_min.shape[0]):
        lam_k = seg_rate[k] * seg_min[k]
        seg_min[k] = 0.0
        if lam_k <= 0.0:
            continue
        for j in range(n_items):
            g = poisson_inv(u01(seed, k * n_items + j), lam_k * seg_w[k, j])
            gifts += g
            coin_sum += g * coins[j]

    unique = n_not + n_par + n_dis + acc[2]
    merch = _lognormal_total(stream_seed(key, path, si, P_MERCH), int(unique),
                             th[L.MERCH_P], th[L.MERCH_LOGMED], th[L.MERCH_SIGMA],
                             th[L.MERCH_MARGIN], 0.0, 0.0)
    don = _lognormal_total(stream_seed(key, path, si, P_DONATE), int(unique),
                           th[L.DON_P], th[L.DON_LOGMED], th[L.DON_SIGMA], 1.0,
                           th[L.DON_FEE_RATE], th[L.DON_FEE_USD])
    res[R_UNIQUE] = unique
    res[R_NOTIFIED] = n_not + n_par
    res[R_DISCOVERED] = n_dis + acc[2]
    res[R_NEWF] = newf + acc[1]
    res[R_VM] = vm + acc[0]
    res[R_PEAK] = peak
    res[R_GIFTS] = gifts
    res[R_COINS] = coin_sum
    res[R_MERCH] = merch
    res[R_DONATIONS] = don
    return stack


@numba.njit(**_NJ)
def _lognormal_total(seed, n, p, logmed, sigma, keep, fee_rate, fee_usd):
    """Sum over Binomial(n, p) buyers/donors of ``keep * X - fees`` (X lognormal).

    The net amount of each is ``max(keep * X * (1 - fee_rate) - fee_usd, 0)``.
    """
    m = binom_inv(u01(seed, 0), n, p)
    total = 0.0
    for b in range(m):
        x = keep * math.exp(logmed + sigma * ndtri(u01(seed, 1 + b)))
        net = x * (1.0 - fee_rate) - fee_usd
        if net > 0.0:
            total += net
    return total
