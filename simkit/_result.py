"""Simulation results: per-path totals, optional per-stream metrics, summaries.

A :class:`SimulationResult` holds plain numpy arrays; everything else in simkit
(analysis, plotting, export) reads them by metric name.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import metrics as _metrics
from ._io import atomic_path, atomic_write_text
from ._present import (csv_text, html_table, json_text, json_value,
                       quantile_table, short_repr, text_out)
from ._version import __version__
from .errors import SimkitError

__all__ = ["SimulationResult", "Summary", "MetricSummary", "SUMMARY_QUANTILES"]

#: Quantile levels reported by :meth:`SimulationResult.summary`.
SUMMARY_QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)

#: Confidence of the order-statistic interval of each summary quantile.
SUMMARY_CONFIDENCE = 0.95


def _qname(q):
    return f"p{round(q * 100):02d}"


def _check_target(target):
    """Return ``target`` as a finite float (or ``None``); raise :class:`SimkitError`."""
    if target is None:
        return None
    try:
        t = float(target)
    except (TypeError, ValueError):
        t = float("nan")
    if not np.isfinite(t) or isinstance(target, bool):
        raise SimkitError(f"`target` must be a finite number, got {target!r}")
    return t


@dataclass(frozen=True)
class MetricSummary:
    """Monte Carlo summary of one metric over paths.

    Attributes
    ----------
    metric : str
        Metric name (see :mod:`simkit.metrics`).
    n : int
        Number of paths.
    mean, stderr : float
        Sample mean and its standard error ``std(ddof=1) / sqrt(n)``.
    quantiles : dict[float, float]
        Sample quantiles at :data:`SUMMARY_QUANTILES` (numpy's ``linear`` method).
    target : float or None
        Threshold for ``p_exceed``.
    p_exceed, p_exceed_stderr : float or None
        Fraction of paths strictly above ``target`` and its binomial standard error.
    quantiles_lo, quantiles_hi : dict[float, float] or None
        Bounds of the distribution-free 95% order-statistic interval of each
        quantile (:func:`simkit.analysis.quantile_ci`); ``-inf``/``inf``
        where the sample is too small to bound it, NaN for a sample with
        non-finite values. ``None`` when not computed.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(12345).exponential(size=2000)
    >>> s = MetricSummary.of("gifts", x)
    >>> bool(s.quantiles_lo[0.5] < np.log(2) < s.quantiles_hi[0.5])  # true median
    True
    >>> bool(s.half_width(0.5) < 0.1)
    True
    """

    metric: str
    n: int
    mean: float
    stderr: float
    quantiles: dict
    target: float | None = None
    p_exceed: float | None = None
    p_exceed_stderr: float | None = None
    quantiles_lo: dict | None = None
    quantiles_hi: dict | None = None

    @classmethod
    def of(cls, metric, values, target=None):
        """Summarize ``values`` (1-d array over paths).

        Parameters
        ----------
        metric : str
            Name of the metric.
        values : array_like
            One value per path.
        target : float, optional
            Also estimate ``P(value > target)``; must be finite.

        Returns
        -------
        MetricSummary

        Raises
        ------
        SimkitError
            On an empty sample or a non-finite ``target``.

        Examples
        --------
        >>> s = MetricSummary.of("gifts", [1.0, 2.0, 3.0, 4.0], target=2.5)
        >>> s.mean, s.p_exceed, s.quantiles[0.5]
        (2.5, 0.5, 2.5)
        """
        from ._quantiles import quantile_ci

        target = _check_target(target)
        x = np.asarray(values, dtype=float)
        n = x.size
        if n == 0:
            raise SimkitError(f"cannot summarize `{metric}`: no paths")
        mean = float(x.mean())
        se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        levels = np.asarray(SUMMARY_QUANTILES)
        if np.all(np.isfinite(x)):
            est = quantile_ci(x, levels, confidence=SUMMARY_CONFIDENCE)
            qs, lo, hi = est.value, est.lo, est.hi
        else:  # NaN/inf in the sample: no interval (quantile_ci refuses it)
            qs = np.quantile(x, levels)
            lo = hi = np.full(levels.size, np.nan)
        p = pse = None
        if target is not None:
            p = float(np.mean(x > target))
            pse = float(np.sqrt(p * (1.0 - p) / n))
        def as_dict(v):
            return dict(zip(SUMMARY_QUANTILES, map(float, v), strict=True))

        return cls(metric, n, mean, se, as_dict(qs), target, p, pse, as_dict(lo),
                   as_dict(hi))

    def half_width(self, q):
        """Larger distance from the ``q``-quantile to an end of its interval.

        Parameters
        ----------
        q : float
            One of :data:`SUMMARY_QUANTILES`.

        Returns
        -------
        float
            ``max(value - lo, hi - value)``: ``inf`` when the interval is
            unbounded, NaN when it was not computed.

        Examples
        --------
        >>> MetricSummary.of("gifts", [5.0]).half_width(0.5)  # one path: unbounded
        inf
        """
        if self.quantiles_lo is None or self.quantiles_hi is None:
            return float("nan")
        v = self.quantiles[q]
        return float(max(v - self.quantiles_lo[q], self.quantiles_hi[q] - v))

    def to_dict(self):
        """Return a JSON-ready dict.

        Keys: ``metric``, ``n``, ``mean``, ``stderr``, ``p05`` ... ``p95``, the
        interval bounds ``p05_lo``, ``p05_hi``, ..., and with a target
        ``target``, ``p_exceed`` and ``p_exceed_stderr``. Non-finite numbers
        (an unbounded interval end, the standard error of one path) are ``None``.

        Examples
        --------
        >>> import numpy as np
        >>> d = MetricSummary.of("gifts", np.arange(100.0)).to_dict()
        >>> d["p50"], d["p50_lo"], d["p50_hi"]  # ranks 40 and 61 of 100
        (49.5, 39.0, 60.0)
        >>> d = MetricSummary.of("gifts", [1.0, 2.0, 3.0]).to_dict()
        >>> d["p50_lo"] is None  # three paths cannot bound the median at 95%
        True
        """
        d = {"metric": self.metric, "n": self.n, "mean": self.mean,
             "stderr": self.stderr}
        d.update({_qname(q): v for q, v in self.quantiles.items()})
        if self.quantiles_lo is not None and self.quantiles_hi is not None:
            for q in self.quantiles:
                d[f"{_qname(q)}_lo"] = self.quantiles_lo[q]
                d[f"{_qname(q)}_hi"] = self.quantiles_hi[q]
        if self.target is not None:
            d.update(target=self.target, p_exceed=self.p_exceed,
                     p_exceed_stderr=self.p_exceed_stderr)
        return json_value(d)


@dataclass(frozen=True)
class Summary:
    """Summaries of several metrics of one result; ``str()`` gives a table.

    ``str()`` is the plain view (a headline sentence, then a table of the
    average, low, typical and high figures that fits 80 columns);
    :meth:`render` with ``details=True`` gives every statistic with its
    interval, ``wide=True`` every column whatever the width.

    Attributes
    ----------
    title : str
        First line of the printed table.
    rows : tuple of MetricSummary
        One per metric.
    note : str
        A line printed under the table (e.g. which inputs each path drew).
    weeks, streams : float or int, optional
        Length of the horizon and LIVEs in it, for the period phrases.
    paths, seed : int, optional
        Paths summarized and the seed, for the title.

    Examples
    --------
    >>> import numpy as np
    >>> res = SimulationResult("demo", {"income_total": np.arange(100.0)})
    >>> s = res.summary(["income_total"], target=89.5)
    >>> s["income_total"].mean, s["income_total"].p_exceed
    (49.5, 0.1)
    """

    title: str
    rows: tuple
    note: str = ""
    weeks: float | None = None
    streams: int | None = None
    paths: int | None = None
    seed: int | None = None

    def __getitem__(self, metric) -> MetricSummary:
        for r in self.rows:
            if r.metric == metric:
                return r
        raise KeyError(metric)

    def to_dict(self):
        """Return a JSON-ready dict ``{metric: {...}}`` (:meth:`MetricSummary.to_dict`).

        Examples
        --------
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"gifts": np.arange(100.0)})
        >>> d = res.summary(["gifts"]).to_dict()["gifts"]
        >>> d["p50"], d["p50_lo"] <= d["p50"] <= d["p50_hi"]
        (49.5, True)
        """
        return {r.metric: r.to_dict() for r in self.rows}

    #: Columns of :meth:`csv_text`.
    CSV_COLUMNS = ("metric", "unit", "n", "mean", "se",
                   *(f"{_qname(q)}{e}" for q in SUMMARY_QUANTILES
                     for e in ("", "_lo", "_hi")),
                   "target", "p_exceed", "p_exceed_se")

    def csv_text(self):
        """Return the summary as CSV text, one row per metric.

        Columns: :attr:`CSV_COLUMNS`: ``metric``, ``unit``, ``n``, ``mean``,
        ``se`` (its standard error), each quantile ``p05`` ... ``p95``
        followed by the bounds of its 95% order-statistic interval
        (``p05_lo``, ``p05_hi``, ...; empty when too few paths bound it), and
        ``target``, ``p_exceed``, ``p_exceed_se`` (empty without a target).
        Floats are written with ``repr``, so they read back exactly.

        Returns
        -------
        str

        Examples
        --------
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"gifts": np.arange(100.0)})
        >>> print(res.summary(["gifts"]).csv_text().splitlines()[0][:40])
        metric,unit,n,mean,se,p05,p05_lo,p05_hi,
        """
        return csv_text(*self._table())

    def _table(self):
        """``(head, rows)``: :attr:`CSV_COLUMNS` and one row of numbers per metric."""
        rows = []
        for r in self.rows:
            row = [r.metric, _metrics.UNITS.get(r.metric, ""), r.n, r.mean, r.stderr]
            for q in SUMMARY_QUANTILES:
                lo = None if r.quantiles_lo is None else r.quantiles_lo[q]
                hi = None if r.quantiles_hi is None else r.quantiles_hi[q]
                row += [r.quantiles[q], lo, hi]
            rows.append(row + [r.target, r.p_exceed, r.p_exceed_stderr])
        return list(self.CSV_COLUMNS), rows

    def __str__(self):
        return self.render()

    def render(self, *, details=False, wide=False):
        """The summary as text.

        Parameters
        ----------
        details : bool
            Every statistic (mean and standard error, P5 ... P95 each with
            the larger half of its 95% order-statistic interval, P(> target)
            with its standard error), each term explained in one line.
        wide : bool
            Keep every column, even past 80 characters.

        Returns
        -------
        str

        Examples
        --------
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"income_total": np.arange(1000.0)},
        ...                        metadata={"horizon_days": 28, "streams": 12})
        >>> print(res.summary(["income_total"]).render())  # doctest: +ELLIPSIS
        demo — 1,000 simulated runs
        Over 4 weeks (12 LIVEs) this creator typically earns about $500; 9 times in 10
        between $50 and $949.
        That is about $42 per LIVE, $125 per week, $543 per month (30.44 days).
        <BLANKLINE>
        over 4 weeks (12 LIVEs)  average ± error  low (P5)  typical (P50)  high (P95)
        -----------------------  ---------------  --------  -------------  ----------
        total income                $499.5 ± 9.1       $50           $500        $949
        ...
        """
        from . import _words
        from ._text import fmt, percent, value_pm, wrap

        out = [self.title.replace("simulated runs", "paths") if details else self.title]
        if not details:
            line = _words.headline(self)
            if line:
                out += [line]
                rates = _words.rates_line(self)
                if rates:
                    out.append(rates)
            out.append("")
            period = (_words.period_phrase(self.weeks, self.streams)
                      or "over the horizon")
            lines, dropped = quantile_table(period, self._table_rows(),
                                            SUMMARY_QUANTILES, wide=wide)
            out += lines
            out.append("low/high: 1 run in 20 ends below/above; ± is the simulation's "
                       "own error")
            if {"cash_paid_out", "cash_pending"} & {r.metric for r in self.rows}:
                out.append("cash paid out: gift money in the bank by the end; still "
                           "pending: not yet")
            if dropped:
                out.append(f"({', '.join(dropped)} left out to fit 80 columns: "
                           "--wide shows them)")
            for r in self.rows:
                if r.target is not None:
                    u = _metrics.UNITS.get(r.metric, "")
                    out.append(f"chance of {_words.metric_name(r.metric)} above "
                               f"{fmt(r.target, u)}: "
                               f"{percent(r.p_exceed, r.p_exceed_stderr)}")
            if self.note:
                out.append(wrap(self.note))
            return "\n".join(out)
        lines, _ = quantile_table("metric", self._table_rows(), SUMMARY_QUANTILES,
                                  details=True)
        out += lines
        out.append("mean ± s.e.: the average over paths (simulated runs) and its "
                   "standard error")
        out.append(f"P5 ... P95 ± the larger half of their {SUMMARY_CONFIDENCE:.0%} "
                   "order-statistic interval (the exact quantile lies in it with "
                   f"{SUMMARY_CONFIDENCE:.0%} confidence)")
        for r in self.rows:
            if r.target is not None:
                u = _metrics.UNITS.get(r.metric, "")
                out.append(f"P({_words.metric_name(r.metric)} > {fmt(r.target, u)}) = "
                           f"{value_pm(r.p_exceed, r.p_exceed_stderr)} (share of paths "
                           "above, ± its standard error)")
        if self.note:
            out.append(wrap(self.note))
        return "\n".join(out)

    def _table_rows(self):
        from . import _words

        return [(_words.metric_name(r.metric), _metrics.UNITS.get(r.metric, ""),
                 r.mean, r.stderr, [r.quantiles[q] for q in SUMMARY_QUANTILES],
                 [r.half_width(q) for q in SUMMARY_QUANTILES]) for r in self.rows]

    def __repr__(self):
        from . import _words

        return short_repr("Summary", self.title, _words.headline(self))

    def _repr_html_(self):
        from . import _words
        from ._text import fmt_at, value_pm

        head = ["", "average ± error", "low (P5)", "typical (P50)", "high (P95)"]
        rows = []
        for r in self.rows:
            u = _metrics.UNITS.get(r.metric, "")
            rows.append([_words.metric_name(r.metric), value_pm(r.mean, r.stderr, u),
                         *(fmt_at(r.quantiles[q], r.half_width(q), u)
                           for q in (0.05, 0.5, 0.95))])
        return html_table(self.title, head, rows, _words.headline(self))


#: Metrics shown by default in summaries.
DEFAULT_SUMMARY_METRICS = (
    "income_total", "income_gifts", "income_brand", "income_merch",
    "income_donations", "cash_paid_out", "cash_pending", "unique_viewers",
    "viewer_minutes", "peak_concurrent", "gifts", "diamonds", "new_followers",
    "followers_end", "streams_live",
)


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of :func:`simkit.simulate` for one scenario (or variant).

    Attributes
    ----------
    name : str
        Scenario name, with ``:variant`` appended for a variant.
    totals : dict[str, ndarray]
        Per-path horizon totals, each of shape ``(paths,)``; keys are
        :data:`simkit.metrics.TOTALS`.
    per_stream : dict[str, ndarray] or None
        Per-stream metrics, each of shape ``(paths, streams)``; keys are
        :data:`simkit.metrics.PER_STREAM`. ``None`` unless requested.
    curves : ndarray or None
        Concurrent viewers at each whole minute, shape
        ``(paths, streams, minutes)``; ``None`` unless requested.
    metadata : dict
        Seed (entropy), path count, simkit version, scenario source and
        parameters: enough to reproduce the run.
    inputs : dict[str, ndarray]
        The value each path drew of each uncertain input (dotted key -> array
        of shape ``(paths,)``); empty when the scenario has none. Pass ``None``
        for none.

    Examples
    --------
    >>> import simkit
    >>> res = simkit.simulate(simkit.load_scenario("scenarios/micro.toml"),
    ...                       paths=200, seed=12345)
    >>> res.paths
    200
    >>> float(res["income_total"].mean()) > 0
    True
    """

    name: str
    totals: dict
    per_stream: dict | None = None
    curves: np.ndarray | None = None
    metadata: dict = field(default_factory=dict)
    inputs: dict | None = None

    def __post_init__(self):
        object.__setattr__(self, "inputs", dict(self.inputs or {}))

    @property
    def paths(self) -> int:
        """Number of simulated paths."""
        return int(next(iter(self.totals.values())).shape[0])

    def __getitem__(self, metric) -> np.ndarray:
        try:
            return self.totals[metric]
        except KeyError:
            raise SimkitError(
                f"unknown metric `{metric}`; choose one of {', '.join(self.totals)}"
            ) from None

    def summary(self, metrics=None, *, target=None, target_metric="income_total"):
        """Summarize metrics over paths.

        Parameters
        ----------
        metrics : sequence of str, optional
            Metrics to include (default: the main income and audience metrics).
        target : float, optional
            Report ``P(target_metric > target)`` with its standard error.
        target_metric : str
            The metric ``target`` applies to.

        Returns
        -------
        Summary
            ``str(summary)`` is a table (mean ± s.e., and each quantile ± the
            larger half of its 95% order-statistic interval); ``summary[metric]``
            a :class:`MetricSummary`.

        Raises
        ------
        SimkitError
            On an unknown metric or a non-finite ``target``.

        Examples
        --------
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"income_total": np.arange(100.0)})
        >>> s = res.summary(["income_total"], target=89.5)
        >>> s["income_total"].p_exceed, s["income_total"].quantiles[0.5]
        (0.1, 49.5)
        >>> res.summary(["income_total"], target=float("nan"))
        Traceback (most recent call last):
        ...
        simkit.errors.SimkitError: `target` must be a finite number, got nan
        """
        target = _check_target(target)
        metrics = DEFAULT_SUMMARY_METRICS if metrics is None else tuple(metrics)
        rows = tuple(
            MetricSummary.of(m, self[m], target if m == target_metric else None)
            for m in metrics
        )
        from . import _words

        weeks, streams = _words.horizon_of(self)
        return Summary(f"{self.name} — {self.paths:,} simulated runs", rows,
                       self._inputs_note(), weeks, streams, self.paths,
                       self.metadata.get("seed"))

    def _inputs_note(self):
        """One line saying which inputs each path drew (empty when none)."""
        if not self.inputs:
            return ""
        from . import _words

        return (f"each run draws its own {_words.param_names(self.inputs)} (inputs "
                "nobody knows exactly): the spread includes not knowing them")

    def __repr__(self):
        """A few lines: name, paths, seed and the headline sentence.

        Examples
        --------
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"income_total": np.arange(100.0)},
        ...                        metadata={"seed": 1})
        >>> print(repr(res))
        <SimulationResult: demo — 100 paths, seed 1>
        This creator typically earns about $50; 9 times in 10 between $4.95 and $94.
        """
        from . import _words

        seed = self.metadata.get("seed")
        title = f"{self.name} — {self.paths:,} paths" + (
            "" if seed is None else f", seed {seed}")
        line = (_words.headline(self.summary(["income_total"]))
                if "income_total" in self.totals else "")
        return short_repr("SimulationResult", title, line)

    def _repr_html_(self):
        """A small HTML table of the income figures (for notebooks)."""
        names = [m for m in ("income_total", *_metrics.INCOME_SOURCES,
                             "cash_paid_out", "cash_pending", "unique_viewers")
                 if m in self.totals] or list(self.totals)[:8]
        return self.summary(names)._repr_html_()

    def input_summary(self) -> dict:
        """Summaries of the drawn inputs: ``{key: {"mean", "sd", "p05" ... "p95"}}``.

        Examples
        --------
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"gifts": np.zeros(101)},
        ...                        inputs={"habit.max_gain": np.linspace(0, 1, 101)})
        >>> d = res.input_summary()["habit.max_gain"]
        >>> round(d["mean"], 12), round(d["p05"], 12), round(d["p95"], 12)
        (0.5, 0.05, 0.95)
        """
        out = {}
        for k, x in self.inputs.items():
            x = np.asarray(x, dtype=float)
            d = {"mean": float(x.mean()),
                 "sd": float(x.std(ddof=1)) if x.size > 1 else None}
            d.update({_qname(q): float(np.quantile(x, q)) for q in SUMMARY_QUANTILES})
            out[k] = d
        return out

    def income_sources(self) -> dict:
        """What each income source adds to the total: mean, its standard
        error, share of the mean total income, P5, P50 and P95 over paths.

        Returns
        -------
        dict
            ``{source: {"mean", "stderr", "share", "p05", "p50", "p95"}}`` in
            the order of :data:`simkit.metrics.INCOME_SOURCES`, LIVE
            Subscriptions only when earned, ``income_match`` (the LIVE Match
            part of ``income_gifts``, not a source of its own) after the gifts
            when earned, and ``income_total`` last. ``share`` is None when the
            mean total is not positive. The report's income table shows them.

        Examples
        --------
        >>> import numpy as np
        >>> tot = {"income_gifts": np.array([1.0, 3.0]),
        ...        "income_brand": np.zeros(2), "income_merch": np.zeros(2),
        ...        "income_donations": np.array([1.0, 1.0])}
        >>> tot["income_total"] = sum(tot.values())
        >>> s = SimulationResult("demo", tot).income_sources()
        >>> list(s)[-1], s["income_gifts"]["mean"], s["income_gifts"]["share"]
        ('income_total', 2.0, 0.6666666666666666)
        """
        mean_total = float(self["income_total"].mean())
        # LIVE Subscriptions and the LIVE Match part of gifts appear when earned;
        # income_match is part of income_gifts, not a source of its own.
        names = [s for s in (*_metrics.INCOME_SOURCES[:1], "income_match",
                             *_metrics.INCOME_SOURCES[1:], "income_total")
                 if s not in ("income_match", "income_subscriptions")
                 or (s in self.totals and np.any(self[s]))]
        out = {}
        for s in names:
            x = np.asarray(self[s], dtype=float)
            q5, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
            out[s] = {"mean": float(x.mean()),
                      "stderr": float(x.std(ddof=1) / np.sqrt(x.size)),
                      "share": (float(x.mean() / mean_total) if mean_total > 0
                                else None),
                      "p05": float(q5), "p50": float(q50), "p95": float(q95)}
        return out

    # ----- export -------------------------------------------------------------
    def to_dict(self) -> dict:
        """Return ``{"totals": {...}, "per_stream": {...}, "curves": ...}`` of arrays.

        Also ``"metadata"``; ``per_stream`` and ``curves`` are None unless
        simulated.

        Examples
        --------
        >>> import numpy as np
        >>> d = SimulationResult("demo", {"gifts": np.arange(3.0)}).to_dict()
        >>> d["totals"]["gifts"], d["per_stream"], d["inputs"]
        (array([0., 1., 2.]), None, {})
        """
        return {"totals": dict(self.totals), "per_stream": self.per_stream,
                "curves": self.curves, "metadata": self.metadata,
                "inputs": dict(self.inputs)}

    def to_frame(self, per_stream=False):
        """Return the totals (or per-stream metrics, long format) as a pandas DataFrame.

        Requires the optional ``pandas`` dependency (``pip install simkit[frame]``).

        Parameters
        ----------
        per_stream : bool
            One row per (path, stream) with the per-stream metrics, instead of
            one row per path with the totals.

        Returns
        -------
        pandas.DataFrame
            One row per path: the totals, then a column ``input:KEY`` for the
            value the path drew of each uncertain input (so an outcome can be
            traced to what drove it); per stream: ``path``, ``stream`` and the
            per-stream metrics.

        Examples
        --------
        >>> import pytest
        >>> _ = pytest.importorskip("pandas")
        >>> import numpy as np
        >>> df = SimulationResult("demo", {"gifts": np.arange(3.0)}).to_frame()
        >>> list(df.columns), df.index.name, len(df)
        (['gifts'], 'path', 3)
        >>> res = SimulationResult("demo", {"gifts": np.arange(3.0)},
        ...                        inputs={"audience.join_rate": np.full(3, 0.02)})
        >>> list(res.to_frame().columns)
        ['gifts', 'input:audience.join_rate']
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise SimkitError("to_frame needs pandas: pip install 'simkit[frame]'") from None
        if not per_stream:
            df = pd.DataFrame({**self.totals,
                               **{f"input:{k}": v for k, v in self.inputs.items()}})
            df.index.name = "path"
            return df
        if self.per_stream is None:
            raise SimkitError("no per-stream metrics: simulate with per_stream=True")
        p, s = next(iter(self.per_stream.values())).shape
        cols = {"path": np.repeat(np.arange(p), s), "stream": np.tile(np.arange(s), p)}
        cols.update({k: v.ravel() for k, v in self.per_stream.items()})
        return pd.DataFrame(cols)

    def to_csv(self, path) -> None:
        """Write per-path totals as CSV (one row per path), atomically.

        After the totals come columns ``input:KEY``, the value each path drew
        of each uncertain input (none when the scenario has none).

        Examples
        --------
        >>> import numpy as np, pathlib, tempfile
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
        >>> SimulationResult("demo", {"gifts": np.array([1.0, 2.0])}).to_csv(f)
        >>> print(f.read_text(), end="")
        path,gifts
        0,1.0
        1,2.0
        """
        atomic_write_text(path, csv_text(*self._table()))

    def _table(self):
        """``(head, rows)`` of :meth:`to_csv`: one row per path."""
        names = list(self.totals)
        cols = [self.totals[k] for k in names] + list(self.inputs.values())
        head = ["path", *names, *(f"input:{k}" for k in self.inputs)]
        data = np.column_stack(cols).astype(float).tolist()
        return head, [[i, *row] for i, row in enumerate(data)]

    def to_json(self, path=None, *, target=None, precision=None):
        """Write metadata and the summary of every total as JSON, atomically.

        Parameters
        ----------
        path : str or Path, optional
            The file to write; ``None`` returns the JSON text instead (strict
            JSON: non-finite numbers are ``null``).
        target : float, optional
            Also record ``P(income_total > target)`` with its standard error.
        precision : dict, optional
            How a precision run ended (:meth:`PrecisionRun.to_dict
            <simkit.analysis._precision.PrecisionRun.to_dict>`), stored under
            ``"precision"``.

        Notes
        -----
        ``summary[metric]`` holds ``n``, ``mean``, ``stderr``, ``p05`` ...
        ``p95`` and the bounds ``p05_lo``, ``p05_hi``, ... of each quantile's
        95% order-statistic interval (``null`` when unbounded); see
        :meth:`MetricSummary.to_dict`. With uncertain inputs, ``inputs[key]``
        summarizes the values the paths drew (:meth:`input_summary`).

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"gifts": np.arange(100.0)})
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "demo.json"
        >>> res.to_json(f)
        >>> s = json.loads(f.read_text())["summary"]["gifts"]
        >>> s["p50_lo"] <= s["p50"] <= s["p50_hi"]
        True
        >>> json.loads(res.to_json())["summary"]["gifts"]["p50"]  # no path: a string
        49.5

        Returns
        -------
        str or None
            The JSON text when ``path`` is None.
        """
        d = {"name": self.name, "metadata": self.metadata,
             "summary": self.summary(self.totals, target=target).to_dict()}
        if self.inputs:
            d["inputs"] = self.input_summary()
        if precision is not None:
            d["precision"] = precision
        return text_out(json_text(d), path)

    def to_summary_csv(self, path, *, target=None) -> None:
        """Write the summary of every total as CSV, one row per metric, atomically.

        Parameters
        ----------
        path : str or Path
            The file to write.
        target : float, optional
            Also fill ``target``, ``p_exceed`` and ``p_exceed_se`` of
            ``income_total``.

        See Also
        --------
        Summary.csv_text : the columns.

        Examples
        --------
        >>> import csv, tempfile, pathlib
        >>> import numpy as np
        >>> res = SimulationResult("demo", {"gifts": np.arange(100.0)})
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "demo_summary.csv"
        >>> res.to_summary_csv(f)
        >>> row = next(csv.DictReader(f.read_text().splitlines()))
        >>> row["metric"], row["mean"], row["p50"]
        ('gifts', '49.5', '49.5')
        """
        atomic_write_text(path, self.summary(self.totals, target=target).csv_text())

    def save(self, path) -> None:
        """Save to ``path`` (``.npz``: arrays; metadata as JSON inside; no pickle).

        See Also
        --------
        SimulationResult.load

        Examples
        --------
        >>> import numpy as np, pathlib, tempfile
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "r.npz"
        >>> SimulationResult("demo", {"gifts": np.array([1.0, 2.0])}).save(f)
        >>> SimulationResult.load(f)["gifts"]
        array([1., 2.])

        Uncertain inputs are kept as ``inputs/KEY`` arrays:

        >>> SimulationResult("demo", {"gifts": np.array([1.0, 2.0])},
        ...                  inputs={"habit.max_gain": np.array([0.2, 0.4])}).save(f)
        >>> SimulationResult.load(f).inputs["habit.max_gain"]
        array([0.2, 0.4])
        """
        arrays = {f"totals/{k}": v for k, v in self.totals.items()}
        if self.per_stream is not None:
            arrays.update({f"per_stream/{k}": v for k, v in self.per_stream.items()})
        if self.curves is not None:
            arrays["curves"] = self.curves
        arrays.update({f"inputs/{k}": v for k, v in self.inputs.items()})
        meta = {"name": self.name, "metadata": self.metadata, "simkit": __version__}
        arrays["__meta__"] = np.frombuffer(
            json.dumps(meta, default=str).encode(), dtype=np.uint8)
        path = Path(path)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path) -> SimulationResult:
        """Load a result written by :meth:`save` (or ``simkit run --out``).

        Parameters
        ----------
        path : str or Path
            An ``.npz`` file written by :meth:`save`.

        Returns
        -------
        SimulationResult

        Raises
        ------
        SimkitError
            If ``path`` is missing, is not a readable ``.npz`` archive (for
            example a truncated copy), lacks the members :meth:`save` writes
            (``__meta__`` and ``totals/...`` arrays of one length), has a
            member of another type or shape than :meth:`save` writes (real
            numbers: totals 1-d, per-stream 2-d, curves 3-d, all with one
            number of paths), or would take more than
            :data:`simkit.config.NPZ_MAX_BYTES` uncompressed (refused before
            anything is inflated); the message names the file, and the array
            where one is at fault.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import numpy as np
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "r.npz"
        >>> SimulationResult("demo", {"gifts": np.arange(3.0)}).save(f)
        >>> SimulationResult.load(f).paths
        3
        >>> _ = f.write_bytes(f.read_bytes()[:100])  # truncated
        >>> SimulationResult.load(f)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        simkit.errors.SimkitError: ...r.npz: not a simkit result file: not a readable ...
        """
        path = Path(path)
        if not path.is_file():
            raise SimkitError(f"{path}: no such result file")

        def bad(what):
            return SimkitError(f"{path}: not a simkit result file: {what}")

        try:
            with open(path, "rb") as fh:  # np.load(path) leaks it on a bad archive
                meta, totals, ps, curves, inputs = _read_npz(fh, path, bad)
        except OSError as exc:
            raise SimkitError(f"{path}: cannot read ({exc.strerror})") from None
        if not (isinstance(meta, dict) and isinstance(meta.get("name"), str)
                and isinstance(meta.get("metadata"), dict)):
            raise bad("`__meta__` lacks `name` and `metadata`")
        lengths = {k: v.shape for k, v in totals.items()}
        n = next(iter(lengths.values()))
        if len(n) != 1 or any(s != n for s in lengths.values()):
            raise bad(f"`totals/...` arrays are not 1-d of one length ({lengths})")
        streams = {v.shape[1] for v in ps.values()}
        for k, v in ps.items():
            if v.shape[0] != n[0] or len(streams) > 1:
                raise bad(f"`per_stream/{k}` has shape {v.shape}, not (paths, streams) "
                          f"with {n[0]} paths and the streams of the other "
                          "`per_stream/...` arrays")
        if curves is not None and (curves.shape[0] != n[0] or (
                streams and curves.shape[1] not in streams)):
            raise bad(f"`curves` has shape {curves.shape}, not (paths, streams, "
                      f"minutes) with {n[0]} paths"
                      + (f" and {min(streams)} streams" if streams else ""))
        if any(v.shape != n for v in inputs.values()):
            raise bad("`inputs/...` arrays do not have one value per path")
        res = cls(meta["name"], totals, ps or None, curves, meta["metadata"], inputs)
        from ._checks import check_result

        check_result(res, cause=f"{path} is damaged: simkit never writes such a value")
        return res


def _member_header(zf, info, bad):
    """``(shape, dtype)`` from the header of one ``.npy`` member, read without
    inflating its data; refused when the header claims more data than the
    member holds (``np.load`` would allocate the claimed size first)."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    name = info.filename.removesuffix(".npy")
    if math.prod(shape) * dtype.itemsize > info.file_size:
        raise bad(f"`{name}` claims shape {shape} of {dtype}, more than the "
                  f"{info.file_size:,} bytes it holds")
    return shape, dtype


