"""A creator's LIVE history: one row per LIVE, read from a CSV export.

:func:`read_history` validates the file and returns a :class:`History` of
numpy columns sorted by start time. Every problem is reported as one line
naming the file, the row (1 = the first row after the header) and the
column, as a :class:`~simkit.errors.SimkitError`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from ..errors import SimkitError

__all__ = ["History", "read_history", "parse_columns", "REQUIRED", "OPTIONAL",
           "MIN_LIVES"]

#: Columns every history needs (``viewer_minutes`` may be given as
#: ``avg_watch_min``, then ``viewer_minutes = viewers * avg_watch_min``).
REQUIRED = ("start", "duration_min", "viewers", "peak_viewers", "viewer_minutes",
            "diamonds", "gifters", "new_followers")
#: Columns that may be missing.
OPTIONAL = ("followers", "collab", "avg_watch_min")
#: Fewest LIVEs a history may have.
MIN_LIVES = 8

_COUNTS = ("viewers", "peak_viewers", "diamonds", "gifters", "new_followers",
           "followers")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(frozen=True, eq=False)
class History:
    """A validated LIVE history, sorted by start time.

    Attributes
    ----------
    start : ndarray of datetime64[m]
        Start of each LIVE, the creator's local time.
    duration_min, viewers, peak_viewers, viewer_minutes, diamonds, gifters, \
new_followers : ndarray
        One value per LIVE (float64).
    followers : ndarray or None
        Followers at each LIVE's start, when the file has the column.
    collab : ndarray of bool or None
        Whether each LIVE was a joint LIVE, when the file has the column.
    source : str
        The file's name (``"<memory>"`` when built in memory).

    Examples
    --------
    >>> import numpy as np
    >>> h = History.from_arrays(
    ...     start=[f"2026-03-{d:02d}T20:00" for d in range(2, 18, 2)],
    ...     duration_min=[60] * 8, viewers=[500] * 8, peak_viewers=[90] * 8,
    ...     viewer_minutes=[4000] * 8, diamonds=[900] * 8, gifters=[12] * 8,
    ...     new_followers=[8] * 8)
    >>> len(h), h.to_schedule()[1]
    (8, {'day': 2, 'hour': 20, 'duration_min': 60.0})
    """

    start: np.ndarray
    duration_min: np.ndarray
    viewers: np.ndarray
    peak_viewers: np.ndarray
    viewer_minutes: np.ndarray
    diamonds: np.ndarray
    gifters: np.ndarray
    new_followers: np.ndarray
    followers: np.ndarray | None = None
    collab: np.ndarray | None = None
    source: str = "<memory>"

    @classmethod
    def from_arrays(cls, *, source="<memory>", **columns) -> History:
        """Build a history from arrays (validated as a file would be).

        Parameters
        ----------
        source : str
            Name used in error messages.
        **columns
            ``start`` (datetime64 or ISO strings) and the numeric columns;
            ``followers`` and ``collab`` may be omitted or None.

        Returns
        -------
        History

        Examples
        --------
        >>> import numpy as np
        >>> h = History.from_arrays(
        ...     start=[f"2026-03-{d:02d}T20:00" for d in range(2, 18, 2)],
        ...     duration_min=[60] * 8, viewers=[500] * 8, peak_viewers=[90] * 8,
        ...     viewer_minutes=[4000] * 8, diamonds=[900] * 8, gifters=[12] * 8,
        ...     new_followers=[8] * 8)
        >>> int(h.hour[0]), h.followers is None
        (20, True)
        """
        n = len(columns.get("start", ()))
        rows = []
        for i in range(n):
            rows.append({k: _cell(v[i]) for k, v in columns.items() if v is not None})
        given = {k: k for k in columns if columns[k] is not None}
        return _from_rows(rows, source, given)

    def __len__(self) -> int:
        return len(self.start)

    def take(self, index) -> History:
        """The LIVEs at ``index`` (a slice, an integer or an index array), in order.

        Examples
        --------
        >>> h = _example()
        >>> len(h.take(slice(0, 5))), len(h.take(3))
        (5, 1)
        """
        if isinstance(index, (int, np.integer)):
            index = [int(index)]
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v[index] if isinstance(v, np.ndarray) else v
        return replace(self, **out)

    @property
    def first_monday(self) -> np.datetime64:
        """The Monday on or before the first LIVE's date (day 0 of a schedule)."""
        d0 = self.start[0].astype("datetime64[D]")
        # 1970-01-01 was a Thursday: weekday (Monday 0) = (days + 3) mod 7
        return d0 - np.timedelta64(int((d0.astype(np.int64) + 3) % 7), "D")

    @property
    def day(self) -> np.ndarray:
        """Day of each LIVE, counted from :attr:`first_monday` (int64)."""
        return (self.start.astype("datetime64[D]") - self.first_monday).astype(np.int64)

    @property
    def hour(self) -> np.ndarray:
        """Whole start hour of each LIVE (0-23, int64)."""
        return ((self.start - self.start.astype("datetime64[D]"))
                .astype("timedelta64[h]").astype(np.int64))

    @property
    def weekday(self) -> np.ndarray:
        """Weekday of each LIVE, 0 = Monday (int64)."""
        return self.day % 7

    def to_schedule(self, start_day=None) -> list:
        """The LIVEs as ``explicit`` schedule streams ``{day, hour, duration_min}``
        (and ``collab`` when the history has it).

        Parameters
        ----------
        start_day : numpy.datetime64 or str, optional
            Date of day 0; default :attr:`first_monday`, the Monday on or
            before the first LIVE, so that weekday ``day mod 7`` (0 = Monday)
            is the model's. LIVEs before ``start_day`` are left out.

        Returns
        -------
        list of dict

        Examples
        --------
        >>> _example().to_schedule()[0]
        {'day': 0, 'hour': 20, 'duration_min': 60.0}
        """
        d0 = self.first_monday if start_day is None else np.datetime64(start_day, "D")
        days = (self.start.astype("datetime64[D]") - d0).astype(np.int64)
        out = []
        for i in range(len(self)):
            if days[i] < 0:
                continue
            s = {"day": int(days[i]), "hour": int(self.hour[i]),
                 "duration_min": float(self.duration_min[i])}
            if self.collab is not None:
                s["collab"] = bool(self.collab[i])
            out.append(s)
        return out


