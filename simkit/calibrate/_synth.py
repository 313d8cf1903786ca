"""Synthetic LIVE histories from simulations with known parameters.

:func:`history_from_result` turns one path of a per-stream simulation into a
:class:`~simkit.calibrate.History`, as if the creator had exported it, so the
fit and the backtest can be checked against the parameters that made it
(``tests/test_backtest.py``, ``examples/history_mid_tier.csv``).
:func:`write_history_csv` writes a history with a header of ``#`` comment
lines, e.g. the generating parameters.
"""

from __future__ import annotations

import os

import numpy as np

from .. import _validate
from .._io import atomic_write_text
from ..errors import SimkitError

__all__ = ["history_from_result", "write_history_csv", "EPOCH", "CSV_COLUMNS"]

#: The date of day 0 of a synthetic history: a Monday (the model's weekday is
#: ``day % 7`` with 0 = Monday).
EPOCH = np.datetime64("2026-01-05T00:00", "m")

#: Columns of a history CSV, in order (``followers``/``gifters`` when present).
CSV_COLUMNS = ("start", "duration_min", "viewers", "peak_viewers", "viewer_minutes",
               "diamonds", "gifters", "new_followers", "followers")

#: Per-stream metric of each history column.
_FROM = {"duration_min": "duration_min", "viewers": "unique_viewers",
         "peak_viewers": "peak_concurrent", "viewer_minutes": "viewer_minutes",
         "diamonds": "diamonds", "gifters": "gifters",
         "new_followers": "new_followers", "followers": "followers_start"}


def _history_from_result_iv(res, scenario, path, start):
    """Input validation for :func:`history_from_result`: ``(path, start)``."""
    ps = getattr(res, "per_stream", None)
    if ps is None:
        raise SimkitError("history_from_result needs per-stream metrics: simulate "
                          "with per_stream=True")
    n_paths = next(iter(ps.values())).shape[0]
    path = _validate.integer(path, "path", minimum=0, maximum=n_paths - 1)
    try:
        start = np.datetime64(start, "m")
    except (TypeError, ValueError):
        raise SimkitError(f"`start` must be a date-time, got {start!r}") from None
    if (start.astype("datetime64[D]").astype(np.int64) + 3) % 7 != 0:
        raise SimkitError(f"`start` must be a Monday (day 0 of the schedule is "
                          f"weekday 0), got {start}")
    return int(path), start


def history_from_result(res, scenario=None, path=0, *, start=EPOCH, source=None):
    """The LIVE history of one simulated path, as a creator would export it.

    Parameters
    ----------
    res : SimulationResult
        Simulated with ``per_stream=True``.
    scenario : Scenario, optional
        The scenario simulated (names the history's source).
    path : int
        Which path.
    start : datetime64 or str
        Date-time of day 0 of the schedule, a Monday (default
        :data:`EPOCH`); each LIVE starts at ``start + day`` at its hour.
    source : str, optional
        Name of the history (default: the scenario's name, path).

    Returns
    -------
    History
        One row per stream that went live, in order: ``start``,
        ``duration_min``, ``viewers``, ``peak_viewers``, ``viewer_minutes``,
        ``diamonds``, ``gifters`` (the expected number, rounded),
        ``new_followers`` and ``followers`` (at each LIVE's start).

    Examples
    --------
    >>> import simkit
    >>> from simkit.calibrate import history_from_result
    >>> sc = simkit.load_scenario("scenarios/micro.toml")
    >>> res = simkit.simulate(sc, paths=2, seed=12345, per_stream=True)
    >>> h = history_from_result(res, sc, path=1)
    >>> len(h) == int(res["streams_live"][1])
    True
    >>> str(h.start[0])[:10]
    '2026-01-06'
    """
    from ._history import History

    path, start = _history_from_result_iv(res, scenario, path, start)
    ps = res.per_stream
    live = np.asarray(ps["live"][path]) > 0
    day = np.asarray(ps["day"][path][live], dtype=np.int64)
    hour = np.asarray(ps["hour"][path][live], dtype=np.int64)
    starts = start + (day * 1440 + hour * 60).astype("timedelta64[m]")
    cols = {"start": starts}
    for col, met in _FROM.items():
        if met in ps:
            v = np.asarray(ps[met][path][live], dtype=float)
            cols[col] = v if col == "duration_min" else np.round(v)
    if "gifters" not in cols:  # a result saved before the metric existed
        raise SimkitError("the result has no per-stream `gifters`: simulate it again")
    if source is None:
        name = getattr(scenario, "name", None) or getattr(res, "name", "simulation")
        source = f"{name} path {path}"
    return History.from_arrays(source=str(source), **cols)


def _write_history_csv_iv(history, path, header):
    """Input validation for :func:`write_history_csv`: ``(history, path, header)``."""
    if not hasattr(history, "start") or not hasattr(history, "duration_min"):
        raise SimkitError("`history` must be a History (see simkit.read_history), got "
                          f"{type(history).__name__}")
    if not isinstance(path, str | os.PathLike):
        raise SimkitError(f"`path` must be a file path, got {type(path).__name__}")
    if isinstance(header, str):
        header = (header,)
    return history, path, tuple(header)


def write_history_csv(history, path, *, header=()) -> None:
    """Write ``history`` as CSV, after ``# `` comment lines ``header``.

    Columns :data:`CSV_COLUMNS` (those the history has); ``start`` as
    ``YYYY-MM-DDTHH:MM``, counts as integers. Written atomically.

    Examples
    --------
    >>> import simkit, tempfile, pathlib
    >>> from simkit.calibrate import history_from_result, write_history_csv
    >>> sc = simkit.load_scenario("scenarios/micro.toml")
    >>> res = simkit.simulate(sc, paths=1, seed=12345, per_stream=True)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> write_history_csv(history_from_result(res, sc), p, header=["micro, seed 12345"])
    >>> p.read_text().splitlines()[0]
    '# micro, seed 12345'
    """
    history, path, header = _write_history_csv_iv(history, path, header)
    cols = [c for c in CSV_COLUMNS if getattr(history, c, None) is not None]
    lines = [f"# {h}".rstrip() for text in header for h in str(text).splitlines()]
    lines.append(",".join(cols))
    data = []
    for c in cols:
        v = getattr(history, c)
        if c == "start":
            data.append([str(np.datetime64(s, "m")) for s in v])
        elif c == "duration_min":
            data.append([f"{float(x):g}" for x in v])
        else:
            data.append([str(int(round(float(x)))) for x in v])
    lines += [",".join(row) for row in zip(*data)]
    atomic_write_text(path, "\n".join(lines) + "\n")
