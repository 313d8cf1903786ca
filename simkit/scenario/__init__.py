"""Scenario files: loading, validation and the list of keys."""

from ._load import (Catalogue, Scenario, load_catalogue, load_scenario,
                    scenario_from_dict, uncertain_keys)
from ._schema import SCHEMA
from ._uncertain import Distribution, draw_inputs

__all__ = ["Scenario", "Catalogue", "load_scenario", "scenario_from_dict",
           "load_catalogue", "SCHEMA", "Distribution", "draw_inputs", "uncertain_keys"]
