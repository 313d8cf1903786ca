"""Sponsorship quote arithmetic (simkit.analysis.quote)."""

import json

import numpy as np
import numpy.testing as npt
import pytest
from scipy import stats

from simkit.analysis._quote import deliverable_sample, quote_table
from simkit.errors import SimkitError

# Poisson(20) at these levels: the sample (1 - c) quantile sits at least 10
# ECDF standard errors (n = 40,000) away from a CDF jump, so it equals the
# exact Poisson quantile except with negligible probability (< 1e-20).
LAM, N, LEVELS = 20.0, 40_000, (0.5, 0.8, 0.95)


def _poisson_shortfall(g, lam):
    k = np.arange(int(g))
    return float(np.sum((g - k) * stats.poisson.pmf(k, lam)))


@pytest.fixture(scope="module")
def poisson_sample():
    return np.random.default_rng(12345).poisson(LAM, size=N).astype(float)


def test_quote_against_poisson_closed_forms(poisson_sample):
    """Guarantee = Poisson quantile exactly; P(short) and E[shortfall] within
    4 standard errors of their closed forms (two-sided false alarm ~6e-5 each)."""
    t = quote_table(poisson_sample, LEVELS, cpm=25.0)
    for r in t.rows:
        g = stats.poisson.ppf(1 - r.level, LAM)
        assert r.guaranteed == g
        assert r.guaranteed_lo <= g <= r.guaranteed_hi
        p_short = stats.poisson.cdf(g - 1, LAM)
        assert abs(r.p_short - p_short) / np.sqrt(p_short * (1 - p_short) / N) < 4.0
        sf = _poisson_shortfall(g, LAM)
        assert abs(r.shortfall - sf) / r.shortfall_se < 4.0
        # Pure arithmetic: exact.
        assert r.price == 25.0 * r.guaranteed / 1000.0
        assert r.make_good == 25.0 * r.shortfall / 1000.0
        assert r.make_good_se == 25.0 * r.shortfall_se / 1000.0
    assert abs(t.mean - LAM) / t.mean_se < 4.0
    assert t.fair_value == pytest.approx(25.0 * t.mean / 1000.0)


def test_campaign_of_k_poisson_streams_is_poisson_k_lambda():
    """Sum over K independent Poisson(lam) streams is Poisson(K lam)."""
    k, lam, n = 4, 5.0, 40_000
    rng = np.random.default_rng(7)
    vm = rng.poisson(lam, size=(n, 6)).astype(float)
    ps = {"viewer_minutes": vm, "live": np.ones_like(vm)}
    x, live = deliverable_sample(ps, "viewer_minutes", first_stream=1, streams=k)
    npt.assert_array_equal(x, vm[:, 1:5].sum(1))
    t = quote_table(x, LEVELS, cpm=10.0, streams=k)
    for r in t.rows:
        # ppf positions for Poisson(20) checked in the module comment
        assert r.guaranteed == stats.poisson.ppf(1 - r.level, k * lam)


def test_guarantee_is_met_on_at_least_c_of_paths():
    x = np.random.default_rng(3).lognormal(8.0, 1.0, size=1003)
    t = quote_table(x, (0.5, 0.8, 0.9, 0.95, 0.99))
    s = np.sort(x)
    for r in t.rows:
        assert np.sum(x >= r.guaranteed) >= r.level * x.size
        assert r.guaranteed in s  # an order statistic, no interpolation
        # the next larger sample value would break the promise
        nxt = s[np.searchsorted(s, r.guaranteed, side="right")]
        assert np.sum(x >= nxt) < r.level * x.size
        assert r.price is None and r.make_good is None


def test_guarantee_exact_levels_have_no_float_slip():
    # n (1 - c) = 50 exactly in decimal but not in binary: the 50th value, not 51st.
    x = np.arange(1000.0)
    assert quote_table(x, [0.95]).rows[0].guaranteed == 49.0
    assert quote_table(x, [0.5]).rows[0].guaranteed == 499.0


def test_peak_concurrent_campaign_is_mean_of_peaks_and_live_filter():
    peak = np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0], [1.0, 2.0, 3.0]])
    live = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]])
    x, ok = deliverable_sample({"peak_concurrent": peak, "live": live},
                               "peak_concurrent", first_stream=0, streams=3)
    npt.assert_array_equal(ok, [True, False, True])
    npt.assert_allclose(x, [20.0, 2.0])
    t = quote_table(x, [0.5], deliverable="peak_concurrent",
                    n_excluded=int((~ok).sum()))
    assert t.n == 2 and t.n_excluded == 1
    assert "1 run left out" in str(t)


def test_flat_rate_and_exports():
    x = np.random.default_rng(1).poisson(100, size=500).astype(float)
    t = quote_table(x, [0.5, 0.9], flat_rate=0.02, label="stream 0")
    r = t.row(0.9)
    assert r.price == pytest.approx(0.02 * r.guaranteed)
    assert r.make_good == pytest.approx(0.02 * r.shortfall)
    d = json.loads(json.dumps(t.to_dict()))
    assert d["rows"][1]["level"] == 0.9 and d["rate"] == 0.02
    head, rows = t.csv_rows()
    assert head[:4] == ["label", "deliverable", "streams", "n"] and len(rows) == 2
    assert "promising the median" in t.render(details=True)


