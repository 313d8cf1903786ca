"""Risk bands over the horizon (simkit.analysis.bands) on synthetic results."""

import json

import numpy as np
import numpy.testing as npt
import pytest

from simkit.analysis._bands import bands, per_day
from simkit.errors import SimkitError
from simkit._result import SimulationResult


def _naive_per_day(values, day, days, how="sum"):
    p, s = values.shape
    out = np.zeros((p, days))
    for i in range(p):
        for j in range(s):
            d = int(day[i, j])
            out[i, d] = out[i, d] + values[i, j] if how == "sum" else max(
                out[i, d], values[i, j])
    return out


def _result(paths=400, streams=6, days=14, seed=12345, ad_hoc=True):
    rng = np.random.default_rng(seed)
    if ad_hoc:  # days drawn per path, sorted, possibly two streams a day
        day = np.sort(rng.integers(0, days, size=(paths, streams)), axis=1)
    else:
        day = np.tile(np.linspace(0, days - 1, streams).astype(int), (paths, 1))
    income = rng.gamma(2.0, 20.0, size=(paths, streams))
    peak = rng.poisson(30.0, size=(paths, streams)).astype(float)
    habit = 1.0 + rng.random((paths, streams))
    ps = {"day": day.astype(float), "income_total": income, "peak_concurrent": peak,
          "habit": habit, "live": np.ones((paths, streams))}
    totals = {"income_total": income.sum(1), "peak_concurrent": peak.max(1)}
    return SimulationResult("synthetic", totals, per_stream=ps,
                            metadata={"horizon_days": days, "seed": seed})


def test_per_day_matches_naive_loop():
    res = _result(paths=50)
    ps = res.per_stream
    for how, m in (("sum", "income_total"), ("max", "peak_concurrent")):
        npt.assert_allclose(per_day(ps[m], ps["day"], 14, how=how),
                            _naive_per_day(ps[m], ps["day"], 14, how), rtol=1e-12)


def test_by_stream_edges_are_column_quantiles():
    res = _result()
    b = bands(res, "income_total", levels=(5, 50, 95))
    x = res.per_stream["income_total"]
    npt.assert_allclose(b.values, np.quantile(x, [0.05, 0.5, 0.95], axis=0))
    npt.assert_allclose(b.mean, x.mean(0))
    npt.assert_allclose(b.mean_se, x.std(0, ddof=1) / np.sqrt(x.shape[0]))
    assert b.values.shape == b.lo.shape == b.hi.shape == (3, 6)
    assert np.all(b.lo <= b.values) and np.all(b.values <= b.hi)
    npt.assert_array_equal(b.x, np.arange(6))


def test_day_and_cumulative_consistency():
    res = _result()
    day = bands(res, "income_total", by="day")
    cum = bands(res, "income_total", by="cumulative")
    assert day.x.size == cum.x.size == 14  # every horizon day, with or without streams
    # The cumulative mean is the running sum of the daily mean, and the last day's
    # cumulative distribution is that of the horizon total.
    npt.assert_allclose(cum.mean, np.cumsum(day.mean), rtol=1e-12)
    npt.assert_allclose(cum.values[:, -1],
                        np.quantile(res["income_total"], [0.05, 0.25, 0.5, 0.75, 0.95]),
                        rtol=1e-12)
    # Cumulative quantiles of a non-negative metric never decrease over days.
    assert np.all(np.diff(cum.values, axis=1) >= -1e-9)
    assert day.aggregate == "sum"


def test_peak_concurrent_aggregates_by_max():
    res = _result()
    day = bands(res, "peak_concurrent", by="day")
    cum = bands(res, "peak_concurrent", by="cumulative")
    assert day.aggregate == cum.aggregate == "max"
    npt.assert_allclose(cum.values[:, -1],
                        np.quantile(res["peak_concurrent"],
                                    [0.05, 0.25, 0.5, 0.75, 0.95]))


def test_days_default_from_stream_days_without_metadata():
    res = _result(ad_hoc=False)
    res = SimulationResult(res.name, res.totals, per_stream=res.per_stream)
    b = bands(res, "income_total", by="day")
    assert b.x.size == 14  # last stream on day 13


def test_edge_intervals_cover_known_quantile():
    """Each stream is an independent exponential(scale 10) column, so the
    interval on the P25 edge covers 10*log(4/3) in each of S columns with
    probability cov; hits ~ Binomial(S, cov), |z| < 4 (false alarm ~6e-5)."""
    paths, streams = 300, 3000
    rng = np.random.default_rng(99)
    x = rng.exponential(10.0, size=(paths, streams))
    res = SimulationResult("exp", {"income_total": x.sum(1)},
                           per_stream={"income_total": x})
    b = bands(res, "income_total", levels=[25])
    truth = 10.0 * np.log(4.0 / 3.0)
    hits = int(np.sum((b.lo[0] <= truth) & (truth <= b.hi[0])))
    cov = float(b.coverage[0])
    assert abs(hits - streams * cov) / np.sqrt(streams * cov * (1 - cov)) < 4.0


def test_exports_json_and_csv(tmp_path):
    b = bands(_result(paths=30), "income_total", levels=(1, 50, 99), by="day")
    d = b.to_dict()
    json.dumps(d)  # finite-or-None only, valid JSON
    assert d["lo"][0][0] is None  # 30 paths cannot bound the 1% quantile
    assert d["metadata"]["seed"] == 12345
    b.to_csv(tmp_path / "bands.csv")
    lines = (tmp_path / "bands.csv").read_text().splitlines()
    assert lines[0] == "day,level,value,lo,hi,mean,mean_se"
    assert len(lines) == 1 + 14 * 3
    assert "P50" in str(b)
    npt.assert_array_equal(b.band(50)[0], b.values[1])


def test_errors():
    res = _result(paths=20)
    with pytest.raises(SimkitError, match="`by`"):
        bands(res, "income_total", by="week")
    with pytest.raises(SimkitError, match="unknown per-stream metric `cash_pending`"):
        bands(res, "cash_pending")
    with pytest.raises(SimkitError, match="`habit` is not an amount"):
        bands(res, "habit", by="cumulative")
    assert bands(res, "habit").values.shape == (5, 6)  # per stream is fine
    with pytest.raises(SimkitError, match="per_stream=True"):
        bands(SimulationResult("t", {"income_total": np.zeros(3)}), "income_total")
    with pytest.raises(SimkitError, match="`levels`"):
        bands(res, "income_total", levels=(5, 150))
    with pytest.raises(SimkitError, match="no band at level 10"):
        bands(res, "income_total").band(10)
