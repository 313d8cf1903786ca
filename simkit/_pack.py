"""Pack validated scenarios into the per-scenario arrays the kernels read.

This is where scenario keys become model quantities (log-medians, engagement
factors, virality rate); docs/model.md gives the formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gamma as _gamma

from ._kernels import layout as L

__all__ = ["Packed", "pack", "n_streams", "dwell_mean"]

_DWELL = {"lognormal": L.DWELL_LOGNORMAL, "weibull": L.DWELL_WEIBULL,
          "exponential": L.DWELL_EXPONENTIAL}
_SCHED = {"consistent": L.SCHED_CONSISTENT, "ad_hoc": L.SCHED_AD_HOC,
          "explicit": L.SCHED_EXPLICIT}


@dataclass(frozen=True)
class Packed:
    """Kernel inputs for a batch of S scenarios (see ``run_block``)."""

    theta: np.ndarray
    activity: np.ndarray
    wdf: np.ndarray
    cum_f: np.ndarray
    cum_n: np.ndarray
    seg_rate: np.ndarray
    seg_w: np.ndarray
    coins: np.ndarray
    sched: np.ndarray
    n_streams: int
    max_minutes: int

    def arrays(self):
        """The arrays in ``run_block`` argument order."""
        return (self.theta, self.activity, self.wdf, self.cum_f, self.cum_n,
                self.seg_rate, self.seg_w, self.coins, self.sched)

    def take(self, idx):
        """Sub-batch of the scenarios ``idx`` (a slice or index array)."""
        return Packed(*(a[idx] for a in self.arrays()), self.n_streams,
                      self.max_minutes)


def engagement_factors(sc):
    """Return ``(g(e), h(e))``: gifting and dwell multipliers of engagement e."""
    e = sc["audience.engagement"]
    return (math.exp(sc["audience.gifting_elasticity"] * (e - 0.5)),
            math.exp(sc["audience.dwell_elasticity"] * (e - 0.5)))


def dwell_params(sc):
    """Return ``(kind, A, B)`` of the newcomer dwell law, engagement included."""
    kind = sc["dwell.distribution"]
    med = sc["dwell.median_min"] * engagement_factors(sc)[1]
    if kind == "lognormal":
        return _DWELL[kind], math.log(med), sc["dwell.sigma"]
    k = sc["dwell.shape"]
    if kind == "weibull":
        return _DWELL[kind], med / math.log(2.0) ** (1.0 / k), k
    return _DWELL[kind], med / math.log(2.0), 0.0


def dwell_mean(sc):
    """Mean newcomer dwell in minutes (before truncation at the stream's end)."""
    kind, a, b = dwell_params(sc)
    if kind == L.DWELL_LOGNORMAL:
        return math.exp(a + b * b / 2.0)
    if kind == L.DWELL_WEIBULL:
        return a * float(_gamma(1.0 + 1.0 / b))
    return a


def _stream_rows(sc):
    """Weekly slots (consistent) or listed streams (explicit) as schedule rows."""
    kind = sc["schedule.kind"]
    dur, promo = sc["stream.duration_min"], sc["audience.promotion"]
    if kind == "consistent":
        return [(wd, h, dur, -1.0, promo) for wd, h in sc["schedule.slots"]]
    if kind == "explicit":
        return [(s["day"], s["hour"], s.get("duration_min", dur),
                 (1.0 if s["collab"] else 0.0) if "collab" in s else -1.0,
                 s.get("promotion", promo)) for s in sc["schedule.streams"]]
    return []


def n_streams(sc) -> int:
    """Number of streams in the horizon of ``sc`` (the same on every path)."""
    kind = sc["schedule.kind"]
    if kind == "consistent":
        return sc["horizon.weeks"] * len(sc["schedule.slots"])
    if kind == "ad_hoc":
        return sc["horizon.weeks"] * sc["schedule.streams_per_week"]
    return len(sc["schedule.streams"])


def _theta(sc, n_rows):
    th = np.zeros(L.N_THETA)
    g_e, _ = engagement_factors(sc)
    kind, a, b = dwell_params(sc)
    virality = sc["audience.virality"]
    v = {
        L.FOLLOWERS: sc["creator.followers"],
        L.CAN_LIVE: float(sc["creator.adult"]),
        L.LIVE_MIN: sc["creator.live_min_followers"],
        L.ORGANIC: sc["creator.organic_growth_per_day"],
        L.UNFOLLOW: sc["creator.unfollow_rate_per_day"],
        L.JOIN: sc["audience.join_rate"],
        L.KAPPA: sc["audience.notify_decay_per_min"],
        L.MU: sc["audience.discovery_rate_per_min"],
        L.PROMO: sc["audience.promotion"],
        L.PHI: sc["audience.follow_prob"],
        L.VIRAL_BETA: virality / dwell_mean(sc) if virality > 0 else 0.0,
        L.GIFT_MULT: g_e,
        L.DWELL_KIND: kind, L.DWELL_A: a, L.DWELL_B: b,
        L.FOLLOWER_FACTOR: sc["dwell.follower_factor"],
        L.HABIT_ON: float(sc["habit.enabled"]),
        L.HABIT_GMAX: sc["habit.max_gain"],
        L.HABIT_LR: sc["habit.learning_rate"],
        L.HABIT_R0: sc["habit.initial"],
        L.DAYS: 7 * sc["horizon.weeks"],
        L.SCHED_KIND: _SCHED[sc["schedule.kind"]],
        L.SPW: sc["schedule.streams_per_week"],
        L.WAKE_LO: sc["schedule.waking_hours"][0],
        L.WAKE_HI: sc["schedule.waking_hours"][1],
        L.DURATION: sc["stream.duration_min"],
        L.N_STREAMS: n_streams(sc),
        L.Q: sc["money.diamonds_per_coin"],
        L.DVAL: sc["money.diamond_value_usd"],
        L.SHARE: sc["money.creator_share"],
        L.SCALED: float(sc["money.scaled_rewards"]),
        L.SCALED_EXTRA: sc["money.scaled_extra"],
        L.AGENCY: sc["money.agency_cut"],
        L.WMIN: sc["money.withdraw_min_usd"],
        L.WMAX: sc["money.withdraw_max_per_day_usd"],
        L.WFEE_RATE: sc["money.withdraw_fee_rate"],
        L.WFEE_USD: sc["money.withdraw_fee_usd"],
        L.DELAY: sc["money.payout_delay_days"],
        L.BRAND_ON: float(sc["brand.enabled"]),
        L.BRAND_RATE: sc["brand.offers_per_week"],
        L.BRAND_EL: sc["brand.reach_elasticity"],
        L.BRAND_CPM_PRICING: float(sc["brand.pricing"] == "cpm"),
        L.BRAND_CPM: sc["brand.cpm_usd"],
        L.BRAND_FLAT: sc["brand.flat_fee_usd"],
        L.BRAND_FLAT_EXP: sc["brand.flat_fee_exponent"],
        L.BRAND_FLAT_SIGMA: sc["brand.flat_fee_sigma"],
        L.MERCH_P: sc["merch.buy_prob"],
        L.MERCH_LOGMED: math.log(max(sc["merch.order_median_usd"], 1e-300)),
        L.MERCH_SIGMA: sc["merch.order_sigma"],
        L.MERCH_MARGIN: sc["merch.margin"],
        L.DON_P: sc["donations.donate_prob"],
        L.DON_LOGMED: math.log(max(sc["donations.median_usd"], 1e-300)),
        L.DON_SIGMA: sc["donations.sigma"],
        L.DON_FEE_RATE: sc["donations.fee_rate"],
        L.DON_FEE_USD: sc["donations.fee_usd"],
        L.COLLAB_P: sc["collaboration.probability"],
        L.PARTNER_F: sc["collaboration.partner_followers"],
        L.INTEREST: sc["collaboration.interest"],
        L.N_SEG: len(sc["segments.names"]),
        L.N_GIFTS: len(sc.catalogue.coins),
        L.N_SCHED: n_rows,
    }
    for i, x in v.items():
        th[i] = x
    return th


def pack(scenarios) -> Packed:
    """Pack a list of scenarios into padded per-scenario arrays.

    Scenarios may differ in segment count, catalogue and schedule; arrays are
    padded (zero shares, zero rates) to the largest. Per-stream outputs are
    padded to the largest stream count.

    Examples
    --------
    >>> from simkit.scenario import scenario_from_dict
    >>> p = pack([scenario_from_dict({})])
    >>> p.theta.shape[0], p.n_streams
    (1, 12)
    """
    s = len(scenarios)
    k = max(len(sc["segments.names"]) for sc in scenarios)
    j = max(len(sc.catalogue.coins) for sc in scenarios)
    rows = [_stream_rows(sc) for sc in scenarios]
    m = max(1, max(len(r) for r in rows))
    theta = np.zeros((s, L.N_THETA))
    activity = np.zeros((s, 24))
    wdf = np.zeros((s, 7))
    cum_f = np.ones((s, k))
    cum_n = np.ones((s, k))
    seg_rate = np.zeros((s, k))
    seg_w = np.zeros((s, k, j))
    coins = np.ones((s, j), dtype=np.int64)
    sched = np.zeros((s, m, L.N_SC))
    max_minutes = 1
    for i, sc in enumerate(scenarios):
        theta[i] = _theta(sc, len(rows[i]))
        activity[i] = sc["audience.activity"]
        wdf[i] = sc["audience.weekday_factors"]
        nk = len(sc["segments.names"])
        # Cumulative shares; the last real segment absorbs rounding (cum = 1).
        cf = np.cumsum(sc["segments.follower_shares"])
        cn = np.cumsum(sc["segments.newcomer_shares"])
        cf[-1] = cn[-1] = 1.0
        cum_f[i, :nk], cum_n[i, :nk] = cf, cn
        seg_rate[i, :nk] = np.asarray(sc["segments.gift_rate_per_min"]) \
            * engagement_factors(sc)[0]
        cat = sc.catalogue
        nj = len(cat.coins)
        coins[i, :nj] = cat.coins
        for kk, tilt in enumerate(sc["segments.catalogue_tilt"]):
            seg_w[i, kk, :nj] = cat.segment_weights(tilt)
        if rows[i]:
            sched[i, : len(rows[i])] = rows[i]
        durations = [r[2] for r in rows[i]] or [sc["stream.duration_min"]]
        max_minutes = max(max_minutes, math.ceil(max(durations)))
    n = max(int(t[L.N_STREAMS]) for t in theta)
    return Packed(theta, activity, wdf, cum_f, cum_n, seg_rate, seg_w, coins, sched,
                  n, max_minutes)
