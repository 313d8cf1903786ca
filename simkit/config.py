"""Tunables of the compiled core, in one place (tests patch them).

``FASTMATH`` is the only place kernels take their fastmath flags from;
``BLOCK_PATHS`` is the number of paths one backend task simulates;
``CHECKPOINT_PAIRS`` the (scenario, path) pairs of one checkpoint chunk;
``KERNEL_VIEWERS`` the expected viewers per thread one kernel call simulates at
most (fewer paths per call when paths are heavy, so a call lasts a few tenths of
a second and progress bars move).

``NPZ_MAX_BYTES`` bounds what a result file (``.npz``) may take uncompressed;
a larger one is refused before it is inflated.

Memory (:mod:`simkit._memory`): a request is refused before anything is
allocated when it needs more than ``MEMORY_FRACTION`` of the memory available
(``MEMORY_BYTES`` when set, else measured; ``MEMORY_FALLBACK_BYTES`` when it
cannot be measured). ``MAX_CURVE_CELLS`` bounds the concurrency curves (paths x
streams x minutes) a figure or report keeps.
"""

from __future__ import annotations

_DEFAULTS = {
    "FASTMATH": False,
    "BLOCK_PATHS": 4096,
    "CHECKPOINT_PAIRS": 65_536,
    "NPZ_MAX_BYTES": 4 * 2**30,
    "KERNEL_VIEWERS": 10_000_000,
    "MEMORY_FRACTION": 0.8,
    "MEMORY_BYTES": None,
    "MEMORY_FALLBACK_BYTES": 4_000_000_000,
    "MAX_CURVE_CELLS": 20_000_000,
    "CORRELATION_REPAIR_TOL": 0.05,
    "FIT_MIN_CORRELATION": 0.1,
    "FIT_PRIOR_LOG_SD": 1.5,
}

FASTMATH = _DEFAULTS["FASTMATH"]
BLOCK_PATHS = _DEFAULTS["BLOCK_PATHS"]
CHECKPOINT_PAIRS = _DEFAULTS["CHECKPOINT_PAIRS"]
NPZ_MAX_BYTES = _DEFAULTS["NPZ_MAX_BYTES"]
KERNEL_VIEWERS = _DEFAULTS["KERNEL_VIEWERS"]
MEMORY_FRACTION = _DEFAULTS["MEMORY_FRACTION"]
MEMORY_BYTES = _DEFAULTS["MEMORY_BYTES"]
MEMORY_FALLBACK_BYTES = _DEFAULTS["MEMORY_FALLBACK_BYTES"]
MAX_CURVE_CELLS = _DEFAULTS["MAX_CURVE_CELLS"]
#: Largest change of any Spearman correlation of a scenario's ``[correlations]``
#: that repairing an invalid matrix may make (with a CorrelationWarning); a
#: larger one is an error.
CORRELATION_REPAIR_TOL = _DEFAULTS["CORRELATION_REPAIR_TOL"]
#: ``simkit.fit`` writes the rank correlation of two fitted keys into
#: ``[correlations]`` only when its absolute value exceeds this.
FIT_MIN_CORRELATION = _DEFAULTS["FIT_MIN_CORRELATION"]
#: sd of the weak lognormal prior of ``simkit.fit`` on the join and discovery
#: rates, around the base scenario's values (1.5: a factor 4.5 either way).
FIT_PRIOR_LOG_SD = _DEFAULTS["FIT_PRIOR_LOG_SD"]


def _reset():
    """Restore every tunable to its default."""
    g = globals()
    for k, v in _DEFAULTS.items():
        g[k] = v
