"""Risk bands: quantiles of a metric across the horizon (fan-chart data).

Per stream, per day or cumulative over days, each band edge carries a
distribution-free confidence interval from order statistics
(:func:`simkit.analysis.quantile_ci`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import metrics as _metrics
from .._present import (csv_text, html_table, json_text, json_value, quantile_table,
                        short_repr, text_out)
from ..errors import SimkitError
from .. import _validate
from .._quantiles import quantile_ci

__all__ = ["Bands", "bands", "BY", "DEFAULT_LEVELS"]

#: Ways to index the horizon.
BY = ("stream", "day", "cumulative")

#: Default band levels, in percent.
DEFAULT_LEVELS = (5, 25, 50, 75, 95)

#: Per-stream metrics that are levels or labels, not amounts: they have bands
#: per stream but no meaningful daily or cumulative aggregate.
_NOT_ADDITIVE = ("day", "hour", "live", "followers_start", "habit", "creator_share")

#: Per-stream metrics aggregated by maximum (per day) and running maximum
#: (cumulative) instead of sums.
_MAX_METRICS = ("peak_concurrent",)


@dataclass(frozen=True)
class Bands:
    """Quantile bands of one metric across the horizon.

    Attributes
    ----------
    metric : str
        Metric name.
    by : str
        ``"stream"``, ``"day"`` or ``"cumulative"``.
    x : ndarray
        Stream index or day (0-based), shape ``(X,)``.
    levels : ndarray
        Band levels in percent, shape ``(L,)``.
    values : ndarray
        Band edges (sample quantiles), shape ``(L, X)``.
    lo, hi : ndarray
        Confidence interval of each band edge, shape ``(L, X)``; ``-inf`` /
        ``inf`` where the path count cannot bound an extreme level.
    mean, mean_se : ndarray
        Mean over paths at each ``x`` and its standard error, shape ``(X,)``.
    paths : int
        Number of paths.
    confidence : float
        Confidence of the ``lo``/``hi`` intervals.
    coverage : ndarray
        Exact (continuous-data) coverage of each level's interval, shape ``(L,)``.
    unit : str
        Unit of the metric.
    aggregate : str
        How streams were combined per day: ``"sum"``, ``"max"`` or ``"none"``.
    metadata : dict
        Scenario, seed and version of the underlying result, and
        ``uncertain_inputs``: the keys each path drew (when any), whose
        uncertainty the bands include.
    """

    metric: str
    by: str
    x: np.ndarray
    levels: np.ndarray
    values: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    mean: np.ndarray
    mean_se: np.ndarray
    paths: int
    confidence: float
    coverage: np.ndarray
    unit: str = ""
    aggregate: str = "none"
    metadata: dict = field(default_factory=dict)

    def band(self, level):
        """Return ``(values, lo, hi)`` of one level (in percent).

        Examples
        --------
        >>> import numpy as np
        >>> from simkit import SimulationResult
        >>> x = np.arange(12.0).reshape(4, 3)
        >>> res = SimulationResult("t", {"income_total": x.sum(1)},
        ...                        per_stream={"income_total": x})
        >>> bands(res, "income_total", levels=[50]).band(50)[0]
        array([4.5, 5.5, 6.5])
        """
        idx = np.flatnonzero(np.isclose(self.levels, level))
        if idx.size == 0:
            raise SimkitError(f"no band at level {level}; levels are "
                              f"{', '.join(f'{v:g}' for v in self.levels)}")
        i = idx[0]
        return self.values[i], self.lo[i], self.hi[i]

    def to_dict(self):
        """Return a JSON-ready dict (non-finite interval ends become ``None``).

        Examples
        --------
        >>> import json
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro.toml")
        >>> res = simkit.simulate(sc, paths=40, seed=12345, per_stream=True,
        ...                       progress=False)
        >>> d = json.loads(json.dumps(bands(res, "viewer_minutes").to_dict()))
        >>> d["by"], d["paths"], d["levels"], len(d["x"]) == len(d["values"][0])
        ('stream', 40, [5.0, 25.0, 50.0, 75.0, 95.0], True)
        >>> d["lo"][0][0] is None  # 40 paths cannot bound P5 from below
        True
        """
        f = lambda a: np.asarray(a, dtype=float)  # noqa: E731
        return json_value({
            "metric": self.metric, "by": self.by, "unit": self.unit,
            "aggregate": self.aggregate, "paths": self.paths,
            "confidence": self.confidence, "levels": f(self.levels),
            "coverage": f(self.coverage), "x": np.asarray(self.x, dtype=np.int64),
            "values": f(self.values), "lo": f(self.lo), "hi": f(self.hi),
            "mean": f(self.mean), "mean_se": f(self.mean_se),
            "metadata": self.metadata,
        })

    def csv_rows(self):
        """Return a header and rows in long format (one row per ``x`` and level).

        Examples
        --------
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro.toml")
        >>> res = simkit.simulate(sc, paths=40, seed=12345, per_stream=True,
        ...                       progress=False)
        >>> b = bands(res, "viewer_minutes", levels=[25, 50, 75], by="day")
        >>> head, rows = b.csv_rows()
        >>> head
        ['day', 'level', 'value', 'lo', 'hi', 'mean', 'mean_se']
        >>> len(rows) == 3 * len(b.x), [r[:2] for r in rows[:3]]
        (True, [[0, 25.0], [0, 50.0], [0, 75.0]])
        """
        head = [self.by if self.by != "cumulative" else "day", "level", "value",
                "lo", "hi", "mean", "mean_se"]
        rows = []
        for j, xv in enumerate(self.x):
            for i, lv in enumerate(self.levels):
                rows.append([int(xv), float(lv), float(self.values[i, j]),
                             float(self.lo[i, j]), float(self.hi[i, j]),
                             float(self.mean[j]), float(self.mean_se[j])])
        return head, rows

    def to_csv(self, path=None):
        """Write :meth:`csv_rows` as CSV to ``path`` atomically, or return the text.

        Parameters
        ----------
        path : str or Path, optional
            The file to write; ``None`` returns the CSV text instead.

        Returns
        -------
        str or None
            The CSV text when ``path`` is None.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro.toml")
        >>> res = simkit.simulate(sc, paths=40, seed=12345, per_stream=True,
        ...                       progress=False)
        >>> b = bands(res, "viewer_minutes", levels=[50])
        >>> b.to_csv().splitlines()[0]
        'stream,level,value,lo,hi,mean,mean_se'
        >>> out = Path(tempfile.mkdtemp()) / "bands.csv"
        >>> b.to_csv(out) is None, out.read_text() == b.to_csv()
        (True, True)
        """
        return text_out(csv_text(*self.csv_rows()), path)

    def __str__(self):
        return self.render()

    def render(self, *, details=False, wide=False):
        """The bands as a table, one row per stream or day.

        By default each edge is rounded to its interval and the table fits 80
        columns (P25/P75 go first); ``details`` prints every edge ``±`` the
        larger half of its order-statistic interval, ``wide`` every column.

        Examples
        --------
        >>> import numpy as np
        >>> from simkit import SimulationResult
        >>> x = np.arange(12.0).reshape(4, 3) * 100
        >>> res = SimulationResult("t", {"income_total": x.sum(1)},
        ...                        per_stream={"income_total": x})
        >>> print(bands(res, "income_total", levels=[50]).render())
        total income per LIVE — 4 simulated runs
        LIVE  average ± error  typical (P50)
        ----  ---------------  -------------
           0       $450 ± 190           $450
           1       $550 ± 190           $550
           2       $650 ± 190           $650
        """
        from .. import _words
        from .._text import wrap

        u = self.unit
        rows = []
        for j, xv in enumerate(self.x):
            hw = np.maximum(self.values[:, j] - self.lo[:, j],
                            self.hi[:, j] - self.values[:, j])
            rows.append((str(int(xv)), u, self.mean[j], self.mean_se[j],
                         list(self.values[:, j]), list(hw)))
        if details:
            what = {"stream": "per stream", "day": "per day",
                    "cumulative": "cumulative over days"}[self.by]
            first = self.by if self.by != "cumulative" else "day"
            title = (f"{self.metric}" + (f" ({u})" if u else "")
                     + f" {what} — {self.paths:,} paths")
        else:
            what = {"stream": "per LIVE", "day": "per day",
                    "cumulative": "added up day by day"}[self.by]
            first = "LIVE" if self.by == "stream" else "day"
            title = (f"{_words.metric_name(self.metric)} {what} — {self.paths:,} "
                     "simulated runs")
        tab, dropped = quantile_table(first, rows, self.levels / 100.0,
                                      details=details, wide=wide, first_align="r")
        out = [title] + tab
        if details:
            out.append(f"band edges ± the larger half of their {self.confidence:.0%} "
                       "order-statistic interval (to_dict()/CSV: lo, hi)")
        elif dropped:
            out.append(f"({', '.join(dropped)} left out to fit 80 columns: --wide "
                       "shows them)")
        unc = self.metadata.get("uncertain_inputs")
        if unc:
            out.append(wrap(f"each path draws its own {', '.join(unc)} (uncertain "
                            "inputs): the bands include not knowing them") if details
                       else wrap(f"each run draws its own {_words.param_names(unc)} "
                                 "(inputs nobody knows exactly): the bands include "
                                 "not knowing them"))
        return "\n".join(out)

    def __repr__(self):
        from .. import _words
        return short_repr("Bands", f"{_words.metric_name(self.metric)} by "
                           f"{self.by}, {len(self.x)} steps, levels "
                           f"{', '.join(f'P{v:g}' for v in self.levels)} — "
                           f"{self.paths:,} paths")

    def _repr_html_(self):
        from .. import _words
        from .._text import fmt_at, value_pm

        head = [self.by, "average ± error", *(f"P{v:g}" for v in self.levels)]
        rows = []
        for j, xv in enumerate(self.x):
            hw = np.maximum(self.values[:, j] - self.lo[:, j],
                            self.hi[:, j] - self.values[:, j])
            rows.append([int(xv), value_pm(self.mean[j], self.mean_se[j], self.unit),
                         *(fmt_at(v, h, self.unit)
                           for v, h in zip(self.values[:, j], hw))])
        return html_table(f"{_words.metric_name(self.metric)} by {self.by}", head,
                           rows)

    def to_json(self, path=None, *, metadata=None):
        """Write :meth:`to_dict` as JSON to ``path`` atomically, or return the text.

        Parameters
        ----------
        path : str or Path, optional
            The file; without it the text is returned.
        metadata : dict, optional
            More entries for the record's ``metadata`` (over those of the
            bands), e.g. ``{"quote": q.metadata}`` for the bands of a quote
            (``simkit quote --bands``).

        Examples
        --------
        >>> import json
        >>> import numpy as np
        >>> from simkit import SimulationResult
        >>> x = np.arange(12.0).reshape(4, 3)
        >>> res = SimulationResult("t", {"income_total": x.sum(1)},
        ...                        per_stream={"income_total": x})
        >>> b = bands(res, "income_total")
        >>> json.loads(b.to_json())["lo"][0][0] is None
        True
        >>> json.loads(b.to_json(metadata={"quote": {"seed": 7}}))["metadata"]
        {'name': 't', 'quote': {'seed': 7}}
        """
        from collections.abc import Mapping

        if metadata is not None and not isinstance(metadata, Mapping):
            raise SimkitError("`metadata` must be a dict, got "
                              f"{type(metadata).__name__}")
        d = self.to_dict()
        if metadata:
            d["metadata"] = {**d["metadata"], **json_value(dict(metadata))}
        return text_out(json_text(d), path)


def _bands_iv(result, metric, levels, by, confidence):
    """Input validation for :func:`bands`: ``(per_stream, levels in %, confidence)``."""
    _validate.choice(by, "by", BY)
    ps = getattr(result, "per_stream", None)
    if ps is None:
        raise SimkitError("risk bands need per-stream metrics: "
                          "simulate with per_stream=True")
    if metric not in ps:
        raise SimkitError(f"unknown per-stream metric `{metric}`; choose one of "
                          f"{', '.join(k for k in ps if k != 'day')}")
    if by != "stream" and metric in _NOT_ADDITIVE:
        raise SimkitError(f"`{metric}` is not an amount: it has bands by=\"stream\" "
                          f"only, not by={by!r}")
    if by != "stream" and "day" not in ps:
        raise SimkitError("per-day bands need the per-stream `day` array")
    levels = _validate.levels(levels, "levels", percent=True) * 100.0
    confidence = _validate.confidence(confidence)
    return ps, levels, confidence


def _horizon_days(result, day):
    """Days in the horizon: from the result's metadata, else the last stream day."""
    meta = getattr(result, "metadata", None) or {}
    if "horizon_days" in meta:
        return int(meta["horizon_days"])
    for key in ("params", "scenario"):
        h = meta.get(key)
        h = h.get("horizon") if isinstance(h, dict) else None
        if isinstance(h, dict):
            if "days" in h:
                return int(h["days"])
            if "weeks" in h:
                return 7 * int(h["weeks"])
    return int(day.max()) + 1 if day.size else 0


