"""Checkpoints of long runs: finished chunks on disk, so that no work is lost.

A checkpoint directory holds ``manifest.json`` (what the run is: scenarios,
seed, path counts, outputs, chunk size, simkit version) and one
``chunks/chunk-NNNNN.npz`` per finished chunk of paths, each written
atomically as soon as the chunk is done. Resuming loads the chunks that match
the manifest and simulates only the missing ones; since path ``i`` gives the
same numbers whatever the chunking or backend, a resumed run equals an
uninterrupted one bit for bit.

:func:`simkit.simulate` and :func:`simkit.simulate_batch` take
``checkpoint=DIR, resume=True``; ``simkit run --out DIR --resume`` uses them.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from ._io import atomic_write_bytes, write_json
from .errors import SimkitError

__all__ = ["scenario_hash", "prepare", "save_chunk", "load_chunk"]


def scenario_hash(scenario) -> str:
    """SHA-256 of a scenario's full contents (values and gift catalogue).

    Examples
    --------
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/micro.toml")
    >>> scenario_hash(sc) == scenario_hash(sc.with_overrides({}))
    True
    >>> scenario_hash(sc) == scenario_hash(sc.with_overrides({"creator.followers": 1}))
    False
    """
    h = hashlib.sha256()
    h.update(json.dumps(scenario.to_dict(), sort_keys=True, default=str).encode())
    h.update(np.ascontiguousarray(scenario.catalogue.coins).tobytes())
    h.update(np.ascontiguousarray(scenario.catalogue.weights).tobytes())
    return h.hexdigest()


def _chunk_path(out, i):
    return Path(out) / "chunks" / f"chunk-{i:05d}.npz"


def prepare(out, manifest, resume, what="run"):
    """Make ``out`` a checkpoint directory for the run ``manifest`` describes.

    With ``resume`` and an existing ``out/manifest.json``, check that it
    describes the same run (else raise); otherwise start afresh: remove stale
    chunk files and write the manifest.

    Parameters
    ----------
    out : path-like
        The checkpoint directory (created if needed).
    manifest : dict
        JSON-serializable description of the run; equal manifests mean equal
        chunks.
    resume : bool
        Keep the finished chunks of an earlier run with the same manifest.
    what : str
        What the run is, for messages ("run", "sweep").

    Raises
    ------
    SimkitError
        ``out`` is a file, or ``resume`` finds a manifest of another run.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> prepare(d, {"paths": 10}, resume=False)
    >>> prepare(d, {"paths": 10}, resume=True)     # same run: keeps its chunks
    >>> prepare(d, {"paths": 20}, resume=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    simkit.errors.SimkitError: `resume`: .../manifest.json was written for another run (`paths` was 10, now 20)
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SimkitError(f"`out` {out}: exists and is not a directory")
    mpath = out / "manifest.json"
    if resume and mpath.is_file():
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise SimkitError(f"`resume`: {mpath} is not a {what} manifest") from None
        diff = [k for k in manifest if old.get(k) != manifest[k]]
        if diff:
            k = diff[0]
            raise SimkitError(f"`resume`: {mpath} was written for another {what} "
                              f"(`{k}` was {old.get(k)!r}, now {manifest[k]!r})")
        return
    if (out / "chunks").is_dir():
        for p in (out / "chunks").glob("chunk-*.npz"):
            p.unlink()
    write_json(mpath, manifest)


def save_chunk(out, i, start, stop, **arrays):
    """Write chunk ``i`` (covering ``start`` to ``stop``) atomically.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> d = tempfile.mkdtemp()
    >>> save_chunk(d, 0, 0, 3, totals=np.arange(3.0))
    >>> load_chunk(d, 0, 0, 3, ("totals",))["totals"]
    array([0., 1., 2.])
    """
    buf = io.BytesIO()
    np.savez(buf, index=i, start=start, stop=stop, **arrays)
    atomic_write_bytes(_chunk_path(out, i), buf.getvalue())


def load_chunk(out, i, start, stop, names, check=None):
    """The arrays ``names`` of finished chunk ``i``, or None.

    None when the file is absent, unreadable, covers another range, lacks an
    array, or ``check`` (a dict of arrays that must be stored equal) fails.

    Examples
    --------
    >>> import tempfile
    >>> load_chunk(tempfile.mkdtemp(), 0, 0, 3, ("totals",)) is None
    True
    """
    p = _chunk_path(out, i)
    if not p.is_file():
        return None
    try:
        with np.load(p, allow_pickle=False) as z:
            if (int(z["index"]), int(z["start"]), int(z["stop"])) != (i, start, stop):
                return None
            for k, v in (check or {}).items():
                if not np.array_equal(z[k], v):
                    return None
            return {k: z[k] for k in names}
    except (OSError, ValueError, KeyError, EOFError):
        return None
