"""Figures of simulation results (matplotlib, without pyplot).

Every function takes results plus keyword options and an optional ``ax=``,
and returns the matplotlib Axes it drew on (the figure is ``ax.figure``);
:func:`compare_distributions` returns its two Axes. Figures are created as
:class:`matplotlib.figure.Figure` objects, never through ``pyplot``, so the
library leaves matplotlib's global state alone. Save with
``ax.figure.savefig("out.png")``.

Functions
---------
income_distribution
    Histogram or density of a horizon total with P5/P50/P95 and the mean.
compare_distributions
    Overlaid ECDFs of variants and the distribution of their paired difference.
fan_chart
    Nested quantile bands of a metric over the horizon.
income_sources
    Stacked mean contribution of gifts, brand deals, merchandise and donations.
concurrency_curve
    Concurrent viewers through a stream: median, mean and bands.
tornado
    How much each input moves the mean of the output.
spider
    The mean of the output against each uncertain input's percentile.
sensitivity_indices
    Sobol' S1 and ST (or Morris mu* and sigma) with their intervals.
fit_quantiles, fit_over_time, fit_diagnostics
    Observed LIVEs against simulated ones: quantile-quantile and through time.
backtest_calibration
    Coverage of held-out LIVEs against nominal, and PIT histograms.
"""

from ._calibration import (
    backtest_calibration,
    fit_diagnostics,
    fit_over_time,
    fit_quantiles,
)
from ._distributions import compare_distributions, income_distribution
from ._horizon import fan_chart, income_sources
from ._sensitivity import sensitivity_indices, spider, tornado
from ._stream import concurrency_curve

__all__ = [
    "income_distribution",
    "compare_distributions",
    "fan_chart",
    "income_sources",
    "concurrency_curve",
    "tornado",
    "spider",
    "sensitivity_indices",
    "fit_quantiles",
    "fit_over_time",
    "fit_diagnostics",
    "backtest_calibration",
]
