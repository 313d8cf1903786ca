"""Simulation results: per-path totals, optional per-stream metrics, summaries.

A :class:`SimulationResult` holds plain numpy arrays; everything else in simkit
(analysis, plotting, export) reads them by metric name.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import metrics as _metrics
from ._io import atomic_path, atomic_write_text, write_json
from ._version import __version__
from .errors import SimkitError

__all__ = ["SimulationResult", "Summary", "MetricSummary", "SUMMARY_QUANTILES"]

#: Quantile levels reported by :meth:`SimulationResult.summary`.
SUMMARY_QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


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
        Sample quantiles at :data:`SUMMARY_QUANTILES`.
    target : float or None
        Threshold for ``p_exceed``.
    p_exceed, p_exceed_stderr : float or None
        Fraction of paths strictly above ``target`` and its binomial standard error.
    """

    metric: str
    n: int
    mean: float
    stderr: float
    quantiles: dict
    target: float | None = None
    p_exceed: float | None = None
    p_exceed_stderr: float | None = None

    @classmethod
    def of(cls, metric, values, target=None):
        """Summarize ``values`` (1-d array over paths)."""
        x = np.asarray(values, dtype=float)
        n = x.size
        if n == 0:
            raise SimkitError(f"cannot summarize `{metric}`: no paths")
        mean = float(x.mean())
        se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        qs = np.quantile(x, SUMMARY_QUANTILES)
        p = pse = None
        if target is not None:
            p = float(np.mean(x > target))
            pse = float(np.sqrt(p * (1.0 - p) / n))
        return cls(metric, n, mean, se, dict(zip(SUMMARY_QUANTILES, map(float, qs))),
                   None if target is None else float(target), p, pse)

    def to_dict(self):
        """Return a JSON-ready dict."""
        d = {"metric": self.metric, "n": self.n, "mean": self.mean,
             "stderr": self.stderr}
        d.update({f"p{round(q * 100):02d}": v for q, v in self.quantiles.items()})
        if self.target is not None:
            d.update(target=self.target, p_exceed=self.p_exceed,
                     p_exceed_stderr=self.p_exceed_stderr)
        return d


def _fmt(v, unit=""):
    if unit == "USD":
        return f"${v:,.2f}" if abs(v) < 1e5 else f"${v:,.0f}"
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.3g}"


@dataclass(frozen=True)
class Summary:
    """Summaries of several metrics of one result; ``str()`` gives a table.

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

    def __getitem__(self, metric) -> MetricSummary:
        for r in self.rows:
            if r.metric == metric:
                return r
        raise KeyError(metric)

    def to_dict(self):
        """Return a JSON-ready dict ``{metric: {...}}``."""
        return {r.metric: r.to_dict() for r in self.rows}

    def __str__(self):
        head = ["metric", "mean", "± s.e.", "P5", "P25", "P50", "P75", "P95"]
        lines = []
        for r in self.rows:
            u = _metrics.UNITS.get(r.metric, "")
            cells = [r.metric, _fmt(r.mean, u), _fmt(r.stderr, u)]
            cells += [_fmt(r.quantiles[q], u) for q in SUMMARY_QUANTILES]
            lines.append(cells)
        widths = [max(len(str(c)) for c in col) for col in zip(head, *lines)]
        fmt_row = lambda cells: "  ".join(  # noqa: E731
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths)))
        out = [self.title, fmt_row(head), fmt_row(["-" * w for w in widths])]
        out += [fmt_row(c) for c in lines]
        for r in self.rows:
            if r.target is not None:
                out.append(f"P({r.metric} > {_fmt(r.target, _metrics.UNITS.get(r.metric, ''))})"
                           f" = {r.p_exceed:.3f} ± {r.p_exceed_stderr:.3f}")
        return "\n".join(out)


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
            ``str(summary)`` is a table; ``summary[metric]`` a
            :class:`MetricSummary`.
        """
        metrics = DEFAULT_SUMMARY_METRICS if metrics is None else tuple(metrics)
        rows = tuple(
            MetricSummary.of(m, self[m], target if m == target_metric else None)
            for m in metrics
        )
        return Summary(f"{self.name} — {self.paths:,} paths", rows)

    # ----- export -------------------------------------------------------------
    def to_dict(self) -> dict:
        """Return ``{"totals": {...}, "per_stream": {...}, "curves": ...}`` of arrays."""
        return {"totals": dict(self.totals), "per_stream": self.per_stream,
                "curves": self.curves, "metadata": self.metadata}

    def to_frame(self, per_stream=False):
        """Return the totals (or per-stream metrics, long format) as a pandas DataFrame.

        Requires the optional ``pandas`` dependency (``pip install simkit[frame]``).
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise SimkitError("to_frame needs pandas: pip install 'simkit[frame]'") from None
        if not per_stream:
            df = pd.DataFrame(self.totals)
            df.index.name = "path"
            return df
        if self.per_stream is None:
            raise SimkitError("no per-stream metrics: simulate with per_stream=True")
        p, s = next(iter(self.per_stream.values())).shape
        cols = {"path": np.repeat(np.arange(p), s), "stream": np.tile(np.arange(s), p)}
        cols.update({k: v.ravel() for k, v in self.per_stream.items()})
        return pd.DataFrame(cols)

    def to_csv(self, path) -> None:
        """Write per-path totals as CSV (one row per path), atomically."""
        buf = io.StringIO()
        names = list(self.totals)
        buf.write("path," + ",".join(names) + "\n")
        data = np.column_stack([self.totals[k] for k in names])
        for i, row in enumerate(data):
            buf.write(f"{i}," + ",".join(repr(float(v)) for v in row) + "\n")
        atomic_write_text(path, buf.getvalue())

    def to_json(self, path, *, target=None) -> None:
        """Write metadata and the summary of every total as JSON, atomically."""
        write_json(path, {"name": self.name, "metadata": self.metadata,
                          "summary": self.summary(self.totals, target=target).to_dict()})

    def save(self, path) -> None:
        """Save to ``path`` (``.npz``: arrays; metadata as JSON inside; no pickle).

        See Also
        --------
        SimulationResult.load
        """
        arrays = {f"totals/{k}": v for k, v in self.totals.items()}
        if self.per_stream is not None:
            arrays.update({f"per_stream/{k}": v for k, v in self.per_stream.items()})
        if self.curves is not None:
            arrays["curves"] = self.curves
        meta = {"name": self.name, "metadata": self.metadata, "simkit": __version__}
        arrays["__meta__"] = np.frombuffer(
            json.dumps(meta, default=str).encode(), dtype=np.uint8)
        path = Path(path)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path) -> SimulationResult:
        """Load a result written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise SimkitError(f"{path}: no such result file")
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["__meta__"]).decode())
                totals = {k[7:]: z[k] for k in z.files if k.startswith("totals/")}
                ps = {k[11:]: z[k] for k in z.files if k.startswith("per_stream/")}
                curves = z["curves"] if "curves" in z.files else None
        except (OSError, ValueError, KeyError) as exc:
            raise SimkitError(f"{path}: not a simkit result file ({exc})") from None
        return cls(meta["name"], totals, ps or None, curves, meta["metadata"])
