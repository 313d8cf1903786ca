"""The shared look of simkit figures.

Every plotting function builds its figure through :func:`new_axes`, which
creates a :class:`matplotlib.figure.Figure` directly (never ``pyplot``: no
global figure registry, no backend switching, safe in servers and threads), and
finishes each Axes with :func:`finish`. Colours come from the Okabe-Ito
palette, ordered by lightness and always paired with a distinct line style or
hatch, so every figure stays readable when printed in black and white.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np

from .. import _validate
from .. import metrics as _metrics
from .._text import money, number
from ..errors import SimkitError

__all__ = [
    "COLORS", "LINESTYLES", "HATCHES", "BAND_GREYS", "SOURCE_STYLES", "FIGSIZE",
    "new_axes", "finish", "metric_name", "metric_label", "format_value", "text_value",
    "escape", "period",
    "format_compact", "value_formatter", "apply_value_axis", "draw_bands",
    "named_results", "validate_levels", "result_label", "quiet_missing_glyphs",
]

@contextlib.contextmanager
def quiet_missing_glyphs():
    """Silence matplotlib's "Glyph ... missing from font(s)" warning while drawing.

    A scenario or variant name with a character the font lacks (an emoji, a
    rare script) is drawn as a box; without this, matplotlib also prints a
    two-line Python warning on standard error for it.

    Examples
    --------
    >>> import warnings
    >>> with quiet_missing_glyphs():
    ...     warnings.warn("Glyph 128293 (\\N{FIRE}) missing from font(s) DejaVu Sans.")
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font",
                                category=UserWarning)
        yield


#: Default figure size in inches (width, height).
FIGSIZE = (7.5, 4.4)

#: Line colours, dark to light (Okabe-Ito, colour-blind safe).
COLORS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
          "#56B4E9")

#: Line styles, used together with :data:`COLORS` so series differ in print.
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)),
              (0, (8, 2)))

#: Hatches for filled areas and bars.
HATCHES = ("", "///", "...", "xx", "\\\\\\", "++", "oo")

#: Fills of nested quantile bands, outermost (lightest) first.
BAND_GREYS = ("#e3e3e3", "#c4c4c4", "#a3a3a3", "#858585", "#666666")

#: Income sources: (label, face colour, hatch). Face colours step in lightness.
SOURCE_STYLES = {
    "income_gifts": ("LIVE gifts", "#4d4d4d", ""),
    "income_brand": ("Brand deals", "#9a9a9a", "///"),
    "income_merch": ("Merchandise", "#cfcfcf", "..."),
    "income_donations": ("Donations", "#f2f2f2", "xx"),
    "income_subscriptions": ("LIVE Subscriptions", "#ffffff", "\\\\\\"),
}

_TITLE_SIZE = 12
_LABEL_SIZE = 10.5
_TICK_SIZE = 9.5
_LEGEND_SIZE = 9.5


def metric_name(metric: str) -> str:
    """Return the plain name of ``metric``, capitalized (``"Total income"``).

    The names are those of :mod:`simkit._words`, shared with the printed
    output and the glossary.

    Examples
    --------
    >>> metric_name("viewer_minutes")
    'Minutes watched'
    """
    from .._words import metric_name as plain

    name = plain(metric)
    return name[0].upper() + name[1:] if name else name


def period(result, default: str = "over the horizon") -> str:
    """``over 4 weeks (12 LIVEs)`` from a result's metadata (``default`` if unknown).

    Examples
    --------
    >>> period({"horizon_days": 28, "streams": 12})
    'over 4 weeks (12 LIVEs)'
    >>> period({})
    'over the horizon'
    """
    from .._words import horizon_of, period_phrase

    meta = result if isinstance(result, dict) else (getattr(result, "metadata", None)
                                                   or {})
    weeks, streams = horizon_of(meta)
    return period_phrase(weeks, streams) if weeks else default


