"""Fit diagnostics and backtests: observed LIVEs against simulated ones.

- :func:`fit_quantiles`: quantile-quantile plots of the observed per-LIVE
  values against the simulated ones, with the envelope of simulated histories;
- :func:`fit_over_time`: the observed values LIVE by LIVE over the calendar,
  inside the simulated bands of each LIVE;
- :func:`backtest_calibration`: coverage of the held-out LIVEs against the
  nominal level, and the PIT histograms.

``samples`` is a dict metric -> array (paths, LIVEs) of simulated values of
the same LIVEs (:func:`simkit.calibrate.predict`); each path is one simulated
history of those LIVEs.
"""

from __future__ import annotations

import numpy as np

from ..errors import SimkitError
from . import _style

__all__ = ["fit_quantiles", "fit_over_time", "fit_diagnostics", "backtest_calibration",
           "HISTORY_LABELS"]

#: Readable names of the history columns.
HISTORY_LABELS = {"viewers": "Unique viewers", "viewer_minutes": "Viewer-minutes",
                  "peak_viewers": "Peak concurrent viewers", "diamonds": "Diamonds"}

_UNIT = {"viewers": "unique_viewers", "viewer_minutes": "viewer_minutes",
         "peak_viewers": "peak_concurrent", "diamonds": "diamonds"}


