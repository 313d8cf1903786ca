"""Distributions over paths: one result's histogram, several results' ECDFs."""

from __future__ import annotations

import numpy as np

from .. import _validate
from ..errors import SimkitError
from . import _style

__all__ = ["income_distribution", "compare_distributions"]

_MAX_BINS = 100


def _values(result, metric):
    x = np.asarray(result[metric], dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise SimkitError(f"`{metric}` must hold one value per path, got shape "
                          f"{x.shape}")
    if not np.all(np.isfinite(x)):
        raise SimkitError(f"`{metric}` holds non-finite values")
    return x


def _bin_edges(x, bins, log):
    if log:
        lo, hi = float(x.min()), float(x.max())
        if isinstance(bins, str):
            n = np.histogram_bin_edges(np.log10(x), bins=bins).size - 1
        else:
            n = int(bins)
        n = int(np.clip(n, 1, _MAX_BINS))
        if lo == hi:
            lo, hi = lo / 1.5, hi * 1.5
        return np.geomspace(lo, hi, n + 1)
    if isinstance(bins, str):
        edges = np.histogram_bin_edges(x, bins=bins)
        if edges.size - 1 > _MAX_BINS:
            edges = np.linspace(edges[0], edges[-1], _MAX_BINS + 1)
        return edges
    return np.histogram_bin_edges(x, bins=int(bins))


def _income_distribution_iv(result, metric, kind, bins, log):
    """Input validation for :func:`income_distribution`: ``(values, shown)``."""
    _validate.choice(kind, "kind", ("hist", "density"))
    if not isinstance(bins, str):
        try:
            _validate.integer(bins, "bins")
        except SimkitError:
            raise SimkitError(f"`bins` must be a positive integer or a numpy rule "
                              f"name, got {bins!r}") from None
    x = _values(result, metric)
    shown = x
    if log:
        shown = x[x > 0]
        if shown.size == 0:
            raise SimkitError(f"`log=True` needs positive values of `{metric}`; "
                              f"every path is <= 0")
    return x, shown


def income_distribution(result, metric="income_total", *, ax=None, kind="hist",
                        bins="auto", log=False, target=None, title=None):
    """Plot the distribution of a horizon total over paths.

    The histogram (or kernel density) of ``result[metric]`` with the P5, P50
    and P95 quantiles and the mean marked, each with its value in the legend.

    Parameters
    ----------
    result : SimulationResult
        A simulation result.
    metric : str
        A per-path total (see :data:`simkit.metrics.TOTALS`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is created.
    kind : {"hist", "density"}
        Histogram of path counts, or a Gaussian kernel density estimate.
    bins : int or str
        Number of bins or a :func:`numpy.histogram_bin_edges` rule (at most
        100 bins are used with a rule).
    log : bool
        Logarithmic value axis with log-spaced bins, for heavy tails. Paths at
        or below zero cannot be shown; their count is given in the legend.
    target : float, optional
        Also mark this value and the share of paths above it.
    title : str, optional
        Title (default: the metric and the result name).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the figure is ``ax.figure``.

    Raises
    ------
    SimkitError
        Unknown metric, bad ``kind``/``bins``, or ``log=True`` with no positive value.

    See Also
    --------
    compare_distributions : ECDFs of several variants and their paired difference.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> rng = np.random.default_rng(12345)
    >>> res = SimulationResult("demo", {"income_total": rng.lognormal(6, 1, 500)})
    >>> ax = income_distribution(res, log=True)
    >>> ax.get_xlabel()
    'Total income (USD)'
    >>> ax.figure.savefig("/tmp/income.png")  # doctest: +SKIP
    """
    x, shown = _income_distribution_iv(result, metric, kind, bins, log)
    ax = _style.new_axes(ax)
    n = x.size
    hidden = n - shown.size
    edges = _bin_edges(shown, bins, log)
    fill, edge = "#c8c8c8", "#555555"
    ylabel = "Paths"
    if kind == "density" and np.ptp(shown) > 0 and shown.size > 1:
        from scipy.stats import gaussian_kde

        if log:
            lx = np.log10(shown)
            pad = 0.05 * np.ptp(lx)
            grid = np.linspace(lx.min() - pad, lx.max() + pad, 400)
            dens = gaussian_kde(lx)(grid) * shown.size / n
            grid = 10.0 ** grid
            ylabel = "Density (per decade)"
        else:
            pad = 0.05 * np.ptp(shown)
            grid = np.linspace(shown.min() - pad, shown.max() + pad, 400)
            if shown.min() >= 0:
                grid = grid[grid >= 0]
            dens = gaussian_kde(shown)(grid)
            unit = _style._metrics.UNITS.get(metric)
            ylabel = f"Density (per {unit})" if unit else "Density"
        ax.fill_between(grid, dens, color=fill, linewidth=0)
        ax.plot(grid, dens, color=edge, linewidth=1.0,
                label=f"density, {n:,} paths")
    else:
        ax.hist(shown, bins=edges, color=fill, edgecolor=edge, linewidth=0.5,
                label=f"{n:,} paths")
    q5, q50, q95 = np.quantile(x, (0.05, 0.5, 0.95))
    mean = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    fv = lambda v: _style.text_value(v, metric)  # noqa: E731
    marks = [
        (q5, ":", "black", 1.3, f"P5  {fv(q5)}"),
        (q50, "--", "black", 1.5, f"median  {fv(q50)}"),
        (q95, (0, (1, 1, 4, 1)), "black", 1.3, f"P95  {fv(q95)}"),
        (mean, "-", _style.COLORS[1], 1.8, f"mean  {fv(mean)} ± {fv(se)} s.e."),
    ]
    for v, ls, color, lw, label in marks:
        if log and v <= 0:
            label += " (not shown)"
        ax.axvline(v, color=color, linestyle=ls, linewidth=lw, label=label)
    if target is not None:
        p = float(np.mean(x > target))
        ax.axvline(float(target), color=_style.COLORS[2], linestyle="-.", linewidth=1.5,
                   label=f"target {fv(target)}: P(above) = {p:.1%}")
    if hidden:
        ax.plot([], [], " ", label=f"{hidden:,} paths <= 0 not shown")
    if log:
        ax.set_xscale("log")
        ax.set_xlim(edges[0] / 1.2, edges[-1] * 1.2)
    elif 0 <= shown.min() < 0.5 * np.ptp(shown):  # near zero: show the origin
        ax.set_xlim(left=0.0)
    _style.apply_value_axis(ax, "x", metric, log=log)
    if title is None:
        title = (f"{_style.metric_name(metric)} {_style.period(result)} — "
                 f"{result.name}")
    _style.finish(ax, title=title, xlabel=_style.metric_label(metric), ylabel=ylabel,
                  legend_loc="best", grid_axis="y")
    return ax


def _ecdf_points(x, max_points):
    xs = np.sort(x)
    n = xs.size
    y = np.arange(1, n + 1) / n
    if n > max_points:  # exact ECDF points at evenly spaced ranks
        idx = np.unique(np.linspace(0, n - 1, max_points).round().astype(int))
        xs, y = xs[idx], y[idx]
    return np.concatenate([[xs[0]], xs]), np.concatenate([[0.0], y])


def _compare_distributions_iv(results, metric, labels, baseline, max_points=2,
                              log=False):
    """Input validation for :func:`compare_distributions`:
    ``(names, values, baseline index, max_points)``."""
    max_points = _validate.integer(max_points, "max_points", minimum=2)
    items = _style.named_results(results, labels, minimum=2)
    names = [k for k, _ in items]
    if isinstance(baseline, str):
        if baseline not in names:
            raise SimkitError(f"`baseline` must be one of {', '.join(names)}, "
                              f"got {baseline!r}")
        b = names.index(baseline)
    else:
        try:
            b = _validate.integer(baseline, "baseline", minimum=0,
                                  maximum=len(items) - 1)
        except SimkitError:
            raise SimkitError(f"`baseline` must be a label or an index in "
                              f"[0, {len(items) - 1}], got {baseline!r}") from None
    values = [_values(r, metric) for _, r in items]
    for (name, _), v in zip(items, values):
        if v.shape != values[b].shape:
            raise SimkitError(f"paired differences need the same number of paths: "
                              f"{name!r} has {v.size:,}, {names[b]!r} has "
                              f"{values[b].size:,}")
    if log and not any(np.any(x > 0) for x in values):
        raise SimkitError(f"`log=True` needs positive values of `{metric}`; every "
                          "path of every variant is <= 0")
    return names, values, b, max_points


def compare_distributions(results, metric="income_total", *, ax=None, baseline=0,
                          labels=None, log=False, title=None, max_points=2000):
    """Overlay the ECDFs of several results and plot their paired differences.

    Left panel: the empirical cumulative distribution function of ``metric``
    for every result. Right panel: the distribution of the per-path
    difference of each result minus the baseline. Results simulated under one
    seed share random numbers path by path (common random numbers), so the
    paired difference is much less noisy than the gap between two ECDFs.

    Parameters
    ----------
    results : sequence of SimulationResult or dict[str, SimulationResult]
        Two or more results with the same number of paths (variants of one
        scenario under one seed).
    metric : str
        A per-path total.
    ax : pair of matplotlib.axes.Axes, optional
        ``(ecdf_ax, diff_ax)`` to draw on; by default a new two-panel figure.
    baseline : int or str
        Index or label of the result the others are compared with.
    labels : sequence of str, optional
        Legend labels (default: dict keys, else variant names).
    log : bool
        Logarithmic value axis for the ECDFs.
    title : str, optional
        Title of the ECDF panel.
    max_points : int
        At most this many ECDF points per line (exact points at evenly spaced
        ranks), which keeps vector output small.

    Returns
    -------
    tuple of matplotlib.axes.Axes
        ``(ecdf_ax, diff_ax)``; the figure is ``ecdf_ax.figure``.

    Raises
    ------
    SimkitError
        Fewer than two results, different path counts, bad ``baseline``.

    See Also
    --------
    income_distribution : one result's histogram.
    simkit.analysis.compare : the paired comparison as numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> rng = np.random.default_rng(12345)
    >>> base = rng.lognormal(6, 1, 500)
    >>> a = SimulationResult("s:ad_hoc", {"income_total": base})
    >>> b = SimulationResult("s:consistent", {"income_total": base * 1.2})
    >>> ecdf_ax, diff_ax = compare_distributions([a, b])
    >>> [t.get_text() for t in ecdf_ax.get_legend().get_texts()][0][:6]
    'ad_hoc'
    """
    names, values, b, max_points = _compare_distributions_iv(
        results, metric, labels, baseline, max_points, log)
    ecdf_ax, diff_ax = _style.new_axes(ax, ncols=2)
    fv = lambda v: _style.text_value(v, metric)  # noqa: E731
    nstyle = len(_style.COLORS)
    for i, (name, x) in enumerate(zip(names, values)):
        xs, ys = _ecdf_points(x, int(max_points))
        ecdf_ax.step(xs, ys, where="post", color=_style.COLORS[i % nstyle],
                     linestyle=_style.LINESTYLES[i % nstyle], linewidth=1.5,
                     label=f"{name} (mean {fv(x.mean())})")
    ecdf_ax.set_ylim(0, 1.02)
    _style.apply_value_axis(ecdf_ax, "x", metric, log=log)
    from matplotlib.ticker import PercentFormatter

    ecdf_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if title is None:
        title = f"{_style.metric_name(metric)}: distribution by variant"
    _style.finish(ecdf_ax, title=title, xlabel=_style.metric_label(metric),
                  ylabel="Share of paths at or below", legend_loc="lower right")

    diffs = [(i, values[i] - values[b]) for i in range(len(values)) if i != b]
    pooled = np.concatenate([d for _, d in diffs])
    lo, hi = np.quantile(pooled, (0.005, 0.995))
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    nb = np.histogram_bin_edges(pooled[(pooled >= lo) & (pooled <= hi)], "auto").size
    edges = np.linspace(lo, hi, int(np.clip(nb, 10, 60)))
    outside, top = 0, 0.0
    for i, d in diffs:
        color, ls = _style.COLORS[i % nstyle], _style.LINESTYLES[i % nstyle]
        n = d.size
        m = float(d.mean())
        half = 1.96 * float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        p = float(np.mean(d > 0))
        outside += int(np.sum((d < lo) | (d > hi)))
        counts, _, _ = diff_ax.hist(
            d, bins=edges, histtype="step", color=color, linestyle=ls, linewidth=1.5,
            label=f"{names[i]} − {names[b]}: mean {fv(m)} ± {fv(half)} (95% CI), "
                  f"P(> 0) = {p:.1%}")
        top = max(top, float(np.max(counts)))
        diff_ax.axvline(m, color=color, linestyle=ls, linewidth=1.0)
    diff_ax.axvline(0.0, color="#777777", linestyle="-", linewidth=0.8)
    diff_ax.set_ylim(0, top * (1.2 + 0.12 * len(diffs)) if top > 0 else 1)
    _style.apply_value_axis(diff_ax, "x", metric)
    label = _style.metric_label(metric)
    xlabel = f"Difference in {label[0].lower()}{label[1:]}"
    if outside:
        xlabel += (f"\n({outside:,} of {pooled.size:,} differences beyond "
                   "P0.5–P99.5 not shown)")
    _style.finish(diff_ax,
                  title=f"Paired difference vs {names[b]} (same random numbers)",
                  xlabel=xlabel, ylabel="Paths", legend_loc="upper left",
                  grid_axis="y")
    return ecdf_ax, diff_ax
