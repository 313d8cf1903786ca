"""Tests of simkit.plotting on small synthetic results (Agg, no pyplot).

Every test checks what is drawn (artists, their data, labels, band order), not
only that a call runs. Results are built directly from arrays, so these tests
do not need the simulation core.
"""

from __future__ import annotations

import inspect
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import numpy.testing as npt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from simkit import metrics, plotting  # noqa: E402
from simkit.analysis._bands import bands  # noqa: E402
from simkit.analysis._sensitivity import TornadoEntry, TornadoResult  # noqa: E402
from simkit.errors import SimkitError  # noqa: E402
from simkit.plotting import (  # noqa: E402
    _style,  # noqa: E402
    compare_distributions,
    concurrency_curve,
    fan_chart,
    income_distribution,
    income_sources,
    tornado,
)
from simkit._result import SimulationResult  # noqa: E402

SOURCES = metrics.INCOME_SOURCES[:4]   # fake results earn no subscriptions


def make_result(name="demo:consistent", paths=300, weeks=2, minutes=90, seed=12345,
                scale=1.0, curves=True, dead=0.1):
    """A small result shaped like simulate(..., per_stream=True, curves=True)."""
    rng = np.random.default_rng(seed)
    days = np.array([7 * w + d for w in range(weeks) for d in (1, 3, 5)])
    s = days.size
    day = np.tile(days, (paths, 1)).astype(float)
    live = (rng.random((paths, s)) >= dead).astype(float)
    t = np.arange(minutes)
    lam = 25.0 * scale * (1 - np.exp(-t / 8.0)) * np.exp(-t / 150.0)
    cur = rng.poisson(lam * rng.lognormal(0, 0.4, (paths, s, 1))).astype(float)
    cur *= live[..., None]
    vm = cur.sum(-1)
    ps = {
        "day": day, "live": live,
        "income_gifts": rng.lognormal(2.5, 1.2, (paths, s)) * live * scale,
        "income_brand": (rng.random((paths, s)) < 0.1) * vm * 16 / 1000,
        "income_merch": rng.gamma(0.5, 3.0, (paths, s)) * live,
        "income_donations": rng.gamma(0.3, 4.0, (paths, s)) * live,
        "viewer_minutes": vm, "peak_concurrent": cur.max(-1),
    }
    ps["income_total"] = sum(ps[k] for k in SOURCES)
    totals = {k: v.sum(1) for k, v in ps.items() if k not in ("day", "live")}
    totals["peak_concurrent"] = ps["peak_concurrent"].max(1)
    return SimulationResult(name, totals, ps, cur if curves else None,
                            {"horizon_days": 7 * weeks})


@pytest.fixture(scope="module")
def res():
    return make_result()


def vlines(ax):
    """x positions of the vertical lines (axvline) of ``ax``, in drawing order."""
    out = []
    for ln in ax.get_lines():
        x = np.asarray(ln.get_xdata(), dtype=float)
        if x.size == 2 and x[0] == x[1] and ln.get_transform() != ax.transData:
            out.append(float(x[0]))
    return out


def legend_texts(ax):
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg is not None else []


