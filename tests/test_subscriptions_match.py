"""LIVE Subscriptions and LIVE Match (docs/model.md §19): the kernel against the
exact reference of tests/naive.py, closed forms of the expected subscribers and
of the match-gift uplift, reproducibility, validation, and "off changes
nothing"."""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.testing as npt
import pytest

import simkit
from naive import horizon_exact, one_stream_scenario, stream_context, stream_exact
from simkit.errors import ScenarioError
from simkit._simulate import root_key

PAIRS = {
    "unique_viewers": "unique", "notified_viewers": "notified",
    "discovered_viewers": "discovered", "new_followers": "new_followers",
    "viewer_minutes": "viewer_minutes", "peak_concurrent": "peak", "gifts": "gifts",
    "coins": "coins", "income_merch": "merch", "income_donations": "donations",
}

SUBS = {"subscriptions.enabled": True, "subscriptions.initial": 300,
        "subscriptions.subscribe_prob": 0.05, "subscriptions.watch_uplift": 3.0,
        "subscriptions.gift_uplift": 2.5, "subscriptions.renew_prob": 0.6}
MATCH = {"match.matches_per_stream": 2.5, "match.length_min": 8.0,
         "match.gift_boost": 3.0, "match.partner_followers": 4000,
         "match.partner_interest": 0.4}

