"""Scenario files: loading, validation and the list of keys."""

from ._load import (Catalogue, Scenario, bundled_scenarios, load_catalogue,
                    load_scenario, scenario_from_dict, uncertain_keys)
from ._schema import SCHEMA
from ._uncertain import Distribution, draw_inputs
from ._variants import choose_variants

__all__ = ["Scenario", "Catalogue", "load_scenario", "scenario_from_dict",
           "load_catalogue", "bundled_scenarios", "SCHEMA", "Distribution",
           "draw_inputs", "uncertain_keys", "choose_variants"]
