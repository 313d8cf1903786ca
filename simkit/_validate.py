"""Checks of the arguments of simkit's public functions, written once.

Every public function validates through its own ``_<name>_iv`` function
(scipy.stats style), which returns the cleaned arguments; those functions
build on the helpers here. Each helper returns the cleaned value or raises
:class:`~simkit.errors.SimkitError` with a one-line message that names the
argument in backticks and shows what it got::

    `paths` must be a positive integer, got 'abc'

This module sits low in the layers: it imports only :mod:`simkit.errors`
and NumPy. Turning a path into a scenario lives with the scenario code
(:func:`simkit.scenario._load.as_scenario`).
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from .errors import SimkitError

__all__ = ["integer", "seed", "positive_float", "number_in", "confidence", "levels",
           "confidence_levels", "choice", "flag"]


def _num(v) -> str:
    """A bound as text: ``1``, ``0.5``, ``10,000``."""
    return f"{v:,.0f}" if float(v) == int(v) else f"{v:g}"


def integer(value, name, *, minimum=1, maximum=None) -> int:
    """Return ``value`` as an ``int`` in ``[minimum, maximum]``.

    Python and NumPy integers are accepted; ``bool``, floats (even whole
    ones), strings and anything else are refused.

    Parameters
    ----------
    value : object
        The argument.
    name : str
        The argument's name, for the message.
    minimum : int
        Smallest value allowed (1: a positive integer).
    maximum : int, optional
        Largest value allowed; no bound when omitted.

    Returns
    -------
    int

    Raises
    ------
    SimkitError
        If ``value`` is not an integer in range.

    Examples
    --------
    >>> integer(np.int64(5), "paths")
    5
    >>> integer("abc", "paths")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `paths` must be a positive integer, got 'abc'
    >>> integer(1, "n", minimum=2)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `n` must be an integer >= 2, got 1
    """
    if maximum is not None:
        what = f"an integer in [{_num(minimum)}, {_num(maximum)}]"
    elif minimum == 1:
        what = "a positive integer"
    elif minimum == 0:
        what = "a non-negative integer"
    else:
        what = f"an integer >= {_num(minimum)}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    v = operator.index(value)
    if v < minimum or (maximum is not None and v > maximum):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    return v


def seed(value, name="seed") -> int:
    """Return a seed: a non-negative integer.

    Examples
    --------
    >>> seed(np.uint32(7))
    7
    >>> seed(-1)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `seed` must be a non-negative integer, got -1
    """
    return integer(value, name, minimum=0)


def _real(value, name, what) -> float:
    """``value`` as a float if it is a real number (not bool, not text)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    try:
        return float(value)
    except OverflowError:       # an int too large for a float
        raise SimkitError(f"`{name}` must be {what}, got {value!r}") from None


def positive_float(value, name) -> float:
    """Return ``value`` as a finite float above 0.

    Examples
    --------
    >>> positive_float(0.01, "precision")
    0.01
    >>> positive_float(float("nan"), "precision")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `precision` must be a positive number, got nan
    """
    f = _real(value, name, "a positive number")
    if not (np.isfinite(f) and f > 0):
        raise SimkitError(f"`{name}` must be a positive number, got {value!r}")
    return f


def number_in(value, name, low, high, *, what="a number", note="") -> float:
    """Return ``value`` as a float in the closed interval ``[low, high]``.

    Parameters
    ----------
    value : object
        The argument.
    name : str
        The argument's name, for the message.
    low, high : float
        The bounds (included).
    what : str
        What the argument is, for the message (``"a number of USD"``).
    note : str
        Added after the interval in the message (`` (no sponsor pays more)``).

    Examples
    --------
    >>> number_in(12, "cpm", 0, 1000)
    12.0
    >>> number_in(2e3, "cpm", 0, 1000, what="a number of USD")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `cpm` must be a number of USD in [0, 1,000], got 2000.0
    """
    expected = f"{what} in [{_num(low)}, {_num(high)}]{note}"
    f = _real(value, name, expected)
    if not low <= f <= high:         # NaN fails too
        raise SimkitError(f"`{name}` must be {expected}, got {value!r}")
    return f


def confidence(value, name="confidence", *, minimum=0.0) -> float:
    """Return a confidence level: a float in ``(0, 1)``, or ``[minimum, 1)``.

    Parameters
    ----------
    value : object
        The argument.
    name : str
        The argument's name, for the message.
    minimum : float
        With 0 the level must be above 0; otherwise at least ``minimum``.

    Examples
    --------
    >>> confidence(0.95)
    0.95
    >>> confidence(1.5)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `confidence` must be a number in (0, 1), got 1.5
    >>> confidence(0.4, "conf_level", minimum=0.5)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `conf_level` must be a number in [0.5, 1), got 0.4
    """
    what = f"a number in [{_num(minimum)}, 1)" if minimum else "a number in (0, 1)"
    c = _real(value, name, what)
    if not (minimum <= c < 1.0 if minimum else 0.0 < c < 1.0):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    return c


