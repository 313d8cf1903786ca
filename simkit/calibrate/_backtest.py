"""Backtests: do a fitted scenario's per-LIVE prediction intervals hold?

:func:`backtest` fits a scenario on all but the last ``K`` LIVEs of a history
(:func:`simkit.fit`), simulates those ``K`` LIVEs at their real start times and
lengths under the fitted scenario (:func:`predict`), and scores the observed
values against the simulated ones (:func:`evaluate`):

- **coverage** of the central 50%, 80% and 90% prediction intervals, with its
  binomial standard error ``sqrt(c (1 - c) / n)``;
- the **probability integral transform** (PIT) of each observation, the share
  of simulated values below it, randomized over ties, and its histogram (flat
  for a calibrated model; U-shaped when the intervals are too narrow);
- the **mean width** of each interval.

The PIT is randomized (Czado, Gneiting and Held, "Predictive model assessment
for count data", Biometrics, 2009): ``PIT = F(y-) + V (F(y) - F(y-))`` with
``V`` uniform on (0, 1) from a seeded generator, so a correct model gives
uniform PITs even for counts. An observation is inside the central ``L``
interval when ``(1 - L) / 2 < PIT <= (1 + L) / 2``: for an observation that
equals no simulated value this is ``P_lo <= y <= P_hi``; on ties it counts the
observation inside with the probability that makes a correct model cover at
exactly the nominal rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import _validate
from ..errors import SimkitError

__all__ = ["BacktestResult", "backtest", "evaluate", "predict", "pit_values",
           "METRICS", "LEVELS", "SIM_METRICS"]

#: History columns a backtest scores, in order.
METRICS = ("viewers", "viewer_minutes", "peak_viewers", "diamonds")

#: The per-stream simulation metric of each history column.
SIM_METRICS = {"viewers": "unique_viewers", "viewer_minutes": "viewer_minutes",
               "peak_viewers": "peak_concurrent", "diamonds": "diamonds"}

#: Central prediction-interval levels a backtest reports.
LEVELS = (0.5, 0.8, 0.9)

#: Bins of the PIT histogram.
PIT_BINS = 10

#: Days of history before the first held-out LIVE that are simulated again
#: (unscored) so the habit record and the followers reach their state.
WARMUP_DAYS = 14

#: Fewest LIVEs a fit may use in a backtest split.
MIN_TRAIN = 8

#: Default number of splits of ``rolling=True``.
ROLLING_SPLITS = 4

_Z = 1.959963984540054  # two-sided 95% normal quantile


def pit_values(samples, observed, *, seed=0):
    """Randomized probability integral transform of each observation.

    Parameters
    ----------
    samples : array_like, shape (paths, n)
        Simulated values, one column per LIVE.
    observed : array_like, shape (n,)
        Observed values.
    seed : int or numpy.random.SeedSequence
        Seed of the tie-breaking uniforms.

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``P(X < y) + V P(X = y)`` under the empirical law of each column,
        ``V`` uniform on (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> sim = np.arange(1.0, 101.0)[:, None].repeat(2, axis=1)  # 1, ..., 100
    >>> pit_values(sim, [50.5, 200.0]).tolist()
    [0.5, 1.0]
    >>> p = float(pit_values(sim[:, :1], [50.0])[0])  # a tie: between 0.49 and 0.50
    >>> 0.49 <= p <= 0.50
    True
    """
    x = np.asarray(samples, dtype=float)
    y = np.asarray(observed, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[1],) or x.shape[0] < 1:
        raise SimkitError(f"`samples` must have shape (paths, n) and `observed` (n,), "
                          f"got {x.shape} and {y.shape}")
    below = (x < y).mean(axis=0)
    equal = (x == y).mean(axis=0)
    v = np.random.default_rng(seed).uniform(size=y.size)
    return below + v * equal


@dataclass(frozen=True)
class BacktestResult:
    """Scores of per-LIVE prediction intervals on held-out LIVEs.

    Attributes
    ----------
    metrics : tuple of str
        History columns scored (:data:`METRICS`).
    levels : tuple of float
        Central interval levels (:data:`LEVELS`).
    n : int
        Held-out LIVEs scored (over every split).
    observed, pit, median : dict
        Metric -> array (n,): the observed values, their PIT, the median of
        the simulated values.
    lo, hi : dict
        ``(metric, level)`` -> array (n,): the interval ends (simulated
        quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``).
    starts : numpy.ndarray
        Start (datetime64[m]) of each held-out LIVE, or None.
    splits : tuple of (int, int)
        ``(train LIVEs, held-out LIVEs)`` of each split.
    paths : int
        Simulated paths per held-out LIVE.
    seed : int
        Root seed.
    source : str
        The history's file name.
    samples : dict
        Metric -> simulated values (paths, n), when kept (for figures).
    fits : tuple
        The :class:`~simkit.calibrate.FitResult` of each split (empty when the
        scenario was given, not fitted).

    Examples
    --------
    >>> import numpy as np
    >>> sim = {"viewers": np.arange(1.0, 101.0)[:, None].repeat(4, axis=1)}
    >>> r = evaluate(sim, {"viewers": [3.5, 45.5, 65.5, 99.5]})
    >>> r.coverage("viewers", 0.5), r.coverage("viewers", 0.9)
    (0.5, 0.5)
    >>> r.pit_histogram("viewers").tolist()
    [1, 0, 0, 0, 1, 0, 1, 0, 0, 1]
    """

    metrics: tuple
    levels: tuple
    n: int
    observed: dict
    pit: dict
    median: dict
    lo: dict
    hi: dict
    starts: np.ndarray | None = None
    splits: tuple = ()
    paths: int = 0
    seed: int = 0
    source: str = ""
    samples: dict = field(default_factory=dict, repr=False, compare=False)
    fits: tuple = field(default=(), repr=False, compare=False)

    def covered(self, metric, level) -> np.ndarray:
        """Whether each held-out LIVE is inside the central ``level`` interval."""
        p = self.pit[metric]
        return (p > (1 - level) / 2) & (p <= (1 + level) / 2)

    def coverage(self, metric, level) -> float:
        """Share of held-out LIVEs inside the central ``level`` interval."""
        return float(self.covered(metric, level).mean())

    def coverage_se(self, metric, level) -> float:
        """Binomial standard error ``sqrt(c (1 - c) / n)`` of :meth:`coverage`."""
        c = self.coverage(metric, level)
        return math.sqrt(c * (1 - c) / self.n)

    def tolerance(self, level, z=_Z) -> float:
        """Half-width ``z sqrt(L (1 - L) / n)`` a correct model's coverage stays
        within with probability about 95% (``z = 1.96``), for independent LIVEs."""
        return z * math.sqrt(level * (1 - level) / self.n)

    def verdict(self, metric, level) -> str:
        """``"ok"``, ``"under"`` (intervals too narrow) or ``"over"`` (too wide):
        coverage against ``level`` with :meth:`tolerance`."""
        d = self.coverage(metric, level) - level
        tol = self.tolerance(level)
        return "under" if d < -tol else "over" if d > tol else "ok"

    def width(self, metric, level) -> float:
        """Mean width of the central ``level`` interval over held-out LIVEs."""
        return float(np.mean(self.hi[(metric, level)] - self.lo[(metric, level)]))

    def pit_histogram(self, metric, bins=PIT_BINS) -> np.ndarray:
        """Counts of PIT values in ``bins`` equal bins of [0, 1]."""
        return np.histogram(self.pit[metric], bins=bins, range=(0.0, 1.0))[0]

    def table(self) -> str:
        """The coverage table as text (one row per metric and level)."""
        from .._present import table
        from .._text import number

        head = ["metric", "interval", "coverage", "± s.e.", "nominal ± tol.",
                "verdict", "mean width"]
        rows = [[m, f"{lv:.0%}", f"{self.coverage(m, lv):.3f}",
                 f"{self.coverage_se(m, lv):.3f}",
                 f"{lv:.2f} ± {self.tolerance(lv):.3f}", self.verdict(m, lv),
                 number(self.width(m, lv))]
                for m in self.metrics for lv in self.levels]
        return "\n".join(table(head, rows, wide=True)[0])

    def pit_table(self) -> str:
        """The PIT histograms as text: counts per tenth, one row per metric."""
        from .._present import table

        # one space between the counts, two after the metric (its cell ends in one)
        head = ["", *(f"{i / PIT_BINS:>4.1f}" for i in range(PIT_BINS))]
        rows = [[m + " ", *(f"{c:>4d}" for c in self.pit_histogram(m))]
                for m in self.metrics]
        return "\n".join(["PIT counts by tenth (flat = calibrated; high ends = "
                          "intervals too narrow)",
                          *table(head, rows, wide=True, rule=False, gap=1)[0]])

    def __str__(self):
        return self.render()

    def render(self, *, details=False, wide=False) -> str:
        """The scores as text: a plain sentence and table, or the full view.

        Parameters
        ----------
        details : bool
            The full view: coverage ± s.e. against the nominal level ± its
            tolerance, the PIT histograms and the definitions.
        wide : bool
            Keep every column of the plain table past 80 columns.

        Examples
        --------
        >>> import numpy as np
        >>> sim = {"viewers": np.arange(1.0, 101.0)[:, None].repeat(4, axis=1)}
        >>> r = evaluate(sim, {"viewers": [3.5, 45.5, 65.5, 99.5]})
        >>> print(r.render().splitlines()[0])
        On the last 4 LIVEs, the 90% ranges held 2 of 4 viewers counts.
        """
        if details:
            return self._details()
        from .._present import table
        from .._text import WIDTH, count, percent, wrap
        from .._words import metric_name, round_sig

        sp = self.splits or ((0, self.n),)
        k = sp[0][1]
        top = max(self.levels)
        if len(sp) == 1:
            where = f"On the last {k:,} LIVE{'' if k == 1 else 's'}"
        else:
            where = (f"On {self.n:,} held-out LIVEs ({len(sp)} rolling blocks of "
                     f"{k:,})")
        if self.splits and not self.fits:
            where += ", scored against the scenario as given"
        held = [f"{int(self.covered(m, top).sum()):,} of {self.n:,} "
                + _COUNTED.get(m, metric_name(m)) for m in self.metrics]
        held = held[0] if len(held) == 1 else ", ".join(held[:-1]) + " and " + held[-1]
        lines = [wrap(f"{where}, the {top:.0%} ranges held {held}.")]
        words = {"ok": "as expected", "under": "too narrow", "over": "too wide"}
        rows = []
        for m in self.metrics:
            for i, lv in enumerate(self.levels):
                c = int(self.covered(m, lv).sum())
                rows.append([metric_name(m) if i == 0 else "", f"{lv:.0%}",
                             f"{c:,} of {self.n:,}", percent(c / self.n),
                             f"{percent(max(lv - self.tolerance(lv), 0))}–"
                             f"{percent(min(lv + self.tolerance(lv), 1))}",
                             words[self.verdict(m, lv)],
                             count(round_sig(self.width(m, lv)))])
        tab, _ = table(["measure", "range", "held", "share", "expected",
                        "verdict", "average width"], rows, align="lrrrrlr",
                       optional=[6, 3], wide=wide)
        lines += ["", *tab, ""]
        bad = [(m, lv) for m in self.metrics for lv in self.levels
               if self.verdict(m, lv) != "ok"]
        if not bad:
            lines.append(wrap("Every share is within what honest ranges give on "
                              f"{self.n:,} LIVEs 19 times in 20."))
        else:
            lines.append(wrap(
                "Outside what honest ranges give 19 times in 20: "
                + ", ".join(f"{metric_name(m)} at {lv:.0%} "
                            f"({words[self.verdict(m, lv)]})" for m, lv in bad)
                + ". Too narrow: the ranges miss too often; too wide: they are "
                "more cautious than needed."))
        lines.append(wrap("--details adds where each LIVE fell within its range.",
                          WIDTH))
        return "\n".join(lines)

    def _details(self):
        sp = self.splits or ((0, self.n),)
        k = sp[0][1]
        if not self.fits:
            how = (f"last {k} LIVEs" if len(sp) == 1 else
                   f"last {len(sp)} blocks of {k} LIVEs") + \
                " scored against the scenario as given"
        elif len(sp) == 1:
            how = f"last {k} LIVEs held out, fitted on the first {sp[0][0]}"
        else:
            how = (f"{len(sp)} rolling splits of {k} held-out LIVEs (fitted on the "
                   f"first {', '.join(str(a) for a, _ in sp)})")
        head = (f"backtest of {self.source or 'history'}: {how}; {self.n} LIVEs "
                f"scored, {self.paths:,} paths each, seed {self.seed}")
        foot = ("coverage = share of held-out LIVEs inside the interval (randomized "
                "PIT on ties); tol. = 1.96 sqrt(L(1-L)/n), the binomial band of a "
                "correct model with independent LIVEs; under = intervals too narrow")
        return "\n".join([head, "", self.table(), "", self.pit_table(), "", foot])

    def csv_text(self) -> str:
        """One row per held-out LIVE and metric: start, observed, PIT, median
        and the interval ends (10 significant digits; PIT to 6 decimals)."""
        from .._present import csv_text

        return csv_text(*self._table())

    def _table(self):
        """``(head, rows)`` of :meth:`csv_text` (numbers already rounded)."""
        qs = sorted({q for lv in self.levels for q in ((1 - lv) / 2, (1 + lv) / 2)})
        head = ["start", "metric", "observed", "pit", "median",
                *(f"p{_pct(q)}" for q in qs)]
        rows = []
        for m in self.metrics:
            ends = {}
            for lv in self.levels:
                ends[(1 - lv) / 2] = self.lo[(m, lv)]
                ends[(1 + lv) / 2] = self.hi[(m, lv)]
            for i in range(self.n):
                st = "" if self.starts is None else str(self.starts[i])
                rows.append([st, m, f"{self.observed[m][i]:.10g}",
                             f"{self.pit[m][i]:.6f}", f"{self.median[m][i]:.10g}",
                             *(f"{ends[q][i]:.10g}" for q in qs)])
        return head, rows

    def to_dict(self) -> dict:
        """A JSON-ready dict: settings, coverage per metric and level (rate,
        s.e., tolerance, verdict, mean width), PIT values and histogram, and
        the per-LIVE observed values and interval ends."""
        cov = {}
        for m in self.metrics:
            cov[m] = {f"{round(100 * lv)}": {
                "level": lv, "coverage": self.coverage(m, lv),
                "stderr": self.coverage_se(m, lv), "tolerance": self.tolerance(lv),
                "verdict": self.verdict(m, lv), "mean_width": self.width(m, lv)}
                for lv in self.levels}
        per = {m: {"observed": self.observed[m].tolist(), "pit": self.pit[m].tolist(),
                   "median": self.median[m].tolist(),
                   "pit_histogram": self.pit_histogram(m).tolist(),
                   **{f"p{_pct((1 - lv) / 2)}": self.lo[(m, lv)].tolist()
                      for lv in self.levels},
                   **{f"p{_pct((1 + lv) / 2)}": self.hi[(m, lv)].tolist()
                      for lv in self.levels}}
               for m in self.metrics}
        from .._present import json_value

        return json_value({"source": self.source, "n": self.n, "paths": self.paths,
                           "seed": self.seed, "levels": list(self.levels),
                           "splits": [{"train": a, "holdout": b}
                                      for a, b in self.splits],
                           "starts": (None if self.starts is None else
                                      [str(s) for s in self.starts]),
                           "coverage": cov, "per_live": per})


#: How the sentence counts each metric ("11 of 12 viewers counts").
_COUNTED = {"viewers": "viewers counts", "viewer_minutes": "minutes-watched totals",
            "peak_viewers": "peaks", "diamonds": "diamond totals"}


def _pct(q):
    return f"{100 * q:g}".replace(".", "_")


def _evaluate_iv(samples, observed, levels):
    """Input validation for :func:`evaluate`: ``(metrics, levels)``."""
    if not isinstance(samples, dict) or not samples:
        raise SimkitError("`samples` must be a non-empty dict metric -> (paths, n) "
                          "array")
    metrics = tuple(samples)
    for m in metrics:
        if m not in observed:
            raise SimkitError(f"`observed` has no `{m}`")
    lv = tuple(_validate.levels(levels, "levels", closed=False).tolist())
    return metrics, lv


def evaluate(samples, observed, *, levels=LEVELS, seed=0, **meta) -> BacktestResult:
    """Score observed values against simulated ones, LIVE by LIVE.

    Parameters
    ----------
    samples : dict
        Metric -> simulated values, shape (paths, n): column ``i`` is the
        predictive sample of LIVE ``i``.
    observed : dict
        Metric -> observed values (n,).
    levels : sequence of float
        Central interval levels in (0, 1).
    seed : int
        Seed of the PIT's tie-breaking uniforms (one stream per metric).
    **meta
        ``starts``, ``splits``, ``paths``, ``source``, ``fits`` for the result.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> sim = {"viewers": rng.normal(size=(4000, 500))}
    >>> r = evaluate(sim, {"viewers": rng.normal(size=500)})  # a correct model
    >>> abs(r.coverage("viewers", 0.9) - 0.9) < r.tolerance(0.9)
    True
    """
    metrics, lv = _evaluate_iv(samples, observed, levels)
    obs, pit, med, lo, hi = {}, {}, {}, {}, {}
    ss = np.random.SeedSequence(int(seed))
    n = None
    for k, m in enumerate(metrics):
        x = np.asarray(samples[m], dtype=float)
        y = np.asarray(observed[m], dtype=float)
        if n is None:
            n = y.size
        if y.size != n or x.ndim != 2 or x.shape[1] != n:
            raise SimkitError(f"`{m}`: samples of shape {x.shape} do not match "
                              f"{y.size} observations")
        obs[m] = y
        pit[m] = pit_values(x, y, seed=np.random.SeedSequence(ss.entropy,
                                                              spawn_key=(k,)))
        qs = sorted({0.5, *((1 - v) / 2 for v in lv), *((1 + v) / 2 for v in lv)})
        qv = dict(zip(qs, np.quantile(x, qs, axis=0)))
        med[m] = qv[0.5]
        for v in lv:
            lo[(m, v)], hi[(m, v)] = qv[(1 - v) / 2], qv[(1 + v) / 2]
    if not n:
        raise SimkitError("nothing to score: no held-out LIVE")
    keep = meta.pop("keep_samples", True)
    return BacktestResult(metrics, lv, int(n), obs, pit, med, lo, hi,
                          seed=int(seed),
                          samples={m: np.asarray(samples[m]) for m in metrics}
                          if keep else {}, **meta)


# ----- simulating held-out LIVEs ------------------------------------------------------

def _days(start):
    """Days since 1970-01-01 (int) of datetime64 starts."""
    return np.asarray(start, dtype="datetime64[m]").astype("datetime64[D]") \
        .astype(np.int64)


def schedule_of(history, index, *, warmup_days=WARMUP_DAYS):
    """The explicit schedule that replays LIVEs ``index`` of ``history``.

    The LIVEs of the ``warmup_days`` before the first of them come first
    (unscored), so the habit record and the followers reach their state.
    Days count from the Monday of the first listed LIVE's week (the model's
    weekday is ``day % 7``, 0 = Monday); the hour is the start's whole hour.

    Returns
    -------
    streams : list of dict
        ``{day, hour, duration_min}`` (and ``collab`` when the history has it).
    first : int
        Index in ``history`` of the first listed LIVE.
    """
    index = np.asarray(index, dtype=np.int64)
    days = _days(history.start)
    first_day = days[index[0]] - warmup_days
    first = int(np.searchsorted(days, first_day, side="left"))
    first = min(first, int(index[0]))
    rows = np.r_[np.arange(first, index[0]), index]
    monday = days[first] - (days[first] + 3) % 7   # 1970-01-01 was a Thursday
    start = np.asarray(history.start, dtype="datetime64[m]")
    hours = ((start - start.astype("datetime64[D]")).astype(np.int64) // 60)
    dur = np.asarray(history.duration_min, dtype=float)
    collab = getattr(history, "collab", None)
    out = []
    for i in rows:
        s = {"day": int(days[i] - monday), "hour": int(hours[i]),
             "duration_min": float(min(1440.0, max(1.0, dur[i])))}
        if collab is not None:
            s["collab"] = bool(collab[i])
        out.append(s)
    return out, first


def _check_history(history):
    """Refuse anything but a History (the columns the backtest reads)."""
    for name in ("start", "viewers", "duration_min"):
        if not hasattr(history, name):
            raise SimkitError("`history` must be a History (see simkit.read_history), "
                              f"got {type(history).__name__}")


def _predict_iv(scenario, history, index, paths, seed, warmup_days, metrics):
    """Input validation and normalization for :func:`predict`."""
    from ..scenario._load import as_scenario

    scenario = as_scenario(scenario, load=False)
    _check_history(history)
    try:
        idx = np.asarray(index)
        ok = idx.ndim == 1 and idx.size > 0 and idx.dtype.kind in "iu" \
            and bool(np.all(np.diff(idx) > 0)) and 0 <= idx[0] and idx[-1] < len(history)
    except TypeError:
        ok = False
    if not ok:
        raise SimkitError(f"`index` must be increasing LIVE indices in [0, "
                          f"{len(history) - 1}], got {index!r}")
    paths = _validate.integer(paths, "paths")
    if not isinstance(seed, np.random.SeedSequence):
        seed = _validate.seed(seed)
    warmup_days = _validate.integer(warmup_days, "warmup_days", minimum=0)
    metrics = tuple(_validate.choice(m, "metrics", tuple(SIM_METRICS))
                    for m in ([metrics] if isinstance(metrics, str) else metrics))
    return scenario, idx.astype(np.int64), paths, seed, warmup_days, metrics


def predict(scenario, history, index, *, paths=1000, seed=0, warmup_days=WARMUP_DAYS,
            metrics=METRICS, **run_kw):
    """Simulate LIVEs ``index`` of ``history`` at their real starts and lengths.

    Parameters
    ----------
    scenario : Scenario
        The (fitted) scenario; its schedule is replaced by the LIVEs' own.
    history : History
        The LIVE history.
    index : sequence of int
        Increasing indices of the LIVEs to simulate.
    paths : int
        Paths (predictive draws per LIVE).
    seed : int or numpy.random.SeedSequence
        Root seed of the simulation.
    warmup_days : int
        Days of earlier LIVEs simulated first (unscored), see :func:`schedule_of`.
    metrics : sequence of str
        History columns to return.
    **run_kw
        Passed to :func:`simkit.simulate` (threads, backend, ...).

    Returns
    -------
    dict
        History column -> simulated values (paths, len(index)).

    Notes
    -----
    When the history has a ``followers`` column the run starts from the
    followers recorded at the first simulated LIVE (conditioning on the
    audience the creator really had); otherwise from the scenario's
    ``creator.followers``. The LIVEs did go live, so the follower threshold
    is lifted (``creator.live_min_followers = 0``).
    """
    from .._simulate import simulate

    scenario, index, paths, seed, warmup_days, metrics = _predict_iv(
        scenario, history, index, paths, seed, warmup_days, metrics)
    streams, first = schedule_of(history, index, warmup_days=warmup_days)
    weeks = streams[-1]["day"] // 7 + 1
    over = {"schedule.kind": "explicit", "schedule.streams": streams,
            "horizon.weeks": int(weeks), "creator.live_min_followers": 0}
    fol = getattr(history, "followers", None)
    if fol is not None and np.isfinite(fol[first]):
        over["creator.followers"] = int(round(float(fol[first])))
    sc = scenario.with_overrides(over)
    res = simulate(sc, paths=paths, seed=seed, per_stream=True, **run_kw)
    k = len(index)
    return {m: np.asarray(res.per_stream[SIM_METRICS[m]][:, -k:], dtype=float)
            for m in metrics}


# ----- the backtest -------------------------------------------------------------------

def _splits(n, holdout, rolling):
    """``[(a, b)]``: fit on LIVEs ``[0, a)``, score ``[a, b)``; oldest first."""
    if rolling is False or rolling is None:
        k = 1
    elif rolling is True:
        k = ROLLING_SPLITS
    else:
        k = int(rolling)
    return [(n - j * holdout, n - (j - 1) * holdout) for j in range(k, 0, -1)]


def _backtest_iv(history, holdout, rolling, paths, seed, levels, scenario):
    """Input validation for :func:`backtest`: the ``(fit, score)`` splits."""
    _check_history(history)
    n = len(history)
    holdout = _validate.integer(holdout, "holdout")
    if not (rolling is None or isinstance(rolling, bool)):
        if not isinstance(rolling, int | np.integer) or rolling < 2:
            raise SimkitError(f"`rolling` must be True, False or a number of splits "
                              f">= 2, got {rolling!r}")
    _validate.integer(paths, "paths", minimum=2)
    _validate.seed(seed)
    _evaluate_iv({"x": 1}, {"x": 1}, levels)
    splits = _splits(n, holdout, rolling)
    if splits[0][0] < MIN_TRAIN:
        k = len(splits)
        raise SimkitError(
            f"{getattr(history, 'source', 'history')}: {n} LIVEs cannot hold out "
            f"{k} x {holdout} and still fit on {MIN_TRAIN} or more (at most "
            f"{max(0, (n - MIN_TRAIN) // k)} per split)")
    if scenario is not None:
        from ..scenario._load import as_scenario

        as_scenario(scenario, load=False)
    return splits


def backtest(history, *, holdout, rolling=False, scenario=None, refit=True,
             paths=1000, seed=0, levels=LEVELS, warmup_days=WARMUP_DAYS,
             fit_kw=None, **run_kw) -> BacktestResult:
    """Fit on all but the last ``holdout`` LIVEs and score the rest.

    Parameters
    ----------
    history : History
        From :func:`simkit.read_history` (sorted by start).
    holdout : int
        LIVEs held out per split (``K``).
    rolling : bool or int
        Rolling origin: ``N`` splits (``True``: :data:`ROLLING_SPLITS`), the
        ``j``-th fitted on all LIVEs before the ``j``-th last block of ``K``
        and scored on that block; the scores pool every split.
    scenario : Scenario, optional
        Starting scenario of the fit (its keys that are not fitted stay), or,
        with ``refit=False``, the scenario to judge as it is.
    refit : bool
        Fit on each split's training LIVEs (default). ``False`` judges
        ``scenario`` itself.
    paths : int
        Simulated paths per held-out LIVE.
    seed : int
        Root seed of the fits, the simulations and the PIT tie-breaks.
    levels : sequence of float
        Central interval levels (default 50%, 80%, 90%).
    warmup_days : int
        Days of training LIVEs simulated again before the held-out ones.
    fit_kw : dict, optional
        More keywords for :func:`simkit.fit`.
    **run_kw
        Passed to :func:`simkit.simulate` (threads, backend, progress).

    Returns
    -------
    BacktestResult

    Raises
    ------
    SimkitError
        Too few LIVEs for the splits (each fit needs :data:`MIN_TRAIN`), bad
        arguments.
    """
    splits = _backtest_iv(history, holdout, rolling, paths, seed, levels, scenario)
    if not refit and scenario is None:
        raise SimkitError("`refit=False` needs a `scenario` to judge")
    samples = {m: [] for m in METRICS}
    fits = []
    for j, (a, b) in enumerate(splits):
        if refit:
            from . import _fit

            fr = _fit.fit(history.take(slice(0, a)), scenario=scenario, seed=seed,
                     **(fit_kw or {}))
            fits.append(fr)
            sc = fr.scenario
        else:
            sc = scenario
        got = predict(sc, history, np.arange(a, b), paths=paths,
                      seed=np.random.SeedSequence(int(seed), spawn_key=(1, j)),
                      warmup_days=warmup_days, **run_kw)
        for m in METRICS:
            samples[m].append(got[m])
    idx = np.arange(splits[0][0], splits[-1][1])
    observed = {m: np.asarray(getattr(history, m), dtype=float)[idx] for m in METRICS}
    return evaluate({m: np.concatenate(v, axis=1) for m, v in samples.items()},
                    observed, levels=levels, seed=seed,
                    starts=np.asarray(history.start)[idx],
                    splits=tuple((a, b - a) for a, b in splits), paths=int(paths),
                    source=str(getattr(history, "source", "") or ""),
                    fits=tuple(fits))
