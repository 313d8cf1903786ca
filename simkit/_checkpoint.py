"""Checkpoints of long runs: finished chunks on disk, so that no work is lost.

A checkpoint folder holds

- ``manifest.json``: what the run is (scenario names and content hashes,
  variant, seed and root key, path counts and offset, chunk size, outputs,
  simkit version), written when the first chunk is;
- ``chunks/chunk-NNNNN.npz``: one per finished chunk of paths, written
  atomically as soon as it is done. Each records the identity of its run (the
  manifest itself and its SHA-256) and a SHA-256 of its arrays;
- ``simkit.lock`` while a run uses the folder: process id, host and start
  time of that run. A second run into the folder is refused while the first
  runs; a lock whose process is gone (killed) is stale and taken over.

Resuming loads only the chunks that verify (same run, same range, same shapes,
checksum intact) and simulates every other one again: a truncated, bit-flipped
or foreign chunk, a manifest that is damaged, or an empty file or folder where
a chunk or ``chunks/`` should be. Since path ``i`` gives the same numbers
whatever the chunking or backend, a resumed run equals an uninterrupted one
bit for bit. simkit removes only what it wrote there (chunk files by name, its
own manifest, its lock, then the folders if empty). Anything else in the way (a
file with content where ``chunks/`` goes, a folder with content where a chunk or
the manifest goes, a JSON ``manifest.json`` that is not simkit's) is never
removed: the run computes every chunk and goes on without a checkpoint, with a
:class:`~simkit.errors.CheckpointWarning` naming what is in the way.

:func:`simkit.simulate` and :func:`simkit.simulate_batch` take
``checkpoint=DIR, resume=True``; ``simkit run --out DIR --resume`` and
``simkit sweep --resume`` use them.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import socket
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from ._io import atomic_write_bytes, process_alive, process_started, write_json
from .errors import CheckpointWarning, SimkitError

__all__ = ["Checkpoint", "scenario_hash", "hold", "discard", "LOCK_NAME",
           "MANIFEST_NAME"]

#: The lock file's name in a checkpoint folder.
LOCK_NAME = "simkit.lock"
#: The manifest's name in a checkpoint folder.
MANIFEST_NAME = "manifest.json"

_CHUNK = re.compile(r"chunk-\d{5,}\.npz")
_META = ("index", "start", "stop", "run_id", "run", "sha256")


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


def _canonical(manifest) -> bytes:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"),
                      default=str).encode()


def _digest(arrays) -> str:
    """SHA-256 of named arrays: names, dtypes, shapes and bytes, in name order."""
    h = hashlib.sha256()
    for k in sorted(arrays):
        a = np.ascontiguousarray(arrays[k])
        h.update(f"{k}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ----- the lock --------------------------------------------------------------------

_registry_lock = threading.Lock()
_held = {}  # realpath of a folder -> [count, lock file contents, remove folder?]


def _read_lock(path):
    """The holder recorded in a lock file (a dict), or None if unreadable."""
    for _ in range(5):  # a lock being written right now reads empty at first
        try:
            holder = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(holder, dict):
                return holder
        except (OSError, ValueError, RecursionError):  # deep nesting: damaged too
            pass
        if path.is_dir() or not path.exists():
            return None
        time.sleep(0.05)
    return None


def _stale(path, holder):
    """Whether the lock ``holder`` read from ``path`` belongs to a process that
    is gone (only a lock written on this host can be judged)."""
    if holder is None:
        return True  # damaged: no process can be named as its holder
    if holder.get("host") != socket.gethostname():
        return False
    try:
        pid, mtime = int(holder.get("pid")), path.stat().st_mtime
    except (TypeError, ValueError, OSError):
        return True
    if pid == os.getpid():
        return True  # this process holds no such lock (see _held): an earlier one did
    return not process_alive(pid, since=mtime)


def _take_over(path, holder):
    """Remove the stale lock ``path`` unless another process replaced it meanwhile."""
    aside = path.with_name(f".{LOCK_NAME}.stale.{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    if _read_lock(aside) != holder:  # a fresh lock replaced the stale one: put it back
        with contextlib.suppress(OSError):
            os.link(aside, path)
    aside.unlink(missing_ok=True)


def _describe(holder):
    if holder is None:
        return "another simkit process"
    return (f"simkit process {holder.get('pid')} on {holder.get('host')}, "
            f"since {holder.get('since')}")


def _acquire(folder, what):
    """Create ``folder/simkit.lock`` for this process, taking over a stale one."""
    path = folder / LOCK_NAME
    holder = {"pid": os.getpid(), "host": socket.gethostname(),
              "since": datetime.datetime.now().astimezone().isoformat(
                  timespec="seconds"),
              "process_started": process_started(os.getpid()), "what": what}
    for _ in range(5):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if path.is_dir():
                try:
                    path.rmdir()  # an empty folder where the lock goes: nothing lost
                    continue
                except OSError:
                    raise SimkitError(f"{path}: a folder, not simkit's lock file; "
                                      "remove it or choose another folder") from None
            other = _read_lock(path)
            if not _stale(path, other):
                raise SimkitError(
                    f"{folder}: in use by another {what} ({_describe(other)}); wait "
                    f"for it to finish, or remove {path} if that process is gone")
            _take_over(path, other)
            continue
        except OSError as exc:
            raise SimkitError(f"cannot lock {folder}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(holder, f)
        return holder
    raise SimkitError(f"{folder}: cannot take its lock {path} (contended); try again")


def _make_folders(folder):
    """Create ``folder`` and missing parents; return those created, outermost first."""
    missing = []
    d = folder
    while not (d.exists() or d.is_symlink()) and d != d.parent:
        missing.append(d)
        d = d.parent
    created = []
    try:
        for m in reversed(missing):
            m.mkdir()
            created.append(m)
    except OSError as exc:
        _remove_empty(reversed(created))
        raise SimkitError(f"cannot make the checkpoint folder {folder}: "
                          f"{exc.strerror or exc}") from None
    if not folder.is_dir():
        raise SimkitError(f"`out` {folder}: exists and is not a directory")
    return created


def _remove_empty(folders):
    for d in folders:
        with contextlib.suppress(OSError):
            d.rmdir()


@contextlib.contextmanager
def hold(folder, what="run"):
    """Hold the checkpoint folder ``folder`` (created if needed) for this process.

    The lock file ``folder/simkit.lock`` (process id, host, start time) is
    created exclusively and removed on exit, whatever the exit. Holding a
    folder this process already holds is allowed (nested use). Folders this
    call created are removed on exit if empty.

    Parameters
    ----------
    folder : path-like
        The checkpoint folder.
    what : str
        What the run is, for messages ("run", "sweep").

    Raises
    ------
    SimkitError
        Another live process holds the folder (the message names the folder,
        the process id and host), or the folder cannot be made.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with hold(d / "ck"):
    ...     sorted(p.name for p in (d / "ck").iterdir())
    ['simkit.lock']
    >>> (d / "ck").exists()   # created by hold, empty again: removed
    False
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SimkitError(f"`out` {folder}: exists and is not a directory")
    created = _make_folders(folder)
    key = os.path.realpath(folder)
    with _registry_lock:
        entry = _held.get(key)
        if entry is not None:
            entry[0] += 1
    if entry is None:
        try:
            holder = _acquire(folder, what)
        except BaseException:
            _remove_empty(reversed(created))
            raise
        entry = [1, holder, False]
        with _registry_lock:
            _held[key] = entry
    try:
        yield folder
    finally:
        with _registry_lock:
            entry[0] -= 1
            last = entry[0] == 0
            if last:
                del _held[key]
        if last:
            path = folder / LOCK_NAME
            if _read_lock(path) == entry[1]:
                path.unlink(missing_ok=True)
            if entry[2]:
                _remove_empty([folder])
        _remove_empty(reversed(created))


