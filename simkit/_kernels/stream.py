"""One live stream: arrivals, dwell, segments, gifts, concurrency (docs/model.md §1).

The interface: :func:`run_stream` ``(sc, st, ws, key, path, si, res, curve)``
simulates stream ``si`` of ``path``. ``sc`` (:data:`Scenario`) holds the
scenario's arrays, ``st`` (:data:`Stream`) what the horizon knows about the
stream (followers, start, duration, shocks), ``ws`` (:data:`Workspace`, made
once per path by :func:`make_workspace`) every scratch array; the results go
to ``res`` (slots ``layout.R_*``) and ``curve``. Inside, each source of viewers
(notified followers, subscribers, the partner's and the match partner's
followers, a feed chunk, offspring) is a :data:`Source` with named fields, and
what all viewers of the stream share is one ``_Ctx``: the helpers take
``(ctx, src, ws)`` and a few counts.

Random-number layout (what ``tests/naive.py`` reproduces exactly): the stream
``si`` of path ``p`` uses the counter streams ``stream_seed(key, p, si, P_*)``:

* ``P_COUNTS``: counter 0 notified count, 1+j feed count of hour chunk j,
  30 partner count;
* ``P_NOTIFIED``: viewer i uses counters 3i (arrival), 3i+1 (segment), 3i+2 (dwell);
* ``P_DISCOVERED``, ``P_PARTNER``: viewer i uses 4i (arrival), 4i+1 (segment),
  4i+2 (dwell), 4i+3 (follow);
* ``P_OFFSPRING``: viewer i of a source has the *viewer key*
  ``OFF_<source> + i`` and draws its offspring count at that counter;
* ``P_VIRAL``: the j-th offspring of a viewer with key K has the key
  ``k = child_key(K, j)`` and draws at counters 5k (arrival), 5k+1 (segment),
  5k+2 (dwell), 5k+3 (follow), 5k+4 (its own offspring count), mod 2**64;
* ``P_GIFTS``: counter k * J + j for segment k and catalogue item j;
* ``P_MERCH`` / ``P_DONATE``: counter 0 the count, 1+b the b-th amount;
* ``P_SUBS``: counter 0 the subscriber-viewer count, 1 the sign-ups;
  ``P_SUBVIEW``: subscriber viewer i uses 3i, 3i+1, 3i+2 (as notified);
* ``P_MATCH``: counter 0 the match count, 1+w the start of match w,
  ``C_MATCH_PARTNER + w`` its opponent count, ``C_MATCH_GIFTS + k * J + j``
  the match-minute gifts; ``P_MATCHVIEW``: opponent viewer i uses 4i .. 4i+3.

Every viewer's draws are keyed by who it is, not by when it is simulated, so
the order in which cascades run changes nothing but the order of
floating-point sums, and a cascade is shared by two strategies whenever its
root viewer is.

How it runs fast: viewers are drawn a block at a time (:func:`_draw_source`,
:func:`_draw_children`) in loops of plain arithmetic that compile to SIMD code
(``vmath`` supplies a vectorizable exp and log), then recorded one by one
(:func:`_record`: segment, presence grid, follows). A viewer that may have
offspring is held on a stack without a branch; the cascades run from that
stack (:func:`_cascades`) after the viewer loops or when it fills, their
offspring drawn in blocks too.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from . import layout as L
from .layout import (  # noqa: F401  (result slots, re-exported for tests)
    N_RES, R_COINS, R_DISCOVERED, R_DONATIONS, R_GIFTERS, R_GIFTS, R_MATCH_COINS,
    R_MERCH, R_NEWF, R_NEWSUBS, R_NOTIFIED, R_PEAK, R_UNIQUE, R_VM,
)
from .rng import (
    P_COUNTS, P_DISCOVERED, P_DONATE, P_GIFTS, P_MATCH, P_MATCHVIEW, P_MERCH,
    P_NOTIFIED, P_OFFSPRING, P_PARTNER, P_SUBS, P_SUBVIEW, P_VIRAL, _NJ, _ZERO_SURE,
    GOLDEN, binom_inv, mix, ndtri, poisson_inv, stream_seed, u01,
)
from .vmath import vexp, vlog

#: At most this many LIVE Matches per stream (more are dropped); rows of ``win``.
MAX_MATCHES = 32
#: Counters of the ``P_MATCH`` stream: 0 the match count, 1 + w the start of
#: match w, C_MATCH_PARTNER + w its partner count, C_MATCH_GIFTS + k J + j the
#: gifts of item j by segment k in match minutes.
C_MATCH_PARTNER, C_MATCH_GIFTS = 64, 128
#: Feed arrivals are Poisson per hour chunk; counter of the partner count.
_C_PARTNER = 30
#: Viewer key of the first viewer of each source (viewer i has key base + i).
OFF_NOTIFIED, OFF_PARTNER, OFF_DISCOVERED = (np.int64(0), np.int64(1 << 40),
                                             np.int64(2 << 40))
OFF_SUBSCRIBER, OFF_MATCH = np.int64(3 << 40), np.int64(4 << 40)
_ZERO = np.int64(0)   # a non-literal 0 for jitted calls (see rng.P_NOTIFIED)
#: Rows of the viewer block ``vbuf``: arrival, leave, segment uniform, follow
#: uniform, offspring uniform, the parent's arrival and leave (offspring), and
#: the minutes in LIVE Match windows.
V_AR, V_LV, V_US, V_UF, V_UO, V_PA, V_PL, V_OV = 0, 1, 2, 3, 4, 5, 6, 7
N_V = 8
_U64 = numba.uint64

#: One scenario's arrays as the kernels read them (``theta`` and ``seg_rate``:
#: the row of the path being simulated); see :func:`run_stream`.
Scenario = namedtuple("Scenario", [
    "th",        # float64[N_THETA]: packed parameters (layout)
    "activity",  # float64[24]: hourly activity a(h)
    "wdf",       # float64[7]: weekday factors
    "cum_f",     # float64[K]: cumulative segment shares of notified followers
    "cum_n",     # float64[K]: ... of newcomers
    "seg_rate",  # float64[K]: gift rate per minute of each segment (times g(e))
    "seg_w",     # float64[K, J]: pick probability of catalogue item j by segment
    "coins",     # int64[J]: coin value of each catalogue item
])

#: What the horizon tells :func:`run_stream` about one stream.
Stream = namedtuple("Stream", [
    "followers",  # F at the start of the stream
    "subs",       # paying subscribers S (part of F; 0 without LIVE Subscriptions)
    "habit",      # habit multiplier H
    "duration",   # T, minutes
    "hour",       # start hour (int)
    "weekday",    # 0-6 (int)
    "collab",     # bool: the partner's followers are notified too
    "promo",      # promotion multiplier P
    "x_aud",      # audience shock: multiplies every arrival rate (1.0: none)
    "x_gift",     # gifting shock: multiplies every gift rate (1.0: none)
])

#: Scratch arrays of one thread, made once per path by :func:`make_workspace`
#: and reused by every stream (each stream leaves them as it found them where
#: that matters: ``diff``, ``seg_min``, ``seg_mm`` zeroed). Their sizes change
#: only the order of floating-point sums, never a draw.
Workspace = namedtuple("Workspace", [
    "diff",     # float64[>= ceil(T) + 2]: presence grid, +1 at arrival, -1 at leave
    "seg_min",  # float64[K]: gift-weighted minutes by segment outside matches
    "seg_mm",   # float64[K]: ... inside LIVE Match windows
    "grate",    # float64[K]: gift rate per minute by segment, gifting shock included
    "acc",      # float64[4]: viewer-minutes, follows, offspring, expected gifters
    "win",      # float64[2 MAX_MATCHES, 2]: match windows (rows MAX_MATCHES..:
                # as drawn; rows 0..: their union, disjoint)
    "held",     # float64[H, 3]: stack of viewers that may have offspring
                # (arrival, leave, offspring uniform); H >= the block size
    "hkeys",    # uint64[H]: their viewer keys
    "vbuf",     # float64[N_V, B]: one block of B viewers (rows V_*)
    "kbuf",     # uint64[B]: their viewer keys
])

#: What every viewer of one stream shares (made by :func:`run_stream`).
_Ctx = namedtuple("_Ctx", [
    "th", "duration",
    "trunc",     # P(notified arrival <= T) = 1 - exp(-KAPPA T)
    "cum_n",     # newcomers' cumulative segment shares (offspring use them)
    "nwin",      # rows of ws.win in use (disjoint match windows)
    "seed_off",  # counter stream of the offspring counts (P_OFFSPRING)
    "seed_vir",  # counter stream of the offspring (P_VIRAL)
])

#: One source of viewers: what :func:`_draw_source` draws and :func:`_record`
#: records. Viewer i of a source draws at counters ``stride i + 0, 1, 2``
#: (arrival, segment, dwell) and, when it ``follows``, ``4 i + 3`` (follow).
Source = namedtuple("Source", [
    "seed",          # its counter stream (stream_seed(key, path, si, P_*))
    "key_base",      # viewer key of its viewer 0 (OFF_*), for the offspring draws
    "follows",       # bool: newcomers who may follow (stride 4), else 3
    "notified",      # bool: arrivals Exp(KAPPA) truncated to [0, T] after the
                     # notification, else uniform on [t0, t0 + length)
    "t0", "length",  # the arrival window when not notified
    "dwell_factor",  # multiplies the dwell (FOLLOWER_FACTOR for followers)
    "cum",           # cumulative segment shares of its viewers
    "gift_weight",   # multiplies its viewers' gift rates (SUB_GIFT: subscribers)
])


@numba.njit(**_NJ)
def make_workspace(n_seg, minutes, block, held_rows):
    """Scratch arrays (:data:`Workspace`) for streams of up to ``minutes``
    minutes with ``n_seg`` segments, viewers drawn ``block`` at a time and a
    held-viewer stack of ``held_rows`` rows (at least ``block``).

    Examples
    --------
    >>> ws = make_workspace(4, 60, 8, 8)
    >>> ws.diff.shape, ws.vbuf.shape, ws.held.shape
    ((62,), (8, 8), (8, 3))
    """
    return Workspace(np.zeros(minutes + 2), np.zeros(n_seg), np.zeros(n_seg),
                     np.empty(n_seg), np.zeros(4), np.empty((2 * MAX_MATCHES, 2)),
                     np.empty((held_rows, 3)), np.empty(held_rows, dtype=np.uint64),
                     np.empty((N_V, block)), np.empty(block, dtype=np.uint64))


@numba.njit(inline="always", **_NJ)
def _dwell_lognormal(logmed, sigma, u):
    return vexp(logmed + sigma * ndtri(u))


@numba.njit(inline="always", **_NJ)
def _dwell_weibull(scale, shape, u):
    # (-ln(1 - u))^(1/k); 0.0 - x keeps -ln(1) = +0.0 (vlog(-0.0) is garbage).
    return scale * vexp(vlog(0.0 - vlog(1.0 - u)) / shape)


@numba.njit(inline="always", **_NJ)
def _dwell_exponential(mean, u):
    return mean * (0.0 - vlog(1.0 - u))


@numba.njit(**_NJ)
def _dwell_block(th, factor, u, n):
    """``u[b] = factor * D(u[b])`` for ``b < n``: the dwell at each uniform,
    one loop per family so that each loop vectorizes.

    ``DWELL_A`` is the log-median (lognormal), the scale (Weibull) or the mean
    (exponential), engagement factor included; ``DWELL_B`` is sigma or the
    Weibull shape. Every family is increasing in ``u``.
    """
    kind = th[L.DWELL_KIND]
    a, b_ = th[L.DWELL_A], th[L.DWELL_B]
    if kind == L.DWELL_LOGNORMAL:
        for b in range(n):
            u[b] = factor * _dwell_lognormal(a, b_, u[b])
    elif kind == L.DWELL_WEIBULL:
        for b in range(n):
            u[b] = factor * _dwell_weibull(a, b_, u[b])
    else:
        for b in range(n):
            u[b] = factor * _dwell_exponential(a, u[b])


@numba.njit(inline="always", **_NJ)
def segment(cum, u):
    """Index of the segment whose cumulative share first reaches ``u``."""
    k = 0
    n = cum.shape[0]
    while k < n - 1 and u > cum[k]:
        k += 1
    return k


@numba.njit(inline="always", **_NJ)
def child_key(key, j):
    """Viewer key of the ``j``-th offspring of the viewer with key ``key``."""
    return mix(_U64(key) + _U64(j + 1) * GOLDEN)


@numba.njit(inline="always", **_NJ)
def _draw_source(ctx, src, ws, i0, n):
    """Draw viewers ``i0 .. i0 + n - 1`` of the source ``src`` into ``ws.vbuf``
    and ``ws.kbuf``. Each loop is plain arithmetic over the block (no branch
    inside), so it vectorizes."""
    th = ctx.th
    seed = src.seed
    stride = _U64(4) if src.follows else _U64(3)
    ar, lv, us = ws.vbuf[V_AR], ws.vbuf[V_LV], ws.vbuf[V_US]
    for b in range(n):
        ar[b] = u01(seed, stride * _U64(i0 + b))
    if src.notified:
        # Truncated Exp(kappa) by inversion: -ln(1 - u (1 - e^{-kappa T})) / kappa.
        scale = -1.0 / th[L.KAPPA]
        trunc = ctx.trunc
        for b in range(n):
            ar[b] = scale * vlog(1.0 - ar[b] * trunc)
    else:
        t0, length = src.t0, src.length
        for b in range(n):
            ar[b] = t0 + length * ar[b]
    for b in range(n):
        us[b] = u01(seed, stride * _U64(i0 + b) + _U64(1))
    for b in range(n):
        lv[b] = u01(seed, stride * _U64(i0 + b) + _U64(2))
    _dwell_block(th, src.dwell_factor, lv, n)
    _leave(ar, lv, n, ctx.duration)
    if src.follows:
        uf = ws.vbuf[V_UF]
        for b in range(n):
            uf[b] = u01(seed, _U64(4) * _U64(i0 + b) + _U64(3))
    if th[L.VIRAL_BETA] > 0.0:
        uo, kbuf, seed_off = ws.vbuf[V_UO], ws.kbuf, ctx.seed_off
        for b in range(n):
            kbuf[b] = _U64(src.key_base) + _U64(i0 + b)
            uo[b] = u01(seed_off, kbuf[b])


@numba.njit(inline="always", **_NJ)
def _draw_children(ctx, ws, n):
    """Draw the ``n`` offspring whose keys are in ``ws.kbuf`` and parents' stays
    in the ``V_PA`` / ``V_PL`` rows: each arrives uniformly while its parent is
    present. Vectorized like :func:`_draw_source`."""
    vbuf, kbuf, seed_vir = ws.vbuf, ws.kbuf, ctx.seed_vir
    ar, lv, us, uf, uo = vbuf[V_AR], vbuf[V_LV], vbuf[V_US], vbuf[V_UF], vbuf[V_UO]
    pa, pl = vbuf[V_PA], vbuf[V_PL]
    five = _U64(5)
    for b in range(n):
        ar[b] = pa[b] + (pl[b] - pa[b]) * u01(seed_vir, five * kbuf[b])
    for b in range(n):
        us[b] = u01(seed_vir, five * kbuf[b] + _U64(1))
    for b in range(n):
        lv[b] = u01(seed_vir, five * kbuf[b] + _U64(2))
    _dwell_block(ctx.th, 1.0, lv, n)
    _leave(ar, lv, n, ctx.duration)
    for b in range(n):
        uf[b] = u01(seed_vir, five * kbuf[b] + _U64(3))
    for b in range(n):
        uo[b] = u01(seed_vir, five * kbuf[b] + _U64(4))


@numba.njit(inline="always", **_NJ)
def _leave(ar, lv, n, duration):
    """``lv[b] = min(ar[b] + lv[b], T)``: leave time from arrival and dwell."""
    for b in range(n):
        x = ar[b] + lv[b]
        lv[b] = x if x < duration else duration


@numba.njit(inline="always", **_NJ)
def _record(ctx, src, ws, n, m):
    """Record the ``n`` drawn viewers of ``ws.vbuf`` (of the source ``src``)
    one by one: segment, minutes by segment, the whole-minute presence grid
    (present at minute m iff arrival <= m < leave), viewer-minutes and follows
    (into ``ws.acc``); hold those that may have offspring on ``ws.held`` /
    ``ws.hkeys`` (from row ``m``).

    ``ws.seg_min`` gets the minutes times the source's gift weight. With
    ``ctx.nwin`` LIVE Match windows (disjoint rows ``[start, end)`` of
    ``ws.win``), each viewer's minutes inside them move from ``seg_min`` to
    ``seg_mm``.

    ``acc[3]`` gets the expected number of gifters, without a draw: a viewer
    of segment k present s minutes, m of them in matches, sends at least one
    gift with probability ``1 - exp(-grate[k] gw (s + (boost - 1) m))``.

    Returns the new row count of ``held``, which must have ``n`` free rows.
    A viewer is held when its offspring uniform fails the zero test of
    :func:`~simkit._kernels.rng.poisson_inv`; the row is written either way,
    so that no unpredictable branch breaks the loop.
    """
    th, vbuf, kbuf, held, hkeys = ctx.th, ws.vbuf, ws.kbuf, ws.held, ws.hkeys
    diff, seg_min, grate = ws.diff, ws.seg_min, ws.grate
    cum, follows, gw = src.cum, src.follows, src.gift_weight
    ar, lv, us, uf, uo = vbuf[V_AR], vbuf[V_LV], vbuf[V_US], vbuf[V_UF], vbuf[V_UO]
    beta = th[L.VIRAL_BETA]
    phi = th[L.PHI]
    vm = 0.0
    newf = 0.0
    gifters = 0.0
    for b in range(n):
        a, leave = ar[b], lv[b]
        stay = leave - a
        vm += stay
        k = segment(cum, us[b])
        seg_min[k] += stay * gw
        if grate[k] > 0.0:   # most viewers never gift: skip their expm1
            gifters -= math.expm1(-grate[k] * gw * stay)
        diff[int(math.ceil(a))] += 1
        diff[int(math.ceil(leave))] -= 1
        if follows:
            newf += 1.0 if uf[b] < phi else 0.0
        if beta > 0.0:
            held[m, 0], held[m, 1], held[m, 2] = a, leave, uo[b]
            hkeys[m] = kbuf[b]
            m += 1 if uo[b] + beta * stay >= _ZERO_SURE else 0
    acc = ws.acc
    acc[0] += vm
    acc[1] += newf
    nwin = ctx.nwin
    if nwin > 0:
        # Overlaps window by window in branch-free loops (they vectorize), then
        # move the minutes of the viewers that saw a match.
        win, seg_mm = ws.win, ws.seg_mm
        ov = vbuf[V_OV]
        for b in range(n):
            ov[b] = 0.0
        for w in range(nwin):
            w0, w1 = win[w, 0], win[w, 1]
            for b in range(n):
                ov[b] += max(min(lv[b], w1) - max(ar[b], w0), 0.0)
        extra = th[L.MATCH_BOOST] - 1.0
        for b in range(n):
            if ov[b] > 0.0:
                k = segment(cum, us[b])
                seg_min[k] -= ov[b] * gw
                seg_mm[k] += ov[b] * gw
                if grate[k] > 0.0:
                    lam = grate[k] * gw * (lv[b] - ar[b])
                    gifters += math.expm1(-lam) - math.expm1(
                        -lam - grate[k] * gw * extra * ov[b])
    acc[3] += gifters
    return m


@numba.njit(**_NJ)
def _cascades(ctx, ws, m):
    """Run the cascades of the ``m`` viewers held on ``ws.held`` / ``ws.hkeys``
    (rows of arrival, leave, offspring uniform; viewer keys) until none is left.

    Each viewer present brings feed viewers at rate ``beta`` per minute, so a
    viewer staying ``s`` minutes has Poisson(beta s) offspring, arriving
    uniformly while it is present; offspring are newcomers and have offspring
    in turn. Offspring are drawn a block at a time and held in turn; when the
    stack cannot take a block it continues on a larger copy (rare; the copy is
    dropped at the end). ``acc[2]`` counts the offspring.
    """
    beta = ctx.th[L.VIRAL_BETA]
    block = ws.vbuf.shape[1]
    pa, pl, kbuf = ws.vbuf[V_PA], ws.vbuf[V_PL], ws.kbuf
    held, hkeys = ws.held, ws.hkeys
    # Offspring are newcomers who may follow, with the plain gift rate.
    kids = Source(ctx.seed_vir, _ZERO, True, False, 0.0, 0.0, 1.0, ctx.cum_n, 1.0)
    nb = 0
    cur_a = cur_l = 0.0
    cur_key = _U64(0)
    cur_c = j = 0
    while True:
        # Fill a block with offspring, popping parents as needed.
        while nb < block:
            if j < cur_c:
                pa[nb], pl[nb] = cur_a, cur_l
                kbuf[nb] = child_key(cur_key, j)
                nb += 1
                j += 1
            elif m > 0:
                m -= 1
                cur_a, cur_l, cur_key = held[m, 0], held[m, 1], hkeys[m]
                cur_c = poisson_inv(held[m, 2], beta * (cur_l - cur_a))
                j = 0
            else:
                break
        if nb == 0:
            return
        _draw_children(ctx, ws, nb)
        if m + nb > held.shape[0]:
            bigger = np.empty((2 * (m + nb), 3))
            bigger_keys = np.empty(2 * (m + nb), dtype=np.uint64)
            for r in range(m):   # element copy: a slice copy costs compile time
                for c in range(3):
                    bigger[r, c] = held[r, c]
                bigger_keys[r] = hkeys[r]
            held, hkeys = bigger, bigger_keys
            ws = Workspace(ws.diff, ws.seg_min, ws.seg_mm, ws.grate, ws.acc, ws.win,
                           held, hkeys, ws.vbuf, kbuf)
        m = _record(ctx, kids, ws, nb, m)
        ws.acc[2] += nb
        nb = 0


@numba.njit(**_NJ)
def _source(ctx, src, ws, i0, n, m):
    """Viewers ``i0 .. i0 + n - 1`` of the source ``src`` a block at a time:
    draw, record, and run the held cascades whenever the stack could not take
    another block. Returns the new row count of ``ws.held`` (``m`` on entry)."""
    block = ws.vbuf.shape[1]
    for start in range(i0, i0 + n, block):
        nb = min(block, i0 + n - start)
        if m + nb > ws.held.shape[0]:
            _cascades(ctx, ws, m)
            m = _ZERO
        _draw_source(ctx, src, ws, start, nb)
        m = _record(ctx, src, ws, nb, m)
    return m


@numba.njit(**_NJ)
def _draw_matches(th, mseed, duration, win):
    """LIVE Match windows of a stream into ``win``; returns their count.

    The count is Poisson(``MATCH_N``) or, with ``MATCH_FIXED``, floor(m) plus
    one with probability frac(m) (counter 0), at most :data:`MAX_MATCHES`;
    match w starts uniformly on ``[0, T - L]`` (counter 1 + w) and lasts
    ``L = min(MATCH_LEN, T)``. Rows come back sorted by start.
    """
    mean = th[L.MATCH_N]
    u = u01(mseed, 0)
    if th[L.MATCH_FIXED] > 0.0:
        base = math.floor(mean)
        nm = int(base) + (1 if u < mean - base else 0)
    else:
        nm = poisson_inv(u, mean)
    nm = min(nm, MAX_MATCHES)
    ln = min(th[L.MATCH_LEN], duration)
    for w in range(nm):
        x = (duration - ln) * u01(mseed, 1 + w)
        e = w   # insertion sort by start
        while e > 0 and win[e - 1, 0] > x:
            win[e, 0], win[e, 1] = win[e - 1, 0], win[e - 1, 1]
            e -= 1
        win[e, 0], win[e, 1] = x, x + ln
    return nm


@numba.njit(**_NJ)
def _merge_windows(win, nm, out):
    """Union of the sorted windows ``win[:nm]`` as disjoint rows of ``out``;
    returns the row count."""
    n = 0
    for w in range(nm):
        if n > 0 and win[w, 0] <= out[n - 1, 1]:
            if win[w, 1] > out[n - 1, 1]:
                out[n - 1, 1] = win[w, 1]
        else:
            out[n, 0], out[n, 1] = win[w, 0], win[w, 1]
            n += 1
    return n


@numba.njit(**_NJ)
def run_stream(sc, st, ws, key, path, si, res, curve):
    """Simulate stream ``si`` of ``path``; fill ``res`` (slots ``layout.R_*``)
    and ``curve``.

    Parameters
    ----------
    sc : Scenario
        The scenario's arrays (the path's ``theta`` and ``seg_rate`` rows).
    st : Stream
        The stream: followers, subscribers, habit, duration, start, collab,
        promotion and the stream's audience and gifting shocks (the audience
        shock multiplies the notified, partner and feed arrival rates, the
        gifting shock every segment's gift rate; docs/model.md §17).
    ws : Workspace
        Scratch arrays (:func:`make_workspace`), left ready for the next stream.
    key, path, si : uint64, int, int
        Root key, global path index and stream index: they key every draw.
    res : float64[N_RES]
        Output; ``res[R_GIFTERS]`` is the expected number of viewers who send
        at least one gift, summed over viewers without a draw.
    curve : float64[:]
        Concurrency at each whole minute (length 0 to skip).
    """
    th = sc.th
    duration = st.duration
    t_int = int(math.ceil(duration))
    a = sc.activity[st.hour] * sc.wdf[st.weekday]
    habit, promo, x_aud = st.habit, st.promo, st.x_aud
    seed_counts = stream_seed(key, path, si, P_COUNTS)
    acc, grate, win, diff = ws.acc, ws.grate, ws.win, ws.diff
    acc[:] = 0.0   # viewer-minutes, follows, offspring, gifters
    for k in range(sc.seg_rate.shape[0]):
        grate[k] = sc.seg_rate[k] * st.x_gift
    trunc = -math.expm1(-th[L.KAPPA] * duration)   # P(notified arrival <= T)
    m = _ZERO                   # rows of ``ws.held`` in use

    # LIVE Match windows (docs/model.md §19): rows MAX_MATCHES.. of ``win`` hold
    # the drawn matches, rows 0.. their union, which boosts gifting.
    nm = 0
    nwin = 0
    mseed = _U64(0)
    if th[L.MATCH_N] > 0.0:
        mseed = stream_seed(key, path, si, P_MATCH)
        matches = win[MAX_MATCHES:]
        nm = _draw_matches(th, mseed, duration, matches)
        nwin = _merge_windows(matches, nm, win)
    ctx = _Ctx(th, duration, trunc, sc.cum_n, nwin,
               stream_seed(key, path, si, P_OFFSPRING),
               stream_seed(key, path, si, P_VIRAL))

    # Notified followers: Poisson(F r a H P), arrivals Exp(kappa) truncated to
    # [0, T]; with LIVE Subscriptions, F - S of them (the subscribers come next).
    n_not = poisson_inv(u01(seed_counts, 0),
                        (st.followers - st.subs) * th[L.JOIN] * a * habit * promo
                        * trunc * x_aud)
    src = Source(stream_seed(key, path, si, P_NOTIFIED), OFF_NOTIFIED, False, True,
                 0.0, 0.0, th[L.FOLLOWER_FACTOR], sc.cum_f, 1.0)
    m = _source(ctx, src, ws, _ZERO, n_not, m)

    # Subscribers: notified followers who join at SUB_WATCH times the join rate
    # and gift at SUB_GIFT times their segment's rate.
    n_sub = 0
    n_new_subs = 0
    if th[L.SUB_ON] > 0.0:
        sseed = stream_seed(key, path, si, P_SUBS)
        if st.subs > 0.0:
            n_sub = poisson_inv(u01(sseed, 0), st.subs * th[L.SUB_WATCH] * th[L.JOIN]
                                * a * habit * promo * trunc * x_aud)
            src = Source(stream_seed(key, path, si, P_SUBVIEW), OFF_SUBSCRIBER, False,
                         True, 0.0, 0.0, th[L.FOLLOWER_FACTOR], sc.cum_f,
                         th[L.SUB_GIFT])
            m = _source(ctx, src, ws, _ZERO, n_sub, m)
        # Each non-subscriber follower who joined subscribes with SUB_P.
        n_new_subs = binom_inv(u01(sseed, 1), n_not, th[L.SUB_P])

    # Partner's followers on a joint stream: like notified, but newcomers.
    n_par = 0
    if st.collab:
        n_par = poisson_inv(u01(seed_counts, _C_PARTNER),
                            th[L.PARTNER_F] * th[L.JOIN] * th[L.INTEREST] * a * promo
                            * trunc * x_aud)
        src = Source(stream_seed(key, path, si, P_PARTNER), OFF_PARTNER, True, True,
                     0.0, 0.0, 1.0, sc.cum_n, 1.0)
        m = _source(ctx, src, ws, _ZERO, n_par, m)

    # The match partner's followers: Poisson(F_m r i_m a P) per match, arriving
    # uniformly during it; newcomers (viewer i of the stream's matches has the
    # P_MATCHVIEW counters 4i .. 4i + 3).
    n_mp = _ZERO
    if nm > 0 and th[L.MATCH_PARTNER_F] > 0.0:
        vseed = stream_seed(key, path, si, P_MATCHVIEW)
        lam = th[L.MATCH_PARTNER_F] * th[L.JOIN] * th[L.MATCH_INTEREST] * a * promo \
            * x_aud
        for w in range(nm):
            n_w = poisson_inv(u01(mseed, C_MATCH_PARTNER + w), lam)
            t0 = win[MAX_MATCHES + w, 0]
            src = Source(vseed, OFF_MATCH, True, False, t0,
                         win[MAX_MATCHES + w, 1] - t0, 1.0, sc.cum_n, 1.0)
            m = _source(ctx, src, ws, n_mp, n_w, m)
            n_mp += n_w

    # Feed discovery: Poisson with rate mu a(hour) in each hour chunk, uniform
    # arrivals in the chunk.
    seed = stream_seed(key, path, si, P_DISCOVERED)
    n_dis = _ZERO
    for j in range((t_int + 59) // 60):
        t0 = 60.0 * j
        length = min(60.0, duration - t0)
        rate = th[L.MU] * sc.activity[(st.hour + j) % 24] * sc.wdf[st.weekday] * x_aud
        n_j = poisson_inv(u01(seed_counts, 1 + j), rate * length)
        src = Source(seed, OFF_DISCOVERED, True, False, t0, length, 1.0, sc.cum_n, 1.0)
        m = _source(ctx, src, ws, n_dis, n_j, m)
        n_dis += n_j
    if m > 0:
        _cascades(ctx, ws, m)
    vm, newf = acc[0], acc[1]

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
    # k are Poisson(rho_k g(e) X_gift minutes_k w_kj), independent over (k, j);
    # minutes in match windows count boost times, drawn apart (P_MATCH).
    seed = stream_seed(key, path, si, P_GIFTS)
    n_items = int(th[L.N_GIFTS])   # this scenario's catalogue, not the batch padding
    seg_rate, seg_w, coins, seg_min, seg_mm = sc.seg_rate, sc.seg_w, sc.coins, \
        ws.seg_min, ws.seg_mm
    gifts = 0.0
    coin_sum = 0.0
    for k in range(seg_min.shape[0]):
        lam_k = seg_rate[k] * st.x_gift * seg_min[k]
        seg_min[k] = 0.0
        if lam_k <= 0.0:
            continue
        for j in range(n_items):
            g = poisson_inv(u01(seed, k * n_items + j), lam_k * seg_w[k, j])
            gifts += g
            coin_sum += g * coins[j]
    match_coins = 0.0
    if nwin > 0:
        boost = th[L.MATCH_BOOST]
        for k in range(seg_mm.shape[0]):
            lam_k = seg_rate[k] * st.x_gift * boost * seg_mm[k]
            seg_mm[k] = 0.0
            if lam_k <= 0.0:
                continue
            for j in range(n_items):
                g = poisson_inv(u01(mseed, C_MATCH_GIFTS + k * n_items + j),
                                lam_k * seg_w[k, j])
                gifts += g
                match_coins += g * coins[j]
        coin_sum += match_coins

    unique = n_not + n_sub + n_par + n_mp + n_dis + acc[2]
    merch = _lognormal_total(stream_seed(key, path, si, P_MERCH), int(unique),
                             th[L.MERCH_P], th[L.MERCH_LOGMED], th[L.MERCH_SIGMA],
                             th[L.MERCH_MARGIN], 0.0, 0.0)
    don = _lognormal_total(stream_seed(key, path, si, P_DONATE), int(unique),
                           th[L.DON_P], th[L.DON_LOGMED], th[L.DON_SIGMA], 1.0,
                           th[L.DON_FEE_RATE], th[L.DON_FEE_USD])
    res[R_UNIQUE] = unique
    res[R_NOTIFIED] = n_not + n_sub + n_par + n_mp
    res[R_DISCOVERED] = n_dis + acc[2]
    res[R_NEWF] = newf
    res[R_VM] = vm
    res[R_PEAK] = peak
    res[R_GIFTS] = gifts
    res[R_COINS] = coin_sum
    res[R_MERCH] = merch
    res[R_DONATIONS] = don
    res[R_NEWSUBS] = n_new_subs
    res[R_MATCH_COINS] = match_coins
    res[R_GIFTERS] = acc[3]


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
