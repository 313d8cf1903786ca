"""Scenario files: loading, validation and the list of keys."""

from ._load import Catalogue, Scenario, load_catalogue, load_scenario, scenario_from_dict
from ._schema import SCHEMA

__all__ = ["Scenario", "Catalogue", "load_scenario", "scenario_from_dict",
           "load_catalogue", "SCHEMA"]
