"""Sensitivity charts: tornado, spider, and Sobol' / Morris index bars."""

from __future__ import annotations

import numpy as np

from .. import _validate
from .. import metrics as _metrics
from .._text import setting
from ..errors import SimkitError
from . import _style

__all__ = ["tornado", "spider", "sensitivity_indices"]


def _tornado_iv(result, max_params):
    """Input validation for :func:`tornado`: the entries to draw."""
    needed = ("entries", "base_mean", "metric")
    if not all(hasattr(result, a) for a in needed):
        raise SimkitError("`result` must be a TornadoResult from simkit.analysis."
                          f"sensitivity.tornado, got {type(result).__name__}")
    entries = list(result.entries)
    if not entries:
        raise SimkitError("the tornado result has no inputs to plot")
    if max_params is not None:
        max_params = _validate.integer(max_params, "max_params")
        entries = sorted(entries, key=lambda e: -e.swing)[:max_params]
    return entries


def tornado(result, *, ax=None, max_params=None, errorbars=True, title=None):
    r"""Draw a tornado chart: how far each input moves the mean of the output.

    One row per input, largest swing on top. From the base mean (vertical
    line), a hatched light bar reaches the mean at the input's low value and
    a dark bar the mean at its high value; whiskers show ±1.96 paired
    standard errors (a 95% interval for each shift).

    Parameters
    ----------
    result : TornadoResult
        From :func:`simkit.analysis._sensitivity.tornado`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure, taller with more inputs.
    max_params : int, optional
        Show only the inputs with the largest swings.
    errorbars : bool
        Draw the ±1.96 s.e. whiskers.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the figure is ``ax.figure``.

    Raises
    ------
    SimkitError
        Not a tornado result, or no inputs.

    See Also
    --------
    simkit.analysis._sensitivity.tornado : computes the result.

    Examples
    --------
    >>> from simkit.analysis import TornadoEntry, TornadoResult
    >>> e = [TornadoEntry("audience.join_rate", 0.04, 0.03, 0.05, 800, 1200, 5, 6),
    ...      TornadoEntry("money.creator_share", 0.5, 0.375, 0.625, 900, 1100, 3, 3)]
    >>> res = TornadoResult("demo", "income_total", 1000, 0, 1000.0, 20.0, tuple(e))
    >>> ax = tornado(res)
    >>> [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    ['join rate', "creator's share"]
    """
    entries = _tornado_iv(result, max_params)
    entries = sorted(entries, key=lambda e: (-e.swing, e.key))
    n = len(entries)
    if ax is None:
        ax = _style.new_axes(None, figsize=(_style.FIGSIZE[0], 1.6 + 0.5 * n))
    metric = result.metric
    base = float(result.base_mean)
    y = np.arange(n)[::-1]  # largest swing on top
    low = np.array([e.low_mean for e in entries]) - base
    high = np.array([e.high_mean for e in entries]) - base
    ax.barh(y, low, left=base, height=0.62, color="#e0e0e0", hatch="///",
            edgecolor="#333333", linewidth=0.7, label="input at its low value")
    ax.barh(y, high, left=base, height=0.62, color="#5a5a5a", edgecolor="#333333",
            linewidth=0.7, label="input at its high value")
    if errorbars:
        for vals, ses in ((low, [e.low_stderr for e in entries]),
                          (high, [e.high_stderr for e in entries])):
            ax.errorbar(base + vals, y, xerr=1.96 * np.asarray(ses, dtype=float),
                        fmt="none", ecolor="black", elinewidth=0.9, capsize=2.5)
    fv = lambda v: _style.text_value(v, metric)  # noqa: E731
    from .._words import about

    unit = _metrics.UNITS.get(metric, "")
    short = lambda v: _style.escape(about(v, unit))  # noqa: E731 - 3 digits
    ax.axvline(base, color="black", linewidth=1.2,
               label=f"base mean {fv(base)} ± {fv(result.base_stderr)}")
    low_se = 1.96 * np.array([e.low_stderr for e in entries], dtype=float)
    high_se = 1.96 * np.array([e.high_stderr for e in entries], dtype=float)
    reach = np.abs(np.concatenate([low, high])) + np.concatenate([low_se, high_se])
    span = float(np.nanmax(reach)) or max(abs(base), 1.0)
    for yi, lo_d, hi_d, lo_s, hi_s in zip(y, low, high, low_se, high_se):
        if lo_d == 0 and hi_d == 0:
            ax.text(base + 0.02 * span, yi, "no effect", ha="left", va="center",
                    fontsize=7.5, color="#444444")
            continue
        for d, se in ((lo_d, lo_s), (hi_d, hi_s)):
            sign = "+" if d > 0 else ("−" if d < 0 else "±")
            pad = (se if errorbars and np.isfinite(se) else 0.0) + 0.02 * span
            ax.text(base + d + (pad if d >= 0 else -pad), yi, f"{sign}{short(abs(d))}",
                    ha="left" if d >= 0 else "right", va="center", fontsize=7.5)
    from .._words import param_name

    labels = [f"{param_name(e.key)}\n{setting(e.low_value)} / {setting(e.high_value)}"
              for e in entries]
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7 - (0.9 if n < 4 else 0.0), n - 0.3)
    ax.set_xlim(base - 1.35 * span, base + 1.35 * span)
    _style.apply_value_axis(ax, "x", metric)
    if title is None:
        title = f"What moves the mean {_style.metric_name(metric).lower()} — " \
                f"{result.scenario}"
    _style.finish(ax, title=title,
                  xlabel=_style.metric_label(metric, prefix="Mean ") +
                  f"; shifts from {result.paths:,} paths, same random numbers",
                  ylabel=None, legend_loc="lower right", grid_axis="x")
    return ax