def _per_day_iv(values, day, days, how):
    """Input validation for :func:`per_day`: ``(values, day, days, how)``."""
    _validate.choice(how, "how", ("sum", "max"))
    days = _validate.integer(days, "days", minimum=0)
    try:
        v = np.asarray(values, dtype=float)
        d = np.asarray(day).astype(np.int64)
    except (TypeError, ValueError):
        raise SimkitError("`values` and `day` must be arrays of numbers") from None
    if v.ndim != 2 or d.shape != v.shape:
        raise SimkitError(f"`values` and `day` must be (paths, streams) arrays of one "
                          f"shape, got {v.shape} and {d.shape}")
    if d.size and (d.min() < 0 or d.max() >= days):
        raise SimkitError(f"stream day out of range [0, {days}): {int(d.min())}.."
                          f"{int(d.max())}")
    return v, d, days, how


def per_day(values, day, days, *, how="sum"):
    """Aggregate per-stream values into per-day values on each path.

    Parameters
    ----------
    values : ndarray
        Per-stream values, shape ``(paths, streams)``.
    day : ndarray
        Day (0-based) of each stream on each path, same shape. Days may differ
        between paths (ad-hoc schedules).
    days : int
        Number of days in the horizon; days without a stream get 0.
    how : {"sum", "max"}
        Combine streams of the same day by sum or maximum.

    Returns
    -------
    ndarray
        Shape ``(paths, days)``.

    Examples
    --------
    >>> import numpy as np
    >>> per_day(np.array([[1.0, 2.0, 3.0]]), np.array([[0, 0, 2]]), 4)
    array([[3., 0., 3., 0.]])
    """
    v, d, days, how = _per_day_iv(values, day, days, how)
    p = v.shape[0]
    idx = (np.arange(p)[:, None] * days + d).ravel()
    if how == "sum":
        out = np.bincount(idx, weights=v.ravel(), minlength=p * days)
    else:
        out = np.zeros(p * days)
        np.maximum.at(out, idx, v.ravel())
    return out.reshape(p, days)


