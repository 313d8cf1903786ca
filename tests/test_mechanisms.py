"""Model mechanisms (docs/model.md §5-12): habit, the LIVE threshold,
collaboration, engagement.

Strategies are compared under one seed, so paths share random numbers (common
random numbers); differences are tested on paired per-path differences with
``z = mean / stderr``. An effect "exists" when ``z > 4``; "no effect" checks use
``|z| < 4`` (two-sided false alarm ~6e-5) or exact equality where the common
random numbers make the paths identical.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.testing as npt
import pytest

import simkit
from naive import one_stream_scenario
from simkit import scenario_from_dict

Z = 4.0


def _paired_z(a, b):
    d = np.asarray(a, float) - np.asarray(b, float)
    return d.mean() / (d.std(ddof=1) / math.sqrt(d.size))


def _schedule_pair(habit, **extra):
    """Consistent Mon/Wed/Fri 20:00 versus ad hoc on 3 random days at 20:00.

    The waking window is the single hour [20, 21) and activity is flat, so
    the two schedules differ only in which weekdays they use.
    """
    d = {
        "horizon": {"weeks": 4},
        "schedule": {"kind": "consistent", "slots": [[0, 20], [2, 20], [4, 20]],
                     "streams_per_week": 3, "waking_hours": [20, 21]},
        "stream": {"duration_min": 60},
        "creator": {"followers": 5000, "organic_growth_per_day": 0.0,
                    "unfollow_rate_per_day": 0.0},
        "audience": {"activity": [1.0] * 24, "discovery_rate_per_min": 0.5},
        "habit": {"enabled": habit, "max_gain": 0.3, "learning_rate": 0.5},
        "brand": {"enabled": False},
        "variants": {"consistent": {"schedule": {"kind": "consistent"}},
                     "ad_hoc": {"schedule": {"kind": "ad_hoc"}}},
    }
    for k, v in extra.items():
        sec, key = k.split(".")
        d.setdefault(sec, {})[key] = v
    sc = scenario_from_dict(d)
    return simkit.simulate_batch([sc.variant("consistent"), sc.variant("ad_hoc")],
                                 paths=2000, seed=31, per_stream=True)


def test_habit_on_consistent_beats_ad_hoc_on_notified_viewers():
    con, adh = _schedule_pair(True)
    z = _paired_z(con["notified_viewers"], adh["notified_viewers"])
    assert z > Z, f"z = {z:.2f}"
    # The consistent schedule's habit factor follows H = 1 + g_max R with
    # R <- (1 - lambda) R + lambda x, x = 1 from the second week on.
    r, want = 0.0, []
    for w in range(4):
        for _ in range(3):
            r = 0.5 * r + 0.5 * (1.0 if w > 0 else 0.0)
            want.append(1.0 + 0.3 * r)
    npt.assert_allclose(con.per_stream["habit"], np.tile(want, (con.paths, 1)),
                        rtol=1e-12)
    # Ad hoc repeats a slot only by chance: lower habit on average, never above.
    assert adh.per_stream["habit"].mean() < con.per_stream["habit"].mean()
    assert adh.per_stream["habit"].max() <= max(want) + 1e-12
    assert adh.per_stream["habit"].max() > 1.0  # chance repeats do count


def test_habit_off_and_same_hours_make_no_difference():
    con, adh = _schedule_pair(False)
    # Same hour, flat weekday factors, no day-dependent growth: stream i of a
    # path sees the same draws under both schedules (common random numbers).
    for m in ("notified_viewers", "unique_viewers", "viewer_minutes", "gifts",
              "coins", "income_gifts", "income_total", "new_followers"):
        npt.assert_array_equal(con[m], adh[m], err_msg=m)
    assert (con.per_stream["day"] != adh.per_stream["day"]).any()
    assert np.all(con.per_stream["habit"] == 1.0)


def test_habit_off_same_hours_statistically_equal_without_crn():
    con, _ = _schedule_pair(False)
    sc = scenario_from_dict({
        "horizon": {"weeks": 4},
        "schedule": {"kind": "ad_hoc", "streams_per_week": 3, "waking_hours": [20, 21]},
        "stream": {"duration_min": 60},
        "creator": {"followers": 5000, "organic_growth_per_day": 0.0,
                    "unfollow_rate_per_day": 0.0},
        "audience": {"activity": [1.0] * 24, "discovery_rate_per_min": 0.5},
        "habit": {"enabled": False}, "brand": {"enabled": False}})
    adh = simkit.simulate(sc, paths=2000, seed=32)
    for m in ("notified_viewers", "unique_viewers"):
        a, b = con[m], adh[m]
        z = (a.mean() - b.mean()) / math.sqrt(a.var(ddof=1) / a.size
                                              + b.var(ddof=1) / b.size)
        assert abs(z) < Z, f"{m}: z = {z:.2f}"  # two-sided false alarm ~6e-5


def test_below_1000_followers_no_live_gifts():
    sc = one_stream_scenario(**{"creator.followers": 999,
                                "horizon.weeks": 2,
                                "schedule.streams": [{"day": 0, "hour": 20},
                                                     {"day": 8, "hour": 20}]})
    res = simkit.simulate(sc, paths=300, seed=3, per_stream=True)
    for m in ("streams_live", "gifts", "coins", "diamonds", "income_gifts",
              "unique_viewers", "income_total", "cash_paid_out", "cash_pending"):
        assert np.all(res[m] == 0), m
    assert np.all(res.per_stream["live"] == 0)
    # One follower more and the same paths go live and earn gifts.
    res2 = simkit.simulate(sc.with_overrides({"creator.followers": 1000}), paths=300,
                           seed=3)
    assert np.all(res2["streams_live"] == 2) and res2["income_gifts"].mean() > 0


def test_minor_account_never_goes_live():
    sc = one_stream_scenario(**{"creator.adult": False, "creator.followers": 50_000})
    res = simkit.simulate(sc, paths=200, seed=3)
    assert np.all(res["streams_live"] == 0) and np.all(res["income_gifts"] == 0)


def test_organic_growth_lifts_account_over_threshold():
    sc = scenario_from_dict({
        "horizon": {"weeks": 3}, "schedule": {"slots": [[0, 20], [3, 20]]},
        "stream": {"duration_min": 30},
        "creator": {"followers": 985, "organic_growth_per_day": 2.0,
                    "unfollow_rate_per_day": 0.0},
        "brand": {"enabled": False}})
    res = simkit.simulate(sc, paths=500, seed=4, per_stream=True)
    ps = res.per_stream
    live = ps["live"] == 1
    npt.assert_array_equal(live, ps["followers_start"] >= 1000)
    for m in ("gifts", "coins", "income_gifts", "unique_viewers"):
        assert np.all(ps[m][~live] == 0), m
    assert live.any() and (~live).any()
    # Once live, a path stays live (no unfollows, followers never fall).
    assert np.all(np.diff(ps["live"], axis=1) >= 0)


def test_collaboration_adds_partner_audience():
    partner, interest = 4000, 0.4
    sc = one_stream_scenario(**{"collaboration.partner_followers": partner,
                                "collaboration.interest": interest,
                                "schedule.streams": [{"day": 0, "hour": 20}]})
    solo = sc.with_overrides({"collaboration.probability": 0.0})
    joint = sc.with_overrides({"collaboration.probability": 1.0})
    n = 5000
    a, b = simkit.simulate_batch([solo, joint], paths=n, seed=12, per_stream=True)
    d = b["notified_viewers"] - a["notified_viewers"]
    # Own followers' draws are shared, so the difference is the partner count,
    # Poisson(partner r interest a(h) P (1 - exp(-kappa T))).
    assert np.all(d >= 0)
    lam = partner * 0.05 * interest * 0.95 * (1 - math.exp(-0.1 * 60))
    z = (d.mean() - lam) / math.sqrt(lam / n)
    assert abs(z) < Z, f"z = {z:.2f}"
    assert _paired_z(b["unique_viewers"], a["unique_viewers"]) > Z
    assert _paired_z(b["viewer_minutes"], a["viewer_minutes"]) > Z
    # Partner viewers are newcomers: some follow.
    assert _paired_z(b["new_followers"], a["new_followers"]) > Z


def test_collaboration_probability_is_per_stream():
    sc = scenario_from_dict({
        "horizon": {"weeks": 4}, "stream": {"duration_min": 30},
        "collaboration": {"probability": 0.3, "partner_followers": 20_000},
        # No follows: both runs keep the same followers, so own notified
        # counts match and a difference means a joint stream.
        "audience": {"follow_prob": 0.0}, "brand": {"enabled": False}})
    base = sc.with_overrides({"collaboration.probability": 0.0})
    a, b = simkit.simulate_batch([base, sc], paths=400, seed=13, per_stream=True)
    assert np.all(b.per_stream["notified_viewers"] >= a.per_stream["notified_viewers"])
    joint = b.per_stream["notified_viewers"] > a.per_stream["notified_viewers"]
    # P(joint stream) = 0.3 (a partner audience of ~ 20,000 x 0.04 x 0.3 x a(h)
    # x (1 - e^-3) always shows up); binomial z-test.
    frac = joint.mean()
    se = math.sqrt(0.3 * 0.7 / joint.size)
    assert abs(frac - 0.3) / se < Z


@pytest.mark.parametrize("dwell_elasticity", [0.0, 0.4])
def test_engagement_raises_gifting(dwell_elasticity):
    sc = one_stream_scenario(**{"audience.dwell_elasticity": dwell_elasticity})
    lo = sc.with_overrides({"audience.engagement": 0.2})
    hi = sc.with_overrides({"audience.engagement": 0.8})
    a, b = simkit.simulate_batch([lo, hi], paths=4000, seed=21)
    assert _paired_z(b["gifts"], a["gifts"]) > Z
    assert _paired_z(b["income_gifts"], a["income_gifts"]) > Z
    if dwell_elasticity == 0.0:
        # Same viewers and minutes; gift rates scale by g(0.8)/g(0.2) = e^0.6.
        npt.assert_array_equal(a["viewer_minutes"], b["viewer_minutes"])
        z = _paired_z(b["gifts"], math.exp(0.6) * a["gifts"])
        assert abs(z) < Z, f"z = {z:.2f}"
    else:
        assert _paired_z(b["viewer_minutes"], a["viewer_minutes"]) > Z


def test_consistent_evening_slots_beat_ad_hoc_with_default_activity():
    """docs/model.md §11: ad hoc also lands on low-activity hours more often."""
    sc = simkit.load_scenario("scenarios/consistent_vs_adhoc.toml")
    sc = sc.with_overrides({"horizon.weeks": 2, "brand.enabled": False})
    con, adh = simkit.simulate_batch([sc.variant("consistent"), sc.variant("ad_hoc")],
                                     paths=300, seed=5)
    assert _paired_z(con["unique_viewers"], adh["unique_viewers"]) > Z