def _floats(value, name, what) -> np.ndarray:
    """``value`` as a non-empty 1-d array of finite floats, or raise."""
    if isinstance(value, str | bytes):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    try:
        q = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError, OverflowError):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}") from None
    if q.ndim != 1 or q.size == 0 or not np.all(np.isfinite(q)) \
            or np.asarray(value).dtype == bool:
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    return q


def levels(value, name="levels", *, percent=False, closed=True) -> np.ndarray:
    """Return quantile levels as a 1-d float array of fractions.

    Parameters
    ----------
    value : float or sequence of float
        The levels: fractions in [0, 1], or percentages in [0, 100] when
        ``percent`` is true.
    name : str
        The argument's name, for the message.
    percent : bool
        Read ``value`` as percentages.
    closed : bool
        Allow the bounds themselves (0 and 1); with False each level must be
        strictly inside, as a central band's probability must.

    Returns
    -------
    ndarray
        Fractions, in the order given (duplicates are kept).

    Raises
    ------
    SimkitError
        If a level is not a finite number in range, or none is given.

    Examples
    --------
    >>> levels([5, 50, 95], percent=True)
    array([0.05, 0.5 , 0.95])
    >>> levels([], "quantiles")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `quantiles` must be numbers in [0, 1], got []
    >>> levels([0.5, 1.0], closed=False)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `levels` must be numbers in (0, 1), got [0.5, 1.0]
    """
    hi = 100.0 if percent else 1.0
    what = f"numbers in [0, {hi:g}]" if closed else f"numbers in (0, {hi:g})"
    q = _floats(value, name, what)
    inside = (q >= 0) & (q <= hi) if closed else (q > 0) & (q < hi)
    if not np.all(inside):
        raise SimkitError(f"`{name}` must be {what}, got {value!r}")
    return q / 100.0 if percent else q


def _plain(a):
    return [int(v) if v == int(v) else float(v) for v in a]


def confidence_levels(value, name="levels", *, percent=False) -> tuple:
    """Confidence levels as a tuple of fractions in (0, 1).

    With ``percent`` every value is a percentage in (0, 100). Otherwise the
    values are fractions in (0, 1), or percentages when every one of them is
    above 1; a mix of the two is an error rather than a guess.

    Examples
    --------
    >>> confidence_levels([0.5, 0.95]), confidence_levels([50, 95])
    ((0.5, 0.95), (0.5, 0.95))
    >>> confidence_levels([1, 99.5], percent=True)
    (0.01, 0.995)
    >>> confidence_levels([0.5, 95])
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `levels` mixes fractions and percentages, got [0.5, 95]; give fractions in (0, 1) (0.95) or percentages in (0, 100) (95)
    """
    raw = _floats(value, name, "confidence levels")
    if np.any(raw <= 0):
        raise SimkitError(f"`{name}` must be above 0 (fractions in (0, 1) or "
                          f"percentages in (0, 100)), got {_plain(raw)!r}")
    if not percent and np.any(raw > 1.0) and np.any(raw <= 1.0):
        raise SimkitError(f"`{name}` mixes fractions and percentages, got "
                          f"{_plain(raw)!r}; give fractions in (0, 1) (0.95) or "
                          "percentages in (0, 100) (95)")
    if percent or np.any(raw > 1.0):
        if np.any(raw >= 100):
            raise SimkitError(f"`{name}` must be percentages in (0, 100), got "
                              f"{_plain(raw)!r}")
        raw = raw / 100.0
    elif np.any(raw >= 1):
        raise SimkitError(f"`{name}` must be fractions in (0, 1) (or percentages in "
                          f"(0, 100)), got {_plain(raw)!r}")
    return tuple(float(v) for v in raw)


def choice(value, name, options):
    """Return ``value`` if it is one of ``options``.

    Examples
    --------
    >>> choice("cpu", "backend", ("cpu", "dask", "cuda"))
    'cpu'
    >>> choice("gpu", "backend", ("cpu", "dask", "cuda"))
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `backend` must be one of cpu, dask, cuda, got 'gpu'
    """
    try:
        ok = value in options
    except TypeError:           # an unhashable value against a set
        ok = False
    if not ok:
        raise SimkitError(f"`{name}` must be one of {', '.join(map(str, options))}, "
                          f"got {value!r}")
    return value


def flag(value, name) -> bool:
    """Return ``value`` if it is True or False (NumPy's bool too).

    Examples
    --------
    >>> flag(np.True_, "second_order")
    True
    >>> flag("yes", "second_order")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `second_order` must be True or False, got 'yes'
    """
    if not isinstance(value, bool | np.bool_):
        raise SimkitError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)
