"""The horizon around the streams against the slow references of tests/naive.py:
the ad-hoc schedule, brand deals, Scaled LIVE Rewards and the cash path
(docs/model.md §11, §13).

* Exact: :func:`naive.horizon_exact` places the streams, queues the brand
  offers, sets the creator share and runs the wallet from the documented rules
  with the same counter draws as the kernel, so every per-stream output and
  every horizon total must match to ``rtol=1e-12``.
* In distribution: the kernel's ad-hoc days and hours against their law
  (uniform sets of distinct weekdays, uniform hours), the totals they lead to
  against expectations computed by integration (:func:`naive.adhoc_expectation`),
  and the brand queue against the offer-queue law propagated day by day
  (:func:`naive.brand_sponsored_probs`). Tolerances come from standard errors;
  false-alarm rates are stated at each assertion.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.testing as npt
import pytest
from scipy import stats

import simkit
from naive import (
    adhoc_expectation, adhoc_law, adhoc_week_exact, brand_sponsored_probs,
    horizon_exact, one_stream_scenario, scaled_share,
)
from simkit._simulate import root_key

# Per-stream metric name in simkit -> key in the naive rows.
ROW_PAIRS = {
    "day": "day", "hour": "hour", "duration_min": "duration_min", "live": "live",
    "followers_start": "followers_start", "habit": "habit",
    "creator_share": "creator_share", "unique_viewers": "unique",
    "viewer_minutes": "viewer_minutes", "new_followers": "new_followers",
    "coins": "coins", "income_gifts": "income_gifts", "income_brand": "income_brand",
    "income_merch": "merch", "income_donations": "donations",
    "income_subscriptions": "income_subscriptions", "income_total": "income_total",
}
TOTALS = ("income_total", "income_gifts", "income_brand", "income_merch",
          "income_donations", "income_subscriptions", "cash_paid_out", "cash_pending",
          "withdrawal_fees", "unique_viewers", "viewer_minutes", "coins",
          "streams_live", "followers_end", "new_followers")

#: Near the LIVE threshold (990 followers, organic growth): early streams of some
#: paths do not go live, so offers wait and liveness depends on the schedule.
NEAR_THRESHOLD = {"creator.followers": 990, "creator.organic_growth_per_day": 4.0,
                  "creator.unfollow_rate_per_day": 0.002, "audience.follow_prob": 0.1}
SHOCKS = {"shocks.audience_sigma": 0.4, "shocks.rho": 0.5, "shocks.gift_sigma": 0.5}

# Scaled rewards: durations on both sides of 5 and 25 minutes, weeks with
# 0 (week 0), 1 (week 1) and 3 (week 2) scheduled streams longer than 25 min.
SCALED_STREAMS = [{"day": 0, "hour": 19, "duration_min": 3.0},
                  {"day": 2, "hour": 20, "duration_min": 5.0},
                  {"day": 4, "hour": 21, "duration_min": 25.0},
                  {"day": 7, "hour": 19, "duration_min": 12.5},
                  {"day": 9, "hour": 20, "duration_min": 25.5},
                  {"day": 14, "hour": 20, "duration_min": 40.0},
                  {"day": 16, "hour": 18, "duration_min": 60.0},
                  {"day": 18, "hour": 22, "duration_min": 26.0}]

CASES = {
    "adhoc_brand_cpm": {
        **NEAR_THRESHOLD, **SHOCKS, "horizon.weeks": 3, "schedule.kind": "ad_hoc",
        "schedule.streams_per_week": 4, "schedule.waking_hours": [17.5, 24.0],
        "stream.duration_min": 45.0, "habit.enabled": True,
        "habit.learning_rate": 0.6, "collaboration.probability": 0.4,
        "collaboration.partner_followers": 1500, "brand.enabled": True,
        "brand.offers_per_week": 60.0, "brand.cpm_usd": 23.0},
    "adhoc_seven_a_week_one_hour": {
        "horizon.weeks": 2, "schedule.kind": "ad_hoc", "schedule.streams_per_week": 7,
        "schedule.waking_hours": [22.0, 23.5], "stream.duration_min": 30.0,
        "habit.enabled": True, "creator.organic_growth_per_day": 2.0,
        "money.payout_delay_days": 3},
    "brand_flat_consistent": {
        **NEAR_THRESHOLD, "horizon.weeks": 4, "schedule.kind": "consistent",
        "schedule.slots": [[1, 20], [3, 20], [5, 19]], "stream.duration_min": 30.0,
        "brand.enabled": True, "brand.pricing": "flat", "brand.offers_per_week": 25.0,
        "brand.reach_elasticity": 0.8, "brand.flat_fee_usd": 900.0,
        "brand.flat_fee_exponent": 0.6, "brand.flat_fee_sigma": 0.7},
    "scaled_rewards": {
        "horizon.weeks": 3, "schedule.streams": SCALED_STREAMS,
        "audience.follow_prob": 0.06, "money.scaled_rewards": True,
        "money.scaled_extra": 0.03, "money.agency_cut": 0.1},
    "scaled_rewards_cap": {
        "horizon.weeks": 3, "schedule.streams": SCALED_STREAMS,
        "audience.follow_prob": 0.1, "money.scaled_rewards": True,
        "money.scaled_extra": 0.05},
    "cash_cap_fees_delay": {
        **SHOCKS, "horizon.weeks": 3, "schedule.kind": "consistent",
        "schedule.slots": [[0, 20], [2, 20], [4, 20], [6, 12]],
        "money.diamond_value_usd": 0.05, "money.withdraw_min_usd": 15.0,
        "money.withdraw_max_per_day_usd": 40.0, "money.withdraw_fee_rate": 0.03,
        "money.withdraw_fee_usd": 0.75, "money.payout_delay_days": 5,
        "subscriptions.enabled": True, "subscriptions.initial": 200,
        "subscriptions.subscribe_prob": 0.05},
    "cash_minimum_binds": {
        "horizon.weeks": 4, "schedule.kind": "consistent",
        "schedule.slots": [[0, 20], [2, 20], [4, 20]], "stream.duration_min": 40.0,
        "money.diamond_value_usd": 0.0005, "money.withdraw_min_usd": 60.0,
        "money.withdraw_fee_usd": 1.0, "money.payout_delay_days": 2},
    "cash_no_minimum_fee_eats_small": {
        "horizon.weeks": 2, "schedule.kind": "consistent",
        "schedule.slots": [[0, 20], [3, 20]], "stream.duration_min": 20.0,
        "money.diamond_value_usd": 0.0003, "money.withdraw_min_usd": 0.0,
        "money.withdraw_fee_usd": 0.6, "money.withdraw_fee_rate": 0.01,
        "money.payout_delay_days": 0},
}


def _case_stats(sc, rows, log, balances):
    """Which branches a path exercised (summed over paths by the test)."""
    w_max = sc["money.withdraw_max_per_day_usd"]
    return {
        "not_live": sum(r["live"] == 0 for r in rows),
        "sponsored": sum(r["income_brand"] > 0 for r in rows),
        "capped": sum(w == w_max for _, w, _ in log),
        "fee_eats_all": sum(fee == w for _, w, fee in log),
        "below_min": sum(0 < b < sc["money.withdraw_min_usd"] for b in balances),
        "in_transit": sum(d + sc["money.payout_delay_days"] >= sc.horizon_days
                          for d, _, _ in log),
        "newf_ge_5": sum(r["new_followers"] >= 5 for r in rows if r["live"]),
        "newf_lt_5": sum(r["new_followers"] < 5 for r in rows if r["live"]),
        "share_cap": sum(r["creator_share"] == 0.53 for r in rows),
        "habit_up": sum(r["habit"] > 1 for r in rows),
    }


#: Branches each case must exercise (so that a pass is not vacuous).
MUST = {
    "adhoc_brand_cpm": ("not_live", "sponsored", "habit_up"),
    "adhoc_seven_a_week_one_hour": ("habit_up",),
    "brand_flat_consistent": ("not_live", "sponsored"),
    "scaled_rewards": ("newf_ge_5", "newf_lt_5"),
    "scaled_rewards_cap": ("share_cap", "newf_lt_5"),
    "cash_cap_fees_delay": ("capped", "in_transit"),
    "cash_minimum_binds": ("below_min",),
    "cash_no_minimum_fee_eats_small": ("fee_eats_all",),
}


@pytest.mark.parametrize("case", list(CASES))
def test_horizon_matches_exact_reference(case):
    """Schedule, liveness, habit, creator share, brand deals, wallet and every
    income total, path by path, to rounding."""
    sc = one_stream_scenario(**CASES[case])
    seed, offset, n = 13, 40, 10
    res = simkit.simulate(sc, paths=n, seed=seed, path_offset=offset, per_stream=True)
    key = root_key(seed)
    seen = dict.fromkeys(_case_stats(sc, [], [], []), 0)
    for p in range(n):
        log, balances = [], []
        rows, tot = horizon_exact(sc, key, offset + p, totals=True, wallet_log=log,
                                  balances=balances)
        assert len(rows) == res.per_stream["day"].shape[1]
        for si, row in enumerate(rows):
            for metric, name in ROW_PAIRS.items():
                npt.assert_allclose(res.per_stream[metric][p, si], row[name],
                                    rtol=1e-12, atol=1e-12,
                                    err_msg=f"{case} path {p} stream {si} {metric}")
        for metric in TOTALS:
            npt.assert_allclose(res.totals[metric][p], tot[metric], rtol=1e-12,
                                atol=1e-12, err_msg=f"{case} path {p} {metric}")
        for k, v in _case_stats(sc, rows, log, balances).items():
            seen[k] += v
    assert res.totals["cash_paid_out"].sum() > 0
    for branch in MUST[case]:
        assert seen[branch] > 0, f"{case}: no path exercised {branch}"


def test_scaled_share_table():
    """The documented share table (docs/model.md §13.1) at its corners, against
    the kernel's per-stream creator_share in the exact test above."""
    assert scaled_share(4.9, 0, 0, 0.0) == 0.20
    assert scaled_share(15.0, 4, 0, 0.0) == pytest.approx(0.29)
    assert scaled_share(25.0, 5, 1, 0.0) == pytest.approx(0.46)
    assert scaled_share(30.0, 9, 2, 0.05) == pytest.approx(0.53)
    assert scaled_share(30.0, 9, 5, 0.05) <= 0.53


