"""``simulate`` and ``simulate_batch``: the public entry points to the core."""

from __future__ import annotations

import time

import numpy as np

from . import _validate, config
from ._checks import check_result
from ._kernels import layout as L
from ._memory import check_simulate
from ._pack import pack
from ._version import __version__
from .errors import SimkitError
from .metrics import PER_STREAM, TOTALS
from ._result import SimulationResult
from .scenario import Scenario
from .scenario._load import as_scenario

__all__ = ["simulate", "simulate_batch", "root_key", "BACKENDS"]

BACKENDS = ("cpu", "dask", "cuda")


def root_key(seed) -> int:
    """The 64-bit root key of ``seed`` (an int >= 0 or a ``SeedSequence``).

    Derived through :class:`numpy.random.SeedSequence`, so nearby seeds give
    unrelated keys.

    Examples
    --------
    >>> root_key(1) == root_key(1) != root_key(2)
    True
    """
    if isinstance(seed, np.random.SeedSequence):
        ss = seed
    else:
        ss = np.random.SeedSequence(_validate.seed(seed))
    return int(ss.generate_state(1, dtype=np.uint64)[0])


def _simulate_batch_iv(scenarios, paths, seed, threads, backend, path_offset,
                       block_paths):
    """Input validation and normalization for :func:`simulate_batch`."""
    if isinstance(scenarios, Scenario) or not hasattr(scenarios, "__iter__"):
        raise SimkitError("`scenarios` must be a list of Scenario, got "
                          f"{type(scenarios).__name__}")
    scenarios = list(scenarios)
    if not scenarios:
        raise SimkitError("`scenarios` must not be empty")
    for sc in scenarios:
        as_scenario(sc, load=False)
    paths = _validate.integer(paths, "paths")
    path_offset = _validate.integer(path_offset, "path_offset", minimum=0)
    if path_offset + paths > 2 ** 63 - 1:   # path indices are int64 in the kernels
        raise SimkitError(f"`path_offset` + `paths` must be below 2**63, got "
                          f"{path_offset + paths:,}")
    if threads is not None:
        threads = _validate.integer(threads, "threads")
    block_paths = _validate.integer(block_paths or config.BLOCK_PATHS, "block_paths")
    _validate.choice(backend, "backend", BACKENDS)
    return scenarios, paths, root_key(seed), threads, path_offset, block_paths


def _simulate_iv(scenario, variant):
    """Input validation for :func:`simulate`: the scenario (or its variant)."""
    scenario = as_scenario(scenario, load=False)
    return scenario if variant is None else scenario.variant(variant)


#: Paths of a run when none are given, in Python and on the command line alike.
DEFAULT_PATHS = 10_000


def _progress_bar(progress, total, desc):
    """A tqdm bar when ``progress`` is true (None: only on a terminal)."""
    import sys

    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="path", leave=False, mininterval=0.5,
                delay=1.0)


def _close_bar(bar, started):
    """Close a progress bar; if it was ever drawn, leave one "done in N s" line."""
    import sys

    shown = getattr(bar, "last_print_t", 0.0) >= bar.start_t + bar.delay
    bar.close()
    if shown:
        sys.stderr.write(f"{bar.desc}: {bar.total:,} paths done in "
                         f"{time.perf_counter() - started:.1f} s\n")


