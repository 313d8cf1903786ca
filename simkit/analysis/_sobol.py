r"""Global sensitivity: Sobol' indices and Morris screening of the uncertain inputs.

How much of the spread of income does each uncertain input explain, alone and
through its interactions? :func:`sensitivity` answers with variance-based
(Sobol') indices or, for many inputs, with Morris' elementary-effects screening.
The designs and estimators are SALib's (Herman and Usher 2017; Iwanaga, Usher
and Herman 2022), the maintained reference implementation:

- ``method="sobol"``: Saltelli's (2002) cross-sampled design on a scrambled
  Sobol' sequence (:func:`SALib.sample.sobol.sample`), first-order indices by
  the estimator of Saltelli et al. (2010), total indices by Jansen's (1999),
  second-order by Saltelli (2002), confidence intervals by bootstrap over the
  base samples (:func:`SALib.analyze.sobol.analyze`). ``N (D + 2)`` model
  evaluations (``N (2 D + 2)`` with second order) for ``D`` inputs.
- ``method="morris"``: ``N`` one-at-a-time trajectories on a ``p``-level grid
  (Morris 1991; Campolongo, Cariboni and Saltelli 2007),
  :func:`SALib.analyze.morris.analyze`: ``mu*`` (mean absolute elementary
  effect, the importance) and ``sigma`` (its spread: interactions or
  non-linearity). ``N (D + 1)`` evaluations.

The inputs are the scenario's uncertain inputs (keys given as distributions),
or, when it has none, the ranges of its ``[sweep]`` table. The design lives in
the unit hypercube; coordinate ``u`` of an uncertain input becomes its value
through the distribution's quantile function (``ppf(u)``, so the indices are
those of the input distributions themselves), a ``[sweep]`` range becomes
``low + u (high - low)`` (log-uniform for the keys in ``sweep.log``).

Each design point is one scenario (the base scenario with the point's values
fixed), simulated with ``paths`` paths; the model output at the point is the
mean of the metric over those paths. Points are simulated in chunks, one
vectorized :func:`simkit.simulate_batch` call per chunk, with the checkpoint,
resume and Dask support of sweeps (:func:`simkit._sweep.run_sweep`).

**Monte Carlo noise.** The output at a point is an estimate: the mean of
``paths`` paths around the true conditional mean ``m(x)``. Every point uses
the same seed, and simkit's random numbers are keyed by path, so path ``i``
sees the same draws at every point (common random numbers): given the seed
the output is a deterministic function of the inputs, the kind of model the
estimators assume, and its error ``e(x)`` is the average of ``paths`` path
deviations that change smoothly with ``x``, largely shared by neighbouring
points, so much of it cancels in the differences the estimators take. What
remains is reported as the *noise share* ``Var(e) / Var(Y)`` over the design,
``Var(e)`` estimated from the half-difference of the means of the first and
the last ``paths // 2`` paths (disjoint paths have independent random
numbers). Noise adds about that share to the output variance: it pulls every
``S1`` down and pushes every ``ST`` up by up to that much. A share above
:data:`NOISE_WARN` raises :class:`~simkit.errors.LowPrecisionWarning`: raise
``paths``.

**Correlated inputs.** Sobol' indices of this kind apportion variance between
*independent* inputs; with ``[correlations]`` there is no unique split, and the
estimators would silently answer for inputs the scenario does not have. Such a
scenario is refused; remove the correlations for this analysis or use the
tornado (:func:`simkit.tornado`), which moves one input at a time.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import _validate
from ..errors import LowPrecisionWarning, SimkitError

__all__ = ["sensitivity", "SensitivityResult", "METHODS", "NOISE_WARN"]

METHODS = ("sobol", "morris")

#: Base samples (Sobol') and trajectories (Morris) when ``n`` is not given.
DEFAULT_N = {"sobol": 512, "morris": 32}

#: Paths per design point when ``paths`` is not given.
DEFAULT_PATHS = 16

#: A noise share above this raises LowPrecisionWarning.
NOISE_WARN = 0.05

#: (design point, path) pairs per chunk when ``chunk_scenarios`` is not given.
CHUNK_PAIRS = 65_536

_MANIFEST_FORMAT = "simkit-sensitivity-1"
_UNIT_EPS = 2.0 ** -53
_SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
_MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "mu", "sigma")


def _demo():
    """A small hand-made Sobol' result for the examples (no simulation)."""
    idx = {"S1": np.array([0.10, 0.62]), "S1_conf": np.array([0.04, 0.08]),
           "ST": np.array([0.15, 0.80]), "ST_conf": np.array([0.03, 0.07])}
    return SensitivityResult("sobol", "demo", "income_total",
                             ("habit.max_gain", "audience.join_rate"),
                             ("pert(0, 0.3, 0.6)", "lognormal(0.03, 0.4)"), idx,
                             256, 16, 0, 1024, 0.95, 650.0, 9.0e4, 0.012)