def _example():
    return History.from_arrays(
        start=np.arange(8) * np.timedelta64(2, "D") + np.datetime64("2026-03-02T20:00"),
        duration_min=[60] * 8, viewers=[500] * 8, peak_viewers=[90] * 8,
        viewer_minutes=[4000] * 8, diamonds=[900] * 8, gifters=[12] * 8,
        new_followers=[8] * 8)


def _cell(v):
    if isinstance(v, np.datetime64):
        return str(v.astype("datetime64[m]"))
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    return str(v)


def _parse_columns_iv(text):
    """Input validation for :func:`parse_columns`: the text of the mapping."""
    if not isinstance(text, str):
        raise SimkitError(f"`text` must be a string NAME=HEADER,..., got "
                          f"{type(text).__name__}")
    return text


def parse_columns(text) -> dict:
    """Parse a ``--columns`` mapping ``name="Header",name2="Header 2"``.

    Parameters
    ----------
    text : str
        Comma-separated ``NAME=HEADER`` pairs; a header with a comma must be
        in double quotes.

    Returns
    -------
    dict
        Column name (one of :data:`REQUIRED` or :data:`OPTIONAL`) -> header.

    Raises
    ------
    SimkitError
        On an unknown name, a pair without ``=`` or an empty header.

    Examples
    --------
    >>> parse_columns('viewers="Total viewers",diamonds=Diamonds')
    {'viewers': 'Total viewers', 'diamonds': 'Diamonds'}
    >>> parse_columns("viewrs=Total")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: --columns: unknown column `viewrs` (did you mean ...
    """
    text = _parse_columns_iv(text)
    out = {}
    parts, cur, quoted = [], "", False
    for ch in text:  # split on commas outside double quotes
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for part in parts:
        name, eq, header = part.partition("=")
        name, header = name.strip(), header.strip().strip('"')
        if not eq or not name or not header:
            raise SimkitError(f"--columns: expected NAME=HEADER pairs separated by "
                              f"commas, got {part!r}")
        if name not in REQUIRED + OPTIONAL:
            import difflib

            close = difflib.get_close_matches(name, REQUIRED + OPTIONAL, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else (
                " (one of " + ", ".join(REQUIRED + OPTIONAL) + ")")
            raise SimkitError(f"--columns: unknown column `{name}`{hint}")
        out[name] = header
    return out


def _read_history_iv(path, columns):
    """Input validation for :func:`read_history`: ``(path, column map)``."""
    import os

    if not isinstance(path, str | os.PathLike):
        raise SimkitError(f"`path` must be a CSV file path, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise SimkitError(f"{path}: no such file")
    if columns is None:
        return path, {}
    if isinstance(columns, str):
        return path, parse_columns(columns)
    if not isinstance(columns, dict):
        raise SimkitError("`columns` must be a dict of column name -> header")
    return path, parse_columns(",".join(f'{k}="{v}"' for k, v in columns.items()))


def read_history(path, *, columns=None) -> History:
    """Read and validate a LIVE history CSV (one row per LIVE).

    Parameters
    ----------
    path : str or Path
        The CSV file. Columns: ``start`` (ISO 8601 date-time, the creator's
        local time; an offset is ignored), ``duration_min``, ``viewers``
        (unique viewers), ``peak_viewers``, ``viewer_minutes`` (or
        ``avg_watch_min``), ``diamonds``, ``gifters``, ``new_followers``, and
        optionally ``followers`` (at the LIVE's start) and ``collab``
        (true/false). Other columns are ignored, and so are lines starting
        with ``#`` before the header.
    columns : dict or str, optional
        Column name -> header in the file, for exports with other names,
        e.g. ``{"viewers": "Total viewers"}`` (or the ``--columns`` text).

    Returns
    -------
    History
        Sorted by ``start``.

    Raises
    ------
    SimkitError
        One line naming the file, row and column: a missing required column,
        a value that is not a number, a negative count, peak above unique
        viewers, gifters above viewers, more viewer-minutes than viewers x
        duration, duplicated start times, overlapping LIVEs, fewer than 8
        LIVEs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> rows = ["start,duration_min,viewers,peak_viewers,avg_watch_min,diamonds,"
    ...         "gifters,new_followers"]
    >>> rows += [f"2026-03-{d:02d}T20:00,60,500,90,8,900,12,8" for d in range(2, 18, 2)]
    >>> _ = p.write_text("\\n".join(rows))
    >>> h = read_history(p)
    >>> len(h), float(h.viewer_minutes[0]), str(h.start[0])
    (8, 4000.0, '2026-03-02T20:00')
    >>> _ = p.write_text("\\n".join(rows[:5]))
    >>> read_history(p)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: h.csv: has 4 LIVEs; at least 8 are needed
    """
    path, cmap = _read_history_iv(path, columns)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SimkitError(f"{path.name}: not UTF-8 text") from None
    lines = text.splitlines()
    while lines and (lines[0].lstrip().startswith("#") or not lines[0].strip()):
        lines.pop(0)  # comment lines before the header (e.g. how it was made)
    reader = csv.DictReader(lines)
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    # canonical name -> header in the file
    use = {}
    for name in REQUIRED + OPTIONAL:
        header = cmap.get(name, name)
        if header in headers:
            use[name] = header
        elif name in cmap:
            raise SimkitError(f"{path.name}: column `{header}` (given for `{name}` "
                              f"in --columns) is not in the header")
    if "viewer_minutes" not in use and "avg_watch_min" in use:
        pass
    elif "viewer_minutes" not in use:
        raise SimkitError(f"{path.name}: required column `viewer_minutes` (or "
                          "`avg_watch_min`) is missing")
    for name in REQUIRED:
        if name != "viewer_minutes" and name not in use:
            raise SimkitError(f"{path.name}: required column `{use.get(name, name)}` "
                              "is missing" + (f" (map it with --columns {name}=HEADER)"
                                              if not cmap else ""))
    rows = [{k: (r.get(h) or "").strip() for k, h in use.items()} for r in reader]
    return _from_rows(rows, path.name, use)


def _from_rows(rows, source, use):
    n = len(rows)
    hdr = {k: use.get(k, k) for k in REQUIRED + OPTIONAL}

    def bad(i, name, what, got):
        raise SimkitError(f"{source}: row {i + 1}, column `{hdr[name]}`: {what}, "
                          f"got {got!r}")

    starts = []
    cols = {k: np.empty(n) for k in REQUIRED[1:] + ("followers", "avg_watch_min")}
    collab = np.zeros(n, dtype=bool)
    for i, r in enumerate(rows):
        s = r.get("start", "")
        try:
            t = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            bad(i, "start", "expected an ISO 8601 date-time", s)
        starts.append(np.datetime64(t.replace(tzinfo=None), "m"))
        for name in cols:
            if name not in r:
                continue
            v = r[name]
            try:
                x = float(v)
            except ValueError:
                bad(i, name, "expected a number", v)
            if not math.isfinite(x):
                bad(i, name, "expected a finite number", v)
            if x < 0:
                bad(i, name, "expected a number >= 0 (a count cannot be negative)", v)
            if name in _COUNTS and not x.is_integer():
                bad(i, name, "expected a whole number", v)
            if name == "duration_min" and x <= 0:
                bad(i, name, "expected a duration > 0 minutes", v)
            cols[name][i] = x
        if "collab" in r:
            v = r["collab"].lower()
            if v not in _TRUE | _FALSE:
                bad(i, "collab", "expected true or false", r["collab"])
            collab[i] = v in _TRUE
    if n < MIN_LIVES:
        raise SimkitError(f"{source}: has {n} LIVEs; at least {MIN_LIVES} are needed")
    if "viewer_minutes" not in use:
        cols["viewer_minutes"] = cols["viewers"] * cols["avg_watch_min"]
    start = np.array(starts, dtype="datetime64[m]")
    order = np.argsort(start, kind="stable")
    for i in range(n):
        if cols["peak_viewers"][i] > cols["viewers"][i]:
            bad(i, "peak_viewers", f"peak viewers above unique viewers "
                f"({cols['viewers'][i]:g})", rows[i]["peak_viewers"])
        if cols["gifters"][i] > cols["viewers"][i]:
            bad(i, "gifters", f"more gifters than unique viewers "
                f"({cols['viewers'][i]:g})", rows[i]["gifters"])
        vm_max = cols["viewers"][i] * cols["duration_min"][i]
        if cols["viewer_minutes"][i] > vm_max * (1 + 1e-9) + 1e-9:
            name = "viewer_minutes" if "viewer_minutes" in use else "avg_watch_min"
            bad(i, name, f"more viewer-minutes than viewers x duration ({vm_max:g})",
                rows[i][name])
    for a, b in zip(order[:-1], order[1:]):
        if start[a] == start[b]:
            raise SimkitError(f"{source}: row {b + 1}, column `{hdr['start']}`: start "
                              f"time duplicates row {a + 1}, got {rows[b]['start']!r}")
        end = start[a] + np.timedelta64(int(math.ceil(cols["duration_min"][a])), "m")
        if end > start[b]:
            raise SimkitError(f"{source}: row {b + 1}, column `{hdr['start']}`: LIVE "
                              f"overlaps row {a + 1} (which runs until "
                              f"{str(end).replace('T', ' ')}), "
                              f"got {rows[b]['start']!r}")
    take = {k: np.ascontiguousarray(cols[k][order]) for k in REQUIRED[1:]}
    return History(
        start=start[order], **take,
        followers=(np.ascontiguousarray(cols["followers"][order])
                   if "followers" in use else None),
        collab=collab[order] if "collab" in use else None, source=source)
