"""One-at-a-time sensitivity (tornado) on common random numbers.

Each input is set to a low and a high value with every other input at its
scenario value; all runs use the same seed, so path ``i`` of every run sees the
same random draws wherever the model allows. The difference between a run and
the base run is then estimated path by path (a paired difference), whose
standard error is far smaller than that of two independent means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate
from ..errors import SimkitError
from ..scenario._load import as_scenario

__all__ = ["tornado", "TornadoResult", "TornadoEntry", "DEFAULT_PARAMS",
           "DEFAULT_STEP", "UNCERTAIN_LEVELS", "SPREADS", "spider", "SpiderResult",
           "SPIDER_LEVELS"]

#: Inputs varied by default: the main drivers of audience, gifting and income
#: (``brand.cpm_usd`` becomes ``brand.flat_fee_usd`` under flat-fee pricing and is
#: left out when brand deals are disabled; inputs that are 0 are left out).
DEFAULT_PARAMS: tuple[str, ...] = (
    "creator.followers",
    "audience.join_rate",
    "audience.discovery_rate_per_min",
    "audience.engagement",
    "audience.follow_prob",
    "dwell.median_min",
    "stream.duration_min",
    "habit.max_gain",
    "money.creator_share",
    "brand.cpm_usd",
    "merch.buy_prob",
    "donations.donate_prob",
)

#: Relative step of the default low/high values: base x (1 - step), x (1 + step).
DEFAULT_STEP = 0.25


@dataclass(frozen=True)
class TornadoEntry:
    """Effect of one input moved to a low and a high value.

    Attributes
    ----------
    key : str
        Dotted scenario key.
    base_value, low_value, high_value : float
        The input's scenario value (the median of an uncertain input) and the
        two values tried.
    low_mean, high_mean : float
        Mean of the metric over paths at the low and the high value.
    low_stderr, high_stderr : float
        Standard errors of ``low_mean - base_mean`` and ``high_mean - base_mean``
        estimated from per-path (paired) differences.
    """

    key: str
    base_value: float
    low_value: float
    high_value: float
    low_mean: float
    high_mean: float
    low_stderr: float
    high_stderr: float

    @property
    def swing(self) -> float:
        """``|high_mean - low_mean|``: the length of the tornado bar.

        Examples
        --------
        >>> e = TornadoEntry("audience.join_rate", 0.03, 0.02, 0.04, 500.0, 750.5,
        ...                  12.0, 18.0)
        >>> e.swing
        250.5
        """
        return abs(self.high_mean - self.low_mean)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (including ``swing``).

        Examples
        --------
        >>> e = TornadoEntry("audience.join_rate", 0.03, 0.02, 0.04, 500.0, 750.5,
        ...                  12.0, 18.0)
        >>> d = e.to_dict()
        >>> d["key"], d["low_value"], d["high_mean"], d["swing"]
        ('audience.join_rate', 0.02, 750.5, 250.5)
        """
        from .._present import json_value

        return json_value({"key": self.key, "base_value": self.base_value,
                           "low_value": self.low_value, "high_value": self.high_value,
                           "low_mean": self.low_mean, "high_mean": self.high_mean,
                           "low_stderr": self.low_stderr,
                           "high_stderr": self.high_stderr, "swing": self.swing})


