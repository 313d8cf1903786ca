"""Exceptions and warnings raised by simkit.

Every error a user can cause (a bad scenario file, a bad flag, a bad argument)
is a :class:`SimkitError`; the CLI prints its message on one line and exits 2.
"""

from __future__ import annotations

__all__ = ["SimkitError", "ScenarioError", "LowPrecisionWarning", "SimkitWarning",
           "CheckpointWarning", "CorrelationWarning"]


class SimkitError(Exception):
    """Base class of every error simkit raises on bad input."""


class ScenarioError(SimkitError, ValueError):
    """A scenario file or mapping is malformed.

    Parameters
    ----------
    file : str
        The file (or ``"<dict>"`` for an in-memory mapping).
    key : str
        Dotted key path, e.g. ``"audience.join_rate"``.
    expected : str
        What the key must be, e.g. ``"a number in [0, 1]"``.
    got : object, optional
        The offending value; omitted from the message when not given.

    Examples
    --------
    >>> str(ScenarioError("a.toml", "audience.join_rate", "a number in [0, 1]", 2.0))
    'a.toml: `audience.join_rate` must be a number in [0, 1], got 2.0'
    """

    _MISSING = object()

    def __init__(self, file, key, expected, got=_MISSING):
        self.file, self.key, self.expected = str(file), key, expected
        self.got = None if got is self._MISSING else got
        msg = f"{file}: `{key}` must be {expected}"
        if got is not self._MISSING:
            msg += f", got {got!r}"
        super().__init__(msg)


class LowPrecisionWarning(RuntimeWarning):
    """A Monte Carlo estimate rests on too few paths to be trusted."""


class SimkitWarning(UserWarning):
    """Base class of simkit's warnings about the input or the run (the CLI prints
    each as one ``simkit: warning:`` line)."""


class CorrelationWarning(SimkitWarning):
    """A scenario's ``[correlations]`` were not a valid correlation matrix; the
    nearest valid one (each entry moved by at most
    ``simkit.config.CORRELATION_REPAIR_TOL``) is used instead."""


class CheckpointWarning(SimkitWarning):
    """A run goes on without its checkpoint (something simkit did not write is in
    the way); its numbers are unaffected, but an interruption loses its work."""
