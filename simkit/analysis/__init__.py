"""Analysis of simulation results: strategy comparison, risk bands, quotes.

Re-exports only; the code lives in the private-by-convention modules
:mod:`~simkit.analysis.quantiles`, :mod:`~simkit.analysis.bands`,
:mod:`~simkit.analysis.compare`, :mod:`~simkit.analysis.quote` and
:mod:`~simkit.analysis.precision`.
"""

from .bands import Bands, bands
from .compare import ComparisonResult, PairedComparison, compare, dominance, paired
from .precision import PrecisionRun, half_width, simulate_until
from .quantiles import QuantileEstimate, order_statistic_ranks, quantile_ci
from .quote import QuoteResult, QuoteRow, QuoteTable, quote, quote_table

__all__ = [
    "Bands",
    "ComparisonResult",
    "PairedComparison",
    "PrecisionRun",
    "QuantileEstimate",
    "QuoteResult",
    "QuoteRow",
    "QuoteTable",
    "bands",
    "compare",
    "dominance",
    "half_width",
    "order_statistic_ranks",
    "paired",
    "quantile_ci",
    "quote",
    "quote_table",
    "simulate_until",
]