def band_polys(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def band_edges(poly):
    """Lower and upper curves of a fill_between polygon, as {x: (lo, hi)}."""
    v = poly.get_paths()[0].vertices
    out = {}
    for x, y in v:
        lo, hi = out.get(round(x, 9), (np.inf, -np.inf))
        out[round(x, 9)] = (min(lo, y), max(hi, y))
    return out


def png_bytes(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# ----- style -------------------------------------------------------------------

def test_formatters():
    assert _style.format_compact(1234.0, True) == "$1.2k"
    assert _style.format_compact(2_500_000.0) == "2.5M"
    assert _style.format_value(12345.6, "income_total") == "$12,346"
    assert _style.format_value(9.5, "viewer_minutes") == "9.5"
    assert _style.text_value(5.0, "income_total") == r"\$5.00"  # no mathtext pairs
    assert _style.metric_label("viewer_minutes") == "Minutes watched"  # plain words
    assert _style.metric_label("income_gifts") == "LIVE gifts (USD)"


def _label_value(text):
    """Parse a tick label such as ``$1.75k``, ``-2M`` or ``0.25`` back to a number."""
    t = text.replace("\\$", "").replace("$", "").replace(",", "").replace("\u2212", "-")
    mult = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}.get(t[-1:], 1.0)
    return float(t[:-1] if mult != 1.0 else t) * mult


@pytest.mark.parametrize(("lo", "hi", "metric"), [
    (1500.0, 2900.0, "income_total"),     # 1,750 once read "$1.8k"
    (0.0, 48_000.0, "income_total"),
    (0.0, 1.3, "income_total"),
    (-2600.0, 2600.0, "income_total"),
    (0.0, 3.7e6, "viewer_minutes"),
    (120.0, 185.0, "peak_concurrent"),
])
def test_tick_labels_write_their_values(lo, hi, metric):
    # Render the axes and read every tick label back: it must be the tick's value.
    fig = Figure(figsize=(7.5, 4.4))
    ax = fig.add_subplot()
    ax.plot([0, 1], [lo, hi])
    ax.set_ylim(lo, hi)
    _style.apply_value_axis(ax, "y", metric)
    fig.draw_without_rendering()
    ticks = [(t.get_loc(), t.label1.get_text()) for t in ax.yaxis.get_major_ticks()
             if lo <= t.get_loc() <= hi]
    assert len(ticks) >= 3
    for loc, text in ticks:
        assert text, loc
        assert _label_value(text) == pytest.approx(loc, rel=1e-9, abs=1e-9), text
        assert text.startswith(("$", "-$", "\\$", "-\\$")) == (metric == "income_total")
    assert len({text for _, text in ticks}) == len(ticks)


def test_tick_labels_on_a_real_histogram(res):
    ax = income_distribution(res)
    ax.figure.draw_without_rendering()
    for t in ax.xaxis.get_major_ticks():
        lo, hi = ax.get_xlim()
        if lo <= t.get_loc() <= hi:
            assert _label_value(t.label1.get_text()) == pytest.approx(t.get_loc())


def test_no_pyplot_in_library():
    # Drawing and saving every kind of figure (every public function) must
    # not import pyplot: no global figure registry or backend switching in
    # library code. A fresh interpreter, since this test process may have
    # imported pyplot through other packages.
    code = "\n".join([
        "import io, sys",
        "import numpy as np",
        "from simkit import metrics",
        "from simkit.analysis._sensitivity import TornadoEntry, TornadoResult",
        "from simkit.analysis._sensitivity import SpiderResult",
        "from simkit.analysis._sobol import SensitivityResult",
        "from simkit._result import SimulationResult",
        "import simkit.plotting as P",
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported on import'",
        "SOURCES = metrics.INCOME_SOURCES[:4]",
        inspect.getsource(make_result),
        inspect.getsource(tornado_result),
        "r, r2 = make_result(), make_result('demo:b', scale=0.7)",
        "axes = {",
        "    'income_distribution': P.income_distribution(r),",
        "    'compare_distributions': P.compare_distributions([r, r2])[0],",
        "    'fan_chart': P.fan_chart(r),",
        "    'concurrency_curve': P.concurrency_curve(r),",
        "    'income_sources': P.income_sources(r),",
        "    'tornado': P.tornado(tornado_result()),",
        "    'spider': P.spider(SpiderResult('d', 'income_total', 10, 0, 5.0, 1.0,",
        "        (0.1, 0.9), ('a.b',), np.ones((1, 2)), np.ones((1, 2)),",
        "        np.zeros((1, 2)))),",
        "    'sensitivity_indices': P.sensitivity_indices(SensitivityResult(",
        "        'sobol', 'd', 'income_total', ('a.b',), ('uniform',),",
        "        {k: np.array([0.5]) for k in ('S1', 'S1_conf', 'ST', 'ST_conf')},",
        "        8, 4, 0, 24, 0.95, 1.0, 1.0, 0.0)),",
        "}",
        "from types import SimpleNamespace",
        "from simkit.calibrate import evaluate",
        "g = np.random.default_rng(1)",
        "h = SimpleNamespace(start=np.datetime64('2026-01-06T20:00')"
        " + np.arange(12) * np.timedelta64(2, 'D'), viewers=g.poisson(900, 12) * 1.0)",
        "sim = {'viewers': g.poisson(900, (200, 12)) * 1.0}",
        "axes['fit_quantiles'] = P.fit_quantiles(h, sim)[0]",
        "axes['fit_over_time'] = P.fit_over_time(h, sim)[0]",
        "axes['fit_diagnostics'] = P.fit_diagnostics(h, sim)[0, 0]",
        "axes['backtest_calibration'] = P.backtest_calibration("
        "evaluate(sim, {'viewers': h.viewers}))[0]",
        "for name, ax in axes.items():",
        "    ax.figure.savefig(io.BytesIO(), format='png')",
        "    assert 'matplotlib.pyplot' not in sys.modules, f'{name} imported pyplot'",
        "print(','.join(axes))",
    ])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    # Every public plotting function was drawn (a new one must be added above).
    assert sorted(out.stdout.strip().split(",")) == sorted(plotting.__all__)


def test_new_axes_is_a_plain_figure():
    ax = _style.new_axes()
    assert type(ax.figure) is Figure
    a, b = _style.new_axes(ncols=2)
    assert a.figure is b.figure
    with pytest.raises(SimkitError, match="sequence of 2 Axes"):
        _style.new_axes([a], ncols=2)


# ----- income_distribution -----------------------------------------------------

def test_income_distribution_hist(res):
    x = res["income_total"]
    ax = income_distribution(res, bins=25)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 25
    assert sum(b.get_height() for b in bars) == x.size  # every path counted once
    q5, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
    npt.assert_allclose(vlines(ax), [q5, q50, q95, x.mean()], rtol=1e-12)
    texts = legend_texts(ax)
    assert texts[0] == f"{x.size:,} paths"
    assert any(t.startswith("P5") and _style.text_value(q5, "income_total") in t
               for t in texts)
    assert any(t.startswith("median") for t in texts)
    assert ax.get_xlabel() == "Total income (USD)"
    assert ax.get_ylabel() == "Paths"
    assert ax.xaxis.get_major_formatter()(2000.0, 0) == r"\$2k"


def test_income_distribution_log_and_zeros():
    rng = np.random.default_rng(12345)
    x = np.concatenate([np.zeros(40), rng.lognormal(5, 2, 160)])
    r = SimulationResult("heavy", {"income_total": x})
    ax = income_distribution(r, log=True)
    assert ax.get_xscale() == "log"
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sum(b.get_height() for b in bars) == 160  # zeros cannot be on a log axis
    widths = np.array([np.log10(b.get_x() + b.get_width()) - np.log10(b.get_x())
                       for b in bars])
    npt.assert_allclose(widths, widths[0], rtol=1e-9)  # log-spaced bins
    assert "40 paths <= 0 not shown" in legend_texts(ax)


def test_income_distribution_density_and_target(res):
    x = res["income_total"]
    ax = income_distribution(res, kind="density", target=150.0)
    curve = ax.get_lines()[0]
    xs, ys = (np.asarray(a, dtype=float) for a in curve.get_data())
    assert np.all(ys >= 0) and xs.min() <= x.min() and xs.max() >= x.max()
    assert ax.get_ylabel() == "Density (per USD)"
    p = np.mean(x > 150.0)
    assert any(t.endswith(f"P(above) = {p:.1%}") for t in legend_texts(ax))
    assert 150.0 in vlines(ax)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"metric": "nope"}, "unknown metric `nope`"),
    ({"kind": "violin"}, "`kind` must be"),
    ({"bins": 0}, "`bins` must be"),
])
def test_income_distribution_errors(res, kwargs, match):
    with pytest.raises(SimkitError, match=match):
        income_distribution(res, **kwargs)


