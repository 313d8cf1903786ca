"""Slow, obvious references for ONE stream (as STUMPY's ``tests/naive.py``).

Two references, both per viewer and per gift, in plain Python:

* :func:`stream_exact` follows the random-number layout documented at the top
  of ``simkit/_kernels/stream.py`` and calls the same counter generator
  (``stream_seed``/``u01``/``poisson_inv``/``binom_inv``/``ndtri``), so it must
  agree with the kernel to rounding (``rtol=1e-12``).
* :func:`stream_numpy` draws everything from a ``numpy.random.Generator`` by
  different methods (rejection for the truncated exponential arrivals, a
  Poisson process of exponential gaps for feed arrivals, for gifts gift by gift
  and for virality offspring), so it only agrees in distribution; tests compare
  it with the kernel by two-sample tests.

Around the streams, :func:`horizon_exact` runs a whole path day by day with
the same draws (schedules of every kind, habit, brand offers and deals,
Scaled LIVE Rewards, the wallet's withdrawals); :func:`adhoc_law`,
:func:`adhoc_expectation` and :func:`brand_sponsored_probs` give the laws and
expectations the statistical tests of ``tests/test_naive_horizon.py`` compare
the kernel with, computed without simulation.

Model parameters are read from the scenario by dotted key and turned into
model quantities here with the documented formulas (docs/model.md), not
through ``simkit._pack``.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from simkit import scenario_from_dict
from simkit._kernels.rng import (
    P_COUNTS, P_DISCOVERED, P_DONATE, P_GIFTS, P_MATCH, P_MATCHVIEW, P_MERCH,
    P_NOTIFIED, P_OFFSPRING, P_PARTNER, P_SHOCK, P_SUBS, P_SUBVIEW, P_VIRAL, binom_inv,
    ndtri, poisson_inv, stream_seed, u01,
)
from simkit._kernels.stream import (
    C_MATCH_GIFTS, C_MATCH_PARTNER, MAX_MATCHES, OFF_DISCOVERED, OFF_MATCH,
    OFF_NOTIFIED, OFF_PARTNER, OFF_SUBSCRIBER, child_key,
)
from simkit._kernels.vmath import vexp, vlog

#: Segments with plenty of gifters, so that small runs see many gifts.
GIFTY_SEGMENTS = {
    "names": ["none", "casual", "big", "whale"],
    "follower_shares": [0.55, 0.3, 0.1, 0.05],
    "newcomer_shares": [0.7, 0.2, 0.07, 0.03],
    "gift_rate_per_min": [0.0, 0.05, 0.15, 0.3],
    "catalogue_tilt": [0.0, 0.0, 0.3, 0.6],
}


def one_stream_dict():
    """Scenario dict with one 60-minute stream on day 0 (Monday) at 20:00.

    Brand deals, organic growth, unfollows, virality, collaboration and the
    stream shocks are off, so the single stream can be checked in isolation.
    """
    return {
        "name": "one_stream",
        "horizon": {"weeks": 1},
        "schedule": {"kind": "explicit",
                     "streams": [{"day": 0, "hour": 20, "collab": False}]},
        "stream": {"duration_min": 60.0},
        "creator": {"followers": 2000, "organic_growth_per_day": 0.0,
                    "unfollow_rate_per_day": 0.0},
        "audience": {"join_rate": 0.05, "discovery_rate_per_min": 1.0,
                     "notify_decay_per_min": 0.1, "virality": 0.0,
                     "follow_prob": 0.05},
        "habit": {"enabled": False},
        "brand": {"enabled": False},
        "segments": copy.deepcopy(GIFTY_SEGMENTS),
        "merch": {"buy_prob": 0.02},
        "donations": {"donate_prob": 0.03},
        "shocks": {"audience_sigma": 0.0, "gift_sigma": 0.0},
    }


def set_dotted(d, dotted, value):
    """Set ``d["a"]["b"] = value`` for ``dotted = "a.b"`` (creating tables)."""
    *secs, key = dotted.split(".")
    for s in secs:
        d = d.setdefault(s, {})
    d[key] = value


def one_stream_scenario(**overrides):
    """The :func:`one_stream_dict` scenario with dotted overrides (``_`` for ``.``
    is not used: pass ``**{"audience.virality": 0.3}``)."""
    d = one_stream_dict()
    for k, v in overrides.items():
        set_dotted(d, k, v)
    return scenario_from_dict(d)


# ----- model quantities from scenario keys (docs/model.md) -------------------
def _g(sc):
    return math.exp(sc["audience.gifting_elasticity"] * (sc["audience.engagement"] - 0.5))


def _h(sc):
    return math.exp(sc["audience.dwell_elasticity"] * (sc["audience.engagement"] - 0.5))


def dwell_quantile(sc, u):
    """Newcomer dwell (minutes) at uniform ``u``: the quantile function of D."""
    med = sc["dwell.median_min"] * _h(sc)
    kind = sc["dwell.distribution"]
    if kind == "lognormal":
        return vexp(math.log(med) + sc["dwell.sigma"] * ndtri(u))
    if kind == "weibull":
        k = sc["dwell.shape"]
        return med / math.log(2.0) ** (1.0 / k) * vexp(vlog(0.0 - vlog(1.0 - u)) / k)
    return (med / math.log(2.0)) * (0.0 - vlog(1.0 - u))


def dwell_frozen(sc):
    """The newcomer dwell law D as a frozen scipy.stats distribution."""
    from scipy import stats

    med = sc["dwell.median_min"] * _h(sc)
    kind = sc["dwell.distribution"]
    if kind == "lognormal":
        return stats.lognorm(s=sc["dwell.sigma"], scale=med)
    if kind == "weibull":
        k = sc["dwell.shape"]
        return stats.weibull_min(k, scale=med / math.log(2.0) ** (1.0 / k))
    return stats.expon(scale=med / math.log(2.0))


def _cum(shares):
    c = np.cumsum(shares)
    c[-1] = 1.0
    return c


def _segment(cum, u):
    k = 0
    while k < len(cum) - 1 and u > cum[k]:
        k += 1
    return k


def item_probs(sc):
    """Pick probability of each catalogue item by segment: w_j c_j**tilt_k, normalized,
    with tilt_k = segments.catalogue_tilt[k] + segments.gift_size_tilt."""
    cat = sc.catalogue
    shift = sc["segments.gift_size_tilt"]
    return np.array([cat.weights * cat.coins.astype(float) ** (t + shift)
                     / (cat.weights * cat.coins.astype(float) ** (t + shift)).sum()
                     for t in sc["segments.catalogue_tilt"]])


def stream_context(sc, si=0):
    """Stream ``si`` of an explicit schedule: hour, weekday, duration, collab, promo."""
    s = sc["schedule.streams"][si]
    return {"hour": s["hour"], "weekday": s["day"] % 7,
            "duration": s.get("duration_min", sc["stream.duration_min"]),
            "collab": bool(s.get("collab", False)),
            "promo": s.get("promotion", sc["audience.promotion"])}


# ----- the exact reference ----------------------------------------------------
def _c64(c):
    """A counter as the kernels see it: an integer mod 2**64, as uint64."""
    return np.uint64(int(c) % (1 << 64))


def _seed(key, path, si, purpose):
    # The kernel types seeds as uint64; a Python int above 2**63 would not fit
    # numba's default int64 dispatch.
    return np.uint64(stream_seed(np.uint64(key), np.int64(path), np.int64(si),
                                 np.int64(purpose)))


def match_windows(sc, key, path, si, T):
    """LIVE Match windows of stream ``si``: the drawn matches ``[(start, end)]``
    sorted by start, and their union (disjoint intervals)."""
    mean = sc["match.matches_per_stream"]
    if mean <= 0.0:
        return [], []
    seed = _seed(key, path, si, P_MATCH)
    u = u01(seed, 0)
    if sc["match.count"] == "fixed":
        nm = math.floor(mean) + (1 if u < mean - math.floor(mean) else 0)
    else:
        nm = poisson_inv(u, mean)
    nm = min(nm, MAX_MATCHES)
    ln = min(sc["match.length_min"], T)
    matches = sorted(((T - ln) * u01(seed, 1 + w), 0.0) for w in range(nm))
    matches = [(s0, s0 + ln) for s0, _ in matches]
    union = []
    for s0, e0 in matches:
        if union and s0 <= union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], e0))
        else:
            union.append((s0, e0))
    return matches, union


def stream_exact(sc, key, path, si=0, *, followers=None, habit=1.0, hour=20,
                 weekday=0, duration=None, collab=False, promo=None, x_aud=1.0,
                 x_gift=1.0, subs=0.0):
    """Stream ``si`` of ``path`` under root ``key``, viewer by viewer.

    ``x_aud`` and ``x_gift`` are the stream's audience and gifting shocks
    (:func:`shocks_exact`): they multiply the arrival means and the gift rates.
    ``subs`` paying subscribers (LIVE Subscriptions, docs/model.md §19) are
    part of the followers; LIVE Match windows boost the gift rate.

    Returns
    -------
    dict
        unique, notified, discovered, new_followers, viewer_minutes, peak,
        gifts, coins, merch, donations, new_subs, match_coins, gifters
        (expected, not drawn) (floats) and curve (concurrency at each whole
        minute).
    """
    F = sc["creator.followers"] if followers is None else followers
    T = sc["stream.duration_min"] if duration is None else duration
    P = sc["audience.promotion"] if promo is None else promo
    kappa = sc["audience.notify_decay_per_min"]
    r = sc["audience.join_rate"]
    phi = sc["audience.follow_prob"]
    a = sc["audience.activity"][hour] * sc["audience.weekday_factors"][weekday]
    trunc = -math.expm1(-kappa * T)
    ff = sc["dwell.follower_factor"]
    cum_f = _cum(sc["segments.follower_shares"])
    cum_n = _cum(sc["segments.newcomer_shares"])
    n_seg = len(cum_f)
    dist = sc["dwell.distribution"]
    med = sc["dwell.median_min"] * _h(sc)
    mean_d = (med * math.exp(sc["dwell.sigma"] ** 2 / 2) if dist == "lognormal" else
              dwell_frozen(sc).mean())
    beta = sc["audience.virality"] / mean_d if sc["audience.virality"] > 0 else 0.0

    viewers = []          # (arrival, leave, segment, gift weight)
    roots = []            # (arrival, leave, viewer key) of every viewer
    followed = 0
    offspring_total = 0
    s_counts = _seed(key, path, si, P_COUNTS)
    s_off = _seed(key, path, si, P_OFFSPRING)
    s_vir = _seed(key, path, si, P_VIRAL)

    def cascade(a0, l0, u, vkey):
        # Offspring of the viewer with key vkey, present on [a0, l0):
        # Poisson(beta * stay) at its offspring uniform u, each arriving
        # uniformly while the parent is present; the j-th has the key
        # child_key(vkey, j) and draws at 5 k .. 5 k + 4 of P_VIRAL.
        nonlocal followed, offspring_total
        c = poisson_inv(u, beta * (l0 - a0))
        for j in range(c):
            ck = int(child_key(np.uint64(vkey), np.int64(j)))
            k5 = 5 * ck
            ac = a0 + (l0 - a0) * u01(s_vir, _c64(k5))
            seg = _segment(cum_n, u01(s_vir, _c64(k5 + 1)))
            lc = min(ac + dwell_quantile(sc, u01(s_vir, _c64(k5 + 2))), T)
            viewers.append((ac, lc, seg, 1.0))
            if u01(s_vir, _c64(k5 + 3)) < phi:
                followed += 1
            offspring_total += 1
            cascade(ac, lc, u01(s_vir, _c64(k5 + 4)), ck)

    matches, union = match_windows(sc, key, path, si, T)

    # Notified followers (the F - S who do not subscribe).
    seed = _seed(key, path, si, P_NOTIFIED)
    n_not = poisson_inv(u01(s_counts, 0),
                        (F - subs) * r * a * habit * P * trunc * x_aud)
    for i in range(n_not):
        arr = (-1.0 / kappa) * vlog(1.0 - u01(seed, 3 * i) * trunc)
        k = _segment(cum_f, u01(seed, 3 * i + 1))
        leave = min(arr + ff * dwell_quantile(sc, u01(seed, 3 * i + 2)), T)
        viewers.append((arr, leave, k, 1.0))
        roots.append((arr, leave, OFF_NOTIFIED + i))

    # Subscribers: join at watch_uplift x r, gift at gift_uplift x their rate;
    # a joining non-subscriber subscribes with subscribe_prob.
    n_sub = new_subs = 0
    if sc["subscriptions.enabled"]:
        s_subs = _seed(key, path, si, P_SUBS)
        if subs > 0:
            seed = _seed(key, path, si, P_SUBVIEW)
            n_sub = poisson_inv(u01(s_subs, 0), subs * sc["subscriptions.watch_uplift"]
                                * r * a * habit * P * trunc * x_aud)
            for i in range(n_sub):
                arr = (-1.0 / kappa) * vlog(1.0 - u01(seed, 3 * i) * trunc)
                k = _segment(cum_f, u01(seed, 3 * i + 1))
                leave = min(arr + ff * dwell_quantile(sc, u01(seed, 3 * i + 2)), T)
                viewers.append((arr, leave, k, sc["subscriptions.gift_uplift"]))
                roots.append((arr, leave, OFF_SUBSCRIBER + i))
        new_subs = binom_inv(u01(s_subs, 1), n_not, sc["subscriptions.subscribe_prob"])

    # Partner's followers.
    n_par = 0
    if collab:
        seed = _seed(key, path, si, P_PARTNER)
        n_par = poisson_inv(u01(s_counts, 30),
                            sc["collaboration.partner_followers"] * r
                            * sc["collaboration.interest"] * a * P * trunc * x_aud)
        for i in range(n_par):
            arr = (-1.0 / kappa) * vlog(1.0 - u01(seed, 4 * i) * trunc)
            k = _segment(cum_n, u01(seed, 4 * i + 1))
            leave = min(arr + dwell_quantile(sc, u01(seed, 4 * i + 2)), T)
            viewers.append((arr, leave, k, 1.0))
            if u01(seed, 4 * i + 3) < phi:
                followed += 1
            roots.append((arr, leave, OFF_PARTNER + i))

    # The match opponent's followers: Poisson per match, uniform in the match.
    n_mp = 0
    if matches and sc["match.partner_followers"] > 0:
        seed = _seed(key, path, si, P_MATCHVIEW)
        s_match = _seed(key, path, si, P_MATCH)
        lam = sc["match.partner_followers"] * r * sc["match.partner_interest"] * a * P \
            * x_aud
        for w, (m0, m1) in enumerate(matches):
            n_w = poisson_inv(u01(s_match, C_MATCH_PARTNER + w), lam)
            for i in range(n_mp, n_mp + n_w):
                arr = m0 + (m1 - m0) * u01(seed, 4 * i)
                k = _segment(cum_n, u01(seed, 4 * i + 1))
                leave = min(arr + dwell_quantile(sc, u01(seed, 4 * i + 2)), T)
                viewers.append((arr, leave, k, 1.0))
                if u01(seed, 4 * i + 3) < phi:
                    followed += 1
                roots.append((arr, leave, OFF_MATCH + i))
            n_mp += n_w

    # Feed discovery, hour chunk by hour chunk.
    seed = _seed(key, path, si, P_DISCOVERED)
    n_dis = 0
    for j in range(math.ceil(math.ceil(T) / 60)):
        t0 = 60.0 * j
        length = min(60.0, T - t0)
        rate = sc["audience.discovery_rate_per_min"] * \
            sc["audience.activity"][(hour + j) % 24] * sc["audience.weekday_factors"][weekday] \
            * x_aud
        n_j = poisson_inv(u01(s_counts, 1 + j), rate * length)
        for i in range(n_dis, n_dis + n_j):
            arr = t0 + length * u01(seed, 4 * i)
            k = _segment(cum_n, u01(seed, 4 * i + 1))
            leave = min(arr + dwell_quantile(sc, u01(seed, 4 * i + 2)), T)
            viewers.append((arr, leave, k, 1.0))
            if u01(seed, 4 * i + 3) < phi:
                followed += 1
            roots.append((arr, leave, OFF_DISCOVERED + i))
        n_dis += n_j

    # Virality: every viewer above is a root (in any order: draws are keyed).
    if beta > 0.0:
        for arr, leave, vkey in roots:
            cascade(arr, leave, u01(s_off, _c64(vkey)), vkey)

    # Gift-weighted minutes by segment, outside and inside match windows;
    # concurrency by counting who is present at each minute.
    minutes = [0.0] * n_seg
    match_minutes = [0.0] * n_seg
    vm = 0.0
    # Expected gifters (no draw): a viewer of segment k present s minutes, m of
    # them in matches, sends Poisson(rho_k sc g(e) X_gift gw (s + (boost - 1) m))
    # gifts, so gifts at least once with 1 - exp(-that).
    gifters = 0.0
    rate_of = [sc["segments.gift_rate_per_min"][k] * sc["segments.gift_rate_scale"]
               * _g(sc) * x_gift for k in range(n_seg)]
    for arr, leave, k, gw in viewers:
        ov = sum(max(0.0, min(leave, e0) - max(arr, s0)) for s0, e0 in union)
        minutes[k] += gw * (leave - arr - ov)
        match_minutes[k] += gw * ov
        vm += leave - arr
        gifters -= math.expm1(-rate_of[k] * gw * (leave - arr + (
            sc["match.gift_boost"] - 1.0) * ov))
    curve = np.array([sum(1 for arr, leave, _, _ in viewers if arr <= m < leave)
                      for m in range(math.ceil(T))], dtype=float)

    # Gifts of item j by segment k: Poisson(rho_k s g(e) X_gift minutes_k w_kj),
    # s = segments.gift_rate_scale.
    seed = _seed(key, path, si, P_GIFTS)
    w = item_probs(sc)
    coins = sc.catalogue.coins
    n_items = len(coins)
    gifts = 0
    coin_sum = 0
    for k in range(n_seg):
        lam_k = (sc["segments.gift_rate_per_min"][k]
                 * (sc["segments.gift_rate_scale"] * _g(sc)) * x_gift * minutes[k])
        if lam_k <= 0.0:
            continue
        for j in range(n_items):
            g = poisson_inv(u01(seed, k * n_items + j), lam_k * w[k, j])
            gifts += g
            coin_sum += g * int(coins[j])
    # Match minutes: the rate times gift_boost, drawn at P_MATCH counters.
    match_coins = 0
    if union:
        seed = _seed(key, path, si, P_MATCH)
        for k in range(n_seg):
            lam_k = (sc["segments.gift_rate_per_min"][k]
                     * (sc["segments.gift_rate_scale"] * _g(sc)) * x_gift
                     * sc["match.gift_boost"] * match_minutes[k])
            if lam_k <= 0.0:
                continue
            for j in range(n_items):
                g = poisson_inv(u01(seed, C_MATCH_GIFTS + k * n_items + j),
                                lam_k * w[k, j])
                gifts += g
                match_coins += g * int(coins[j])
        coin_sum += match_coins

    unique = n_not + n_sub + n_par + n_mp + n_dis + offspring_total

    def lognormal_total(seed, p, median, sigma, keep, fee_rate, fee_usd):
        m = binom_inv(u01(seed, 0), unique, p)
        total = 0.0
        for b in range(m):
            x = keep * math.exp(math.log(max(median, 1e-300))
                                + sigma * ndtri(u01(seed, 1 + b)))
            total += max(x * (1.0 - fee_rate) - fee_usd, 0.0)
        return total

    merch = lognormal_total(_seed(key, path, si, P_MERCH), sc["merch.buy_prob"],
                            sc["merch.order_median_usd"], sc["merch.order_sigma"],
                            sc["merch.margin"], 0.0, 0.0)
    don = lognormal_total(_seed(key, path, si, P_DONATE),
                          sc["donations.donate_prob"], sc["donations.median_usd"],
                          sc["donations.sigma"], 1.0, sc["donations.fee_rate"],
                          sc["donations.fee_usd"])
    return {"unique": float(unique), "notified": float(n_not + n_sub + n_par + n_mp),
            "discovered": float(n_dis + offspring_total),
            "offspring": float(offspring_total),
            "new_followers": float(followed), "viewer_minutes": vm,
            "peak": float(curve.max()) if curve.size else 0.0,
            "gifts": float(gifts), "coins": float(coin_sum), "merch": merch,
            "donations": don, "new_subs": float(new_subs),
            "match_coins": float(match_coins), "gifters": gifters, "curve": curve}


# ----- stream shocks (docs/model.md §17) ------------------------------------------
def shocks_exact(sc, key, path, n):
    """Audience and gifting shocks of streams ``0 .. n-1`` of ``path``, stream by
    stream: normal innovations at counters 0 (audience) and 1 (gifting) of
    ``stream_seed(key, path, i, P_SHOCK)``, a stationary AR(1) of the normal
    scores, then the mean-one marginal (lognormal, or gamma of the same
    variance at the same normal quantile)."""
    from scipy import special, stats

    fam = sc["shocks.family"]
    out = []
    z = [0.0, 0.0]
    pars = ((sc["shocks.audience_sigma"], sc["shocks.rho"]),
            (sc["shocks.gift_sigma"], sc["shocks.gift_rho"]))
    for i in range(n):
        seed = _seed(key, path, i, P_SHOCK)
        xs = []
        for c, (sigma, rho) in enumerate(pars):
            e = ndtri(u01(seed, c))
            z[c] = e if i == 0 else rho * z[c] + math.sqrt(1.0 - rho * rho) * e
            if fam == "lognormal":
                xs.append(math.exp(sigma * z[c] - 0.5 * sigma * sigma))
            elif sigma == 0.0:
                xs.append(1.0)
            else:
                cv2 = math.expm1(sigma * sigma)
                g = stats.gamma(1.0 / cv2, scale=cv2)
                xs.append(float(g.ppf(special.ndtr(z[c])) if z[c] <= 0
                                else g.isf(special.ndtr(-z[c]))))
        out.append(tuple(xs))
    return out


# ----- the independent reference (numpy Generator) ----------------------------
def stream_numpy(sc, rng, *, followers=None, habit=1.0, hour=20, weekday=0,
                 duration=None, collab=False, promo=None, subs=0.0):
    """One stream drawn with ``rng`` (a numpy Generator), gift by gift.

    Notified arrivals: Exp(kappa) redrawn until <= T (rejection); feed
    arrivals: a Poisson process built from exponential gaps in each hour
    chunk; each viewer sends gifts as a Poisson process of exponential gaps
    while present, each gift's item drawn from the segment's weights;
    virality: each viewer present spawns feed viewers as a Poisson process.

    LIVE Subscriptions and LIVE Match (docs/model.md §19): ``subs`` of the
    followers are subscribers (their own arrivals, gift rate times the
    uplift); match windows are drawn with ``rng``, and each viewer's gifts
    come from a Poisson process at the boosted rate thinned outside the
    windows (so the kernel's split of minutes is not reused).

    Returns the same keys as :func:`stream_exact` (without merch/donations);
    ``gifters`` here counts the viewers who did send a gift (a draw, whose mean
    is the kernel's expected ``gifters``).
    """
    F = sc["creator.followers"] if followers is None else followers
    T = sc["stream.duration_min"] if duration is None else duration
    P = sc["audience.promotion"] if promo is None else promo
    kappa = sc["audience.notify_decay_per_min"]
    r = sc["audience.join_rate"]
    phi = sc["audience.follow_prob"]
    a = sc["audience.activity"][hour] * sc["audience.weekday_factors"][weekday]
    ff = sc["dwell.follower_factor"]
    sh_f = np.asarray(sc["segments.follower_shares"])
    sh_n = np.asarray(sc["segments.newcomer_shares"])
    rates = np.asarray(sc["segments.gift_rate_per_min"]) * sc["segments.gift_rate_scale"] \
        * _g(sc)
    w = item_probs(sc)
    coins = sc.catalogue.coins
    d = dwell_frozen(sc)
    beta = sc["audience.virality"] / d.mean() if sc["audience.virality"] > 0 else 0.0
    trunc = 1.0 - math.exp(-kappa * T)

    med = sc["dwell.median_min"] * _h(sc)
    kind = sc["dwell.distribution"]

    def dwell():
        if kind == "lognormal":
            return rng.lognormal(math.log(med), sc["dwell.sigma"])
        if kind == "weibull":
            k = sc["dwell.shape"]
            return med / math.log(2.0) ** (1.0 / k) * rng.weibull(k)
        return rng.exponential(med / math.log(2.0))

    cf, cn, cw = np.cumsum(sh_f), np.cumsum(sh_n), np.cumsum(w, axis=1)

    def pick(cum):
        # Index drawn with probabilities diff(cum): first cum[i] > U.
        return min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")),
                   len(cum) - 1)

    viewers = []   # (arrival, leave, segment)
    followed = 0
    offspring = 0

    def spawn(a0, l0):
        # Offspring of a viewer present on [a0, l0): rate beta while present.
        nonlocal followed, offspring
        t = a0
        while beta > 0.0:
            t += rng.exponential(1.0 / beta)
            if t >= l0:
                break
            k = pick(cn)
            lv = min(t + dwell(), T)
            viewers.append((t, lv, k))
            offspring += 1
            if rng.random() < phi:
                followed += 1
            spawn(t, lv)

    # LIVE Match windows: count, uniform starts, union for the boost.
    matches = []
    mean = sc["match.matches_per_stream"]
    if mean > 0:
        nm = (math.floor(mean) + (rng.random() < mean - math.floor(mean))
              if sc["match.count"] == "fixed" else rng.poisson(mean))
        ln = min(sc["match.length_min"], T)
        matches = [(x, x + ln) for x in rng.uniform(0.0, T - ln, min(nm, 32))]
    boost = sc["match.gift_boost"] if matches else 1.0
    gweight = {}   # index in viewers -> gift weight (subscribers)

    n_not = rng.poisson((F - subs) * r * a * habit * P * trunc)
    n_sub = new_subs = 0
    if sc["subscriptions.enabled"]:
        new_subs = rng.binomial(n_not, sc["subscriptions.subscribe_prob"])
        n_sub = rng.poisson(subs * sc["subscriptions.watch_uplift"] * r * a * habit * P
                            * trunc)
        for _ in range(n_sub):
            arr = rng.exponential(1.0 / kappa)
            while arr > T:
                arr = rng.exponential(1.0 / kappa)
            gweight[len(viewers)] = sc["subscriptions.gift_uplift"]
            lv = min(arr + ff * dwell(), T)
            viewers.append((arr, lv, pick(cf)))
            spawn(arr, lv)
    n_mp = 0
    for m0, m1 in matches:
        n_w = rng.poisson(sc["match.partner_followers"] * r * sc["match.partner_interest"]
                          * a * P)
        n_mp += n_w
        for _ in range(n_w):
            arr = rng.uniform(m0, m1)
            k = pick(cn)
            lv = min(arr + dwell(), T)
            viewers.append((arr, lv, k))
            if rng.random() < phi:
                followed += 1
            spawn(arr, lv)
    for _ in range(n_not):
        arr = rng.exponential(1.0 / kappa)
        while arr > T:
            arr = rng.exponential(1.0 / kappa)
        k = pick(cf)
        lv = min(arr + ff * dwell(), T)
        viewers.append((arr, lv, k))
        spawn(arr, lv)
    n_par = 0
    if collab:
        n_par = rng.poisson(sc["collaboration.partner_followers"] * r
                            * sc["collaboration.interest"] * a * P * trunc)
        for _ in range(n_par):
            arr = rng.exponential(1.0 / kappa)
            while arr > T:
                arr = rng.exponential(1.0 / kappa)
            k = pick(cn)
            lv = min(arr + dwell(), T)
            viewers.append((arr, lv, k))
            if rng.random() < phi:
                followed += 1
            spawn(arr, lv)
    n_dis = 0
    for j in range(math.ceil(math.ceil(T) / 60)):
        t0, t1 = 60.0 * j, min(60.0 * (j + 1), T)
        rate = sc["audience.discovery_rate_per_min"] * \
            sc["audience.activity"][(hour + j) % 24] * sc["audience.weekday_factors"][weekday]
        t = t0
        while rate > 0:
            t += rng.exponential(1.0 / rate)
            if t >= t1:
                break
            n_dis += 1
            k = pick(cn)
            lv = min(t + dwell(), T)
            viewers.append((t, lv, k))
            if rng.random() < phi:
                followed += 1
            spawn(t, lv)

    gifts = 0
    coin_sum = 0
    match_coins = 0
    gifted = 0        # viewers who sent at least one gift (drawn, not expected)
    vm = 0.0
    top = max(boost, 1.0)
    for i, (arr, lv, k) in enumerate(viewers):
        vm += lv - arr
        t = arr
        rate = rates[k] * gweight.get(i, 1.0) * top
        first = True
        while rate > 0:
            t += rng.exponential(1.0 / rate)
            if t >= lv:
                break
            inside = any(m0 <= t < m1 for m0, m1 in matches)
            if rng.random() * top >= (boost if inside else 1.0):
                continue   # thinned: the rate here is below the top rate
            gifts += 1
            gifted += first
            first = False
            c = int(coins[pick(cw[k])])
            coin_sum += c
            match_coins += c if inside else 0
    curve = np.array([sum(1 for arr, lv, _ in viewers if arr <= m < lv)
                      for m in range(math.ceil(T))], dtype=float)
    return {"unique": float(len(viewers)),
            "notified": float(n_not + n_sub + n_par + n_mp),
            "discovered": float(n_dis + offspring), "new_followers": float(followed),
            "viewer_minutes": vm, "peak": float(curve.max()) if curve.size else 0.0,
            "gifts": float(gifts), "coins": float(coin_sum),
            "new_subs": float(new_subs), "match_coins": float(match_coins),
            "gifters": float(gifted),
            "curve": curve}


# ----- schedules (docs/model.md §11) ---------------------------------------------
#: P_SCHEDULE index of week ``w``'s ad-hoc draws is ``AD_HOC_WEEK_INDEX + w``
#: (docs/model.md §15 says "a week number"; the offset keeps the weekly draws
#: apart from the per-stream collaboration and flat-fee draws, which use the
#: stream number as index). Counters: ``d`` for step ``d`` of the partial
#: shuffle, ``7 + d`` for the hour of the ``d``-th (sorted) stream.
AD_HOC_WEEK_INDEX = 1 << 20


def adhoc_hours(sc):
    """The start hours an ad-hoc stream may get (docs/model.md §11): ``floor(lo)``
    to ``floor(lo) + floor(hi - lo) - 1``, capped at 23, each equally likely
    (a list with repeats where the cap merges hours)."""
    lo, hi = sc["schedule.waking_hours"]
    n = math.floor(hi - lo)
    return [min(math.floor(lo) + k, 23) for k in range(n)]


def adhoc_law(sc):
    """The law of one week of an ad-hoc schedule (docs/model.md §11):
    ``({weekday set: probability}, {hour: probability})``. Every set of
    ``streams_per_week`` distinct weekdays is equally likely; each start hour
    is uniform over :func:`adhoc_hours`, independently of the days."""
    import itertools

    spw = sc["schedule.streams_per_week"]
    sets = list(itertools.combinations(range(7), spw))
    hours = adhoc_hours(sc)
    hour_p = {}
    for h in hours:
        hour_p[h] = hour_p.get(h, 0.0) + 1.0 / len(hours)
    return {s: 1.0 / len(sets) for s in sets}, hour_p


def adhoc_week_exact(sc, key, path, w):
    """Week ``w`` of an ad-hoc schedule: ``[(weekday, hour)]`` sorted by weekday.

    ``streams_per_week`` distinct weekdays by a partial Fisher-Yates shuffle of
    ``0..6`` (step ``d`` swaps position ``d`` with ``d + floor(u_d (7 - d))``),
    sorted; then the ``d``-th day gets hour ``adhoc_hours[floor(u_{7+d} n)]``.
    """
    from simkit._kernels.rng import P_SCHEDULE

    seed = _seed(key, path, AD_HOC_WEEK_INDEX + w, P_SCHEDULE)
    spw = sc["schedule.streams_per_week"]
    days = list(range(7))
    for d in range(spw):
        j = d + int(u01(seed, d) * (7 - d))
        days[d], days[j] = days[j], days[d]
    hours = adhoc_hours(sc)
    n = len(hours)
    return [(wd, hours[min(int(u01(seed, 7 + d) * n), n - 1)])
            for d, wd in enumerate(sorted(days[:spw]))]


def adhoc_week_numpy(sc, rng):
    """Week of an ad-hoc schedule drawn with a numpy Generator by other means:
    ``rng.choice`` without replacement for the days, ``rng.choice`` of the
    allowed hours."""
    spw = sc["schedule.streams_per_week"]
    days = np.sort(rng.choice(7, size=spw, replace=False))
    hours = rng.choice(adhoc_hours(sc), size=spw)
    return list(zip(days.tolist(), hours.tolist()))


def schedule_exact(sc, key, path):
    """The streams of ``path`` in order: dicts with day, hour, duration, collab
    (drawn at counter 0 of the stream's P_SCHEDULE stream with
    ``collaboration.probability`` unless an explicit stream fixes it) and promo."""
    from simkit._kernels.rng import P_SCHEDULE

    kind = sc["schedule.kind"]
    dur, promo = sc["stream.duration_min"], sc["audience.promotion"]
    weeks = sc["horizon.weeks"]
    if kind == "explicit":
        rows = [dict(stream_context(sc, i), day=s["day"], fixed="collab" in s)
                for i, s in enumerate(sc["schedule.streams"])]
    elif kind == "consistent":
        rows = [{"day": 7 * w + wd, "hour": h, "duration": dur, "promo": promo,
                 "fixed": False, "collab": False}
                for w in range(weeks) for wd, h in sorted(sc["schedule.slots"])]
    else:
        rows = [{"day": 7 * w + wd, "hour": h, "duration": dur, "promo": promo,
                 "fixed": False, "collab": False}
                for w in range(weeks) for wd, h in adhoc_week_exact(sc, key, path, w)]
    for i, row in enumerate(rows):
        if not row.pop("fixed"):
            u = u01(_seed(key, path, i, P_SCHEDULE), 0)
            row["collab"] = bool(u < sc["collaboration.probability"])
        row["weekday"] = row["day"] % 7
    return rows


# ----- the money path (docs/model.md §13) ---------------------------------------
def scaled_share(duration, new_followers, week_streams_over_25, extra):
    """US Scaled LIVE Rewards share of the diamond value (docs/model.md §13.1):
    20% under 5 minutes, a linear ramp to 38% at 25 minutes, +2% with at least
    5 new followers, +6% (+8%) when the calendar week has one (two or more)
    scheduled streams longer than 25 minutes, plus ``extra``, at most 53%."""
    if duration < 5:
        s_len = 0.20
    elif duration < 25:
        s_len = 0.20 + 0.18 * (duration - 5) / 20
    else:
        s_len = 0.38
    weekly = (0.08 if week_streams_over_25 >= 2 else
              0.06 if week_streams_over_25 == 1 else 0.0)
    return min(s_len + (0.02 if new_followers >= 5 else 0.0) + weekly + extra, 0.53)


class Wallet:
    """The creator's wallet (docs/model.md §13.1): credits, one end-of-day
    withdrawal of ``min(B, W_max)`` when ``B > 0`` and ``B >= W_min``, a fee
    ``min(f w + f_0, w)``, and the net arriving ``delay`` days later."""

    def __init__(self, sc):
        self.w_min = sc["money.withdraw_min_usd"]
        self.w_max = sc["money.withdraw_max_per_day_usd"]
        self.f = sc["money.withdraw_fee_rate"]
        self.f0 = sc["money.withdraw_fee_usd"]
        self.delay = sc["money.payout_delay_days"]
        self.days = sc.horizon_days
        self.balance = 0.0
        self.arrivals = []   # (day the net arrives, net)
        self.fees = 0.0
        self.log = []        # (day, amount withdrawn, fee) for coverage checks

    def end_of_day(self, day):
        b = self.balance
        if b > 0 and b >= self.w_min:
            w = min(b, self.w_max)
            fee = min(self.f * w + self.f0, w)
            self.balance = b - w
            self.fees += fee
            self.arrivals.append((day + self.delay, w - fee))
            self.log.append((day, w, fee))

    def totals(self):
        """cash_paid_out (arrived by the last day, 7W - 1), cash_pending (balance
        plus nets in transit) and withdrawal_fees."""
        paid = sum(net for d, net in self.arrivals if d <= self.days - 1)
        transit = sum(net for d, net in self.arrivals if d > self.days - 1)
        return {"cash_paid_out": paid, "cash_pending": self.balance + transit,
                "withdrawal_fees": self.fees}


_ZERO_STREAM = ("unique", "notified", "discovered", "new_followers", "viewer_minutes",
                "peak", "gifts", "coins", "merch", "donations", "new_subs",
                "match_coins", "gifters")


# ----- the exact reference of a horizon ----------------------------------------
def horizon_exact(sc, key, path, totals=False, wallet_log=None, balances=None):
    """Every stream of ``path`` over the horizon, day by day, with the same draws
    as the kernel.

    The schedule comes from :func:`schedule_exact` (consistent, ad hoc or
    explicit). Each day: LIVE Subscription renewals (days 30, 60, ...), brand
    offers ``Poisson(o / 7 (F / 100,000)^epsilon)`` at counter 0 of the day's
    P_DAILY stream join the queue; then the day's streams in order. A stream
    goes live with an adult account and ``F >= live_min_followers``; the habit
    record R moves toward 1 when a live stream repeats the weekday and hour of
    a live stream seven days before; each stream gets its shocks
    (:func:`shocks_exact`). A live stream earns
    ``coins q v s (1 - agency_cut)``, ``s`` the creator share or
    :func:`scaled_share`, credited to the :class:`Wallet`; it takes one
    waiting brand offer if any (CPM on its viewer-minutes, or a lognormal flat
    fee at ``z = Phi^-1(u)``, ``u`` counter 1 of the stream's P_SCHEDULE
    stream). At the day's end: one withdrawal, organic growth, unfollows.

    LIVE Subscriptions: subscribers start at ``min(initial, F)``, sign-ups pay
    ``price x share`` at once, and at the start of days 30, 60, ... each
    subscriber renews (binomial at counter 3 of the day's P_DAILY stream) and
    pays; both go to the wallet.

    Returns one dict per stream: the :func:`stream_exact` keys plus day, hour,
    duration_min, followers_start, habit, live, creator_share, income_gifts,
    income_brand, income_total; with ``totals=True`` ``(rows, totals)`` where
    totals has the horizon totals of docs/model.md §14 that the money path
    sets (income_*, cash_*, withdrawal_fees, streams_live, followers_end,
    subscribers_end, ...). ``wallet_log``, a list, receives the wallet's
    withdrawals ``(day, amount, fee)``, ``balances`` the balance left at each
    day's end.
    """
    from simkit._kernels.rng import P_DAILY, P_SCHEDULE

    plan = schedule_exact(sc, key, path)
    shocks = shocks_exact(sc, key, path, len(plan))
    followers = float(sc["creator.followers"])
    r_habit = sc["habit.initial"]
    lr = sc["habit.learning_rate"]
    live_slots = set()
    over_25 = {}
    for row in plan:
        if row["duration"] > 25:
            over_25[row["day"] // 7] = over_25.get(row["day"] // 7, 0) + 1
    wallet = Wallet(sc)
    brand_on = sc["brand.enabled"]
    queue = 0
    usd_per_coin = sc["money.diamonds_per_coin"] * sc["money.diamond_value_usd"] \
        * (1.0 - sc["money.agency_cut"])
    out = []
    i = 0
    sub_on = sc["subscriptions.enabled"]
    pay = sc["subscriptions.price_usd"] * sc["subscriptions.creator_share"]
    subs = float(min(sc["subscriptions.initial"], followers)) if sub_on else 0.0
    sub_income = 0.0
    for day in range(sc.horizon_days):
        dseed = _seed(key, path, day, P_DAILY)
        if sub_on and day > 0 and day % 30 == 0:
            subs = float(binom_inv(u01(dseed, 3), int(subs),
                                   sc["subscriptions.renew_prob"]))
            sub_income += subs * pay
            wallet.balance += subs * pay
        if brand_on:
            queue += poisson_inv(u01(dseed, 0), sc["brand.offers_per_week"] / 7.0
                                 * (followers / 1e5) ** sc["brand.reach_elasticity"])
        while i < len(plan) and plan[i]["day"] == day:
            ctx = {k: plan[i][k] for k in ("hour", "weekday", "duration", "collab",
                                           "promo")}
            can = sc["creator.adult"] and followers >= sc["creator.live_min_followers"]
            row = {"day": float(day), "hour": float(ctx["hour"]),
                   "duration_min": float(ctx["duration"]),
                   "followers_start": followers, "live": float(can), "habit": 1.0,
                   "creator_share": 0.0, "income_gifts": 0.0, "subscribers": subs,
                   "income_subscriptions": 0.0, "income_match": 0.0,
                   "income_brand": 0.0}
            if can:
                x = 1.0 if (day - 7, ctx["hour"]) in live_slots else 0.0
                live_slots.add((day, ctx["hour"]))
                r_habit = (1.0 - lr) * r_habit + lr * x
                if sc["habit.enabled"]:
                    row["habit"] = 1.0 + sc["habit.max_gain"] * r_habit
                res = stream_exact(sc, key, path, i, followers=followers,
                                   habit=row["habit"], x_aud=shocks[i][0],
                                   x_gift=shocks[i][1], subs=subs, **ctx)
                if sc["money.scaled_rewards"]:
                    share = scaled_share(ctx["duration"], res["new_followers"],
                                         over_25.get(day // 7, 0),
                                         sc["money.scaled_extra"])
                else:
                    share = sc["money.creator_share"]
                row["creator_share"] = share
                row["income_gifts"] = res["coins"] * usd_per_coin * share
                row["income_match"] = res["match_coins"] * usd_per_coin * share
                res["new_subs"] = min(res["new_subs"], followers - subs)
                subs += res["new_subs"]
                row["income_subscriptions"] = res["new_subs"] * pay
                sub_income += res["new_subs"] * pay
                wallet.balance += row["income_subscriptions"] + row["income_gifts"]
                if queue > 0:
                    queue -= 1
                    if sc["brand.pricing"] == "cpm":
                        row["income_brand"] = sc["brand.cpm_usd"] \
                            * res["viewer_minutes"] / 1000.0
                    else:
                        z = ndtri(u01(_seed(key, path, i, P_SCHEDULE), 1))
                        row["income_brand"] = (
                            sc["brand.flat_fee_usd"]
                            * (followers / 1e5) ** sc["brand.flat_fee_exponent"]
                            * math.exp(sc["brand.flat_fee_sigma"] * z))
                followers += res["new_followers"]
            else:
                res = {k: 0.0 for k in _ZERO_STREAM}
            row.update(res)
            row["income_total"] = (row["income_gifts"] + row["income_brand"]
                                   + row["merch"] + row["donations"]
                                   + row["income_subscriptions"])
            out.append(row)
            i += 1
        wallet.end_of_day(day)
        if balances is not None:
            balances.append(wallet.balance)
        followers += poisson_inv(u01(dseed, 1), sc["creator.organic_growth_per_day"])
        followers -= binom_inv(u01(dseed, 2), int(followers),
                               sc["creator.unfollow_rate_per_day"])
        subs = min(subs, followers)
    if wallet_log is not None and not totals:
        wallet_log.extend(wallet.log)
    if not totals:
        return out

    def total(name):
        return float(sum(r[name] for r in out))

    tot = {"income_gifts": total("income_gifts"), "income_brand": total("income_brand"),
           "income_merch": total("merch"), "income_donations": total("donations"),
           "income_subscriptions": sub_income, "income_match": total("income_match"),
           "unique_viewers": total("unique"), "viewer_minutes": total("viewer_minutes"),
           "coins": total("coins"), "gifts": total("gifts"),
           "new_followers": total("new_followers"), "streams_live": total("live"),
           "followers_end": followers, "subscribers_end": subs,
           **wallet.totals()}
    if wallet_log is not None:
        wallet_log.extend(wallet.log)
    tot["income_total"] = (tot["income_gifts"] + tot["income_brand"]
                           + tot["income_merch"] + tot["income_donations"]
                           + sub_income)
    return out, tot


# ----- expectations without simulation ------------------------------------------
def _mean_min(d, c):
    """E[min(D, c)] = integral of the survival function of D from 0 to c; for a
    lognormal D (log-mean m, log-sd s) in closed form,
    ``exp(m + s^2/2) Phi((ln c - m - s^2)/s) + c (1 - Phi((ln c - m)/s))``."""
    from scipy import integrate, special

    if c <= 0:
        return 0.0
    if d.dist.name == "lognorm":
        s, m = d.kwds["s"], math.log(d.kwds["scale"])
        return (math.exp(m + s * s / 2) * special.ndtr((math.log(c) - m - s * s) / s)
                + c * special.ndtr(-(math.log(c) - m) / s))
    return integrate.quad(d.sf, 0.0, c, limit=200)[0]


def stream_expectation(sc, hour, weekday, duration=None):
    """Expected unique viewers, viewer-minutes, gifts, coins, gift income and
    merchandise income of one live stream with the scenario's followers, no
    habit, collaboration, virality, shocks, subscriptions or matches
    (docs/model.md §2, §3, §6, §8, §13.1, §13.3), by numerical integration:
    a viewer arriving at ``a`` stays ``E[min(D', T - a)]`` (``D'`` the
    follower dwell ``follower_factor x D`` or the newcomer dwell ``D``);
    notified arrivals have density ``kappa exp(-kappa a) / (1 - exp(-kappa T))``
    on ``[0, T]``, feed arrivals are uniform in each hour chunk; gifts are
    ``rho_k s g(e)`` per minute of segment ``k``, each worth
    ``sum_j p_kj c_j`` coins on average."""
    from scipy import integrate

    T = sc["stream.duration_min"] if duration is None else duration
    kappa = sc["audience.notify_decay_per_min"]
    trunc = -math.expm1(-kappa * T)
    w = sc["audience.weekday_factors"][weekday]
    act = sc["audience.activity"]
    d = dwell_frozen(sc)
    ff = sc["dwell.follower_factor"]
    n_not = (sc["creator.followers"] * sc["audience.join_rate"] * act[hour] * w
             * sc["audience.promotion"] * trunc)
    stay_not = integrate.quad(
        lambda a: kappa * math.exp(-kappa * a) / trunc * ff
        * _mean_min(d, (T - a) / ff),
        0.0, T, limit=200)[0]
    n_dis = vm_dis = 0.0
    for j in range(math.ceil(T / 60)):
        t0, t1 = 60.0 * j, min(60.0 * (j + 1), T)
        n_j = (sc["audience.discovery_rate_per_min"] * act[(hour + j) % 24] * w
               * (t1 - t0))
        stay = integrate.quad(lambda a: _mean_min(d, T - a), t0, t1, limit=200)[0] \
            / (t1 - t0)
        n_dis += n_j
        vm_dis += n_j * stay
    vm_not = n_not * stay_not
    rate = (np.asarray(sc["segments.gift_rate_per_min"])
            * sc["segments.gift_rate_scale"] * _g(sc))
    minutes = (np.asarray(sc["segments.follower_shares"]) * vm_not
               + np.asarray(sc["segments.newcomer_shares"]) * vm_dis)
    coin_mean = item_probs(sc) @ sc.catalogue.coins.astype(float)
    gifts = float(np.sum(rate * minutes))
    coins = float(np.sum(rate * minutes * coin_mean))
    unique = n_not + n_dis
    merch = (sc["merch.buy_prob"] * unique * sc["merch.margin"]
             * sc["merch.order_median_usd"]
             * math.exp(sc["merch.order_sigma"] ** 2 / 2))
    usd = (sc["money.diamonds_per_coin"] * sc["money.diamond_value_usd"]
           * sc["money.creator_share"] * (1.0 - sc["money.agency_cut"]))
    return {"unique_viewers": unique, "viewer_minutes": vm_not + vm_dis,
            "gifts": gifts, "coins": coins, "income_gifts": coins * usd,
            "income_merch": merch}


def adhoc_expectation(sc):
    """Expected horizon totals of an ad-hoc schedule with constant followers
    (no follows, growth or unfollows), from :func:`stream_expectation`: each
    week has ``streams_per_week`` streams, each weekday is one of them with
    probability ``streams_per_week / 7`` and each start hour is uniform over
    :func:`adhoc_hours`, so the total is ``W x streams_per_week`` times the
    mean of a stream's expectation over weekdays and hours."""
    hours = adhoc_hours(sc)
    per_h = [stream_expectation(sc, h, 0) for h in hours]
    w = np.asarray(sc["audience.weekday_factors"], dtype=float)
    n = sc["horizon.weeks"] * sc["schedule.streams_per_week"]
    # weekday factor enters every mean linearly (weekday 0 above has factor w[0])
    scale = n * w.mean() / w[0]
    return {k: scale * float(np.mean([e[k] for e in per_h])) for k in per_h[0]}


def brand_sponsored_probs(sc, plan_days, max_queue=200):
    """P(stream i takes a brand offer) for streams on ``plan_days`` (sorted), with
    constant followers, every stream live: the offer queue's law propagated day
    by day (Poisson arrivals of mean ``o / 7 (F / 100,000)^epsilon`` at the
    day's start, one offer taken by each stream)."""
    from scipy import stats

    lam = sc["brand.offers_per_week"] / 7.0 * (sc["creator.followers"] / 1e5) \
        ** sc["brand.reach_elasticity"]
    arrivals = stats.poisson(lam).pmf(np.arange(max_queue + 1))
    q = np.zeros(max_queue + 1)
    q[0] = 1.0
    probs = []
    for day in range(max(plan_days) + 1):
        q = np.convolve(q, arrivals)[: max_queue + 1]
        for _ in range(plan_days.count(day)):
            probs.append(1.0 - q[0])
            q = np.concatenate([[q[0] + q[1]], q[2:], [0.0]])
    return np.array(probs)
