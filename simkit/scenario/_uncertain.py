"""Uncertain inputs: distributions of numeric keys, rank correlations, keyed draws.

Any numeric scenario key that may vary per path (:data:`simkit.scenario._schema.PATH_KEYS`)
may be given as a table ``{ dist = "...", ... }`` instead of a number. Each
path then draws its own value of that key once, before it simulates anything:
the spread of the results includes not knowing the parameter (epistemic
uncertainty) on top of the randomness of streams, viewers and gifts.

Draws are keyed: the uniform of key ``k`` on path ``i`` under root key ``r`` is
a pure function of ``(r, i, blake2b-64(k))`` through the counter generator of
:mod:`simkit._kernels.rng` (:func:`key_uniforms`), so the value a path gets
does not depend on chunking, resume or backend, and adding an uncertain key
does not change the draws of the others.

Rank correlations between uncertain keys go through a Gaussian copula (the
method of Crystal Ball; @RISK uses Iman and Conover's 1982 reordering, which
needs the whole sample at once and so could not give path ``i`` the same
values in every chunk): a Spearman correlation ``rho`` becomes the normal
correlation ``r = 2 sin(pi rho / 6)`` (Pearson 1907; exact for the normal
copula), the normal scores of the keyed uniforms are multiplied by the
Cholesky factor of that matrix, and each key takes its quantile at
``Phi(z)``.
"""

from __future__ import annotations

import csv
import hashlib
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
from scipy import special, stats

from ..errors import CorrelationWarning, ScenarioError, SimkitError

__all__ = ["Distribution", "FAMILIES", "parse_distribution", "parse_correlations",
           "draw_inputs", "key_uniforms", "key_hash", "P_INPUTS", "spearman_to_normal",
           "nearest_correlation"]

#: Purpose number of the input draws in the counter generator's key space
#: (the kernels' purposes are small integers; see :mod:`simkit._kernels.rng`).
P_INPUTS = np.uint64(0x494E505554)  # "INPUT"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_C0 = np.uint64(0x632BE59BD9B4E019)
_TWO53 = 1.0 / 9007199254740992.0

#: family -> (required parameters, optional parameters). ``lo``/``hi`` truncate
#: an unbounded family; ``min``/``mode``/``max`` bound the bounded ones.
FAMILIES = {
    "normal": (("mean", "sd"), ("lo", "hi")),
    "lognormal": (("median", "sigma"), ("lo", "hi")),
    "gamma": (("mean", "sd"), ("lo", "hi")),
    "beta": (("alpha", "beta"), ("min", "max")),
    "uniform": (("min", "max"), ()),
    "triangular": (("min", "mode", "max"), ()),
    "pert": (("min", "mode", "max"), ()),
    "empirical": ((), ("samples", "file")),
}


