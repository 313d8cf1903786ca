"""A horizon of streams per path, and the parallel block kernel (docs/model.md §2-3).

``run_block`` simulates S scenarios x P paths: ``prange`` over (scenario,
path) pairs, each writing only its own output rows, so results do not depend on
the thread count. Per-viewer data lives only inside ``stream.run_stream``, in
the scratch arrays of one :data:`~simkit._kernels.stream.Workspace` per path.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from . import layout as L
from .money import gift_share, withdraw
from .rng import (
    P_DAILY, P_SCHEDULE, _NJ, binom_inv, ndtri, poisson_inv, stream_seed, u01,
)
from .stream import Scenario, Stream, make_workspace, run_stream

_WEEK_INDEX = np.int64(1 << 20)  # P_SCHEDULE index offset of the per-week ad-hoc draws
#: LIVE Subscriptions renew every this many days (docs/model.md §19).
SUB_MONTH_DAYS = 30
#: Viewers drawn per vectorized block, and rows of the stack of viewers held
#: for their cascades (it grows when a cascade needs more); the draws do not
#: depend on either.
VIEWER_BLOCK = np.int64(256)
HELD_ROWS = np.int64(4 * 256)


@numba.njit(**_NJ)
def build_schedule(th, sched, key, path, out):
    """Fill ``out[i] = (day, hour, duration, collab, promo)`` for each stream.

    ``consistent``: the weekly slots of ``sched`` every week; ``explicit``: the
    rows of ``sched``; ``ad_hoc``: each week, ``SPW`` distinct random days
    with random whole hours in the waking window (drawn per path).
    ``collab`` is drawn with probability ``COLLAB_P`` unless the row fixes it;
    ``promo`` is ``PROMO`` unless the row fixes it (-1 in ``sched``).
    """
    kind = th[L.SCHED_KIND]
    n = int(th[L.N_STREAMS])
    weeks = int(th[L.DAYS]) // 7
    n_sched = int(th[L.N_SCHED])
    # Element loops and a hand-written sort, not slice copies and ndarray.sort:
    # those pull in numba's broadcasting errors and quicksort, seconds of
    # compile time for copies of five numbers.
    if kind == L.SCHED_EXPLICIT:
        for i in range(n):
            for c in range(L.N_SC):
                out[i, c] = sched[i, c]
    elif kind == L.SCHED_CONSISTENT:
        i = 0
        for w in range(weeks):
            for r in range(n_sched):
                for c in range(L.N_SC):
                    out[i, c] = sched[r, c]
                out[i, L.SC_DAY] = 7 * w + sched[r, L.SC_DAY]
                i += 1
    else:
        spw = int(th[L.SPW])
        lo, hi = th[L.WAKE_LO], th[L.WAKE_HI]
        n_hours = int(math.floor(hi - lo))
        perm = np.empty(7, dtype=np.int64)
        i = 0
        for w in range(weeks):
            seed = stream_seed(key, path, _WEEK_INDEX + w, P_SCHEDULE)
            for d in range(7):
                perm[d] = d
            for d in range(spw):   # partial Fisher-Yates: spw distinct weekdays
                j = d + int(u01(seed, d) * (7 - d))
                perm[d], perm[j] = perm[j], perm[d]
            for d in range(1, spw):   # insertion sort of the spw days
                x = perm[d]
                e = d
                while e > 0 and perm[e - 1] > x:
                    perm[e] = perm[e - 1]
                    e -= 1
                perm[e] = x
            for d in range(spw):
                hour = int(lo) + min(int(u01(seed, 7 + d) * n_hours), n_hours - 1)
                out[i, L.SC_DAY] = 7 * w + perm[d]
                out[i, L.SC_HOUR] = min(hour, 23)
                out[i, L.SC_DURATION] = th[L.DURATION]
                out[i, L.SC_COLLAB] = -1.0
                out[i, L.SC_PROMO] = th[L.PROMO]
                i += 1
    for i in range(n):
        if out[i, L.SC_COLLAB] < 0.0:
            u = u01(stream_seed(key, path, i, P_SCHEDULE), 0)
            out[i, L.SC_COLLAB] = 1.0 if u < th[L.COLLAB_P] else 0.0
        if out[i, L.SC_PROMO] < 0.0:   # the scenario's promotion (it may vary per path)
            out[i, L.SC_PROMO] = th[L.PROMO]


@numba.njit(**_NJ)
def _repeats_last_week(plan, live, i):
    """1.0 if a live stream of the week before started on the same weekday and hour."""
    day, hour = plan[i, L.SC_DAY], plan[i, L.SC_HOUR]
    for j in range(i - 1, -1, -1):
        if plan[j, L.SC_DAY] < day - 7:
            break
        if live[j] and plan[j, L.SC_DAY] == day - 7 and plan[j, L.SC_HOUR] == hour:
            return 1.0
    return 0.0


@numba.njit(**_NJ)
def simulate_path(sc, sched, shock, key, path, tot, per_stream, curves):
    """Simulate one path of one scenario over the horizon.

    ``sc`` holds the scenario's arrays (:class:`~simkit._kernels.stream.Scenario`),
    ``sched`` its schedule table and ``shock[i]`` the audience and gifting
    multipliers of stream ``i``. Fills ``tot`` (``N_TOTALS``), and
    ``per_stream`` / ``curves`` when they are not empty: each stream's results
    go into its per-stream row, and the totals sum those rows through the
    index map :data:`~simkit._kernels.layout.TOTAL_FROM_STREAM`.
    """
    th = sc.th
    days = int(th[L.DAYS])
    n = int(th[L.N_STREAMS])
    plan = np.zeros((n, L.N_SC))
    build_schedule(th, sched, key, path, plan)
    live = np.zeros(n, dtype=np.bool_)
    qualifying = np.zeros(days // 7 + 1)   # streams > 25 min per week (scaled rewards)
    t_max = np.int64(1)   # not a literal 1: see rng.P_NOTIFIED
    for i in range(n):
        if plan[i, L.SC_DURATION] > 25.0:
            qualifying[int(plan[i, L.SC_DAY]) // 7] += 1.0
        t_max = max(t_max, int(math.ceil(plan[i, L.SC_DURATION])))
    ws = make_workspace(sc.cum_f.shape[0], t_max, VIEWER_BLOCK, HELD_ROWS)
    res = np.zeros(L.N_RES)
    own_row = np.zeros(L.N_PER_STREAM)   # the row of a stream when none is kept
    no_curve = np.empty(0)
    want_stream = per_stream.shape[0] > 0
    want_curves = curves.shape[0] > 0

    followers = th[L.FOLLOWERS]
    r_habit = th[L.HABIT_R0]
    balance = paid = transit = fees = 0.0
    deals = 0
    tot[:] = 0.0
    sub_on = th[L.SUB_ON] > 0.0
    subs = min(th[L.SUB_S0], followers) if sub_on else 0.0
    sub_income = 0.0
    si = np.int64(0)   # not a literal 0: see rng.P_NOTIFIED
    for day in range(days):
        if sub_on and day > 0 and day % SUB_MONTH_DAYS == 0:
            # Monthly renewals: each subscriber renews with SUB_RENEW and pays.
            subs = float(binom_inv(u01(stream_seed(key, path, day, P_DAILY), 3),
                                   int(subs), th[L.SUB_RENEW]))
            renew_usd = subs * th[L.SUB_PAY]
            sub_income += renew_usd
            balance += renew_usd
            tot[L.O_INCOME_TOTAL] += renew_usd
        if th[L.BRAND_ON] > 0.0:
            dseed = stream_seed(key, path, day, P_DAILY)
            rate = th[L.BRAND_RATE] / 7.0 * (followers / 1e5) ** th[L.BRAND_EL]
            deals += poisson_inv(u01(dseed, 0), rate)
        while si < n and int(plan[si, L.SC_DAY]) == day:
            hour = int(plan[si, L.SC_HOUR])
            duration = plan[si, L.SC_DURATION]
            can = th[L.CAN_LIVE] > 0.0 and followers >= th[L.LIVE_MIN]
            habit = 1.0
            share = 0.0
            brand = 0.0
            sub_usd = 0.0
            match_usd = 0.0
            subs_start = subs
            if can:
                live[si] = True
                x = _repeats_last_week(plan, live, si)
                r_habit = (1.0 - th[L.HABIT_LR]) * r_habit + th[L.HABIT_LR] * x
                if th[L.HABIT_ON] > 0.0:
                    habit = 1.0 + th[L.HABIT_GMAX] * r_habit
                curve = curves[si] if want_curves else no_curve
                st = Stream(followers, subs, habit, duration, hour, day % 7,
                            plan[si, L.SC_COLLAB] > 0.0, plan[si, L.SC_PROMO],
                            shock[si, 0], shock[si, 1])
                run_stream(sc, st, ws, key, path, si, res, curve)
                share = gift_share(th, duration, res[L.R_NEWF],
                                   qualifying[day // 7])
                gift_usd = res[L.R_COINS] * th[L.Q] * th[L.DVAL] * share \
                    * (1.0 - th[L.AGENCY])
                if res[L.R_MATCH_COINS] > 0.0:
                    match_usd = res[L.R_MATCH_COINS] * th[L.Q] * th[L.DVAL] * share \
                        * (1.0 - th[L.AGENCY])
                if sub_on:
                    # New subscribers pay their first month at sign-up.
                    new_subs = min(res[L.R_NEWSUBS], followers - subs)
                    res[L.R_NEWSUBS] = new_subs
                    subs += new_subs
                    sub_usd = new_subs * th[L.SUB_PAY]
                    sub_income += sub_usd
                    balance += sub_usd
                if deals > 0:
                    deals -= 1
                    if th[L.BRAND_CPM_PRICING] > 0.0:
                        brand = th[L.BRAND_CPM] * res[L.R_VM] / 1000.0
                    else:
                        z = ndtri(u01(stream_seed(key, path, si, P_SCHEDULE), 1))
                        brand = th[L.BRAND_FLAT] * (followers / 1e5) ** \
                            th[L.BRAND_FLAT_EXP] * math.exp(th[L.BRAND_FLAT_SIGMA] * z)
                balance += gift_usd
                followers += res[L.R_NEWF]
            else:
                res[:] = 0.0
                gift_usd = 0.0
            # The stream's row: what the path knows, then the stream's results
            # through the index map; the totals sum the rows (one map too).
            row = per_stream[si] if want_stream else own_row
            row[L.S_DAY] = day
            row[L.S_HOUR] = hour
            row[L.S_DURATION_MIN] = duration
            row[L.S_LIVE] = 1.0 if can else 0.0
            row[L.S_FOLLOWERS_START] = followers - (res[L.R_NEWF] if can else 0.0)
            row[L.S_HABIT] = habit
            row[L.S_SUBSCRIBERS] = subs_start
            row[L.S_CREATOR_SHARE] = share
            row[L.S_DIAMONDS] = res[L.R_COINS] * th[L.Q]
            row[L.S_INCOME_GIFTS] = gift_usd
            row[L.S_INCOME_BRAND] = brand
            row[L.S_INCOME_SUBSCRIPTIONS] = sub_usd
            row[L.S_INCOME_MATCH] = match_usd
            row[L.S_INCOME_TOTAL] = gift_usd + brand + res[L.R_MERCH] \
                + res[L.R_DONATIONS] + sub_usd
            for i in range(L.STREAM_FROM_RES.shape[0]):
                row[L.STREAM_FROM_RES[i, 0]] = res[L.STREAM_FROM_RES[i, 1]]
            for i in range(L.TOTAL_FROM_STREAM.shape[0]):
                tot[L.TOTAL_FROM_STREAM[i, 0]] += row[L.TOTAL_FROM_STREAM[i, 1]]
            tot[L.O_PEAK_CONCURRENT] = max(tot[L.O_PEAK_CONCURRENT], res[L.R_PEAK])
            si += 1
        # End of day: withdraw, then organic growth and unfollows.
        balance, net, fee = withdraw(th, balance)
        fees += fee
        if day + th[L.DELAY] < days:
            paid += net
        else:
            transit += net
        dseed = stream_seed(key, path, day, P_DAILY)
        followers += poisson_inv(u01(dseed, 1), th[L.ORGANIC])
        followers -= binom_inv(u01(dseed, 2), int(followers), th[L.UNFOLLOW])
        if subs > followers:   # subscribers are followers
            subs = followers
    tot[L.O_CASH_PAID_OUT] = paid
    tot[L.O_CASH_PENDING] = balance + transit
    tot[L.O_WITHDRAWAL_FEES] = fees
    tot[L.O_FOLLOWERS_END] = followers
    tot[L.O_INCOME_SUBSCRIPTIONS] = sub_income
    tot[L.O_SUBSCRIBERS_END] = subs


#: The arrays of a batch of S scenarios that :func:`run_block` reads, in the
#: order of :meth:`simkit._pack.Packed.arrays` then the per-block rows of
#: :func:`simkit._pack.path_arrays`.
Batch = namedtuple("Batch", [
    "theta",     # float64[R, N_THETA]: packed parameters, rows by ``rowix``
    "activity",  # float64[S, 24]
    "wdf",       # float64[S, 7]
    "cum_f",     # float64[S, K]
    "cum_n",     # float64[S, K]
    "seg_rate",  # float64[R, K]: segment gift rates, rows as theta
    "seg_w",     # float64[S, K, J]
    "coins",     # int64[S, J]
    "sched",     # float64[S, M, N_SC]: weekly slots or listed streams
    "shocks",    # float64[X, n_streams, 2]: audience and gifting multipliers
    "rowix",     # int64[S, 4]: row bases and steps of theta and shocks
])


@numba.njit(parallel=True, **_NJ)
def run_block(b, key, path_offset, out_tot, out_stream, out_curves):
    """Simulate ``S`` scenarios x ``P`` paths of the batch ``b`` (:data:`Batch`)
    into preallocated outputs.

    Parameters
    ----------
    b : Batch
        Path ``p`` of scenario ``s`` reads theta and seg_rate row
        ``rowix[s, 0] + rowix[s, 1] * p`` (step 0: one row for every path) and
        shock row ``rowix[s, 2] + rowix[s, 3] * p`` (see
        :func:`simkit._pack.path_arrays`).
    key : uint64
        Root key derived from the seed.
    path_offset : int
        Global index of the first path (chunking-invariant keys).
    out_tot : float64[S, P, N_TOTALS]
    out_stream : float64[S, P, n_streams, N_PER_STREAM] or an empty 4-d array
    out_curves : float64[S, P, n_streams, minutes] or an empty 4-d array
    """
    n_s = out_tot.shape[0]
    n_p = out_tot.shape[1]
    want_stream = out_stream.shape[0] > 0
    want_curves = out_curves.shape[0] > 0
    empty2 = np.empty((0, 0))
    for idx in numba.prange(n_s * n_p):
        s = idx // n_p
        p = idx - s * n_p
        ps = out_stream[s, p] if want_stream else empty2
        cv = out_curves[s, p] if want_curves else empty2
        r = b.rowix[s, 0] + b.rowix[s, 1] * p
        x = b.rowix[s, 2] + b.rowix[s, 3] * p
        sc = Scenario(b.theta[r], b.activity[s], b.wdf[s], b.cum_f[s], b.cum_n[s],
                      b.seg_rate[r], b.seg_w[s], b.coins[s])
        simulate_path(sc, b.sched[s], b.shocks[x], key, path_offset + p,
                      out_tot[s, p], ps, cv)
