"""Sweeps: many scenarios from one file, simulated in vectorized chunks.

A ``[sweep]`` table names numeric keys and their ``[low, high]`` ranges; a
design (full grid, Latin hypercube or scrambled Sobol', from
:mod:`scipy.stats.qmc`) turns them into scenarios, which are simulated
``chunk_scenarios`` at a time with :func:`simkit.simulate_batch` (scenario
parameters as arrays, one row per scenario). Each scenario becomes one row: its parameters
and, per metric, the mean, its standard error and P5/P50/P95 over paths.

With an output directory every finished chunk is written atomically to
``OUT/chunks/chunk-NNNNN.npz`` next to a ``manifest.json``; ``resume=True``
loads the finished chunks and simulates only the missing ones. All scenarios
share the seed (common random numbers) and path ``i`` of a scenario has the
same draws whatever chunk or backend ran it, so a resumed run equals an
uninterrupted one bit for bit.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import _validate
from ._io import atomic_path, atomic_write_text
from ._memory import check_design, check_sweep
from ._present import csv_text
from ._checkpoint import Checkpoint, scenario_hash
from ._version import __version__
from .errors import SimkitError
from .scenario._load import as_scenario
from .scenario._schema import SCHEMA

__all__ = ["SweepResult", "run_sweep", "sweep_design", "DESIGNS", "SWEEP_METRICS",
           "SWEEP_STATS"]

DESIGNS = ("grid", "lhs", "sobol")

#: Metrics summarized for each scenario of a sweep.
SWEEP_METRICS = ("income_total", "income_gifts", "unique_viewers", "viewer_minutes",
                 "peak_concurrent", "new_followers", "followers_end")

#: Statistics of each metric: mean, its standard error, P5, P50 and P95.
SWEEP_STATS = ("mean", "stderr", "p5", "p50", "p95")

#: (scenario, path) pairs per chunk when ``chunk_scenarios`` is not given.
CHUNK_PAIRS = 65_536

#: Largest design accepted (rows).
MAX_SCENARIOS = 10_000_000

_MANIFEST_FORMAT = "simkit-sweep-2"


def _field(key):
    sec, _, name = key.partition(".")
    return SCHEMA[sec][name]


def _sweep_table(scenario):
    as_scenario(scenario, load=False)
    table = scenario.sweep
    if table is None or not table.get("params"):
        raise SimkitError(f"{scenario.source}: `sweep` table with `params` is needed "
                          "to sweep (see docs/sweeps.md)")
    return table


def _sweep_design_iv(scenario, design, n, seed):
    """Input validation and normalization for :func:`sweep_design`."""
    table = _sweep_table(scenario)
    design = table["design"] if design is None else design
    _validate.choice(design, "design", DESIGNS)
    n = _validate.integer(table["n"] if n is None else n, "n")
    seed = _validate.seed(seed)
    keys = tuple(table["params"])
    log = set(table["log"])
    for k in log:
        if table["params"][k][0] <= 0:
            raise SimkitError(f"{scenario.source}: `sweep.params.{k}` must have "
                              f"low > 0 to be in sweep.log, got {table['params'][k]!r}")
    return table, design, n, seed, keys, log


def _axis_bounds(key, lo, hi):
    """Bounds of one axis; integer keys keep the integers inside [lo, hi]."""
    if _field(key).kind == "int":
        ilo, ihi = math.ceil(lo), math.floor(hi)
        if ilo > ihi:
            raise SimkitError(f"`sweep.params.{key}` holds no integer: {[lo, hi]!r}")
        return float(ilo), float(ihi)
    return float(lo), float(hi)


def _scale(u, lo, hi, is_log):
    if is_log:
        x = 10.0 ** (math.log10(lo) + u * (math.log10(hi) - math.log10(lo)))
    else:
        x = lo + u * (hi - lo)
    return np.clip(x, lo, hi)


def _n_points(design, n, d):
    """Rows of a design (a grid's upper bound: integer axes may have fewer)."""
    return n ** d if design == "grid" else n


def sweep_design(scenario, *, design=None, n=None, seed=0):
    """Points of the sweep design of ``scenario``'s ``[sweep]`` table.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a ``[sweep]`` table (``params`` = dotted key ->
        ``[low, high]``; ``log`` = keys sampled on a log10 scale).
    design : {"grid", "lhs", "sobol"}, optional
        ``grid``: ``n`` points per axis (``numpy.linspace``, or ``geomspace``
        for log keys; the midpoint when ``n == 1``), full product, ``n ** d``
        points. ``lhs``: ``n`` points
        of a Latin hypercube (``scipy.stats.qmc.LatinHypercube``). ``sobol``:
        the first ``n`` points of a scrambled Sobol' sequence
        (``scipy.stats.qmc.Sobol``; balanced when ``n`` is a power of 2).
        Default: the table's ``design``.
    n : int, optional
        Points per axis (grid) or in all (lhs, sobol); default: the table's.
    seed : int
        Seeds the random designs (and their scrambling); the same seed gives the
        same points.

    Returns
    -------
    keys : tuple of str
        Swept keys, in the table's order.
    points : ndarray, shape (N, len(keys))
        One row per scenario, inside ``[low, high]``; integer keys are rounded
        (a grid axis of an integer key keeps its distinct values only, so it
        may have fewer than ``n``).

    Raises
    ------
    SimkitError
        Without a ``[sweep]`` table, on a bad ``design``/``n``/``seed``, on a
        log key with ``low <= 0``, or when the grid is too large or the
        design matrix would not fit in memory (:mod:`simkit._memory`).

    See Also
    --------
    run_sweep : simulate every point.

    Examples
    --------
    >>> import simkit
    >>> from simkit import sweep_design
    >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
    >>> keys, pts = sweep_design(sc, design="lhs", n=8, seed=12345)
    >>> pts.shape == (8, len(keys))
    True
    """
    table, design, n, seed, keys, log = _sweep_design_iv(scenario, design, n, seed)
    bounds = [_axis_bounds(k, *table["params"][k]) for k in keys]
    d = len(keys)
    if design == "grid":
        if n ** d > MAX_SCENARIOS:
            raise SimkitError(f"`n`: a grid of {n} points on {d} axes has {n ** d:,} "
                              f"scenarios, more than {MAX_SCENARIOS:,}")
    check_design(_n_points(design, n, d), d)   # before any allocation
    if design == "grid":
        axes = []
        for k, (lo, hi) in zip(keys, bounds, strict=True):
            u = np.linspace(0.0, 1.0, n) if n > 1 else np.array([0.5])
            ax = _scale(u, lo, hi, k in log)
            if _field(k).kind == "int":
                ax = np.unique(np.rint(ax))
            axes.append(ax)
        mesh = np.meshgrid(*axes, indexing="ij")
        return keys, np.stack([m.ravel() for m in mesh], axis=1)
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5357,)))
    if design == "lhs":
        u = qmc.LatinHypercube(d, rng=rng).random(n)
    else:
        with warnings.catch_warnings():
            # The first n points of a scrambled Sobol' sequence are a valid
            # design for any n; scipy only notes that balance needs a power of 2.
            warnings.filterwarnings("ignore", "The balance properties of Sobol",
                                    UserWarning)
            u = qmc.Sobol(d, scramble=True, rng=rng).random(n)
    pts = np.empty((n, d))
    for j, (k, (lo, hi)) in enumerate(zip(keys, bounds, strict=True)):
        col = _scale(u[:, j], lo, hi, k in log)
        pts[:, j] = np.rint(col) if _field(k).kind == "int" else col
    return keys, pts