def _grid(ax, n, figsize=None):
    """``n`` Axes: the given ones, or a new figure of 1 x n (n <= 2) or 2 rows."""
    if ax is not None:
        axes = tuple(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
        if len(axes) != n:
            raise SimkitError(f"`ax` must be a sequence of {n} Axes, got {len(axes)}")
        return axes
    from matplotlib.figure import Figure

    rows, cols = (1, n) if n <= 2 else (2, -(-n // 2))
    if figsize is None:
        figsize = (_style.FIGSIZE[0] * (1 if cols == 1 else 0.7 * cols),
                   _style.FIGSIZE[1] * (0.8 * rows if rows > 1 else 1))
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for a in axes[n:]:
        a.set_visible(False)
    return tuple(axes[:n])


def _fit_data(history, samples, metrics):
    """``{metric: (observed, simulated)}`` checked: the shared part of the
    ``_fit_*_iv`` functions."""
    if not isinstance(samples, dict) or not samples:
        raise SimkitError("`samples` must be a dict metric -> (paths, LIVEs) array "
                          "(see simkit.calibrate.predict)")
    metrics = tuple(samples) if metrics is None else tuple(metrics)
    if not metrics:
        raise SimkitError("`metrics` must name at least one history column")
    out = {}
    for m in metrics:
        if m not in samples:
            raise SimkitError(f"`samples` has no `{m}`")
        obs = getattr(history, m, None) if not isinstance(history, dict) \
            else history.get(m)
        if obs is None:
            raise SimkitError(f"the history has no `{m}` column")
        y = np.asarray(obs, dtype=float)
        x = np.asarray(samples[m], dtype=float)
        if x.ndim != 2 or x.shape[1] != y.size or x.shape[0] < 2:
            raise SimkitError(f"`samples[{m!r}]` must have shape (paths >= 2, "
                              f"{y.size}), got {x.shape}")
        out[m] = (y, x)
    return out


def _fit_quantiles_iv(history, samples, metrics, level):
    """Input validation for :func:`fit_quantiles`: ``(data, level)``."""
    return (_fit_data(history, samples, metrics),
            _style.validate_levels([level], "level")[0])


def _fit_over_time_iv(history, samples, metrics, levels):
    """Input validation for :func:`fit_over_time`: ``(data, starts, levels)``."""
    data = _fit_data(history, samples, metrics)
    start = getattr(history, "start", None)
    if start is None:
        raise SimkitError("the history has no `start` column")
    return (data, np.asarray(start, dtype="datetime64[m]"),
            _style.validate_levels(levels))


def _fit_diagnostics_iv(history, samples, metrics, level, levels):
    """Input validation for :func:`fit_diagnostics`: the checked data."""
    _fit_quantiles_iv(history, samples, metrics, level)
    data, _, _ = _fit_over_time_iv(history, samples, metrics, levels)
    return data


def fit_quantiles(history, samples, *, metrics=None, level=0.9, ax=None, title=None):
    """Quantile-quantile plots of observed per-LIVE values against simulated ones.

    Parameters
    ----------
    history : History or dict
        The observed LIVEs (columns ``viewers``, ``viewer_minutes``, ...).
    samples : dict
        Metric -> simulated values (paths, LIVEs) of the same LIVEs.
    metrics : sequence of str, optional
        Columns to show (default: every key of ``samples``), one panel each.
    level : float
        Level of the pointwise envelope of simulated histories.
    ax : sequence of Axes, optional
        One Axes per metric; by default a new figure.
    title : str, optional
        Title of the first panel (default: the metric's name).

    Returns
    -------
    tuple of matplotlib.axes.Axes
        One per metric; the figure is ``axes[0].figure``.

    Notes
    -----
    The ``i``-th smallest observed value is plotted against the mean of the
    ``i``-th smallest values of the simulated histories (each path is one
    history of the same LIVEs), so a calibrated model puts the points on the
    diagonal; the grey envelope holds the ``i``-th smallest value of a
    simulated history with probability ``level``. Points above the envelope
    at the right end mean the observed tail is heavier than the model's.
    Log axes when every value is positive.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(12345)
    >>> sim = {"viewers": rng.lognormal(7, 0.4, (500, 30))}
    >>> axes = fit_quantiles({"viewers": rng.lognormal(7, 0.4, 30)}, sim)
    >>> axes[0].get_xlabel()
    'Simulated (mean order statistic)'
    """
    data, level = _fit_quantiles_iv(history, samples, metrics, level)
    axes = _grid(ax, len(data))
    for k, (a, (m, (y, x))) in enumerate(zip(axes, data.items())):
        n = y.size
        srt = np.sort(x, axis=1)          # each simulated history, sorted
        ref = srt.mean(axis=0)
        lo, hi = np.quantile(srt, [(1 - level) / 2, (1 + level) / 2], axis=0)
        ys = np.sort(y)
        log = bool(np.all(ys > 0) and np.all(lo > 0))
        a.fill_between(ref, lo, hi, color=_style.BAND_GREYS[1], linewidth=0,
                       label=f"{level:.0%} envelope of simulated histories")
        lim = [min(ref.min(), ys.min()), max(ref.max(), ys.max())]
        a.plot(lim, lim, color=_style.COLORS[0], linestyle="--", linewidth=1.0,
               label="observed = simulated")
        a.plot(ref, ys, linestyle="none", marker="o", markersize=4,
               markerfacecolor="white", markeredgecolor=_style.COLORS[1],
               label=f"observed ({n} LIVEs)")
        out = (ys < lo) | (ys > hi)
        if out.any():
            a.plot(ref[out], ys[out], linestyle="none", marker="x", markersize=6,
                   color=_style.COLORS[2], label="outside the envelope")
        if log:
            _style.apply_value_axis(a, "x", _UNIT.get(m), log=True)
            _style.apply_value_axis(a, "y", _UNIT.get(m), log=True)
        else:
            _style.apply_value_axis(a, "x", _UNIT.get(m))
            _style.apply_value_axis(a, "y", _UNIT.get(m))
        name = HISTORY_LABELS.get(m, m)
        _style.finish(a, title=(title if k == 0 and title else name),
                      xlabel="Simulated (mean order statistic)",
                      ylabel="Observed", legend=k == 0, legend_loc="upper left")
    return axes


def fit_over_time(history, samples, *, metrics=None, levels=(0.5, 0.9), ax=None,
                  title=None):
    """Observed per-LIVE values over time inside the simulated bands of each LIVE.

    Parameters
    ----------
    history : History
        The observed LIVEs (with ``start``).
    samples : dict
        Metric -> simulated values (paths, LIVEs) of the same LIVEs.
    metrics : sequence of str, optional
        Columns to show (default: every key of ``samples``), one panel each.
    levels : sequence of float
        Central bands of each LIVE's simulated values.
    ax : sequence of Axes, optional
        One Axes per metric; by default a new figure.
    title : str, optional
        Title of the first panel.

    Returns
    -------
    tuple of matplotlib.axes.Axes

    Notes
    -----
    A calibrated model leaves about ``1 - L`` of the points outside its
    ``L`` band, scattered in time; runs of points on one side show a trend the
    model misses (growth, a changed schedule), and points far outside show
    tails heavier than the model's shocks.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> rng = np.random.default_rng(12345)
    >>> h = SimpleNamespace(start=np.datetime64("2026-01-06T20:00")
    ...                     + np.arange(20) * np.timedelta64(2, "D"),
    ...                     viewers=rng.poisson(900, 20))
    >>> axes = fit_over_time(h, {"viewers": rng.poisson(900, (400, 20))})
    >>> axes[0].get_ylabel()
    'Unique viewers'
    """
    data, x, levels = _fit_over_time_iv(history, samples, metrics, levels)
    axes = _grid(ax, len(data))
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    for k, (a, (m, (y, sim))) in enumerate(zip(axes, data.items())):
        if x.size != y.size:
            raise SimkitError(f"`start` has {x.size} LIVEs, `{m}` {y.size}")
        xd = x.astype("datetime64[s]").astype(object)
        got = _style.draw_bands(a, xd, sim, levels, mean=False)
        outer = got[((1 - levels[0]) / 2, (1 + levels[0]) / 2)]
        inside = (y >= outer[0]) & (y <= outer[1])
        a.plot(xd, y, linestyle="none", marker="o", markersize=4,
               markerfacecolor="white", markeredgecolor=_style.COLORS[1],
               label="observed")
        if (~inside).any():
            a.plot(np.asarray(xd)[~inside], y[~inside], linestyle="none", marker="x",
                   markersize=6, color=_style.COLORS[2],
                   label=f"outside the {levels[0]:.0%} band "
                         f"({int((~inside).sum())} of {y.size})")
        a.set_ylim(bottom=0)
        loc = AutoDateLocator(maxticks=6)
        a.xaxis.set_major_locator(loc)
        a.xaxis.set_major_formatter(ConciseDateFormatter(loc))
        _style.apply_value_axis(a, "y", _UNIT.get(m))
        name = HISTORY_LABELS.get(m, m)
        _style.finish(a, title=(title if k == 0 and title else name), xlabel=None,
                      ylabel=name, legend=k == 0, legend_loc="upper left",
                      legend_kw={"fontsize": 7})
    return axes


def fit_diagnostics(history, samples, *, metrics=None, level=0.9, levels=(0.5, 0.9),
                    title=None):
    """Both fit diagnostics in one figure: a row per metric, the quantile-quantile
    plot (:func:`fit_quantiles`) on the left, the LIVEs through time
    (:func:`fit_over_time`) on the right.

    Returns
    -------
    numpy.ndarray of Axes, shape (metrics, 2)

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> rng = np.random.default_rng(12345)
    >>> h = SimpleNamespace(start=np.datetime64("2026-01-06T20:00")
    ...                     + np.arange(20) * np.timedelta64(2, "D"),
    ...                     viewers=rng.poisson(900, 20), diamonds=rng.poisson(50, 20))
    >>> sim = {"viewers": rng.poisson(900, (300, 20)),
    ...        "diamonds": rng.poisson(50, (300, 20))}
    >>> fit_diagnostics(h, sim).shape
    (2, 2)
    """
    from matplotlib.figure import Figure

    data = _fit_diagnostics_iv(history, samples, metrics, level, levels)
    k = len(data)
    fig = Figure(figsize=(_style.FIGSIZE[0] * 1.6, 3.3 * k), dpi=100,
                 layout="constrained")
    axes = fig.subplots(k, 2, squeeze=False)
    fit_quantiles(history, samples, metrics=tuple(data), level=level,
                  ax=axes[:, 0])
    fit_over_time(history, samples, metrics=tuple(data), levels=levels,
                  ax=axes[:, 1])
    if title:
        fig.suptitle(_style.escape(title), fontsize=11, x=0.01, ha="left")
    return axes


def _backtest_calibration_iv(result):
    """Input validation for :func:`backtest_calibration`: a BacktestResult."""
    if not hasattr(result, "pit") or not hasattr(result, "coverage"):
        raise SimkitError("`result` must be a BacktestResult (see simkit.backtest), "
                          f"got {type(result).__name__}")
    return result


def backtest_calibration(result, *, ax=None, title=None):
    """Coverage of held-out LIVEs against nominal, and the PIT histograms.

    Parameters
    ----------
    result : BacktestResult
        From :func:`simkit.backtest`.
    ax : sequence of 2 Axes, optional
        Axes to draw on; by default a new figure with two panels.
    title : str, optional
        Title of the left panel.

    Returns
    -------
    (Axes, Axes)
        Left: observed coverage of each metric at each level with ±1.96
        binomial standard errors (nominal on the diagonal, the grey band the
        tolerance of a correct model). Right: the PIT histogram of each
        metric as a step line (density; flat at 1 when calibrated).

    Examples
    --------
    >>> import numpy as np
    >>> from simkit.calibrate import evaluate
    >>> rng = np.random.default_rng(12345)
    >>> r = evaluate({"viewers": rng.normal(size=(500, 40))},
    ...              {"viewers": rng.normal(size=40)})
    >>> left, right = backtest_calibration(r)
    >>> right.get_xlabel()
    'PIT (share of simulated values below the observed)'
    """
    result = _backtest_calibration_iv(result)
    left, right = _style.new_axes(ax, ncols=2)
    lv = np.asarray(result.levels, dtype=float)
    grid = np.linspace(0.0, 1.0, 101)
    tol = 1.959963984540054 * np.sqrt(grid * (1 - grid) / result.n)
    left.fill_between(grid, grid - tol, grid + tol, color=_style.BAND_GREYS[0],
                      linewidth=0, label="tolerance of a correct model")
    left.plot([0, 1], [0, 1], color="black", linestyle="--", linewidth=1.0,
              label="nominal")
    w = 0.012
    for k, m in enumerate(result.metrics):
        c = np.array([result.coverage(m, v) for v in lv])
        se = np.array([result.coverage_se(m, v) for v in lv])
        off = (k - (len(result.metrics) - 1) / 2) * w
        left.errorbar(lv + off, c, yerr=1.96 * se, linestyle="none",
                      marker="osD^v<>"[k % 7], markersize=5,
                      color=_style.COLORS[(k + 1) % len(_style.COLORS)],
                      capsize=2, label=HISTORY_LABELS.get(m, m))
    lo = max(0.0, float(lv.min()) - 0.25)
    left.set_xlim(lo, 1.0)
    left.set_ylim(lo, 1.0)
    from matplotlib.ticker import PercentFormatter

    for axis in (left.xaxis, left.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _style.finish(left, title=title or f"Coverage of {result.n} held-out LIVEs",
                  xlabel="Nominal level of the interval", ylabel="Observed coverage",
                  legend_loc="upper left", legend_kw={"fontsize": 7})
    bins = np.linspace(0.0, 1.0, 11)
    for k, m in enumerate(result.metrics):
        dens = result.pit_histogram(m, bins=10) * 10.0 / result.n
        right.stairs(dens, bins, color=_style.COLORS[(k + 1) % len(_style.COLORS)],
                     linestyle=_style.LINESTYLES[(k + 1) % len(_style.LINESTYLES)],
                     linewidth=1.4, label=HISTORY_LABELS.get(m, m))
    right.axhline(1.0, color="black", linestyle="--", linewidth=1.0,
                  label="calibrated (flat)")
    right.set_xlim(0, 1)
    right.set_ylim(bottom=0)
    _style.finish(right, title="PIT histograms", xlabel="PIT (share of simulated "
                  "values below the observed)", ylabel="Density",
                  legend_loc="upper center", legend_kw={"fontsize": 7})
    return left, right