@dataclass(frozen=True)
class TornadoResult:
    """Outcome of :func:`tornado`.

    Attributes
    ----------
    scenario : str
        Scenario name (with ``:variant`` when a variant was analysed).
    metric : str
        The per-path total analysed.
    paths, seed : int
        Paths per run and the shared seed.
    base_mean, base_stderr : float
        Mean of the metric at the scenario's own values, and its standard error.
    entries : tuple of TornadoEntry
        One per input, largest swing first.
    """

    scenario: str
    metric: str
    paths: int
    seed: int
    base_mean: float
    base_stderr: float
    entries: tuple

    def __getitem__(self, key) -> TornadoEntry:
        """Return the entry of dotted key ``key``.

        Examples
        --------
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro.toml")
        >>> res = tornado(sc, {"audience.join_rate": (0.02, 0.04)}, paths=40,
        ...               seed=12345, progress=False)
        >>> e = res["audience.join_rate"]
        >>> e.low_value, e.high_value, e.swing > 0
        (0.02, 0.04, True)
        """
        for e in self.entries:
            if e.key == key:
                return e
        raise KeyError(key)

    def centred_on(self, mean, stderr) -> TornadoResult:
        """The same tornado around another base mean, e.g. a larger run's.

        When the tornado ran on the first paths of a larger run, each bar read
        on that run's mean is its mean plus the input's paired shift: every
        ``low_mean`` and ``high_mean`` moves by ``mean - base_mean``; the
        shifts, swings and their standard errors stay as measured (the report
        shows one base number this way).

        Examples
        --------
        >>> e = TornadoEntry("audience.join_rate", 0.03, 0.02, 0.04, 90.0, 130.0,
        ...                  2.0, 2.5)
        >>> tr = TornadoResult("micro", "income_total", 60, 0, 100.0, 9.0, (e,))
        >>> c = tr.centred_on(104.0, 4.0)
        >>> c.base_mean, c.entries[0].low_mean, c.entries[0].high_mean
        (104.0, 94.0, 134.0)
        >>> c.entries[0].swing == e.swing, c.entries[0].low_stderr
        (True, 2.0)
        """
        from dataclasses import replace

        shift = float(mean) - self.base_mean
        entries = tuple(replace(e, low_mean=e.low_mean + shift,
                                high_mean=e.high_mean + shift) for e in self.entries)
        return replace(self, base_mean=float(mean), base_stderr=float(stderr),
                       entries=entries)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (the entries largest swing first).

        Examples
        --------
        >>> import json
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro.toml")
        >>> res = tornado(sc, {"audience.join_rate": (0.02, 0.04),
        ...                    "money.creator_share": (0.4, 0.6)},
        ...               paths=40, seed=12345, progress=False)
        >>> d = json.loads(json.dumps(res.to_dict()))
        >>> d["metric"], d["paths"], d["seed"], len(d["entries"])
        ('income_total', 40, 12345, 2)
        >>> d["entries"][0]["swing"] >= d["entries"][1]["swing"]
        True
        """
        from .._present import json_value

        return json_value({"scenario": self.scenario, "metric": self.metric,
                           "paths": self.paths, "seed": self.seed,
                           "base_mean": self.base_mean,
                           "base_stderr": self.base_stderr,
                           "entries": [e.to_dict() for e in self.entries]})

    def __str__(self) -> str:
        """Return the entries as a text table.

        Examples
        --------
        >>> import simkit
        >>> sc = simkit.load_scenario("scenarios/micro.toml")
        >>> res = tornado(sc, {"audience.join_rate": (0.02, 0.04)}, paths=40,
        ...               seed=12345, progress=False)
        >>> print(str(res).splitlines()[1])  # doctest: +NORMALIZE_WHITESPACE
        input low high mean at low ± s.e. mean at high ± s.e. swing
        """
        from ..metrics import UNITS
        from .._present import table
        from .._text import fmt, setting

        fv = lambda v: fmt(v, UNITS.get(self.metric, ""))  # noqa: E731
        head = ["input", "low", "high", "mean at low", "± s.e.", "mean at high",
                "± s.e.", "swing"]
        rows = [[e.key, setting(e.low_value), setting(e.high_value), fv(e.low_mean),
                 fv(e.low_stderr), fv(e.high_mean), fv(e.high_stderr), fv(e.swing)]
                for e in self.entries]
        tab, _ = table(head, rows, wide=True)
        return "\n".join([f"{self.scenario} — tornado of {self.metric} "
                          f"({self.paths:,} paths, seed {self.seed}); base mean "
                          f"{fv(self.base_mean)} ± {fv(self.base_stderr)}", *tab])


def _lookup(tree, key):
    node = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _field(key):
    try:
        from ..scenario._schema import SCHEMA
    except ImportError:  # pragma: no cover - the schema ships with simkit
        return None
    section, _, name = key.rpartition(".")
    return SCHEMA.get(section, {}).get(name)


def _base_value(scenario, key):
    values = getattr(scenario, "values", None)
    if values is not None and key in values:
        return values[key]
    v = _lookup(scenario.to_dict(), key)
    if v is None:
        f = _field(key)
        v = None if f is None else f.default
    return v


def _default_range(key, base, step):
    """Low/high values ``base * (1 -/+ step)`` clipped to the key's bounds."""
    f = _field(key)
    lo, hi = base * (1.0 - step), base * (1.0 + step)
    if f is not None:
        bottom = f.lo if not f.lo_open else (f.lo + 1e-12 if f.lo > -math.inf else f.lo)
        lo, hi = max(lo, bottom), min(hi, f.hi)
        if f.kind == "int":
            lo, hi = int(round(lo)), int(round(hi))
    return lo, hi


