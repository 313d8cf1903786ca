"""Paired comparison on common random numbers (simkit.analysis.compare)."""

import json

import numpy as np
import numpy.testing as npt
import pytest
from scipy import stats

from simkit.analysis._compare import ComparisonResult, dominance, paired
from simkit._quantiles import quantile_ci
from simkit.errors import SimkitError


# ----- pure statistics on synthetic samples --------------------------------------
def test_self_comparison_is_exactly_zero():
    x = np.random.default_rng(12345).lognormal(3.0, 1.0, size=1000)
    r = paired(x, x.copy(), "a", "a2")
    assert r.diff == 0.0 and r.diff_se == 0.0
    assert r.ci_lo == 0.0 and r.ci_hi == 0.0
    assert r.p_a_better == 0.0 and r.p_b_better == 0.0 and r.p_tie == 1.0
    assert r.dominance == "equal"
    assert not r.significant
    assert r.quantiles_a == r.quantiles_b


def test_formulas_against_direct_computation():
    rng = np.random.default_rng(12345)
    n = 500
    common = rng.normal(100.0, 20.0, n)
    a = common + rng.normal(2.0, 5.0, n)
    b = common + rng.normal(0.0, 5.0, n)
    r = paired(a, b, confidence=0.9)
    d = a - b
    assert r.n == n
    npt.assert_allclose(r.diff, d.mean())
    npt.assert_allclose(r.diff_se, d.std(ddof=1) / np.sqrt(n))
    z = stats.norm.ppf(0.95)
    npt.assert_allclose([r.ci_lo, r.ci_hi], d.mean() + np.array([-z, z]) * r.diff_se)
    npt.assert_allclose(r.se_independent,
                        np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n))
    npt.assert_allclose(r.p_a_better + r.p_b_better + r.p_tie, 1.0)
    npt.assert_allclose(r.p_a_better, np.mean(a > b))
    npt.assert_allclose(r.p_a_better_se, np.sqrt(r.p_a_better * (1 - r.p_a_better) / n))
    npt.assert_allclose(r.quantiles_a, np.quantile(a, r.quantile_levels))
    est = quantile_ci(b, r.quantile_levels, confidence=0.9)
    npt.assert_array_equal(r.quantiles_b_lo, est.lo)
    npt.assert_array_equal(r.quantiles_b_hi, est.hi)
    # se_diff^2 = se_ind^2 - 2 cov / n
    cov = np.cov(a, b, ddof=1)[0, 1]
    npt.assert_allclose(r.diff_se**2, r.se_independent**2 - 2 * cov / n)
    assert r.crn_se_ratio > 2  # shared component dominates


def test_ci_coverage_of_paired_mean():
    """The normal interval of a paired mean covers the true difference about 95%
    of the time: over R replicates hits ~ Binomial(R, 0.95) up to the CLT error,
    |z| < 4 (false alarm ~6e-5)."""
    rng = np.random.default_rng(4)
    reps, n, hits = 2000, 400, 0
    for _ in range(reps):
        c = rng.gamma(2.0, 10.0, n)
        a = c * 1.05 + rng.normal(0, 1, n)
        b = c
        r = paired(a, b)
        hits += r.ci_lo <= 1.0 <= r.ci_hi  # E[a - b] = 0.05 * E[c] = 1
    z = (hits - 0.95 * reps) / np.sqrt(reps * 0.95 * 0.05)
    assert abs(z) < 4.0


def test_dominance_definition_and_direction():
    rng = np.random.default_rng(1)
    x = rng.exponential(size=300)
    assert dominance(x + 0.1, x) == "a"
    assert dominance(x, x + 0.1) == "b"
    assert dominance(x, rng.permutation(x)) == "equal"
    # Same mean, different spread: CDFs cross.
    y = rng.normal(size=300)
    assert dominance(y, 3 * y) == "none"
    # Dominance is a property of the marginals, not of the pairing.
    assert dominance(x + 0.1, rng.permutation(x)) == "a"
    with pytest.raises(SimkitError, match="equal size"):
        dominance(x, x[:-1])