def test_income_distribution_log_needs_positive():
    r = SimulationResult("z", {"income_total": np.zeros(10)})
    with pytest.raises(SimkitError, match="needs positive values"):
        income_distribution(r, log=True)


def test_income_distribution_on_given_axes(res):
    fig = Figure()
    ax0 = fig.add_subplot(121)
    assert income_distribution(res, ax=ax0) is ax0
    assert len(fig.axes) == 1


# ----- compare_distributions ---------------------------------------------------

@pytest.fixture(scope="module")
def variants():
    return [make_result("s:consistent"), make_result("s:ad_hoc", scale=0.7),
            make_result("s:daily", scale=1.2)]


def test_compare_ecdfs(variants):
    ecdf_ax, diff_ax = compare_distributions(variants, max_points=50)
    assert ecdf_ax.figure is diff_ax.figure
    lines = ecdf_ax.get_lines()
    assert len(lines) == 3
    for ln, r in zip(lines, variants):
        xs, ys = (np.asarray(a, dtype=float) for a in ln.get_data())
        assert ys[0] == 0 and ys[-1] == 1
        assert np.all(np.diff(ys) >= 0) and np.all(np.diff(xs) >= 0)
        assert xs.size <= 51
        # each drawn point is an exact ECDF point of the data
        x = np.sort(r["income_total"])
        k = np.searchsorted(x, xs[1:], side="right")
        npt.assert_allclose(ys[1:], k / x.size)
    # black-and-white: every series differs by line style, not only colour
    assert len({str(ln.get_linestyle()) for ln in lines}) == 3
    assert [t.split(" ")[0] for t in legend_texts(ecdf_ax)] == \
        ["consistent", "ad_hoc", "daily"]


