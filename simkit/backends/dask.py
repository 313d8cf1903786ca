"""Dask backend: the same kernel call, scheduled on a ``distributed`` cluster.

The work is cut into tasks of (scenario chunk, path block); each task is one
call of :func:`simkit.backends.cpu.run_paths`, the unit of work every backend
schedules (as STUMPY's ``_dask_stumped`` submits the ``_stump`` kernel on
slices). Draws are keyed by (seed, path), never by worker or thread, so the
merged result is bit-identical to the in-process backend, and a task that is
retried after a worker died gives the same numbers again.

``dask`` and ``distributed`` are imported inside functions only.
"""

from __future__ import annotations

import contextlib

from ..errors import SimkitError

__all__ = ["run", "client_for", "plan_tasks"]

#: Local cluster used when no scheduler address is given: two worker processes
#: of one thread each (numba included, so two processes do not oversubscribe
#: the cores), no dashboard. The scheduler still serves its small HTTP API
#: (health, metrics); it binds a free port (":0") instead of 8787, so a second
#: cluster on the machine does not warn about a port in use.
LOCAL_CLUSTER = {"n_workers": 2, "threads_per_worker": 1, "processes": True,
                 "dashboard_address": None,
                 "scheduler_kwargs": {"dashboard_address": ":0"},
                 "env": {"NUMBA_NUM_THREADS": "1"}}

#: How long to wait for a scheduler given by address (tests patch it).
CONNECT_TIMEOUT = "10s"


def _distributed():
    try:
        import distributed
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise SimkitError("backend 'dask' needs dask.distributed: pip install "
                          "'simkit[dask]'") from None
    return distributed


@contextlib.contextmanager
def client_for(scheduler=None):
    """Yield a ``distributed.Client`` for ``scheduler``.

    Parameters
    ----------
    scheduler : None, str or distributed.Client
        ``None`` starts a ``LocalCluster`` (2 worker processes, 1 thread each,
        no dashboard) for the duration of the block; a string is a scheduler
        address (``tcp://host:8786``, ``tls://host:8786``); a ``Client`` is used
        as is (for example one built with TLS ``security=``) and left open.

    Yields
    ------
    distributed.Client

    Raises
    ------
    SimkitError
        When dask.distributed is missing, the address cannot be reached, or
        ``scheduler`` has another type.

    Examples
    --------
    >>> with client_for() as client:  # doctest: +SKIP
    ...     len(client.scheduler_info()["workers"])
    2
    """
    distributed = _distributed()
    if scheduler is None:
        with distributed.LocalCluster(**LOCAL_CLUSTER) as cluster, \
                distributed.Client(cluster) as client:
            yield client
        return
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler:
        raise SimkitError("`scheduler` must be a scheduler address (e.g. "
                          "'tcp://host:8786') or a distributed.Client, "
                          f"got {scheduler!r}")
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise SimkitError(f"`scheduler`: cannot connect to {scheduler!r} ({exc})") \
            from None
    with client:
        yield client


