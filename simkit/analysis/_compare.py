"""Paired comparison of strategies on common random numbers.

:func:`paired` holds the statistics of one pair of samples (pure numpy);
:func:`compare` simulates every variant of a scenario under one seed, so path
``i`` of each variant sees the same viewer draws wherever the model allows,
and compares every pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from .. import metrics as _metrics
from .._present import (csv_text, html_table, json_text, json_value,
                        quantile_table, short_repr, table, text_out)
from ..errors import SimkitError
from .. import _validate
from .._quantiles import quantile_ci

__all__ = ["PairedComparison", "ComparisonResult", "paired", "dominance", "compare",
           "input_share", "DEFAULT_QUANTILES"]

#: Quantile levels shown side by side (fractions).
DEFAULT_QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


def _sample(x, name):
    """``x`` as a 1-d float array, or a SimkitError naming ``name``."""
    try:
        return np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError):
        raise SimkitError(f"`{name}` must be an array of numbers, got "
                          f"{type(x).__name__}") from None


def _dominance_iv(a, b):
    """Input validation for :func:`dominance`: two samples of equal size."""
    a, b = _sample(a, "a"), _sample(b, "b")
    if a.shape != b.shape:
        raise SimkitError("dominance needs samples of equal size")
    return a, b


def dominance(a, b):
    """First-order stochastic dominance between two equal-size samples.

    Parameters
    ----------
    a, b : array_like
        Samples of the same size.

    Returns
    -------
    str
        ``"a"`` if the empirical CDF of ``a`` lies on or below that of ``b``
        everywhere and strictly below somewhere (``a`` dominates), ``"b"`` for
        the reverse, ``"equal"`` if the two samples are equal as multisets,
        ``"none"`` if the CDFs cross.

    Notes
    -----
    For samples of equal size ``n``, ``F_a(t) <= F_b(t)`` for every ``t`` is
    equivalent to ``a_(k) >= b_(k)`` for every order statistic ``k``.

    Examples
    --------
    >>> dominance([3, 1, 2], [0, 2, 1])
    'a'
    >>> dominance([1, 2], [2, 1])
    'equal'
    >>> dominance([0, 3], [1, 2])
    'none'
    """
    a, b = _dominance_iv(a, b)
    sa, sb = np.sort(a), np.sort(b)
    ge, le = bool(np.all(sa >= sb)), bool(np.all(sa <= sb))
    if ge and le:
        return "equal"
    if ge:
        return "a"
    if le:
        return "b"
    return "none"


def _design(columns):
    """Standardized linear and squared terms of each input (a key -> columns map)."""
    blocks = {}
    for k, x in columns.items():
        x = np.asarray(x, dtype=float)
        sd = x.std()
        if not sd > 0:
            continue
        z = (x - x.mean()) / sd
        q = z * z
        q = q - q.mean()
        blocks[k] = [z] + ([q / q.std()] if q.std() > 1e-9 * max(1.0, q.std()) and
                           np.unique(x).size > 2 else [])
    return blocks


def _r2(d, cols):
    """Adjusted R^2 of the least-squares fit of ``d`` on ``cols`` (with intercept)."""
    n, p = d.size, len(cols)
    if p == 0 or n <= p + 1:
        return 0.0
    x = np.column_stack([np.ones(n), *cols])
    coef, *_ = np.linalg.lstsq(x, d, rcond=None)
    resid = d - x @ coef
    sst = float(((d - d.mean()) ** 2).sum())
    if sst == 0.0:
        return 0.0
    r2 = 1.0 - float(resid @ resid) / sst
    return 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1)


def _input_share_iv(d, inputs):
    """Input validation for :func:`input_share`: the sample and the inputs."""
    d = _sample(d, "d")
    if inputs is not None and not isinstance(inputs, dict):
        raise SimkitError(f"`inputs` must be a dict of dotted key -> values per path, "
                          f"got {type(inputs).__name__}")
    return d, inputs or {}


def input_share(d, inputs):
    r"""Share of the variance of ``d`` explained by uncertain inputs (a lower bound).

    Parameters
    ----------
    d : array_like
        One value per path (e.g. the paired difference of two strategies).
    inputs : dict[str, array_like]
        Dotted key -> the value each path drew of that input.

    Returns
    -------
    (float, tuple of str)
        The adjusted :math:`R^2` of a least-squares regression of ``d`` on
        each input and its square (standardized), clipped to ``[0, 1]``, and
        the keys that contribute, largest first (by how much the :math:`R^2`
        drops without the key's terms; keys that add under 1% are left out).
        ``(nan, ())`` without inputs.

    Notes
    -----
    The share of the variance due to the inputs is
    :math:`\mathrm{Var}(E[d \mid 	heta]) / \mathrm{Var}(d)` (the first-order
    plus interaction Sobol index of the inputs as a group). A regression on
    functions of :math:`	heta` captures part of :math:`E[d \mid 	heta]`, so
    its :math:`R^2` is a lower bound on that share (up to sampling error);
    it is close when the difference depends smoothly on each input.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(12345)
    >>> g, r = rng.normal(size=5000), rng.normal(size=5000)
    >>> share, keys = input_share(3 * g + rng.normal(size=5000),
    ...                           {"habit.max_gain": g, "audience.join_rate": r})
    >>> round(share, 1), keys
    (0.9, ('habit.max_gain',))
    """
    d, inputs = _input_share_iv(d, inputs)
    blocks = _design(inputs)
    if not blocks:
        return float("nan"), ()
    full = _r2(d, [c for b in blocks.values() for c in b])
    drops = {}
    for k in blocks:
        rest = [c for kk, b in blocks.items() if kk != k for c in b]
        drops[k] = full - _r2(d, rest)
    keys = tuple(k for k in sorted(drops, key=lambda k: -drops[k]) if drops[k] >= 0.01)
    return float(min(1.0, max(0.0, full))), keys


def _merge_inputs(ia, ib):
    """One column per distinct input array of two variants (shared draws once)."""
    out = dict(ia or {})
    for k, x in (ib or {}).items():
        if k in out and not np.array_equal(out[k], x):
            out[f"{k} (b)"] = x
        elif k not in out:
            out[k] = x
    return out


@dataclass(frozen=True)
class PairedComparison:
    """Paired statistics of variant ``a`` against variant ``b``.

    Attributes
    ----------
    a, b : str
        Variant names.
    metric : str
        Metric compared.
    n : int
        Number of paired paths.
    mean_a, mean_b, se_a, se_b : float
        Means of each variant and their standard errors.
    diff : float
        Mean paired difference ``mean(x_a - x_b)``.
    diff_se : float
        Its standard error ``std(d, ddof=1) / sqrt(n)``.
    ci_lo, ci_hi : float
        Normal confidence interval of the mean difference.
    confidence : float
        Its level.
    se_independent : float
        Standard error the difference would have had with independent seeds
        at the same path count, ``sqrt(var_a/n + var_b/n)``.
    p_a_better, p_b_better, p_tie : float
        Fractions of paths where ``x_a > x_b``, ``x_a < x_b``, ``x_a == x_b``.
    p_a_better_se, p_b_better_se, p_tie_se : float
        Their binomial standard errors ``sqrt(p (1 - p) / n)``.
    quantile_levels : tuple of float
        Levels (fractions) of ``quantiles_a`` and ``quantiles_b``.
    quantiles_a, quantiles_b : tuple of float
        Sample quantiles of each variant.
    dominance : str
        ``"a"``, ``"b"``, ``"equal"`` or ``"none"``; see :func:`dominance`.
    quantiles_a_lo, quantiles_a_hi, quantiles_b_lo, quantiles_b_hi : tuple of float
        Order-statistic confidence intervals (level ``confidence``) of the
        quantiles; ``-inf``/``inf`` where the path count cannot bound them.
    input_share : float or None
        Share of the variance of the paired difference explained by the
        uncertain inputs the paths drew (:func:`input_share`, a lower bound);
        None when the variants have no uncertain input.
    input_keys : tuple of str
        The inputs that explain it, largest share first.
    """

    a: str
    b: str
    metric: str
    n: int
    mean_a: float
    mean_b: float
    se_a: float
    se_b: float
    diff: float
    diff_se: float
    ci_lo: float
    ci_hi: float
    confidence: float
    se_independent: float
    p_a_better: float
    p_b_better: float
    p_tie: float
    p_a_better_se: float
    p_b_better_se: float
    p_tie_se: float
    quantile_levels: tuple
    quantiles_a: tuple
    quantiles_b: tuple
    dominance: str
    quantiles_a_lo: tuple = ()
    quantiles_a_hi: tuple = ()
    quantiles_b_lo: tuple = ()
    quantiles_b_hi: tuple = ()
    input_share: float | None = None
    input_keys: tuple = ()

    def input_line(self):
        """One plain line on how much of the difference's spread the inputs explain.

        Empty when the variants have no uncertain input.

        Examples
        --------
        >>> import numpy as np
        >>> g = np.linspace(0, 1, 400)
        >>> p = paired(g * 10 + 1, np.ones(400), "a", "b",
        ...            inputs={"habit.max_gain": g})
        >>> print(p.input_line())  # doctest: +NORMALIZE_WHITESPACE
        About 100% of the spread of the difference comes from inputs nobody knows
        exactly (habit gain)
        """
        if self.input_share is None:
            return ""
        from .. import _words

        keys = _words.param_names(self.input_keys) or "none of them stands out"
        return (f"About {self.input_share:.0%} of the spread of the difference comes "
                f"from inputs nobody knows exactly ({keys})")

    def plain_verdict(self):
        """The verdict in plain words (the printed form of :meth:`verdict`).

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(100.0)
        >>> print(paired(x + 1.0, x, "fast", "slow",
        ...              metric="income_total").plain_verdict())
        ... # doctest: +NORMALIZE_WHITESPACE
        Verdict: fast earns more: $1.00 more on average (95% sure: $1.00 to $1.00),
        more in all 100 runs, and at every level (its low, typical and high figures
        are all higher).
        """
        from .. import _words
        from .._text import fmt_at

        u = _metrics.UNITS.get(self.metric, "")
        what = "" if u == "USD" or not self.metric else \
            f" {_words.metric_name(self.metric)}"
        pct = f"{self.confidence:.0%}"
        if not self.significant:
            s = (f"no clear difference between {self.a} and {self.b}: the {pct} "
                 "range of the difference includes 0")
        else:
            up = self.diff > 0
            win, lose = (self.a, self.b) if up else (self.b, self.a)
            p = self.p_a_better if up else self.p_b_better
            lo, hi = (self.ci_lo, self.ci_hi) if up else (-self.ci_hi, -self.ci_lo)
            k = self.n - round(p * self.n)
            runs = (f"all {self.n:,} runs" if k == 0 else
                    f"all but {k:,} of {self.n:,} runs" if k <= 10 else
                    f"{p:.0%} of runs")
            e = self.diff_se
            verb = "earns" if u == "USD" else "gets"
            s = (f"{win} {verb} more: {fmt_at(abs(self.diff), e, u)}{what} more on "
                 f"average ({pct} sure: {fmt_at(lo, e, u)} to {fmt_at(hi, e, u)}), "
                 f"more in {runs}")
            if self.dominance in ("a", "b"):
                s += (", and at every level (its low, typical and high figures are "
                      "all higher)")
            elif self.dominance == "none":
                s += f", though not at every level ({lose} sometimes does better)"
        return f"Verdict: {s}."

    @property
    def crn_se_ratio(self):
        """``se_independent / diff_se``: how much common random numbers shrink the s.e.

        Its square is the factor by which independent seeds would need more paths
        for the same precision. ``inf`` when the paired difference has no spread.
        """
        if self.diff_se == 0.0:
            return float("inf") if self.se_independent > 0 else float("nan")
        return self.se_independent / self.diff_se

    @property
    def significant(self):
        """True when the confidence interval of the difference excludes 0."""
        return bool(self.ci_lo > 0.0 or self.ci_hi < 0.0)

    def verdict(self):
        """One line stating which variant wins, how surely, and whether it dominates.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(100.0)
        >>> paired(x + 1.0, x, "fast", "slow").verdict()  # doctest: +ELLIPSIS
        'fast beats slow: 1 higher on average (95% CI 1 to 1), better on all 100 ...'
        """
        from .._text import fmt_at

        pct = f"{self.confidence:.0%}"
        u = _metrics.UNITS.get(self.metric, "")
        err = self.diff_se
        if not self.significant:
            head = (f"no significant difference between {self.a} and {self.b} "
                    f"({pct} CI of the difference includes 0)")
        else:
            up = self.diff > 0
            win, lose = (self.a, self.b) if up else (self.b, self.a)
            p, pse = ((self.p_a_better, self.p_a_better_se) if up
                      else (self.p_b_better, self.p_b_better_se))
            lo, hi = (self.ci_lo, self.ci_hi) if up else (-self.ci_hi, -self.ci_lo)
            if p == 1.0:  # rule of three: one-sided 95% bound with no failure seen
                share = (f"better on all {self.n:,} paths (P > "
                         f"{max(0.0, 1.0 - 3.0 / self.n):.4f} at 95%)")
            elif round(p * self.n) >= self.n - 10:  # a few losses: count them
                k = self.n - round(p * self.n)
                share = f"better on all but {k:,} of {self.n:,} paths"
            else:
                share = f"better on {p:.1%} ± {pse:.1%} of paths"
            head = (f"{win} beats {lose}: {fmt_at(abs(self.diff), err, u)} higher "
                    f"on average ({pct} CI {fmt_at(lo, err, u)} to "
                    f"{fmt_at(hi, err, u)}), {share}")
        dom = {"a": f"{self.a} first-order stochastically dominates {self.b} "
                    "on the sample",
               "b": f"{self.b} first-order stochastically dominates {self.a} "
                    "on the sample",
               "equal": "the two samples have the same distribution",
               "none": "neither dominates (the empirical CDFs cross)"}[self.dominance]
        return f"{head}; {dom}"

    def to_dict(self):
        """Return a JSON-ready dict (includes ``crn_se_ratio``).

        Non-finite values (an unbounded quantile interval, the CRN ratio of a
        difference without spread) become ``None``.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(10.0)
        >>> d = paired(x + 1.0, x, "fast", "slow").to_dict()
        >>> d["diff"], d["dominance"], d["significant"], d["crn_se_ratio"]
        (1.0, 'a', True, None)
        """
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(crn_se_ratio=self.crn_se_ratio, significant=self.significant,
                 verdict=self.verdict())
        return json_value(d)


def _paired_iv(xa, xb, confidence, quantiles):
    """Input validation for :func:`paired`: ``(xa, xb, confidence, levels)``."""
    confidence = _validate.confidence(confidence)
    levels = tuple(float(v) for v in _validate.levels(quantiles, "quantiles"))
    xa, xb = _sample(xa, "xa"), _sample(xb, "xb")
    if xa.shape != xb.shape:
        raise SimkitError(f"paired samples must have the same size, got {xa.size} "
                          f"and {xb.size}")
    if xa.size < 2:
        raise SimkitError(f"a paired comparison needs at least 2 paths, got {xa.size}")
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(xb))):
        raise SimkitError("paired samples must be finite")
    return xa, xb, confidence, levels


def paired(xa, xb, a="a", b="b", *, metric="", confidence=0.95,
           quantiles=DEFAULT_QUANTILES, inputs=None):
    """Paired statistics of two samples simulated on the same paths.

    Parameters
    ----------
    xa, xb : array_like
        Values of the metric for variant ``a`` and ``b`` on the same paths
        (element ``i`` of both comes from path ``i``).
    a, b : str
        Names of the variants.
    metric : str
        Name of the metric (for labels only).
    confidence : float
        Level of the normal interval of the mean difference.
    quantiles : sequence of float
        Quantile levels (fractions) reported side by side.
    inputs : dict[str, array_like], optional
        Uncertain inputs drawn on the same paths (key -> one value per path):
        fills ``input_share`` and ``input_keys`` (:func:`input_share`).

    Returns
    -------
    PairedComparison

    Raises
    ------
    SimkitError
        If the samples differ in size, have fewer than 2 paths or are not finite.

    See Also
    --------
    compare : simulate the variants on common random numbers and pair them.
    dominance : the dominance check used here.

    Notes
    -----
    With ``d_i = x_{a,i} - x_{b,i}``: ``diff = mean(d)``,
    ``diff_se = std(d, ddof=1) / sqrt(n)``, CI ``diff ± z diff_se`` with ``z``
    the normal ``(1 + confidence) / 2`` quantile. ``P(a > b)`` is the fraction
    of paths with ``d_i > 0``, with binomial standard error. ``se_independent
    = sqrt(var(x_a)/n + var(x_b)/n)`` is what ``diff_se`` would be with
    independent draws; ``diff_se^2 = se_independent^2 - 2 cov(x_a, x_b)/n``,
    so positively correlated (common random number) samples give a smaller one.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(12345)
    >>> base = rng.gamma(2.0, 50.0, size=4000)
    >>> r = paired(base * 1.1, base, "better", "base")
    >>> r.dominance, r.p_a_better
    ('a', 1.0)
    >>> bool(r.crn_se_ratio > 5)
    True
    """
    xa, xb, confidence, levels = _paired_iv(xa, xb, confidence, quantiles)
    n = xa.size
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2.0))
    d = xa - xb
    diff = float(d.mean())
    diff_se = float(d.std(ddof=1) / np.sqrt(n))
    va, vb = float(xa.var(ddof=1)), float(xb.var(ddof=1))
    se_ind = float(np.sqrt(va / n + vb / n))
    pa, pb = float(np.mean(d > 0)), float(np.mean(d < 0))
    pt = float(np.mean(d == 0))
    bse = lambda p: float(np.sqrt(p * (1.0 - p) / n))  # noqa: E731
    ea = quantile_ci(xa, levels, confidence=confidence)
    eb = quantile_ci(xb, levels, confidence=confidence)
    tup = lambda a: tuple(float(v) for v in a)  # noqa: E731
    share, keys = input_share(d, inputs) if inputs else (None, ())
    if share is not None and not np.isfinite(share):  # inputs that do not vary
        share, keys = None, ()
    return PairedComparison(
        a, b, metric, n, float(xa.mean()), float(xb.mean()), float(np.sqrt(va / n)),
        float(np.sqrt(vb / n)), diff, diff_se, diff - z * diff_se, diff + z * diff_se,
        confidence, se_ind, pa, pb, pt, bse(pa), bse(pb), bse(pt), levels,
        tup(ea.value), tup(eb.value), dominance(xa, xb), tup(ea.lo), tup(ea.hi),
        tup(eb.lo), tup(eb.hi), share, keys)


def _precision_plain(pr, unit):
    """The plain sentence of a precision run's metadata dict."""
    from .._text import wrap
    from .._words import about

    goal = (f"±{pr['rel'] * 100:g}%" if pr.get("rel") is not None
            else f"±{about(pr['abs'], unit)}")
    state = "until" if pr.get("converged") else "up to the limit, but not until"
    return wrap(f"Simulated {pr['paths']:,} runs ({pr['batches']} batches of "
                f"{pr['batch']:,}) {state} {pr['statistic']} was known to {goal} "
                f"(95% confidence): it is known to ±{about(pr['half_width'], unit)}.")


@dataclass(frozen=True)
class ComparisonResult:
    """Every pairwise comparison of a set of variants on common random numbers.

    Attributes
    ----------
    scenario : str
        Scenario name.
    metric : str
        Metric compared.
    variants : tuple of str
        Variant names, in the order simulated.
    pairs : tuple of PairedComparison
        One per unordered pair ``(variants[i], variants[j])``, ``i < j``.
    paths : int
        Paths per variant (the same paths for all).
    seed : int
        Seed shared by all variants.
    metadata : dict
        Scenario source, simkit version, precision run details: enough to
        reproduce the comparison.
    results : dict or None
        Variant name -> its :class:`~simkit.SimulationResult`, with
        ``compare(..., keep=True)``; None otherwise (not part of
        :meth:`to_dict`).
    """

    scenario: str
    metric: str
    variants: tuple
    pairs: tuple
    paths: int
    seed: int
    metadata: dict = field(default_factory=dict)
    results: dict | None = field(default=None, repr=False, compare=False)

    def pair(self, a, b):
        """Return the comparison of ``a`` against ``b`` (swapping if needed).

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(10.0)
        >>> res = ComparisonResult("s", "m", ("p", "q"), (paired(x, x, "p", "q"),),
        ...                        10, 0)
        >>> res.pair("q", "p").a
        'q'
        """
        for p in self.pairs:
            if (p.a, p.b) == (a, b):
                return p
            if (p.a, p.b) == (b, a):
                return _swap(p)
        raise SimkitError(f"no comparison of {a!r} with {b!r}; variants are "
                          f"{', '.join(self.variants)}")

    def to_dict(self):
        """Return a JSON-ready dict: options, metadata and every pair.

        Examples
        --------
        >>> import json
        >>> res = compare("scenarios/consistent_vs_adhoc.toml", paths=40,
        ...               seed=12345, progress=False)
        >>> d = json.loads(json.dumps(res.to_dict()))
        >>> d["variants"], d["paths"], d["seed"], d["unit"]
        (['consistent', 'ad_hoc'], 40, 12345, 'USD')
        >>> [(p["a"], p["b"]) for p in d["pairs"]]
        [('consistent', 'ad_hoc')]
        """
        return {"scenario": self.scenario, "metric": self.metric,
                "unit": _metrics.UNITS.get(self.metric, ""),
                "variants": list(self.variants), "paths": self.paths,
                "seed": self.seed, "metadata": self.metadata,
                "pairs": [p.to_dict() for p in self.pairs]}

    def csv_tables(self):
        """Return ``{"pairs": (head, rows), "quantiles": (head, rows)}`` for CSV.

        ``pairs`` has one row per pair, ``quantiles`` one row per variant
        (mean, s.e., quantiles and their interval ends).

        Examples
        --------
        >>> res = compare("scenarios/consistent_vs_adhoc.toml", paths=40,
        ...               seed=12345, progress=False)
        >>> head, rows = res.csv_tables()["quantiles"]
        >>> head[:6], [r[0] for r in rows]
        (['variant', 'mean', 'se', 'p05', 'p25', 'p50'], ['consistent', 'ad_hoc'])
        >>> head, rows = res.csv_tables()["pairs"]
        >>> rows[0][:2], head.index("diff") < head.index("dominance")
        (['consistent', 'ad_hoc'], True)
        """
        keys = ["a", "b", "n", "mean_a", "se_a", "mean_b", "se_b", "diff", "diff_se",
                "ci_lo", "ci_hi", "se_independent", "crn_se_ratio", "p_a_better",
                "p_a_better_se", "p_b_better", "p_b_better_se", "p_tie", "p_tie_se",
                "dominance", "input_share", "input_keys"]
        rows = []
        for p in self.pairs:
            d = p.to_dict()
            d["input_keys"] = ";".join(d["input_keys"])
            rows.append([d[k] for k in keys])
        names = [f"p{round(q * 100):02d}" for q in self._levels()]
        qhead = ["variant", "mean", "se", *names]
        qhead += [f"{n}_{e}" for n in names for e in ("lo", "hi")]
        qrows = [[v, m, s, *qs, *(b for pair in zip(lo, hi) for b in pair)]
                 for v, (m, s, qs, lo, hi) in self._per_variant().items()]
        return {"pairs": (keys, rows), "quantiles": (qhead, qrows)}

    def _levels(self):
        return self.pairs[0].quantile_levels if self.pairs else ()

    def _per_variant(self):
        out = {}
        for p in self.pairs:
            out.setdefault(p.a, (p.mean_a, p.se_a, p.quantiles_a, p.quantiles_a_lo,
                                 p.quantiles_a_hi))
            out.setdefault(p.b, (p.mean_b, p.se_b, p.quantiles_b, p.quantiles_b_lo,
                                 p.quantiles_b_hi))
        return {v: out[v] for v in self.variants if v in out}

    def __str__(self):
        return self.render()

    def _period(self):
        from .. import _words

        m = self.metadata
        return _words.period_phrase(
            None if m.get("horizon_days") is None else m["horizon_days"] / 7.0,
            m.get("streams"))

    def headline(self):
        """The plain sentence that opens the printed comparison.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(100.0) * 10
        >>> res = ComparisonResult("s", "income_total", ("p", "q"),
        ...                        (paired(x + 50, x, "p", "q"),), 100, 0,
        ...                        {"horizon_days": 28, "streams": 12})
        >>> print(res.headline())
        Over 4 weeks (12 LIVEs) p typically earns about $545 and q about $495; p earns
        about $50 more on average and more in all 100 runs.
        """
        from .. import _words
        from .._text import wrap

        u = _metrics.UNITS.get(self.metric, "")
        per = self._per_variant()
        period = self._period()
        start = period[0].upper() + period[1:] + " " if period else ""
        figs = [(v, _words.about(qs[self._levels().index(0.5)], u))
                for v, (_, _, qs, _, _) in per.items()] if 0.5 in self._levels() else []
        if not figs:
            return ""
        what = "" if u == "USD" else f" {_words.metric_name(self.metric)}"
        verb = "typically earns" if u == "USD" else "typically gets"
        first = f"{start}{figs[0][0]} {verb} about {figs[0][1]}{what}"
        others = [f"{v} about {f}" for v, f in figs[1:]]
        s = first + (" and " + others[0] if len(others) == 1 else
                     ", " + ", ".join(others[:-1]) + " and " + others[-1])
        if len(self.pairs) == 1:
            p = self.pairs[0]
            if not p.significant:
                s += f"; the {p.confidence:.0%} range of the difference includes 0"
            else:
                up = p.diff > 0
                win, lose = (p.a, p.b) if up else (p.b, p.a)
                share = p.p_a_better if up else p.p_b_better
                k = p.n - round(share * p.n)
                runs = (f"all {p.n:,} runs" if k == 0
                        else f"all but {k:,} of {p.n:,} runs" if k <= 10
                        else f"{share:.0%} of runs")
                s += (f"; {win} {'earns' if u == 'USD' else 'gets'} "
                      f"about {_words.about(abs(p.diff), u)}{what} more on average "
                      f"and more in {runs}")
        return wrap(s + ".")

    def render(self, *, details=False, wide=False):
        """The comparison as text: plain by default, every statistic with ``details``.

        Parameters
        ----------
        details : bool
            Means with standard errors, quantiles with their order-statistic
            intervals, P(a>b), P(a<b), P(tie), the standard error with
            independent seeds and the CRN ratio, each explained in one line.
        wide : bool
            Keep every column, even past 80 characters.

        Returns
        -------
        str

        Examples
        --------
        >>> import numpy as np
        >>> x = np.arange(100.0) * 10
        >>> res = ComparisonResult("s", "income_total", ("p", "q"),
        ...                        (paired(x + 50, x, "p", "q"),), 100, 0)
        >>> print(res.render().splitlines()[0])
        s — total income by variant, 100 runs each (seed 0), same luck
        >>> "CRN ratio" in res.render(details=True)
        True
        """
        from .. import _words
        from .._text import fmt_at, runs_share, value_pm, wrap

        u = _metrics.UNITS.get(self.metric, "")
        name = _words.metric_name(self.metric)
        conf = self.pairs[0].confidence if self.pairs else 0.95
        if details:
            lines = [f"{self.scenario}: {self.metric} by variant — {self.paths:,} "
                     f"paths each, seed {self.seed}, common random numbers"]
        else:
            lines = [wrap(f"{self.scenario} — {name} by variant, {self.paths:,} "
                          f"runs each (seed {self.seed}), same luck")]
            head = self.headline()
            if head:
                lines.append(head)
        if self.metadata.get("precision"):
            pr = self.metadata["precision"]
            lines.append(f"precision: {pr['description']}" if details else
                         _precision_plain(pr, u))
        rows = [(v, u, m, s, qs, [max(x - a, b - x) for x, a, b in zip(qs, lo, hi)])
                for v, (m, s, qs, lo, hi) in self._per_variant().items()]
        period = self._period() or "over the horizon"
        tab, dropped = quantile_table("variant" if details else period, rows,
                                      self._levels(), details=details, wide=wide)
        lines += [""] + tab
        if details:
            lines.append(f"mean ± s.e.: average over paths and its standard error; "
                         f"quantiles ± the larger half of their {conf:.0%} "
                         "order-statistic interval")
            head = ["a − b", "mean diff ± s.e.", f"{conf:.0%} CI", "P(a>b)", "P(a<b)",
                    "P(tie)", "s.e. indep.", "CRN ratio", "dominates"]
            rows = []
            for p in self.pairs:
                r = p.crn_se_ratio
                dom = {"a": p.a, "b": p.b, "equal": "equal",
                       "none": "neither"}[p.dominance]
                rows.append([f"{p.a} − {p.b}", value_pm(p.diff, p.diff_se, u),
                             f"[{fmt_at(p.ci_lo, p.diff_se, u)}, "
                             f"{fmt_at(p.ci_hi, p.diff_se, u)}]",
                             value_pm(p.p_a_better, p.p_a_better_se),
                             value_pm(p.p_b_better, p.p_b_better_se),
                             value_pm(p.p_tie, p.p_tie_se),
                             fmt_at(p.se_independent, p.diff_se / 10, u),
                             f"{r:.1f}×" if np.isfinite(r) else "—", dom])
            tab, _ = table(head, rows, wide=True)
            lines += [""] + tab
            lines.append("P(a>b), P(a<b), P(tie): share of paths where a is higher, "
                         "lower, equal (± binomial s.e.)")
            lines.append("CRN ratio = s.e. with independent seeds / paired s.e. "
                         "(same path count); dominates: first-order stochastic "
                         "dominance on the sample")
            lines += [""] + [f"verdict: {p.verdict()}" for p in self.pairs]
        else:
            lines.append("low/high: 1 run in 20 ends below/above; ± is the "
                         "simulation's own error")
            if dropped:
                lines.append(f"({', '.join(dropped)} left out to fit 80 columns: "
                             "--wide shows them)")
            head = ["difference", "average ± error", f"{conf:.0%} sure within",
                    "a higher", "b higher"]
            rows = [[f"{p.a} − {p.b}", value_pm(p.diff, p.diff_se, u),
                     f"{fmt_at(p.ci_lo, p.diff_se, u)} to "
                     f"{fmt_at(p.ci_hi, p.diff_se, u)}",
                     runs_share(p.p_a_better, p.n), runs_share(p.p_b_better, p.n)]
                    for p in self.pairs]
            tab, _ = table(head, rows, optional=[4, 3], wide=wide)
            lines += [""] + tab
            lines.append("a higher / b higher: share of runs where the first / "
                         "second is higher")
            lines += [""] + [wrap(p.plain_verdict()) for p in self.pairs]
            r = self.pairs[0].crn_se_ratio if len(self.pairs) == 1 else float("nan")
            if np.isfinite(r) and r > 1:
                lines.append(wrap(
                    "Each run gives every variant the same viewers (common random "
                    f"numbers), so the difference is {r:.1f} times more precise "
                    "than from separate simulations."))
        inputs = [p for p in self.pairs if p.input_line()]
        if inputs:
            lines.append("")
            lines += [wrap((f"{p.a} − {p.b}: " if len(self.pairs) > 1 else "")
                           + p.input_line()) for p in inputs]
            lines.append(wrap(
                "(each run draws its own values of the inputs nobody knows exactly; "
                "share = R² of the difference on them, a lower bound)"))
        return "\n".join(lines)

    def __repr__(self):
        return short_repr("ComparisonResult",
                           f"{self.scenario}: {self.metric}, "
                           f"{', '.join(self.variants)} — {self.paths:,} paths, "
                           f"seed {self.seed}", self.headline())

    def _repr_html_(self):
        from .. import _words
        from .._text import fmt_at, value_pm

        u = _metrics.UNITS.get(self.metric, "")
        lv = list(self._levels())
        idx = [lv.index(q) for q in (0.05, 0.5, 0.95) if q in lv]
        rows = [[v, value_pm(m, s, u),
                 *(fmt_at(qs[i], max(qs[i] - lo[i], hi[i] - qs[i]), u) for i in idx)]
                for v, (m, s, qs, lo, hi) in self._per_variant().items()]
        head = ["variant", "average ± error",
                *(("low (P5)", "typical (P50)", "high (P95)")[k] for k, q in
                  enumerate((0.05, 0.5, 0.95)) if q in lv)]
        return html_table(f"{self.scenario}: {_words.metric_name(self.metric)} by "
                           "variant", head, rows, self.headline())

    def to_json(self, path=None):
        """Write :meth:`to_dict` as JSON to ``path`` atomically, or return the text.

        Examples
        --------
        >>> import json
        >>> import numpy as np
        >>> x = np.arange(10.0)
        >>> res = ComparisonResult("s", "gifts", ("p", "q"),
        ...                        (paired(x + 1, x, "p", "q"),), 10, 0)
        >>> json.loads(res.to_json())["pairs"][0]["diff"]
        1.0
        """
        return text_out(json_text(self.to_dict()), path)

    def to_csv(self, directory, stem="compare", *, table=None):
        """Write ``<stem>_pairs.csv`` and ``<stem>_quantiles.csv`` into ``directory``.

        Parameters
        ----------
        directory : str or Path
            Where to write (created if missing). With ``table``: the file to
            write that one table to, or None to return its CSV text.
        stem : str
            Prefix of the file names.
        table : {"pairs", "quantiles"}, optional
            Only this table (:meth:`csv_tables`), so that a caller can write it
            as one file of a set (``simkit compare --out``: all or none).

        Returns
        -------
        list of Path, or str or None with ``table``
            The files written (atomically); with ``table``, the text when
            ``directory`` is None.

        Examples
        --------
        >>> import tempfile
        >>> res = compare("scenarios/consistent_vs_adhoc.toml", paths=40,
        ...               seed=12345, progress=False)
        >>> files = res.to_csv(tempfile.mkdtemp())
        >>> [f.name for f in files]
        ['compare_pairs.csv', 'compare_quantiles.csv']
        >>> files[1].read_text().splitlines()[0].startswith("variant,mean,se,p05")
        True
        >>> res.to_csv(None, table="quantiles") == files[1].read_text()
        True
        """
        from pathlib import Path

        tables = self.csv_tables()
        if table is not None:
            if table not in tables:
                raise SimkitError(f"`table` must be one of {', '.join(tables)}, got "
                                  f"{table!r}")
            return text_out(csv_text(*tables[table]), directory)
        out = []
        for name, (head, rows) in tables.items():
            path = Path(directory) / f"{stem}_{name}.csv"
            text_out(csv_text(head, rows), path)
            out.append(path)
        return out

def _swap(p):
    return PairedComparison(
        p.b, p.a, p.metric, p.n, p.mean_b, p.mean_a, p.se_b, p.se_a, -p.diff,
        p.diff_se, -p.ci_hi, -p.ci_lo, p.confidence, p.se_independent, p.p_b_better,
        p.p_a_better, p.p_tie, p.p_b_better_se, p.p_a_better_se, p.p_tie_se,
        p.quantile_levels, p.quantiles_b, p.quantiles_a,
        {"a": "b", "b": "a"}.get(p.dominance, p.dominance), p.quantiles_b_lo,
        p.quantiles_b_hi, p.quantiles_a_lo, p.quantiles_a_hi, p.input_share,
        p.input_keys)


def compare(scenario, variants=None, *, paths=10_000, seed=0,
            metric="income_total", confidence=0.95, quantiles=DEFAULT_QUANTILES,
            precision=None, precision_abs=None, batch=None, max_paths=None,
            threads=None, backend="cpu", progress=None, scheduler=None, keep=False):
    """Compare variants of a scenario on common random numbers.

    Parameters
    ----------
    scenario : Scenario or str or Path
        A scenario or the path of a scenario file.
    variants : sequence of str, optional
        Variant names (at least two; ``"base"`` means the scenario without a
        variant unless the scenario defines a variant of that name). Default:
        every variant the scenario defines, or ``"base"`` plus its single
        variant.
    paths : int
        Paths per variant (the same path indices, hence the same random
        numbers, for every variant). With a precision target this is the
        batch size unless ``batch`` is given.
    seed : int
        Seed shared by every variant.
    metric : str
        A per-path total (:data:`simkit.metrics.TOTALS`).
    confidence : float
        Level of the interval of each mean difference.
    quantiles : sequence of float
        Quantile levels (fractions) shown side by side.
    precision : float, optional
        Relative target: add batches of paths until the half-width of the
        ``95%`` interval of every pair's mean difference is at most
        ``precision * |mean difference|``.
    precision_abs : float, optional
        Absolute target for the same half-width (in the metric's unit).
    batch : int, optional
        Paths per batch in a precision run (default ``paths``).
    max_paths : int, optional
        Upper limit of a precision run (default ``100 * batch``).
    threads, backend, progress
        Passed to :func:`simkit.simulate`.
    scheduler : None, str or distributed.Client
        Dask scheduler address or client (``backend="dask"`` only), as in
        :func:`simkit.simulate`. One client serves every variant and batch:
        with ``None`` a single local cluster is started for the whole
        comparison. The numbers are those of the in-process backend.
    keep : bool
        Keep each variant's :class:`~simkit.SimulationResult` in the result's
        ``results`` (for figures drawn from the same runs, as the report
        does); not with a precision target.

    Returns
    -------
    ComparisonResult
        ``str()`` is a table with the verdict; ``to_dict()`` is JSON-ready.

    Raises
    ------
    SimkitError
        On fewer than two variants, an unknown variant or metric, or bad
        options.

    See Also
    --------
    paired : the statistics of one pair.
    simkit.quote, simkit.bands

    Notes
    -----
    All variants are simulated with the same ``seed`` and path indices, so the
    simulator's common random numbers make path ``i`` of each variant differ
    only through the strategy: the paired difference has a much smaller
    standard error than independent runs would give (reported as the "CRN
    ratio"). See ``docs/analysis.md``.

    Examples
    --------
    >>> from simkit.analysis import compare
    >>> res = compare("scenarios/consistent_vs_adhoc.toml", paths=300, seed=12345,
    ...               progress=False)
    >>> p = res.pair("consistent", "ad_hoc")
    >>> p.significant, p.diff > 0, p.dominance
    (True, True, 'a')
    >>> print(res)  # doctest: +SKIP
    """
    from .. import _simulate
    from ..backends import session
    from ._precision import _resolve_targets

    scen, variants, metric, confidence, paths, seed = _compare_iv(
        scenario, variants, metric, confidence, paths, seed)
    rel, absolute, batch, max_paths = _resolve_targets(
        precision, precision_abs, paths, batch, max_paths)
    keep = _validate.flag(keep, "keep")
    if keep and (rel is not None or absolute is not None):
        raise SimkitError("`keep` does not combine with a precision target")
    kept = []

    def simulate(*args, **kwargs):
        res = _simulate.simulate(*args, **kwargs)
        if keep:
            kept.append(res)
        return res

    with session(backend, scheduler) as client:
        samples, paths, prec_meta = _compare_samples(
            simulate, scen, variants, metric, seed, paths, rel, absolute,
            batch, max_paths,
            {"threads": threads, "backend": backend, "progress": progress,
             "scheduler": client})
    names = [_name(v) for v in variants]
    inputs = _variant_inputs(scen, variants, seed, paths)
    pairs = tuple(
        paired(samples[i], samples[j], names[i], names[j], metric=metric,
               confidence=confidence, quantiles=quantiles,
               inputs=_merge_inputs(inputs[i], inputs[j]))
        for i, j in combinations(range(len(variants)), 2))
    from .._version import __version__

    meta = {"scenario_source": str(getattr(scen, "source", "")),
            "scenarios": {n: (scen if v is _BASE else scen.variant(v)).to_dict()
                          for n, v in zip(names, variants)},
            "seed": seed, "paths": paths, "simkit_version": __version__,
            "metric": metric, "variants": names, "backend": backend,
            "common_random_numbers": True, "precision": prec_meta,
            **_horizon(scen, variants)}
    return ComparisonResult(scen.name, metric, tuple(names), pairs, paths, seed, meta,
                            dict(zip(names, kept)) if keep else None)


def _horizon(scen, variants):
    """``{"horizon_days": ..., "streams": ...}`` of the variants (streams None when
    they differ), for the period the printed figures cover."""
    from .._pack import n_streams

    scs = [scen if v is _BASE else scen.variant(v) for v in variants]
    days = {int(s.horizon_days) for s in scs}
    streams = {n_streams(s) for s in scs}
    return {"horizon_days": days.pop() if len(days) == 1 else None,
            "streams": streams.pop() if len(streams) == 1 else None}


def _variant_inputs(scen, variants, seed, paths):
    """The uncertain inputs each variant's paths ``0 .. paths - 1`` drew.

    They are the arrays :func:`simkit.simulate` draws (``res.inputs``): a pure
    function of the seed, the path and the key, so drawing them again here
    costs no simulation.
    """
    from ..scenario import draw_inputs
    from .._simulate import root_key

    key = root_key(seed)
    return [draw_inputs(scen if v is _BASE else scen.variant(v), key, 0, paths)
            for v in variants]


def _compare_samples(simulate, scen, variants, metric, seed, paths, rel, absolute,
                     batch, max_paths, simulate_kw):
    """Simulate every variant (to the precision target, if any).

    Returns ``(samples, paths, precision metadata or None)``.
    """
    from ._precision import run_batches

    def draw(offset, n):
        return [np.asarray(simulate(scen, paths=n, seed=seed,
                                    variant=None if v is _BASE else v,
                                    path_offset=offset, **simulate_kw)[metric],
                           dtype=float)
                for v in variants]

    if rel is None and absolute is None:
        return draw(0, paths), paths, None
    from scipy.stats import norm

    z = float(norm.ppf(0.975))

    def measure(samples):
        # The pair furthest from its target decides.
        worst = None
        for i, j in combinations(range(len(samples)), 2):
            d = samples[i] - samples[j]
            est = float(d.mean())
            hw = (z * float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1
                  else float("inf"))
            goal = absolute if absolute is not None else rel * abs(est)
            if worst is None or hw - goal > worst[0]:
                worst = (hw - goal, est, hw, goal)
        _, est, hw, goal = worst
        return hw <= goal, est, hw, goal

    samples, run = run_batches(draw, measure, batch=batch, max_paths=max_paths)
    prec_meta = run.to_dict(
        statistic="the mean paired difference of every pair", rel=rel,
        absolute=absolute)
    return samples, run.paths, prec_meta


class _BaseVariant:
    def __repr__(self):
        return "base"


_BASE = _BaseVariant()


def _name(v):
    return "base" if v is _BASE else str(v)


def _compare_iv(scenario, variants, metric, confidence, paths, seed):
    """Input validation and normalization for :func:`compare`."""
    from ..scenario import choose_variants
    from ..scenario._load import as_scenario

    scen = as_scenario(scenario)
    defined = tuple(scen.variants)
    out = [v if v in defined else _BASE for v, _ in choose_variants(scen, variants)]
    _validate.choice(metric, "metric", _metrics.TOTALS)
    confidence = _validate.confidence(confidence)
    return scen, tuple(out), metric, confidence, _validate.integer(paths, "paths"), \
        _validate.seed(seed)