def test_compare_paired_differences(variants):
    _, diff_ax = compare_distributions(variants, baseline="ad_hoc")
    steps = [p for p in diff_ax.patches if not isinstance(p, Rectangle)]
    assert len(steps) == 2  # one step histogram per non-baseline variant
    base = variants[1]["income_total"]
    means = [float((v["income_total"] - base).mean())
             for v in (variants[0], variants[2])]
    lines = vlines(diff_ax)
    assert 0.0 in lines
    npt.assert_allclose(sorted(v for v in lines if v != 0.0), sorted(means), rtol=1e-12)
    texts = legend_texts(diff_ax)
    p = np.mean(variants[0]["income_total"] - base > 0)
    assert texts[0].startswith("consistent − ad_hoc")
    assert f"P(> 0) = {p:.1%}" in texts[0]
    assert "vs ad_hoc" in diff_ax.get_title(loc="left")


def test_compare_dict_labels_and_errors(variants):
    a, _ = compare_distributions({"A": variants[0], "B": variants[1]})
    assert [t.split(" ")[0] for t in legend_texts(a)] == ["A", "B"]
    with pytest.raises(SimkitError, match="at least 2"):
        compare_distributions([variants[0]])
    short = make_result("s:short", paths=50)
    with pytest.raises(SimkitError, match="same number of paths"):
        compare_distributions([variants[0], short])
    with pytest.raises(SimkitError, match="`baseline` must be one of"):
        compare_distributions(variants, baseline="nope")


# ----- fan_chart ---------------------------------------------------------------

def test_fan_chart_bands_nested(res):
    levels = (0.5, 0.8, 0.95)
    ax = fan_chart(res, levels=levels)
    polys = band_polys(ax)
    assert len(polys) == 3
    # drawn widest first, lightest first
    greys = [tuple(p.get_facecolor()[0][:3]) for p in polys]
    assert [sum(g) for g in greys] == sorted((sum(g) for g in greys), reverse=True)
    edges = [band_edges(p) for p in polys]
    median = dict(zip(*(np.round(np.asarray(a, dtype=float), 9)
                        for a in ax.get_lines()[0].get_data())))
    for x0, m in median.items():
        (lo1, hi1), (lo2, hi2), (lo3, hi3) = (e[x0] for e in edges)
        assert lo1 <= lo2 <= lo3 <= m <= hi3 <= hi2 <= hi1
    # value at the horizon's end = quantiles of the per-path totals
    x = res.per_stream["income_total"].sum(1)
    end = max(median)
    npt.assert_allclose(median[end], np.quantile(x, 0.5), rtol=1e-9)
    npt.assert_allclose(edges[0][end], np.quantile(x, [0.025, 0.975]), rtol=1e-9)
    assert median[0.0] == 0.0  # cumulative income starts at zero
    assert ax.get_ylabel() == "Cumulative total income (USD)"
    assert ax.get_xlabel() == "Days elapsed"
    assert [t.split(" ")[0] for t in legend_texts(ax)] == \
        ["95%", "80%", "50%", "median", "mean"]


def test_fan_chart_by_stream_and_bands_object(res):
    ax = fan_chart(res, "peak_concurrent", by="stream", mean=False)
    med = np.asarray(ax.get_lines()[0].get_ydata(), dtype=float)
    npt.assert_allclose(med, np.median(res.per_stream["peak_concurrent"], axis=0))
    assert len(ax.get_lines()) == 1
    b = bands(res, "income_total", levels=[10, 50, 90], by="day")
    ax = fan_chart(b)
    assert len(band_polys(ax)) == 1
    npt.assert_allclose(ax.get_lines()[0].get_ydata(), b.band(50)[0])


