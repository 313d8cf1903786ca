"""Plots over the horizon: fan charts and the mix of income sources."""

from __future__ import annotations

import numpy as np

from .. import metrics as _metrics
from .. import _validate
from ..errors import SimkitError
from . import _style

__all__ = ["fan_chart", "income_sources"]


_BY_LABEL = {
    "cumulative": ("Days elapsed", "Cumulative "),
    "day": ("Day of the horizon (0 = first day)", ""),
    "stream": ("Stream number (0 = first stream)", ""),
}


def _pct(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


#: Margin above and below the bands of a per-day or per-stream fan chart, as a
#: fraction of the range of the values drawn.
_Y_MARGIN = 0.06


def _fit_limits(curves):
    """y-limits ``(bottom, top)`` that fit ``curves`` with a small margin.

    The margin is :data:`_Y_MARGIN` of the range of the finite values. For
    values that are all >= 0 the axis never goes below 0, and it starts at 0
    when the lowest value is within a quarter of the range from it (showing 0
    then costs little). Returns None when no value is finite.

    Examples
    --------
    >>> _fit_limits([np.array([480.0, 520.0]), np.array([700.0, 800.0])])
    (460.8, 819.2)
    >>> _fit_limits([np.array([5.0, 100.0])])
    (0.0, 105.7)
    """
    v = np.concatenate([np.ravel(np.asarray(c, dtype=float)) for c in curves])
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo if hi > lo else (abs(hi) or 1.0)
    pad = _Y_MARGIN * span
    bottom = lo - pad
    if lo >= 0 and (bottom < 0 or lo < 0.25 * span):
        bottom = 0.0
    return bottom, hi + pad


def _band_pairs(levels_pct):
    """Pair percent levels ``p`` and ``100 - p`` into bands, widest first."""
    lv = [float(v) for v in levels_pct]
    pairs = []
    for p in sorted(lv):
        if p < 50 and any(np.isclose(100 - p, q) for q in lv):
            pairs.append((p, 100.0 - p))
    return pairs


def _fan_chart_iv(data, metric, by, levels):
    """Input validation for :func:`fan_chart`: ``(bands, band pairs)``."""
    from ..analysis._bands import Bands, bands

    if isinstance(data, Bands):
        b = data
    else:
        _validate.choice(by, "by", tuple(_BY_LABEL))
        central = _style.validate_levels(levels)
        pct = sorted({round(100 * q, 10) for c in central
                      for q in ((1 - c) / 2, (1 + c) / 2)} | {50.0})
        b = bands(data, metric, levels=pct, by=by)
    if not any(np.isclose(b.levels, 50.0)):
        raise SimkitError("a fan chart needs the median: the bands must include "
                          "level 50")
    pairs = _band_pairs(b.levels)
    if len(pairs) > len(_style.BAND_GREYS):
        raise SimkitError(f"a fan chart shows at most {len(_style.BAND_GREYS)} bands, "
                          f"got {len(pairs)}")
    return b, pairs


def fan_chart(data, metric="income_total", *, ax=None, levels=(0.5, 0.9),
              by="cumulative", mean=True, title=None):
    """Plot nested quantile bands of a metric over the horizon (a fan chart).

    Parameters
    ----------
    data : SimulationResult or Bands
        A result simulated with ``per_stream=True`` (its bands are computed by
        :func:`simkit.analysis.bands`), or a :class:`~simkit.analysis.Bands`
        computed already (then ``metric``, ``levels`` and ``by`` are ignored
        and its levels ``p`` and ``100 - p`` are paired into bands).
    metric : str
        A per-stream metric (see :data:`simkit.metrics.PER_STREAM`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is created.
    levels : sequence of float
        Central probabilities of the bands: ``(0.5, 0.9)`` draws the P25–P75
        and P5–P95 bands (at most five levels).
    by : {"cumulative", "day", "stream"}
        ``"cumulative"``: running total over the days of the horizon (running
        maximum for ``peak_concurrent``); ``"day"``: the value of each day;
        ``"stream"``: the value of stream ``k`` of every path, whatever day it
        fell on.
    mean : bool
        Also draw the mean.
    title : str, optional
        Title (default: the metric and the result name).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the figure is ``ax.figure``.

    Raises
    ------
    SimkitError
        No per-stream metrics, an unknown metric, bad ``levels`` or ``by``.

    See Also
    --------
    simkit.analysis.bands : the band values with confidence intervals.
    income_sources : the mean split by income source over the horizon.
    concurrency_curve : bands of concurrent viewers within a stream.

    Notes
    -----
    Bands are pointwise: at each day the P5–P95 band holds 90% of the paths,
    but a single path may leave it on some days.

    The value axis of a cumulative fan starts at 0 (non-negative metrics).
    Per-day and per-stream fans fit it to the lines and bands drawn, with a
    margin of 6% of their range, never below 0 for non-negative values, and
    from 0 when the lowest value is within a quarter of the range from it.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> rng = np.random.default_rng(12345)
    >>> day = np.tile(np.arange(0, 28, 2), (300, 1))
    >>> inc = rng.lognormal(3, 1, day.shape)
    >>> res = SimulationResult("demo", {"income_total": inc.sum(1)},
    ...                        {"day": day, "income_total": inc})
    >>> ax = fan_chart(res)
    >>> len(ax.collections)  # one filled band per level
    2
    """
    b, pairs = _fan_chart_iv(data, metric, by, levels)
    ax = _style.new_axes(ax)
    x = np.asarray(b.x, dtype=float)
    rows = {float(lv): np.asarray(v, dtype=float) for lv, v in zip(b.levels, b.values)}
    get = lambda p: next(v for lv, v in rows.items() if np.isclose(lv, p))  # noqa: E731
    mean_line = np.asarray(b.mean, dtype=float)
    if b.by == "cumulative":  # value at the end of day d, from 0 at the start
        x = np.concatenate([[0.0], x + 1])
        rows = {lv: np.concatenate([[0.0], v]) for lv, v in rows.items()}
        mean_line = np.concatenate([[0.0], mean_line])
    for (lo, hi), grey in zip(pairs, _style.BAND_GREYS):  # widest, lightest first
        ax.fill_between(x, get(lo), get(hi), color=grey, linewidth=0,
                        label=f"{_pct(hi - lo)}% band (P{_pct(lo)}–P{_pct(hi)})")
    ax.plot(x, get(50.0), color="black", linestyle="-", linewidth=1.6, label="median")
    if mean:
        ax.plot(x, mean_line, color=_style.COLORS[1], linestyle="--", linewidth=1.3,
                label="mean")
    if x.size > 1:
        ax.set_xlim(x[0], x[-1])
    if b.by != "stream" and x.size > 14:
        from matplotlib.ticker import MultipleLocator

        ax.xaxis.set_major_locator(MultipleLocator(7))
    if b.by == "cumulative":  # running totals start at 0: keep 0 on the axis
        if np.nanmin(b.values) >= 0:
            ax.set_ylim(bottom=0)
    else:  # values per day or stream: fit the bands, not 0 to the top
        drawn = [get(p) for pair in pairs for p in pair] + [get(50.0)]
        limits = _fit_limits(drawn + ([mean_line] if mean else []))
        if limits is not None:
            ax.set_ylim(*limits)
    _style.apply_value_axis(ax, "y", b.metric)
    xlabel, prefix = _BY_LABEL[b.by]
    if b.by == "cumulative" and b.metric in ("peak_concurrent",):
        prefix = "Running maximum of "
    if title is None:
        what = _style.metric_name(b.metric)
        what = (prefix + what[0].lower() + what[1:]) if prefix else what
        per = {"day": " per day", "stream": " per stream"}.get(b.by, "")
        name = (b.metadata or {}).get("name", "")
        title = f"{what}{per} {_style.period(b.metadata or {})}" + (
            f" — {name}" if name else "")
    _style.finish(ax, title=title, xlabel=xlabel,
                  ylabel=_style.metric_label(b.metric, prefix=prefix),
                  legend_loc="upper left")
    return ax


#: Sources every result has; later ones (LIVE Subscriptions) are drawn only
#: when some result earned from them.
_CORE_SOURCES = _metrics.INCOME_SOURCES[:4]


def _sources(items):
    return tuple(s for s in _metrics.INCOME_SOURCES if s in _CORE_SOURCES
                 or any(s in r.totals and np.any(r[s]) for _, r in items))


def _source_means(result, sources):
    return {s: float(np.mean(result[s])) if s in result.totals else 0.0
            for s in sources}


def _source_label(source, value, total):
    label = _style.SOURCE_STYLES[source][0]
    share = f" ({value / total:.0%})" if total > 0 else ""
    return f"{label} — {_style.text_value(value, 'income_total')}{share}"


def _income_sources_iv(results, kind):
    """Input validation for :func:`income_sources`: ``(named results, kind)``."""
    items = _style.named_results(results)
    if kind is None:
        ps = getattr(items[0][1], "per_stream", None)
        ok = len(items) == 1 and ps is not None and "day" in ps and all(
            s in ps for s in _CORE_SOURCES)
        kind = "area" if ok else "bar"
    _validate.choice(kind, "kind", ("area", "bar"))
    if kind == "area" and len(items) != 1:
        raise SimkitError("`kind='area'` takes one result; use kind='bar' to compare")
    for name, r in items:
        missing = [s for s in _CORE_SOURCES if s not in r.totals]
        if missing:
            raise SimkitError(f"result {name!r} lacks income sources: "
                              f"{', '.join(missing)}")
    return items, kind


def income_sources(results, *, ax=None, kind=None, title=None):
    """Plot the mean contribution of each income source.

    The sources of :data:`simkit.metrics.INCOME_SOURCES` (LIVE gifts, brand
    deals, merchandise, donations, and LIVE Subscriptions when some result
    earned from them) are stacked, so the top of the stack
    is the mean total income. Means add up, unlike quantiles, which is why the
    split is shown for the mean.

    Parameters
    ----------
    results : SimulationResult, sequence or dict of them
        One result for ``kind="area"``; one bar per result for ``kind="bar"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is created.
    kind : {"area", "bar"}, optional
        ``"area"``: mean cumulative income per source over the days of the
        horizon (needs ``per_stream``); ``"bar"``: one stacked horizontal bar
        of the mean horizon totals per result. Default: ``"area"`` for one
        result with per-stream metrics, else ``"bar"``.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the figure is ``ax.figure``.

    Raises
    ------
    SimkitError
        A result lacks a source, or ``kind="area"`` without per-stream metrics.

    See Also
    --------
    fan_chart : quantile bands of one metric over the horizon.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> rng = np.random.default_rng(12345)
    >>> tot = {s: rng.gamma(2.0, 50.0, 200) for s in
    ...        ("income_gifts", "income_brand", "income_merch", "income_donations")}
    >>> tot["income_total"] = sum(tot.values())
    >>> ax = income_sources(SimulationResult("demo", tot))
    >>> len(ax.patches)  # four stacked segments of one bar
    4
    """
    items, kind = _income_sources_iv(results, kind)
    if ax is None and kind == "bar":
        ax = _style.new_axes(None, figsize=(_style.FIGSIZE[0], 1.5 + 0.55 * len(items)))
    ax = _style.new_axes(ax)
    sources = _sources(items)
    if kind == "area":
        from ..analysis._bands import bands

        name, res = items[0]
        cum = {s: bands(res, s, levels=[50], by="cumulative") for s in sources}
        nd = next(iter(cum.values())).x.size
        x = np.arange(nd + 1)
        ys = [np.concatenate([[0.0], cum[s].mean]) for s in sources]
        totals = {s: y[-1] for s, y in zip(sources, ys)}
        grand = sum(totals.values())
        polys = ax.stackplot(x, *ys, labels=[_source_label(s, totals[s], grand)
                                             for s in sources],
                             colors=[_style.SOURCE_STYLES[s][1] for s in sources],
                             edgecolor="#333333", linewidth=0.6)
        for poly, s in zip(polys, sources):
            poly.set_hatch(_style.SOURCE_STYLES[s][2])
        if "income_total" in res.per_stream:
            tot = np.concatenate(
                [[0.0], bands(res, "income_total", levels=[50], by="cumulative").mean])
            label = f"total income — {_style.text_value(tot[-1], 'income_total')}"
            ax.plot(x, tot, color="black", linestyle="--", linewidth=1.2, label=label)
        ax.set_xlim(0, nd)
        ax.set_ylim(bottom=0)
        if nd > 14:
            from matplotlib.ticker import MultipleLocator

            ax.xaxis.set_major_locator(MultipleLocator(7))
        _style.apply_value_axis(ax, "y", "income_total")
        _style.finish(ax, title=title or f"Mean cumulative income by source — {name}",
                      xlabel="Days elapsed", ylabel="Mean cumulative income (USD)",
                      legend_loc="upper left")
        return ax

    names = [n for n, _ in items]
    means = [_source_means(r, sources) for _, r in items]
    y = np.arange(len(items))[::-1]
    left = np.zeros(len(items))
    grand = np.array([sum(m.values()) for m in means])
    for s in sources:
        label, face, hatch = _style.SOURCE_STYLES[s]
        w = np.array([m[s] for m in means])
        if len(items) == 1:
            label = _source_label(s, w[0], grand[0])
        ax.barh(y, w, left=left, height=0.6, color=face, hatch=hatch,
                edgecolor="#333333", linewidth=0.6, label=label)
        for yi, li, wi, gi in zip(y, left, w, grand):
            if gi > 0 and wi / gi >= 0.1:
                dark = face == "#4d4d4d"
                ax.text(li + wi / 2, yi, f"{wi / gi:.0%}", ha="center", va="center",
                        fontsize=8, color="white" if dark else "black",
                        bbox={"facecolor": face if dark else "white",
                              "edgecolor": "none", "pad": 1.0})
        left = left + w
    for yi, gi in zip(y, grand):
        ax.text(gi, yi, "  " + _style.text_value(gi, "income_total"), ha="left",
                va="center", fontsize=8.5)
    ax.set_yticks(y, names)
    ax.set_xlim(0, max(float(grand.max()), 1e-9) * 1.18)
    ax.set_ylim(-0.6, len(items) - 0.4)
    _style.apply_value_axis(ax, "x", "income_total")
    if title is None:
        title = "Mean horizon income by source" + (
            f" — {names[0]}" if len(items) == 1 else "")
    _style.finish(ax, title=title, xlabel="Mean income over the horizon (USD)",
                  ylabel=None, legend_loc="center left", grid_axis="x",
                  legend_kw={"bbox_to_anchor": (1.01, 0.5)})
    return ax
