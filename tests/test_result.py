"""SimulationResult: summaries against numpy, save/load, CSV and JSON export."""

from __future__ import annotations

import csv
import json

import numpy as np
import numpy.testing as npt
import pytest

import simkit
from simkit.errors import SimkitError
from simkit.metrics import PER_STREAM, TOTALS
from simkit._result import SUMMARY_QUANTILES, MetricSummary, SimulationResult


@pytest.fixture
def synthetic():
    rng = np.random.default_rng(12345)
    p, s, m = 200, 3, 10
    totals = {k: rng.lognormal(2.0, 1.0, p) for k in TOTALS}
    per_stream = {k: rng.poisson(5.0, (p, s)).astype(float) for k in PER_STREAM}
    curves = rng.poisson(3.0, (p, s, m)).astype(float)
    return SimulationResult("synthetic", totals, per_stream, curves,
                            {"seed": 12345, "paths": p, "note": "x"})


def test_summary_matches_numpy(synthetic):
    x = synthetic["income_total"]
    s = synthetic.summary(["income_total", "gifts"], target=10.0)
    r = s["income_total"]
    assert r.n == x.size
    npt.assert_allclose(r.mean, x.mean(), rtol=1e-15)
    npt.assert_allclose(r.stderr, x.std(ddof=1) / np.sqrt(x.size), rtol=1e-15)
    npt.assert_allclose([r.quantiles[q] for q in SUMMARY_QUANTILES],
                        np.quantile(x, SUMMARY_QUANTILES), rtol=1e-15)
    p = np.mean(x > 10.0)
    assert r.p_exceed == p
    npt.assert_allclose(r.p_exceed_stderr, np.sqrt(p * (1 - p) / x.size))
    assert s["gifts"].target is None and s["gifts"].p_exceed is None
    text = str(s)
    assert "total income" in text and "gifts sent" in text
    assert "chance of total income above" in text
    assert "P(total income > $10.00) = " in s.render(details=True)
    d = s.to_dict()
    assert d["income_total"]["p50"] == r.quantiles[0.5]
    assert d["income_total"]["p_exceed"] == p
    with pytest.raises(KeyError):
        s["coins"]


def test_summary_edge_cases():
    one = MetricSummary.of("gifts", [3.0])
    assert one.mean == 3.0 and np.isnan(one.stderr)
    with pytest.raises(SimkitError, match="no paths"):
        MetricSummary.of("gifts", [])


def test_getitem_and_paths(synthetic):
    assert synthetic.paths == 200
    assert synthetic["gifts"] is synthetic.totals["gifts"]
    with pytest.raises(SimkitError, match="unknown metric `gift`"):
        synthetic["gift"]
    with pytest.raises(SimkitError):
        synthetic.summary(["nope"])


def test_save_load_round_trip(synthetic, tmp_path):
    path = tmp_path / "r.npz"
    synthetic.save(path)
    back = SimulationResult.load(path)
    assert back.name == synthetic.name and back.metadata == synthetic.metadata
    for k in TOTALS:
        npt.assert_array_equal(back[k], synthetic[k])
    for k in PER_STREAM:
        npt.assert_array_equal(back.per_stream[k], synthetic.per_stream[k])
    npt.assert_array_equal(back.curves, synthetic.curves)
    assert [p.name for p in tmp_path.iterdir()] == ["r.npz"]


def test_save_load_without_optional_parts(tmp_path):
    res = SimulationResult("t", {"gifts": np.arange(4.0)})
    res.save(tmp_path / "t.npz")
    back = SimulationResult.load(tmp_path / "t.npz")
    assert back.per_stream is None and back.curves is None
    npt.assert_array_equal(back["gifts"], np.arange(4.0))


def test_load_errors(tmp_path):
    with pytest.raises(SimkitError, match="no such result file"):
        SimulationResult.load(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(SimkitError, match="not a simkit result"):
        SimulationResult.load(junk)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.arange(3))
    with pytest.raises(SimkitError, match="not a simkit result"):
        SimulationResult.load(other)


def test_csv_export(synthetic, tmp_path):
    path = tmp_path / "r.csv"
    synthetic.to_csv(path)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == synthetic.paths
    assert list(rows[0]) == ["path", *TOTALS]
    assert [int(r["path"]) for r in rows] == list(range(synthetic.paths))
    for k in ("income_total", "coins"):
        # repr() of a float round-trips exactly.
        npt.assert_array_equal([float(r[k]) for r in rows], synthetic[k])