@dataclass(frozen=True)
class SensitivityResult:
    """Outcome of :func:`sensitivity`: one row of indices per input.

    Attributes
    ----------
    method : {"sobol", "morris"}
    scenario, metric : str
        Scenario name and the per-path total analysed.
    keys : tuple of str
        The inputs, in the scenario's order.
    inputs : tuple of str
        How each input was sampled (its distribution or range).
    indices : dict of str -> ndarray
        Sobol': ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (shape ``(D,)``;
        ``*_conf`` is the half-width of the bootstrap interval at
        ``conf_level``) and, with second order, ``S2``/``S2_conf`` (``(D, D)``,
        upper triangle). Morris: ``mu_star``, ``mu_star_conf``, ``mu``,
        ``sigma`` (metric units per the input's whole range).
    n, paths, seed, n_points : int
        Base samples or trajectories, paths per point, seed, design points.
    conf_level : float
    mean, variance : float
        Mean and variance of the point outputs over the design.
    noise_share : float
        Estimated variance of the Monte Carlo error of the point outputs over
        ``variance``: the share of the output variance that is noise.
    metadata : dict
        Backend, chunks run and loaded, elapsed seconds, version.

    Examples
    --------
    >>> res = _demo()  # a hand-made result; simkit.sensitivity returns these
    >>> print(res)
    The join rate explains the largest part of the spread in expected total income:
    80%, counting what it does together with the other inputs.
    <BLANKLINE>
    input             alone  with the others
    ----------  -----------  ---------------
    join rate   62.0 ± 8.0%      80.0 ± 7.0%
    habit gain  10.0 ± 4.0%      15.0 ± 3.0%
    <BLANKLINE>
    ± is the 95% range of each share (more base samples narrow it).
    Alone, the inputs explain 72% of the spread; the rest comes from how they act
    together.
    Chance makes up 1.2% of the spread between the design's points.
    """

    method: str
    scenario: str
    metric: str
    keys: tuple
    inputs: tuple
    indices: dict
    n: int
    paths: int
    seed: int
    n_points: int
    conf_level: float
    mean: float
    variance: float
    noise_share: float
    metadata: dict = field(default_factory=dict)

    @property
    def columns(self) -> tuple:
        """Per-input columns of :meth:`rows`, in order.

        Examples
        --------
        >>> _demo().columns
        ('S1', 'S1_conf', 'ST', 'ST_conf')
        """
        return _SOBOL_COLUMNS if self.method == "sobol" else _MORRIS_COLUMNS

    def order(self) -> list:
        """Input positions sorted by total effect (``ST`` or ``mu*``), largest first.

        Examples
        --------
        >>> _demo().order()
        [1, 0]
        """
        k = "ST" if self.method == "sobol" else "mu_star"
        v = np.nan_to_num(self.indices[k], nan=-np.inf)
        return sorted(range(len(self.keys)), key=lambda j: (-v[j], self.keys[j]))

    def rows(self) -> list:
        """One dict per input (``input`` and :attr:`columns`), largest ST first.

        Examples
        --------
        >>> _demo().rows()[0]  # doctest: +NORMALIZE_WHITESPACE
        {'input': 'audience.join_rate', 'S1': 0.62, 'S1_conf': 0.08, 'ST': 0.8,
         'ST_conf': 0.07}
        """
        return [{"input": self.keys[j],
                 **{c: float(self.indices[c][j]) for c in self.columns}}
                for j in self.order()]

    def __getitem__(self, key) -> dict:
        """The row of input ``key`` (a dict, as in :meth:`rows`).

        Examples
        --------
        >>> _demo()["habit.max_gain"]["ST"]
        0.15
        """
        for r in self.rows():
            if r["input"] == key:
                return r
        raise KeyError(key)

    @property
    def s1_sum(self) -> float:
        """Sum of the first-order indices (Sobol' only; <= 1 up to noise).

        Examples
        --------
        >>> round(_demo().s1_sum, 2)
        0.72
        """
        return float(np.sum(self.indices["S1"])) if self.method == "sobol" \
            else float("nan")

    def to_dict(self) -> dict:
        """A JSON-ready dict: settings, the rows and (with second order) ``S2``.

        Examples
        --------
        >>> d = _demo().to_dict()
        >>> d["method"], d["rows"][0]["input"], d["inputs"]["habit.max_gain"]
        ('sobol', 'audience.join_rate', 'pert(0, 0.3, 0.6)')
        """
        from .._present import json_value

        d = {"method": self.method, "scenario": self.scenario, "metric": self.metric,
             "n": self.n, "paths": self.paths, "seed": self.seed,
             "n_points": self.n_points, "conf_level": self.conf_level,
             "mean": self.mean, "variance": self.variance,
             "noise_share": self.noise_share,
             "inputs": dict(zip(self.keys, self.inputs, strict=True)),
             "rows": self.rows()}
        if "S2" in self.indices:
            d["S2"] = {f"{self.keys[i]},{self.keys[j]}":
                       {"S2": float(self.indices["S2"][i, j]),
                        "S2_conf": float(self.indices["S2_conf"][i, j])}
                       for i in range(len(self.keys))
                       for j in range(i + 1, len(self.keys))}
        d["metadata"] = dict(self.metadata)
        return json_value(d)

    def to_frame(self):
        """A pandas DataFrame indexed by input, largest ST first (needs pandas).

        Examples
        --------
        >>> import pytest
        >>> _ = pytest.importorskip("pandas")  # simkit[frame]
        >>> df = _demo().to_frame()
        >>> list(df.columns), df.index[0]
        (['S1', 'S1_conf', 'ST', 'ST_conf'], 'audience.join_rate')
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - optional dependency
            raise SimkitError("SensitivityResult.to_frame needs pandas: pip install "
                              "'simkit[frame]'") from None
        return pd.DataFrame(self.rows()).set_index("input")

    def to_csv(self, path) -> None:
        """Write :meth:`rows` to ``path`` as CSV (atomically, exact floats).

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> p = Path(tempfile.mkdtemp()) / "s.csv"
        >>> _demo().to_csv(p)
        >>> p.read_text().splitlines()[:2]
        ['input,S1,S1_conf,ST,ST_conf', 'audience.join_rate,0.62,0.08,0.8,0.07']
        """
        from .._present import csv_text, text_out

        text_out(csv_text(*self._table()), path)

    def _table(self):
        """``(head, rows)`` of :meth:`to_csv`: ``input`` and :attr:`columns`."""
        return (["input", *self.columns],
                [[r["input"], *(r[c] for c in self.columns)] for r in self.rows()])

    def to_json(self, path) -> None:
        """Write :meth:`to_dict` to ``path`` as JSON (atomically).

        Examples
        --------
        >>> import json, tempfile
        >>> from pathlib import Path
        >>> p = Path(tempfile.mkdtemp()) / "s.json"
        >>> _demo().to_json(p)
        >>> json.loads(p.read_text())["noise_share"]
        0.012
        """
        from .._present import json_text, text_out

        text_out(json_text(self.to_dict()), path)

    def __str__(self) -> str:
        return self.render()

    def render(self, *, details=False, wide=False) -> str:
        """The indices as text: a plain sentence and table, or the full view.

        With second order, both end with the pairs whose ``S2`` exceeds 0.01,
        largest first (``none`` when no pair does).

        Parameters
        ----------
        details : bool
            The full view: scenario keys, S1/ST (or mu*/mu/sigma) with their
            bootstrap half-widths, the design's size and the noise share.
        wide : bool
            Keep every column of the plain table past 80 columns.

        Examples
        --------
        >>> print(_demo().render().splitlines()[0])
        The join rate explains the largest part of the spread in expected total income:
        """
        if details:
            return self._details()
        from ..metrics import UNITS
        from .._present import table
        from .._text import fmt_at, percent, value_pm, wrap
        from .._words import metric_name, param_name

        pct = round(100 * self.conf_level)
        rows = self.rows()
        what = metric_name(self.metric)
        if not rows:
            return wrap(f"No inputs to rank for {what}.")
        top = param_name(rows[0]["input"])
        if self.method == "sobol":
            lines = [wrap(
                f"The {top} explains the largest part of the spread in expected "
                f"{what}: {percent(max(rows[0]['ST'], 0))}, counting what it does "
                "together with the other inputs.")]
            pm = lambda v, e: value_pm(100 * v, 100 * e) + "%"  # noqa: E731
            tab, _ = table(["input", "alone", "with the others"],
                           [[param_name(r["input"]), pm(r["S1"], r["S1_conf"]),
                             pm(r["ST"], r["ST_conf"])] for r in rows], wide=wide)
            foot = [f"± is the {pct}% range of each share (more base samples "
                    "narrow it).",
                    f"Alone, the inputs explain {percent(max(self.s1_sum, 0))} of the "
                    "spread; the rest comes from how they act together."]
        else:
            unit = UNITS.get(self.metric, "")
            fv = lambda v, e: fmt_at(v, e, unit)  # noqa: E731
            lines = [wrap(
                f"Moving the {top} across its range changes the expected {what} the "
                f"most: by {fv(rows[0]['mu_star'], rows[0]['mu_star_conf'])} on "
                "average.")]
            tab, _ = table(["input", "average change", "net change", "spread"],
                           [[param_name(r["input"]),
                             value_pm(r["mu_star"], r["mu_star_conf"], unit),
                             fv(r["mu"], r["mu_star_conf"]),
                             fv(r["sigma"], r["mu_star_conf"])]
                            for r in rows], optional=[2], wide=wide)
            foot = [f"± is the {pct}% range of each average change. A spread "
                    "larger than the net change: the input's effect depends on the "
                    "others or changes sign."]
        noise = (percent(self.noise_share) if not 0 <= self.noise_share < 0.1
                 else f"{100 * self.noise_share:.1f}%")
        foot.append(f"Chance makes up {noise} of the spread "
                    "between the design's points.")
        return "\n".join([*lines, "", *tab, "", *(wrap(f) for f in foot),
                          *self._pair_lines(details=False)])

    def _pair_lines(self, *, details):
        """With second order: the pairs whose ``S2`` exceeds 0.01, largest first."""
        if "S2" not in self.indices:
            return []
        from .._text import value_pm
        from .._words import param_name

        k, s2, conf = self.keys, self.indices["S2"], self.indices["S2_conf"]
        pairs = [(s2[i, j], conf[i, j], k[i], k[j])
                 for i in range(len(k)) for j in range(i + 1, len(k))]
        big = [p for p in sorted(pairs, key=lambda t: -t[0]) if p[0] > 0.01]
        none = "none" if not big else ""
        if details:
            return ["second order S2 above 0.01: " + none,
                    *(f"  {a} x {b}: {v:.3f} ± {e:.3f}" for v, e, a, b in big)]
        return ["Pairs that explain more than 1% together, beyond each alone: " + none,
                *(f"  {param_name(a)} and {param_name(b)}: "
                  f"{value_pm(100 * v, 100 * e)}%" for v, e, a, b in big)]

    def _details(self) -> str:
        pct = round(100 * self.conf_level)
        from .._present import table

        if self.method == "sobol":
            head = ["input", "S1", f"± {pct}%", "ST", f"± {pct}%"]
            cells = [[r["input"], f"{r['S1']:.3f}", f"{r['S1_conf']:.3f}",
                      f"{r['ST']:.3f}", f"{r['ST_conf']:.3f}"] for r in self.rows()]
            what = f"Sobol' indices of {self.metric} (N = {self.n:,} base samples"
        else:
            from ..metrics import UNITS
            from .._text import fmt

            fv = lambda v: fmt(v, UNITS.get(self.metric, ""))  # noqa: E731
            head = ["input", "mu*", f"± {pct}%", "mu", "sigma"]
            cells = [[r["input"], fv(r["mu_star"]), fv(r["mu_star_conf"]), fv(r["mu"]),
                      fv(r["sigma"])] for r in self.rows()]
            what = f"Morris screening of {self.metric} (N = {self.n:,} trajectories"
        tab, _ = table(head, cells, wide=True)
        out = [f"{self.scenario} — {what}, {self.n_points:,} points x "
               f"{self.paths:,} paths, seed {self.seed})", *tab]
        if self.method == "sobol":
            out.append(f"sum of S1 = {self.s1_sum:.3f}; 1 - sum = the share of "
                       "interactions")
        out.append(f"noise share {self.noise_share:.1%} (Monte Carlo error of the "
                   "point means over their variance, common random numbers)")
        return "\n".join(out + self._pair_lines(details=True))


# ---------------------------------------------------------------------------------

def _field(key):
    from ..scenario._schema import SCHEMA

    sec, _, name = key.partition(".")
    return SCHEMA[sec][name]


def _space(scenario):
    """``(keys, ppfs, descriptions)`` of the scenario's inputs, or raise."""
    uncertain = dict(getattr(scenario, "uncertain", {}) or {})
    src = scenario.source
    if uncertain:
        corr = scenario.correlations
        if corr is not None:
            a, b = corr[0][:2]
            raise SimkitError(
                f"{src}: Sobol' and Morris indices assume independent inputs, but "
                f"[correlations] links {a} and {b} (and {len(corr[0])} inputs in "
                "all); remove the correlations for this analysis or use the "
                "tornado (simkit.tornado), which moves one input at a time")
        keys = tuple(uncertain)
        ppfs = []
        for k in keys:
            dist, is_int = uncertain[k], _field(k).kind == "int"
            ppfs.append(lambda u, d=dist, i=is_int: (np.rint(d.ppf(u)) if i
                                                     else d.ppf(u)))
        return keys, ppfs, tuple(uncertain[k].describe() for k in keys)
    table = scenario.sweep
    if table is None or not table.get("params"):
        raise SimkitError(f"{src}: no uncertain inputs (keys given as distributions) "
                          "and no [sweep] table: nothing to analyse (see "
                          "docs/analysis.md)")
    from .._sweep import _axis_bounds, _scale

    keys, ppfs, desc = tuple(table["params"]), [], []
    log = set(table["log"])
    for k in keys:
        lo, hi = _axis_bounds(k, *table["params"][k])
        if k in log and lo <= 0:
            raise SimkitError(f"{src}: `sweep.params.{k}` must have low > 0 to be in "
                              f"sweep.log, got {table['params'][k]!r}")
        is_int = _field(k).kind == "int"
        ppfs.append(lambda u, lo=lo, hi=hi, lg=k in log, i=is_int:
                    np.rint(_scale(u, lo, hi, lg)) if i else _scale(u, lo, hi, lg))
        desc.append(f"{'log-uniform' if k in log else 'uniform'} [{lo:g}, {hi:g}]")
    return keys, ppfs, tuple(desc)


