"""Analysis of simulation results: strategy comparison, risk bands, quotes,
precision runs and sensitivity.

Re-exports only; the code lives in the private modules ``_bands``,
``_compare``, ``_quote``, ``_precision``, ``_sensitivity`` (tornado and
spider) and ``_sobol`` (Sobol' and Morris indices), and the order-statistic
intervals in :mod:`simkit._quantiles`, a lower layer that results use too.
Import every public name from here.

Constants: ``BANDS_BY`` (the ways :func:`bands` indexes the horizon),
``BAND_LEVELS`` (its default levels, in percent), ``DELIVERABLES`` (what
:func:`quote` prices) and ``QUOTE_LEVELS`` (its default confidence levels,
fractions).
"""

from ._bands import BY as BANDS_BY, DEFAULT_LEVELS as BAND_LEVELS, Bands, bands, per_day
from ._compare import (ComparisonResult, PairedComparison, compare, dominance,
                       input_share, paired)
from ._precision import PrecisionRun, half_width, simulate_until
from .._quantiles import QuantileEstimate, order_statistic_ranks, quantile_ci
from ._quote import (DEFAULT_LEVELS as QUOTE_LEVELS, DELIVERABLES, QuoteResult, QuoteRow,
                     QuoteTable, deliverable_sample, quote, quote_table)
from ._sensitivity import (DEFAULT_PARAMS, UNCERTAIN_LEVELS, SpiderResult, TornadoEntry,
                           TornadoResult, spider, tornado)
from ._sobol import NOISE_WARN, SensitivityResult, sensitivity

__all__ = [
    "BANDS_BY",
    "BAND_LEVELS",
    "Bands",
    "ComparisonResult",
    "DEFAULT_PARAMS",
    "DELIVERABLES",
    "NOISE_WARN",
    "PairedComparison",
    "PrecisionRun",
    "QUOTE_LEVELS",
    "QuantileEstimate",
    "QuoteResult",
    "QuoteRow",
    "QuoteTable",
    "SensitivityResult",
    "SpiderResult",
    "TornadoEntry",
    "TornadoResult",
    "UNCERTAIN_LEVELS",
    "bands",
    "compare",
    "deliverable_sample",
    "dominance",
    "half_width",
    "input_share",
    "order_statistic_ranks",
    "paired",
    "per_day",
    "quantile_ci",
    "quote",
    "quote_table",
    "sensitivity",
    "simulate_until",
    "spider",
    "tornado",
]
