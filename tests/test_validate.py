"""Argument checks: the helpers of simkit/_validate.py, every public function
refusing a bad argument by name, and one ``_<name>_iv`` per public function."""

import ast
import importlib
import inspect
import sys
import textwrap

import numpy as np
import pytest

import simkit
from simkit import _validate as V
from simkit.errors import SimkitError


def _refused(fn, *args, name, **kwargs):
    """``fn(*args, **kwargs)`` raises a one-line SimkitError naming `name`."""
    with pytest.raises(SimkitError) as e:
        fn(*args, **kwargs)
    msg = str(e.value)
    assert f"`{name}`" in msg, msg
    assert "\n" not in msg, msg
    return msg


# ----- the helpers ----------------------------------------------------------------
@pytest.mark.parametrize("value", [5, np.int64(5), np.uint8(5), np.int32(5)])
def test_integer_accepts_python_and_numpy_integers(value):
    out = V.integer(value, "paths")
    assert out == 5 and type(out) is int


@pytest.mark.parametrize("value", ["abc", "5", 5.0, 2.5, True, np.True_, None,
                                   float("nan"), float("inf"), [5], 0, -3])
def test_integer_refuses(value):
    msg = _refused(V.integer, value, "paths", name="paths")
    assert msg == f"`paths` must be a positive integer, got {value!r}"


@pytest.mark.parametrize(("kw", "value", "what"), [
    ({"minimum": 0}, -1, "a non-negative integer"),
    ({"minimum": 2}, 1, "an integer >= 2"),
    ({"minimum": 10, "maximum": 100_000}, 100_001, "an integer in [10, 100,000]"),
    ({"minimum": 10, "maximum": 100_000}, 9, "an integer in [10, 100,000]"),
])
def test_integer_bounds(kw, value, what):
    assert _refused(V.integer, value, "n", name="n", **kw) == \
        f"`n` must be {what}, got {value!r}"
    lo, hi = kw["minimum"], kw.get("maximum", kw["minimum"] + 7)
    assert V.integer(lo, "n", **kw) == lo and V.integer(hi, "n", **kw) == hi


def test_seed():
    assert V.seed(0) == 0 and V.seed(np.uint64(2**63)) == 2**63
    for bad in (-1, 1.0, "1", True, None):
        assert _refused(V.seed, bad, name="seed") == \
            f"`seed` must be a non-negative integer, got {bad!r}"
    _refused(V.seed, -1, "root", name="root")


@pytest.mark.parametrize("value", [0, -1.5, float("nan"), float("inf"), -float("inf"),
                                   "0.1", True, None, 10**400])
def test_positive_float_refuses(value):
    _refused(V.positive_float, value, "precision", name="precision")


def test_positive_float_accepts():
    assert V.positive_float(np.float32(0.5), "p") == 0.5
    assert V.positive_float(3, "p") == 3.0 and V.positive_float(1e-300, "p") == 1e-300


def test_number_in():
    assert V.number_in(0, "cpm", 0, 1000) == 0.0
    assert V.number_in(1000, "cpm", 0, 1000) == 1000.0
    for bad in (-0.01, 1000.01, float("nan"), float("inf"), True, "5", 10**400):
        msg = _refused(V.number_in, bad, "cpm", 0, 1000, what="a number of USD",
                       note=" (no sponsor pays more)", name="cpm")
        assert msg.startswith("`cpm` must be a number of USD in [0, 1,000] (no "
                              "sponsor pays more), got ")


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.1, float("nan"), float("inf"),
                                   "0.95", True, None])
def test_confidence_refuses(value):
    assert _refused(V.confidence, value, name="confidence") == \
        f"`confidence` must be a number in (0, 1), got {value!r}"


