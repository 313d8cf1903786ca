"""CUDA backend: not available on this project's machines (a clear error).

The module is always importable (it imports nothing optional), so
``backend="cuda"`` fails with one line pointing to ``"cpu"`` rather than an
import error, as STUMPY binds ``gpu_stump`` to a driver-not-found stub.
"""

from __future__ import annotations

from ..errors import SimkitError

__all__ = ["run", "run_paths"]

_MESSAGE = "backend 'cuda' needs a CUDA GPU and numba.cuda; use backend='cpu'"


def run_paths(packed, key, path_offset, n_paths, want_stream,
              want_curves):  # pragma: no cover
    """Unavailable: raise :class:`~simkit.errors.SimkitError`.

    Parameters
    ----------
    packed, key, path_offset, n_paths, want_stream, want_curves
        As in :func:`simkit.backends.cpu.run_paths`.

    Raises
    ------
    SimkitError
        Always; there is no CUDA kernel in this build.

    Examples
    --------
    >>> run_paths(None, 0, 0, 1, False, False)  # doctest: +SKIP
    Traceback (most recent call last):
    simkit.errors.SimkitError: backend 'cuda' needs a CUDA GPU ...
    """
    raise SimkitError(_MESSAGE)


def run(packed, key, path_offset, tot, per_stream, curves, *, threads=None,
        block_paths=None, on_block=None):
    """Unavailable: raise :class:`~simkit.errors.SimkitError`.

    Same signature as :func:`simkit.backends.cpu.run`.

    Parameters
    ----------
    packed, key, path_offset, tot, per_stream, curves, threads, block_paths, on_block
        As in :func:`simkit.backends.cpu.run`.

    Raises
    ------
    SimkitError
        Always: ``backend 'cuda' needs a CUDA GPU and numba.cuda; use
        backend='cpu'``.

    See Also
    --------
    simkit.backends.cpu.run : the in-process backend.
    simkit.backends.dask.run : the Dask backend.

    Examples
    --------
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/micro.toml")
    >>> simkit.simulate(sc, paths=10, backend="cuda")  # doctest: +SKIP
    Traceback (most recent call last):
    simkit.errors.SimkitError: backend 'cuda' needs a CUDA GPU and numba.cuda; ...
    """
    raise SimkitError(_MESSAGE)
