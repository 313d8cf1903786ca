"""Uncertain inputs: distribution families, keyed draws, correlations, hostile specs.

Statistical checks use fixed seeds; each tolerance is derived from a standard
error and states its false-alarm rate (two-sided, under the null that the code
is right).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from simkit import config
from simkit.cli import main
from simkit.errors import CorrelationWarning, ScenarioError
from simkit.scenario import draw_inputs, load_scenario, scenario_from_dict
from simkit.scenario._uncertain import key_hash, key_uniforms, parse_distribution

U = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])

#: spec -> the scipy.stats frozen distribution it must equal.
FAMILIES = [
    ({"dist": "normal", "mean": 2.0, "sd": 0.5}, stats.norm(2.0, 0.5)),
    ({"dist": "normal", "mean": 0.3, "sd": 0.2, "lo": 0.0, "hi": 1.0},
     stats.truncnorm(-1.5, 3.5, loc=0.3, scale=0.2)),
    ({"dist": "lognormal", "median": 0.01, "sigma": 0.3},
     stats.lognorm(0.3, scale=0.01)),
    ({"dist": "gamma", "mean": 4.0, "sd": 2.0}, stats.gamma(4.0, scale=1.0)),
    ({"dist": "beta", "alpha": 2.0, "beta": 5.0}, stats.beta(2.0, 5.0)),
    ({"dist": "beta", "alpha": 2.0, "beta": 5.0, "min": 1.0, "max": 3.0},
     stats.beta(2.0, 5.0, loc=1.0, scale=2.0)),
    ({"dist": "uniform", "min": 0.1, "max": 0.4}, stats.uniform(0.1, 0.3)),
    ({"dist": "triangular", "min": 0.0, "mode": 0.3, "max": 1.0},
     stats.triang(0.3, loc=0.0, scale=1.0)),
    # PERT(min=0, mode=0.3, max=1.0): beta(1 + 4 * 0.3, 1 + 4 * 0.7) on [0, 1].
    ({"dist": "pert", "min": 0.0, "mode": 0.3, "max": 1.0}, stats.beta(2.2, 3.8)),
]


@pytest.mark.parametrize("spec,ref", FAMILIES, ids=lambda x: str(x)[:40])
def test_family_quantiles_equal_scipy(spec, ref):
    d = parse_distribution(spec, "k")
    np.testing.assert_allclose(d.ppf(U), ref.ppf(U), rtol=1e-12)
    assert d.median == pytest.approx(float(ref.median()), rel=1e-12)


def test_truncated_lognormal_truncates_the_normal_of_the_log():
    d = parse_distribution({"dist": "lognormal", "median": 0.02, "sigma": 1.0,
                            "lo": 0.01, "hi": 0.1}, "k")
    a, b = math.log(0.5), math.log(5.0)  # (log lo - log median) / sigma, ...
    ref = stats.truncnorm(a, b, loc=math.log(0.02), scale=1.0)
    np.testing.assert_allclose(d.ppf(U), np.exp(ref.ppf(U)), rtol=1e-12)
    assert d.support == (0.01, 0.1)
    assert 0.01 <= d.ppf(1e-12) and d.ppf(1 - 1e-12) <= 0.1


def test_empirical_resamples_its_samples(tmp_path):
    d = parse_distribution({"dist": "empirical", "samples": [3, 1, 2, 10]}, "k")
    # inverse of the empirical CDF: each sample with probability 1/4.
    assert d.ppf([0.1, 0.3, 0.6, 0.9]).tolist() == [1.0, 2.0, 3.0, 10.0]
    f = tmp_path / "gains.csv"
    f.write_text("# measured\ngain\n0.1\n0.4\n0.2\n")
    d = parse_distribution({"dist": "empirical", "file": "gains.csv"}, "k",
                           base_dir=tmp_path)
    assert d.params["samples"] == (0.1, 0.4, 0.2) and d.median == 0.2


def test_key_uniforms_match_the_kernel_generator():
    import numba

    from simkit._kernels.rng import stream_seed, u01
    from simkit.scenario._uncertain import P_INPUTS

    @numba.njit
    def ref(root, path, h, purpose):  # the seed stays uint64 inside numba
        return u01(stream_seed(root, path, h, purpose), 0)

    for root in (0xDEADBEEFCAFEF00D, 12345):
        u = key_uniforms(root, "audience.join_rate", 5, 4)
        h = np.uint64(key_hash("audience.join_rate"))
        assert u.tolist() == [ref(np.uint64(root), np.uint64(i), h, P_INPUTS)
                              for i in range(5, 9)]


UNC = {"audience": {"join_rate": {"dist": "lognormal", "median": 0.02, "sigma": 0.4,
                                  "hi": 1.0}},
       "habit": {"max_gain": {"dist": "pert", "min": 0.0, "mode": 0.3, "max": 0.8}},
       "creator": {"followers": {"dist": "uniform", "min": 5000, "max": 20000}}}


def test_draws_do_not_depend_on_chunking():
    sc = scenario_from_dict(UNC)
    whole = draw_inputs(sc, 99, 0, 1000)
    parts = [draw_inputs(sc, 99, a, b - a) for a, b in ((0, 1), (1, 333), (333, 1000))]
    for k, x in whole.items():
        assert np.array_equal(x, np.concatenate([p[k] for p in parts]))
    assert not np.array_equal(whole["audience.join_rate"],
                              draw_inputs(sc, 100, 0, 1000)["audience.join_rate"])
    assert np.all(whole["creator.followers"] == np.rint(whole["creator.followers"]))


def test_adding_a_key_leaves_the_other_draws_unchanged():
    one = draw_inputs(scenario_from_dict({"audience": UNC["audience"]}), 7, 0, 500)
    three = draw_inputs(scenario_from_dict(UNC), 7, 0, 500)
    assert np.array_equal(one["audience.join_rate"], three["audience.join_rate"])
    assert scenario_from_dict({}).uncertain == {}
    assert draw_inputs(scenario_from_dict({}), 7, 0, 5) == {}


@pytest.mark.parametrize("rho", [0.7, -0.4])
def test_spearman_of_correlated_draws_is_the_target(rho):
    sc = scenario_from_dict({**UNC, "correlations": {
        "audience.join_rate, habit.max_gain": rho}})
    n = 20_000
    d = draw_inputs(sc, 12345, 0, n)
    got = stats.spearmanr(d["audience.join_rate"], d["habit.max_gain"])[0]
    # s.e. of Spearman's rho ~ (1 - rho^2) / sqrt(n) (normal data; a slight
    # overestimate of the exact value); 4 s.e.: false-alarm rate ~6e-5.
    assert abs(got - rho) < 4 * (1 - rho ** 2) / math.sqrt(n)
    # the uncorrelated key stays independent (s.e. 1/sqrt(n)).
    r0 = stats.spearmanr(d["audience.join_rate"], d["creator.followers"])[0]
    assert abs(r0) < 4 / math.sqrt(n)
    # each margin is still its own distribution (KS test, alpha = 1e-4).
    ref = sc.uncertain["habit.max_gain"]
    assert stats.kstest(d["habit.max_gain"], lambda x: stats.beta(
        2.5, 3.5, scale=0.8).cdf(x)).pvalue > 1e-4
    assert ref.median == pytest.approx(stats.beta(2.5, 3.5, scale=0.8).median())


def test_three_key_correlations_and_chunking():
    sc = scenario_from_dict({**UNC, "correlations": {
        "audience.join_rate, habit.max_gain": 0.5,
        "creator.followers, audience.join_rate": -0.3}})
    keys, m = sc.correlations
    assert keys == ("audience.join_rate", "habit.max_gain", "creator.followers")
    assert m[0, 2] == m[2, 0] == -0.3 and m[1, 2] == 0.0
    a = draw_inputs(sc, 3, 0, 100)
    b = draw_inputs(sc, 3, 60, 40)
    for k in keys:
        assert np.array_equal(a[k][60:], b[k])


def test_round_trip_to_dict(tmp_path):
    f = tmp_path / "g.txt"
    f.write_text("0.1\n0.3\n0.2\n")
    p = tmp_path / "s.toml"
    p.write_text('[audience]\njoin_rate = { dist = "lognormal", median = 0.02, '
                 'sigma = 0.4, hi = 1 }\n'
                 '[habit]\nmax_gain = { dist = "empirical", file = "g.txt" }\n'
                 '[correlations]\n"audience.join_rate, habit.max_gain" = 0.3\n')
    sc = load_scenario(p)
    back = scenario_from_dict(sc.to_dict())
    assert back.uncertain == sc.uncertain
    assert back.correlations[0] == sc.correlations[0]
    assert np.array_equal(back.correlations[1], sc.correlations[1])
    a, b = draw_inputs(sc, 5, 0, 300), draw_inputs(back, 5, 0, 300)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert sc["audience.join_rate"] == pytest.approx(0.02)


def test_overrides_and_variants_replace_a_distribution():
    sc = scenario_from_dict({**UNC, "correlations": {
        "audience.join_rate, habit.max_gain": 0.5},
        "variants": {"known": {"audience": {"join_rate": 0.03}},
                     "wider": {"habit": {"max_gain": {"dist": "uniform", "min": 0,
                                                      "max": 1}}}}})
    fixed = sc.with_overrides({"audience.join_rate": 0.05})
    assert "audience.join_rate" not in fixed.uncertain
    assert fixed["audience.join_rate"] == 0.05 and fixed.correlations is None
    known = sc.variant("known")
    assert "audience.join_rate" not in known.uncertain and known.correlations is None
    wider = sc.variant("wider")  # a distribution replaces a distribution whole
    assert wider.uncertain["habit.max_gain"].family == "uniform"
    assert wider.correlations is not None
    tweak = sc.with_overrides({"habit.max_gain": {"dist": "pert", "min": 0.1,
                                                  "mode": 0.3, "max": 0.8}})
    assert tweak.uncertain["habit.max_gain"].params["min"] == 0.1


def test_slightly_invalid_matrix_is_repaired_with_a_warning(monkeypatch):
    spec = {**UNC, "correlations": {"audience.join_rate, habit.max_gain": 0.9,
                                    "audience.join_rate, creator.followers": 0.9,
                                    "habit.max_gain, creator.followers": 0.6}}
    with pytest.warns(CorrelationWarning, match="nearest valid one"):
        sc = scenario_from_dict(spec)
    keys, m = sc.correlations
    assert np.linalg.eigvalsh(m).min() > 0
    monkeypatch.setattr(config, "CORRELATION_REPAIR_TOL", 0.001)
    with pytest.raises(ScenarioError, match="valid correlation matrix"):
        scenario_from_dict(spec)


HOSTILE = [
    ('[audience]\njoin_rate = { dist = "lognormall", median = 0.02, sigma = 0.3 }\n',
     "audience.join_rate.dist", "did you mean `lognormal`"),
    ('[audience]\njoin_rate = { dist = "lognormal", median = 0.02, sigma = -0.3, '
     'hi = 1 }\n', "audience.join_rate.sigma", "> 0"),
    ('[audience]\njoin_rate = { dist = "normal", mean = 0.02, sd = 0.01 }\n',
     "audience.join_rate", "truncate it with `lo` >= 0 and `hi` <= 1"),
    ('[audience]\njoin_rate = { dist = "uniform", min = 0.5, max = 1.5 }\n',
     "audience.join_rate", "choose min and max inside [0, 1]"),
    ('[habit]\nmax_gain = { dist = "pert", min = 0, mode = 0.9, max = 0.5 }\n',
     "habit.max_gain.mode", "in [min, max]"),
    ('[habit]\nmax_gain = { dist = "pert", min = 0, mode = 0.2, max = 0.5, '
     'sigma = 1 }\n', "habit.max_gain.sigma", "a parameter of pert"),
    ('[habit]\nmax_gain = { dist = "empirical", samples = [] }\n',
     "habit.max_gain.samples", "at least one sample"),
    ('[habit]\nmax_gain = { dist = "empirical", file = "nope.csv" }\n',
     "habit.max_gain.file", "an existing file"),
    ('[habit]\nmax_gain = { median = 0.3 }\n', "habit.max_gain.dist", "present"),
    ('[horizon]\nweeks = { dist = "uniform", min = 4, max = 8 }\n', "horizon.weeks",
     "cannot be a distribution"),
    ('[dwell]\ndistribution = { dist = "uniform", min = 1, max = 2 }\n',
     "dwell.distribution", "only numeric keys"),
    ('[audience]\njoin_rate = { dist = "uniform", min = 0.01, max = 0.05 }\n'
     '[habit]\nmax_gain = { dist = "uniform", min = 0.1, max = 0.5 }\n'
     '[correlations]\n"audience.join_rate, habit.max_gain" = 1.5\n',
     'correlations."audience.join_rate, habit.max_gain"', "in (-1, 1)"),
    ('[audience]\njoin_rate = { dist = "uniform", min = 0.01, max = 0.05 }\n'
     '[correlations]\n"audience.join_rate, habit.max_gain" = 0.5\n',
     'correlations."audience.join_rate, habit.max_gain"',
     "`habit.max_gain` is not given as a distribution"),
    ('[audience]\njoin_rate = { dist = "uniform", min = 0.01, max = 0.05 }\n'
     'engagement = { dist = "uniform", min = 0.2, max = 0.8 }\n'
     '[habit]\nmax_gain = { dist = "uniform", min = 0.1, max = 0.5 }\n'
     '[correlations]\n"audience.join_rate, habit.max_gain" = 0.9\n'
     '"audience.join_rate, audience.engagement" = 0.9\n'
     '"habit.max_gain, audience.engagement" = -0.9\n',
     "correlations", "a valid correlation matrix"),
]


@pytest.mark.parametrize("text,key,what", HOSTILE, ids=[h[1] for h in HOSTILE])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_hostile_specs_fail_in_one_line(tmp_path, capsys, text, key, what, command):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    argv = [command, str(p)] + (["--paths", "2"] if command == "run" else [])
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("simkit: error: ")
    assert f"`{key}`" in err and what in err, err
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.toml"]


def test_warning_free_valid_spec_validates(tmp_path, capsys):
    p = tmp_path / "ok.toml"
    p.write_text('[audience]\njoin_rate = { dist = "lognormal", median = 0.02, '
                 'sigma = 0.3, hi = 1 }\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["validate", str(p)]) == 0


def test_result_keeps_the_drawn_inputs(tmp_path):
    import json

    from simkit._result import SimulationResult

    x = np.array([0.01, 0.02, 0.04])
    res = SimulationResult("demo", {"income_total": np.array([1.0, 2.0, 4.0])},
                           inputs={"audience.join_rate": x})
    res.to_csv(tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert lines[0] == "path,income_total,input:audience.join_rate"
    assert lines[3] == "2,4.0,0.04"
    res.to_json(tmp_path / "r.json")
    d = json.loads((tmp_path / "r.json").read_text())["inputs"]["audience.join_rate"]
    assert d["p50"] == 0.02 and d["mean"] == pytest.approx(x.mean())
    res.save(tmp_path / "r.npz")
    back = SimulationResult.load(tmp_path / "r.npz")
    assert np.array_equal(back.inputs["audience.join_rate"], x)
    assert "each run draws its own join rate (inputs nobody knows exactly)" in str(
        res.summary(["income_total"]))
    assert SimulationResult("d", {"g": x}).inputs == {}
    assert "uncertain" not in str(SimulationResult("d", {"g": x}).summary(["g"]))


def test_input_share_recovers_a_known_share():
    from simkit.analysis._compare import input_share, paired

    rng = np.random.default_rng(2024)
    n = 20_000
    g = rng.lognormal(size=n)          # a nonlinear, skewed input
    r = rng.uniform(size=n)            # an input that does not matter
    signal = np.sqrt(g)                # smooth in g: the quadratic fit captures it
    noise = rng.normal(scale=signal.std(), size=n)  # true share 50%
    share, keys = input_share(signal + noise, {"habit.max_gain": g,
                                               "audience.join_rate": r})
    # a lower bound: at most the true 0.5 plus sampling error (s.e. of R^2 ~
    # 2 R (1 - R^2) / sqrt(n) ~ 0.005; 4 s.e.); the fit of sqrt(g) by g and g^2
    # loses a few percent.
    assert 0.40 < share < 0.5 + 0.02 and keys == ("habit.max_gain",)
    p = paired(2 * signal + noise, signal, "a", "b",
               inputs={"habit.max_gain": g, "audience.join_rate": r})
    assert "inputs nobody knows exactly (habit gain)" in p.input_line()
    assert paired(g, r).input_line() == "" and paired(g, r).input_share is None
    assert paired(g, r) == paired(g, r)  # comparable (no NaN field)


def test_tornado_moves_an_uncertain_key_to_its_p10_and_p90():
    from simkit.analysis._sensitivity import _tornado_iv

    sc = scenario_from_dict(UNC)
    ranges, _, _ = _tornado_iv(sc, None, "income_total", 10, 0, 0.25)
    d = sc.uncertain["habit.max_gain"]
    assert ranges["habit.max_gain"] == tuple(float(v) for v in d.ppf([0.1, 0.9]))
    lo, hi = ranges["creator.followers"]  # an int key: rounded percentiles
    assert (lo, hi) == (6500, 18500)
    assert ranges["audience.engagement"] == (0.375, 0.625)  # fixed keys: +-25%


def test_simulate_keeps_the_keyed_draws_as_inputs():
    import simkit
    from simkit._simulate import root_key

    sc = load_scenario("scenarios/micro.toml").with_overrides(
        {"habit.max_gain": UNC["habit"]["max_gain"]})
    res = simkit.simulate(sc, paths=30, seed=3, path_offset=10, progress=False)
    ref = draw_inputs(sc, root_key(3), 10, 30)
    assert list(res.inputs) == ["habit.max_gain"]
    assert np.array_equal(res.inputs["habit.max_gain"], ref["habit.max_gain"])


def test_compare_and_sweep_with_uncertain_inputs():
    import simkit

    sc = load_scenario("scenarios/consistent_vs_adhoc.toml")
    assert {"audience.join_rate", "habit.max_gain"} <= set(sc.uncertain)
    res = simkit.compare(sc, paths=300, seed=12345, progress=False)
    p = res.pair("consistent", "ad_hoc")
    assert 0.0 < p.input_share <= 1.0 and p.input_keys
    assert " ".join(p.input_line().split()) in " ".join(str(res).split())  # wrapped
    assert res.to_dict()["pairs"][0]["input_share"] == p.input_share
    # a sweep over an uncertain key replaces its distribution by each number
    d = sc.to_dict()
    d["sweep"] = {"design": "grid", "n": 2, "paths": 40,
                  "params": {"audience.join_rate": [0.01, 0.04]}}
    sw = simkit.run_sweep(scenario_from_dict(d), seed=1, progress=False)
    assert sw["audience.join_rate"].tolist() == [0.01, 0.04]
    lo, hi = sw["income_total_mean"]
    assert hi > lo  # the other inputs stay uncertain; join rate is now known


def test_run_out_writes_the_drawn_inputs(tmp_path, capsys):
    import json

    p = tmp_path / "u.toml"
    p.write_text('[horizon]\nweeks = 1\n[creator]\nfollowers = 3000\n'
                 '[habit]\nmax_gain = { dist = "pert", min = 0, mode = 0.3, '
                 'max = 0.6 }\n')
    out = tmp_path / "out"
    assert main(["run", str(p), "--paths", "20", "--seed", "4", "--quiet",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "each run draws its own habit gain (inputs nobody knows exactly)" in printed
    head = (out / "u.csv").read_text().splitlines()[0]
    assert head.endswith(",input:habit.max_gain")
    d = json.loads((out / "u.json").read_text())
    assert set(d["inputs"]) == {"habit.max_gain"}
    assert d["metadata"]["params"]["habit"]["max_gain"]["dist"] == "pert"


def test_report_lists_the_uncertain_inputs():
    from simkit._report import _uncertain_table

    sc = scenario_from_dict({**UNC, "correlations": {
        "audience.join_rate, habit.max_gain": 0.5}})
    html = _uncertain_table(sc)
    assert "pert(min=0, mode=0.3, max=0.8)" in html
    assert "audience.join_rate ~ habit.max_gain: +0.50" in html


@pytest.mark.filterwarnings("always::simkit.errors.CorrelationWarning")
def test_cli_prints_a_repaired_matrix_as_one_warning_line(tmp_path, capsys):
    p = tmp_path / "w.toml"
    p.write_text('[audience]\n'
                 'join_rate = { dist = "uniform", min = 0.01, max = 0.05 }\n'
                 'engagement = { dist = "uniform", min = 0.2, max = 0.8 }\n'
                 '[habit]\nmax_gain = { dist = "uniform", min = 0.1, max = 0.5 }\n'
                 '[correlations]\n"audience.join_rate, habit.max_gain" = 0.9\n'
                 '"audience.join_rate, audience.engagement" = 0.9\n'
                 '"habit.max_gain, audience.engagement" = 0.6\n')
    assert main(["validate", str(p)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("simkit: warning: ") and err.count("\n") == 1
    assert "nearest valid one" in err


def test_draw_inputs_refuses_bad_arguments():
    from simkit.errors import SimkitError

    sc = scenario_from_dict(UNC)
    for args, name in (((-1, 0, 5), "root_key"), ((1, -1, 5), "path_offset"),
                       ((1, 0, 2.5), "n_paths"), ((2 ** 64, 0, 1), "root_key")):
        with pytest.raises(SimkitError, match=f"`{name}` must be a.* integer"):
            draw_inputs(sc, *args)
    assert draw_inputs(sc, 1, 0, 0)["habit.max_gain"].shape == (0,)


def test_tornado_runs_with_uncertain_inputs():
    from simkit.analysis._sensitivity import tornado

    sc = load_scenario("scenarios/micro.toml").with_overrides(
        {"habit.max_gain": UNC["habit"]["max_gain"]})
    res = tornado(sc, paths=40, seed=12345, progress=False)
    e = res["habit.max_gain"]
    d = sc.uncertain["habit.max_gain"]
    assert e.base_value == pytest.approx(d.median)
    assert (e.low_value, e.high_value) == tuple(float(v) for v in d.ppf([0.1, 0.9]))
    assert e.high_mean >= e.low_mean  # more habit, more notified joins (CRN)
