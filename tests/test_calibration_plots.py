"""Figures of fit diagnostics and backtests (simkit.plotting.calibration), Agg only.

Built from hand-made histories and samples (no simulation), checking what is
drawn: the points, the envelope, the bands, the outside markers, the coverage
points and the PIT steps; plus `simkit plot --kind fit` end to end.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import numpy.testing as npt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simkit.calibrate import evaluate  # noqa: E402
from simkit.errors import SimkitError  # noqa: E402
from simkit.plotting import (  # noqa: E402
    backtest_calibration,
    fit_diagnostics,
    fit_over_time,
    fit_quantiles,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(12345)
    n = 30
    start = np.datetime64("2026-01-06T20:00") + np.arange(n) * np.timedelta64(2, "D")
    obs = rng.lognormal(7.0, 0.4, n)
    obs[-1] = 1e5                                          # one far outlier
    h = SimpleNamespace(start=start, viewers=obs, diamonds=rng.poisson(40, n) * 1.0)
    sim = {"viewers": rng.lognormal(7.0, 0.4, (600, n)),
           "diamonds": rng.poisson(40, (600, n)) * 1.0}
    return h, sim


def test_qq_points_are_sorted_observed_against_mean_order_statistics(data):
    h, sim = data
    axes = fit_quantiles(h, sim)
    assert len(axes) == 2 and isinstance(axes[0].figure, Figure)
    ax = axes[0]
    pts = [ln for ln in ax.get_lines() if ln.get_label().startswith("observed (")][0]
    npt.assert_allclose(pts.get_ydata(), np.sort(h.viewers))
    npt.assert_allclose(pts.get_xdata(), np.sort(sim["viewers"], axis=1).mean(axis=0))
    out = [ln for ln in ax.get_lines() if ln.get_label() == "outside the envelope"]
    assert out and out[0].get_ydata()[-1] == 1e5          # the outlier is flagged
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title(loc="left") == "Unique viewers"
    assert axes[1].get_title(loc="left") == "Diamonds"


def test_qq_envelope_holds_simulated_histories(data):
    h, sim = data
    ax = fit_quantiles(h, sim, metrics=["viewers"], level=0.5)[0]
    env = ax.collections[0]
    assert "50% envelope" in env.get_label()
    verts = env.get_paths()[0].vertices
    srt = np.sort(sim["viewers"], axis=1)
    lo, hi = np.quantile(srt, [0.25, 0.75], axis=0)
    assert np.isclose(verts[:, 1].min(), lo.min()) and np.isclose(verts[:, 1].max(),
                                                                  hi.max())


def test_over_time_bands_and_outside_points(data):
    h, sim = data
    axes = fit_over_time(h, sim, levels=(0.5, 0.9))
    ax = axes[0]
    labels = [c.get_label() for c in ax.collections]
    assert labels[0].startswith("90% band") and labels[1].startswith("50% band")
    lo, hi = np.quantile(sim["viewers"], [0.05, 0.95], axis=0)
    outside = (h.viewers < lo) | (h.viewers > hi)
    marks = [ln for ln in ax.get_lines() if ln.get_label().startswith("outside")]
    assert marks and f"({outside.sum()} of 30)" in marks[0].get_label()
    assert ax.get_ylim()[0] == 0 and ax.get_ylabel() == "Unique viewers"


def test_diagnostics_grid(data):
    h, sim = data
    axes = fit_diagnostics(h, sim, title="demo $1")
    assert axes.shape == (2, 2)
    assert axes[0, 0].get_xlabel() == "Simulated (mean order statistic)"
    assert axes[1, 1].get_ylabel() == "Diamonds"
    assert axes[0, 0].figure._suptitle.get_text() == r"demo \$1"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"samples": {}}, "must be a dict"),
    ({"metrics": ["peak_viewers"]}, "has no `peak_viewers`"),
    ({"samples": {"viewers": np.zeros((10, 3))}}, r"shape \(paths >= 2, 30\)"),
    ({"level": 1.5}, "in \\(0, 1\\)"),
])
def test_fit_quantiles_errors(data, kwargs, match):
    h, sim = data
    kw = {"samples": sim, **kwargs}
    with pytest.raises(SimkitError, match=match):
        fit_quantiles(h, **kw)


def test_backtest_calibration_points_and_pit_steps():
    rng = np.random.default_rng(1)
    sim = {"viewers": rng.normal(size=(800, 60)),
           "diamonds": rng.normal(size=(800, 60))}
    r = evaluate(sim, {"viewers": 3 * rng.normal(size=60),
                       "diamonds": rng.normal(size=60)})
    left, right = backtest_calibration(r)
    bars = [c for c in left.containers]
    assert len(bars) == 2
    ys = bars[0].lines[0].get_ydata()
    npt.assert_allclose(ys, [r.coverage("viewers", lv) for lv in r.levels])
    assert ys[-1] < 0.75                          # too-narrow intervals: under-covered
    steps = [p for p in right.patches if p.get_label() in ("Unique viewers",
                                                           "Diamonds")]
    assert len(steps) == 2
    # the stairs' heights are the PIT density: counts x 10 / n
    dens = steps[0].get_data().values
    npt.assert_allclose(dens, r.pit_histogram("viewers") * 10 / 60)
    assert dens[0] + dens[-1] > 4                 # U shape
    with pytest.raises(SimkitError, match="BacktestResult"):
        backtest_calibration(object())


def test_figures_save(data, tmp_path):
    h, sim = data
    for i, fig in enumerate((fit_quantiles(h, sim)[0].figure,
                             fit_over_time(h, sim)[0].figure)):
        out = tmp_path / f"f{i}.png"
        fig.savefig(out)
        assert out.stat().st_size > 10_000


def test_cli_plot_fit(tmp_path, capsys):
    """`simkit plot --kind fit`: a scenario against a history; bad flag mixes are
    one-line errors before any simulation."""
    import simkit
    from simkit.calibrate import history_from_result, write_history_csv
    from simkit.cli import main

    sc = simkit.scenario_from_dict({"horizon": {"weeks": 3},
                                    "creator": {"followers": 5000}})
    res = simkit.simulate(sc, paths=1, seed=3, per_stream=True, progress=False)
    csv = tmp_path / "h.csv"
    write_history_csv(history_from_result(res, sc), csv)
    toml = tmp_path / "s.toml"
    toml.write_text('[creator]\nfollowers = 5000\n')
    out = tmp_path / "fit.png"
    assert main(["plot", str(toml), "--kind", "fit", "--history", str(csv), "-o",
                 str(out), "--paths", "50", "--quiet"]) == 0
    assert out.stat().st_size > 20_000
    assert capsys.readouterr().out == f"wrote {out}\n"
    for argv, msg in (
            ([str(toml), "--kind", "fit", "-o", str(out)], "needs a history"),
            ([str(toml), "--kind", "fan", "--history", str(csv), "-o", str(out)],
             "--history applies to --kind fit"),
            ([str(csv), "--kind", "fit", "--metric", "gifts", "-o", str(out)],
             "--metric does not apply")):
        assert main(["plot", *argv]) == 2
        assert msg in capsys.readouterr().err