#: Probabilities of the low and high values of an uncertain input in a tornado.
UNCERTAIN_LEVELS = (0.10, 0.90)


def _uncertain_range(key, dist):
    """P10 and P90 of an uncertain input's distribution (rounded for integers)."""
    lo, hi = (float(v) for v in dist.ppf(np.array(UNCERTAIN_LEVELS)))
    f = _field(key)
    if f is not None and f.kind == "int":
        lo, hi = int(round(lo)), int(round(hi))
    return lo, hi


def _default_keys(scenario):
    """:data:`DEFAULT_PARAMS` adapted to the scenario's brand pricing.

    A flat-fee scenario varies ``brand.flat_fee_usd`` instead of
    ``brand.cpm_usd``; a scenario without brand deals varies neither.
    """
    brand_on = _base_value(scenario, "brand.enabled")
    pricing = _base_value(scenario, "brand.pricing")
    keys = []
    for key in DEFAULT_PARAMS:
        if key == "brand.cpm_usd":
            if brand_on is False:
                continue
            if pricing == "flat":
                key = "brand.flat_fee_usd"
        keys.append(key)
    return tuple(keys)


#: How a tornado sets the low and high values of an uncertain input.
SPREADS = ("p10p90", "step")


def _tornado_iv(scenario, params, metric, paths, seed, step, spread="p10p90"):
    """Input validation for :func:`tornado`: ``(ranges, paths, seed)``."""
    as_scenario(scenario, load=False)
    paths = _validate.integer(paths, "paths", minimum=2)
    seed = _validate.seed(seed)
    step = _validate.confidence(step, "step")
    _validate.choice(spread, "spread", SPREADS)
    from .. import metrics as _metrics

    if metric not in _metrics.TOTALS:
        raise SimkitError(f"unknown metric `{metric}`; choose one of "
                          f"{', '.join(_metrics.TOTALS)}")
    ranges = {}
    if params is None:
        uncertain = dict(getattr(scenario, "uncertain", {}) or {})
        keys = _default_keys(scenario)
        keys += tuple(k for k in uncertain if k not in keys)
        for key in keys:
            if key in uncertain and spread == "p10p90":
                lo, hi = _uncertain_range(key, uncertain[key])
                if lo != hi:
                    ranges[key] = (lo, hi)
                continue
            base = _base_value(scenario, key)
            if isinstance(base, bool) or not isinstance(base, int | float) or base == 0:
                continue  # a zero input has no +-step range
            lo, hi = _default_range(key, float(base), float(step))
            if lo != hi:
                ranges[key] = (lo, hi)
    else:
        if not isinstance(params, dict) or not params:
            raise SimkitError("`params` must be a non-empty dict "
                              "{dotted key: (low, high)}")
        for key, pair in params.items():
            try:
                lo, hi = pair
                lo, hi = float(lo), float(hi)
            except (TypeError, ValueError):
                raise SimkitError(f"`params[{key!r}]` must be a (low, high) pair of "
                                  f"numbers, got {pair!r}") from None
            f = _field(key)
            if f is not None and f.kind == "int":
                lo, hi = int(lo), int(hi)
            ranges[str(key)] = (lo, hi)
    if not ranges:
        raise SimkitError("no input to vary: every default input is 0 in this "
                          "scenario; pass `params`")
    return ranges, paths, seed


