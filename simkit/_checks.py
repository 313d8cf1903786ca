"""The last check before a simulated number leaves simkit.

Every metric simkit computes (:mod:`simkit.metrics`: money, counts, minutes,
days, hours, factors and fractions) and every concurrency curve is finite and
non-negative by construction. A NaN, an infinity or a negative value can only
come from arithmetic that overflowed, so it is refused with an error naming
the metric and the path, never printed or written as if it were a result.
"""

from __future__ import annotations

import numpy as np

from .errors import SimkitError

__all__ = ["check_result"]

_CAUSE = ("the arithmetic overflowed: a scenario value is far beyond what any "
          "creator reaches; check the rates, followers and money keys against the "
          "bounds in docs/scenario-format.md")


def _first_bad(a):
    """Index of the first NaN, infinite or negative entry of ``a``, or ``None``."""
    bad = ~(np.isfinite(a) & (a >= 0))
    if not bad.any():
        return None
    return np.unravel_index(int(np.argmax(bad)), a.shape)


def check_result(result, cause=_CAUSE) -> None:
    """Raise :class:`SimkitError` if a metric of ``result`` is NaN, infinite or
    negative.

    Parameters
    ----------
    result : SimulationResult
        Its ``totals``, ``per_stream`` (if any) and ``curves`` (if any) are
        checked; ``metadata["path_offset"]`` (default 0) numbers the paths.
    cause : str
        The likely cause, for the message (default: overflowing arithmetic).

    Raises
    ------
    SimkitError
        Naming the scenario, the metric, the path (and stream), the value and
        the likely cause.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> check_result(SimulationResult("ok", {"gifts": np.array([0.0, 3.0])}))
    >>> bad = SimulationResult("bad", {"gifts": np.array([1.0, np.nan])})
    >>> check_result(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: scenario `bad`: metric `gifts` is nan on path 1; the arithmetic overflowed: ...
    """
    offset = int(result.metadata.get("path_offset", 0) or 0)
    parts = [("", result.totals)]
    if result.per_stream is not None:
        parts.append((" stream", result.per_stream))
    if result.curves is not None:
        parts.append((" curve", {"concurrent viewers": result.curves}))
    for where, arrays in parts:
        for metric, a in arrays.items():
            a = np.asarray(a, dtype=float)
            idx = _first_bad(a)
            if idx is None:
                continue
            loc = f"path {offset + int(idx[0])}"
            if len(idx) > 1:
                loc += f", stream {int(idx[1])}"
            if len(idx) > 2:
                loc += f", minute {int(idx[2])}"
            kind = "" if where == "" else where.strip() + " "
            raise SimkitError(f"scenario `{result.name}`: {kind}metric `{metric}` is "
                              f"{float(a[idx]):.6g} on {loc}; {cause}")