def _overrides(keys, row):
    return {k: (int(v) if _field(k).kind == "int" else float(v))
            for k, v in zip(keys, row, strict=True)}


def _summarize(results, metrics):
    """Array (S, len(metrics), len(SWEEP_STATS)) of per-scenario statistics."""
    out = np.empty((len(results), len(metrics), len(SWEEP_STATS)))
    for j, m in enumerate(metrics):
        x = np.stack([r[m] for r in results])
        p = x.shape[1]
        out[:, j, 0] = x.mean(axis=1)
        out[:, j, 1] = x.std(axis=1, ddof=1) / math.sqrt(p)
        out[:, j, 2:] = np.quantile(x, (0.05, 0.50, 0.95), axis=1).T
    return out


@dataclass(frozen=True)
class SweepResult:
    """One row per scenario of a sweep: its parameters and summary statistics.

    Attributes
    ----------
    keys : tuple of str
        Swept dotted keys (parameter columns).
    params : ndarray, shape (N, len(keys))
        Parameter values of each scenario.
    metrics : tuple of str
        Summarized metrics.
    stats : ndarray, shape (N, len(metrics), len(SWEEP_STATS))
        Mean, standard error of the mean, P5, P50, P95 of each metric over paths.
    metadata : dict
        Scenario, design, n, paths, seed, backend, chunks run and loaded,
        elapsed seconds.

    Examples
    --------
    >>> import simkit
    >>> from simkit import run_sweep
    >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
    >>> res = run_sweep(sc, design="lhs", n=4, paths=20, seed=12345, progress=False)
    >>> len(res), res.columns()[:2]
    (4, ['scenario', 'creator.followers'])
    >>> bool((res["income_total_stderr"] > 0).all())
    True
    """

    keys: tuple
    params: np.ndarray
    metrics: tuple
    stats: np.ndarray
    metadata: dict = field(default_factory=dict)

    def __len__(self):
        return self.params.shape[0]

    def columns(self) -> list:
        """Column names: ``scenario``, the keys, then ``<metric>_<stat>``.

        Examples
        --------
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
        >>> res = run_sweep(sc, design="lhs", n=3, paths=10, seed=12345,
        ...                 progress=False)
        >>> res.columns()[:2], "income_total_mean" in res.columns()
        (['scenario', 'creator.followers'], True)
        """
        return ["scenario", *self.keys] + [f"{m}_{s}" for m in self.metrics
                                          for s in SWEEP_STATS]

    def __getitem__(self, column) -> np.ndarray:
        if column == "scenario":
            return np.arange(len(self))
        if column in self.keys:
            return self.params[:, self.keys.index(column)]
        for j, m in enumerate(self.metrics):
            for i, s in enumerate(SWEEP_STATS):
                if column == f"{m}_{s}":
                    return self.stats[:, j, i]
        raise KeyError(f"unknown sweep column `{column}`")

    def to_dict(self) -> dict:
        """Column name -> 1-d array (integer keys as int64).

        Examples
        --------
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
        >>> res = run_sweep(sc, design="lhs", n=3, paths=10, seed=12345,
        ...                 progress=False)
        >>> d = res.to_dict()
        >>> d["scenario"], d["creator.followers"].dtype
        (array([0, 1, 2]), dtype('int64'))
        """
        out = {}
        for c in self.columns():
            v = self[c]
            if c == "scenario" or (c in self.keys and _field(c).kind == "int"):
                v = v.astype(np.int64)
            out[c] = v
        return out

    def to_frame(self):
        """A pandas DataFrame with one row per scenario (needs pandas).

        Returns
        -------
        pandas.DataFrame
            The columns of :meth:`columns`, one row per scenario (integer keys
            and ``scenario`` as int64).

        Raises
        ------
        SimkitError
            When pandas is not installed (``pip install 'simkit[frame]'``).

        Examples
        --------
        >>> import pytest
        >>> pd = pytest.importorskip("pandas")  # simkit[frame]
        >>> import simkit
        >>> from simkit import run_sweep
        >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
        >>> res = run_sweep(sc, design="lhs", n=3, paths=10, seed=12345,
        ...                 progress=False)
        >>> df = res.to_frame()
        >>> df.shape == (3, len(res.columns()))
        True
        >>> str(df["creator.followers"].dtype)
        'int64'
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - optional dependency
            raise SimkitError("SweepResult.to_frame needs pandas: pip install "
                              "'simkit[frame]'") from None
        return pd.DataFrame(self.to_dict())

    def to_csv(self, path) -> None:
        """Write one row per scenario to ``path`` (CSV, atomically, exact floats).

        Parameters
        ----------
        path : str or Path
            Output file; replaced atomically (temporary file + rename).

        Notes
        -----
        The header is :meth:`columns`. Integer keys and ``scenario`` are
        written as integers, every other value as the shortest repr that
        reads back to the same float.

        Examples
        --------
        >>> import csv, tempfile
        >>> from pathlib import Path
        >>> import simkit
        >>> from simkit import run_sweep
        >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
        >>> res = run_sweep(sc, design="lhs", n=3, paths=10, seed=12345,
        ...                 progress=False)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     res.to_csv(Path(d) / "sweep.csv")
        ...     with open(Path(d) / "sweep.csv", newline="") as fh:
        ...         rows = list(csv.DictReader(fh))
        >>> len(rows), list(rows[0])[:2]
        (3, ['scenario', 'creator.followers'])
        >>> float(rows[2]["income_total_mean"]) == float(res["income_total_mean"][2])
        True
        """
        atomic_write_text(path, csv_text(*self._table()))

    def _table(self):
        """``(head, rows)`` of :meth:`to_csv`: the columns, one row per scenario."""
        cols = self.to_dict()
        arrays = list(cols.values())
        return list(cols), [[a[i] for a in arrays] for i in range(len(self))]

    def _effects(self):
        """``(key, rho)``: Spearman rank correlation of each swept key with the
        mean total income (NaN: fewer than 3 scenarios, or no variation)."""
        from scipy.stats import ConstantInputWarning, spearmanr

        y = self["income_total_mean"]
        out = []
        for k in self.keys:
            rho = float("nan")
            if len(self) > 2:
                with warnings.catch_warnings():
                    # nearly equal values (a spread of rounding error) count as none
                    warnings.simplefilter("error", ConstantInputWarning)
                    try:
                        rho = float(spearmanr(self[k], y).statistic)
                    except ConstantInputWarning:
                        pass
            out.append((k, rho))
        return out

    def render(self, scenario=None, *, wide=False) -> str:
        """The printed form: one plain sentence, then how each swept input
        moves the average total income (``simkit sweep`` prints it).

        Parameters
        ----------
        scenario : Scenario, optional
            The swept scenario: the sentence names the period its totals cover
            (unless the horizon or the schedule is swept).
        wide : bool
            Keep every column of the table past 80 columns.

        Returns
        -------
        str
            Plain names, lines within 80 columns unless ``wide``.

        Examples
        --------
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
        >>> res = run_sweep(sc, design="lhs", n=4, paths=20, seed=12345,
        ...                 progress=False)
        >>> print(res.render(sc).splitlines()[0])  # doctest: +ELLIPSIS
        Across 4 scenarios of micro_sweep (lhs design, 20 simulated runs each, seed...
        """
        from . import _words
        from ._present import table
        from ._text import value_pm, wrap

        m = self.metadata
        y, se = self["income_total_mean"], self["income_total_stderr"]
        lo, hi = int(y.argmin()), int(y.argmax())
        period = ""
        if scenario is not None and not set(self.keys) & {
                "horizon.weeks", "schedule.streams_per_week", "schedule.slots",
                "schedule.streams"}:
            from ._pack import n_streams

            period = " " + _words.period_phrase(scenario.horizon_days / 7.0,
                                                n_streams(scenario))
        resumed = (f", {m['chunks_loaded']} of {m['chunks']} chunks resumed"
                   if m["chunks_loaded"] else "")
        lines = [wrap(f"Across {len(self):,} scenarios of {m['scenario']} "
                      f"({m['design']} design, {m['paths']:,} simulated runs each, "
                      f"seed {m['seed']}, {m['backend']}, {m['elapsed_s']:.1f} s"
                      f"{resumed}) the average total income{period} ranges from "
                      f"{value_pm(y[lo], se[lo], 'USD')} (scenario {lo}) to "
                      f"{value_pm(y[hi], se[hi], 'USD')} (scenario {hi})."), ""]
        rows = [[_words.param_name(k), "n/a" if rho != rho else f"{rho:+.2f}",
                 _direction(rho)] for k, rho in self._effects()]
        tab, _ = table(["swept input", "rank corr.", "average income as it rises"],
                       rows, align="lrl", wide=wide)
        lines += tab
        lines.append(wrap("rank corr.: Spearman rank correlation with average "
                          "income, from -1 (always down) to +1 (always up); 0: no "
                          "pattern"))
        return "\n".join(lines)

    def to_parquet(self, path) -> None:
        """Write one row per scenario to ``path`` (Parquet, atomically).

        Needs pyarrow; the metadata is stored as JSON under the key ``simkit``.

        Parameters
        ----------
        path : str or Path
            Output file; replaced atomically (temporary file + rename).

        Raises
        ------
        SimkitError
            When pyarrow is not installed (``pip install 'simkit[parquet]'``).

        Examples
        --------
        >>> import pytest
        >>> pq = pytest.importorskip("pyarrow.parquet")  # simkit[parquet]
        >>> import json, tempfile
        >>> from pathlib import Path
        >>> import simkit
        >>> from simkit import run_sweep
        >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
        >>> res = run_sweep(sc, design="lhs", n=3, paths=10, seed=12345,
        ...                 progress=False)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     res.to_parquet(Path(d) / "sweep.parquet")
        ...     table = pq.read_table(Path(d) / "sweep.parquet")
        >>> table.num_rows, table.column_names == res.columns()
        (3, True)
        >>> json.loads(table.schema.metadata[b"simkit"])["seed"]
        12345
        """
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise SimkitError("Parquet output needs pyarrow: pip install "
                              "'simkit[parquet]' (CSV is always written)") from None
        table = pa.table(self.to_dict())
        table = table.replace_schema_metadata(
            {"simkit": json.dumps(self.metadata, default=str)})
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp)


def _direction(rho):
    """Plain words for a rank correlation.

    Examples
    --------
    >>> _direction(0.83), _direction(-0.2), _direction(0.05)
    ('rises strongly', 'falls a little', 'barely moves')
    """
    if rho != rho:
        return "does not vary"
    a = abs(rho)
    if a < 0.1:
        return "barely moves"
    how = "strongly" if a >= 0.6 else "clearly" if a >= 0.3 else "a little"
    return f"{'rises' if rho > 0 else 'falls'} {how}"


def _manifest(scenario, design, n, paths, seed, chunk, n_scen, keys, log, metrics):
    return {"format": _MANIFEST_FORMAT, "simkit_version": __version__,
            "scenario": scenario.name, "scenario_sha256": scenario_hash(scenario),
            "seed": seed, "design": design, "n": n, "paths": paths,
            "chunk_scenarios": chunk, "n_scenarios": n_scen, "keys": list(keys),
            "log": sorted(log), "metrics": list(metrics), "stats": list(SWEEP_STATS)}


def _run_sweep_iv(paths, chunk_scenarios, backend, scheduler, out, resume, table):
    """Input validation for :func:`run_sweep` (the design's arguments go through
    :func:`_sweep_design_iv`)."""
    paths = _validate.integer(table["paths"] if paths is None else paths, "paths",
                              minimum=2)
    if chunk_scenarios is None:
        chunk_scenarios = max(1, CHUNK_PAIRS // paths)
    chunk_scenarios = _validate.integer(chunk_scenarios, "chunk_scenarios")
    _validate.choice(backend, "backend", ("cpu", "dask", "cuda"))
    if scheduler is not None and backend != "dask":
        raise SimkitError("`scheduler` needs backend='dask'")
    if resume and out is None:
        raise SimkitError("`resume` needs an output directory (`out`)")
    return paths, chunk_scenarios


def _run_chunks(scenarios, pts, *, paths, seed, chunk, backend, scheduler, threads,
                checkpoint, resume, metrics, progress, label, on_chunk=None,
                summarize=None, n_stats=len(SWEEP_STATS)):
    """Simulate ``scenarios`` ``chunk`` at a time and summarize each one.

    The chunk loop shared by :func:`run_sweep` and
    :func:`simkit.analysis._sobol.sensitivity`: one :func:`simkit.simulate_batch`
    call per chunk on the shared seed; with ``checkpoint`` (an entered
    :class:`simkit._checkpoint.Checkpoint`) each chunk is saved as it finishes
    and, with ``resume``, finished chunks whose ``params`` equal ``pts`` are
    loaded.

    ``summarize(results, metrics)`` (default :func:`_summarize`) turns a
    chunk's results into an array ``(scenarios, len(metrics), n_stats)``.
    Returns ``(stats, n_chunks, n_loaded)``.
    """
    from ._simulate import _progress_bar, simulate_batch

    n_scen = len(scenarios)
    bounds = [(s0, min(n_scen, s0 + chunk)) for s0 in range(0, n_scen, chunk)]
    summarize = _summarize if summarize is None else summarize
    stats = np.empty((n_scen, len(metrics), n_stats))
    n_loaded = 0
    bar = _progress_bar(progress, n_scen, label)
    if bar is not None:
        bar.unit = "scenario"
    with contextlib.ExitStack() as stack:
        if bar is not None:
            stack.callback(bar.close)
        sched = scheduler
        if backend == "dask":
            from .backends.dask import client_for

            sched = stack.enter_context(client_for(scheduler))
        for i, (s0, s1) in enumerate(bounds):
            got = (checkpoint.load(i, s0, s1, {"stats": stats[s0:s1]},
                                   check={"params": pts[s0:s1]})
                   if resume and checkpoint is not None else None)
            if got is not None:
                stats[s0:s1] = got["stats"]
                n_loaded += 1
            else:
                res = simulate_batch(scenarios[s0:s1], paths=paths, seed=seed,
                                     threads=threads, backend=backend,
                                     scheduler=sched, progress=False)
                stats[s0:s1] = summarize(res, metrics)
                if checkpoint is not None:
                    checkpoint.save(i, s0, s1, params=pts[s0:s1], stats=stats[s0:s1])
            if bar is not None:
                bar.update(s1 - s0)
            if on_chunk is not None:
                on_chunk(i, len(bounds), got is not None)
    return stats, len(bounds), n_loaded


def run_sweep(scenario, *, design=None, n=None, paths=None, seed=0, backend="cpu",
              scheduler=None, threads=None, out=None, resume=False,
              chunk_scenarios=None, metrics=SWEEP_METRICS, progress=None,
              on_chunk=None):
    """Simulate every scenario of a sweep design and summarize each one.

    Parameters
    ----------
    scenario : Scenario
        Base scenario with a ``[sweep]`` table.
    design, n : optional
        Override the table's design and size (see :func:`sweep_design`).
    paths : int, optional
        Paths per scenario (default: the table's ``paths``); at least 2.
    seed : int
        Seeds both the design and the simulation. All scenarios share random
        numbers (common random numbers), so differences between rows are not
        blurred by independent noise.
    backend : {"cpu", "dask", "cuda"}
        Where the kernels run (see :func:`simkit.simulate_batch`).
    scheduler : str or distributed.Client, optional
        Dask scheduler (``backend="dask"``); without one a local cluster of two
        worker processes is started once for the whole sweep.
    threads : int, optional
        Numba threads.
    out : str or Path, optional
        Directory for the checkpoint: ``manifest.json`` and one
        ``chunks/chunk-NNNNN.npz`` per finished chunk, each written atomically
        as soon as it is done. A fresh run removes stale chunk files there.
    resume : bool
        Load the finished chunks in ``out`` and simulate only the missing ones.
        Refused when ``out/manifest.json`` describes another sweep (scenario
        contents, seed, design, n, paths, chunk size or version differ).
    chunk_scenarios : int, optional
        Scenarios per :func:`simkit.simulate_batch` call and per checkpoint
        chunk (default: about 65,536 scenario-paths per chunk).
    metrics : sequence of str
        Metrics to summarize (:data:`simkit.metrics.TOTALS` names).
    progress : bool, optional
        Progress bar over scenarios (default: when stderr is a terminal).
    on_chunk : callable, optional
        Called as ``on_chunk(index, n_chunks, loaded)`` after each chunk is
        finished (and written) or loaded from the checkpoint.

    Returns
    -------
    SweepResult

    Raises
    ------
    SimkitError
        On bad arguments, a missing ``[sweep]`` table, a swept value the schema
        rejects (:class:`~simkit.errors.ScenarioError` naming the key), a
        checkpoint written for another sweep, or a design whose scenarios would
        not fit in memory (checked before any is built).

    See Also
    --------
    sweep_design : the design points.
    simkit.simulate_batch : the vectorized simulation each chunk calls.

    Notes
    -----
    Standard errors are ``std(ddof=1) / sqrt(paths)`` per scenario; quantiles
    use numpy's default (linear) rule.

    Examples
    --------
    >>> import simkit
    >>> from simkit import run_sweep
    >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
    >>> res = run_sweep(sc, design="grid", n=2, paths=20, seed=12345, progress=False)
    >>> len(res) == 2 ** len(res.keys)
    True
    """
    from .metrics import TOTALS

    table, design, n, seed, keys, log = _sweep_design_iv(scenario, design, n, seed)
    paths, chunk = _run_sweep_iv(paths, chunk_scenarios, backend, scheduler, out, resume,
                             table)
    metrics = tuple(metrics)
    for m in metrics:
        if m not in TOTALS:
            raise SimkitError(f"`metrics`: unknown metric {m!r}")
    # Every scenario is built before the first runs: refuse what cannot fit.
    check_sweep(_n_points(design, n, len(keys)), len(keys), paths, chunk,
                len(metrics), len(SWEEP_STATS))
    keys, pts = sweep_design(scenario, design=design, n=n, seed=seed)
    n_scen = pts.shape[0]
    # Build (and validate) every scenario before simulating anything.
    scenarios = [scenario.with_overrides(_overrides(keys, row)) for row in pts]
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        # The checkpoint first: a folder another sweep holds is refused at once.
        ck = None if out is None else stack.enter_context(Checkpoint(
            out, _manifest(scenario, design, n, paths, seed, chunk, n_scen, keys,
                           log, metrics), resume=resume, what="sweep"))
        stats, n_chunks, n_loaded = _run_chunks(
            scenarios, pts, paths=paths, seed=seed, chunk=chunk, backend=backend,
            scheduler=scheduler, threads=threads, checkpoint=ck, resume=resume,
            metrics=metrics, progress=progress, label=f"sweep {scenario.name}",
            on_chunk=on_chunk)
    meta = {"scenario": scenario.name, "source": scenario.source, "design": design,
            "n": n, "paths": paths, "seed": seed, "backend": backend,
            "log": sorted(log), "chunk_scenarios": chunk, "chunks": n_chunks,
            "chunks_loaded": n_loaded, "elapsed_s": time.perf_counter() - started,
            "simkit_version": __version__}
    return SweepResult(keys, pts, metrics, stats, meta)
