"""simkit: Monte Carlo toolkit for the income of live-stream creators.

The documented Python API:

>>> import simkit
>>> sc = simkit.load_scenario("scenarios/micro.toml")
>>> res = simkit.simulate(sc, paths=200, seed=12345)
>>> print(res.summary(["income_total"]))  # doctest: +SKIP
"""

from ._version import __version__
from .analysis import bands, compare, quote
from .analysis.sensitivity import tornado
from .analysis.sobol import SensitivityResult, sensitivity
from .calibrate import FitResult, History, fit, read_history
from .errors import CorrelationWarning, LowPrecisionWarning, ScenarioError, SimkitError
from .result import SimulationResult, Summary
from .scenario import Scenario, load_scenario, scenario_from_dict
from .simulate import simulate, simulate_batch
from .sweep import SweepResult, run_sweep, sweep_design

__all__ = [
    "__version__", "load_scenario", "scenario_from_dict", "Scenario", "simulate",
    "simulate_batch", "SimulationResult", "Summary", "SimkitError", "ScenarioError",
    "LowPrecisionWarning", "CorrelationWarning", "compare", "quote", "bands", "tornado",
    "sensitivity", "SensitivityResult",
    "run_sweep", "sweep_design", "SweepResult", "read_history", "History", "fit",
    "FitResult",
]
