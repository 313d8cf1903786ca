"""Calibration: read a creator's LIVE history, fit a scenario to it, backtest it.

- :func:`read_history`, :class:`History` (``_history.py``): the history CSV;
- :func:`fit`, :class:`FitResult` (``_fit.py``): estimates with their
  uncertainty, written as a scenario whose fitted keys are distributions;
- :func:`backtest` (``_backtest.py``): coverage of held-out LIVEs.
"""

from ._backtest import BacktestResult, backtest, evaluate, predict
from ._fit import FitResult, fit
from ._history import History, parse_columns, read_history
from ._synth import history_from_result, write_history_csv

__all__ = ["History", "read_history", "parse_columns", "fit", "FitResult",
           "backtest", "BacktestResult", "evaluate", "predict", "history_from_result",
           "write_history_csv"]