def _seeds(seed):
    """Design seed and bootstrap seed (SALib treats a seed of 0 as "none")."""
    ss = np.random.SeedSequence(seed, spawn_key=(0x534F42,))
    a, b = ss.generate_state(2, dtype=np.uint32)
    return int(a), int(b) | 1


def _need_salib():
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise SimkitError("sensitivity analysis needs SALib: pip install "
                          "'simkit[sensitivity]'") from None


def _unit_design(method, d, n, second_order, num_levels, seed):
    """SALib's design in the unit hypercube, shape ``(points, d)``."""
    problem = {"num_vars": d, "names": [f"x{j}" for j in range(d)],
               "bounds": [[0.0, 1.0]] * d}
    design_seed, _ = _seeds(seed)
    if method == "sobol":
        from SALib.sample import sobol as sample

        u = sample.sample(problem, n, calc_second_order=second_order, seed=design_seed)
    else:
        from SALib.sample import morris as sample

        u = sample.sample(problem, n, num_levels=num_levels, seed=design_seed)
    return problem, np.asarray(u, dtype=float)


def _to_probabilities(method, u, num_levels):
    """Unit coordinates -> probabilities in (0, 1) fed to each input's ``ppf``.

    Morris levels ``0, 1/(p-1), ..., 1`` become the midpoints of ``p``
    equal-probability bins, ``(k + 1/2) / p``, so an unbounded distribution is
    never asked for its 0 or 1 quantile.
    """
    if method == "morris":
        u = (u * (num_levels - 1) + 0.5) / num_levels
    return np.clip(u, _UNIT_EPS, 1.0 - _UNIT_EPS)