def _sensitivity_indices_iv(result):
    """Input validation for :func:`sensitivity_indices`: the result's rows."""
    if not all(hasattr(result, a) for a in ("method", "indices", "rows", "keys")):
        raise SimkitError("`result` must be a SensitivityResult from "
                          f"simkit.sensitivity, got {type(result).__name__}")
    return result.rows()


def sensitivity_indices(result, *, ax=None, title=None):
    """Bar chart of Sobol' S1 and ST (or Morris mu* and sigma) with their intervals.

    One pair of horizontal bars per input, largest total effect on top: the
    first-order index ``S1`` (light, hatched) and the total index ``ST``
    (dark), each with a whisker for its bootstrap interval. For a Morris
    result the bars are ``mu*`` (with its interval) and ``sigma``.

    Parameters
    ----------
    result : SensitivityResult
        From :func:`simkit.sensitivity`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure, taller with more inputs).
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SimkitError
        Not a sensitivity result.

    See Also
    --------
    simkit.sensitivity : computes the result.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit.analysis import SensitivityResult
    >>> idx = {"S1": np.array([0.6, 0.1]), "S1_conf": np.array([0.05, 0.04]),
    ...        "ST": np.array([0.7, 0.3]), "ST_conf": np.array([0.06, 0.05])}
    >>> res = SensitivityResult("sobol", "demo", "income_total", ("a.x", "b.y"),
    ...                         ("uniform", "uniform"), idx, 256, 16, 0, 1024, 0.95,
    ...                         100.0, 25.0, 0.01)
    >>> ax = sensitivity_indices(res)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a.x', 'b.y']
    """
    rows = _sensitivity_indices_iv(result)
    n = len(rows)
    if ax is None:
        ax = _style.new_axes(None, figsize=(_style.FIGSIZE[0], 1.6 + 0.55 * n))
    y = np.arange(n)[::-1]
    pct = round(100 * result.conf_level)
    if result.method == "sobol":
        pairs = (("S1", "S1_conf", "first order S1 (alone)"),
                 ("ST", "ST_conf", "total ST (with interactions)"))
        xlabel = (f"Share of the variance of mean {result.metric} "
                  f"(whiskers: {pct}% intervals)")
    else:
        pairs = (("mu_star", "mu_star_conf", "mu* (importance)"),
                 ("sigma", None, "sigma (interactions, non-linearity)"))
        xlabel = (f"Effect on mean {result.metric} across each input's range "
                  f"({pct}% intervals)")
    h = 0.38
    for off, (name, conf, label), style in zip(
            (h / 2, -h / 2), pairs,
            ({"color": "#e0e0e0", "hatch": "///"}, {"color": "#5a5a5a"})):
        v = np.array([r[name] for r in rows])
        ax.barh(y + off, v, height=h, edgecolor="#333333", linewidth=0.7,
                label=label, **style)
        if conf is not None:
            ax.errorbar(v, y + off, xerr=np.array([r[conf] for r in rows]),
                        fmt="none", ecolor="black", elinewidth=0.9, capsize=2.5)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(y, [r["input"] for r in rows])
    if result.method == "sobol":
        hi = max(1.0, max(r["ST"] + r["ST_conf"] for r in rows))
        ax.set_xlim(min(0.0, min(r["S1"] - r["S1_conf"] for r in rows)) - 0.02,
                    hi + 0.02)
    if title is None:
        name = _style.metric_name(result.metric).lower()
        title = f"What drives the spread of {name} — {result.scenario}"
    _style.finish(ax, title=title, xlabel=xlabel, ylabel=None,
                  legend_loc="lower right", grid_axis="x")
    return ax