def test_json_export(synthetic, tmp_path):
    path = tmp_path / "r.json"
    synthetic.to_json(path, target=10.0)
    js = json.loads(path.read_text())
    assert js["name"] == "synthetic" and js["metadata"]["seed"] == 12345
    assert set(js["summary"]) == set(TOTALS)
    x = synthetic["viewer_minutes"]
    assert js["summary"]["viewer_minutes"]["mean"] == pytest.approx(x.mean(), rel=1e-15)
    assert js["summary"]["income_total"]["p_exceed"] == np.mean(
        synthetic["income_total"] > 10.0)


def test_to_frame(synthetic):
    pd = pytest.importorskip("pandas")
    df = synthetic.to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) == synthetic.paths
    long = synthetic.to_frame(per_stream=True)
    assert len(long) == synthetic.paths * 3
    npt.assert_array_equal(long["gifts"].to_numpy(), synthetic.per_stream["gifts"].ravel())
    with pytest.raises(SimkitError, match="per_stream"):
        SimulationResult("t", {"gifts": np.ones(2)}).to_frame(per_stream=True)


def test_simulated_result_shapes_and_metadata():
    sc = simkit.load_scenario("scenarios/micro.toml")
    res = simkit.simulate(sc, paths=7, seed=3, per_stream=True, curves=True)
    n = res.metadata["streams"]
    assert n == 12 and set(res.totals) == set(TOTALS)
    assert all(v.shape == (7,) for v in res.totals.values())
    assert all(v.shape == (7, n) for v in res.per_stream.values())
    assert res.curves.shape == (7, n, 90)
    assert res.metadata["seed"] == 3 and res.metadata["paths"] == 7
    assert res.metadata["params"] == sc.to_dict()
    # Re-running from the stored parameters reproduces the result.
    again = simkit.simulate(simkit.scenario_from_dict(res.metadata["params"]),
                            paths=7, seed=res.metadata["seed"])
    for k in TOTALS:
        npt.assert_array_equal(again[k], res[k])


# ----- quantile intervals in the summary ---------------------------------------------
def test_summary_quantile_intervals_match_quantile_ci(synthetic):
    from simkit._quantiles import quantile_ci

    x = synthetic["income_total"]
    r = synthetic.summary(["income_total"])["income_total"]
    est = quantile_ci(x, SUMMARY_QUANTILES, confidence=0.95)
    npt.assert_array_equal([r.quantiles[q] for q in SUMMARY_QUANTILES], est.value)
    npt.assert_array_equal([r.quantiles_lo[q] for q in SUMMARY_QUANTILES], est.lo)
    npt.assert_array_equal([r.quantiles_hi[q] for q in SUMMARY_QUANTILES], est.hi)
    npt.assert_array_equal([r.half_width(q) for q in SUMMARY_QUANTILES],
                           est.half_width)
    d = r.to_dict()
    assert (d["p25_lo"], d["p25"], d["p25_hi"]) == (est.lo[1], est.value[1], est.hi[1])


def test_summary_intervals_cover_true_quantiles():
    """The intervals are 95% intervals: over R independent samples of an
    exponential, the true P5, P50, P95 fall inside at least ~95% of the time
    (order-statistic coverage is >= 0.95 by construction). Tolerance: 4
    binomial standard errors (one-sided false alarm ~3e-5)."""
    rng = np.random.default_rng(12345)
    reps, n = 400, 300
    true = {q: -np.log(1.0 - q) for q in (0.05, 0.5, 0.95)}
    hits = {q: 0 for q in true}
    for _ in range(reps):
        r = MetricSummary.of("gifts", rng.exponential(size=n))
        for q, t in true.items():
            hits[q] += r.quantiles_lo[q] <= t <= r.quantiles_hi[q]
    se = np.sqrt(0.95 * 0.05 / reps)
    for q in true:
        assert hits[q] / reps > 0.95 - 4 * se, (q, hits[q])


