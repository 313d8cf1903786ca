"""The money path: creator share of diamond value and withdrawals (docs/model.md §3)."""

from __future__ import annotations

import numba

from . import layout as L
from .rng import _NJ


@numba.njit(**_NJ)
def scaled_share(duration, new_followers, qualifying_in_week, extra):
    """US Scaled LIVE Rewards share of diamond value (TikTok Creator Academy, Feb 2025).

    20% for a LIVE under 5 minutes, rising linearly to 38% at 25 minutes; +2%
    with at least 5 new followers; +6% when the week has one LIVE over 25
    minutes, +8% with two or more; plus ``extra`` (team/league, <= 5%); at most
    53%.
    """
    if duration < 5.0:
        share = 0.20
    elif duration >= 25.0:
        share = 0.38
    else:
        share = 0.20 + 0.18 * (duration - 5.0) / 20.0
    if new_followers >= 5.0:
        share += 0.02
    if qualifying_in_week >= 2.0:
        share += 0.08
    elif qualifying_in_week >= 1.0:
        share += 0.06
    return min(share + extra, 0.53)


@numba.njit(**_NJ)
def gift_share(th, duration, new_followers, qualifying_in_week):
    """Creator share for a stream: fixed, or scaled rewards when enabled."""
    if th[L.SCALED] > 0.0:
        return scaled_share(duration, new_followers, qualifying_in_week,
                            th[L.SCALED_EXTRA])
    return th[L.SHARE]


@numba.njit(**_NJ)
def withdraw(th, balance):
    """End-of-day withdrawal: if ``balance >= WMIN`` (and positive), take up to
    ``WMAX``; the fee is ``rate * w + fixed`` (at most ``w``).

    Returns
    -------
    balance, net, fee : float
        New balance, amount that will reach the creator, fee charged.
    """
    if balance <= 0.0 or balance < th[L.WMIN]:
        return balance, 0.0, 0.0
    w = min(balance, th[L.WMAX])
    fee = min(w * th[L.WFEE_RATE] + th[L.WFEE_USD], w)
    return balance - w, w - fee, fee
