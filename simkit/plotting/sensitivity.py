"""The tornado chart of a one-at-a-time sensitivity analysis."""

from __future__ import annotations

import numpy as np

from .. import metrics as _metrics
from ..errors import SimkitError
from . import _style

__all__ = ["tornado"]


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _tornado_iv(result, max_params):
    needed = ("entries", "base_mean", "metric")
    if not all(hasattr(result, a) for a in needed):
        raise SimkitError("`result` must be a TornadoResult from simkit.analysis."
                          f"sensitivity.tornado, got {type(result).__name__}")
    entries = list(result.entries)
    if not entries:
        raise SimkitError("the tornado result has no inputs to plot")
    if max_params is not None:
        if int(max_params) != max_params or max_params < 1:
            raise SimkitError(f"`max_params` must be a positive integer, got "
                              f"{max_params!r}")
        entries = sorted(entries, key=lambda e: -e.swing)[: int(max_params)]
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
        From :func:`simkit.analysis.sensitivity.tornado`.
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
    simkit.analysis.sensitivity.tornado : computes the result.

    Examples
    --------
    >>> from simkit.analysis.sensitivity import TornadoEntry, TornadoResult
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

    labels = [f"{param_name(e.key)}\n{_num(e.low_value)} / {_num(e.high_value)}"
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