def test_summary_table_prints_quantile_half_widths(synthetic):
    from simkit._text import value_pm

    s = synthetic.summary(["income_total", "gifts"], target=10.0)
    lines = s.render(details=True).splitlines()
    assert lines[0] == "synthetic — 200 paths"
    assert lines[1].split() == ["metric", "mean", "±", "s.e.", "P5", "P25", "P50",
                                "P75", "P95"]
    r = s["income_total"]
    row = lines[3]
    for q in SUMMARY_QUANTILES:  # same cell format as `simkit compare --details`
        assert value_pm(r.quantiles[q], r.half_width(q), "USD") in row
    assert lines[6].startswith("P5 ... P95 ± the larger half of their 95% "
                               "order-statistic interval")
    assert lines[7].startswith("P(total income > $10.00) = ")


def test_summary_of_one_path_prints_unbounded():
    res = SimulationResult("one", {"gifts": np.array([3.0])})
    s = res.summary(["gifts"])
    assert s["gifts"].half_width(0.5) == np.inf
    row = s.render(details=True).splitlines()[3].split()
    assert row[:5] == ["gifts", "sent", "3", "±", "n/a"] and row[5:8] == ["3", "±", "n/a"]
    csv_row = s.csv_text().splitlines()[1].split(",")
    assert csv_row[4] == "" and csv_row[6:8] == ["", ""]  # no nan/inf in the file
    d = s.to_dict()["gifts"]
    assert d["stderr"] is None and d["p50_lo"] is None and d["p50_hi"] is None
    assert json.loads(json.dumps(d, allow_nan=False)) == d  # strict JSON


@pytest.mark.parametrize("target", [np.nan, np.inf, -np.inf, "x", True])
def test_non_finite_target_rejected(synthetic, target):
    with pytest.raises(SimkitError, match="`target` must be a finite number"):
        synthetic.summary(["income_total"], target=target)
    with pytest.raises(SimkitError, match="`target` must be a finite number"):
        MetricSummary.of("income_total", [1.0, 2.0], target=target)


def test_summary_csv(synthetic, tmp_path):
    path = tmp_path / "s.csv"
    synthetic.to_summary_csv(path, target=10.0)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["metric"] for r in rows] == list(synthetic.totals)
    s = synthetic.summary(synthetic.totals, target=10.0).to_dict()
    for row in rows:
        d = s[row["metric"]]
        assert int(row["n"]) == d["n"] == 200
        assert float(row["mean"]) == d["mean"] and float(row["se"]) == d["stderr"]
        for q in ("p05", "p25", "p50", "p75", "p95"):
            for e in ("", "_lo", "_hi"):
                assert float(row[q + e]) == d[q + e]
    inc = next(r for r in rows if r["metric"] == "income_total")
    assert float(inc["target"]) == 10.0 and float(inc["p_exceed"]) == \
        s["income_total"]["p_exceed"]
    assert next(r for r in rows if r["metric"] == "gifts")["target"] == ""
    assert [p.name for p in tmp_path.iterdir()] == ["s.csv"]


def test_json_export_has_interval_bounds(synthetic, tmp_path):
    path = tmp_path / "r.json"
    synthetic.to_json(path, precision={"paths": 200})
    js = json.loads(path.read_text())
    r = synthetic.summary(["viewer_minutes"])["viewer_minutes"]
    d = js["summary"]["viewer_minutes"]
    assert (d["p95_lo"], d["p95_hi"]) == (r.quantiles_lo[0.95], r.quantiles_hi[0.95])
    assert d["p95_lo"] <= d["p95"] <= d["p95_hi"]
    assert js["precision"] == {"paths": 200}


# ----- load: damaged and foreign files --------------------------------------------
def _npz_bytes(tmp_path, synthetic):
    synthetic.save(tmp_path / "good.npz")
    return (tmp_path / "good.npz").read_bytes()


def _corrupt_member(data):
    """Flip bytes inside the first compressed member (the CRC check fails)."""
    b = bytearray(data)
    start = 30 + int.from_bytes(b[26:28], "little") + int.from_bytes(b[28:30], "little")
    for i in range(start + 20, start + 60):
        b[i] ^= 0xFF
    return bytes(b)