def test_errors():
    x = np.arange(10.0)
    with pytest.raises(SimkitError, match="`levels`"):
        quote_table(x, [0.0, 0.5])
    with pytest.raises(SimkitError, match="either `cpm` or `flat_rate`"):
        quote_table(x, [0.5], cpm=1.0, flat_rate=1.0)
    with pytest.raises(SimkitError, match="`cpm`"):
        quote_table(x, [0.5], cpm=-1.0)
    with pytest.raises(SimkitError, match="no paths"):
        quote_table(np.array([]), [0.5])
    ps = {"viewer_minutes": np.zeros((3, 4)), "live": np.ones((3, 4))}
    with pytest.raises(SimkitError, match="`streams` must be in"):
        deliverable_sample(ps, "viewer_minutes", first_stream=2, streams=3)
    with pytest.raises(SimkitError, match="`first_stream`"):
        deliverable_sample(ps, "viewer_minutes", first_stream=4)
    with pytest.raises(SimkitError, match="`deliverable`"):
        deliverable_sample(ps, "gifts")


# ----- the quote() driver against the real simulator ---------------------------
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _one_stream_lambda(sc):
    """Mean unique viewers of the one-stream scenario (docs/model.md §2-3, no
    virality): notified Poisson(F r a(h) (1 - exp(-kappa T))) + discovered
    Poisson(mu a(h) T)."""
    a = sc["audience.activity"][20]
    t = sc["stream.duration_min"]
    notified = (sc["creator.followers"] * sc["audience.join_rate"] * a
                * (1 - np.exp(-sc["audience.notify_decay_per_min"] * t)))
    return notified + sc["audience.discovery_rate_per_min"] * a * t


def test_quote_of_simulated_poisson_unique_viewers(one_stream):
    """unique_viewers of one stream is Poisson(lambda): each quote row matches the
    Poisson closed forms evaluated at its guarantee, |z| < 4 (false alarm ~6e-5
    per check)."""
    from simkit.analysis._quote import quote

    sc = one_stream()
    lam = _one_stream_lambda(sc)
    n = 20_000
    q = quote(sc, deliverable="unique_viewers", cpm=40.0, levels=[50, 80, 95],
              paths=n, seed=12345, progress=False)
    assert q.campaign is None and q.single.n == n and q.single.n_excluded == 0
    assert abs(q.single.mean - lam) / np.sqrt(lam / n) < 4.0
    for r in q.single.rows:
        g = r.guaranteed
        # g is the (1 - c) quantile: Poisson CDF brackets 1 - c up to sampling noise
        tol = 4.0 * np.sqrt(r.level * (1 - r.level) / n)
        assert stats.poisson.cdf(g - 1, lam) - tol <= 1 - r.level
        assert 1 - r.level <= stats.poisson.cdf(g, lam) + tol
        p_short = stats.poisson.cdf(g - 1, lam)
        assert abs(r.p_short - p_short) / np.sqrt(p_short * (1 - p_short) / n) < 4.0
        assert abs(r.shortfall - _poisson_shortfall(g, lam)) / r.shortfall_se < 4.0
        assert r.make_good == pytest.approx(0.04 * r.shortfall, rel=1e-12)


def _threshold_scenario():
    """Creator at 990 followers growing ~5/day: stream 0 never goes live, stream 1
    on about half the paths, later ones on (nearly) all."""
    import simkit

    return simkit.scenario_from_dict({
        "name": "threshold", "horizon": {"weeks": 2},
        "schedule": {"kind": "consistent", "slots": [[0, 20], [2, 20], [4, 20]]},
        "stream": {"duration_min": 60.0},
        "creator": {"followers": 990, "organic_growth_per_day": 5.0},
        "audience": {"join_rate": 0.05, "discovery_rate_per_min": 1.0},
        "brand": {"enabled": False},
        "sponsorship": {"deliverable": "viewer_minutes", "first_stream": 1,
                        "streams": 3, "cpm_usd": 20.0, "levels": [50, 90]},
    })