def _mix(z):
    """SplitMix64 finalizer on uint64 arrays (as :func:`simkit._kernels.rng.mix`)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def key_hash(key: str) -> int:
    """64-bit hash of a dotted key name (BLAKE2b, stable across runs and machines).

    Examples
    --------
    >>> key_hash("audience.join_rate") == key_hash("audience.join_rate")
    True
    >>> key_hash("audience.join_rate") != key_hash("habit.max_gain")
    True
    """
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(),
                          "little")


def key_uniforms(root_key: int, key: str, path_offset: int, n_paths: int) -> np.ndarray:
    """Uniforms in (0, 1) of ``key`` on paths ``path_offset ... + n_paths - 1``.

    The value on path ``i`` is ``u01(stream_seed(root_key, i, key_hash(key),
    P_INPUTS), 0)`` of :mod:`simkit._kernels.rng`, evaluated with numpy.

    Examples
    --------
    >>> u = key_uniforms(7, "audience.join_rate", 0, 10)
    >>> bool(((u > 0) & (u < 1)).all())
    True
    >>> bool((key_uniforms(7, "audience.join_rate", 4, 3) == u[4:7]).all())
    True
    """
    with np.errstate(over="ignore"):
        h = _mix(np.array([P_INPUTS * _GOLDEN + _C0], dtype=np.uint64))
        h = _mix(np.uint64(key_hash(key)) ^ h)
        paths = np.arange(path_offset, path_offset + n_paths, dtype=np.uint64)
        h = _mix(paths ^ h)
        seed = _mix(np.uint64(int(root_key) & 0xFFFFFFFFFFFFFFFF) ^ h)
        z = _mix(seed)  # counter 0: seed + 0 * golden
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * _TWO53


@dataclass(frozen=True)
class Distribution:
    """The distribution of one uncertain input.

    Build one with :func:`parse_distribution` (or from a scenario file).

    Attributes
    ----------
    family : str
        One of :data:`FAMILIES`.
    params : mapping
        The parameters as given (read-only); for ``empirical`` the samples
        always (a ``file`` is read once and kept as ``samples``).
    """

    family: str
    params: MappingProxyType
    _frozen: object = field(default=None, compare=False, repr=False)

    def ppf(self, u) -> np.ndarray:
        """Quantiles at probabilities ``u`` (array in (0, 1)).

        Examples
        --------
        >>> d = parse_distribution({"dist": "uniform", "min": 2, "max": 4}, "k")
        >>> d.ppf([0.25, 0.5]).tolist()
        [2.5, 3.0]
        """
        u = np.asarray(u, dtype=float)
        if self.family == "empirical":
            return np.quantile(self._frozen, u, method="inverted_cdf")
        return np.asarray(self._frozen.ppf(u), dtype=float)

    @property
    def median(self) -> float:
        """The median: the key's nominal value.

        Examples
        --------
        >>> parse_distribution({"dist": "lognormal", "median": 0.01, "sigma": 0.3},
        ...                    "k").median
        0.01
        """
        return float(self.ppf(0.5))

    @property
    def support(self) -> tuple:
        """``(low, high)``: the smallest and largest value a draw can take.

        Examples
        --------
        >>> parse_distribution({"dist": "pert", "min": 1, "mode": 2, "max": 5},
        ...                    "k").support
        (1.0, 5.0)
        """
        if self.family == "empirical":
            return float(self._frozen[0]), float(self._frozen[-1])
        lo, hi = self._frozen.support()
        return float(lo), float(hi)

    def spec(self) -> dict:
        """The table that gives this distribution in a scenario file.

        Examples
        --------
        >>> parse_distribution({"dist": "normal", "mean": 1, "sd": 0.1}, "k").spec()
        {'dist': 'normal', 'mean': 1.0, 'sd': 0.1}
        """
        out = {"dist": self.family}
        for k, v in self.params.items():
            out[k] = list(v) if isinstance(v, tuple) else v
        return out

    def describe(self) -> str:
        """Short text, e.g. ``lognormal(median=0.01, sigma=0.3)``.

        Examples
        --------
        >>> parse_distribution({"dist": "uniform", "min": 0, "max": 1}, "k").describe()
        'uniform(min=0, max=1)'
        """
        if self.family == "empirical":
            return f"empirical({len(self.params['samples'])} samples)"
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.family}({args})"


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _fmt(x):
    return f"{x:g}"


def _read_samples(path, base_dir, file, key):
    p = Path(path)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    if not p.is_file():
        raise ScenarioError(file, f"{key}.file", "an existing file of numbers", path)
    out = []
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ScenarioError(file, f"{key}.file", "a readable UTF-8 file of numbers",
                            path) from None
    rows = [r for r in csv.reader(ln for ln in text.splitlines()
                                  if ln.strip() and not ln.lstrip().startswith("#"))]
    for i, row in enumerate(rows):
        cells = [c.strip() for c in row if c.strip()]
        if len(cells) != 1:
            raise ScenarioError(file, f"{key}.file", f"one number per line ({path}, "
                                f"line {i + 1} has {len(cells)} values)")
        try:
            x = float(cells[0])
        except ValueError:
            if i == 0 and not out:  # a header line
                continue
            raise ScenarioError(file, f"{key}.file", f"numbers only ({path}, line "
                                f"{i + 1} is {cells[0]!r})") from None
        out.append(x)
    return out


def parse_distribution(spec, key, file="<dict>", base_dir=None,
                       bounds=(-math.inf, math.inf), lo_open=False, integer=False):
    """Validate a distribution table of key ``key``; return a :class:`Distribution`.

    Parameters
    ----------
    spec : mapping
        The table, e.g. ``{"dist": "lognormal", "median": 0.01, "sigma": 0.3}``.
    key : str
        Dotted key (for error messages).
    file : str
        Scenario file named in error messages.
    base_dir : Path, optional
        Directory an empirical ``file`` is relative to.
    bounds : (float, float)
        The key's valid range: the distribution's support must lie inside it.
    lo_open : bool
        Whether the range excludes its lower end.
    integer : bool
        The key is an integer (draws are rounded).

    Returns
    -------
    Distribution

    Raises
    ------
    ScenarioError
        One line naming ``key`` and the problem.

    Examples
    --------
    >>> d = parse_distribution({"dist": "lognormal", "median": 0.02, "sigma": 0.3},
    ...                        "audience.join_rate", bounds=(0, 1))
    Traceback (most recent call last):
    ...
    simkit.errors.ScenarioError: <dict>: `audience.join_rate` must be a distribution inside [0, 1]: lognormal reaches inf; truncate it with `hi` <= 1, got {'dist': 'lognormal', 'median': 0.02, 'sigma': 0.3}
    >>> d = parse_distribution({"dist": "lognormal", "median": 0.02, "sigma": 0.3,
    ...                         "hi": 0.2}, "audience.join_rate", bounds=(0, 1))
    >>> round(d.median, 6), d.support
    (0.02, (0.0, 0.2))
    """
    spec = dict(spec)
    fam = spec.get("dist")
    if "dist" not in spec:
        raise ScenarioError(file, f"{key}.dist", "present in a distribution table "
                            "(one of " + ", ".join(FAMILIES) + ")")
    if not isinstance(fam, str) or fam not in FAMILIES:
        from ._load import _hint

        raise ScenarioError(file, f"{key}.dist", "one of " + ", ".join(FAMILIES)
                            + (_hint(fam, FAMILIES) if isinstance(fam, str) else ""),
                            fam)
    req, opt = FAMILIES[fam]
    allowed = set(req) | set(opt)
    for name in spec:
        if name != "dist" and name not in allowed:
            from ._load import _hint

            raise ScenarioError(file, f"{key}.{name}", f"a parameter of {fam} ("
                                + ", ".join((*req, *opt)) + ")" + _hint(name, allowed))
    for name in req:
        if name not in spec:
            raise ScenarioError(file, f"{key}.{name}", f"given for dist = \"{fam}\" "
                                "(" + ", ".join(req) + " are required)")
    params = {}
    for name in (*req, *opt):
        if name not in spec or name in ("samples", "file"):
            continue
        v = spec[name]
        if not _num(v):
            raise ScenarioError(file, f"{key}.{name}", "a finite number", v)
        params[name] = float(v)
    if fam == "empirical":
        params, frozen = _empirical(spec, key, file, base_dir)
    else:
        frozen = _frozen(fam, params, key, file)
    dist = Distribution(fam, MappingProxyType(params), frozen)
    _check_support(dist, spec, key, file, bounds, lo_open, integer)
    return dist


def _empirical(spec, key, file, base_dir):
    has_s, has_f = "samples" in spec, "file" in spec
    if has_s == has_f:
        raise ScenarioError(file, key, "an empirical distribution with either "
                            "`samples = [...]` or `file = \"...\"` (one of them)")
    if has_f:
        if not isinstance(spec["file"], str):
            raise ScenarioError(file, f"{key}.file", "a file name", spec["file"])
        xs = _read_samples(spec["file"], base_dir, file, key)
        where = f"{key}.file"
    else:
        xs = spec["samples"]
        where = f"{key}.samples"
        if not isinstance(xs, (list, tuple)):
            raise ScenarioError(file, where, "a list of numbers", xs)
    if len(xs) == 0:
        raise ScenarioError(file, where, "at least one sample")
    for i, x in enumerate(xs):
        if not _num(x):
            raise ScenarioError(file, f"{where}[{i}]" if not has_f else where,
                                "a finite number", x)
    arr = np.sort(np.asarray(xs, dtype=float))
    arr.setflags(write=False)
    return {"samples": tuple(float(x) for x in xs)}, arr


def _frozen(fam, p, key, file):
    """The scipy.stats frozen distribution of a family (parameters checked)."""
    def need(cond, name, what):
        if not cond:
            raise ScenarioError(file, f"{key}.{name}", what, p[name])

    if fam in ("normal", "lognormal", "gamma"):
        scale_name = {"normal": "sd", "lognormal": "sigma", "gamma": "sd"}[fam]
        need(p[scale_name] > 0, scale_name, "> 0")
        if fam == "lognormal":
            need(p["median"] > 0, "median", "> 0")
        if fam == "gamma":
            need(p["mean"] > 0, "mean", "> 0")
        lo, hi = p.get("lo"), p.get("hi")
        if lo is not None and hi is not None and not lo < hi:
            raise ScenarioError(file, f"{key}.hi", f"> lo ({_fmt(lo)})", hi)
        if fam == "normal":
            m, s = p["mean"], p["sd"]
            if lo is None and hi is None:
                return stats.norm(m, s)
            a = -math.inf if lo is None else (lo - m) / s
            b = math.inf if hi is None else (hi - m) / s
            _check_mass(stats.norm.cdf(b) - stats.norm.cdf(a), key, file)
            return stats.truncnorm(a, b, loc=m, scale=s)
        if fam == "lognormal":
            mu, s = math.log(p["median"]), p["sigma"]
            if lo is not None and lo < 0:
                raise ScenarioError(file, f"{key}.lo", ">= 0 (a lognormal is "
                                    "positive)", lo)
            if lo is None and hi is None:
                return stats.lognorm(s, scale=p["median"])
            # Truncate the normal of the log, then exponentiate.
            a = -math.inf if not lo else (math.log(lo) - mu) / s
            b = math.inf if hi is None else (math.log(hi) - mu) / s
            _check_mass(stats.norm.cdf(b) - stats.norm.cdf(a), key, file)
            return _Exp(stats.truncnorm(a, b, loc=mu, scale=s), lo or 0.0,
                        math.inf if hi is None else hi)
        k = (p["mean"] / p["sd"]) ** 2
        g = stats.gamma(k, scale=p["sd"] ** 2 / p["mean"])
        if lo is None and hi is None:
            return g
        if lo is not None and lo < 0:
            raise ScenarioError(file, f"{key}.lo", ">= 0 (a gamma is positive)", lo)
        return _Truncated(g, 0.0 if lo is None else lo, math.inf if hi is None else hi,
                          key, file)
    if fam == "beta":
        need(p["alpha"] > 0, "alpha", "> 0")
        need(p["beta"] > 0, "beta", "> 0")
        lo, hi = p.get("min", 0.0), p.get("max", 1.0)
        if not lo < hi:
            raise ScenarioError(file, f"{key}.max", f"> min ({_fmt(lo)})", hi)
        return stats.beta(p["alpha"], p["beta"], loc=lo, scale=hi - lo)
    if fam == "uniform":
        if not p["min"] < p["max"]:
            raise ScenarioError(file, f"{key}.max", f"> min ({_fmt(p['min'])})",
                                p["max"])
        return stats.uniform(p["min"], p["max"] - p["min"])
    lo, mode, hi = p["min"], p["mode"], p["max"]
    if not lo < hi:
        raise ScenarioError(file, f"{key}.max", f"> min ({_fmt(lo)})", hi)
    if not lo <= mode <= hi:
        raise ScenarioError(file, f"{key}.mode", f"in [min, max] = [{_fmt(lo)}, "
                            f"{_fmt(hi)}]", mode)
    w = hi - lo
    if fam == "triangular":
        return stats.triang((mode - lo) / w, loc=lo, scale=w)
    # PERT (Malcolm et al. 1959; Vose 2008): a beta on [min, max] with
    # alpha = 1 + 4 (mode - min) / (max - min), beta = 1 + 4 (max - mode) / (max - min).
    return stats.beta(1.0 + 4.0 * (mode - lo) / w, 1.0 + 4.0 * (hi - mode) / w,
                      loc=lo, scale=w)


def _check_mass(mass, key, file):
    if not mass > 1e-12:
        raise ScenarioError(file, key, "a truncation [lo, hi] that keeps some "
                            "probability (this one keeps none)")


class _Exp:
    """exp of a frozen distribution (a truncated normal of the log), kept inside
    the truncation bounds ``[lo, hi]`` exactly (exp(log(x)) may round past x)."""

    def __init__(self, d, lo, hi):
        self._d, self._lo, self._hi = d, lo, hi

    def ppf(self, u):
        return np.clip(np.exp(self._d.ppf(u)), self._lo, self._hi)

    def support(self):
        return self._lo, self._hi


class _Truncated:
    """A frozen continuous distribution truncated to ``[lo, hi]`` by inversion."""

    def __init__(self, d, lo, hi, key, file):
        self._d, self._lo, self._hi = d, lo, hi
        self._a, self._b = float(d.cdf(lo)), float(d.cdf(hi))
        _check_mass(self._b - self._a, key, file)

    def ppf(self, u):
        x = self._d.ppf(self._a + np.asarray(u) * (self._b - self._a))
        return np.clip(x, self._lo, self._hi)

    def support(self):
        lo, hi = self._d.support()
        return max(lo, self._lo), min(hi, self._hi)


def _check_support(dist, spec, key, file, bounds, lo_open, integer):
    """The support must lie inside the key's range ``bounds``."""
    lo, hi = bounds
    s_lo, s_hi = dist.support
    rng = f"{'(' if lo_open else '['}{_fmt(lo)}, {_fmt(hi)}]" if hi < math.inf \
        else (f"> {_fmt(lo)}" if lo_open else f">= {_fmt(lo)}")
    truncatable = "lo" in FAMILIES[dist.family][1]
    if dist.family == "empirical":
        bad = [x for x in dist._frozen if x < lo or x > hi or (lo_open and x == lo)]
        if bad:
            raise ScenarioError(file, key, f"a distribution inside {rng}: sample "
                                f"{_fmt(bad[0])} is outside")
        if integer and not all(float(x).is_integer() for x in dist._frozen):
            raise ScenarioError(file, key, "integer samples (the key is an integer)")
        return
    too_low = s_lo < lo or (lo_open and s_lo == lo and dist.family in
                            ("uniform", "triangular", "pert", "beta")
                            and not _open_at_min(dist))
    too_high = s_hi > hi
    if not (too_low or too_high):
        return
    end = _fmt(s_lo) if too_low else _fmt(s_hi)
    if truncatable:
        fix = []
        if too_low:
            fix.append(f"`lo` {'>' if lo_open else '>='} {_fmt(lo)}")
        if too_high:
            fix.append(f"`hi` <= {_fmt(hi)}")
        how = f"truncate it with {' and '.join(fix)}"
    else:
        how = f"choose min and max inside {rng}"
    raise ScenarioError(file, key, f"a distribution inside {rng}: {dist.family} "
                        f"reaches {end}; {how}", spec)


