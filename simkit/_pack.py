"""Pack validated scenarios into the per-scenario arrays the kernels read.

This is where scenario keys become model quantities (log-medians, engagement
factors, virality rate); docs/model.md gives the formulas.

Parameters may vary per path (uncertain inputs, :data:`PATH_KEYS`): the
formulas are written in NumPy over arrays of paths (:func:`theta_rows`,
:func:`seg_rate_rows`), so a scenario's fixed row and its per-path rows come
from the same arithmetic, and a path that drew the value ``a`` gets exactly the
row of the fixed scenario at ``a``. :func:`path_arrays` assembles, for one
block of paths, the rows the block kernel reads and the stream shocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import gamma as _gamma

from ._kernels import layout as L
from .scenario._schema import PATH_KEYS

__all__ = ["Packed", "pack", "n_streams", "dwell_mean", "PATH_KEYS", "path_arrays",
           "theta_rows", "seg_rate_rows"]

_DWELL = {"lognormal": L.DWELL_LOGNORMAL, "weibull": L.DWELL_WEIBULL,
          "exponential": L.DWELL_EXPONENTIAL}
_SCHED = {"consistent": L.SCHED_CONSISTENT, "ad_hoc": L.SCHED_AD_HOC,
          "explicit": L.SCHED_EXPLICIT}

#: Keys that enter the segment gift rates (the rest of PATH_KEYS enters theta
#: or the shocks).
_SEG_KEYS = frozenset({"audience.engagement", "audience.gifting_elasticity",
                       "segments.gift_rate_scale"})
_SHOCK_KEYS = ("shocks.audience_sigma", "shocks.rho", "shocks.gift_sigma",
               "shocks.gift_rho")

#: Non-numeric values :func:`theta_rows` reads besides PATH_KEYS.
_STATIC_KEYS = ("dwell.distribution", "schedule.kind", "brand.pricing", "creator.adult",
                "habit.enabled", "money.scaled_rewards", "brand.enabled",
                "schedule.waking_hours", "horizon.weeks", "schedule.streams_per_week",
                "stream.duration_min", "segments.gift_rate_per_min", "shocks.family",
                "subscriptions.enabled", "match.count")


@dataclass(frozen=True)
class Packed:
    """Kernel inputs for a batch of S scenarios (see ``run_block``).

    ``theta`` and ``seg_rate`` hold each scenario's fixed row; ``specs`` the
    plain values the per-path rows are computed from, and ``inputs`` the
    uncertain inputs drawn per path (dotted key -> values of the global paths
    ``inputs_offset, inputs_offset + 1, ...``; empty for a fixed scenario).
    Everything is plain data, so a Packed can be sent to a Dask worker.
    """

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
    specs: tuple = ()
    inputs: tuple = ()
    inputs_offset: int = 0

    def arrays(self):
        """The per-scenario arrays, in the order of the first fields of
        :data:`simkit._kernels.horizon.Batch`."""
        return (self.theta, self.activity, self.wdf, self.cum_f, self.cum_n,
                self.seg_rate, self.seg_w, self.coins, self.sched)

    def take(self, idx):
        """Sub-batch of the scenarios ``idx`` (a slice or index array)."""
        pick = (lambda t: t[idx]) if isinstance(idx, slice) else \
            (lambda t: tuple(t[i] for i in np.asarray(idx).reshape(-1)))
        return Packed(*(a[idx] for a in self.arrays()), self.n_streams,
                      self.max_minutes, pick(self.specs), pick(self.inputs),
                      self.inputs_offset)

    def take_paths(self, p0, p1):
        """The same scenarios with the drawn inputs of global paths ``p0:p1`` only
        (what a task simulating those paths needs)."""
        a, b = p0 - self.inputs_offset, p1 - self.inputs_offset
        return replace(self, inputs=tuple({k: v[a:b] for k, v in d.items()}
                                          for d in self.inputs), inputs_offset=p0)

    def with_inputs(self, inputs, path_offset):
        """The same scenarios with per-path ``inputs`` (one dict per scenario)
        drawn for the global paths from ``path_offset`` on."""
        return replace(self, inputs=tuple(inputs), inputs_offset=path_offset)


# ----- model quantities, vectorized over paths -----------------------------------
def _arr(x):
    return np.asarray(x, dtype=np.float64).reshape(-1)


def _getter(spec, over):
    """``get(key)``: the per-path values of ``key`` (``over``) or its fixed value,
    as a float64 array of length n or 1."""
    def get(key):
        v = over.get(key)
        return _arr(spec[key] if v is None else v)
    return get


def _engagement(get):
    e = get("audience.engagement")
    return (np.exp(get("audience.gifting_elasticity") * (e - 0.5)),
            np.exp(get("audience.dwell_elasticity") * (e - 0.5)))


def _dwell(spec, get):
    """``(kind, A, B, mean)`` of the newcomer dwell law, engagement included."""
    kind = spec["dwell.distribution"]
    med = get("dwell.median_min") * _engagement(get)[1]
    if kind == "lognormal":
        a, b = np.log(med), get("dwell.sigma")
        return _DWELL[kind], a, b, np.exp(a + b * b / 2.0)
    k = get("dwell.shape")
    if kind == "weibull":
        a = med / np.power(math.log(2.0), 1.0 / k)
        return _DWELL[kind], a, k, a * _gamma(1.0 + 1.0 / k)
    a = med / math.log(2.0)
    return _DWELL[kind], a, np.zeros(1), a


def engagement_factors(sc):
    """Return ``(g(e), h(e))``: gifting and dwell multipliers of engagement e."""
    g, h = _engagement(_getter(sc, {}))
    return float(g[0]), float(h[0])


def dwell_params(sc):
    """Return ``(kind, A, B)`` of the newcomer dwell law, engagement included."""
    kind, a, b, _ = _dwell(sc, _getter(sc, {}))
    return kind, float(a[0]), float(b[0])


def dwell_mean(sc):
    """Mean newcomer dwell in minutes (before truncation at the stream's end)."""
    return float(_dwell(sc, _getter(sc, {}))[3][0])


def _stream_rows(sc):
    """Weekly slots (consistent) or listed streams (explicit) as schedule rows."""
    # collab -1: drawn per path; promotion -1: the scenario's (per-path)
    # audience.promotion, resolved by the kernel (promotion is >= 1).
    kind = sc["schedule.kind"]
    dur = sc["stream.duration_min"]
    if kind == "consistent":
        return [(wd, h, dur, -1.0, -1.0) for wd, h in sc["schedule.slots"]]
    if kind == "explicit":
        return [(s["day"], s["hour"], s.get("duration_min", dur),
                 (1.0 if s["collab"] else 0.0) if "collab" in s else -1.0,
                 s.get("promotion", -1.0)) for s in sc["schedule.streams"]]
    return []


def n_streams(sc) -> int:
    """Number of streams in the horizon of ``sc`` (the same on every path)."""
    kind = sc["schedule.kind"]
    if kind == "consistent":
        return sc["horizon.weeks"] * len(sc["schedule.slots"])
    if kind == "ad_hoc":
        return sc["horizon.weeks"] * sc["schedule.streams_per_week"]
    return len(sc["schedule.streams"])


def _spec(sc, n_rows):
    """Plain values of ``sc`` that :func:`theta_rows`, :func:`seg_rate_rows` and
    the shocks read (picklable, unlike a Scenario)."""
    spec = {k: sc[k] for k in PATH_KEYS}
    spec.update({k: sc[k] for k in _STATIC_KEYS})
    spec.update({"n_streams": n_streams(sc), "n_rows": n_rows,
                 "n_seg": len(sc["segments.names"]),
                 "n_gifts": len(sc.catalogue.coins)})
    return spec


def theta_rows(spec, over, n):
    """Packed parameters (``n x N_THETA``) of one scenario on ``n`` paths.

    Parameters
    ----------
    spec : dict
        The scenario's plain values (``Packed.specs``).
    over : dict
        Dotted key -> per-path values (length ``n``) of its uncertain inputs.
    n : int
        Number of rows.

    Returns
    -------
    ndarray
        float64 ``(n, N_THETA)``; every formula is NumPy over the paths, so
        row ``i`` depends only on path ``i``'s values.

    Examples
    --------
    >>> from simkit.scenario import scenario_from_dict
    >>> sc = scenario_from_dict({})
    >>> p = pack([sc])
    >>> rows = theta_rows(p.specs[0], {"audience.join_rate": [0.04, 0.08]}, 2)
    >>> rows[:, L.JOIN].tolist()
    [0.04, 0.08]
    >>> bool((rows[0] == p.theta[0]).all())
    True
    """
    get = _getter(spec, over)
    g_e, _ = _engagement(get)
    kind, a, b, mean_d = _dwell(spec, get)
    virality = get("audience.virality")
    v = {
        L.FOLLOWERS: get("creator.followers"),
        L.CAN_LIVE: float(spec["creator.adult"]),
        L.LIVE_MIN: get("creator.live_min_followers"),
        L.ORGANIC: get("creator.organic_growth_per_day"),
        L.UNFOLLOW: get("creator.unfollow_rate_per_day"),
        L.JOIN: get("audience.join_rate"),
        L.KAPPA: get("audience.notify_decay_per_min"),
        L.MU: get("audience.discovery_rate_per_min"),
        L.PROMO: get("audience.promotion"),
        L.PHI: get("audience.follow_prob"),
        L.VIRAL_BETA: np.where(virality > 0, virality / mean_d, 0.0),
        L.GIFT_MULT: g_e,
        L.DWELL_KIND: kind, L.DWELL_A: a, L.DWELL_B: b,
        L.FOLLOWER_FACTOR: get("dwell.follower_factor"),
        L.HABIT_ON: float(spec["habit.enabled"]),
        L.HABIT_GMAX: get("habit.max_gain"),
        L.HABIT_LR: get("habit.learning_rate"),
        L.HABIT_R0: get("habit.initial"),
        L.DAYS: 7 * spec["horizon.weeks"],
        L.SCHED_KIND: _SCHED[spec["schedule.kind"]],
        L.SPW: spec["schedule.streams_per_week"],
        L.WAKE_LO: spec["schedule.waking_hours"][0],
        L.WAKE_HI: spec["schedule.waking_hours"][1],
        L.DURATION: spec["stream.duration_min"],
        L.N_STREAMS: spec["n_streams"],
        L.Q: get("money.diamonds_per_coin"),
        L.DVAL: get("money.diamond_value_usd"),
        L.SHARE: get("money.creator_share"),
        L.SCALED: float(spec["money.scaled_rewards"]),
        L.SCALED_EXTRA: get("money.scaled_extra"),
        L.AGENCY: get("money.agency_cut"),
        L.WMIN: get("money.withdraw_min_usd"),
        L.WMAX: get("money.withdraw_max_per_day_usd"),
        L.WFEE_RATE: get("money.withdraw_fee_rate"),
        L.WFEE_USD: get("money.withdraw_fee_usd"),
        L.DELAY: get("money.payout_delay_days"),
        L.BRAND_ON: float(spec["brand.enabled"]),
        L.BRAND_RATE: get("brand.offers_per_week"),
        L.BRAND_EL: get("brand.reach_elasticity"),
        L.BRAND_CPM_PRICING: float(spec["brand.pricing"] == "cpm"),
        L.BRAND_CPM: get("brand.cpm_usd"),
        L.BRAND_FLAT: get("brand.flat_fee_usd"),
        L.BRAND_FLAT_EXP: get("brand.flat_fee_exponent"),
        L.BRAND_FLAT_SIGMA: get("brand.flat_fee_sigma"),
        L.MERCH_P: get("merch.buy_prob"),
        L.MERCH_LOGMED: np.log(np.maximum(get("merch.order_median_usd"), 1e-300)),
        L.MERCH_SIGMA: get("merch.order_sigma"),
        L.MERCH_MARGIN: get("merch.margin"),
        L.DON_P: get("donations.donate_prob"),
        L.DON_LOGMED: np.log(np.maximum(get("donations.median_usd"), 1e-300)),
        L.DON_SIGMA: get("donations.sigma"),
        L.DON_FEE_RATE: get("donations.fee_rate"),
        L.DON_FEE_USD: get("donations.fee_usd"),
        L.COLLAB_P: get("collaboration.probability"),
        L.PARTNER_F: get("collaboration.partner_followers"),
        L.INTEREST: get("collaboration.interest"),
        L.N_SEG: spec["n_seg"],
        L.N_GIFTS: spec["n_gifts"],
        L.N_SCHED: spec["n_rows"],
        L.SUB_ON: float(spec["subscriptions.enabled"]),
        L.SUB_PAY: get("subscriptions.price_usd") * get("subscriptions.creator_share"),
        L.SUB_P: get("subscriptions.subscribe_prob"),
        L.SUB_RENEW: get("subscriptions.renew_prob"),
        L.SUB_S0: get("subscriptions.initial"),
        L.SUB_WATCH: get("subscriptions.watch_uplift"),
        L.SUB_GIFT: get("subscriptions.gift_uplift"),
        L.MATCH_N: get("match.matches_per_stream"),
        L.MATCH_FIXED: float(spec["match.count"] == "fixed"),
        L.MATCH_LEN: get("match.length_min"),
        L.MATCH_BOOST: get("match.gift_boost"),
        L.MATCH_PARTNER_F: get("match.partner_followers"),
        L.MATCH_INTEREST: get("match.partner_interest"),
    }
    th = np.zeros((n, L.N_THETA))
    for i, x in v.items():
        th[:, i] = x
    return th


def seg_rate_rows(spec, over, n, k):
    """Gift rate per minute of each segment, ``rho_k * scale * g(e)``, on ``n``
    paths (``n x k``, zero-padded to ``k`` segments).

    Examples
    --------
    >>> from simkit.scenario import scenario_from_dict
    >>> spec = pack([scenario_from_dict({})]).specs[0]
    >>> seg_rate_rows(spec, {"segments.gift_rate_scale": [1.0, 2.0]}, 2, 5).tolist()
    [[0.0, 0.05, 0.1, 0.2, 0.0], [0.0, 0.1, 0.2, 0.4, 0.0]]
    """
    get = _getter(spec, over)
    g_e, _ = _engagement(get)
    out = np.zeros((n, k))
    rates = np.asarray(spec["segments.gift_rate_per_min"], dtype=np.float64)
    out[:, : rates.size] = rates * (get("segments.gift_rate_scale") * g_e)[:, None]
    return out


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
    specs = tuple(_spec(sc, len(r)) for sc, r in zip(scenarios, rows))
    for i, sc in enumerate(scenarios):
        theta[i] = theta_rows(specs[i], {}, 1)[0]
        activity[i] = sc["audience.activity"]
        wdf[i] = sc["audience.weekday_factors"]
        nk = len(sc["segments.names"])
        # Cumulative shares; the last real segment absorbs rounding (cum = 1).
        cf = np.cumsum(sc["segments.follower_shares"])
        cn = np.cumsum(sc["segments.newcomer_shares"])
        cf[-1] = cn[-1] = 1.0
        cum_f[i, :nk], cum_n[i, :nk] = cf, cn
        seg_rate[i] = seg_rate_rows(specs[i], {}, 1, k)[0]
        cat = sc.catalogue
        nj = len(cat.coins)
        coins[i, :nj] = cat.coins
        for kk, tilt in enumerate(sc["segments.catalogue_tilt"]):
            seg_w[i, kk, :nj] = cat.segment_weights(
                tilt + sc["segments.gift_size_tilt"])
        if rows[i]:
            sched[i, : len(rows[i])] = rows[i]
        durations = [r[2] for r in rows[i]] or [sc["stream.duration_min"]]
        max_minutes = max(max_minutes, math.ceil(max(durations)))
    n = max(int(t[L.N_STREAMS]) for t in theta)
    return Packed(theta, activity, wdf, cum_f, cum_n, seg_rate, seg_w, coins, sched,
                  n, max_minutes, specs, tuple({} for _ in scenarios), 0)


def _shock_params(spec, over):
    """``(family, sigma_a, rho_a, sigma_g, rho_g)``: floats, or arrays for the
    keys drawn per path."""
    vals = tuple(float(spec[k]) if k not in over else _arr(over[k])
                 for k in _SHOCK_KEYS)
    return (spec["shocks.family"],) + vals


def path_arrays(packed, key, path_offset, n_paths):
    """The rows ``run_block`` reads for paths ``path_offset .. + n_paths - 1``.

    Returns
    -------
    theta : ndarray
        ``(R, N_THETA)``: the S fixed rows of ``packed.theta``, then ``n_paths``
        rows for each scenario with uncertain inputs.
    seg_rate : ndarray
        ``(R, K)``, rows as ``theta``.
    shocks : ndarray
        ``(X, n_streams, 2)`` audience and gifting multipliers: row 0 all ones
        (no shocks), then ``n_paths`` rows per distinct shock law of the batch
        (scenarios with the same law share them).
    rowix : ndarray
        int64 ``(S, 4)``: path ``p`` of scenario ``s`` reads theta row
        ``rowix[s, 0] + rowix[s, 1] * p`` and shock row
        ``rowix[s, 2] + rowix[s, 3] * p``.

    A fixed scenario without shocks costs nothing per path: its rows have
    step 0.

    Examples
    --------
    >>> from simkit.scenario import scenario_from_dict
    >>> off = scenario_from_dict({"shocks": {"audience_sigma": 0, "gift_sigma": 0}})
    >>> theta, seg, shocks, rowix = path_arrays(pack([off, scenario_from_dict({})]),
    ...                                         12345, 0, 100)
    >>> theta.shape[0], shocks.shape, rowix.tolist()
    (2, (101, 12, 2), [[0, 0, 0, 0], [1, 0, 1, 1]])
    """
    from ._kernels.shocks import innovations, transform

    s = packed.theta.shape[0]
    k = packed.seg_rate.shape[1]
    rowix = np.zeros((s, 4), dtype=np.int64)
    rowix[:, 0] = np.arange(s)
    thetas, segs = [packed.theta], [packed.seg_rate]
    shocks = [np.ones((1, packed.n_streams, 2))]
    n_theta, n_shock = s, 1
    laws = {}
    e = None
    a = path_offset - packed.inputs_offset
    for i, spec in enumerate(packed.specs):
        over = {key_: v[a:a + n_paths] for key_, v in packed.inputs[i].items()} \
            if packed.inputs and packed.inputs[i] else {}
        if set(over) - set(_SHOCK_KEYS):
            thetas.append(theta_rows(spec, over, n_paths))
            segs.append(seg_rate_rows(spec, over, n_paths, k))
            rowix[i, 0], rowix[i, 1] = n_theta, 1
            n_theta += n_paths
        law = _shock_params(spec, over)
        fixed = all(isinstance(x, (str, float)) for x in law)
        if fixed and law[1] == 0.0 and law[3] == 0.0:
            continue
        if fixed and law in laws:
            rowix[i, 2], rowix[i, 3] = laws[law], 1
            continue
        if e is None:
            e = innovations(key, path_offset, n_paths, packed.n_streams)
        shocks.append(transform(e, *law))
        rowix[i, 2], rowix[i, 3] = n_shock, 1
        if fixed:
            laws[law] = n_shock
        n_shock += n_paths
    cat = np.concatenate
    return (thetas[0] if len(thetas) == 1 else cat(thetas),
            segs[0] if len(segs) == 1 else cat(segs),
            shocks[0] if len(shocks) == 1 else cat(shocks), rowix)
