"""Atomic file output: write to a temporary sibling, then ``os.replace``.

A reader never sees a half-written file, and an interrupted run leaves the
previous file (or nothing) in place. :func:`atomic_files` extends this to a set
of files in one directory: every file is written to a temporary name first and
the set is renamed into place only when all are complete.

A temporary is named ``.NAME.PID.XXXXXXXX.tmp`` (``PID`` the writing process).
One that a killed process left behind is removed by the next write into the
same folder: only names of that form, only when process ``PID`` is gone (or
started after the file was last written, so cannot be its writer).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
from pathlib import Path

__all__ = [
    "AtomicFileSet",
    "atomic_files",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "write_json",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def process_started(pid):
    """When process ``pid`` started (seconds since the epoch), or None if unknown.

    Read from ``/proc`` (Linux); None elsewhere or if there is no such process.

    Examples
    --------
    >>> import os, sys, time
    >>> t = process_started(os.getpid())
    >>> t is None or t <= time.time()
    True
    """
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
        ticks = int(stat.rpartition(")")[2].split()[19])
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return int(line.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return None


def process_alive(pid, since=None) -> bool:
    """Whether process ``pid`` runs on this machine (and, with ``since``, could
    have been running at that time: it did not start after it).

    Examples
    --------
    >>> import os
    >>> process_alive(os.getpid())
    True
    """
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C there: cannot tell
        return True
    try:
        pid = int(pid)
        if pid <= 0:
            return False
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # exists but is not ours, or cannot tell: assume alive
    if since is not None:
        started = process_started(pid)
        if started is not None and started > since + 1.0:  # 1 s: clock ticks
            return False
    return True


_TEMPORARY = re.compile(r"\..+\.(\d+)\.[a-z0-9_]{8}\.tmp")
_lock = threading.Lock()
_ours = set()     # names of the temporaries this process made and still owns
_swept = set()    # folders already cleared of stale temporaries


def remove_stale_temporaries(directory) -> list:
    """Remove the temporaries killed writers left in ``directory``.

    Only plain files named ``.NAME.PID.XXXXXXXX.tmp`` whose process ``PID`` is
    gone (or started after the file was last written, or is this process,
    which did not make it) are removed; anything else is left alone.

    Returns
    -------
    list of Path
        The files removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".x.json.999999999.abcd1234.tmp").write_text("half")
    >>> _ = (d / ".mine.tmp").write_text("a file of the user's")
    >>> [p.name for p in remove_stale_temporaries(d)]
    ['.x.json.999999999.abcd1234.tmp']
    >>> sorted(p.name for p in d.iterdir())
    ['.mine.tmp']
    """
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for e in entries:
        m = _TEMPORARY.fullmatch(e.name)
        if m is None:
            continue
        path = Path(directory) / e.name
        try:
            if not e.is_file(follow_symlinks=False):
                continue
            pid = int(m.group(1))
            with _lock:
                if e.name in _ours:
                    continue
            if pid != os.getpid() and process_alive(pid, since=e.stat().st_mtime):
                continue
            path.unlink()
            removed.append(path)
        except (OSError, ValueError):
            continue
    return removed


def _temporary_beside(path):
    """A new empty file ``.NAME.PID.XXXXXXXX.tmp`` next to ``path``, with the
    usual mode; stale temporaries in that folder are removed first (once per
    folder and process)."""
    folder = path.parent
    with _lock:
        first = folder not in _swept
        _swept.add(folder)
    if first:
        remove_stale_temporaries(folder)
    with _lock:  # made and recorded as one step: a sweep never sees it unrecorded
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.",
                                   suffix=".tmp", dir=folder)
        _ours.add(Path(tmp).name)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual mode
    return Path(tmp)


def _release(tmp):
    """``tmp`` is renamed or removed: no longer one of this process's."""
    with _lock:
        _ours.discard(tmp.name)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; move it into place on success.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "x.txt") as tmp:
    ...     _ = tmp.write_text("hi")
    >>> (d / "x.txt").read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_beside(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
        _release(tmp)


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _json_default(o):
    import numpy as np

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def write_json(path, obj) -> None:
    """Write ``obj`` as indented JSON, atomically (numpy scalars/arrays allowed).

    NaN and infinities are refused (JSON has none): nothing is written, and
    :class:`~simkit.errors.SimkitError` names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> write_json(f, {"price": float("inf")})
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: not writing x.json: a value is NaN or infinite (Out of range float values are not JSON compliant: inf)
    >>> f.exists()
    False
    """
    try:
        text = json.dumps(obj, indent=2, default=_json_default, allow_nan=False)
    except ValueError as exc:
        from .errors import SimkitError

        raise SimkitError(f"not writing {Path(path).name}: a value is NaN or "
                          f"infinite ({exc})") from None
    atomic_write_text(path, text + "\n")


class AtomicFileSet:
    """Files written to temporary names in one directory, renamed into place together.

    Use it through :func:`atomic_files`, which commits on success and discards
    on any error.

    Parameters
    ----------
    directory : str or Path
        Where the files go; it (and any missing parent) is created by the first
        :meth:`write` and removed again by :meth:`discard` if still empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> fs = AtomicFileSet(d)
    >>> fs.write("a.txt", lambda tmp: tmp.write_text("a")).name
    'a.txt'
    >>> sorted(p.name.startswith(".a.txt.") for p in d.iterdir())  # a temporary only
    [True]
    >>> [p.name for p in fs.commit()]
    ['a.txt']
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self._pending = []   # (temporary, final) paths
        self._created = []   # directories this set created, outermost first

    def _make_directory(self):
        missing = []
        d = self.directory
        while not (d.exists() or d.is_symlink()) and d != d.parent:
            missing.append(d)
            d = d.parent
        for m in reversed(missing):
            m.mkdir()
            self._created.append(m)

    def write(self, name, writer):
        """Write one file of the set to a temporary name in the directory.

        Parameters
        ----------
        name : str
            File name (no directory part) the file gets on :meth:`commit`.
        writer : callable
            ``writer(tmp_path)`` writes the whole file to ``tmp_path`` (a
            :class:`~pathlib.Path` in the target directory).

        Returns
        -------
        Path
            The final path of the file.

        Raises
        ------
        SimkitError
            If the directory or the file cannot be written (an ``OSError``,
            such as a full disk); the message names the final path.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> fs = AtomicFileSet(tempfile.mkdtemp())
        >>> fs.write("x.json", lambda tmp: write_json(tmp, {"a": 1})).name
        'x.json'
        """
        from .errors import SimkitError

        final = self.directory / name
        if Path(name).name != name or any(f == final for _, f in self._pending):
            raise SimkitError(f"{final}: written twice or not a plain file name")
        try:
            self._make_directory()
            tmp = _temporary_beside(final)
            self._pending.append((tmp, final))
            writer(tmp)
        except OSError as exc:
            raise SimkitError(f"cannot write {final}: {exc.strerror or exc}") from None
        return final

    def commit(self):
        """Rename every temporary into place (``os.replace``), in write order.

        Returns
        -------
        list of Path
            The files written.

        Raises
        ------
        SimkitError
            If a rename fails; the message names the file.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> fs = AtomicFileSet(tempfile.mkdtemp())
        >>> _ = fs.write("x.txt", lambda tmp: tmp.write_text("x"))
        >>> [p.read_text() for p in fs.commit()]
        ['x']
        """
        from .errors import SimkitError

        done = []
        for tmp, final in self._pending:
            try:
                os.replace(tmp, final)
                _release(tmp)
            except OSError as exc:
                raise SimkitError(f"cannot write {final}: {exc.strerror or exc}") \
                    from None
            done.append(final)
        self._pending = []
        return done

    def discard(self):
        """Remove every temporary not yet renamed, and the directories created.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()) / "new"
        >>> fs = AtomicFileSet(d)
        >>> _ = fs.write("x.txt", lambda tmp: tmp.write_text("x"))
        >>> fs.discard()
        >>> d.exists()
        False
        """
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            _release(tmp)
        self._pending = []
        for d in reversed(self._created):
            with contextlib.suppress(OSError):  # not empty: files were committed
                d.rmdir()
        self._created = []


@contextlib.contextmanager
def atomic_files(directory):
    """Write a set of files into ``directory``: all of them, or none.

    Yields an :class:`AtomicFileSet`; each ``write(name, writer)`` writes one
    file to a temporary name in ``directory``. When the block ends normally
    every temporary is renamed into place; on any exception (including
    ``KeyboardInterrupt``) the temporaries are removed, files from an earlier
    run are left as they were, and nothing new appears.

    Parameters
    ----------
    directory : str or Path
        Target directory (created if needed).

    Yields
    ------
    AtomicFileSet

    Raises
    ------
    SimkitError
        If a file cannot be written or renamed (the message names it).

    Notes
    -----
    The renames are not one atomic step: a crash between two of them leaves
    the files renamed so far (each one complete). Everything before the
    renames, the whole of the writing, is all-or-nothing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_files(d) as fs:
    ...     _ = fs.write("a.txt", lambda tmp: tmp.write_text("a"))
    ...     _ = fs.write("b.txt", lambda tmp: tmp.write_text("b"))
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
    >>> try:
    ...     with atomic_files(d) as fs:
    ...         _ = fs.write("c.txt", lambda tmp: tmp.write_text("c"))
    ...         raise RuntimeError("failed half-way")
    ... except RuntimeError:
    ...     pass
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
    """
    fs = AtomicFileSet(directory)
    try:
        yield fs
        fs.commit()
    except BaseException:
        fs.discard()
        raise