def _spider_iv(result):
    """Input validation for :func:`spider`: a SpiderResult."""
    if not all(hasattr(result, a) for a in ("levels", "means", "keys", "values")):
        raise SimkitError("`result` must be a SpiderResult from simkit.analysis."
                          f"sensitivity.spider, got {type(result).__name__}")
    return result


def spider(result, *, ax=None, title=None, errorbars=True):
    """Spider chart: the metric's mean against each uncertain input's percentile.

    One line per input (largest range on top of the legend) through the mean
    with the input fixed at its quantile at each level; a horizontal line at
    the mean with every distribution in place.

    Parameters
    ----------
    result : SpiderResult
        From :func:`simkit.analysis._sensitivity.spider`.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    errorbars : bool
        Whiskers of ±1.96 paired standard errors.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SimkitError
        Not a spider result.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit.analysis import SpiderResult
    >>> res = SpiderResult("demo", "income_total", 100, 0, 500.0, 5.0, (0.1, 0.5, 0.9),
    ...                    ("a.x",), np.array([[1.0, 2.0, 3.0]]),
    ...                    np.array([[400.0, 500.0, 650.0]]), np.array([[3.0, 0, 3.0]]))
    >>> ax = spider(res)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][0]
    'a.x'
    """
    result = _spider_iv(result)
    ax = _style.new_axes(ax)
    x = 100.0 * np.asarray(result.levels)
    for i, key in enumerate(result.keys):
        st = {"color": _style.COLORS[i % len(_style.COLORS)],
              "linestyle": _style.LINESTYLES[(i // len(_style.COLORS))
                                             % len(_style.LINESTYLES)]}
        ax.plot(x, result.means[i], marker="o", markersize=3.5, linewidth=1.4,
                label=key, **st)
        if errorbars:
            ax.errorbar(x, result.means[i], yerr=1.96 * result.stderrs[i], fmt="none",
                        ecolor=st["color"], elinewidth=0.8, capsize=2)
    fv = lambda v: _style.text_value(v, result.metric)  # noqa: E731
    ax.axhline(result.base_mean, color="#777777", linewidth=1.0, linestyle=":",
               label=f"every input uncertain: {fv(result.base_mean)}")
    ax.set_xticks(x, [f"P{v:g}" for v in x])
    _style.apply_value_axis(ax, "y", result.metric)
    if title is None:
        title = (f"Mean {_style.metric_name(result.metric).lower()} against each "
                 f"input's percentile — {result.scenario}")
    _style.finish(ax, title=title,
                  xlabel=f"Percentile of the input (others uncertain; {result.paths:,} "
                  "paths, same random numbers)",
                  ylabel=_style.metric_label(result.metric, prefix="Mean "),
                  legend_loc="best")
    return ax