def _drive(keys, ppfs, evaluate, *, method, n, second_order, num_levels, conf_level,
           resamples, seed):
    """Design -> input values -> ``evaluate(X)`` -> SALib's indices.

    ``evaluate`` maps the ``(points, D)`` input values to ``(Y, half)``: the
    output at each point and an array whose variance over the design estimates
    that of the output's Monte Carlo error (:func:`_point_stats`; zeros for a
    deterministic model). Returns ``(indices, X, Y, half)``.
    """
    problem, u = _unit_design(method, len(keys), n, second_order, num_levels, seed)
    p = _to_probabilities(method, u, num_levels)
    x = np.column_stack([f(p[:, j]) for j, f in enumerate(ppfs)])
    y, half = evaluate(x)
    y, half = np.asarray(y, dtype=float), np.asarray(half, dtype=float)
    if not np.all(np.isfinite(y)):
        raise SimkitError("the model output is not finite at some design points")
    if float(np.ptp(y)) == 0.0:
        raise SimkitError(f"the output is {y[0]:g} at every design point: no "
                          "variance to apportion between the inputs")
    _, boot_seed = _seeds(seed)
    if method == "sobol":
        from SALib.analyze import sobol as analyze

        si = analyze.analyze(problem, y, calc_second_order=second_order,
                             num_resamples=resamples, conf_level=conf_level,
                             seed=boot_seed)
        names = _SOBOL_COLUMNS + (("S2", "S2_conf") if second_order else ())
    else:
        from SALib.analyze import morris as analyze

        si = analyze.analyze(problem, u, y, num_resamples=resamples,
                             conf_level=conf_level, num_levels=num_levels,
                             seed=boot_seed)
        names = _MORRIS_COLUMNS
    out = {k: np.ma.filled(np.ma.asarray(si[k], dtype=float), np.nan) for k in names}
    return out, x, y, half


