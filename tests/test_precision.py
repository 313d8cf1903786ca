"""Monte Carlo precision on demand (simkit.analysis.precision)."""

import numpy as np
import numpy.testing as npt
import pytest
from naive import one_stream_dict
from scipy import stats

from simkit.analysis._precision import (
    _resolve_targets,
    half_width,
    parse_statistic,
    run_batches,
)
from simkit.errors import LowPrecisionWarning, SimkitError


def _keyed(offset, n, seed=12345):
    """Path i's value depends on (seed, i) only, like simulate's keyed draws."""
    return np.array([np.random.default_rng([seed, i]).lognormal(3.0, 1.0)
                     for i in range(offset, offset + n)])


def _mean_measure(rel):
    def measure(x):
        est, hw = half_width(x)
        return hw <= rel * abs(est), est, hw, rel * abs(est)
    return measure


def test_half_width_mean_and_quantile():
    x = np.random.default_rng(1).normal(5.0, 2.0, size=4000)
    est, hw = half_width(x)
    npt.assert_allclose(est, x.mean())
    npt.assert_allclose(hw, stats.norm.ppf(0.975) * x.std(ddof=1) / np.sqrt(x.size))
    est, hw = half_width(x, "p5")
    npt.assert_allclose(est, np.quantile(x, 0.05))
    assert 0 < hw < 0.5
    assert half_width(x[:1])[1] == np.inf
    assert half_width(x[:10], 0.01)[1] == np.inf  # 10 paths cannot bound P1


def test_run_stops_at_first_batch_meeting_target_and_equals_one_run():
    x, run = run_batches(_keyed, _mean_measure(0.05), batch=50, max_paths=5000)
    assert run.converged and run.paths == x.size == 50 * run.batches
    npt.assert_array_equal(x, _keyed(0, run.paths))  # batches == one plain run
    assert run.half_width <= 0.05 * abs(run.estimate)
    # One batch fewer would not have met the target.
    est, hw = half_width(x[: run.paths - 50])
    assert hw > 0.05 * abs(est)
    # Same seed, same options: same stop, same numbers.
    x2, run2 = run_batches(_keyed, _mean_measure(0.05), batch=50, max_paths=5000)
    assert run2 == run
    npt.assert_array_equal(x2, x)


def test_tighter_target_needs_about_quadratically_more_paths():
    _, r1 = run_batches(_keyed, _mean_measure(0.08), batch=25, max_paths=20_000)
    _, r2 = run_batches(_keyed, _mean_measure(0.04), batch=25, max_paths=20_000)
    # Halving the half-width needs ~4x the paths (2.5x..6x allows for the batch
    # granularity and the noise in the s.e. estimate).
    assert 2.5 < r2.paths / r1.paths < 6.0


def test_unmet_target_warns_and_reports():
    with pytest.warns(LowPrecisionWarning, match="not met after 200 paths"):
        x, run = run_batches(_keyed, _mean_measure(1e-6), batch=100, max_paths=200)
    assert not run.converged and run.paths == 200 == x.size
    d = run.to_dict(statistic="mean", rel=1e-6)
    assert "NOT met" in d["description"] and d["paths"] == 200


def test_lists_of_samples_are_concatenated_in_step():
    def draw(offset, n):
        return [_keyed(offset, n, 1), _keyed(offset, n, 2)]

    def measure(s):
        assert s[0].size == s[1].size
        return s[0].size >= 30, 0.0, 0.0

    s, run = run_batches(draw, measure, batch=10, max_paths=100)
    assert run.paths == 30 and len(s) == 2
    npt.assert_array_equal(s[1], _keyed(0, 30, 2))


def test_option_validation():
    assert parse_statistic("P95") == 0.95 and parse_statistic(0.2) == 0.2
    for bad in ("p0", "p100", "max", 1.5):
        with pytest.raises(SimkitError, match="`statistic`"):
            parse_statistic(bad)
    with pytest.raises(SimkitError, match="not both"):
        _resolve_targets(0.01, 1.0, 100, None, None)
    with pytest.raises(SimkitError, match="`precision`"):
        _resolve_targets(-0.01, None, 100, None, None)
    with pytest.raises(SimkitError, match="`max_paths`"):
        _resolve_targets(0.01, None, 100, None, 50)
    assert _resolve_targets(None, 2.0, 100, None, None) == (None, 2.0, 100, 10_000)


# ----- precision runs on the real simulator -------------------------------------
def test_simulate_until_is_deterministic_and_equals_one_run(one_stream):
    import simkit
    from simkit.analysis._precision import simulate_until

    sc = one_stream()
    kw = dict(metric="income_total", precision=0.03, batch=200, seed=12345,
              progress=False)
    res, run = simulate_until(sc, **kw)
    assert run.converged and res.paths == run.paths and run.paths % 200 == 0
    assert run.half_width <= 0.03 * abs(run.estimate)
    res2, run2 = simulate_until(sc, **kw)
    assert run2 == run
    npt.assert_array_equal(res2["income_total"], res["income_total"])
    plain = simkit.simulate(sc, paths=run.paths, seed=12345, progress=False)
    npt.assert_array_equal(res["income_total"], plain["income_total"])
    npt.assert_allclose(run.estimate, plain["income_total"].mean())


def test_simulate_until_quantile_absolute_target(one_stream):
    from simkit.analysis._precision import simulate_until

    res, run = simulate_until(one_stream(), metric="unique_viewers", statistic="p5",
                              precision_abs=2.0, batch=250, seed=1, progress=False)
    est = half_width(res["unique_viewers"], 0.05)
    assert run.converged and est == (run.estimate, run.half_width)
    assert run.half_width <= 2.0


def test_compare_precision_run():
    import simkit
    from simkit.analysis._compare import compare

    d = one_stream_dict()
    d["variants"] = {"promo": {"audience": {"promotion": 1.5}}}
    sc = simkit.scenario_from_dict(d)
    kw = dict(paths=100, seed=5, precision=0.05, progress=False)
    res = compare(sc, **kw)
    pr = res.metadata["precision"]
    assert pr["converged"] and res.paths == pr["paths"] == 100 * pr["batches"]
    (p,) = res.pairs
    assert 1.96 * p.diff_se <= 0.05 * abs(p.diff) + 1e-12
    again = compare(sc, **kw)
    assert again.pairs == res.pairs  # same seed, same stop, same numbers
    plain = compare(sc, paths=res.paths, seed=5, progress=False)
    assert plain.pairs == res.pairs


def test_quote_precision_run_and_unmet_warning():
    import simkit
    from simkit.analysis._quote import quote

    d = one_stream_dict()
    sc = simkit.scenario_from_dict(d)
    q = quote(sc, deliverable="unique_viewers", paths=200, seed=2, precision=0.05,
              progress=False)
    pr = q.metadata["precision"]
    assert pr["converged"] and q.paths == pr["paths"]
    for r in q.single.rows:
        assert max(r.guaranteed - r.guaranteed_lo, r.guaranteed_hi - r.guaranteed) \
            <= 0.05 * r.guaranteed
    with pytest.warns(LowPrecisionWarning, match="not met after 400 paths"):
        q = quote(sc, deliverable="unique_viewers", paths=200, seed=2,
                  precision_abs=1e-3, max_paths=400, progress=False)
    assert not q.metadata["precision"]["converged"] and q.paths == 400