def plan_tasks(n_scenarios, n_paths, block_paths):
    """Cut ``n_scenarios x n_paths`` into tasks of about ``block_paths`` pairs.

    Paths are cut into blocks of ``min(n_paths, block_paths)``; scenarios are
    grouped so that a task holds about ``block_paths`` (scenario, path) pairs.

    Parameters
    ----------
    n_scenarios, n_paths : int
        Shape of the work.
    block_paths : int
        Target (scenario, path) pairs per task.

    Returns
    -------
    list of tuple
        ``(s0, s1, b0, b1)``: scenarios ``s0:s1`` and paths ``b0:b1``.

    Examples
    --------
    >>> plan_tasks(5, 10, 20)
    [(0, 2, 0, 10), (2, 4, 0, 10), (4, 5, 0, 10)]
    >>> plan_tasks(1, 10, 4)
    [(0, 1, 0, 4), (0, 1, 4, 8), (0, 1, 8, 10)]
    """
    pb = min(n_paths, block_paths)
    per = max(1, block_paths // pb)
    return [(s0, min(n_scenarios, s0 + per), b0, min(n_paths, b0 + pb))
            for s0 in range(0, n_scenarios, per) for b0 in range(0, n_paths, pb)]


def _task(packed, key, path_offset, n_paths, want_stream, want_curves, threads):
    """One task: :func:`simkit.backends.cpu.run_paths` under ``threads`` threads.

    A pure function of its arguments, so Dask may retry it anywhere.
    """
    from .cpu import _threads, run_paths

    with _threads(threads):
        return run_paths(packed, key, path_offset, n_paths, want_stream, want_curves)


def run(packed, key, path_offset, tot, per_stream, curves, *, threads=None,
        block_paths=None, on_block=None, scheduler=None):
    """Fill ``tot`` (and ``per_stream``/``curves``) from tasks on a Dask cluster.

    Parameters
    ----------
    packed : simkit._pack.Packed
        Kernel inputs.
    key : int
        Root key (:func:`simkit._simulate.root_key`).
    path_offset : int
        Global index of the first path.
    tot, per_stream, curves : ndarray or None
        Outputs of shape ``(S, P, ...)``, filled in place.
    threads : int, optional
        Numba threads per task (default: the worker's; the local cluster's
        workers have one).
    block_paths : int, optional
        About how many (scenario, path) pairs one task simulates (default
        ``config.BLOCK_PATHS``).
    on_block : callable, optional
        Called with the number of (scenario, path) pairs of each finished task
        (progress).
    scheduler : None, str or distributed.Client
        Scheduler address or client; ``None`` starts a local cluster of two
        worker processes for this call (see :func:`client_for`).

    Raises
    ------
    SimkitError
        When dask.distributed is missing or the scheduler cannot be reached.

    See Also
    --------
    simkit.backends.cpu.run : the in-process backend (same results).
    simkit.backends.cuda.run : the CUDA backend.

    Notes
    -----
    Tasks are submitted with ``pure=True``: a task is a deterministic function
    of (scenario parameters, root key, first path, path count), so when a
    worker dies Dask reruns its tasks elsewhere and the merged arrays do not
    change.

    Examples
    --------
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/micro.toml")
    >>> a = simkit.simulate(sc, paths=64, seed=12345, backend="dask")  # doctest: +SKIP
    >>> b = simkit.simulate(sc, paths=64, seed=12345)
    >>> bool((a["income_total"] == b["income_total"]).all())  # doctest: +SKIP
    True
    """
    distributed = _distributed()
    n_s, n_p = tot.shape[0], tot.shape[1]
    want_stream, want_curves = per_stream is not None, curves is not None
    from .. import config

    plan = plan_tasks(n_s, n_p, block_paths or config.BLOCK_PATHS)
    with client_for(scheduler) as client:
        futures = {}
        for s0, s1, b0, b1 in plan:
            part = packed.take(slice(s0, s1)).take_paths(path_offset + b0,
                                                         path_offset + b1)
            fut = client.submit(_task, part, int(key),
                                int(path_offset + b0), b1 - b0, want_stream,
                                want_curves, threads, pure=True)
            futures[fut] = (s0, s1, b0, b1)
        finished = False
        try:
            for fut in distributed.as_completed(list(futures)):
                s0, s1, b0, b1 = futures[fut]
                t, p, c = fut.result()
                tot[s0:s1, b0:b1] = t
                if want_stream:
                    per_stream[s0:s1, b0:b1] = p
                if want_curves:
                    curves[s0:s1, b0:b1] = c
                fut.release()
                if on_block is not None:
                    on_block((s1 - s0) * (b1 - b0))
            finished = True
        finally:
            if not finished:  # interrupted: drop the tasks still queued
                client.cancel([f for f in futures if not f.done()])