# ----- ad-hoc schedule in distribution ------------------------------------------------
ADHOC = {"horizon.weeks": 2, "schedule.kind": "ad_hoc", "schedule.streams_per_week": 3,
         "schedule.waking_hours": [9.0, 24.0], "stream.duration_min": 70.0,
         "audience.follow_prob": 0.0, "creator.organic_growth_per_day": 0.0,
         "creator.unfollow_rate_per_day": 0.0, "creator.followers": 1500,
         "audience.weekday_factors": [0.6, 0.8, 1.0, 1.0, 1.2, 1.5, 1.3],
         "segments.catalogue_tilt": [0.0, 0.0, 0.0, 0.0],
         "merch.buy_prob": 0.05, "donations.donate_prob": 0.0}
ADHOC_PATHS = 30_000


@pytest.fixture(scope="module")
def adhoc_run():
    sc = one_stream_scenario(**ADHOC)
    return sc, simkit.simulate(sc, paths=ADHOC_PATHS, seed=99, per_stream=True)


def test_adhoc_days_and_hours_follow_their_law(adhoc_run):
    """The kernel's ad-hoc weeks against :func:`naive.adhoc_law`: every set of
    3 distinct weekdays equally likely, each start hour uniform over 9..23
    and independent of the weekday; every stream lasts ``stream.duration_min``
    and goes live.

    Power (60,000 weeks, 180,000 streams): a weekday's inclusion probability
    3/7 has se 0.47% of itself and an hour's 1/15 has 0.88%, so a 5% error in
    one weekday (z = 10.6) or one hour (z = 5.7) fails the per-cell bounds of
    4.5; a 5% linear tilt of the hours moves the mean hour by 0.13 (z = 13)."""
    sc, res = adhoc_run
    set_p, hour_p = adhoc_law(sc)
    spw, weeks = sc["schedule.streams_per_week"], sc["horizon.weeks"]
    day = res.per_stream["day"].astype(int)
    hour = res.per_stream["hour"].astype(int)
    assert np.all(res.per_stream["duration_min"] == sc["stream.duration_min"])
    assert np.all(res.per_stream["live"] == 1.0)
    assert np.all(res.totals["streams_live"] == weeks * spw)
    # days in week order, distinct and sorted inside each week
    wk = day.reshape(ADHOC_PATHS, weeks, spw)
    assert np.all(wk // 7 == np.arange(weeks)[None, :, None])
    assert np.all(np.diff(wk, axis=2) > 0)
    # weekday sets: chi-square against the law (p > 1e-4: false alarm 1e-4)
    sets = list(set_p)
    index = {s: i for i, s in enumerate(sets)}
    weekdays = (wk % 7).reshape(-1, spw)
    obs = np.bincount([index[tuple(r)] for r in weekdays], minlength=len(sets))
    probs = np.array([set_p[s] for s in sets])
    assert stats.chisquare(obs, probs * obs.sum()).pvalue > 1e-4
    # each weekday's inclusion probability: |z| < 4.5 for 7 (false alarm 5e-5)
    n_weeks = weekdays.shape[0]
    for d in range(7):
        p = sum(q for s, q in set_p.items() if d in s)
        z = (np.any(weekdays == d, axis=1).mean() - p) \
            / math.sqrt(p * (1 - p) / n_weeks)
        assert abs(z) < 4.5, f"weekday {d}: z = {z:.2f}"
    # hours: each cell |z| < 4.5 for 15 (false alarm 1e-4), chi-square, mean
    hours = np.array(list(hour_p))
    hp = np.array([hour_p[h] for h in hours])
    assert set(np.unique(hour)) <= set(hours)
    obs_h = np.array([(hour == h).sum() for h in hours])
    z = (obs_h / hour.size - hp) / np.sqrt(hp * (1 - hp) / hour.size)
    assert np.all(np.abs(z) < 4.5), z
    assert stats.chisquare(obs_h, hp * hour.size).pvalue > 1e-4   # false alarm 1e-4
    mean_h = hours @ hp
    sd_h = math.sqrt((hours - mean_h) ** 2 @ hp)
    z = (hour.mean() - mean_h) / (sd_h / math.sqrt(hour.size))
    assert abs(z) < 4.0   # two-sided false alarm 6e-5
    # independence of weekday and hour: chi-square of the 7 x 15 table
    table = np.array([[np.sum((day % 7 == d) & (hour == h)) for h in hours]
                      for d in range(7)])
    assert stats.chi2_contingency(table).pvalue > 1e-4   # false alarm 1e-4


def test_adhoc_week_exact_matches_kernel_schedule(adhoc_run):
    """The documented shuffle with the kernel's draws gives the kernel's days
    and hours (the first 300 paths)."""
    sc, res = adhoc_run
    key = root_key(99)
    spw = sc["schedule.streams_per_week"]
    for p in range(300):
        for w in range(sc["horizon.weeks"]):
            got = [(int(d) % 7, int(h)) for d, h in zip(
                res.per_stream["day"][p, w * spw:(w + 1) * spw],
                res.per_stream["hour"][p, w * spw:(w + 1) * spw])]
            assert got == adhoc_week_exact(sc, key, p, w)


def test_adhoc_totals_match_expectations(adhoc_run):
    """Unique viewers, viewer-minutes, gifts, gift and merchandise income of the
    ad-hoc horizon against their expectations over the schedule's law
    (numerical integration, no simulation).

    |z| < 4 per metric: two-sided false alarm 6e-5 each, 3e-4 for the five
    (the reference has no sampling error). Power (30,000 paths): the relative
    standard errors are 0.11% (viewers, minutes), 0.13% (gifts), 0.16%
    (merchandise) and 0.39% (gift income, heavy-tailed coins), so a 2% error
    gives z of 5.1 (gift income) to 18 (viewers)."""
    sc, res = adhoc_run
    want = adhoc_expectation(sc)
    for metric in ("unique_viewers", "viewer_minutes", "gifts", "income_merch",
                   "income_gifts"):
        x = res.totals[metric]
        se = x.std(ddof=1) / math.sqrt(x.size)
        z = (x.mean() - want[metric]) / se
        assert abs(z) < 4.0, \
            f"{metric}: {x.mean():.6g} vs {want[metric]:.6g}, z = {z:.2f}"


# ----- brand deals in distribution ---------------------------------------------------
BRAND = {"horizon.weeks": 4, "schedule.kind": "consistent",
         "schedule.slots": [[1, 20], [3, 20], [5, 19]], "stream.duration_min": 20.0,
         "audience.follow_prob": 0.0, "creator.organic_growth_per_day": 0.0,
         "creator.unfollow_rate_per_day": 0.0, "creator.followers": 4000,
         "audience.discovery_rate_per_min": 0.2, "brand.enabled": True,
         "brand.pricing": "flat", "brand.offers_per_week": 10.0,
         "brand.reach_elasticity": 0.6, "brand.flat_fee_usd": 1200.0,
         "brand.flat_fee_exponent": 0.7, "brand.flat_fee_sigma": 0.5}
BRAND_PATHS = 10_000


def test_brand_deals_follow_the_offer_queue():
    """Which streams are sponsored against the queue law propagated day by day,
    and the flat fees against their lognormal law.

    Per stream, |z| < 4.5 for P(sponsored) (12 streams: family-wise false alarm
    8e-5); the mean number of sponsored streams per path, |z| < 4 (6e-5);
    log fees: mean and variance against ``ln(fee (F/1e5)^e)`` and ``sigma^2``,
    |z| < 4 each, and a KS test at p > 1e-4. Power (10,000 paths): the offer
    rate is 0.21 a day and a path has 5.4 sponsored streams of 12 (se 0.022);
    a 5% error in the rate moves that by 0.25 (z = 11), a 5% error in the fee
    median moves the mean log fee by 0.049 (se 0.0021 over 54,000 fees,
    z = 23)."""
    sc = one_stream_scenario(**BRAND)
    res = simkit.simulate(sc, paths=BRAND_PATHS, seed=4, per_stream=True)
    fee = res.per_stream["income_brand"]
    sponsored = fee > 0
    plan_days = [int(d) for d in res.per_stream["day"][0]]
    p = brand_sponsored_probs(sc, plan_days)
    se = np.sqrt(p * (1 - p) / BRAND_PATHS)
    z = (sponsored.mean(axis=0) - p) / se
    assert np.all(np.abs(z) < 4.5), z
    count = sponsored.sum(axis=1)
    z = (count.mean() - p.sum()) / (count.std(ddof=1) / math.sqrt(BRAND_PATHS))
    assert abs(z) < 4.0, (count.mean(), p.sum())
    logs = np.log(fee[sponsored])
    mu = math.log(sc["brand.flat_fee_usd"] * (sc["creator.followers"] / 1e5)
                  ** sc["brand.flat_fee_exponent"])
    sigma = sc["brand.flat_fee_sigma"]
    z = (logs.mean() - mu) / (sigma / math.sqrt(logs.size))
    assert abs(z) < 4.0, (logs.mean(), mu)
    # variance of a normal sample: se of s^2 is sigma^2 sqrt(2 / (n - 1))
    z = (logs.var(ddof=1) - sigma ** 2) / (sigma ** 2 * math.sqrt(2 / (logs.size - 1)))
    assert abs(z) < 4.0
    assert stats.kstest(logs, stats.norm(mu, sigma).cdf).pvalue > 1e-4