def _point_stats(results, metrics):
    """Per point: the mean over paths and the half-difference of the two halves.

    With ``k = paths // 2``, ``h = (mean of the first k paths - mean of the
    last k) / 2`` has the same variance over the design as the Monte Carlo
    error of the point means (the halves use disjoint paths, hence independent
    random numbers, and the same paths at every point), so ``Var(h) / Var(Y)``
    estimates the noise share under common random numbers.
    """
    out = np.empty((len(results), len(metrics), 2))
    for j, m in enumerate(metrics):
        x = np.stack([np.asarray(r[m], dtype=float) for r in results])
        k = x.shape[1] // 2
        out[:, j, 0] = x.mean(axis=1)
        out[:, j, 1] = 0.5 * (x[:, :k].mean(axis=1) - x[:, -k:].mean(axis=1))
    return out


def _sensitivity_iv(scenario, method, n, metric, paths, seed, second_order, conf_level,
                    resamples, num_levels, backend, scheduler, out, resume,
                    chunk_scenarios):
    """Input validation and normalization for :func:`sensitivity`."""
    from ..metrics import TOTALS
    from ..scenario._load import as_scenario

    _need_salib()
    as_scenario(scenario, load=False)
    _validate.choice(method, "method", METHODS)
    n = _validate.integer(DEFAULT_N[method] if n is None else n, "n", minimum=2)
    if method == "sobol" and n & (n - 1):
        raise SimkitError(f"`n` must be a power of 2 for Sobol' indices (the balance "
                          f"of the Sobol' sequence), got {n}")
    if metric not in TOTALS:
        raise SimkitError(f"unknown metric `{metric}`; choose one of "
                          f"{', '.join(TOTALS)}")
    paths = _validate.integer(DEFAULT_PATHS if paths is None else paths, "paths",
                              minimum=2)
    seed = _validate.seed(seed)
    second_order = _validate.flag(second_order, "second_order")
    if second_order and method != "sobol":
        raise SimkitError("`second_order` needs method='sobol'")
    conf_level = _validate.confidence(conf_level, "conf_level", minimum=0.5)
    resamples = _validate.integer(resamples, "resamples", minimum=10)
    num_levels = _validate.integer(num_levels, "num_levels", minimum=2)
    if num_levels % 2:
        raise SimkitError(f"`num_levels` must be even (Morris' design is biased "
                          f"otherwise), got {num_levels}")
    _validate.choice(backend, "backend", ("cpu", "dask", "cuda"))
    if scheduler is not None and backend != "dask":
        raise SimkitError("`scheduler` needs backend='dask'")
    if resume and out is None:
        raise SimkitError("`resume` needs an output directory (`out`)")
    chunk = (max(1, CHUNK_PAIRS // paths) if chunk_scenarios is None
             else _validate.integer(chunk_scenarios, "chunk_scenarios"))
    return n, paths, seed, float(conf_level), resamples, num_levels, chunk


def sensitivity(scenario, *, method="sobol", n=None, metric="income_total", paths=None,
                seed=0, second_order=False, conf_level=0.95, resamples=200,
                num_levels=4, variant=None, backend="cpu", scheduler=None,
                threads=None, out=None, resume=False, chunk_scenarios=None,
                progress=None, on_chunk=None):
    r"""Sobol' indices (or Morris screening) of a metric over the uncertain inputs.

    Parameters
    ----------
    scenario : Scenario
        A scenario with uncertain inputs (keys given as distributions) or, if
        it has none, a ``[sweep]`` table whose ranges are the inputs.
    method : {"sobol", "morris"}
        Variance-based indices (first order ``S1``, total ``ST``) or Morris'
        ``mu*``/``sigma`` screening (cheaper, for many inputs).
    n : int, optional
        Base samples (Sobol', a power of 2; default 512) or trajectories
        (Morris; default 32). Sobol' runs ``n (D + 2)`` design points
        (``n (2 D + 2)`` with ``second_order``), Morris ``n (D + 1)``.
    metric : str
        The per-path total analysed (:data:`simkit.metrics.TOTALS`).
    paths : int, optional
        Paths averaged at each design point (default 16).
    seed : int
        Seeds the design, the bootstrap and the simulation; every point uses the
        same simulation seed (common random numbers). The same seed gives the
        same indices.
    second_order : bool
        Also estimate ``S2`` for every pair (Sobol' only).
    conf_level : float
        Level of the bootstrap intervals (``*_conf`` are their half-widths).
    resamples : int
        Bootstrap resamples.
    num_levels : int
        Grid levels of Morris' design (even).
    variant : str, optional
        Analyse this variant of the scenario.
    backend, scheduler, threads
        Where the kernels run, as in :func:`simkit.run_sweep`.
    out : str or Path, optional
        Checkpoint directory (``manifest.json`` and ``chunks/``), as for sweeps.
    resume : bool
        Load the finished chunks in ``out`` and simulate only the rest; the
        result equals an uninterrupted run's.
    chunk_scenarios : int, optional
        Design points per :func:`simkit.simulate_batch` call (default: about
        65,536 point-paths per chunk).
    progress : bool, optional
        Progress bar over design points (default: when stderr is a terminal).
    on_chunk : callable, optional
        ``on_chunk(index, n_chunks, loaded)`` after each chunk.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    SimkitError
        A bad argument; a scenario without inputs to analyse; a scenario with
        ``[correlations]`` (the indices assume independent inputs); an output
        that does not vary over the design.

    Warns
    -----
    LowPrecisionWarning
        When the noise share exceeds :data:`NOISE_WARN` (raise ``paths``).

    See Also
    --------
    simkit.tornado : one input at a time, at its P10 and P90.
    simkit.plotting.sobol : bar chart of S1 and ST with their intervals.

    Notes
    -----
    ``S1`` of input :math:`X_i` is :math:`\mathrm{Var}(E[Y|X_i]) / \mathrm{Var}(Y)`:
    the share of the variance of :math:`Y` that fixing :math:`X_i` alone would
    remove. ``ST`` is :math:`E[\mathrm{Var}(Y|X_{\sim i})] / \mathrm{Var}(Y)`: the
    share that remains unexplained while :math:`X_i` alone stays unknown — its
    effect alone and through every interaction. ``ST >= S1``; an input with
    ``ST`` near 0 can be fixed at any value of its range without changing the
    spread of :math:`Y`. Here :math:`Y` is the mean of ``metric`` over
    ``paths`` paths at the input values: the indices apportion the spread of
    the *expected* income between the inputs, not the path-to-path luck.

    Examples
    --------
    >>> import pytest
    >>> _ = pytest.importorskip("SALib")  # simkit[sensitivity]
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/micro.toml").with_overrides({
    ...     "money.creator_share": {"dist": "uniform", "min": 0.3, "max": 0.7},
    ...     "merch.margin": {"dist": "uniform", "min": 0.2, "max": 0.6}})
    >>> res = simkit.sensitivity(sc, n=16, paths=32, metric="income_gifts",
    ...                          seed=12345, progress=False)
    >>> res.keys
    ('money.creator_share', 'merch.margin')
    >>> [round(res[k]["ST"], 1) for k in res.keys]  # the margin moves merch income only
    [1.0, 0.0]
    """
    from .._version import __version__
    from .._checkpoint import Checkpoint, scenario_hash
    from .._sweep import _run_chunks

    n, paths, seed, conf_level, resamples, num_levels, chunk = _sensitivity_iv(
        scenario, method, n, metric, paths, seed, second_order, conf_level, resamples,
        num_levels, backend, scheduler, out, resume, chunk_scenarios)
    if variant is not None:
        scenario = scenario.variant(variant)
    keys, ppfs, desc = _space(scenario)
    meta = {"backend": backend, "chunk_scenarios": chunk, "simkit_version": __version__}
    started = time.perf_counter()

    def evaluate(x):
        scenarios = [scenario.with_overrides(
            {k: (int(v) if _field(k).kind == "int" else float(v))
             for k, v in zip(keys, row, strict=True)}) for row in x]
        manifest = {"format": _MANIFEST_FORMAT, "simkit_version": __version__,
                    "scenario": scenario.name,
                    "scenario_sha256": scenario_hash(scenario), "seed": seed,
                    "method": method, "n": n, "second_order": second_order,
                    "num_levels": num_levels, "paths": paths,
                    "chunk_scenarios": chunk, "n_points": len(x),
                    "keys": list(keys), "metric": metric}
        with contextlib.ExitStack() as stack:
            ck = None if out is None else stack.enter_context(Checkpoint(
                out, manifest, resume=resume, what="sensitivity analysis"))
            stats, n_chunks, n_loaded = _run_chunks(
                scenarios, x, paths=paths, seed=seed, chunk=chunk, backend=backend,
                scheduler=scheduler, threads=threads, checkpoint=ck, resume=resume,
                metrics=(metric,), progress=progress,
                label=f"{method} {scenario.name}", on_chunk=on_chunk,
                summarize=_point_stats, n_stats=2)
        meta.update(chunks=n_chunks, chunks_loaded=n_loaded)
        return stats[:, 0, 0], stats[:, 0, 1]

    indices, x, y, half = _drive(keys, ppfs, evaluate, method=method, n=n,
                                  second_order=second_order, num_levels=num_levels,
                                  conf_level=conf_level, resamples=resamples, seed=seed)
    var = float(np.var(y, ddof=1))
    share = float(np.var(half, ddof=1) / var)
    meta["elapsed_s"] = time.perf_counter() - started
    if share > NOISE_WARN:
        warnings.warn(f"{scenario.source}: the Monte Carlo noise of the point means is "
                      f"{share:.0%} of their variance: the indices are blurred "
                      f"(S1 low, ST high); raise `paths` (now {paths})",
                      LowPrecisionWarning, stacklevel=2)
    return SensitivityResult(
        method=method, scenario=scenario.name, metric=metric, keys=keys, inputs=desc,
        indices=indices, n=n, paths=paths, seed=seed, n_points=len(y),
        conf_level=conf_level, mean=float(np.mean(y)), variance=var,
        noise_share=share, metadata=meta)

