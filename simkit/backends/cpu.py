"""In-process backend (the embedded default): numba threads on this machine.

The kernels run with the GIL released and cannot be stopped mid-call, so
:func:`run` makes its kernel calls in a worker thread while the calling thread
waits in short timed waits: Ctrl-C (``KeyboardInterrupt``) reaches the caller
within about 0.1 s whatever a call costs. On an interrupt no further block is
started and the interrupt is raised at once; the block already running finishes
in its abandoned daemon thread (its results are discarded), and the next kernel
call of the process waits for it (:data:`_KERNEL_LOCK`). Blocks are also kept
to about ``config.KERNEL_VIEWERS`` expected viewers (:func:`block_size`), so one
call lasts a fraction of a second and progress bars move; the block size never
changes the numbers (draws are keyed by path).
"""

from __future__ import annotations

import contextlib
import queue
import threading

import numpy as np

__all__ = ["run", "run_paths", "block_size", "viewers_per_path"]

_EMPTY4 = np.empty((0, 0, 0, 0))
#: One kernel call at a time in this process: a call abandoned on Ctrl-C runs on
#: in its daemon thread, and numba's thread pool is not entered from two
#: threads at once.
_KERNEL_LOCK = threading.Lock()
#: Seconds between two checks for an interrupt while a kernel call runs.
_POLL_S = 0.1


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
    from .._kernels.horizon import Batch, run_block
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
    batch = Batch(theta, packed.activity, packed.wdf, packed.cum_f, packed.cum_n,
                  seg_rate, packed.seg_w, packed.coins, packed.sched, shocks, rowix)
    run_block(batch, np.uint64(key), np.int64(path_offset), tot, ps, cv)
    return tot, (ps if want_stream else None), (cv if want_curves else None)


def viewers_per_path(packed):
    """Expected viewers of one path of each packed scenario (a rough upper side).

    Per stream: notified followers ``F r P (1 + g_max)``, partner viewers
    ``F_p r i P c``, feed arrivals ``mu T``, the extra joins of subscribers
    ``S_0 (u_w - 1) r P (1 + g_max)`` and LIVE Match opponents ``m F_m r i_m P``
    (docs/model.md §19), at the busiest hour and weekday,
    times the streams of the horizon (followers at their starting count;
    viral offspring not counted).

    Examples
    --------
    >>> from simkit._pack import pack
    >>> from simkit.scenario import scenario_from_dict
    >>> v = viewers_per_path(pack([scenario_from_dict({})]))
    >>> v.shape, bool(v[0] > 0)
    ((1,), True)
    """
    from .._kernels import layout as L

    th = packed.theta
    busiest = packed.activity.max(axis=1) * packed.wdf.max(axis=1)
    habit = 1.0 + th[:, L.HABIT_ON] * th[:, L.HABIT_GMAX]
    notified = th[:, L.FOLLOWERS] * th[:, L.JOIN] * th[:, L.PROMO] * habit
    partner = (th[:, L.PARTNER_F] * th[:, L.JOIN] * th[:, L.INTEREST]
               * th[:, L.PROMO] * th[:, L.COLLAB_P])
    feed = th[:, L.MU] * packed.max_minutes
    subs = (th[:, L.SUB_ON] * np.minimum(th[:, L.SUB_S0], th[:, L.FOLLOWERS])
            * np.maximum(th[:, L.SUB_WATCH] - 1.0, 0.0) * th[:, L.JOIN]
            * th[:, L.PROMO] * habit)
    match = (th[:, L.MATCH_N] * th[:, L.MATCH_PARTNER_F] * th[:, L.JOIN]
             * th[:, L.MATCH_INTEREST] * th[:, L.PROMO])
    return (notified + partner + feed + subs + match) * busiest * th[:, L.N_STREAMS]


def block_size(packed, block_paths, threads=None):
    """Paths per kernel call: ``block_paths``, fewer when paths are heavy.

    About ``config.KERNEL_VIEWERS`` expected viewers per thread per call
    over all scenarios (a few tenths of a second), but at least one path per
    thread (so every thread has work).

    Examples
    --------
    >>> from simkit._pack import pack
    >>> from simkit.scenario import scenario_from_dict
    >>> light = pack([scenario_from_dict({})])
    >>> block_size(light, 1000, threads=2)
    1000
    >>> from simkit import config
    >>> config.KERNEL_VIEWERS = 1      # as if every path were very heavy
    >>> block_size(light, 1000, threads=2)
    2
    >>> config._reset()
    """
    import numba

    from .. import config

    n = numba.get_num_threads() if threads is None else threads
    per_path = float(np.sum(viewers_per_path(packed)))
    s = packed.theta.shape[0]
    # In floats: a tiny positive rate makes ``fit`` huge (even inf), never an error.
    fit = n * config.KERNEL_VIEWERS / per_path if per_path > 0 else block_paths
    return int(max(1, -(-n // s), min(block_paths, fit)))


def _get(results):
    """Next item of ``results``, waiting in short steps (Ctrl-C stays prompt)."""
    while True:
        try:
            return results.get(timeout=_POLL_S)
        except queue.Empty:
            continue


def run(packed, key, path_offset, tot, per_stream, curves, *, threads=None,
        block_paths=None, on_block=None):
    """Fill ``tot`` (and ``per_stream``/``curves`` when not None) block by block.

    Parameters
    ----------
    packed : simkit._pack.Packed
        Kernel inputs.
    key : int
        Root key (:func:`simkit._simulate.root_key`).
    path_offset : int
        Global index of the first path.
    tot, per_stream, curves : ndarray or None
        Outputs of shape ``(S, P, ...)``.
    threads : int, optional
        Numba threads.
    block_paths : int, optional
        Paths per kernel call at most (fewer for heavy paths: :func:`block_size`;
        default ``config.BLOCK_PATHS``).
    on_block : callable, optional
        Called with the number of (scenario, path) pairs finished after each block.
    """
    import numba

    from .. import config

    n_paths = tot.shape[1]
    if threads is None:   # numba's thread count is per thread: carry the caller's
        threads = numba.get_num_threads()
    step = block_size(packed, block_paths or config.BLOCK_PATHS, threads)
    step = -(-n_paths // -(-n_paths // step))   # equal blocks: no short last call
    blocks = [(b0, min(n_paths, b0 + step)) for b0 in range(0, n_paths, step)]
    results = queue.SimpleQueue()
    stop = threading.Event()

    def work():
        # Only this thread's own arrays are written here: once the caller has
        # gone (Ctrl-C), a block that finishes late touches nothing of its.
        try:
            with _threads(threads):
                for b0, b1 in blocks:
                    if stop.is_set():
                        return
                    with _KERNEL_LOCK:
                        out = run_paths(packed, key, path_offset + b0, b1 - b0,
                                        per_stream is not None, curves is not None)
                    results.put((b0, b1, out))
        except BaseException as exc:  # handed to the caller, raised there
            results.put(exc)

    worker = threading.Thread(target=work, name="simkit-kernel", daemon=True)
    worker.start()
    try:
        for _ in blocks:
            item = _get(results)
            if isinstance(item, BaseException):
                raise item
            b0, b1, (t, p, c) = item
            tot[:, b0:b1] = t
            if per_stream is not None:
                per_stream[:, b0:b1] = p
            if curves is not None:
                curves[:, b0:b1] = c
            if on_block is not None:
                on_block(tot.shape[0] * (b1 - b0))
    except BaseException:
        stop.set()   # no new block; the running one finishes in the background
        raise
    worker.join()
