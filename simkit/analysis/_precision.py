"""Monte Carlo precision on demand: add path batches until an interval is tight.

Batches are fixed blocks of path indices (``0..b-1``, ``b..2b-1``, ...), and a
path's numbers depend only on the seed and its index, so a precision run with
a given seed, batch size and target always stops at the same path count with
the same answer, and equals one plain run of that many paths.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .. import _simulate
from ..backends import session
from ..errors import LowPrecisionWarning, SimkitError
from .. import _validate
from .._quantiles import quantile_ci
from ..scenario._load import as_scenario

__all__ = ["PrecisionRun", "half_width", "parse_statistic", "run_batches",
           "simulate_until", "concat_results"]

#: Default upper limit of a precision run, in batches.
MAX_BATCHES = 100


def parse_statistic(statistic):
    """Normalize a statistic name: ``"mean"`` or a quantile level in (0, 1).

    Parameters
    ----------
    statistic : str or float
        ``"mean"``, a quantile as a fraction (``0.05``) or as ``"p5"``/``"P95"``
        (percent), or ``"median"``.

    Returns
    -------
    str or float
        ``"mean"`` or the quantile level as a fraction.

    Examples
    --------
    >>> parse_statistic("p5"), parse_statistic("median"), parse_statistic("mean")
    (0.05, 0.5, 'mean')
    """
    if isinstance(statistic, str):
        s = statistic.strip().lower()
        if s == "mean":
            return "mean"
        if s == "median":
            return 0.5
        if s.startswith("p"):
            try:
                v = float(s[1:]) / 100.0
            except ValueError:
                v = -1.0
            if 0.0 < v < 1.0:
                return v
        raise SimkitError(f"`statistic` must be 'mean', 'median' or 'pNN' (e.g. p5), "
                          f"got {statistic!r}")
    try:
        v = float(statistic)
    except (TypeError, ValueError):
        v = -1.0
    if not 0.0 < v < 1.0:
        raise SimkitError(f"`statistic` must be 'mean' or a quantile level in (0, 1), "
                          f"got {statistic!r}")
    return v


def _half_width_iv(x, statistic, confidence):
    """Input validation for :func:`half_width`: ``(sample, statistic, confidence)``."""
    stat = parse_statistic(statistic)
    confidence = _validate.confidence(confidence)
    try:
        x = np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError):
        raise SimkitError(f"`x` must be an array of numbers, got "
                          f"{type(x).__name__}") from None
    return x, stat, confidence


def half_width(x, statistic="mean", confidence=0.95):
    """Estimate a statistic of a sample and the half-width of its interval.

    Parameters
    ----------
    x : array_like
        1-d sample.
    statistic : str or float
        ``"mean"`` (normal interval from the central limit theorem) or a
        quantile level (order-statistic interval, see
        :func:`simkit.analysis.quantile_ci`).
    confidence : float
        Level of the interval.

    Returns
    -------
    estimate, half_width : float
        For a quantile the half-width is the larger distance from the estimate
        to an interval end (``inf`` while the sample cannot bound it).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(12345).normal(size=10_000)
    >>> est, hw = half_width(x)
    >>> round(hw, 3)  # 1.96 / sqrt(10_000)
    0.02
    """
    x, stat, confidence = _half_width_iv(x, statistic, confidence)
    if x.size == 0:
        return float("nan"), float("inf")
    if stat == "mean":
        from scipy.stats import norm

        if x.size < 2:
            return float(x.mean()), float("inf")
        z = float(norm.ppf(0.5 + confidence / 2.0))
        return float(x.mean()), z * float(x.std(ddof=1) / np.sqrt(x.size))
    est = quantile_ci(x, [stat], confidence=confidence)
    return float(est.value[0]), float(est.half_width[0])


@dataclass(frozen=True)
class PrecisionRun:
    """How a precision run ended.

    Attributes
    ----------
    paths : int
        Paths simulated in all (per variant).
    batches : int
        Batches simulated.
    batch : int
        Paths per batch.
    estimate : float
        Final estimate of the statistic that decided the stop.
    half_width : float
        Half-width of its 95% interval.
    target : float
        The half-width it had to reach (absolute; ``rel * |estimate|`` for a
        relative target).
    converged : bool
        Whether the target was met before ``max_paths``.
    max_paths : int
        The limit of the run.
    """

    paths: int
    batches: int
    batch: int
    estimate: float
    half_width: float
    target: float
    converged: bool
    max_paths: int

    def to_dict(self, *, statistic="", rel=None, absolute=None):
        """Return a JSON-ready dict with a one-line ``description`` (an
        unbounded half-width is ``None``)."""
        goal = (f"±{rel:.3g} relative" if rel is not None
                else f"±{absolute:,.6g} absolute")
        state = "met" if self.converged else "NOT met (path limit reached)"
        desc = (f"95% interval of {statistic or 'the statistic'} within {goal}: "
                f"{state} after {self.paths:,} paths ({self.batches} batches of "
                f"{self.batch:,}); half-width {self.half_width:,.6g}")
        from .._present import json_value

        return json_value({
            "statistic": statistic, "rel": rel, "abs": absolute, "paths": self.paths,
            "batches": self.batches, "batch": self.batch, "estimate": self.estimate,
            "half_width": self.half_width, "target_half_width": self.target,
            "converged": self.converged, "max_paths": self.max_paths,
            "description": desc})


    def plain(self, what, metric="", *, rel=None, absolute=None):
        """One plain sentence on how the run ended (the printed form).

        Parameters
        ----------
        what : str
            The statistic, in words (``"the average total income"``).
        metric : str
            Its metric, for the unit.
        rel, absolute : float, optional
            The target that was given.

        Examples
        --------
        >>> r = PrecisionRun(6000, 6, 1000, 1334.0, 22.7198, 25.0, True, 100_000)
        >>> print(r.plain("the average total income", "income_total", absolute=25))
        Simulated 6,000 runs (6 batches of 1,000) until the average total income was
        known to ±$25 (95% confidence): it is known to ±$23.
        """
        from .. import metrics as _metrics
        from .._text import number, wrap
        from .._words import about

        u = _metrics.UNITS.get(metric, "")
        goal = (f"±{number(rel * 100, sig=3)}%" if rel is not None
                else f"±{about(absolute, u)}")
        reached = about(self.half_width, u)
        if self.converged:
            s = (f"Simulated {self.paths:,} runs ({self.batches} batches of "
                 f"{self.batch:,}) until {what} was known to {goal} (95% "
                 f"confidence): it is known to ±{reached}.")
        else:
            s = (f"Stopped at the limit of {self.paths:,} runs before {what} was "
                 f"known to {goal} (95% confidence): it is known to ±{reached}.")
        return wrap(s)


def _resolve_targets(precision, precision_abs, paths, batch, max_paths):
    """Validate precision options; return ``(rel, abs, batch, max_paths)``."""
    if precision is not None and precision_abs is not None:
        raise SimkitError("give either `precision` (relative) or `precision_abs`, "
                          "not both")
    rel = absolute = None
    if precision is not None:
        rel = _validate.positive_float(precision, "precision")
    if precision_abs is not None:
        absolute = _validate.positive_float(precision_abs, "precision_abs")
    batch = _validate.integer(paths if batch is None else batch, "batch")
    if max_paths is None:
        max_paths = MAX_BATCHES * batch
    max_paths = _validate.integer(max_paths, "max_paths")
    if max_paths < batch:
        raise SimkitError(f"`max_paths` must be at least the batch size {batch}, "
                          f"got {max_paths}")
    return rel, absolute, batch, max_paths


def run_batches(draw, measure, *, batch, max_paths):
    """Draw fixed batches of paths until ``measure`` says the target is met.

    Parameters
    ----------
    draw : callable
        ``draw(offset, n)`` returns an array (or a list of arrays) for paths
        ``offset .. offset + n - 1``.
    measure : callable
        ``measure(samples)`` on the concatenated samples (same structure as
        ``draw``'s output) returns ``(converged, estimate, half_width)`` or
        ``(converged, estimate, half_width, target)``.
    batch : int
        Paths per batch.
    max_paths : int
        Stop (unconverged, with a :class:`~simkit.errors.LowPrecisionWarning`)
        once this many paths are simulated.

    Returns
    -------
    samples
        Concatenated samples of every batch.
    PrecisionRun

    Examples
    --------
    >>> import numpy as np
    >>> def draw(offset, n):  # path i -> a value keyed by i only
    ...     return np.array([np.random.default_rng([12345, i]).normal()
    ...                      for i in range(offset, offset + n)])
    >>> def measure(x):
    ...     m, hw = half_width(x)
    ...     return hw <= 0.1, m, hw, 0.1
    >>> x, run = run_batches(draw, measure, batch=100, max_paths=10_000)
    >>> run.converged, run.paths == x.size, run.half_width <= 0.1
    (True, True, True)
    """
    parts = []
    offset = 0
    batches = 0
    while True:
        n = min(batch, max_paths - offset)
        parts.append(draw(offset, n))
        offset += n
        batches += 1
        if isinstance(parts[0], list | tuple):
            samples = [np.concatenate([p[k] for p in parts])
                       for k in range(len(parts[0]))]
        else:
            samples = np.concatenate(parts)
        out = measure(samples)
        ok, est, hw = out[0], float(out[1]), float(out[2])
        target = float(out[3]) if len(out) > 3 else float("nan")
        if ok or offset >= max_paths:
            break
    if not ok:
        warnings.warn(
            LowPrecisionWarning(
                f"precision target not met after {offset:,} paths (half-width "
                f"{hw:,.6g} > target {target:,.6g}); raise `max_paths`"),
            stacklevel=3)
    return samples, PrecisionRun(offset, batches, batch, est, hw, target, bool(ok),
                                 max_paths)


def concat_results(results):
    """Concatenate :class:`~simkit._result.SimulationResult` batches along paths.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> a = SimulationResult("s", {"x": np.zeros(2)}, metadata={"paths": 2})
    >>> b = SimulationResult("s", {"x": np.ones(3)}, metadata={"paths": 3})
    >>> r = concat_results([a, b])
    >>> r.paths, r.metadata["paths"]
    (5, 5)
    """
    from dataclasses import replace

    first = results[0]
    if len(results) == 1:
        return first
    totals = {k: np.concatenate([r.totals[k] for r in results]) for k in first.totals}
    ps = None
    if first.per_stream is not None:
        ps = {k: np.concatenate([r.per_stream[k] for r in results])
              for k in first.per_stream}
    curves = None
    if first.curves is not None:
        curves = np.concatenate([r.curves for r in results])
    inputs = {k: np.concatenate([r.inputs[k] for r in results]) for k in first.inputs}
    meta = dict(first.metadata)
    n = int(next(iter(totals.values())).shape[0])
    meta["paths"] = n
    return replace(first, totals=totals, per_stream=ps, curves=curves, metadata=meta,
                   inputs=inputs)


def _simulate_until_iv(scenario, metric, statistic, precision, precision_abs, batch,
                       max_paths, seed, confidence):
    """Input validation and normalization for :func:`simulate_until`."""
    if precision is None and precision_abs is None:
        raise SimkitError("give a precision target: `precision` (relative) or "
                          "`precision_abs`")
    from .. import metrics as _metrics

    _validate.choice(metric, "metric", _metrics.TOTALS)
    stat = parse_statistic(statistic)
    confidence = _validate.confidence(confidence)
    rel, absolute, batch, max_paths = _resolve_targets(
        precision, precision_abs, batch, None, max_paths)
    scen = as_scenario(scenario)
    return (scen, stat, confidence, rel, absolute, batch, max_paths,
            _validate.seed(seed))


def simulate_until(scenario, *, metric="income_total", statistic="mean",
                   precision=None, precision_abs=None, batch=1000, max_paths=None,
                   seed=0, confidence=0.95, backend="cpu", scheduler=None,
                   **simulate_kw):
    """Simulate batches of paths until a statistic is known to a target precision.

    Parameters
    ----------
    scenario : Scenario or str or Path
        Scenario (or its file).
    metric : str
        A per-path total (:data:`simkit.metrics.TOTALS`).
    statistic : str or float
        ``"mean"`` or a quantile (``0.05``, ``"p5"``, ``"median"``).
    precision : float, optional
        Relative target: stop when the interval half-width is at most
        ``precision * |estimate|``.
    precision_abs : float, optional
        Absolute target for the half-width, in the metric's unit.
    batch : int
        Paths per batch.
    max_paths : int, optional
        Limit of the run (default ``100 * batch``).
    seed : int
        Seed; the same seed and options give the same stop and the same numbers.
    confidence : float
        Level of the interval (default 0.95).
    backend : {"cpu", "dask", "cuda"}
        Where the kernels run, as in :func:`simkit.simulate`.
    scheduler : None, str or distributed.Client
        Dask scheduler address or client (``backend="dask"`` only), as in
        :func:`simkit.simulate`. One client serves every batch: with ``None``
        a single local cluster is started for the whole run.
    **simulate_kw
        Passed to :func:`simkit.simulate` (``variant``, ``per_stream``,
        ``curves``, ``threads``, ``progress``).

    Returns
    -------
    result : SimulationResult
        All batches concatenated; identical to one run of ``run.paths`` paths.
    run : PrecisionRun
        How many paths it took, and the final half-width.

    Raises
    ------
    SimkitError
        If neither or both targets are given, or an option is invalid.

    See Also
    --------
    simkit.compare, simkit.quote : take the same ``precision`` options.

    Examples
    --------
    >>> res, run = simulate_until("scenarios/micro.toml", precision=0.05,
    ...                           batch=200, seed=12345, progress=False)
    >>> run.converged, res.paths == run.paths, run.half_width <= 0.05 * run.estimate
    (True, True, True)
    """
    scen, stat, confidence, rel, absolute, batch, max_paths, seed = \
        _simulate_until_iv(scenario, metric, statistic, precision, precision_abs,
                           batch, max_paths, seed, confidence)
    simulate = _simulate.simulate
    results = []

    def measure(x):
        est, hw = half_width(x, stat, confidence)
        goal = absolute if absolute is not None else rel * abs(est)
        return hw <= goal, est, hw, goal

    with session(backend, scheduler) as client:
        def draw(offset, n):
            r = simulate(scen, paths=n, seed=seed, path_offset=offset,
                         backend=backend, scheduler=client, **simulate_kw)
            results.append(r)
            return np.asarray(r[metric], dtype=float)

        _, run = run_batches(draw, measure, batch=batch, max_paths=max_paths)
    return concat_results(results), run