CASES = {
    "subscriptions": SUBS,
    "match": MATCH,
    "match_fixed_viral": {**MATCH, "match.count": "fixed",
                          "match.matches_per_stream": 3.4, "audience.virality": 0.5},
    "both_collab": {**SUBS, **MATCH,
                    "schedule.streams": [{"day": 0, "hour": 20, "collab": True}],
                    "collaboration.partner_followers": 3000},
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_stream_matches_exact_reference(case):
    sc = one_stream_scenario(**CASES[case])
    seed, offset, n = 5, 300, 12
    res = simkit.simulate(sc, paths=n, seed=seed, path_offset=offset, per_stream=True,
                          curves=True, threads=1)
    key = root_key(seed)
    ctx = stream_context(sc, 0)
    subs = float(sc["subscriptions.initial"]) if sc["subscriptions.enabled"] else 0.0
    usd = sc["money.diamonds_per_coin"] * sc["money.diamond_value_usd"] \
        * sc["money.creator_share"] * (1.0 - sc["money.agency_cut"])
    pay = sc["subscriptions.price_usd"] * sc["subscriptions.creator_share"]
    match_coins = 0.0
    for p in range(n):
        ref = stream_exact(sc, key, offset + p, 0, subs=subs, **ctx)
        for metric, name in PAIRS.items():
            npt.assert_allclose(res.per_stream[metric][p, 0], ref[name], rtol=1e-12,
                                atol=1e-12, err_msg=f"{case} path {p} {metric}")
        npt.assert_array_equal(res.curves[p, 0, : ref["curve"].size], ref["curve"])
        npt.assert_allclose(res.per_stream["income_match"][p, 0],
                            ref["match_coins"] * usd, rtol=1e-12, atol=1e-12)
        assert res.per_stream["new_subscribers"][p, 0] == ref["new_subs"]
        npt.assert_allclose(res.per_stream["income_subscriptions"][p, 0],
                            ref["new_subs"] * pay, rtol=1e-12)
        assert res.per_stream["subscribers"][p, 0] == subs
        match_coins += ref["match_coins"]
    if "match.matches_per_stream" in CASES[case]:
        assert match_coins > 0   # the match branch was exercised
    if sc["subscriptions.enabled"]:
        assert res.per_stream["new_subscribers"].sum() > 0


def test_horizon_with_subscriptions_matches_exact_reference():
    """Sign-ups, renewals on days 30 and 60, unfollows and matches over 10 weeks."""
    streams = [{"day": d, "hour": 20} for d in (0, 6, 20, 30, 31, 45, 60, 61, 69)]
    sc = one_stream_scenario(**{
        **SUBS, **MATCH, "horizon.weeks": 10, "schedule.streams": streams,
        "creator.organic_growth_per_day": 3.0, "creator.unfollow_rate_per_day": 0.01,
        "habit.enabled": True, "money.agency_cut": 0.2})
    seed, n = 21, 6
    res = simkit.simulate(sc, paths=n, seed=seed, per_stream=True)
    key = root_key(seed)
    for p in range(n):
        rows, tot = horizon_exact(sc, key, p, totals=True)
        for si, row in enumerate(rows):
            for metric, name in {**PAIRS, "subscribers": "subscribers",
                                 "income_subscriptions": "income_subscriptions",
                                 "income_match": "income_match",
                                 "income_gifts": "income_gifts",
                                 "new_subscribers": "new_subs"}.items():
                npt.assert_allclose(res.per_stream[metric][p, si], row[name],
                                    rtol=1e-12, atol=1e-12,
                                    err_msg=f"path {p} stream {si} {metric}")
        for metric, want in tot.items():
            npt.assert_allclose(res.totals[metric][p], want, rtol=1e-12,
                                err_msg=f"path {p} {metric}")
    t = res.totals
    # Subscription money goes through the withdrawal path like gift money.
    npt.assert_allclose(t["income_gifts"] + t["income_subscriptions"],
                        t["cash_paid_out"] + t["cash_pending"] + t["withdrawal_fees"],
                        rtol=1e-12)
    # Renewals are in the horizon total, not in any stream's.
    npt.assert_allclose(t["income_total"] - res.per_stream["income_total"].sum(axis=1),
                        t["income_subscriptions"]
                        - res.per_stream["income_subscriptions"].sum(axis=1),
                        rtol=1e-9, atol=1e-9)
    assert np.all(t["income_subscriptions"]
                  > res.per_stream["income_subscriptions"].sum(axis=1))


def _quiet(**kw):
    """A scenario with constant followers (no organic growth, unfollows or
    follows), no habit and no shocks: the subscriber mean is linear."""
    d = {"horizon.weeks": 13, "schedule.kind": "consistent",
         "schedule.slots": [[0, 20], [3, 19]], "stream.duration_min": 60.0,
         "creator.followers": 5000, "creator.organic_growth_per_day": 0.0,
         "creator.unfollow_rate_per_day": 0.0, "audience.follow_prob": 0.0,
         "audience.discovery_rate_per_min": 0.0, "habit.enabled": False,
         "shocks.audience_sigma": 0.0, "shocks.gift_sigma": 0.0,
         "brand.enabled": False, "merch.buy_prob": 0.0,
         "donations.donate_prob": 0.0}
    d.update(kw)
    sc = one_stream_scenario()
    return sc.with_overrides(d)


def _expected_subscribers(sc):
    """E[S] and E[subscription income] by the affine recursion of the means:
    a stream maps m to m + p c (F - m), c = r a(h) P (1 - e^{-kappa T}) the
    join probability of a follower; the boundary of days 30, 60, 90 maps m to
    R m and pays R m. With a constant inflow s per month this is
    S_m = S_0 R^m + s (1 - R^m) / (1 - R)."""
    F = sc["creator.followers"]
    p, R = sc["subscriptions.subscribe_prob"], sc["subscriptions.renew_prob"]
    pay = sc["subscriptions.price_usd"] * sc["subscriptions.creator_share"]
    T = sc["stream.duration_min"]
    trunc = -math.expm1(-sc["audience.notify_decay_per_min"] * T)
    slots = {wd: h for wd, h in sc["schedule.slots"]}
    m = float(sc["subscriptions.initial"])
    income = 0.0
    for day in range(sc.horizon_days):
        if day > 0 and day % 30 == 0:
            m *= R
            income += m * pay
        if day % 7 in slots:
            c = sc["audience.join_rate"] * sc["audience.activity"][slots[day % 7]] \
                * sc["audience.promotion"] * trunc
            inflow = p * c * (F - m)
            m += inflow
            income += inflow * pay
    return m, income


@pytest.mark.parametrize("p", [0.0, 0.08])
def test_expected_subscribers_closed_form(p):
    sc = _quiet(**{"subscriptions.enabled": True, "subscriptions.initial": 800,
                   "subscriptions.subscribe_prob": p,
                   "subscriptions.renew_prob": 0.75, "subscriptions.price_usd": 6.0,
                   "subscriptions.creator_share": 0.6})
    res = simkit.simulate(sc, paths=4000, seed=8)
    want_s, want_inc = _expected_subscribers(sc)
    if p == 0.0:
        # Three renewals (days 30, 60, 90) and no sign-ups: S_0 R^3, and the
        # income is pay S_0 (R + R^2 + R^3).
        assert want_s == pytest.approx(800 * 0.75 ** 3)
        assert want_inc == pytest.approx(3.6 * 800 * (0.75 + 0.75 ** 2 + 0.75 ** 3))
    for metric, want in (("subscribers_end", want_s),
                         ("income_subscriptions", want_inc)):
        x = res[metric]
        z = (x.mean() - want) / (x.std(ddof=1) / math.sqrt(x.size))
        # |z| < 4: two-sided false alarm ~6e-5 per check (CLT over 4,000 paths).
        assert abs(z) < 4.0, f"{metric}: mean {x.mean():.3f} vs {want:.3f}, z {z:.2f}"


def _expected_union(n, L, T):
    """E|union| of n windows of length L with starts uniform on [0, T - L]
    (n = 1 or 2; for two, L <= W = T - L: 2 L - (L^2 / W - L^3 / (3 W^2)))."""
    if n == 1:
        return L
    w = T - L
    return 2 * L - (L * L / w - L ** 3 / (3 * w * w))


@pytest.mark.parametrize("n_matches", [1, 2])
def test_match_gift_uplift_closed_form(n_matches):
    """Viewers arrive within ~0.01 minutes and stay past the end, so each sees
    the whole stream: E[gifts] = E[N] sum_k s_k rho_k (T - 1/kappa + (b - 1)
    E|U|), and match minutes hold the share b E|U| / (T + (b - 1) E|U|) of
    the gifts' expected coins (up to the 0.01-minute arrivals)."""
    T, L, b, kappa = 60.0, 10.0, 3.0, 100.0
    sc = _quiet(**{"schedule.slots": [[0, 20]], "horizon.weeks": 1,
                   "stream.duration_min": T, "audience.notify_decay_per_min": kappa,
                   "dwell.median_min": 1e4, "dwell.sigma": 0.01,
                   "match.matches_per_stream": float(n_matches),
                   "match.count": "fixed", "match.length_min": L,
                   "match.gift_boost": b})
    res = simkit.simulate(sc, paths=20_000, seed=4)
    u = _expected_union(n_matches, L, T)
    n_mean = sc["creator.followers"] * sc["audience.join_rate"] \
        * sc["audience.activity"][20] * -math.expm1(-kappa * T)
    rate = float(np.dot(sc["segments.follower_shares"],
                        sc["segments.gift_rate_per_min"]))
    want = n_mean * rate * (T - 1.0 / kappa + (b - 1.0) * u)
    g = res["gifts"]
    z = (g.mean() - want) / (g.std(ddof=1) / math.sqrt(g.size))
    # |z| < 4: false alarm ~6e-5 (CLT over 20,000 paths).
    assert abs(z) < 4.0, f"gifts {g.mean():.2f} vs {want:.2f}, z {z:.2f}"
    # Share of income in match minutes: ratio of means, delta-method SE.
    x, y = res["income_match"], res["income_gifts"]
    ratio = x.mean() / y.mean()
    want_ratio = b * u / (T + (b - 1.0) * u)
    d = (x - ratio * y) / y.mean()
    se = d.std(ddof=1) / math.sqrt(d.size)
    assert abs(ratio - want_ratio) < 4.0 * se + 1e-3, (ratio, want_ratio, se)


def test_off_changes_nothing():
    """Switched off, the new keys change no draw: the same numbers as the defaults."""
    sc = simkit.load_scenario("scenarios/micro.toml")
    off = sc.with_overrides({"subscriptions.price_usd": 20.0,
                             "subscriptions.initial": 500,
                             "subscriptions.subscribe_prob": 0.3,
                             "match.gift_boost": 7.0, "match.length_min": 9.0,
                             "match.partner_followers": 9000})
    a = simkit.simulate(sc, paths=30, seed=2, per_stream=True)
    b = simkit.simulate(off, paths=30, seed=2, per_stream=True)
    for k in a.totals:
        npt.assert_array_equal(a.totals[k], b.totals[k], err_msg=k)
    for k in ("income_subscriptions", "income_match", "subscribers_end",
              "new_subscribers"):
        assert not a.totals[k].any()


@pytest.fixture(scope="module")
def both():
    sc = simkit.load_scenario("scenarios/micro.toml")
    return sc.with_overrides({
        "horizon.weeks": 5, "stream.duration_min": 40, "schedule.kind": "ad_hoc",
        "audience.virality": 0.3, "creator.followers": 3000, **SUBS, **MATCH})


def _same(a, b):
    for k in a.totals:
        npt.assert_array_equal(a.totals[k], b.totals[k], err_msg=k)
    for k in a.per_stream:
        npt.assert_array_equal(a.per_stream[k], b.per_stream[k], err_msg=k)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_reproducible_over_threads(both):
    _same(simkit.simulate(both, paths=16, seed=3, per_stream=True, threads=1),
          simkit.simulate(both, paths=16, seed=3, per_stream=True, threads=2))


def test_reproducible_over_blocks_and_offsets(both):
    whole = simkit.simulate(both, paths=16, seed=3, per_stream=True, block_paths=16)
    _same(whole, simkit.simulate(both, paths=16, seed=3, per_stream=True,
                                 block_paths=3))
    part = simkit.simulate(both, paths=8, seed=3, per_stream=True, path_offset=5)
    for k in whole.totals:
        npt.assert_array_equal(part.totals[k], whole.totals[k][5:13], err_msg=k)
    assert whole["income_subscriptions"].sum() > 0 and whole["income_match"].sum() > 0


@pytest.mark.parametrize("key,value", [
    ("subscriptions.creator_share", 1.5), ("subscriptions.price_usd", 5000.0),
    ("subscriptions.renew_prob", -0.1), ("subscriptions.initial", -1),
    ("subscriptions.watch_uplift", 1000.0), ("subscriptions.enabled", "yes"),
    ("match.matches_per_stream", 25.0), ("match.length_min", 0.0),
    ("match.gift_boost", 100.0), ("match.count", "sometimes"),
    ("match.partner_interest", 11.0)])
def test_validation_names_the_key(key, value):
    sec, k = key.split(".")
    with pytest.raises(ScenarioError) as info:
        simkit.scenario_from_dict({sec: {k: value}})
    msg = str(info.value)
    assert f"`{key}`" in msg and "\n" not in msg


def test_report_and_plot_break_income_down():
    """The report's income table lists subscription and match income when
    earned (and not otherwise); the source plot stacks subscriptions."""
    from simkit.plotting import income_sources
    from simkit._report import _sources_section

    sc = simkit.load_scenario("scenarios/micro.toml")
    on = sc.with_overrides({"subscriptions.enabled": True,
                            "subscriptions.initial": 200,
                            "match.matches_per_stream": 1.0})
    res_on = simkit.simulate(on, paths=40, seed=1, per_stream=True)
    res_off = simkit.simulate(sc, paths=40, seed=1, per_stream=True)
    html_on = _sources_section(res_on).body
    html_off = _sources_section(res_off).body
    assert "income_subscriptions" in html_on and "LIVE Match minutes" in html_on
    assert "income_subscriptions" not in html_off and "Match" not in html_off
    for kind, n in (("bar", 5), ("area", 5)):
        ax = income_sources(res_on, kind=kind)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(t.startswith("LIVE Subscriptions") for t in labels), kind
        assert sum(t.split(" — ")[0] in ("LIVE gifts", "Brand deals", "Merchandise",
                                         "Donations", "LIVE Subscriptions")
                   for t in labels) == n
    ax = income_sources(res_off, kind="bar")
    assert not any("Subscriptions" in t.get_text()
                   for t in ax.get_legend().get_texts())


def test_kernel_agrees_with_numpy_reference_in_distribution():
    """The kernel against tests/naive.py's stream_numpy, which draws match
    windows, subscriber viewers and every gift with numpy's Generator, the
    boost by thinning a Poisson process at the top rate (so not through the
    kernel's split of minutes)."""
    from scipy import stats

    from naive import stream_numpy

    sc = one_stream_scenario(**{**SUBS, **MATCH, "match.length_min": 12.0,
                                "creator.followers": 1500})
    ctx = stream_context(sc, 0)
    subs = float(sc["subscriptions.initial"])
    res = simkit.simulate(sc, paths=20_000, seed=99, per_stream=True)
    rng = np.random.default_rng(2015)
    ref = [stream_numpy(sc, rng, subs=subs, **ctx) for _ in range(1500)]
    usd = sc["money.diamonds_per_coin"] * sc["money.diamond_value_usd"] \
        * sc["money.creator_share"] * (1.0 - sc["money.agency_cut"])
    pairs = {"unique_viewers": ("unique", 1.0), "notified_viewers": ("notified", 1.0),
             "viewer_minutes": ("viewer_minutes", 1.0), "gifts": ("gifts", 1.0),
             "coins": ("coins", 1.0), "new_subscribers": ("new_subs", 1.0),
             "income_match": ("match_coins", usd)}
    for metric, (name, scale) in pairs.items():
        x = res.per_stream[metric][:, 0]
        y = np.array([r[name] for r in ref]) * scale
        se = np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
        z = (x.mean() - y.mean()) / se
        # |z| < 4: two-sided false alarm ~6e-5 per metric; KS p > 1e-4 per
        # metric (conservative for discrete metrics): family-wise below 1e-3.
        assert abs(z) < 4.0, f"{metric}: z = {z:.2f}"
        assert stats.ks_2samp(x, y).pvalue > 1e-4, metric
    assert np.mean([r["match_coins"] for r in ref]) > 0