def _check_member(name, shape, dtype, bad):
    """Refuse a member :meth:`SimulationResult.save` would not have written."""
    if name == "__meta__":
        if dtype != np.uint8 or len(shape) != 1:
            raise bad(f"`__meta__` must be 1-d uint8 (JSON text), got shape {shape} "
                      f"of {dtype}")
        return
    if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields is not None:
        raise bad(f"`{name}` has dtype {dtype}, not a real number type")
    want = (1 if name.startswith(("totals/", "inputs/"))
            else 2 if name.startswith("per_stream/")
            else 3 if name == "curves" else None)
    if want is not None and len(shape) != want:
        raise bad(f"`{name}` must have {want} dimension{'s' if want > 1 else ''}, "
                  f"got shape {shape}")


def _read_npz(fh, path, bad):
    """``(meta, totals, per_stream, curves, inputs)`` of an open result file ``path``.

    The archive's directory is read first: an archive whose members would
    take more than :data:`simkit.config.NPZ_MAX_BYTES` uncompressed, or
    whose ``.npy`` headers claim more data than a member holds, is refused
    before anything is inflated, as is a member of a type or shape
    :meth:`SimulationResult.save` does not write. ``bad(what)`` builds the
    :class:`SimkitError` raised when it is not a result file.
    """
    import zipfile
    import zlib

    from . import config

    # NotImplementedError: an unknown compression; RecursionError: metadata
    # JSON nested past the interpreter's limit.
    errors = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error,
              NotImplementedError, RecursionError)
    try:
        zf = zipfile.ZipFile(fh)
    except errors as exc:
        fh.seek(0)
        if fh.read(6) == b"\x93NUMPY":
            raise bad("a single .npy array, not an .npz archive") from None
        raise bad(f"not a readable .npz archive ({exc})") from None
    with zf:
        infos = {i.filename.removesuffix(".npy"): i for i in zf.infolist()
                 if i.filename.endswith(".npy")}
        size = sum(i.file_size for i in zf.infolist())
        if size > config.NPZ_MAX_BYTES:
            raise SimkitError(f"{path}: too large: its arrays take {size:,} bytes "
                              f"uncompressed, more than the limit of "
                              f"{config.NPZ_MAX_BYTES:,} (simkit.config.NPZ_MAX_BYTES)")
        if "__meta__" not in infos:
            raise bad("no `__meta__` member (write results with "
                      "SimulationResult.save or `simkit run --out`)")
        keys = [k for k in infos if k.startswith("totals/")]
        if not keys:
            raise bad("no `totals/...` arrays")
        wanted = (["__meta__"] + keys + [k for k in infos if k.startswith("per_stream/")]
                  + (["curves"] if "curves" in infos else [])
                  + [k for k in infos if k.startswith("inputs/")])
        arrays = {}
        try:
            for k in wanted:
                shape, dtype = _member_header(zf, infos[k], bad)
                _check_member(k, shape, dtype, bad)
            for k in wanted:
                with zf.open(infos[k]) as f:
                    arrays[k] = np.lib.format.read_array(f, allow_pickle=False)
            meta = json.loads(bytes(arrays.pop("__meta__")).decode())
        except errors as exc:
            raise bad(f"damaged or unreadable member ({exc})") from None
    totals = {k[7:]: arrays[k] for k in keys}
    ps = {k[11:]: v for k, v in arrays.items() if k.startswith("per_stream/")}
    inputs = {k[7:]: v for k, v in arrays.items() if k.startswith("inputs/")}
    return meta, totals, ps, arrays.get("curves"), inputs