def _simulate_all(scenarios, **kwargs):
    from .._simulate import simulate_batch

    return simulate_batch(list(scenarios), **kwargs)


def tornado(scenario, params=None, *, metric="income_total", paths=1000, seed=0,
            variant=None, step=DEFAULT_STEP, spread="p10p90", backend="cpu",
            threads=None, progress=None, scheduler=None):
    r"""One-at-a-time sensitivity of a metric's mean to each input (tornado data).

    Parameters
    ----------
    scenario : Scenario
        The scenario at its base values.
    params : dict[str, tuple[float, float]], optional
        Dotted key -> ``(low, high)``. By default every key of
        :data:`DEFAULT_PARAMS` that applies and whose scenario value is non-zero, at
        ``value * (1 - step)`` and ``value * (1 + step)``, clipped to the key's
        valid range (and rounded for integer keys); and every uncertain input
        (a key given as a distribution) at the P10 and P90 of its distribution
        (:data:`UNCERTAIN_LEVELS`), whether it is in :data:`DEFAULT_PARAMS` or
        not. A low or high value replaces the key's distribution by that
        number, so a bar says how the mean would move if the input were known
        to be at its P10 or its P90; the base run keeps every distribution.
    metric : str
        The per-path total analysed (see :data:`simkit.metrics.TOTALS`).
    paths : int
        Paths per run.
    seed : int
        Seed shared by every run (common random numbers).
    variant : str, optional
        Analyse this variant of the scenario.
    step : float
        Relative step of the default ranges (0.25: ±25%).
    spread : {"p10p90", "step"}
        Default range of an uncertain input: the P10 and P90 of its
        distribution (``"p10p90"``), or its median ``x (1 -/+ step)`` like a
        fixed input (``"step"``). Fixed inputs always use ``step``.
    backend, threads, progress
        Passed to :func:`simkit.simulate_batch`.
    scheduler : None, str or distributed.Client
        Dask scheduler address or client (``backend="dask"`` only), as in
        :func:`simkit.simulate`. Every run goes in one batch, so ``None``
        starts a single local cluster.

    Returns
    -------
    TornadoResult
        Base mean and, per input, the low/high means with paired standard
        errors, largest swing first.

    Raises
    ------
    SimkitError
        A bad argument; :class:`~simkit.errors.ScenarioError` for an unknown
        key or an invalid value.

    See Also
    --------
    simkit.plotting.tornado : the tornado chart of the result.

    Notes
    -----
    With :math:`X_i` the metric on path :math:`i` at the base values and
    :math:`Y_i` at the low (or high) value, the reported standard error is
    :math:`\mathrm{sd}(Y - X) / \sqrt{n}`. Under common random numbers
    :math:`Y_i` and :math:`X_i` are strongly correlated, so this is much
    smaller than :math:`\sqrt{(s_X^2 + s_Y^2) / n}`; the ranking of inputs by
    swing is therefore stable with few paths. An input a scenario does not use
    (for example ``brand.cpm_usd`` with brands disabled) gets exactly zero
    swing.

    Examples
    --------
    >>> import simkit
    >>> from simkit.analysis import tornado
    >>> scen = simkit.load_scenario("scenarios/micro.toml")
    >>> res = tornado(scen, {"audience.join_rate": (0.03, 0.05)},
    ...               paths=200, seed=12345, progress=False)
    >>> res.entries[0].high_mean > res.entries[0].low_mean
    True
    """
    if variant is not None:
        scenario = as_scenario(scenario, load=False).variant(variant)
    ranges, paths, seed = _tornado_iv(scenario, params, metric, paths, seed, step,
                                      spread)
    runs = [scenario]
    for key, (lo, hi) in ranges.items():
        runs += [scenario.with_overrides({key: lo}), scenario.with_overrides({key: hi})]
    results = _simulate_all(runs, paths=paths, seed=seed, backend=backend,
                            threads=threads, progress=progress, scheduler=scheduler)
    x0 = np.asarray(results[0][metric], dtype=float)
    sq = math.sqrt(paths)
    entries = []
    for j, (key, (lo, hi)) in enumerate(ranges.items()):
        xl = np.asarray(results[1 + 2 * j][metric], dtype=float)
        xh = np.asarray(results[2 + 2 * j][metric], dtype=float)
        base = _base_value(scenario, key)
        entries.append(TornadoEntry(
            key=key, base_value=float(base) if base is not None else float("nan"),
            low_value=float(lo), high_value=float(hi),
            low_mean=float(xl.mean()), high_mean=float(xh.mean()),
            low_stderr=float((xl - x0).std(ddof=1) / sq),
            high_stderr=float((xh - x0).std(ddof=1) / sq)))
    entries.sort(key=lambda e: (-e.swing, e.key))
    name = getattr(results[0], "name", getattr(scenario, "name", "scenario"))
    return TornadoResult(scenario=str(name), metric=metric, paths=paths, seed=seed,
                         base_mean=float(x0.mean()),
                         base_stderr=float(x0.std(ddof=1) / sq), entries=tuple(entries))