def _open_at_min(dist):
    """A bounded family whose density vanishes at ``min`` never draws it exactly
    (u is never 0), but ``min`` equal to an open bound is refused all the same
    unless the density is 0 there (beta/PERT with alpha > 1)."""
    if dist.family == "beta":
        return dist.params["alpha"] > 1
    if dist.family == "pert":
        return dist.params["mode"] > dist.params["min"]
    return False


# ---------------------------------------------------------------- correlations


def spearman_to_normal(rho):
    """Normal-copula correlation ``r = 2 sin(pi rho / 6)`` of Spearman ``rho``.

    For a bivariate normal with correlation ``r`` the Spearman rank correlation
    is ``(6 / pi) asin(r / 2)`` (Pearson 1907), so this is exact for the
    Gaussian copula.

    Examples
    --------
    >>> r = spearman_to_normal([0.5, 1.0])
    >>> round(float(r[0]), 4), round(float(r[1]), 12)
    (0.5176, 1.0)
    """
    return 2.0 * np.sin(np.pi * np.asarray(rho, dtype=float) / 6.0)


def _normal_to_spearman(r):
    return 6.0 / np.pi * np.arcsin(np.asarray(r, dtype=float) / 2.0)


def nearest_correlation(r, floor=1e-8):
    """Nearest valid correlation matrix by eigenvalue clipping and rescaling.

    The spectral method of Rebonato and Jäckel (1999): eigenvalues below
    ``floor`` are raised to it, and the result is rescaled to a unit diagonal.
    Higham's (2002) alternating projections find the nearest matrix in the
    Frobenius norm; clipping is close to it for the small matrices of a
    scenario and always positive definite.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .9, .9], [.9, 1, -.9], [.9, -.9, 1]])
    >>> bool(np.linalg.eigvalsh(nearest_correlation(r)).min() > 0)
    True
    """
    r = np.asarray(r, dtype=float)
    w, v = np.linalg.eigh((r + r.T) / 2.0)
    m = (v * np.maximum(w, floor)) @ v.T
    d = np.sqrt(np.diag(m))
    out = m / np.outer(d, d)
    np.fill_diagonal(out, 1.0)
    return out