def metric_label(metric: str, prefix: str = "") -> str:
    """Return an axis label with the unit, e.g. ``"Total income (USD)"``.

    The unit is left out when the name already says it (``"Unique viewers"``).

    Examples
    --------
    >>> metric_label("income_total")
    'Total income (USD)'
    >>> metric_label("peak_concurrent", prefix="Median ")
    'Median peak viewers'
    >>> metric_label("duration_min")
    'Length (minutes)'
    """
    name = metric_name(metric)
    if prefix:
        name = prefix + name[0].lower() + name[1:]
    unit = _metrics.UNITS.get(metric)
    if not unit or unit.lower().split("-")[-1] in name.lower():  # not "(viewers)"
        return name
    return f"{name} ({unit})"


def _is_money(metric: str | None) -> bool:
    return metric is not None and _metrics.UNITS.get(metric) == "USD"


def format_compact(v: float, money: bool = False) -> str:
    """Format a number for a tick label: ``1.2k``, ``35k``, ``1.5M`` (``$`` if money).

    Examples
    --------
    >>> format_compact(1234.0, money=True)
    '$1.2k'
    >>> format_compact(-2_500_000.0)
    '-2.5M'
    >>> format_compact(0.25, money=True)
    '$0.25'
    """
    if not np.isfinite(v):
        return str(v)
    sign = "-" if v < 0 else ""
    a = abs(float(v))
    cur = "$" if money else ""
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            s = f"{a / div:.1f}".rstrip("0").rstrip(".") if a / div < 100 \
                else f"{a / div:.0f}"
            return f"{sign}{cur}{s}{suffix}"
    if a == 0:
        return f"{cur}0"
    if a >= 10 or float(a).is_integer():
        return f"{sign}{cur}{a:.0f}"
    return f"{sign}{cur}{a:.2g}" if a < 1 else f"{sign}{cur}{a:.1f}".rstrip("0") \
        .rstrip(".")


def format_value(v: float, metric: str | None = None) -> str:
    """Format a value for a legend or table: ``$12,345``, ``$12.35``, ``1,234``.

    Examples
    --------
    >>> format_value(12345.678, "income_total")
    '$12,346'
    >>> format_value(12.345, "income_total")
    '$12.35'
    >>> format_value(-3.0, "income_total")
    '-$3.00'
    >>> format_value(1234.5, "viewer_minutes"), format_value(float("-inf"))
    ('1,234', 'n/a')
    """
    if _is_money(metric):  # cents below $1,000 (n/a: an unbounded interval end)
        return money(v, 0 if abs(float(v)) >= 1000 else 2)
    return number(v)


def escape(text: str) -> str:
    r"""Escape ``$`` so matplotlib does not read ``$...$`` as mathtext.

    Examples
    --------
    >>> escape("$1 to $2")
    '\\$1 to \\$2'
    """
    return str(text).replace("$", r"\$")


def text_value(v: float, metric: str | None = None) -> str:
    """:func:`format_value` escaped for matplotlib text (legends, annotations)."""
    return escape(format_value(v, metric))


_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"), (1.0, ""))


def _tick_label(v: float, money: bool) -> str:
    """An exact compact label for one tick value: ``$1.75k``, ``200``, ``2.5M``.

    The unit (k, M, ...) follows the value's own size and the number of
    decimals is the fewest that writes it exactly (at most 4), so evenly
    spaced ticks 1,750 and 2,250 read ``1.75k`` and ``2.25k``, never a rounded
    ``1.8k`` or ``2.2k``.
    """
    if not math.isfinite(v):
        return str(v)
    a = abs(float(v))
    div, suffix = next(((d, s) for d, s in _SUFFIXES if a >= d), (1.0, ""))
    x = a / div
    for decimals in range(5):
        if abs(round(x, decimals) - x) <= 1e-9 * max(1.0, x):
            break
    body = f"{round(x, decimals):,.{decimals}f}"
    if "." in body:
        body = body.rstrip("0").rstrip(".")
    if body == "0":
        return ("$" if money else "") + "0"
    return f"{'-' if v < 0 else ''}{'$' if money else ''}{body}{suffix}"