def test_fan_chart_y_limits():
    """Per-stream and per-day fans fit the bands; cumulative fans start at 0."""
    rng = np.random.default_rng(12345)
    paths, streams = 400, 8
    day = np.tile(np.arange(streams), (paths, 1)).astype(float)  # daily streams
    vm = rng.normal(30_000 + 800 * np.arange(streams), 1_500, (paths, streams))
    r = SimulationResult("busy", {"viewer_minutes": vm.sum(1)},
                         {"day": day, "viewer_minutes": vm})
    for by in ("stream", "day"):
        ax = fan_chart(r, "viewer_minutes", by=by)
        lo = min(min(e[0] for e in band_edges(p).values()) for p in band_polys(ax))
        hi = max(max(e[1] for e in band_edges(p).values()) for p in band_polys(ax))
        bottom, top = ax.get_ylim()
        span = hi - lo
        assert bottom < lo and top > hi  # nothing cut off...
        assert bottom >= lo - 0.1 * span and top <= hi + 0.1 * span, (by, bottom)
        assert span / (top - bottom) > 0.8  # ...and the bands fill the panel
    # Values near 0 (relative to their spread) keep 0 on the axis, never below.
    inc = rng.lognormal(3, 1.5, (paths, streams))
    r = SimulationResult("gifts", {"income_total": inc.sum(1)},
                         {"day": day, "income_total": inc})
    assert fan_chart(r, by="stream").get_ylim()[0] == 0.0
    # Running totals start at 0.
    ax = fan_chart(make_result(dead=0.0), "viewer_minutes")
    assert ax.get_ylim()[0] == 0.0


def test_fan_chart_errors(res):
    no_ps = SimulationResult("x", dict(res.totals))
    with pytest.raises(SimkitError, match="per-stream"):
        fan_chart(no_ps)
    with pytest.raises(SimkitError, match="`by` must be"):
        fan_chart(res, by="week")
    with pytest.raises(SimkitError, match="`levels` must be"):
        fan_chart(res, levels=(0.5, 1.5))
    with pytest.raises(SimkitError, match="needs the median"):
        fan_chart(bands(res, "income_total", levels=[10, 90]))


# ----- concurrency_curve -------------------------------------------------------

def test_concurrency_pooled_live_only(res):
    ax = concurrency_curve(res, levels=(0.5, 0.9))
    live = res.per_stream["live"] > 0
    pooled = res.curves[live]
    texts = [t.get_text() for t in ax.texts]
    assert f"all streams pooled, {pooled.shape[0]:,} curves" in texts
    med = np.asarray(ax.get_lines()[0].get_ydata(), dtype=float)
    npt.assert_allclose(med, np.median(pooled, axis=0)[:med.size])
    mean = np.asarray(ax.get_lines()[1].get_ydata(), dtype=float)
    npt.assert_allclose(mean, pooled.mean(axis=0)[:mean.size])
    outer, inner = (band_edges(p) for p in band_polys(ax))
    for x0 in outer:
        assert outer[x0][0] <= inner[x0][0] <= inner[x0][1] <= outer[x0][1]
    assert ax.get_xlabel() == "Minutes since the stream started"
    assert ax.get_ylabel() == "Concurrent viewers"


def test_concurrency_one_stream_and_errors(res):
    ax = concurrency_curve(res, stream=2, live_only=False)
    assert f"stream 2, {res.paths:,} curves" in [t.get_text() for t in ax.texts]
    with pytest.raises(SimkitError, match="`stream` must be an integer in"):
        concurrency_curve(res, stream=99)
    with pytest.raises(SimkitError, match="curves=True"):
        concurrency_curve(make_result(curves=False, paths=20))


def test_concurrency_trims_trailing_zero_minutes():
    c = np.zeros((10, 1, 200))
    c[:, 0, :60] = 5.0
    r = SimulationResult("t", {"income_total": np.zeros(10)}, curves=c)
    ax = concurrency_curve(r)
    assert np.asarray(ax.get_lines()[0].get_xdata()).size == 61


# ----- income_sources ----------------------------------------------------------

