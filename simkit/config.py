"""Tunables of the compiled core, in one place (tests patch them).

``FASTMATH`` is the only place kernels take their fastmath flags from;
``BLOCK_PATHS`` is the number of paths one backend task simulates.
"""

from __future__ import annotations

_DEFAULTS = {
    "FASTMATH": False,
    "BLOCK_PATHS": 4096,
}

FASTMATH = _DEFAULTS["FASTMATH"]
BLOCK_PATHS = _DEFAULTS["BLOCK_PATHS"]


def _reset():
    """Restore every tunable to its default."""
    g = globals()
    for k, v in _DEFAULTS.items():
        g[k] = v