def test_confidence_bounds():
    assert V.confidence(np.float64(0.95)) == 0.95
    assert V.confidence(0.5, "conf_level", minimum=0.5) == 0.5
    assert _refused(V.confidence, 0.49, "conf_level", minimum=0.5,
                    name="conf_level") == \
        "`conf_level` must be a number in [0.5, 1), got 0.49"
    _refused(V.confidence, 1.0, "conf_level", minimum=0.5, name="conf_level")


@pytest.mark.parametrize("value", [[], [0.5, float("nan")], [0.5, float("inf")],
                                   [1.5], [-0.1], "abc", [[0.5]], [True], None,
                                   {"a": 1}])
def test_levels_refuses(value):
    _refused(V.levels, value, "quantiles", name="quantiles")


def test_levels_accepts():
    np.testing.assert_array_equal(V.levels(0.5), [0.5])
    np.testing.assert_array_equal(V.levels([0, 1]), [0.0, 1.0])
    np.testing.assert_array_equal(V.levels(np.array([5, 95]), percent=True),
                                  [0.05, 0.95])
    np.testing.assert_array_equal(V.levels([0.9, 0.5, 0.9]), [0.9, 0.5, 0.9])
    _refused(V.levels, [0.0, 0.5], closed=False, name="levels")
    _refused(V.levels, [100.5], percent=True, name="levels")
    assert "[0, 100]" in _refused(V.levels, [101], percent=True, name="levels")


@pytest.mark.parametrize(("value", "match"), [
    ([], "confidence levels"), ([0.5, float("nan")], "confidence levels"),
    ("abc", "confidence levels"), ([0, 0.5], "above 0"), ([1], "fractions"),
    ([0.5, 90], "mixes fractions and percentages"), ([50, 100], "percentages"),
])
def test_confidence_levels_refuses(value, match):
    assert match in _refused(V.confidence_levels, value, name="levels")


def test_confidence_levels_accepts():
    assert V.confidence_levels([0.5, 0.95]) == (0.5, 0.95)
    assert V.confidence_levels([50, 95]) == (0.5, 0.95)
    assert V.confidence_levels([1, 99.5], percent=True) == (0.01, 0.995)


def test_choice_and_flag():
    assert V.choice("cpu", "backend", ("cpu", "dask")) == "cpu"
    assert _refused(V.choice, "gpu", "backend", ("cpu", "dask"), name="backend") == \
        "`backend` must be one of cpu, dask, got 'gpu'"
    _refused(V.choice, ["cpu"], "backend", frozenset({"cpu"}), name="backend")
    assert V.flag(np.False_, "second_order") is False
    for bad in (0, 1, "yes", None):
        _refused(V.flag, bad, "second_order", name="second_order")


def test_validate_imports_only_the_lowest_layer():
    tree = ast.parse(inspect.getsource(V))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    assert mods <= {"__future__", "numbers", "operator", "numpy", "errors"}, mods


# ----- every public function refuses a bad argument by name ------------------------
@pytest.fixture(scope="module")
def sc():
    return simkit.load_scenario("micro")


@pytest.fixture(scope="module")
def res(sc):
    return simkit.simulate(sc, paths=8, seed=1, per_stream=True, curves=True)


@pytest.fixture(scope="module")
def hist():
    from simkit.calibrate._history import _example

    return _example()