def discard(folder):
    """Remove the checkpoint in ``folder``: only the files simkit writes there.

    Chunk files (by name), ``chunks/`` if then empty, the manifest, and (when
    its lock is released) the folder if then empty. Anything else is kept.
    Must be called while the folder is held (:func:`hold`); does nothing if
    ``folder`` does not exist.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "ck"
    >>> with Checkpoint(d, {"format": "simkit-demo", "paths": 3}) as ck:
    ...     ck.save(0, 0, 3, totals=np.arange(3.0))
    ...     _ = (d / "notes.txt").write_text("the user's")
    ...     discard(d)
    >>> sorted(p.name for p in d.iterdir())
    ['notes.txt']
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    key = os.path.realpath(folder)
    with _registry_lock:
        entry = _held.get(key)
    if entry is None:
        raise SimkitError(f"{folder}: not held by this process (see checkpoint.hold)")
    chunks = folder / "chunks"
    if chunks.is_dir() and not chunks.is_symlink():
        for p in chunks.iterdir():
            if _CHUNK.fullmatch(p.name) and p.is_file() and not p.is_symlink():
                p.unlink(missing_ok=True)
        _remove_empty([chunks])
    m = folder / MANIFEST_NAME
    if m.is_file() and not m.is_symlink() and _read_manifest(m)[0] != "foreign":
        m.unlink(missing_ok=True)
    entry[2] = True


def _read_manifest(path):
    """``(kind, content)`` of the manifest at ``path``: kind is "absent",
    "damaged" (not JSON, or JSON without content: replaced by simkit), "simkit"
    or "foreign" (JSON with content that is not simkit's: never touched)."""
    try:
        old = json.loads(path.read_bytes())
    except FileNotFoundError:
        return "absent", None
    except (OSError, ValueError, RecursionError):  # deep nesting: damaged too
        return "damaged", None
    if isinstance(old, dict) and str(old.get("format", "")).startswith("simkit-"):
        return "simkit", old
    if old and isinstance(old, (dict, list)):
        return "foreign", old
    return "damaged", old


# ----- the checkpoint --------------------------------------------------------------

class Checkpoint:
    """A checkpoint folder held by one run: load and save its chunks.

    Use as a context manager: entering holds the folder (:func:`hold`) and
    checks what is there; leaving releases it.

    Parameters
    ----------
    folder : path-like
        The checkpoint folder (created if needed).
    manifest : dict
        JSON-serializable identity of the run; equal manifests mean equal
        chunks. Its SHA-256 is the run's id, recorded in every chunk.
    resume : bool
        Load the finished chunks of an earlier run with the same manifest.
        Without it the run starts afresh: the first chunk it saves replaces
        the manifest and removes the old chunk files.
    what : str
        What the run is, for messages ("run", "sweep").

    Raises
    ------
    SimkitError
        On entering: ``folder`` is a file; another live process holds it;
        or ``resume`` finds a manifest of another run.

    Warns
    -----
    CheckpointWarning
        Something simkit did not write is where the manifest, ``chunks/`` or a
        chunk should be: it is kept, and the run goes on without a checkpoint
        (:attr:`blocked` says why).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> d = tempfile.mkdtemp()
    >>> run = {"format": "simkit-demo", "paths": 3}
    >>> with Checkpoint(d, run) as ck:
    ...     ck.save(0, 0, 3, totals=np.arange(3.0))
    >>> with Checkpoint(d, run, resume=True) as ck:
    ...     ck.load(0, 0, 3, {"totals": np.empty(3)})["totals"]
    array([0., 1., 2.])
    >>> other = {"format": "simkit-demo", "paths": 4}
    >>> Checkpoint(d, other, resume=True).__enter__()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    simkit.errors.SimkitError: `resume`: .../manifest.json was written for another run (`paths` was 3, now 4)
    """

    def __init__(self, folder, manifest, *, resume=False, what="run"):
        self.folder = Path(folder)
        self.manifest = dict(manifest)
        self.resume = bool(resume)
        self.what = what
        self._text = _canonical(self.manifest)
        self.run_id = hashlib.sha256(self._text).hexdigest()
        self._stack = None
        self._started = False
        #: Why this run is not checkpointed (something in the way), or None.
        self.blocked = None

    # -- entering: lock, then check what is there -----------------------------------
    def __enter__(self):
        stack = contextlib.ExitStack()
        stack.enter_context(hold(self.folder, self.what))
        try:
            self._clear_obstacles()
            self._started = self._check_manifest() and self.blocked is None
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, *exc):
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()
        return False

    def _keep_and_skip(self, path, kind):
        """Keep what is in the way and run without a checkpoint (a warning)."""
        if self.blocked is None:
            self.blocked = (f"{path}: {kind} simkit did not write is where its "
                            f"checkpoint files go; it is kept, and this {self.what} "
                            "runs without a checkpoint (remove it or choose another "
                            "folder to checkpoint)")
            warnings.warn(CheckpointWarning(self.blocked), stacklevel=4)

    def _clear_obstacles(self):
        """Remove empty files or folders where simkit's go; refuse anything else."""
        chunks = self.folder / "chunks"
        if chunks.exists() and not chunks.is_dir():
            if chunks.is_file() and not chunks.is_symlink() \
                    and chunks.stat().st_size == 0:
                chunks.unlink()
            else:
                self._keep_and_skip(chunks, "a file")
        m = self.folder / MANIFEST_NAME
        if m.is_dir():
            try:
                m.rmdir()
            except OSError:
                self._keep_and_skip(m, "a folder")
        if chunks.is_dir():
            for p in chunks.iterdir():
                if _CHUNK.fullmatch(p.name) and p.is_dir():
                    try:
                        p.rmdir()
                    except OSError:
                        self._keep_and_skip(p, "a folder")

    def _check_manifest(self):
        """Classify the manifest there; True when it is this run's (resume)."""
        m = self.folder / MANIFEST_NAME
        kind, old = _read_manifest(m)
        if kind == "foreign":
            self._keep_and_skip(m, "a file")
        if kind != "simkit" or not self.resume:
            return False          # absent, damaged (replaced by this run's), fresh
        keys = [*self.manifest, *(k for k in old if k not in self.manifest)]
        diff = [k for k in keys if old.get(k) != self.manifest.get(k)]
        if diff:
            k = diff[0]
            raise SimkitError(f"`resume`: {m} was written for another {self.what} "
                              f"(`{k}` was {old.get(k)!r}, now "
                              f"{self.manifest.get(k)!r})")
        return True

    # -- chunks --------------------------------------------------------------------
    def chunk_path(self, i) -> Path:
        """The file of chunk ``i``."""
        return self.folder / "chunks" / f"chunk-{i:05d}.npz"

    def _start(self):
        """Before the first chunk of a run: write the manifest; a fresh run first
        removes the chunk files of an earlier one."""
        chunks = self.folder / "chunks"
        if not self.resume and chunks.is_dir():
            for p in chunks.iterdir():
                if _CHUNK.fullmatch(p.name) and p.is_file() and not p.is_symlink():
                    p.unlink(missing_ok=True)
        write_json(self.folder / MANIFEST_NAME, self.manifest)
        self._started = True

    def save(self, i, start, stop, **arrays):
        """Write chunk ``i`` (covering ``start`` to ``stop``) atomically, with the
        run's identity and a checksum of ``arrays``.

        Examples
        --------
        >>> import tempfile, numpy as np
        >>> run = {"format": "simkit-demo", "paths": 3}
        >>> with Checkpoint(tempfile.mkdtemp(), run) as ck:
        ...     ck.save(0, 0, 3, totals=np.arange(3.0))
        ...     ck.chunk_path(0).name
        'chunk-00000.npz'
        """
        if self._stack is None:
            raise SimkitError("Checkpoint.save: use the checkpoint in a `with` block")
        if self.blocked is not None:
            return
        if not self._started:
            self._start()
        buf = io.BytesIO()
        np.savez(buf, index=i, start=start, stop=stop, run_id=np.array(self.run_id),
                 run=np.frombuffer(self._text, dtype=np.uint8),
                 sha256=np.array(_digest(arrays)), **arrays)
        atomic_write_bytes(self.chunk_path(i), buf.getvalue())

    def load(self, i, start, stop, like, check=None):
        """The arrays of finished chunk ``i``, or None to compute it again.

        Parameters
        ----------
        i, start, stop : int
            The chunk's index and range.
        like : dict
            Name -> array of the expected shape and dtype, for each array wanted.
        check : dict, optional
            Name -> array that must be stored equal.

        Returns
        -------
        dict or None
            None when the file is absent, unreadable, truncated, written by
            another run, covers another range, lacks an array, has one of
            another shape or dtype, fails its checksum or ``check``.

        Examples
        --------
        >>> import tempfile, numpy as np
        >>> run = {"format": "simkit-demo", "paths": 3}
        >>> with Checkpoint(tempfile.mkdtemp(), run) as ck:
        ...     ck.save(0, 0, 3, totals=np.arange(3.0))
        ...     ck.load(0, 0, 3, {"totals": np.empty(4)}) is None   # wrong shape
        True
        """
        p = self.chunk_path(i)
        if self.blocked is not None or not p.is_file():
            return None
        try:
            with open(p, "rb") as f, np.load(f, allow_pickle=False) as z:
                if str(z["run_id"]) != self.run_id:
                    return None
                if (int(z["index"]), int(z["start"]), int(z["stop"])) != (i, start,
                                                                          stop):
                    return None
                data = {k: z[k] for k in z.files if k not in _META}
                if str(z["sha256"]) != _digest(data):
                    return None
        except Exception:  # noqa: BLE001 -- any damage at all: compute it again
            return None
        for k, v in like.items():
            a = data.get(k)
            if a is None or a.shape != np.shape(v) or a.dtype != np.asarray(v).dtype:
                return None
        for k, v in (check or {}).items():
            if k not in data or not np.array_equal(data[k], v):
                return None
        if not self._started:  # chunks of this run under a damaged manifest
            self._start()
        return {k: data[k] for k in like}
