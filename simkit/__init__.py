"""simkit: Monte Carlo toolkit for the income of live-stream creators.

The documented Python API:

>>> import simkit
>>> sc = simkit.load_scenario("scenarios/micro.toml")
>>> res = simkit.simulate(sc, paths=200, seed=12345)
>>> print(res.summary(["income_total"]))  # doctest: +SKIP
"""

from ._report import build_report
from ._result import SimulationResult, Summary
from ._simulate import simulate, simulate_batch
from ._sweep import SweepResult, run_sweep, sweep_design
from ._version import __version__
from .analysis import SensitivityResult, bands, compare, quote, sensitivity, tornado
from .calibrate import FitResult, History, fit, read_history
from .errors import CorrelationWarning, LowPrecisionWarning, ScenarioError, SimkitError
from .scenario import Scenario, load_scenario, scenario_from_dict

__all__ = [
    "__version__", "load_scenario", "scenario_from_dict", "Scenario", "simulate",
    "simulate_batch", "SimulationResult", "Summary", "SimkitError", "ScenarioError",
    "LowPrecisionWarning", "CorrelationWarning", "compare", "quote", "bands", "tornado",
    "sensitivity", "SensitivityResult",
    "run_sweep", "sweep_design", "SweepResult", "read_history", "History", "fit",
    "FitResult", "build_report",
]