def _bad_files(tmp_path, synthetic):
    data = _npz_bytes(tmp_path, synthetic)
    meta = np.frombuffer(b'{"name": "x", "metadata": {}}', dtype=np.uint8)
    cases = {
        "truncated.npz": (data[:len(data) // 2], "not a readable .npz archive"),
        "truncated_tail.npz": (data[:-40], "not a readable .npz archive"),
        "empty.npz": (b"", "not a readable .npz archive"),
        "text.npz": (b"hello, world\n" * 10, "not a readable .npz archive"),
        "corrupt.npz": (_corrupt_member(data), "damaged or unreadable member"),
    }
    out = {}
    for name, (content, why) in cases.items():
        (tmp_path / name).write_bytes(content)
        out[name] = why
    np.save(tmp_path / "array.npy", np.arange(3.0))
    (tmp_path / "array.npy").rename(tmp_path / "array.npz")
    out["array.npz"] = "a single .npy array"
    np.savez(tmp_path / "nometa.npz", **{"totals/gifts": np.arange(3.0)})
    out["nometa.npz"] = "no `__meta__` member"
    np.savez(tmp_path / "nototals.npz", __meta__=meta)
    out["nototals.npz"] = "no `totals/...` arrays"
    np.savez(tmp_path / "badmeta.npz", __meta__=np.frombuffer(b"[1, 2]", np.uint8),
             **{"totals/gifts": np.arange(3.0)})
    out["badmeta.npz"] = "`__meta__` lacks `name` and `metadata`"
    np.savez(tmp_path / "ragged.npz", __meta__=meta,
             **{"totals/gifts": np.arange(3.0), "totals/coins": np.arange(4.0)})
    out["ragged.npz"] = "not 1-d of one length"
    return out


def test_load_damaged_or_foreign_files(synthetic, tmp_path):
    for name, why in _bad_files(tmp_path, synthetic).items():
        with pytest.raises(SimkitError) as info:
            SimulationResult.load(tmp_path / name)
        msg = str(info.value)
        assert msg.startswith(f"{tmp_path / name}: not a simkit result file: "), msg
        assert why in msg and "\n" not in msg, msg


def test_plot_of_damaged_result_is_one_line(synthetic, tmp_path, capsys):
    from simkit.cli import main

    bad = _bad_files(tmp_path, synthetic)
    for name in ("truncated.npz", "corrupt.npz", "nometa.npz"):
        png = tmp_path / "x.png"
        assert main(["plot", str(tmp_path / name), "--kind", "distribution",
                     "-o", str(png)]) == 2
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(f"simkit: error: {tmp_path / name}: not a simkit "
                                   "result file: ")
        assert bad[name] in lines[0]
        assert not png.exists()


# ----- no impossible number leaves simkit ----------------------------------------
def test_check_result_names_the_metric_and_path():
    from simkit._checks import check_result

    ok = {"gifts": np.array([0.0, 2.0, 5.0]), "income_total": np.zeros(3)}
    check_result(SimulationResult("fine", ok))
    for bad, what in ((np.nan, "nan"), (np.inf, "inf"), (-8.3e17, "-8.3e+17")):
        totals = {**ok, "income_total": np.array([1.0, 2.0, bad])}
        with pytest.raises(SimkitError) as info:
            check_result(SimulationResult("s", totals, metadata={"path_offset": 10}))
        msg = str(info.value)
        assert "\n" not in msg and "`income_total`" in msg and what in msg
        assert "path 12" in msg and "overflowed" in msg
    ps = {"coins": np.array([[1.0, np.nan], [0.0, 0.0]])}
    with pytest.raises(SimkitError, match=r"stream metric `coins` is nan on path 0, "
                                          r"stream 1"):
        check_result(SimulationResult("s", ok, ps))
    curves = np.zeros((3, 2, 4))
    curves[1, 0, 3] = -1.0
    with pytest.raises(SimkitError, match="path 1, stream 0, minute 3"):
        check_result(SimulationResult("s", ok, None, curves))


def test_simulate_refuses_a_kernel_output_that_overflowed(monkeypatch):
    from simkit.backends import cpu

    real = cpu.run

    def overflowing(packed, key, offset, tot, *args, **kwargs):
        real(packed, key, offset, tot, *args, **kwargs)
        tot[0, 1, TOTALS.index("income_gifts")] = -8.3e17

    monkeypatch.setattr(cpu, "run", overflowing)
    sc = simkit.scenario_from_dict({"horizon": {"weeks": 1}})
    with pytest.raises(SimkitError, match="`income_gifts` is -8.3e\\+17 on path 1"):
        simkit.simulate(sc, paths=3, seed=1)