def parse_correlations(table, uncertain, file="<dict>"):
    """Validate a ``[correlations]`` table; return ``(keys, spearman matrix)`` or None.

    Parameters
    ----------
    table : mapping
        ``"KEY_A, KEY_B" = rho`` entries (Spearman rank correlations in (-1, 1)).
    uncertain : mapping
        Dotted key -> :class:`Distribution` of the scenario.
    file : str
        Scenario file named in error messages.

    Returns
    -------
    tuple or None
        ``(keys, matrix)``: the keys in order of first mention and their
        Spearman matrix (read-only); ``None`` for an empty table.

    Raises
    ------
    ScenarioError
        A malformed entry, a key that is not uncertain, ``|rho| >= 1``, or a
        matrix that is not a valid correlation matrix and cannot be repaired
        by moving each entry at most ``simkit.config.CORRELATION_REPAIR_TOL``.

    Warns
    -----
    CorrelationWarning
        When the matrix is slightly inconsistent and the nearest valid one is
        used instead.

    Examples
    --------
    >>> u = {"a.x": parse_distribution({"dist": "uniform", "min": 0, "max": 1}, "a.x"),
    ...      "a.y": parse_distribution({"dist": "uniform", "min": 0, "max": 1}, "a.y")}
    >>> keys, m = parse_correlations({"a.x, a.y": 0.5}, u)
    >>> keys, m.tolist()
    (('a.x', 'a.y'), [[1.0, 0.5], [0.5, 1.0]])
    """
    from .. import config
    from ._load import _hint

    if not isinstance(table, dict) and not hasattr(table, "items"):
        raise ScenarioError(file, "correlations", 'a table of "KEY_A, KEY_B" = rho',
                            table)
    keys, pairs = [], {}
    for name, rho in table.items():
        where = f"correlations.{_quote(name)}"
        parts = [p.strip() for p in str(name).split(",")]
        if len(parts) != 2 or not all(parts):
            raise ScenarioError(file, where, 'a pair of keys "KEY_A, KEY_B"')
        for p in parts:
            if p not in uncertain:
                raise ScenarioError(file, where, f"a pair of uncertain keys (`{p}` is "
                                    "not given as a distribution)"
                                    + _hint(p, uncertain))
        a, b = parts
        if a == b:
            raise ScenarioError(file, where, "a pair of two different keys")
        if frozenset(parts) in pairs:
            raise ScenarioError(file, where, "given once (the pair is repeated)")
        if not _num(rho) or not -1.0 < rho < 1.0:
            raise ScenarioError(file, where, "a rank correlation in (-1, 1) (a key "
                                "perfectly correlated with another is that key)", rho)
        pairs[frozenset(parts)] = float(rho)
        keys += [k for k in parts if k not in keys]
    if not keys:
        return None
    n = len(keys)
    s = np.eye(n)
    for pair, rho in pairs.items():
        a, b = sorted(pair, key=keys.index)
        i, j = keys.index(a), keys.index(b)
        s[i, j] = s[j, i] = rho
    r = spearman_to_normal(s)
    if np.linalg.eigvalsh(r).min() <= 1e-10:
        fixed = _normal_to_spearman(nearest_correlation(r))
        np.fill_diagonal(fixed, 1.0)
        diff = np.abs(fixed - s)
        i, j = np.unravel_index(np.argmax(diff), diff.shape)
        name = f"{keys[i]}, {keys[j]}"
        tol = config.CORRELATION_REPAIR_TOL
        if diff[i, j] > tol:
            raise ScenarioError(file, "correlations", "a valid correlation matrix "
                                "(positive definite); the nearest valid one moves "
                                f'"{name}" from {s[i, j]:g} to {fixed[i, j]:.2f}: '
                                "make these correlations consistent")
        warnings.warn(f"{file}: the correlations are not a valid correlation matrix; "
                      f"using the nearest valid one (largest change: \"{name}\" "
                      f"{s[i, j]:g} -> {fixed[i, j]:.3f})", CorrelationWarning,
                      stacklevel=2)
        s = fixed
    s = np.array(s)
    s.setflags(write=False)
    return tuple(keys), s