def _cases():
    from simkit import analysis as A
    from simkit import calibrate as C
    from simkit import plotting as P

    z = np.zeros((5, 3))
    cases = [
        (simkit.simulate, lambda f: ((f.sc,), {"paths": "abc"}), "paths"),
        (simkit.simulate, lambda f: ((f.sc,), {"seed": -1}), "seed"),
        (simkit.simulate, lambda f: (("micro",), {}), "scenario"),
        (simkit.simulate_batch, lambda f: ((f.sc,), {}), "scenarios"),
        (simkit.simulate_batch, lambda f: (([f.sc],), {"threads": 0}), "threads"),
        (simkit.simulate_batch, lambda f: (([f.sc],), {"backend": "gpu"}), "backend"),
        (simkit.load_scenario, lambda f: ((3,), {}), "path"),
        (simkit.scenario_from_dict, lambda f: (([1],), {}), "data"),
        (simkit.compare, lambda f: (("consistent_vs_adhoc",), {"paths": "abc"}),
         "paths"),
        (simkit.compare, lambda f: (("consistent_vs_adhoc",), {"confidence": 1.5}),
         "confidence"),
        (simkit.compare, lambda f: ((3,), {}), "scenario"),
        (simkit.quote, lambda f: ((f.sc,), {"paths": "abc"}), "paths"),
        (simkit.quote, lambda f: ((f.sc,), {"seed": -1}), "seed"),
        (simkit.quote, lambda f: ((f.sc,), {"confidence": 1.5}), "confidence"),
        (simkit.quote, lambda f: ((f.sc,), {"levels": []}), "levels"),
        (simkit.quote, lambda f: ((f.sc,), {"streams": "abc"}), "streams"),
        (simkit.quote, lambda f: ((f.sc,), {"cpm": float("nan")}), "cpm"),
        (simkit.bands, lambda f: ((f.res,), {"levels": []}), "levels"),
        (simkit.bands, lambda f: ((f.res,), {"confidence": 1.5}), "confidence"),
        (simkit.bands, lambda f: ((f.res,), {"by": "year"}), "by"),
        (simkit.tornado, lambda f: ((f.sc,), {"paths": "abc"}), "paths"),
        (simkit.tornado, lambda f: ((f.sc,), {"seed": -1}), "seed"),
        (simkit.tornado, lambda f: ((f.sc,), {"step": "abc"}), "step"),
        (simkit.sensitivity, lambda f: ((f.sc,), {"paths": "abc"}), "paths"),
        (simkit.sensitivity, lambda f: ((f.sc,), {"conf_level": 1.5}), "conf_level"),
        (simkit.sensitivity, lambda f: ((f.sc,), {"second_order": 1}), "second_order"),
        (simkit.run_sweep, lambda f: (("micro_sweep",), {}), "scenario"),
        (simkit.run_sweep, lambda f: ((f.sweep,), {"paths": "abc"}), "paths"),
        (simkit.sweep_design, lambda f: ((f.sweep,), {"seed": -1}), "seed"),
        (simkit.sweep_design, lambda f: ((f.sweep,), {"n": 2.5}), "n"),
        (simkit.read_history, lambda f: ((3,), {}), "path"),
        (simkit.fit, lambda f: ((f.hist,), {"paths": "abc"}), "paths"),
        (simkit.fit, lambda f: ((f.hist,), {"seed": -1}), "seed"),
        (simkit.build_report, lambda f: ((f.sc,), {"paths": "abc", "out_path": "x"}),
         "paths"),
        (simkit.build_report, lambda f: ((f.sc,), {"seed": -1, "out_path": "x"}),
         "seed"),
        (A.deliverable_sample, lambda f: ((f.res.per_stream, "nope"), {}),
         "deliverable"),
        (A.deliverable_sample,
         lambda f: ((f.res.per_stream, "viewer_minutes"), {"streams": 0}), "streams"),
        (A.dominance, lambda f: (("abc", [1.0]), {}), "a"),
        (A.half_width, lambda f: (([1.0, 2.0],), {"confidence": 1.5}), "confidence"),
        (A.input_share, lambda f: (([1.0, 2.0], [1.0]), {}), "inputs"),
        (A.order_statistic_ranks, lambda f: (("abc", 0.5), {}), "n"),
        (A.order_statistic_ranks, lambda f: ((10, 0.5), {"confidence": 1.5}),
         "confidence"),
        (A.order_statistic_ranks, lambda f: ((10, 1.5), {}), "q"),
        (A.paired, lambda f: (([1.0, 2.0], [1.0, 2.0]), {"quantiles": []}),
         "quantiles"),
        (A.paired, lambda f: (([1.0, 2.0], [1.0, 2.0]), {"confidence": 1.5}),
         "confidence"),
        (A.per_day, lambda f: ((np.zeros((2, 2)), np.zeros((2, 2)), "abc"), {}),
         "days"),
        (A.per_day, lambda f: ((np.zeros((2, 2)), np.zeros((2, 2)), 3),
                               {"how": "mean"}), "how"),
        (A.quantile_ci, lambda f: (([1.0, 2.0], [0.5]), {"confidence": 1.5}),
         "confidence"),
        (A.quantile_ci, lambda f: (([1.0, 2.0], []), {}), "q"),
        (A.quantile_ci, lambda f: (([1.0, 2.0], [0.5]), {"axis": "abc"}), "axis"),
        (A.quote_table, lambda f: (([1.0, 2.0],), {"levels": []}), "levels"),
        (A.quote_table, lambda f: (([1.0, 2.0],), {"flat_rate": -1}), "flat_rate"),
        (A.simulate_until, lambda f: ((f.sc,), {"precision": 0.1, "seed": -1}),
         "seed"),
        (A.simulate_until, lambda f: ((f.sc,), {"precision": float("nan")}),
         "precision"),
        (A.simulate_until, lambda f: ((f.sc,), {"precision": 0.1, "batch": "abc"}),
         "batch"),
        (A.spider, lambda f: ((f.sc,), {"paths": "abc"}), "paths"),
        (A.spider, lambda f: (("micro_uncertain",), {}), "scenario"),
        (C.parse_columns, lambda f: ((3,), {}), "text"),
        (C.backtest, lambda f: ((f.hist,), {"holdout": "abc"}), "holdout"),
        (C.backtest, lambda f: ((f.hist,), {"holdout": 3, "seed": -1}), "seed"),
        (C.backtest, lambda f: ((f.hist,), {"holdout": 3, "levels": []}), "levels"),
        (C.evaluate, lambda f: (({"x": z}, {"x": [1, 2, 3]}), {"levels": [1.5]}),
         "levels"),
        (C.predict, lambda f: ((f.sc, f.hist, [0]), {"paths": "abc"}), "paths"),
        (C.predict, lambda f: ((f.sc, f.hist, [0]), {"seed": -1}), "seed"),
        (C.predict, lambda f: ((f.sc, f.hist, [3, 1]), {}), "index"),
        (C.predict, lambda f: ((f.sc, [1], [0]), {}), "history"),
        (C.history_from_result, lambda f: ((f.res,), {"path": -1}), "path"),
        (C.write_history_csv, lambda f: ((f.hist, 3), {}), "path"),
        (P.income_distribution, lambda f: ((f.res,), {"kind": "violin"}), "kind"),
        (P.income_distribution, lambda f: ((f.res,), {"bins": 0}), "bins"),
        (P.compare_distributions, lambda f: (([f.res, f.res],), {"baseline": 5}),
         "baseline"),
        (P.compare_distributions, lambda f: (([f.res, f.res],), {"max_points": "abc"}),
         "max_points"),
        (P.fan_chart, lambda f: ((f.res,), {"levels": []}), "levels"),
        (P.fan_chart, lambda f: ((f.res,), {"by": "year"}), "by"),
        (P.income_sources, lambda f: (([f.res],), {"kind": "pie"}), "kind"),
        (P.concurrency_curve, lambda f: ((f.res,), {"stream": "abc"}), "stream"),
        (P.concurrency_curve, lambda f: ((f.res,), {"levels": [1.5]}), "levels"),
        (P.tornado, lambda f: ((object(),), {}), "result"),
        (P.spider, lambda f: ((object(),), {}), "result"),
        (P.sensitivity_indices, lambda f: ((object(),), {}), "result"),
        (P.fit_quantiles, lambda f: ((f.hist, f.sim), {"level": 1.5}), "level"),
        (P.fit_over_time, lambda f: ((f.hist, f.sim), {"levels": []}), "levels"),
        (P.fit_diagnostics, lambda f: ((f.hist, f.sim), {"level": 1.5}), "level"),
        (P.fit_diagnostics, lambda f: ((f.hist, f.sim), {"levels": "abc"}), "levels"),
        (P.backtest_calibration, lambda f: ((object(),), {}), "result"),
    ]
    return [pytest.param(fn, make, name, id=f"{fn.__module__}.{fn.__name__}-{name}")
            for fn, make, name in cases]


