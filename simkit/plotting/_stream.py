"""Plots inside one stream: concurrent viewers minute by minute."""

from __future__ import annotations

import numpy as np

from .. import _validate
from ..errors import SimkitError
from . import _style

__all__ = ["concurrency_curve"]


def _concurrency_curve_iv(result, stream, levels, live_only):
    """Input validation for :func:`concurrency_curve`: ``(samples, levels)``."""
    curves = getattr(result, "curves", None)
    if curves is None:
        raise SimkitError("concurrency_curve needs concurrency curves: simulate with "
                          "curves=True")
    curves = np.asarray(curves, dtype=float)
    if curves.ndim != 3:
        raise SimkitError(f"`curves` must have shape (paths, streams, minutes), got "
                          f"{curves.shape}")
    p, s, m = curves.shape
    if stream is not None:
        stream = _validate.integer(stream, "stream", minimum=-s, maximum=s - 1)
    levels = _style.validate_levels(levels)
    live = None
    ps = getattr(result, "per_stream", None)
    if live_only and ps is not None and "live" in ps:
        live = np.asarray(ps["live"]) > 0
        if live.shape != (p, s):
            raise SimkitError(f"per-stream `live` has shape {live.shape}, curves have "
                              f"{(p, s)} paths x streams")
    if stream is None:
        samples = curves[live] if live is not None else curves.reshape(p * s, m)
    else:
        samples = curves[:, int(stream), :]
        if live is not None:
            samples = samples[live[:, int(stream)]]
    if samples.shape[0] == 0:
        raise SimkitError("no live stream to plot: every selected stream was blocked "
                          "by the follower threshold")
    return samples, levels


def concurrency_curve(result, *, stream=None, ax=None, levels=(0.5, 0.9), mean=True,
                      live_only=True, title=None):
    """Plot concurrent viewers through a stream: median, mean and quantile bands.

    Parameters
    ----------
    result : SimulationResult
        Simulated with ``curves=True``: ``result.curves`` has shape
        ``(paths, streams, minutes)``.
    stream : int, optional
        Index of the stream to show (negative counts from the end). By default
        every stream of every path is pooled, one curve per (path, stream).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is created.
    levels : sequence of float
        Central probabilities of the bands (``(0.5, 0.9)``: P25–P75, P5–P95).
    mean : bool
        Also draw the mean curve.
    live_only : bool
        Leave out streams that did not go live (per-stream ``live`` is 0) when
        per-stream metrics are present.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the figure is ``ax.figure``.

    Raises
    ------
    SimkitError
        No curves, a stream index out of range, bad ``levels``, nothing live.

    See Also
    --------
    fan_chart : bands over the days of the horizon.

    Notes
    -----
    Each curve counts the viewers present at each whole minute since the
    stream started, so its time integral is the stream's viewer-minutes and
    its maximum the stream's peak concurrency. The bands are pointwise
    quantiles: the median curve is the median at each minute, not the curve
    of a median stream.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> t = np.arange(120)
    >>> rng = np.random.default_rng(12345)
    >>> curves = rng.poisson(40 * (1 - np.exp(-t / 10)), size=(200, 3, 120))
    >>> res = SimulationResult("demo", {"income_total": np.zeros(200)}, curves=curves)
    >>> ax = concurrency_curve(res)
    >>> ax.get_ylabel()
    'Concurrent viewers'
    """
    samples, levels = _concurrency_curve_iv(result, stream, levels, live_only)
    ax = _style.new_axes(ax)
    m = samples.shape[1]
    active = np.flatnonzero(samples.max(axis=0) > 0)
    end = int(active[-1]) + 2 if active.size else m
    end = min(end, m)
    x = np.arange(end)
    _style.draw_bands(ax, x, samples[:, :end], levels, mean=mean)
    ax.set_xlim(0, max(end - 1, 1))
    ax.set_ylim(bottom=0)
    if end > 60:
        from matplotlib.ticker import MultipleLocator

        ax.xaxis.set_major_locator(MultipleLocator(30 if end <= 300 else 60))
    _style.apply_value_axis(ax, "y", None)
    what = "all streams pooled" if stream is None else f"stream {int(stream)}"
    if title is None:
        title = f"Concurrent viewers through a stream — {result.name}"
    ax.text(0.99, 0.98, f"{what}, {samples.shape[0]:,} curves", transform=ax.transAxes,
            ha="right", va="top", fontsize=8, color="#444444")
    _style.finish(ax, title=title, xlabel="Minutes since the stream started",
                  ylabel="Concurrent viewers", legend_loc="best")
    return ax