def _tick_labels(values, money: bool) -> list[str]:
    """:func:`_tick_label` of each value."""
    return [_tick_label(float(v), money) for v in values]


def _formatter_class():
    from matplotlib.ticker import Formatter

    class ValueFormatter(Formatter):
        """Tick formatter: exact compact labels (``$1.75k``, ``200``, ``2M``)."""

        def __init__(self, money: bool = False):
            self.money = bool(money)

        def __call__(self, x, pos=None):
            return escape(_tick_label(float(x), self.money))

    return ValueFormatter


def value_formatter(metric: str | None):
    r"""Return a tick formatter for ``metric``: compact currency for USD metrics.

    Each label writes its tick value exactly, in the unit (k, M) of its size
    and with the fewest decimals that keep it exact.

    Examples
    --------
    >>> fmt = value_formatter("income_total")
    >>> fmt.format_ticks([1500.0, 1750.0, 2000.0, 2250.0])
    ['\\$1.5k', '\\$1.75k', '\\$2k', '\\$2.25k']
    >>> fmt.format_ticks([0.0, 20000.0, 40000.0])
    ['\\$0', '\\$20k', '\\$40k']
    """
    money = _is_money(metric)
    return _formatter_class()(money)


def apply_value_axis(ax, axis: str, metric: str | None, *, log: bool = False) -> None:
    """Put the tick formatter of ``metric`` on the ``"x"`` or ``"y"`` axis of ``ax``."""
    from matplotlib.ticker import LogLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    if log:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
        if lo > 0 and hi / lo < 1e3:  # few decades: label 1-2-5 steps
            target.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        target.set_minor_formatter(NullFormatter())
    target.set_major_formatter(value_formatter(metric))


def new_axes(ax=None, *, ncols: int = 1, figsize=None, sharey: bool = False):
    """Return ``ax`` unchanged, or Axes on a new :class:`~matplotlib.figure.Figure`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or sequence of Axes, optional
        Axes to draw on. With ``ncols > 1`` a sequence of ``ncols`` Axes.
    ncols : int
        Number of side-by-side panels to create when ``ax`` is None.
    figsize : tuple of float, optional
        Figure size in inches (default :data:`FIGSIZE`, widened per panel).
    sharey : bool
        Whether new panels share their y axis.

    Returns
    -------
    Axes or tuple of Axes

    Examples
    --------
    >>> ax = new_axes()
    >>> type(ax.figure).__name__
    'Figure'
    """
    if ax is not None:
        if ncols == 1:
            return ax
        axes = tuple(ax)
        if len(axes) != ncols:
            raise SimkitError(f"`ax` must be a sequence of {ncols} Axes, got "
                              f"{len(axes)}")
        return axes
    from matplotlib.figure import Figure

    if figsize is None:
        figsize = (FIGSIZE[0] * (1 if ncols == 1 else 0.75 * ncols), FIGSIZE[1])
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    if ncols == 1:
        return fig.add_subplot()
    return tuple(fig.subplots(1, ncols, sharey=sharey))


def finish(ax, *, title=None, xlabel=None, ylabel=None, legend=True,
           legend_loc="best", grid_axis="both", legend_kw=None) -> None:
    """Apply the common look: title, labels, light grid, no top/right spines, legend."""
    if title:
        ax.set_title(escape(title), fontsize=_TITLE_SIZE, loc="left")
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=_LABEL_SIZE)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=_LABEL_SIZE)
    ax.tick_params(labelsize=_TICK_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis=grid_axis, color="#d0d0d0", linewidth=0.6, linestyle=":")
    ax.set_axisbelow(True)
    if legend:
        handles, _ = ax.get_legend_handles_labels()
        if handles:
            kw = {"fontsize": _LEGEND_SIZE, "loc": legend_loc, "frameon": True,
                  "framealpha": 0.9, "edgecolor": "#bbbbbb"}
            kw.update(legend_kw or {})
            ax.legend(**kw)