#: Probabilities at which :func:`spider` sets each uncertain input.
SPIDER_LEVELS = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)


@dataclass(frozen=True)
class SpiderResult:
    """Outcome of :func:`spider`: the metric's mean with each input at each percentile.

    Attributes
    ----------
    scenario, metric : str
    paths, seed : int
    base_mean, base_stderr : float
        The metric's mean with every distribution in place.
    levels : tuple of float
        The probabilities (columns).
    keys : tuple of str
        The inputs (rows), largest range of means first.
    values, means, stderrs : ndarray, shape (len(keys), len(levels))
        The input's value (its quantile at the level), the metric's mean with
        the input fixed there (the others keep their distributions), and the
        paired standard error of that mean's difference from ``base_mean``.
    """

    scenario: str
    metric: str
    paths: int
    seed: int
    base_mean: float
    base_stderr: float
    levels: tuple
    keys: tuple
    values: np.ndarray
    means: np.ndarray
    stderrs: np.ndarray

    def to_dict(self) -> dict:
        """Return a JSON-ready dict.

        Examples
        --------
        >>> r = SpiderResult("s", "income_total", 10, 0, 5.0, 1.0, (0.1, 0.9),
        ...                  ("a.b",), np.array([[1.0, 2.0]]), np.array([[4.0, 6.0]]),
        ...                  np.array([[0.1, 0.1]]))
        >>> r.to_dict()["inputs"][0]["means"]
        [4.0, 6.0]
        """
        from .._present import json_value

        return json_value({
            "scenario": self.scenario, "metric": self.metric, "paths": self.paths,
            "seed": self.seed, "base_mean": self.base_mean,
            "base_stderr": self.base_stderr, "levels": self.levels,
            "inputs": [{"key": k, "values": self.values[i], "means": self.means[i],
                        "stderrs": self.stderrs[i]} for i, k in enumerate(self.keys)]})


