"""Backends: where the kernels run. Each module defines ``run`` with the same
signature: ``run(packed, key, path_offset, tot, per_stream, curves, *, threads,
block_paths, on_block, ...)``; :func:`session` gives a job one Dask client."""

from __future__ import annotations

import contextlib

__all__ = ["session"]


@contextlib.contextmanager
def session(backend, scheduler=None):
    """Yield the ``scheduler`` every simulate call of one job shares.

    With ``backend="dask"`` one ``distributed.Client`` is opened for the whole
    job (see :func:`simkit.backends.dask.client_for`): ``None`` starts a single
    local cluster, an address is connected to once, a ``Client`` is passed
    through and left open. Other backends get ``scheduler`` back unchanged
    (``simulate`` ignores it there).

    Parameters
    ----------
    backend : str
        The backend the job runs on.
    scheduler : None, str or distributed.Client
        As in :func:`simkit.simulate`.

    Yields
    ------
    None, str or distributed.Client
        What to pass as ``scheduler=`` to every simulate call of the job.

    Examples
    --------
    >>> with session("cpu") as scheduler:
    ...     scheduler is None
    True
    >>> with session("dask") as client:  # doctest: +SKIP
    ...     type(client).__name__
    'Client'
    """
    if backend != "dask":
        yield scheduler
        return
    from .dask import client_for

    with client_for(scheduler) as client:
        yield client