def validate_levels(levels, name: str = "levels") -> tuple[float, ...]:
    """Check central-band probabilities in (0, 1); return them sorted, widest first.

    Examples
    --------
    >>> validate_levels([0.5, 0.9])
    (0.9, 0.5)
    """
    lv = tuple(_validate.levels(levels, name, closed=False).tolist())
    if len(lv) > len(BAND_GREYS):
        raise SimkitError(f"`{name}` may hold at most {len(BAND_GREYS)} levels, "
                          f"got {len(lv)}")
    return tuple(sorted(set(lv), reverse=True))


def _pct(q: float) -> str:
    return f"{100 * q:.1f}".rstrip("0").rstrip(".")


def draw_bands(ax, x, samples, levels, *, mean=True, step=False) -> dict:
    """Draw nested central quantile bands of ``samples`` (n, len(x)) over ``x``.

    The widest band is drawn first and lightest; the median is a solid black
    line and the mean (optional) a dashed one.

    Returns
    -------
    dict
        ``{"x": x, "median": ..., "mean": ..., (lo, hi): (q_lo, q_hi), ...}``
        with the quantile curves that were drawn.
    """
    samples = np.asarray(samples, dtype=float)
    levels = validate_levels(levels)
    qs = sorted({q for lv in levels for q in ((1 - lv) / 2, (1 + lv) / 2)} | {0.5})
    qv = np.quantile(samples, qs, axis=0)
    byq = dict(zip(qs, qv))
    out = {"x": x, "median": byq[0.5]}
    where = "post" if step else None
    for lv, grey in zip(levels, BAND_GREYS):
        lo, hi = (1 - lv) / 2, (1 + lv) / 2
        ax.fill_between(x, byq[lo], byq[hi], color=grey, linewidth=0, step=where,
                        label=f"{_pct(lv)}% band (P{_pct(lo)}–P{_pct(hi)})")
        out[(lo, hi)] = (byq[lo], byq[hi])
    draw = ax.step if step else ax.plot
    kw = {"where": "post"} if step else {}
    draw(x, byq[0.5], color="black", linestyle="-", linewidth=1.6, label="median", **kw)
    if mean:
        m = samples.mean(axis=0)
        draw(x, m, color=COLORS[1], linestyle="--", linewidth=1.3, label="mean", **kw)
        out["mean"] = m
    return out


def result_label(result) -> str:
    """Short label of a result: the variant name after ``:``, else the name."""
    name = str(getattr(result, "name", "result"))
    return name.rsplit(":", 1)[-1] if ":" in name else name


def named_results(results, labels=None, *, minimum=1, name="results"):
    """Normalize a result, a sequence of results or a ``{label: result}`` mapping.

    Returns
    -------
    list of (str, SimulationResult)
    """
    if hasattr(results, "totals"):
        items = [(None, results)]
    elif isinstance(results, dict):
        items = [(str(k), v) for k, v in results.items()]
    else:
        try:
            items = [(None, r) for r in results]
        except TypeError:
            raise SimkitError(f"`{name}` must be a SimulationResult, a sequence or a "
                              f"dict of them, got {type(results).__name__}") from None
    for _, r in items:
        if not hasattr(r, "totals"):
            raise SimkitError(f"`{name}` must hold SimulationResult objects, got "
                              f"{type(r).__name__}")
    if len(items) < minimum:
        raise SimkitError(f"`{name}` must hold at least {minimum} results, "
                          f"got {len(items)}")
    if labels is not None:
        labels = [str(v) for v in labels]
        if len(labels) != len(items):
            raise SimkitError(f"`labels` must have {len(items)} entries, got "
                              f"{len(labels)}")
        return list(zip(labels, (r for _, r in items)))
    names = [k if k is not None else result_label(r) for k, r in items]
    if len(set(names)) < len(names):  # fall back to full names, then indices
        names = [k if k is not None else str(r.name) for k, r in items]
        if len(set(names)) < len(names):
            names = [f"{n} #{i + 1}" for i, n in enumerate(names)]
    return list(zip(names, (r for _, r in items)))