def test_income_sources_area(res):
    ax = income_sources(res)
    polys = band_polys(ax)
    assert len(polys) == 4
    assert len({p.get_hatch() for p in polys}) == 4  # distinct in black and white
    top = sum(np.asarray(p.get_paths()[0].vertices)[:, 1].max() for p in polys[-1:])
    npt.assert_allclose(top, res["income_total"].mean(), rtol=1e-9)
    total_line = ax.get_lines()[0]
    npt.assert_allclose(total_line.get_ydata()[-1], res["income_total"].mean())
    texts = legend_texts(ax)
    for s in SOURCES:
        assert any(t.startswith(_style.SOURCE_STYLES[s][0]) for t in texts)
    share = res["income_gifts"].mean() / res["income_total"].mean()
    assert f"({share:.0%})" in texts[0]


def test_income_sources_bars(variants):
    ax = income_sources(variants)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 4 * len(variants)
    # segments of each bar: widths = mean per source, stacked left to right
    for j, s in enumerate(SOURCES):
        seg = bars[j * 3:(j + 1) * 3]
        npt.assert_allclose([b.get_width() for b in seg],
                            [v[s].mean() for v in variants])
    ends = [bars[9 + i].get_x() + bars[9 + i].get_width() for i in range(3)]
    npt.assert_allclose(ends, [v["income_total"].mean() for v in variants])
    assert [t.get_text() for t in ax.get_yticklabels()] == \
        ["consistent", "ad_hoc", "daily"]


def test_income_sources_errors(res):
    with pytest.raises(SimkitError, match="one result"):
        income_sources([res, res], kind="area")
    partial = SimulationResult("p", {"income_total": np.ones(3)})
    with pytest.raises(SimkitError, match="lacks income sources"):
        income_sources(partial)


# ----- tornado -----------------------------------------------------------------

def tornado_result():
    e = (TornadoEntry("money.creator_share", 0.5, 0.375, 0.625, 900, 1100, 3, 3),
         TornadoEntry("audience.join_rate", 0.04, 0.03, 0.05, 760, 1250, 5, 6),
         TornadoEntry("brand.cpm_usd", 16, 12, 20, 1000, 1000, 0, 0),
         TornadoEntry("creator.followers", 10000, 7500, 12500, 850, 1160, 4, 4))
    return TornadoResult("demo", "income_total", 1000, 7, 1000.0, 20.0, e)


def test_tornado_bars_sorted_by_swing():
    tr = tornado_result()
    ax = tornado(tr)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 8
    keys = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    top_down = [k for _, k in sorted(zip(ax.get_yticks(), keys), reverse=True)]
    # largest on top, in plain words
    assert top_down == ["join rate", "followers", "creator's share", "brand CPM"]
    low, high = bars[:4], bars[4:]
    for b in bars:
        npt.assert_allclose(b.get_x(), 1000.0)  # every bar starts at the base mean
    ends = {k: (lo.get_x() + lo.get_width(), hi.get_x() + hi.get_width())
            for k, lo, hi in zip(["audience.join_rate", "creator.followers",
                                  "money.creator_share", "brand.cpm_usd"], low, high)}
    assert ends["audience.join_rate"] == (760, 1250)
    assert low[0].get_hatch() and not high[0].get_hatch()
    assert vlines(ax) == [1000.0]
    assert "no effect" in [t.get_text() for t in ax.texts]
    assert "0.03 / 0.05" in ax.get_yticklabels()[0].get_text()


def test_tornado_max_params_and_errors():
    ax = tornado(tornado_result(), max_params=2, errorbars=False)
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 4
    with pytest.raises(SimkitError, match="TornadoResult"):
        tornado(object())


# ----- output ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_every_figure_saves(res, variants, fmt, tmp_path):
    figs = [income_distribution(res).figure, compare_distributions(variants)[0].figure,
            fan_chart(res).figure, concurrency_curve(res).figure,
            income_sources(res).figure, tornado(tornado_result()).figure]
    for i, fig in enumerate(figs):
        path = tmp_path / f"f{i}.{fmt}"
        fig.savefig(path)
        assert path.stat().st_size > 1000


def test_png_is_not_blank(res):
    from matplotlib.image import imread

    img = imread(io.BytesIO(png_bytes(fan_chart(res).figure)), format="png")
    assert img.shape[2] in (3, 4)
    assert np.unique(img[..., :3].reshape(-1, 3), axis=0).shape[0] > 10