def test_dominance_equals_ecdf_check():
    """sorted(a) >= sorted(b) elementwise iff ECDF_a <= ECDF_b on every point."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        a = rng.integers(0, 6, size=8).astype(float)
        b = rng.integers(0, 6, size=8).astype(float)
        grid = np.union1d(a, b)
        fa = (a[:, None] <= grid).mean(0)
        fb = (b[:, None] <= grid).mean(0)
        ge, le = bool(np.all(fa <= fb)), bool(np.all(fa >= fb))
        want = "equal" if ge and le else "a" if ge else "b" if le else "none"
        assert dominance(a, b) == want


def test_swap_and_result_exports(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.gamma(2.0, 50.0, 300)
    y = x * 0.9 + rng.normal(0, 1, 300)
    p = paired(x, y, "consistent", "ad_hoc", metric="income_total")
    res = ComparisonResult("demo", "income_total", ("consistent", "ad_hoc"), (p,),
                           300, 12345, {"seed": 12345, "simkit_version": "x"})
    q = res.pair("ad_hoc", "consistent")
    assert q.a == "ad_hoc" and q.diff == -p.diff and q.ci_lo == -p.ci_hi
    assert q.p_a_better == p.p_b_better and q.dominance in ("b", "none")
    d = json.loads(json.dumps(res.to_dict()))
    assert d["pairs"][0]["crn_se_ratio"] == pytest.approx(p.crn_se_ratio)
    assert d["seed"] == 12345 and d["paths"] == 300
    files = res.to_csv(tmp_path)
    assert [f.name for f in files] == ["compare_pairs.csv", "compare_quantiles.csv"]
    head = files[0].read_text().splitlines()[0].split(",")
    assert head[:3] == ["a", "b", "n"]
    qhead = files[1].read_text().splitlines()[0].split(",")
    assert qhead[:4] == ["variant", "mean", "se", "p05"] and "p95_hi" in qhead
    text = str(res)
    assert "consistent − ad_hoc" in text
    assert "Verdict: consistent earns more" in text
    assert "verdict: consistent beats ad_hoc" in res.render(details=True)
    with pytest.raises(SimkitError, match="no comparison"):
        res.pair("consistent", "nope")


def test_paired_input_errors():
    with pytest.raises(SimkitError, match="same size"):
        paired(np.zeros(3), np.zeros(4))
    with pytest.raises(SimkitError, match="at least 2 paths"):
        paired(np.zeros(1), np.zeros(1))
    with pytest.raises(SimkitError, match="finite"):
        paired(np.array([1.0, np.inf]), np.zeros(2))


# ----- the compare() driver on the real simulator -------------------------------
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cva():
    import simkit

    return simkit.load_scenario(ROOT / "scenarios" / "consistent_vs_adhoc.toml")


def _join_rate_scenario():
    import simkit

    return simkit.scenario_from_dict({
        "name": "join_rate", "horizon": {"weeks": 2},
        "schedule": {"kind": "consistent", "slots": [[1, 20], [4, 20]]},
        "stream": {"duration_min": 60.0},
        "creator": {"followers": 20_000},
        "audience": {"join_rate": 0.03, "discovery_rate_per_min": 2.0},
        "variants": {"higher": {"audience": {"join_rate": 0.036}},
                     "same": {"audience": {"join_rate": 0.03}}},
    })


def test_variant_with_itself_gives_exactly_zero_difference(cva):
    """The base scenario is already consistent, so 'base' and 'consistent' are the
    same model on the same random numbers: every paired difference is exactly 0."""
    from simkit.analysis._compare import compare

    res = compare(cva, ["base", "consistent"], paths=200, seed=3, progress=False)
    (p,) = res.pairs
    assert p.diff == 0.0 and p.diff_se == 0.0 and p.ci_lo == p.ci_hi == 0.0
    assert p.p_tie == 1.0 and p.p_a_better == p.p_b_better == 0.0
    assert p.dominance == "equal" and not p.significant
    assert "no significant difference" in p.verdict()


def test_strictly_better_strategy_wins_and_dominates():
    """+20% join rate, everything else equal: never loses, wins on (nearly) every
    path and first-order dominates on the sample. (At 20,000 followers every
    path's extra viewers bring some income; a smaller creator ties on the paths
    where they bring none.)"""
    from simkit.analysis._compare import compare

    sc = _join_rate_scenario()
    res = compare(sc, ["higher", "same", "base"], paths=400, seed=11,
                  progress=False)
    assert len(res.pairs) == 3
    p = res.pair("higher", "base")
    assert p.p_a_better > 0.99 and p.p_b_better < 0.01
    assert p.dominance == "a" and p.ci_lo > 0
    assert res.pair("same", "base").diff == 0.0  # identical model, identical draws
    for metric in ("unique_viewers", "viewer_minutes"):
        q = compare(sc, ["higher", "base"], paths=400, seed=11, metric=metric,
                    progress=False).pairs[0]
        assert q.p_a_better > 0.99 and q.dominance == "a"


def test_crn_shrinks_standard_error_against_independent_seeds(cva, record_property):
    """Consistent vs ad hoc on 1,000 paths: the paired s.e. under common random
    numbers is smaller than the s.e. of the difference of two independently
    seeded runs with the same path count (measured: ratio ~2.3, i.e. ~5x fewer
    paths for the same precision).

    Each s.e. estimate has ~3-5% relative error at n = 1,000, so a ratio below
    1.5 (a drop of >8 such errors) cannot happen by chance; the independent-run
    s.e. must also match the formula ``sqrt(var_a/n + var_b/n)`` within 20%.
    """
    import simkit
    from simkit.analysis._compare import compare

    n = 1000
    res = compare(cva, ["consistent", "ad_hoc"], paths=n, seed=12345, progress=False)
    (p,) = res.pairs
    a = simkit.simulate(cva, variant="consistent", paths=n, seed=12345,
                        progress=False)["income_total"]
    b_indep = simkit.simulate(cva, variant="ad_hoc", paths=n, seed=54321,
                              progress=False)["income_total"]
    se_indep = float(np.std(a - b_indep, ddof=1) / np.sqrt(n))
    ratio = se_indep / p.diff_se
    record_property("crn_se_ratio", ratio)
    print(f"\nCRN: paired s.e. {p.diff_se:.2f}, independent seeds s.e. {se_indep:.2f}, "
          f"ratio {ratio:.2f} (formula {p.crn_se_ratio:.2f})")
    assert ratio > 1.5
    assert abs(se_indep / p.se_independent - 1) < 0.2
    # The documented verdict of scenarios/consistent_vs_adhoc.toml.
    assert p.significant and p.diff > 0 and p.p_a_better > 0.9
    assert p.dominance == "a"
    assert p.verdict().startswith("consistent beats ad_hoc")


def test_compare_driver_errors(cva):
    import simkit
    from simkit.analysis._compare import compare

    with pytest.raises(SimkitError, match="unknown variant 'weekly'"):
        compare(cva, ["consistent", "weekly"], paths=10)
    with pytest.raises(SimkitError, match="at least two"):
        compare(cva, ["consistent"], paths=10)
    with pytest.raises(SimkitError, match="`metric`"):
        compare(cva, paths=10, metric="income")
    with pytest.raises(SimkitError, match="`paths`"):
        compare(cva, paths=0)
    bare = simkit.scenario_from_dict({"name": "bare"})
    with pytest.raises(SimkitError, match="no variants to compare"):
        compare(bare, paths=10)


def test_compare_records_what_reproduces_it(cva):
    from simkit.analysis._compare import compare

    res = compare(cva, paths=50, seed=9, progress=False)
    assert res.variants == ("consistent", "ad_hoc")  # default: all variants
    d = json.loads(json.dumps(res.to_dict(), default=float))
    meta = d["metadata"]
    assert meta["seed"] == 9 and meta["paths"] == 50 and meta["simkit_version"]
    assert set(meta["scenarios"]) == {"consistent", "ad_hoc"}
    assert meta["scenarios"]["ad_hoc"]["schedule"]["kind"] == "ad_hoc"