def simulate_batch(scenarios, *, paths=DEFAULT_PATHS, seed=0, per_stream=False,
                   curves=False, threads=None, backend="cpu", path_offset=0,
                   block_paths=None, progress=None, scheduler=None, checkpoint=None,
                   resume=False):
    """Simulate several scenarios in vectorized kernel calls.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Scenarios to simulate; all share the seed (common random numbers).
    paths : int
        Paths per scenario (default :data:`DEFAULT_PATHS`, 10,000, the same as
        the command line's ``--paths``).
    seed : int or numpy.random.SeedSequence
        Root seed. Path ``i`` gives the same numbers whatever the thread count,
        block size, ``path_offset`` split or backend.
    per_stream : bool
        Also return per-stream metrics.
    curves : bool
        Also return the concurrency of each stream at each whole minute.
    threads : int, optional
        Numba threads (default: all cores).
    backend : {"cpu", "dask", "cuda"}
        Where the kernels run; ``"cpu"`` (in-process) is the default.
    path_offset : int
        Index of the first path (to continue or split a run).
    block_paths : int, optional
        Paths per kernel call (bounds memory; default ``config.BLOCK_PATHS``).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    scheduler : str, optional
        Dask scheduler address (``backend="dask"`` only).
    checkpoint : path-like, optional
        Directory where each finished chunk of paths is written at once
        (atomically), with a manifest describing the run (:mod:`simkit._checkpoint`).
    resume : bool
        With ``checkpoint``: load the finished chunks of an interrupted run of
        the same scenarios, seed and sizes, and simulate only the rest. The
        result equals an uninterrupted run's bit for bit.

    Returns
    -------
    list of SimulationResult
        One per scenario, in order.

    See Also
    --------
    simulate : one scenario.

    Examples
    --------
    >>> import simkit
    >>> base = simkit.load_scenario("scenarios/micro.toml")
    >>> more = base.with_overrides({"creator.followers": 20_000})
    >>> a, b = simkit.simulate_batch([base, more], paths=100, seed=12345)
    >>> bool(b["unique_viewers"].mean() > a["unique_viewers"].mean())
    True

    A checkpointed run, interrupted or not, gives the same numbers:

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> c, = simkit.simulate_batch([base], paths=100, seed=12345, checkpoint=d)
    >>> bool((c["income_total"] == a["income_total"]).all())
    True
    """
    scenarios, paths, key, threads, path_offset, block_paths = _simulate_batch_iv(
        scenarios, paths, seed, threads, backend, path_offset, block_paths)
    packed = pack(scenarios)
    inputs = [_draw_inputs(sc, key, path_offset, paths) for sc in scenarios]
    if any(inputs):
        packed = packed.with_inputs(inputs, path_offset)
    s = len(scenarios)
    n_st = packed.n_streams
    # Refuse up front, in one line, what would not fit in memory.
    check_simulate(s, paths, n_st, packed.max_minutes, per_stream=per_stream,
                   curves=curves)
    tot = np.zeros((s, paths, len(TOTALS)))
    ps = np.zeros((s, paths, n_st, len(PER_STREAM))) if per_stream else None
    cv = np.zeros((s, paths, n_st, packed.max_minutes)) if curves else None
    started = time.perf_counter()
    if backend == "cpu":
        from .backends.cpu import run
    elif backend == "dask":
        from .backends.dask import run
    else:
        from .backends.cuda import run
    kwargs = {"scheduler": scheduler} if backend == "dask" else {}
    bar = _progress_bar(progress, s * paths, scenarios[0].name if s == 1 else
                        f"{s} scenarios")
    if bar is not None:
        # About 20 updates per run; block size never changes the numbers.
        block_paths = min(block_paths, max(256, -(-paths // 20)))
    on_block = bar.update if bar else None
    try:
        if checkpoint is None:
            run(packed, key, path_offset, tot, ps, cv, threads=threads,
                block_paths=block_paths, on_block=on_block, **kwargs)
        else:
            # One client for all chunks (a LocalCluster per chunk otherwise).
            from .backends import session

            with session(backend, scheduler) as client:
                _run_checkpointed(run, {"scheduler": client} if kwargs else {},
                                  scenarios, packed, key, path_offset, tot, ps, cv,
                                  threads, block_paths, on_block, checkpoint, resume,
                                  seed)
    finally:
        if bar is not None:
            _close_bar(bar, started)
    elapsed = time.perf_counter() - started
    results = []
    seed_meta = ({"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
                 if isinstance(seed, np.random.SeedSequence) else int(seed))
    for i, sc in enumerate(scenarios):
        n_i = int(packed.theta[i, L.N_STREAMS])
        meta = {
            "scenario": sc.name, "source": sc.source, "variant": sc.variant_name,
            "seed": seed_meta, "root_key": key, "paths": paths, "path_offset": path_offset,
            "simkit_version": __version__, "backend": backend,
            "elapsed_s": elapsed, "streams": n_i, "horizon_days": sc.horizon_days,
            "params": sc.to_dict(),
        }
        results.append(SimulationResult(
            sc.name,
            {m: tot[i, :, c].copy() for c, m in enumerate(TOTALS)},
            None if ps is None else {m: ps[i, :, :n_i, c].copy()
                                     for c, m in enumerate(PER_STREAM)},
            None if cv is None else cv[i, :, :n_i].copy(),
            meta, inputs=inputs[i],   # the drawn uncertain inputs of each path
        ))
        check_result(results[-1])   # no NaN, infinite or negative metric leaves
    return results


def _draw_inputs(sc, key, path_offset, paths):
    """The uncertain inputs of ``sc`` drawn for ``paths`` paths from
    ``path_offset`` (dotted key -> float64 array), ``{}`` for a fixed scenario.

    Keyed by (root key, global path, key name), so a block, chunk or task of
    paths sees the same values as the whole run.
    """
    uncertain = getattr(sc, "uncertain", None)
    if not uncertain:
        return {}
    from ._pack import PATH_KEYS
    from .scenario import draw_inputs

    bad = sorted(set(uncertain) - PATH_KEYS)
    if bad:
        raise SimkitError(f"{sc.source}: `{bad[0]}` cannot vary per path")
    return {k: np.asarray(v, dtype=np.float64)
            for k, v in draw_inputs(sc, key, path_offset, paths).items()}


def _run_checkpointed(run, kwargs, scenarios, packed, key, path_offset, tot, ps, cv,
                      threads, block_paths, on_block, out, resume, seed):
    """``run`` chunk by chunk, each finished chunk saved to ``out`` (or loaded
    from it when resuming and it verifies); see :mod:`simkit._checkpoint`."""
    from ._checkpoint import Checkpoint, scenario_hash

    s, paths = tot.shape[0], tot.shape[1]
    chunk = -(-config.CHECKPOINT_PAIRS // s)
    seed_id = (int(seed) if not isinstance(seed, np.random.SeedSequence) else
               {"entropy": str(seed.entropy), "spawn_key": [int(k) for k in
                                                            seed.spawn_key]})
    outs = {n: a for n, a in (("totals", tot), ("per_stream", ps), ("curves", cv))
            if a is not None}
    manifest = {
        "format": "simkit-run-checkpoint/2", "simkit_version": __version__,
        "scenarios": [sc.name for sc in scenarios],
        "variants": [sc.variant_name for sc in scenarios],
        "scenario_sha256": [scenario_hash(sc) for sc in scenarios],
        "seed": seed_id, "root_key": str(key), "paths": paths,
        "path_offset": path_offset, "chunk_paths": chunk,
        "outputs": {n: list(a.shape[2:]) for n, a in outs.items()},
    }
    with Checkpoint(out, manifest, resume=resume) as ck:
        for i, c0 in enumerate(range(0, paths, chunk)):
            c1 = min(paths, c0 + chunk)
            views = {n: a[:, c0:c1] for n, a in outs.items()}
            got = ck.load(i, c0, c1, views) if resume else None
            if got is not None:
                for n, v in views.items():
                    v[...] = got[n]
                if on_block is not None:
                    on_block(s * (c1 - c0))
                continue
            run(packed, key, path_offset + c0, views["totals"],
                views.get("per_stream"), views.get("curves"), threads=threads,
                block_paths=block_paths, on_block=on_block, **kwargs)
            ck.save(i, c0, c1, **views)


def simulate(scenario, *, paths=DEFAULT_PATHS, seed=0, variant=None, per_stream=False,
             curves=False, threads=None, backend="cpu", path_offset=0,
             block_paths=None, progress=None, scheduler=None, checkpoint=None,
             resume=False):
    """Simulate one scenario (or one of its variants) over many paths.

    Parameters
    ----------
    scenario : Scenario
        From :func:`simkit.load_scenario`.
    paths : int
        Number of Monte Carlo paths (default :data:`DEFAULT_PATHS`, 10,000, the
        same as the command line's ``--paths``).
    seed : int or numpy.random.SeedSequence
        Root seed; the same seed gives the same numbers on any thread count,
        chunking or backend.
    variant : str, optional
        Name of a variant defined in the scenario file.
    per_stream, curves, threads, backend, path_offset, block_paths, progress, scheduler
        As in :func:`simulate_batch`.
    checkpoint, resume
        As in :func:`simulate_batch`: save finished chunks of paths to a
        directory, and continue an interrupted run from them.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/mid_tier.toml")
    >>> res = simkit.simulate(sc, paths=200, seed=12345)
    >>> s = res.summary(target=1000)
    >>> s["income_total"].stderr > 0
    True
    """
    scenario = _simulate_iv(scenario, variant)
    return simulate_batch([scenario], paths=paths, seed=seed, per_stream=per_stream,
                          curves=curves, threads=threads, backend=backend,
                          path_offset=path_offset, block_paths=block_paths,
                          progress=progress, scheduler=scheduler,
                          checkpoint=checkpoint, resume=resume)[0]