class _Fixtures:
    def __init__(self, sc, res, hist):
        self.sc, self.res, self.hist = sc, res, hist
        self.sweep = simkit.load_scenario("micro_sweep")
        n = len(hist)
        self.sim = {"viewers": np.random.default_rng(1).poisson(900, (50, n))}


@pytest.mark.parametrize(("fn", "make", "name"), _cases())
def test_public_function_refuses_a_bad_argument_by_name(fn, make, name, sc, res, hist,
                                                        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)       # nothing a refused call might write lands here
    args, kwargs = make(_Fixtures(sc, res, hist))
    _refused(fn, *args, name=name, **kwargs)
    assert not any(tmp_path.iterdir())


def test_tornado_paths_abc_is_a_simkit_error(sc):
    """Once a bare ValueError from int('abc') escaped here."""
    assert _refused(simkit.tornado, sc, paths="abc", name="paths") == \
        "`paths` must be an integer >= 2, got 'abc'"


def test_every_public_function_is_covered_by_the_bad_argument_test():
    covered = {(p.values[0].__module__, p.values[0].__name__) for p in _cases()}
    missing = sorted(f"{m}.{n}" for m, n in
                     {(f.__module__, f.__name__) for f in _public_functions()} - covered)
    assert not missing, f"no bad-argument case for {missing}"