def _quote(name):
    return f'"{name}"' if "." in str(name) or "," in str(name) else str(name)


# ---------------------------------------------------------------------- draws


def _draw_inputs_iv(root_key, path_offset, n_paths):
    """Input validation for :func:`draw_inputs`: three non-negative integers."""
    from .. import _validate

    return (_validate.integer(root_key, "root_key", minimum=0, maximum=2 ** 64 - 1),
            _validate.integer(path_offset, "path_offset", minimum=0),
            _validate.integer(n_paths, "n_paths", minimum=0))


def draw_inputs(scenario, root_key: int, path_offset: int, n_paths: int) -> dict:
    """Draw every uncertain input of ``scenario`` on paths ``path_offset ...``.

    Parameters
    ----------
    scenario : Scenario
        Its :attr:`~simkit.scenario.Scenario.uncertain` keys are drawn.
    root_key : int
        The run's root key (:func:`simkit._simulate.root_key` of the seed).
    path_offset : int
        Global index of the first path.
    n_paths : int
        Number of paths.

    Returns
    -------
    dict[str, ndarray]
        Dotted key -> float64 array of length ``n_paths`` (integer keys
        rounded); empty when the scenario has no uncertain input.

    Notes
    -----
    Path ``i``'s value of key ``k`` depends only on ``(root_key, i, k)``, the
    key's distribution and, through the Cholesky factor, the correlations of
    the keys listed before ``k`` in ``[correlations]``.

    Examples
    --------
    >>> from simkit.scenario import scenario_from_dict
    >>> sc = scenario_from_dict({"audience": {"join_rate": {
    ...     "dist": "lognormal", "median": 0.02, "sigma": 0.3, "hi": 0.5}}})
    >>> x = draw_inputs(sc, 12345, 0, 1000)["audience.join_rate"]
    >>> x.shape, bool(0.018 < float(np.median(x)) < 0.022)
    ((1000,), True)
    >>> y = draw_inputs(sc, 12345, 500, 10)["audience.join_rate"]
    >>> bool((y == x[500:510]).all())
    True
    """
    root_key, path_offset, n_paths = _draw_inputs_iv(root_key, path_offset, n_paths)
    unc = getattr(scenario, "uncertain", {}) or {}
    if not unc:
        return {}
    u = {k: key_uniforms(root_key, k, path_offset, n_paths) for k in unc}
    corr = getattr(scenario, "correlations", None)
    if corr is not None:
        keys, s = corr
        chol = np.linalg.cholesky(spearman_to_normal(s))
        z = special.ndtri(np.stack([u[k] for k in keys]))
        zc = chol @ z
        for k, row in zip(keys, zc):
            # Phi(z) in (0, 1); clip away exact 0/1 from the far tails.
            u[k] = np.clip(special.ndtr(row), 1e-300, 1.0 - 2.0 ** -53)
    from ._schema import SCHEMA

    out = {}
    for k, dist in unc.items():
        x = np.asarray(dist.ppf(u[k]), dtype=np.float64)
        sec, _, name = k.rpartition(".")
        f = SCHEMA.get(sec, {}).get(name)
        if f is not None and f.kind == "int":
            x = np.rint(x)
        out[k] = x
    return out