def _spider_iv(scenario, keys, levels, metric, paths, seed):
    """Input validation for :func:`spider`; the keys, sorted levels, distributions."""
    _, paths, seed = _tornado_iv(scenario, {"_": (0.0, 1.0)}, metric, paths, seed,
                                 DEFAULT_STEP)
    uncertain = dict(getattr(scenario, "uncertain", {}) or {})
    if not uncertain:
        raise SimkitError(f"{scenario.source}: a spider chart needs uncertain inputs "
                          "(keys given as distributions)")
    keys = tuple(uncertain) if keys is None else tuple(keys)
    if not keys:
        raise SimkitError("`keys` must name at least one uncertain input")
    for k in keys:
        if k not in uncertain:
            raise SimkitError(f"`keys`: {k!r} is not an uncertain input of "
                              f"{scenario.source}")
    lv = _validate.levels(levels, "levels", closed=False)
    return keys, tuple(sorted(set(lv.tolist()))), uncertain, paths, seed


def spider(scenario, keys=None, *, levels=SPIDER_LEVELS, metric="income_total",
           paths=1000, seed=0, variant=None, backend="cpu", threads=None,
           progress=None, scheduler=None):
    """The metric's mean against each uncertain input's percentile (spider data).

    Each uncertain input in turn is fixed at its quantile at each level while
    every other input keeps its distribution; all runs share the seed (common
    random numbers), in one batch. Steep lines are the inputs that matter;
    unlike a tornado the lines show where the effect is non-linear.

    Parameters
    ----------
    scenario : Scenario
        A scenario with uncertain inputs (keys given as distributions).
    keys : sequence of str, optional
        Inputs to vary (default: every uncertain input).
    levels : sequence of float
        Probabilities in (0, 1) (default :data:`SPIDER_LEVELS`).
    metric : str
        The per-path total analysed.
    paths, seed, variant, backend, threads, progress, scheduler
        As in :func:`tornado`.

    Returns
    -------
    SpiderResult

    Raises
    ------
    SimkitError
        A bad argument, or a scenario without uncertain inputs.

    See Also
    --------
    simkit.plotting.spider : the chart.
    tornado : the P10/P90 swing of each input.

    Examples
    --------
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/micro.toml").with_overrides(
    ...     {"money.creator_share": {"dist": "uniform", "min": 0.3, "max": 0.7}})
    >>> res = spider(sc, levels=(0.1, 0.9), paths=40, seed=12345, progress=False)
    >>> res.keys, [round(float(v), 2) for v in res.values[0]]
    (('money.creator_share',), [0.34, 0.66])
    >>> bool(res.means[0, 1] > res.means[0, 0])
    True
    """
    if variant is not None:
        scenario = as_scenario(scenario, load=False).variant(variant)
    keys, lv, uncertain, paths, seed = _spider_iv(scenario, keys, levels, metric,
                                                  paths, seed)
    values = np.empty((len(keys), len(lv)))
    runs = [scenario]
    for i, k in enumerate(keys):
        v = uncertain[k].ppf(np.array(lv))
        f = _field(k)
        if f is not None and f.kind == "int":
            v = np.rint(v)
        values[i] = v
        runs += [scenario.with_overrides(
            {k: int(x) if f is not None and f.kind == "int" else float(x)})
            for x in v]
    results = _simulate_all(runs, paths=paths, seed=seed, backend=backend,
                            threads=threads, progress=progress, scheduler=scheduler)
    x0 = np.asarray(results[0][metric], dtype=float)
    sq = math.sqrt(paths)
    means = np.empty_like(values)
    ses = np.empty_like(values)
    for i in range(len(keys)):
        for j in range(len(lv)):
            x = np.asarray(results[1 + i * len(lv) + j][metric], dtype=float)
            means[i, j] = x.mean()
            ses[i, j] = (x - x0).std(ddof=1) / sq
    order = sorted(range(len(keys)), key=lambda i: (-np.ptp(means[i]), keys[i]))
    name = getattr(results[0], "name", getattr(scenario, "name", "scenario"))
    return SpiderResult(scenario=str(name), metric=metric, paths=paths, seed=seed,
                        base_mean=float(x0.mean()),
                        base_stderr=float(x0.std(ddof=1) / sq),
                        levels=lv, keys=tuple(keys[i] for i in order),
                        values=values[order], means=means[order], stderrs=ses[order])