def test_quote_defaults_from_sponsorship_table_and_live_filter():
    import simkit
    from simkit.analysis._quote import quote

    sc = _threshold_scenario()
    n = 600
    q = quote(sc, paths=n, seed=7, progress=False)
    res = simkit.simulate(sc, paths=n, seed=7, per_stream=True, progress=False)
    live = res.per_stream["live"]
    vm = res.per_stream["viewer_minutes"]
    assert q.deliverable == "viewer_minutes"
    assert [r.level for r in q.single.rows] == [0.5, 0.9]
    assert q.single.rate == 0.02 and q.metadata["cpm_usd"] == 20.0
    # single stream 1: only the paths where it went live count
    ok1 = live[:, 1] > 0
    assert 0 < ok1.sum() < n and q.single.n == ok1.sum()
    assert q.single.n_excluded == n - ok1.sum()
    npt.assert_allclose(q.single.mean, vm[ok1, 1].mean(), rtol=1e-12)
    # campaign: streams 1..3 all live, delivery summed
    okc = np.all(live[:, 1:4] > 0, axis=1)
    assert q.campaign.n == okc.sum() and q.campaign.streams == 3
    npt.assert_allclose(q.campaign.mean, vm[okc, 1:4].sum(1).mean(), rtol=1e-12)
    assert "runs left out" in str(q)
    # the simulation behind the quote is the same run
    npt.assert_array_equal(q.simulation.per_stream["viewer_minutes"], vm)


def test_quote_errors():
    from simkit.analysis._quote import quote

    sc = _threshold_scenario()
    with pytest.raises(SimkitError, match="no path where the sponsored"):
        quote(sc, first_stream=0, streams=1, paths=50, progress=False)
    with pytest.raises(SimkitError, match="`streams` must be in"):
        quote(sc, first_stream=4, streams=3, paths=10, progress=False)
    with pytest.raises(SimkitError, match="`deliverable`"):
        quote(sc, deliverable="coins", paths=10, progress=False)
    with pytest.raises(SimkitError, match="`levels`"):
        quote(sc, levels=[0, 50], paths=10, progress=False)


def test_sponsorship_scenario_quotes():
    import simkit
    from simkit.analysis._quote import quote

    sc = simkit.load_scenario(ROOT / "scenarios" / "sponsorship_quote.toml")
    assert sc.sponsorship["streams"] > 1
    q = quote(sc, paths=120, seed=1, progress=False)
    assert q.campaign is not None and q.single.n + q.single.n_excluded == 120
    g = [r.guaranteed for r in q.single.rows]
    assert g == sorted(g, reverse=True)  # more confidence, smaller promise
    assert q.campaign.rows[0].guaranteed > q.single.rows[0].guaranteed


def test_sponsorship_levels_are_percentages():
    """`sponsorship.levels` in a file are percentages: [1] is 1%, not the fraction
    1.0 (which was rejected)."""
    from simkit.analysis._quote import quote

    for levels, want in (([1.0], [0.01]), ([1.0, 99.5], [0.01, 0.995])):
        sc = _threshold_scenario().with_overrides({"sponsorship.levels": levels})
        q = quote(sc, first_stream=2, streams=1, paths=40, seed=1, progress=False)
        assert [r.level for r in q.single.rows] == want


@pytest.mark.parametrize(("levels", "want"), [
    ([0.5, 0.95], (0.5, 0.95)),      # fractions
    ([50, 95], (0.5, 0.95)),         # every value above 1: percentages
])
def test_quote_levels_keyword(levels, want):
    from simkit._validate import confidence_levels

    assert confidence_levels(levels) == want


@pytest.mark.parametrize(("levels", "match"), [
    ([0.5, 90], "mixes fractions and percentages"),   # was read as 0.5% and 90%
    ([1], "fractions in \\(0, 1\\)"),
    ([50, 100], "percentages in \\(0, 100\\)"),
    ([0, 50], "must be above 0"),
])
def test_quote_levels_keyword_errors(levels, match):
    from simkit.analysis._quote import quote

    with pytest.raises(SimkitError, match=match):
        quote(_threshold_scenario(), levels=levels, paths=10, progress=False)


def test_levels_print_with_the_digits_given():
    x = np.arange(20_000.0)
    text = quote_table(x, [0.9999, 0.5, 0.005], confidence=0.995).render(
        details=True)
    assert " 99.99% " in text and " 0.5% " in text and "99.5% CI" in text
    assert "100%" not in text


# ----- numbers that cannot be right -----------------------------------------------
@pytest.mark.parametrize(("kw", "value"), [
    ("cpm", 1e308), ("cpm", 1000.01), ("cpm", float("inf")), ("cpm", float("nan")),
    ("flat_rate", 1e308), ("flat_rate", 100.5), ("cpm", True),
])
def test_rates_beyond_the_bounds_are_refused(kw, value):
    with pytest.raises(SimkitError, match=f"`{kw}` must be a number of USD in") as e:
        quote_table(np.arange(10.0), [0.5], **{kw: value})
    assert "\n" not in str(e.value)


def test_rates_at_the_bounds_give_finite_prices():
    x = np.arange(100.0) * 1e12
    for kw, hi in (("cpm", 1000.0), ("flat_rate", 100.0)):
        d = quote_table(x, [0.5, 0.9], **{kw: hi}).to_dict()
        json.dumps(d, allow_nan=False)
        assert all(r["price"] is not None and r["price"] >= 0 for r in d["rows"])


def test_price_that_would_overflow_is_an_error():
    with pytest.raises(SimkitError, match="too large to price"):
        quote_table(np.array([1e307, 1.7e308]), [0.5], flat_rate=100.0)
