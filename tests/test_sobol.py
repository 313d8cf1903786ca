"""Sobol' indices and Morris screening (simkit.sensitivity).

Statistical checks use fixed seeds; a check "within the interval" at level
``L`` would fail for a correct estimator with probability ``1 - L`` per index
(the bootstrap intervals are approximate), so the Ishigami checks use 99%
intervals: about a 1% false-alarm rate per index, 6% for the whole table.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("SALib")

import simkit  # noqa: E402
from simkit.analysis._sobol import _drive, sensitivity  # noqa: E402
from simkit.errors import LowPrecisionWarning, SimkitError  # noqa: E402

MICRO = "scenarios/micro.toml"
SEED = 12345

# Ishigami and Homma (1990), a = 7, b = 0.1, inputs uniform on [-pi, pi]; the
# analytic indices are in Saltelli et al. (2008), "Global Sensitivity Analysis:
# The Primer", section 4.8 (and SALib's test suite).
A, B = 7.0, 0.1
_V = A ** 2 / 8 + B * math.pi ** 4 / 5 + B ** 2 * math.pi ** 8 / 18 + 0.5
_V1 = 0.5 * (1 + B * math.pi ** 4 / 5) ** 2
_V2 = A ** 2 / 8
_V13 = B ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
ISHIGAMI_S1 = np.array([_V1 / _V, _V2 / _V, 0.0])
ISHIGAMI_ST = np.array([(_V1 + _V13) / _V, _V2 / _V, _V13 / _V])
ISHIGAMI_S2_13 = _V13 / _V


def ishigami(x):
    y = np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 \
        + B * x[:, 2] ** 4 * np.sin(x[:, 0])
    return y, np.zeros(len(y))


def _uniform_pi(u):
    return -math.pi + 2 * math.pi * u


@pytest.fixture(scope="module")
def ishigami_indices():
    idx, x, y, _ = _drive(("x1", "x2", "x3"), [_uniform_pi] * 3, ishigami,
                          method="sobol", n=1024, second_order=True, num_levels=4,
                          conf_level=0.99, resamples=300, seed=SEED)
    return idx, x


def test_ishigami_matches_analytic_values_within_intervals(ishigami_indices):
    idx, x = ishigami_indices
    assert x.shape == (1024 * (2 * 3 + 2), 3)
    assert np.all(np.abs(x) <= math.pi)
    assert np.all(np.abs(idx["S1"] - ISHIGAMI_S1) <= idx["S1_conf"])
    assert np.all(np.abs(idx["ST"] - ISHIGAMI_ST) <= idx["ST_conf"])
    assert abs(idx["S2"][0, 2] - ISHIGAMI_S2_13) <= idx["S2_conf"][0, 2]
    # the intervals are informative, not wide enough to contain anything
    assert np.all(idx["ST_conf"] < 0.15)


def test_ishigami_sum_of_s1_within_its_interval(ishigami_indices):
    idx, _ = ishigami_indices
    half = math.sqrt(float(np.sum(idx["S1_conf"] ** 2)))
    assert float(np.sum(idx["S1"])) <= 1.0 + half


def test_ishigami_morris_ranks_x3_by_sigma():
    idx, *_ = _drive(("x1", "x2", "x3"), [_uniform_pi] * 3, ishigami, method="morris",
                     n=64, second_order=False, num_levels=4, conf_level=0.95,
                     resamples=100, seed=SEED)
    # x3 acts only through its interaction with x1: mu (signed) cancels,
    # sigma does not
    assert idx["sigma"][2] > abs(idx["mu"][2])
    assert np.all(idx["mu_star"] > 0)


# ----- scenarios ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_input():
    """micro where gift income depends on money.creator_share only.

    merch.margin moves merchandise income only, and micro's brand pricing is
    flat, so merch.margin and brand.cpm_usd are uncertain but cannot move gift
    income.
    """
    return simkit.load_scenario(MICRO).with_overrides({
        "money.creator_share": {"dist": "uniform", "min": 0.3, "max": 0.7},
        "merch.margin": {"dist": "beta", "alpha": 2.0, "beta": 3.0},
        "brand.cpm_usd": {"dist": "lognormal", "median": 12.0, "sigma": 0.4,
                         "hi": 1000.0}})


@pytest.fixture(scope="module")
def one_input_result(one_input):
    # income_gifts = creator_share x G: the point means share G's noise, which
    # the noise share (a per-point variance over the points' spread, about
    # 1.24 CV(G)^2 x 16 / paths here) counts as blur. micro's small audience with
    # stream shocks has CV(G) ~ 0.5, so 128 paths keep it below 5%.
    return sensitivity(one_input, n=64, paths=_ONE_INPUT_PATHS, metric="income_gifts",
                       seed=SEED, progress=False)


#: Paths per design point of the one-input analysis (see one_input_result).
_ONE_INPUT_PATHS = 128


#: Tests of determinism and resume, not of accuracy: few paths, blur allowed.
_BLUR_OK = pytest.mark.filterwarnings("ignore::simkit.errors.LowPrecisionWarning")


def test_one_input_explains_everything(one_input_result):
    res = one_input_result
    assert set(res.keys) == {"money.creator_share", "merch.margin", "brand.cpm_usd"}
    assert [r["input"] for r in res.rows()][0] == "money.creator_share"
    share = res["money.creator_share"]
    # income_gifts = creator_share x (the path's gift value): S1 = ST = 1
    assert abs(share["S1"] - 1.0) <= share["S1_conf"]
    assert abs(share["ST"] - 1.0) <= share["ST_conf"]
    for k in ("merch.margin", "brand.cpm_usd"):
        assert res[k]["S1"] == pytest.approx(0.0, abs=1e-12)
        assert res[k]["ST"] == pytest.approx(0.0, abs=1e-12)
    half = math.sqrt(sum(r["S1_conf"] ** 2 for r in res.rows()))
    assert res.s1_sum <= 1.0 + half
    assert 0.0 <= res.noise_share < 0.05
    assert res.n_points == 64 * (3 + 2)


def test_same_seed_same_indices(one_input, one_input_result):
    again = sensitivity(one_input, n=64, paths=_ONE_INPUT_PATHS, metric="income_gifts",
                        seed=SEED, progress=False, chunk_scenarios=37)
    for k in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.array_equal(again.indices[k], one_input_result.indices[k])
    other = sensitivity(one_input, n=64, paths=_ONE_INPUT_PATHS, metric="income_gifts",
                        seed=SEED + 1, progress=False)
    assert not np.array_equal(other.indices["S1"], one_input_result.indices["S1"])


def test_outputs(one_input_result, tmp_path):
    import csv
    import json

    res = one_input_result
    text = res.render(details=True)
    head = ["input", "S1", "±", "95%", "ST", "±", "95%"]
    assert text.splitlines()[1].split() == head
    assert "noise share" in text
    plain = str(res)
    assert " ".join(plain.split()).startswith(
        "The creator's share explains the largest part of the spread in expected "
        "LIVE gifts:")
    assert "money.creator_share" not in plain and "with the others" in plain
    res.to_csv(tmp_path / "s.csv")
    with open(tmp_path / "s.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["input"] for r in rows] == [r["input"] for r in res.rows()]
    assert float(rows[0]["ST"]) == res.rows()[0]["ST"]
    res.to_json(tmp_path / "s.json")
    d = json.loads((tmp_path / "s.json").read_text())
    assert d["method"] == "sobol" and d["rows"][0]["input"] == "money.creator_share"
    assert d["inputs"]["money.creator_share"].startswith("uniform")
    pd = pytest.importorskip("pandas")
    df = res.to_frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert df.index[0] == "money.creator_share"


@_BLUR_OK
def test_morris_on_the_scenario(one_input):
    res = sensitivity(one_input, method="morris", n=8, paths=8, metric="income_gifts",
                      seed=SEED, progress=False)
    assert res.n_points == 8 * (3 + 1)
    assert res.rows()[0]["input"] == "money.creator_share"
    assert res["merch.margin"]["mu_star"] == 0.0
    assert res["money.creator_share"]["mu_star"] > 0.0
    assert "mu*" in res.render(details=True)
    assert "average change" in str(res) and "mu*" not in str(res)


def test_sweep_ranges_are_the_inputs_without_uncertain_ones():
    sc = simkit.load_scenario("scenarios/micro_sweep.toml")
    res = sensitivity(sc, n=8, paths=4, metric="unique_viewers", seed=SEED,
                      progress=False)
    assert res.keys == tuple(sc.sweep["params"])
    assert all(d.startswith(("uniform", "log-uniform")) for d in res.inputs)


@_BLUR_OK
def test_checkpoint_and_resume(one_input, tmp_path):
    kw = dict(n=16, paths=8, metric="income_gifts", seed=SEED, progress=False,
              chunk_scenarios=20)
    first = sensitivity(one_input, out=tmp_path, **kw)
    again = sensitivity(one_input, out=tmp_path, resume=True, **kw)
    assert again.metadata["chunks_loaded"] == again.metadata["chunks"] == 4
    assert np.array_equal(first.indices["ST"], again.indices["ST"])
    with pytest.raises(SimkitError, match="seed"):
        sensitivity(one_input, out=tmp_path, resume=True, **{**kw, "seed": 1})


def test_noise_is_reported_and_warned():
    sc = simkit.load_scenario(MICRO).with_overrides({
        "horizon.weeks": 1,
        "audience.engagement": {"dist": "uniform", "min": 0.45, "max": 0.55},
        "merch.margin": {"dist": "uniform", "min": 0.2, "max": 0.6}})
    with pytest.warns(LowPrecisionWarning, match="raise `paths`"):
        res = sensitivity(sc, n=8, paths=2, metric="income_gifts", seed=SEED,
                          progress=False)
    assert res.noise_share > 0.05


def test_correlated_inputs_are_refused():
    sc = simkit.scenario_from_dict({
        "audience": {"join_rate": {"dist": "uniform", "min": 0.02, "max": 0.04}},
        "habit": {"max_gain": {"dist": "uniform", "min": 0.1, "max": 0.5}},
        "correlations": {"audience.join_rate, habit.max_gain": 0.5}})
    with pytest.raises(SimkitError, match="independent inputs.*tornado"):
        sensitivity(sc, n=8, paths=4, progress=False)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "fast"}, "`method` must be one of sobol, morris"),
    ({"n": 100}, "power of 2"),
    ({"n": 1}, "`n` must be an integer >= 2"),
    ({"metric": "nope"}, "unknown metric `nope`"),
    ({"paths": 1}, "`paths` must be an integer >= 2"),
    ({"seed": -1}, "`seed`"),
    ({"method": "morris", "second_order": True}, "needs method='sobol'"),
    ({"conf_level": 1.0}, "`conf_level`"),
    ({"method": "morris", "num_levels": 5}, "even"),
    ({"resamples": 3}, "`resamples`"),
    ({"scheduler": "tcp://x:1"}, "needs backend='dask'"),
    ({"resume": True}, "needs an output directory"),
])
def test_errors(one_input, kwargs, match):
    with pytest.raises(SimkitError, match=match):
        sensitivity(one_input, progress=False, **kwargs)


def test_nothing_to_analyse():
    with pytest.raises(SimkitError, match="no uncertain inputs"):
        sensitivity(simkit.load_scenario(MICRO), n=8, progress=False)
    with pytest.raises(SimkitError, match="must be a Scenario"):
        sensitivity(MICRO)


# ----- tornado spread, spider, charts ------------------------------------------------

def test_tornado_spread(one_input):
    from simkit.analysis._sensitivity import tornado

    p = tornado(one_input, metric="income_gifts", paths=20, seed=SEED, progress=False)
    e = p["money.creator_share"]
    assert (e.low_value, e.high_value) == pytest.approx((0.34, 0.66))  # P10, P90
    s = tornado(one_input, metric="income_gifts", paths=20, seed=SEED, step=0.25,
                spread="step", progress=False)
    e = s["money.creator_share"]
    assert (e.low_value, e.high_value) == pytest.approx((0.375, 0.625))  # 0.5 -/+ 25%
    with pytest.raises(SimkitError, match="`spread` must be one of"):
        tornado(one_input, spread="p5p95", progress=False)


def test_spider(one_input):
    from simkit.analysis._sensitivity import spider

    res = spider(one_input, levels=(0.9, 0.1, 0.5), metric="income_gifts", paths=20,
                 seed=SEED, progress=False)
    assert res.levels == (0.1, 0.5, 0.9)
    assert res.keys[0] == "money.creator_share"
    share = res.means[0]
    assert share[0] < share[1] < share[2]
    # gift income is linear in the share under common random numbers
    assert share / res.values[0] == pytest.approx(np.full(3, share[1] / 0.5))
    for i in (1, 2):  # merch.margin, brand.cpm_usd: no effect, exactly
        assert np.all(res.means[i] == res.base_mean)
    with pytest.raises(SimkitError, match="not an uncertain input"):
        spider(one_input, keys=["audience.join_rate"], progress=False)
    with pytest.raises(SimkitError, match="needs uncertain inputs"):
        spider(simkit.load_scenario(MICRO), progress=False)
    with pytest.raises(SimkitError, match="`levels`"):
        spider(one_input, levels=(0.0, 0.5), progress=False)


def test_charts(one_input_result, one_input):
    from simkit.analysis._sensitivity import spider
    from simkit.plotting import sensitivity_indices
    from simkit.plotting import spider as spider_plot

    ax = sensitivity_indices(one_input_result)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "money.creator_share"
    assert len(ax.patches) == 2 * len(one_input_result.keys)
    ax = spider_plot(spider(one_input, paths=10, seed=SEED, progress=False))
    assert len(ax.get_lines()) >= 3
    with pytest.raises(SimkitError, match="SensitivityResult"):
        sensitivity_indices(object())


# ----- command line ------------------------------------------------------------------

UNC_TOML = """
name = "micro_unc"
[horizon]
weeks = 2
[schedule]
kind = "consistent"
slots = [[1, 20], [3, 20]]
[creator]
followers = 10_000
[money]
creator_share = { dist = "uniform", min = 0.3, max = 0.7 }
[merch]
margin = { dist = "uniform", min = 0.2, max = 0.6 }
"""


@pytest.fixture(scope="module")
def unc_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("sens") / "unc.toml"
    p.write_text(UNC_TOML)
    return p


def test_cli_sensitivity(unc_file, tmp_path, capsys):
    import json

    from simkit.cli import main

    out = tmp_path / "o"
    rc = main(["sensitivity", str(unc_file), "--n", "16", "--paths", "8", "--metric",
               "income_gifts", "--out", str(out), "--quiet", "--seed", "3"])
    assert rc == 0
    text = capsys.readouterr().out
    assert text.startswith("The creator's share explains the largest part")
    table = text.split("\n\n")[1].splitlines()
    assert table[0].split()[0] == "input" and table[2].startswith("creator's share")
    assert main(["sensitivity", str(unc_file), "--n", "16", "--paths", "8", "--metric",
                 "income_gifts", "--out", str(out), "--quiet", "--seed", "3",
                 "--resume", "--details"]) == 0
    det = capsys.readouterr().out
    assert "Sobol' indices of income_gifts (N = 16 base samples, 64 points" in det
    assert det.splitlines()[3].split()[0] == "money.creator_share"
    assert f"to {out}/" in text
    d = json.loads((out / "sensitivity.json").read_text())
    assert d["seed"] == 3 and d["rows"][0]["input"] == "money.creator_share"
    assert (out / "sensitivity.csv").is_file() and (out / "sensitivity.png").is_file()
    rc = main(["sensitivity", str(unc_file), "--n", "16", "--paths", "8", "--metric",
               "income_gifts", "--out", str(out), "--quiet", "--seed", "3", "--resume"])
    assert rc == 0
    assert "1 of 1 chunks resumed" in capsys.readouterr().out


@pytest.mark.parametrize("argv, match", [
    (["--n", "100"], "--n must be a power of 2"),
    (["--metric", "nope"], "unknown metric `nope`"),
    (["--method", "morris", "--levels", "3"], "--levels must be even"),
    (["--method", "morris", "--second-order"], "--second-order needs --method sobol"),
    (["--conf-level", "1"], "--conf-level: expected a number in"),
    (["--paths", "1"], "--paths must be an integer >= 2"),
    (["--scheduler", "tcp://h:1"], "--scheduler needs --backend dask"),
    (["--variant", "nope"], "nope"),
])
def test_cli_errors_write_nothing(unc_file, tmp_path, capsys, argv, match):
    from simkit.cli import main

    out = tmp_path / "o"
    rc = main(["sensitivity", str(unc_file), "--out", str(out), "--quiet", *argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("simkit: error: ") and err.count("\n") == 1
    assert match in err
    assert not out.exists()


def test_cli_refuses_correlations(tmp_path, capsys):
    from simkit.cli import main

    p = tmp_path / "c.toml"
    p.write_text(UNC_TOML.replace("[merch]", "[audience]\njoin_rate = { dist = "
                                  "\"uniform\", min = 0.02, max = 0.04 }\n"
                                  "[correlations]\n\"money.creator_share, "
                                  "audience.join_rate\" = 0.5\n[merch]"))
    rc = main(["sensitivity", str(p), "--out", str(tmp_path / "o"), "--quiet"])
    assert rc == 2
    assert "assume independent inputs" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_plot_spider(tmp_path, capsys):
    from simkit.cli import main

    out = tmp_path / "s.png"
    assert main(["plot", "scenarios/micro_uncertain.toml", "--kind", "spider", "-o",
                 str(out), "--paths", "20", "--quiet"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    rc = main(["plot", MICRO, "--kind", "spider", "-o", str(tmp_path / "t.png"),
               "--paths", "20", "--quiet"])
    assert rc == 2 and "needs uncertain inputs" in capsys.readouterr().err
    assert not (tmp_path / "t.png").exists()


def test_half_difference_estimates_the_noise_of_the_point_means():
    # Point outputs m(x) + the mean of P independent unit-variance path
    # deviations: the error of each point mean has variance 1 / P, and so must
    # the half-difference. 2,000 points: the sample variance has a relative
    # s.e. of sqrt(2 / 1999) ~ 3.2%; the tolerance is 5 s.e. (false alarm
    # ~ 1e-6).
    from simkit.analysis._sobol import _point_stats

    rng = np.random.default_rng(SEED)
    n_points, paths = 2000, 16
    m = rng.uniform(0, 10, n_points)
    x = m[:, None] + rng.standard_normal((n_points, paths))
    stats = _point_stats([{"income_total": row} for row in x], ("income_total",))
    assert np.allclose(stats[:, 0, 0], x.mean(axis=1))
    err = stats[:, 0, 0] - m
    half = stats[:, 0, 1]
    tol = 5 * math.sqrt(2 / (n_points - 1))
    assert abs(np.var(half, ddof=1) * paths - 1.0) < tol
    assert abs(np.var(err, ddof=1) * paths - 1.0) < tol
