"""Tunables of the compiled core, in one place (tests patch them).

``FASTMATH`` is the only place kernels take their fastmath flags from;
``BLOCK_PATHS`` is the number of paths one backend task simulates;
``CHECKPOINT_PAIRS`` the (scenario, path) pairs of one checkpoint chunk.
"""

from __future__ import annotations

_DEFAULTS = {
    "FASTMATH": False,
    "BLOCK_PATHS": 4096,
    "CHECKPOINT_PAIRS": 65_536,
    "CORRELATION_REPAIR_TOL": 0.05,
    "FIT_MIN_CORRELATION": 0.1,
    "FIT_PRIOR_LOG_SD": 1.5,
}

FASTMATH = _DEFAULTS["FASTMATH"]
BLOCK_PATHS = _DEFAULTS["BLOCK_PATHS"]
CHECKPOINT_PAIRS = _DEFAULTS["CHECKPOINT_PAIRS"]
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
