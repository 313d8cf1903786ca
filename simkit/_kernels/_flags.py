"""The numba flags of every kernel, in one place (tunables in ``simkit.config``)."""

from __future__ import annotations

from .. import config

#: ``error_model="numpy"``: a float division does not test its divisor for zero
#: (inputs are validated), a test that would put a branch in loops that must
#: vectorize.
NJ = {"cache": True, "nogil": True, "fastmath": config.FASTMATH,
      "error_model": "numpy"}
