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


# ----- the exact reference of an explicit horizon ----------------------------
def horizon_exact(sc, key, path, totals=False):
    """Every stream of an explicit schedule, day by day (brand deals off).

    Followers carry over (new follows), grow by Poisson organic follows and
    shrink by binomial unfollows at each day's end; the habit record R moves
    toward 1 when a live stream repeats the weekday and hour of a live stream
    seven days before; each stream gets its shocks (:func:`shocks_exact`).
    Returns one dict per stream: the :func:`stream_exact` keys plus followers_start, habit, live, creator_share, income_gifts.

    LIVE Subscriptions: subscribers start at ``min(initial, F)``, sign-ups pay
    ``price x share`` at once, and at the start of days 30, 60, ... each
    subscriber renews (binomial at counter 3 of the day's P_DAILY stream) and
    pays; with ``totals=True`` the function returns ``(rows, totals)`` where
    totals has income_subscriptions and subscribers_end.
    """
    from simkit._kernels.rng import P_DAILY, P_SCHEDULE

    assert sc["schedule.kind"] == "explicit" and not sc["brand.enabled"]
    assert not sc["money.scaled_rewards"]
    streams = sc["schedule.streams"]
    shocks = shocks_exact(sc, key, path, len(streams))
    followers = float(sc["creator.followers"])
    r_habit = sc["habit.initial"]
    lr = sc["habit.learning_rate"]
    live_slots = set()
    out = []
    i = 0
    sub_on = sc["subscriptions.enabled"]
    pay = sc["subscriptions.price_usd"] * sc["subscriptions.creator_share"]
    subs = float(min(sc["subscriptions.initial"], followers)) if sub_on else 0.0
    sub_income = 0.0
    for day in range(sc.horizon_days):
        if sub_on and day > 0 and day % 30 == 0:
            subs = float(binom_inv(u01(_seed(key, path, day, P_DAILY), 3), int(subs),
                                   sc["subscriptions.renew_prob"]))
            sub_income += subs * pay
        while i < len(streams) and streams[i]["day"] == day:
            ctx = stream_context(sc, i)
            if "collab" not in streams[i]:
                u = u01(_seed(key, path, i, P_SCHEDULE), 0)
                ctx["collab"] = u < sc["collaboration.probability"]
            can = sc["creator.adult"] and followers >= sc["creator.live_min_followers"]
            row = {"followers_start": followers, "live": float(can), "habit": 1.0,
                   "creator_share": 0.0, "income_gifts": 0.0, "subscribers": subs,
                   "income_subscriptions": 0.0, "income_match": 0.0}
            if can:
                x = 1.0 if (day - 7, ctx["hour"]) in live_slots else 0.0
                live_slots.add((day, ctx["hour"]))
                r_habit = (1.0 - lr) * r_habit + lr * x
                if sc["habit.enabled"]:
                    row["habit"] = 1.0 + sc["habit.max_gain"] * r_habit
                res = stream_exact(sc, key, path, i, followers=followers,
                                   habit=row["habit"], x_aud=shocks[i][0],
                                   x_gift=shocks[i][1], subs=subs, **ctx)
                row["creator_share"] = sc["money.creator_share"]
                usd = (sc["money.diamonds_per_coin"] * sc["money.diamond_value_usd"]
                       * sc["money.creator_share"] * (1.0 - sc["money.agency_cut"]))
                row["income_gifts"] = res["coins"] * usd
                row["income_match"] = res["match_coins"] * usd
                res["new_subs"] = min(res["new_subs"], followers - subs)
                subs += res["new_subs"]
                row["income_subscriptions"] = res["new_subs"] * pay
                sub_income += res["new_subs"] * pay
                followers += res["new_followers"]
            else:
                res = {k: 0.0 for k in ("unique", "notified", "discovered",
                                        "new_followers", "viewer_minutes", "peak",
                                        "gifts", "coins", "merch", "donations",
                                        "new_subs", "match_coins", "gifters")}
            row.update(res)
            out.append(row)
            i += 1
        dseed = _seed(key, path, day, P_DAILY)
        followers += poisson_inv(u01(dseed, 1), sc["creator.organic_growth_per_day"])
        followers -= binom_inv(u01(dseed, 2), int(followers),
                               sc["creator.unfollow_rate_per_day"])
        subs = min(subs, followers)
    if totals:
        return out, {"income_subscriptions": sub_income, "subscribers_end": subs}
    return out
