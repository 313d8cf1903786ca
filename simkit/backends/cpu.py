"""In-process backend (the embedded default): numba threads on this machine."""

from __future__ import annotations

import contextlib

import numpy as np

__all__ = ["run", "run_paths"]

_EMPTY4 = np.empty((0, 0, 0, 0))


@contextlib.contextmanager
def _threads(n):
    """Temporarily use ``n`` numba threads (None: leave as is)."""
    import numba

    if n is None:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(old)


def run_paths(packed, key, path_offset, n_paths, want_stream, want_curves):
    """Simulate ``n_paths`` paths of every packed scenario in one kernel call.

    Returns ``(totals, per_stream, curves)`` as new arrays (the last two ``None``
    unless requested). This is the unit of work every backend schedules.
    """
    from .._kernels.horizon import run_block
    from .._kernels.layout import N_PER_STREAM, N_TOTALS
    from .._pack import path_arrays

    s = packed.theta.shape[0]
    # Per-path parameter rows and stream shocks of this block: vectorized NumPy,
    # then one kernel call for every (scenario, path) pair.
    theta, seg_rate, shocks, rowix = path_arrays(packed, key, path_offset, n_paths)
    tot = np.zeros((s, n_paths, N_TOTALS))
    ps = (np.zeros((s, n_paths, packed.n_streams, N_PER_STREAM)) if want_stream
          else _EMPTY4)
    cv = (np.zeros((s, n_paths, packed.n_streams, packed.max_minutes)) if want_curves
          else _EMPTY4)
    run_block(theta, packed.activity, packed.wdf, packed.cum_f, packed.cum_n, seg_rate,
              packed.seg_w, packed.coins, packed.sched, shocks, rowix, np.uint64(key),
              np.int64(path_offset), tot, ps, cv)
    return tot, (ps if want_stream else None), (cv if want_curves else None)


def run(packed, key, path_offset, tot, per_stream, curves, *, threads=None,
        block_paths=4096, on_block=None):
    """Fill ``tot`` (and ``per_stream``/``curves`` when not None) block by block.

    Parameters
    ----------
    packed : simkit._pack.Packed
        Kernel inputs.
    key : int
        Root key (:func:`simkit.simulate.root_key`).
    path_offset : int
        Global index of the first path.
    tot, per_stream, curves : ndarray or None
        Outputs of shape ``(S, P, ...)``.
    threads : int, optional
        Numba threads.
    block_paths : int
        Paths per kernel call.
    on_block : callable, optional
        Called with the number of (scenario, path) pairs finished after each block.
    """
    n_paths = tot.shape[1]
    with _threads(threads):
        for b0 in range(0, n_paths, block_paths):
            b1 = min(n_paths, b0 + block_paths)
            t, p, c = run_paths(packed, key, path_offset + b0, b1 - b0,
                                per_stream is not None, curves is not None)
            tot[:, b0:b1] = t
            if per_stream is not None:
                per_stream[:, b0:b1] = p
            if curves is not None:
                curves[:, b0:b1] = c
            if on_block is not None:
                on_block(tot.shape[0] * (b1 - b0))
