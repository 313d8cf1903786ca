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
from simkit.result import SUMMARY_QUANTILES, MetricSummary, SimulationResult


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
    assert "income_total" in text and "gifts" in text and "P(income_total >" in text
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
