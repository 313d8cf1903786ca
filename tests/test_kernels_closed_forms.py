"""The stream kernel against closed forms (docs/model.md §2-8).

One stream in isolation (virality 0, no collaboration): unique viewers are
Poisson; gifts and coins are compound Poisson with means computed here by
numerical integration over the dwell law truncated at the stream's end;
concurrency at a fixed minute is the M_t/G/inf Poisson count. Tolerances come
from standard errors: ``|z| < 4`` has a two-sided false-alarm rate of about
6e-5 per check (normal approximation, 20,000 paths).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.testing as npt
import pytest
from scipy import integrate, special, stats

import simkit
from naive import dwell_frozen, item_probs, one_stream_scenario
from simkit._kernels import rng as krng
from simkit._kernels.money import scaled_share

N = 20_000
Z = 4.0  # |z| < 4: two-sided false alarm ~6.3e-5 per check

# Chosen so that the stream spans two hour chunks (20:00 at a = 0.95 and 21:00
# at a = 1.0) and the second chunk is partial.
BASE = {"stream.duration_min": 90.5, "creator.followers": 1500,
        "audience.discovery_rate_per_min": 0.8}


def _z(x, mean, se):
    return (np.mean(x) - mean) / se


def _rates(sc):
    """Arrival intensities (per minute) of notified and feed viewers at time s."""
    T = sc["stream.duration_min"]
    hour = sc["schedule.streams"][0]["hour"]
    wd = sc["schedule.streams"][0]["day"] % 7
    act, wdf = sc["audience.activity"], sc["audience.weekday_factors"]
    kappa = sc["audience.notify_decay_per_min"]
    habit = 1.0  # first stream: R = (1 - lr) * 0 + lr * 0
    lam0 = (sc["creator.followers"] * sc["audience.join_rate"] * act[hour] * wdf[wd]
            * habit * sc["audience.promotion"])

    def notified(s):
        return lam0 * kappa * math.exp(-kappa * s) if 0 <= s <= T else 0.0

    def feed(s):
        if not 0 <= s < T:
            return 0.0
        return sc["audience.discovery_rate_per_min"] * act[(hour + int(s // 60)) % 24] \
            * wdf[wd]

    breaks = [60.0 * j for j in range(1, math.ceil(T / 60))]
    return notified, feed, breaks


def expected_counts(sc):
    """Poisson means of notified and feed arrivals in [0, T]."""
    T = sc["stream.duration_min"]
    notified, feed, breaks = _rates(sc)
    m_not = integrate.quad(notified, 0, T, limit=200)[0]
    m_feed = integrate.quad(feed, 0, T, points=breaks, limit=200)[0]
    return m_not, m_feed


def expected_minutes(sc):
    """Expected viewer-minutes of notified and of feed viewers, truncated at T:
    integral of lambda(s) E[min(D, T - s)] ds with E[min(D, t)] = int_0^t P(D > x) dx."""
    T = sc["stream.duration_min"]
    notified, feed, breaks = _rates(sc)
    d = dwell_frozen(sc)
    ff = sc["dwell.follower_factor"]

    def emin(t, factor):
        return integrate.quad(lambda x: d.sf(x / factor), 0, t, limit=200)[0]

    m_not = integrate.quad(lambda s: notified(s) * emin(T - s, ff), 0, T, limit=200)[0]
    m_feed = integrate.quad(lambda s: feed(s) * emin(T - s, 1.0), 0, T, points=breaks,
                            limit=200)[0]
    return m_not, m_feed


def expected_present(sc, m):
    """M_t/G/inf mean of viewers present at minute m (< T)."""
    notified, feed, breaks = _rates(sc)
    d = dwell_frozen(sc)
    ff = sc["dwell.follower_factor"]
    pts = [b for b in breaks if b < m]
    e_not = integrate.quad(lambda s: notified(s) * d.sf((m - s) / ff), 0, m,
                           limit=200)[0]
    e_feed = integrate.quad(lambda s: feed(s) * d.sf(m - s), 0, m, points=pts or None,
                            limit=200)[0]
    return e_not + e_feed


def _g(sc):
    return math.exp(sc["audience.gifting_elasticity"] * (sc["audience.engagement"] - 0.5))


def _sim(sc, **kw):
    return simkit.simulate(sc, paths=N, seed=99, per_stream=True, **kw)


DWELLS = {
    "lognormal": {},
    "weibull": {"dwell.distribution": "weibull", "dwell.shape": 0.8},
    "exponential_engaged": {"dwell.distribution": "exponential",
                            "audience.engagement": 0.85, "audience.promotion": 1.5,
                            "schedule.streams": [{"day": 2, "hour": 20}],
                            "audience.weekday_factors": [1, 1, 0.7, 1, 1, 1, 1]},
}


@pytest.mark.parametrize("case", list(DWELLS))
def test_viewer_counts_are_poisson(case):
    sc = one_stream_scenario(**BASE, **DWELLS[case])
    res = _sim(sc)
    m_not, m_feed = expected_counts(sc)
    # The kernel's own truncation factor: F r a H P (1 - exp(-kappa T)).
    T, kappa = sc["stream.duration_min"], sc["audience.notify_decay_per_min"]
    assert m_not == pytest.approx(
        sc["creator.followers"] * sc["audience.join_rate"]
        * sc["audience.activity"][20] * sc["audience.weekday_factors"][
            sc["schedule.streams"][0]["day"] % 7]
        * sc["audience.promotion"] * (1 - math.exp(-kappa * T)), rel=1e-9)
    for metric, lam in (("notified_viewers", m_not), ("discovered_viewers", m_feed),
                        ("unique_viewers", m_not + m_feed)):
        x = res.per_stream[metric][:, 0]
        assert abs(_z(x, lam, math.sqrt(lam / N))) < Z, metric
        # Sample variance of a Poisson sample: Var(s^2) ~ (lam + 2 lam^2) / n.
        zv = (x.var(ddof=1) - lam) / math.sqrt((lam + 2 * lam * lam) / N)
        assert abs(zv) < Z, f"{metric} variance"
    # Whole distribution: chi-square goodness of fit of the unique count against
    # Poisson(m_not + m_feed), cells with expected count >= 20 (p > 1e-4).
    x = res.per_stream["unique_viewers"][:, 0].astype(int)
    lam = m_not + m_feed
    lo, hi = int(stats.poisson.ppf(0.01, lam)), int(stats.poisson.isf(0.01, lam))
    obs = np.array([np.sum(x < lo)] + [np.sum(x == k) for k in range(lo, hi + 1)]
                   + [np.sum(x > hi)])
    p = np.concatenate([[stats.poisson.cdf(lo - 1, lam)],
                        stats.poisson.pmf(np.arange(lo, hi + 1), lam),
                        [stats.poisson.sf(hi, lam)]])
    assert (N * p).min() >= 20
    assert stats.chisquare(obs, N * p / p.sum()).pvalue > 1e-4


@pytest.mark.parametrize("case", list(DWELLS))
def test_gifts_and_coins_match_compound_poisson_means(case):
    sc = one_stream_scenario(**BASE, **DWELLS[case])
    res = _sim(sc)
    m_not, m_feed = expected_minutes(sc)
    rho = np.asarray(sc["segments.gift_rate_per_min"]) * _g(sc)
    minutes_k = (np.asarray(sc["segments.follower_shares"]) * m_not
                 + np.asarray(sc["segments.newcomer_shares"]) * m_feed)
    coins_per_gift = item_probs(sc) @ sc.catalogue.coins.astype(float)
    e_gifts = float(np.sum(rho * minutes_k))
    e_coins = float(np.sum(rho * minutes_k * coins_per_gift))
    ps = res.per_stream
    for metric, mean in (("viewer_minutes", m_not + m_feed), ("gifts", e_gifts),
                         ("coins", e_coins), ("diamonds",
                                              e_coins * sc["money.diamonds_per_coin"])):
        x = ps[metric][:, 0]
        se = x.std(ddof=1) / math.sqrt(N)
        assert abs(_z(x, mean, se)) < Z, f"{metric}: z = {_z(x, mean, se):.2f}"
    assert e_gifts > 20  # a non-trivial check


@pytest.mark.parametrize("case", ["lognormal", "weibull"])
def test_concurrency_matches_mt_g_inf(case):
    sc = one_stream_scenario(**BASE, **DWELLS[case])
    res = _sim(sc, curves=True)
    cv = res.curves[:, 0, :]
    assert cv.shape[1] == math.ceil(sc["stream.duration_min"])
    for m in (3, 20, 61, 89):
        lam = expected_present(sc, m)
        x = cv[:, m]
        assert abs(_z(x, lam, math.sqrt(lam / N))) < Z, f"minute {m}"
        zv = (x.var(ddof=1) - lam) / math.sqrt((lam + 2 * lam * lam) / N)
        assert abs(zv) < Z, f"variance at minute {m}"
    # Nobody is present at minute 0 (arrivals are a.s. > 0); peak is the curve's max.
    assert not cv[:, 0].any()
    npt.assert_array_equal(res.per_stream["peak_concurrent"][:, 0], cv.max(axis=1))


def test_coin_diamond_usd_arithmetic_is_exact():
    sc = one_stream_scenario(**{
        "money.diamonds_per_coin": 0.5, "money.diamond_value_usd": 0.01,
        "money.creator_share": 0.5, "money.agency_cut": 0.2,
        "money.withdraw_min_usd": 0.0, "money.withdraw_fee_rate": 0.03,
        "money.withdraw_fee_usd": 0.25, "money.payout_delay_days": 3})
    res = simkit.simulate(sc, paths=500, seed=5, per_stream=True)
    ps = res.per_stream
    coins = ps["coins"][:, 0]
    assert np.all(coins == np.round(coins)) and coins.max() > 0
    npt.assert_array_equal(ps["diamonds"][:, 0], coins * 0.5)
    # coins x q diamonds/coin x $0.01/diamond x 50% share x (1 - 20% agency).
    npt.assert_allclose(ps["income_gifts"][:, 0], coins * 0.5 * 0.01 * 0.5 * 0.8,
                        rtol=1e-12, atol=0)
    t = res.totals
    npt.assert_allclose(t["diamonds"], t["coins"] * 0.5, rtol=1e-12)
    npt.assert_allclose(t["income_gifts"],
                        t["cash_paid_out"] + t["cash_pending"] + t["withdrawal_fees"],
                        rtol=1e-12, atol=1e-9)
    # Withdrawn on day 0 (min $0, no cap hit), arrives by day 3 < 7: everything
    # paid out, minus a fee of 3% + $0.25 (at most the amount) per withdrawal.
    g = t["income_gifts"]
    fee = np.minimum(0.03 * g + 0.25, g) * (g > 0)
    npt.assert_allclose(t["withdrawal_fees"], fee, rtol=1e-12, atol=1e-12)
    npt.assert_allclose(t["cash_paid_out"], g - fee, rtol=1e-12, atol=1e-12)
    npt.assert_allclose(t["income_total"], t["income_gifts"] + t["income_merch"]
                        + t["income_donations"] + t["income_brand"], rtol=1e-12)


def test_withdrawal_cap_and_minimum_leave_money_pending():
    # $3 minimum, $5/day cap, 2% + $0.10 fee, cash arrives 2 days after each
    # withdrawal: the rule written out day by day.
    sc = one_stream_scenario(**{"money.diamond_value_usd": 0.0001,
                                "money.withdraw_min_usd": 3.0,
                                "money.withdraw_max_per_day_usd": 5.0,
                                "money.withdraw_fee_rate": 0.02,
                                "money.withdraw_fee_usd": 0.1,
                                "money.payout_delay_days": 2})
    res = simkit.simulate(sc, paths=400, seed=6)
    t = res.totals
    want = {"cash_paid_out": [], "cash_pending": [], "withdrawal_fees": []}
    for g in t["income_gifts"]:
        balance, paid, transit, fees = g, 0.0, 0.0, 0.0
        for day in range(7):
            if balance > 0 and balance >= 3.0:
                w = min(balance, 5.0)
                fee = min(0.02 * w + 0.1, w)
                balance -= w
                fees += fee
                if day + 2 < 7:
                    paid += w - fee
                else:
                    transit += w - fee
        want["cash_paid_out"].append(paid)
        want["cash_pending"].append(balance + transit)
        want["withdrawal_fees"].append(fees)
    for k, v in want.items():
        npt.assert_allclose(t[k], v, rtol=1e-12, atol=1e-12, err_msg=k)
    g = t["income_gifts"]
    # All regimes occurred: below the minimum, under one cap, several days capped.
    assert (g < 3).any() and ((g >= 3) & (g <= 5)).any() and (g > 10).any()
    npt.assert_allclose(g, t["cash_paid_out"] + t["cash_pending"]
                        + t["withdrawal_fees"], rtol=1e-12, atol=1e-12)


def _scaled_rule(duration, new_followers, qualifying, extra=0.0):
    """US Scaled LIVE Rewards as documented, written out here (TikTok Creator
    Academy "Scaled LIVE rewards", 6 Feb 2025; live-success.beehiiv.com,
    Feb 2025)."""
    if duration < 5:
        s = 0.20
    elif duration >= 25:
        s = 0.38
    else:
        s = 0.20 + (0.38 - 0.20) * (duration - 5) / 20
    s += 0.02 if new_followers >= 5 else 0.0
    s += 0.08 if qualifying >= 2 else 0.06 if qualifying == 1 else 0.0
    return min(s + extra, 0.53)


@pytest.mark.parametrize("duration", [3.0, 5.0, 12.5, 25.0, 60.0])
@pytest.mark.parametrize("newf", [0.0, 4.0, 5.0])
@pytest.mark.parametrize("qual", [0.0, 1.0, 2.0, 3.0])
def test_scaled_share_rule(duration, newf, qual):
    for extra in (0.0, 0.05):
        assert scaled_share(duration, newf, qual, extra) == pytest.approx(
            _scaled_rule(duration, newf, qual, extra), abs=1e-15)


def test_scaled_rewards_in_simulation():
    streams = [{"day": 0, "hour": 20, "duration_min": 4}, {"day": 1, "hour": 20,
               "duration_min": 15}, {"day": 2, "hour": 20, "duration_min": 30},
               {"day": 8, "hour": 20, "duration_min": 40},
               {"day": 9, "hour": 20, "duration_min": 50}]
    sc = one_stream_scenario(**{"schedule.streams": streams, "horizon.weeks": 2,
                                "money.scaled_rewards": True,
                                "audience.follow_prob": 0.05})
    res = simkit.simulate(sc, paths=200, seed=8, per_stream=True)
    ps = res.per_stream
    qual = {0: 1, 1: 2}  # streams > 25 minutes in weeks 0 and 1
    for si, s in enumerate(streams):
        want = [_scaled_rule(s["duration_min"], nf, qual[s["day"] // 7])
                for nf in ps["new_followers"][:, si]]
        npt.assert_allclose(ps["creator_share"][:, si], want, rtol=0, atol=1e-15)
        npt.assert_allclose(ps["income_gifts"][:, si],
                            ps["coins"][:, si] * 0.01 * ps["creator_share"][:, si],
                            rtol=1e-12)
    assert (ps["new_followers"] >= 5).any() and (ps["new_followers"] < 5).any()


# ----- the counter generator itself -------------------------------------------
def test_u01_is_uniform_and_open():
    seed = krng.stream_seed(np.uint64(123), np.int64(4), np.int64(5), np.int64(6))
    u = np.array([krng.u01(seed, np.int64(i)) for i in range(20_000)])
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-4  # false alarm 1e-4
    # Lag-1 correlation ~ N(0, 1/n): |z| < 4.
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) * math.sqrt(u.size) < Z


def test_stream_seeds_differ_by_every_argument():
    base = (np.uint64(1), np.int64(2), np.int64(3), np.int64(4))
    seeds = {int(krng.stream_seed(*base))}
    for i in range(4):
        args = list(base)
        args[i] = type(args[i])(int(args[i]) + 1)
        seeds.add(int(krng.stream_seed(*args)))
    assert len(seeds) == 5


def test_ndtri_matches_scipy():
    p = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 2001), [1e-300, 0.02425, 0.97575]])
    got = np.array([krng.ndtri(x) for x in p])
    want = special.ndtri(p)
    # Acklam's approximation: relative error < 1.2e-9 (documented); abs near 0.
    npt.assert_allclose(got, want, rtol=1.2e-9, atol=1e-9)


@pytest.mark.parametrize("lam", [0.0, 0.3, 4.0, 29.9, 30.0, 250.0, 5000.0])
def test_poisson_inv_is_the_quantile(lam):
    u = np.random.default_rng(1).random(400)
    got = np.array([krng.poisson_inv(x, lam) for x in u])
    want = stats.poisson.ppf(u, lam) if lam > 0 else np.zeros_like(u)
    # Off by one only where u lies within 1e-9 of a CDF step (rounding).
    bad = got != want
    if bad.any():
        k = np.minimum(got, want)[bad]
        assert np.all(np.abs(stats.poisson.cdf(k, lam) - u[bad]) < 1e-9)
    assert bad.sum() <= 2


@pytest.mark.parametrize(("n", "p"), [(0, 0.5), (10, 0.0), (10, 1.0), (20, 0.3),
                                      (1000, 0.01), (5000, 0.2), (100_000, 0.0005)])
def test_binom_inv_is_the_quantile(n, p):
    u = np.random.default_rng(2).random(400)
    got = np.array([krng.binom_inv(x, n, p) for x in u])
    want = stats.binom.ppf(u, n, p)
    bad = got != want
    if bad.any():
        k = np.minimum(got, want)[bad]
        assert np.all(np.abs(stats.binom.cdf(k, n, p) - u[bad]) < 1e-9)
    assert bad.sum() <= 2


#: u01 at counters 0, 1, 2 of stream_seed(2**63 + 12345, 7, 11, 3), pinned when
#: the layout was fixed (simkit 0.1.0); a change here changes every seed's numbers.
KNOWN_FIRST_UNIFORMS = [0.5096755828033286, 0.7650453990960056, 0.05570940968274979]


def _splitmix_py(z):
    """SplitMix64 finaliser in plain Python integers (independent of numba)."""
    m = (1 << 64) - 1
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & m
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def test_counter_draws_known_answers():
    """Pin the draw layout: stream seeds and uniforms equal a plain-Python
    SplitMix64 of the documented formula (docs/reproducibility.md), and the
    first uniforms of one stream equal fixed decimals."""
    m, g = (1 << 64) - 1, 0x9E3779B97F4A7C15
    key, path, index, purpose = 2**63 + 12345, 7, 11, 3
    h = _splitmix_py((purpose * g + 0x632BE59BD9B4E019) & m)
    for x in (index, path, key):
        h = _splitmix_py(x ^ h)
    seed = krng.stream_seed(np.uint64(key), np.int64(path), np.int64(index),
                            np.int64(purpose))
    assert int(seed) == h
    for c in (0, 1, 2, 1 << 40, (3 << 40) + 5):
        z = _splitmix_py((h + c * g) & m)
        assert krng.u01(seed, np.int64(c)) == ((z >> 11) + 0.5) / 2.0**53
    first = [krng.u01(seed, np.int64(c)) for c in range(3)]
    npt.assert_array_equal(first, KNOWN_FIRST_UNIFORMS)