def bands(result, metric="income_total", levels=DEFAULT_LEVELS, by="stream",
          confidence=0.95):
    """Quantile bands of a metric over the horizon, with intervals on every edge.

    Parameters
    ----------
    result : SimulationResult
        A result with per-stream metrics (``simulate(..., per_stream=True)``).
    metric : str
        A per-stream metric (:data:`simkit.metrics.PER_STREAM`).
    levels : sequence of float
        Band levels in percent (default 5, 25, 50, 75, 95).
    by : {"stream", "day", "cumulative"}
        ``"stream"``: the metric of each stream. ``"day"``: the metric summed
        over the streams of each horizon day on each path (maximum for
        ``peak_concurrent``; days without a stream are 0). ``"cumulative"``:
        the running sum over days (running maximum for ``peak_concurrent``).
    confidence : float
        Confidence of the interval on each band edge (default 0.95).

    Returns
    -------
    Bands
        ``values``, ``lo`` and ``hi`` have shape ``(len(levels), len(x))``.

    Raises
    ------
    SimkitError
        If the result has no per-stream metrics, the metric is unknown or
        cannot be aggregated by day, or an option is invalid.

    See Also
    --------
    simkit.analysis.quantile_ci : the interval on each edge.
    simkit.compare, simkit.quote

    Notes
    -----
    Each edge is a sample quantile over paths at fixed ``x`` (not a path), so
    a band is a pointwise, not a simultaneous, statement. Edge intervals are
    ``[x_(l), x_(u)]`` order statistics with ``l, u`` from the
    ``Binomial(paths, level)`` distribution; see ``docs/analysis.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> rng = np.random.default_rng(12345)
    >>> x = rng.exponential(100.0, size=(500, 4))
    >>> ps = {"income_total": x, "day": np.tile([0, 2, 4, 6], (500, 1))}
    >>> res = SimulationResult("demo", {"income_total": x.sum(1)}, per_stream=ps)
    >>> b = bands(res, "income_total", by="cumulative")
    >>> b.values.shape, int(b.x[-1])
    ((5, 7), 6)
    >>> bool(np.all(np.diff(b.values[2]) >= 0))  # cumulative median never falls
    True
    """
    ps, levels, confidence = _bands_iv(result, metric, levels, by, confidence)
    v = np.asarray(ps[metric], dtype=float)
    if v.ndim != 2:
        raise SimkitError(f"per-stream `{metric}` must have shape (paths, streams)")
    aggregate = "none"
    if by == "stream":
        data = v
        x = np.arange(v.shape[1])
    else:
        day = np.asarray(ps["day"])
        days = _horizon_days(result, day)
        aggregate = "max" if metric in _MAX_METRICS else "sum"
        data = per_day(v, day, days, how=aggregate)
        if by == "cumulative":
            data = (np.maximum.accumulate(data, axis=1) if aggregate == "max"
                    else np.cumsum(data, axis=1))
        x = np.arange(days)
    n = data.shape[0]
    est = quantile_ci(data, levels / 100.0, confidence=confidence, axis=0)
    mean = data.mean(axis=0)
    se = data.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(mean.shape, np.nan)
    meta = dict(getattr(result, "metadata", None) or {})
    keep = {k: meta[k] for k in ("scenario", "source", "variant", "seed", "paths",
                                   "path_offset", "simkit_version", "backend")
            if k in meta}
    keep.setdefault("name", getattr(result, "name", ""))
    if getattr(result, "inputs", None):
        keep["uncertain_inputs"] = list(result.inputs)
    return Bands(metric, by, x, levels, est.value, est.lo, est.hi, mean, se, n,
                 confidence, est.coverage, _metrics.UNITS.get(metric, ""), aggregate,
                 keep)