# ----- one _<name>_iv per public function ---------------------------------------
_PACKAGES = ("simkit", "simkit.analysis", "simkit.calibrate", "simkit.plotting")


def _public_functions():
    out = {}
    for pkg in _PACKAGES:
        mod = importlib.import_module(pkg)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                obj = inspect.unwrap(obj)
                out[(obj.__module__, obj.__name__)] = obj
    return list(out.values())


def _calls(fn):
    """Names of the functions ``fn``'s body calls directly."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    return {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
            for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name | ast.Attribute)}


def test_public_functions_are_found():
    names = {f.__name__ for f in _public_functions()}
    assert {"simulate", "quote", "tornado", "fit", "fan_chart", "parse_columns",
            "quantile_ci", "build_report"} <= names
    assert len(_public_functions()) >= 43   # 14 + 11 + 6 + 12 when this was written


@pytest.mark.parametrize("fn", _public_functions(),
                         ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_public_function_validates_through_its_iv(fn):
    iv = f"_{fn.__name__}_iv"
    module = sys.modules[fn.__module__]
    assert inspect.isfunction(getattr(module, iv, None)), \
        f"{fn.__module__} has no {iv} beside {fn.__name__}"
    assert iv in _calls(fn), f"{fn.__module__}.{fn.__name__} does not call {iv}"
    assert getattr(module, iv).__doc__, f"{fn.__module__}.{iv} has no docstring"


def test_keep_and_bands_metadata_are_checked():
    sc = simkit.load_scenario("consistent_vs_adhoc")
    with pytest.raises(SimkitError, match="`keep` must be True or False"):
        simkit.compare(sc, paths=10, seed=1, progress=False, keep="yes")
    res = simkit.simulate(sc, paths=10, seed=1, per_stream=True)
    b = simkit.bands(res, "income_total")
    with pytest.raises(SimkitError, match="`metadata` must be a dict, got list"):
        b.to_json(metadata=[1, 2])
