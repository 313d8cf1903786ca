"""TOML scenario files -> validated, frozen :class:`Scenario` objects.

Only this module parses TOML; the model code sees validated values by dotted
key (``scenario["audience.join_rate"]``).
"""

from __future__ import annotations

import copy
import csv
import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ..errors import ScenarioError, SimkitError
from ._schema import OPTIONAL_SECTIONS, PATH_KEYS, SCHEMA
from ._uncertain import parse_correlations, parse_distribution

__all__ = ["Scenario", "Catalogue", "load_scenario", "scenario_from_dict",
           "load_catalogue", "bundled_scenarios"]


def _readonly(a, dtype) -> np.ndarray:
    """Return a read-only copy of ``a`` that cannot be made writeable again.

    The copy is a view of a read-only base array, so ``setflags(write=True)``
    raises too: a shared (cached) catalogue cannot be changed through it.
    """
    base = np.array(a, dtype=dtype)
    base.setflags(write=False)
    return base.view()


#: Deepest nesting of tables and arrays a scenario may have (a valid file needs
#: about 6: variants.NAME.schedule.slots[i][j]); deeper input is refused before
#: anything recurses into it.
MAX_NESTING = 32


def _check_nesting(data, file):
    """Refuse tables or arrays nested more than :data:`MAX_NESTING` deep.

    Walks ``data`` without recursion (so a document thousands of levels deep,
    or a mapping that contains itself, is refused in one line rather than
    exhausting the stack). The error names the first one or two keys above
    the deep part.

    Examples
    --------
    >>> deep = {"variants": {"v": 1}}
    >>> for _ in range(40):
    ...     deep["variants"]["v"] = [deep["variants"]["v"]]
    >>> _check_nesting(deep, "x.toml")
    Traceback (most recent call last):
    ...
    simkit.errors.ScenarioError: x.toml: `variants.v` must be nested at most 32 tables or arrays deep
    """
    stack = [(data, 0, ())]
    while stack:
        obj, depth, key = stack.pop()
        if isinstance(obj, Mapping):
            items = obj.items()
        elif isinstance(obj, (list, tuple)):
            items = ((None, v) for v in obj)
        else:
            continue
        if depth >= MAX_NESTING:
            raise ScenarioError(file, ".".join(key) or "<top>", "nested at most "
                                f"{MAX_NESTING} tables or arrays deep")
        for k, v in items:
            sub = key + (str(k),) if k is not None and len(key) < 2 else key
            stack.append((v, depth + 1, sub))


def _freeze(obj):
    """Deep read-only copy of a parsed mapping: tables become mappingproxies and
    lists become tuples (the validators accept both)."""
    if isinstance(obj, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return tuple(_freeze(v) for v in obj)
    return obj


def _thaw(obj):
    """Inverse of :func:`_freeze`: plain, new dicts and lists (as ``tomllib`` gives)."""
    if isinstance(obj, Mapping):
        return {k: _thaw(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_thaw(v) for v in obj]
    return obj


@dataclass(frozen=True)
class Catalogue:
    """A gift catalogue: names, coin prices and base weights.

    The arrays are read-only copies of those given (catalogues are cached and
    shared between scenarios).

    Attributes
    ----------
    names : tuple of str
        Gift names.
    coins : ndarray of int64
        Coin price of each gift (read-only).
    weights : ndarray of float
        Base pick weight of each gift (read-only).
    source : str
        ``"default"`` or the CSV path.

    Examples
    --------
    >>> cat = load_catalogue("default")
    >>> int(cat.coins[0]), cat.names[0]
    (1, 'Rose')
    >>> cat.coins[0] = 5
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    """

    names: tuple
    coins: np.ndarray
    weights: np.ndarray
    source: str = "default"

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(self.names))
        object.__setattr__(self, "coins", _readonly(self.coins, np.int64))
        object.__setattr__(self, "weights", _readonly(self.weights, float))

    def segment_weights(self, tilt: float) -> np.ndarray:
        """Return normalized pick probabilities ``w_j * coins_j**tilt``.

        Parameters
        ----------
        tilt : float
            The segment's ``segments.catalogue_tilt``.

        Returns
        -------
        ndarray
            A new (writeable) array of probabilities summing to 1.

        Examples
        --------
        >>> cat = Catalogue(("A", "B"), [1, 10], [1.0, 1.0])
        >>> cat.segment_weights(1.0).round(3).tolist()
        [0.091, 0.909]
        """
        w = self.weights * self.coins.astype(float) ** tilt
        return w / w.sum()


_CATALOGUE_CACHE: dict = {}
#: Most coins a gift may cost: the dearest TikTok gift (TikTok Universe) costs
#: 44,999 coins; a million is a typo or a unit mistake.
MAX_COINS = 1_000_000
#: Largest base weight of a gift (weights are relative; counts of gifts sent
#: on a whole platform stay below this).
MAX_WEIGHT = 1e12


def load_catalogue(spec: str, base_dir: Path | None = None, file="<dict>") -> Catalogue:
    """Load a gift catalogue CSV (``name,coins,weight``; ``#`` lines are comments).

    Parameters
    ----------
    spec : str
        ``"default"`` for the embedded catalogue, or a path (relative paths are
        taken relative to ``base_dir``).
    base_dir : Path, optional
        Directory of the scenario file.
    file : str
        Scenario file named in error messages.

    Returns
    -------
    Catalogue
        Cached per file (absolute path, size and modification time) and
        shared; its arrays are read-only.

    Examples
    --------
    >>> cat = load_catalogue("default")
    >>> cat is load_catalogue("default"), cat.coins.flags.writeable
    (True, False)
    """
    if spec == "default":
        path = resources.files("simkit") / "data" / "gifts_2025-11.csv"
        label = "default"
    else:
        path = Path(spec)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        label = str(path)
        try:
            exists = path.is_file()
        except OSError:  # a name too long for the file system, say
            exists = False
        if not exists:
            raise ScenarioError(file, "catalogue.file", "an existing CSV file", spec)
    try:
        # Keyed by the absolute path, size and modification time: a relative
        # path names another file after a chdir, and an edited file is read again.
        key = "default" if spec == "default" else (
            str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns)
        if key in _CATALOGUE_CACHE:
            return _CATALOGUE_CACHE[key]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(label, "<file>", "UTF-8 text") from None
    except OSError as exc:  # e.g. an I/O error reading /proc/self/mem
        raise ScenarioError(label, "<file>", "a readable file "
                            f"({exc.strerror or exc})") from None
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(rows)
    if reader.fieldnames is None or not {"name", "coins", "weight"} <= set(
            reader.fieldnames):
        raise ScenarioError(label, "header", "columns name,coins,weight",
                            reader.fieldnames)
    names, coins, weights = [], [], []
    for i, r in enumerate(reader, start=1):
        try:
            c, w = float(r["coins"]), float(r["weight"])
        except (TypeError, ValueError):
            raise ScenarioError(label, f"row {i}", "numeric coins and weight",
                                (r.get("coins"), r.get("weight"))) from None
        if not (1 <= c <= MAX_COINS and c == int(c)) or not 0 <= w <= MAX_WEIGHT:
            raise ScenarioError(label, f"row {i}",
                                f"coins an integer in [1, {MAX_COINS:,}] and weight "
                                f"a number in [0, {MAX_WEIGHT:g}]", (c, w))
        names.append(r["name"])
        coins.append(int(c))
        weights.append(w)
    if not names or sum(weights) <= 0:
        raise ScenarioError(label, "weight", "positive for at least one gift")
    cat = Catalogue(tuple(names), coins, weights, label)
    _CATALOGUE_CACHE[key] = cat
    return cat


def _hint(name, options):
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_number(f, v, file, key):
    if not _is_num(v) or not math.isfinite(v):
        raise ScenarioError(file, key, f.expected(), v)
    if v < f.lo or v > f.hi or (f.lo_open and v == f.lo):
        raise ScenarioError(file, key, f.expected(), v)


def _check_field(f, v, file, key):
    """Validate one value against its Field; return the normalized value."""
    k = f.kind
    if k == "bool":
        if not isinstance(v, bool):
            raise ScenarioError(file, key, f.expected(), v)
        return v
    if k == "str":
        if not isinstance(v, str) or (f.choices and v not in f.choices):
            raise ScenarioError(file, key, f.expected(), v)
        return v
    if k == "strs":
        if not isinstance(v, (list, tuple)) or not all(isinstance(s, str) for s in v):
            raise ScenarioError(file, key, "a list of strings", v)
        return tuple(v)
    if k == "int":
        if not _is_num(v) or not float(v).is_integer():
            raise ScenarioError(file, key, f.expected(), v)
        _check_number(f, v, file, key)
        return int(v)
    if k == "float":
        _check_number(f, v, file, key)
        return float(v)
    if k == "floats":
        if not isinstance(v, (list, tuple)) or len(v) == 0 or (
                f.length is not None and len(v) != f.length):
            raise ScenarioError(file, key, f.expected(), v)
        for i, x in enumerate(v):
            _check_number(f, x, file, f"{key}[{i}]")
        return tuple(float(x) for x in v)
    if k == "slots":
        if not isinstance(v, (list, tuple)) or len(v) == 0:
            raise ScenarioError(file, key, f.expected(), v)
        out = []
        for i, s in enumerate(v):
            if (not isinstance(s, (list, tuple)) or len(s) != 2
                    or not all(_is_num(x) and float(x).is_integer() for x in s)
                    or not 0 <= s[0] <= 6 or not 0 <= s[1] <= 23):
                raise ScenarioError(file, f"{key}[{i}]", "[weekday 0-6, hour 0-23]", s)
            out.append((int(s[0]), int(s[1])))
        if len(set(out)) != len(out):
            raise ScenarioError(file, key, "distinct slots", v)
        return tuple(sorted(out))
    if k == "streams":
        return _check_streams(v, file, key)
    if k == "table":
        if not isinstance(v, dict):
            raise ScenarioError(file, key, "a table", v)
        return v
    raise AssertionError(k)  # pragma: no cover


_STREAM_KEYS = {"day": (0, 100_000), "hour": (0, 23), "duration_min": (1, 1440),
                "collab": None, "promotion": (1, 10)}


def _check_streams(v, file, key):
    if not isinstance(v, (list, tuple)):
        raise ScenarioError(file, key, "a list of tables", v)
    out = []
    for i, s in enumerate(v):
        k = f"{key}[{i}]"
        if not isinstance(s, dict):
            raise ScenarioError(file, k, "a table {day, hour, ...}", s)
        for name in s:
            if name not in _STREAM_KEYS:
                raise ScenarioError(file, f"{k}.{name}",
                                    "a known key" + _hint(name, _STREAM_KEYS) +
                                    " (day, hour, duration_min, collab, promotion)")
        for req in ("day", "hour"):
            if req not in s:
                raise ScenarioError(file, f"{k}.{req}", "present")
        item = {}
        for name, val in s.items():
            if name == "collab":
                if not isinstance(val, bool):
                    raise ScenarioError(file, f"{k}.collab", "true or false", val)
                item[name] = val
                continue
            lo, hi = _STREAM_KEYS[name]
            if not _is_num(val) or not lo <= val <= hi or (
                    name in ("day", "hour") and not float(val).is_integer()):
                kind = "an integer" if name in ("day", "hour") else "a number"
                raise ScenarioError(file, f"{k}.{name}", f"{kind} in [{lo}, {hi}]", val)
            item[name] = int(val) if name in ("day", "hour") else float(val)
        out.append(MappingProxyType(item))
    return tuple(sorted(out, key=lambda s: (s["day"], s["hour"])))


def uncertain_keys() -> frozenset:
    """Dotted keys that may be given as a distribution (``_schema.PATH_KEYS``).

    Every numeric scalar key except those that fix the shape of a run (horizon
    length, streams per week, stream length), ``segments.gift_size_tilt`` (it
    enters the per-scenario gift-pick weights) and the ``sponsorship.*`` and
    ``sweep.*`` keys, which configure analyses rather than the model.

    Examples
    --------
    >>> "audience.join_rate" in uncertain_keys(), "horizon.weeks" in uncertain_keys()
    (True, False)
    """
    return PATH_KEYS


def _check_value(f, v, file, key, base_dir, uncertain):
    """Validate one given value; a distribution table of a numeric key goes to
    ``uncertain`` and its median is the value."""
    if isinstance(v, Mapping) and f.kind in ("float", "int"):
        if key not in uncertain_keys():
            raise ScenarioError(file, key, f"{f.expected()} (the same on every path: "
                                "it cannot be a distribution)", _thaw(v))
        dist = parse_distribution(v, key, file, base_dir, (f.lo, f.hi), f.lo_open,
                                  f.kind == "int")
        uncertain[key] = dist
        return int(round(dist.median)) if f.kind == "int" else dist.median
    if isinstance(v, Mapping) and "dist" in v:
        raise ScenarioError(file, key, f"{f.expected()} (only numeric keys may be "
                            "given as a distribution)", _thaw(v))
    return _check_field(f, v, file, key)


def _validate(raw: dict, file: str, base_dir=None):
    """Check a nested mapping against SCHEMA.

    Returns ``(values, uncertain, correlations)``: dotted key -> value (an
    uncertain key's median), dotted key -> Distribution, and the parsed
    ``[correlations]`` (or None).
    """
    if not isinstance(raw, dict):
        raise ScenarioError(file, "<top>", "a table", raw)
    allowed_top = set(SCHEMA) - {""} | set(SCHEMA[""]) | {"variants", "correlations"}
    values, uncertain = {}, {}
    for top, val in raw.items():
        if top not in allowed_top:
            raise ScenarioError(file, top, "a known key" + _hint(top, allowed_top))
        if top in SCHEMA[""]:
            values[top] = _check_field(SCHEMA[""][top], val, file, top)
        elif top != "variants" and not isinstance(val, dict):
            raise ScenarioError(file, top, "a table", val)
    for sec, fields in SCHEMA.items():
        if sec == "":
            continue
        given = raw.get(sec, {})
        for key in given:
            if key not in fields:
                raise ScenarioError(file, f"{sec}.{key}",
                                    "a known key" + _hint(key, fields))
        if sec in OPTIONAL_SECTIONS and sec not in raw:
            continue
        for key, f in fields.items():
            dotted = f"{sec}.{key}"
            values[dotted] = (_check_value(f, given[key], file, dotted, base_dir,
                                           uncertain)
                              if key in given else f.default)
    for key, f in SCHEMA[""].items():
        values.setdefault(key, f.default)
    _cross_check(values, file)
    corr = (parse_correlations(raw["correlations"], uncertain, file)
            if raw.get("correlations") else None)
    return ({k: _freeze(v) for k, v in values.items()}, MappingProxyType(uncertain),
            corr)


def _cross_check(v, file):
    """Relations between keys that single-field checks cannot see."""
    seg = [f"segments.{k}" for k in ("follower_shares", "newcomer_shares",
                                     "gift_rate_per_min", "catalogue_tilt")]
    n = len(v["segments.names"])
    if n == 0:
        raise ScenarioError(file, "segments.names", "a non-empty list of strings",
                            list(v["segments.names"]))
    for k in seg:
        if len(v[k]) != n:
            raise ScenarioError(file, k, f"a list of {n} numbers (one per segment in "
                                "segments.names)", list(v[k]))
    for k in seg[:2]:
        if abs(sum(v[k]) - 1.0) > 1e-6:
            raise ScenarioError(file, k, "shares summing to 1", list(v[k]))
    lo, hi = v["schedule.waking_hours"]
    if not hi - lo >= 1:
        raise ScenarioError(file, "schedule.waking_hours", "[first, end) with end >= "
                            "first + 1", [lo, hi])
    days = 7 * v["horizon.weeks"]
    if v["schedule.kind"] == "explicit":
        streams = v["schedule.streams"]
        if not streams:
            raise ScenarioError(file, "schedule.streams", "a non-empty list for "
                                "kind = 'explicit'")
        for i, s in enumerate(streams):
            if s["day"] >= days:
                raise ScenarioError(file, f"schedule.streams[{i}].day",
                                    f"a day before the horizon's end ({days})",
                                    s["day"])
    if v["collaboration.probability"] > 0 and v["collaboration.partner_followers"] == 0:
        raise ScenarioError(file, "collaboration.partner_followers", "> 0 when "
                            "collaboration.probability > 0", 0)
    if "sweep.params" in v:
        _check_sweep(v, file)


def _check_sweep(v, file):
    params = v["sweep.params"]
    if not params:
        raise ScenarioError(file, "sweep.params", "a table of dotted key = [low, high]")
    numeric = {f"{s}.{k}" for s, fs in SCHEMA.items() if s not in ("", "sweep",
               "sponsorship") for k, f in fs.items() if f.kind in ("float", "int")}
    for key, rng in params.items():
        if key not in numeric:
            raise ScenarioError(file, f"sweep.params.{key}", "a numeric scenario key"
                                + _hint(key, numeric))
        if (not isinstance(rng, list) or len(rng) != 2 or not all(map(_is_num, rng))
                or not rng[0] < rng[1]):
            raise ScenarioError(file, f"sweep.params.{key}", "[low, high] with "
                                "low < high", rng)
        sec, _, name = key.rpartition(".")
        f = SCHEMA[sec][name]
        if rng[0] < f.lo or rng[1] > f.hi or (f.lo_open and rng[0] == f.lo):
            raise ScenarioError(file, f"sweep.params.{key}", "[low, high] inside the "
                                f"key's range ({f.expected()})", rng)
    for key in v["sweep.log"]:
        if key not in params:
            raise ScenarioError(file, "sweep.log", "keys listed in sweep.params", key)


def _deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` onto ``base`` table by table; a distribution table (one with
    ``dist``) replaces what was there, whole."""
    out = copy.deepcopy(base)
    for k, val in over.items():
        if isinstance(val, dict) and isinstance(out.get(k), dict) and "dist" not in val:
            out[k] = _deep_merge(out[k], val)
        else:
            out[k] = copy.deepcopy(val)
    return out


def _fixed_keys(nested: dict, prefix="") -> list:
    """Dotted keys that an override table sets to a plain value (not a table)."""
    out = []
    for k, v in nested.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and "dist" not in v:
            out += _fixed_keys(v, key + ".")
        elif not isinstance(v, Mapping):
            out.append(key)
    return out


def _drop_correlations(merged: dict, fixed) -> dict:
    """Remove ``[correlations]`` pairs naming a key an override fixed to a number
    (its distribution is gone, so it has nothing to correlate)."""
    table = merged.get("correlations")
    if not isinstance(table, dict) or not fixed:
        return merged
    fixed = set(fixed)
    kept = {name: rho for name, rho in table.items()
            if not {p.strip() for p in str(name).split(",")} & fixed}
    merged = dict(merged)
    if kept:
        merged["correlations"] = kept
    else:
        merged.pop("correlations")
    return merged


def _dotted_to_nested(dotted: dict) -> dict:
    out: dict = {}
    for key, val in dotted.items():
        sec, _, name = key.rpartition(".")
        (out.setdefault(sec, {}) if sec else out)[name] = val
    return out


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: every key of the schema, with defaults filled in.

    Build one with :func:`load_scenario` or :func:`scenario_from_dict`; read
    values by dotted key (``scenario["creator.followers"]``).

    Attributes
    ----------
    name : str
        Scenario name (``base:variant`` for a variant).
    source : str
        File it came from, or ``"<dict>"``.
    raw : mapping
        The mapping as given (before defaults), used to derive variants;
        read-only all the way down (tables are mappingproxies, lists tuples).
    values : mapping
        Dotted key -> validated value, including defaults (read-only: lists
        are tuples, tables mappingproxies).
    catalogue : Catalogue
        The gift catalogue (read-only arrays).
    uncertain : mapping
        Dotted key -> :class:`~simkit.scenario.Distribution` of each key given
        as a distribution (read-only; empty when none). ``values`` holds its
        median, the nominal value.
    correlations : tuple or None
        ``(keys, matrix)``: the uncertain keys named in ``[correlations]`` and
        their Spearman rank-correlation matrix (read-only), or None.

    Examples
    --------
    >>> sc = scenario_from_dict({"creator": {"followers": 50_000}})
    >>> sc["creator.followers"], sc["audience.join_rate"]
    (50000, 0.04)
    >>> sc.with_overrides({"audience.join_rate": 0.06})["audience.join_rate"]
    0.06
    """

    name: str
    source: str
    raw: MappingProxyType
    values: MappingProxyType
    catalogue: Catalogue
    variant_name: str | None = None
    _variants: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    uncertain: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    correlations: tuple | None = field(default=None, compare=False)

    def __getitem__(self, key):
        try:
            return self.values[key]
        except KeyError:
            raise KeyError(f"unknown scenario key `{key}`"
                           + _hint(key, self.values)) from None

    @property
    def variants(self) -> tuple:
        """Names of the variants the file defines (empty tuple if none)."""
        return tuple(self._variants)

    def variant(self, name: str) -> Scenario:
        """Return the scenario with variant ``name``'s overrides applied.

        Parameters
        ----------
        name : str
            One of :attr:`variants`.

        Returns
        -------
        Scenario
            Named ``BASE:NAME``.

        Raises
        ------
        ScenarioError
            If there is no such variant, or if the merged scenario is invalid;
            the key path then starts with ``variants.NAME.``.

        Examples
        --------
        >>> sc = scenario_from_dict({"variants": {"big": {"creator":
        ...                                               {"followers": 90_000}}}})
        >>> big = sc.variant("big")
        >>> big.name, big["creator.followers"]
        ('scenario:big', 90000)
        >>> scenario_from_dict({"variants": {"a": {"creator": {"followers": -1}}}})
        Traceback (most recent call last):
        ...
        simkit.errors.ScenarioError: <dict>: `variants.a.creator.followers` must be an integer in [0, 1000000000], got -1
        """
        if name not in self._variants:
            opts = ", ".join(self._variants) or "none defined"
            raise ScenarioError(self.source, "variants", f"one of: {opts}"
                                + _hint(name, self._variants), name)
        over = _thaw(self._variants[name])
        merged = _drop_correlations(_deep_merge(_thaw(self.raw), over),
                                    _fixed_keys(over))
        try:
            return _build(merged, self.source, variant=name, base_name=self.name,
                          variants=self._variants)
        except ScenarioError as exc:
            if exc.file != self.source:  # about another file (a catalogue CSV)
                raise
            raise _rekeyed(exc, f"variants.{name}.{exc.key}") from None

    def with_overrides(self, overrides: dict) -> Scenario:
        """Return a copy with dotted-key overrides applied and validated.

        Parameters
        ----------
        overrides : dict
            Dotted key -> value, e.g. ``{"audience.join_rate": 0.06}``.

        Returns
        -------
        Scenario
            A new scenario; ``self`` is unchanged.

        Raises
        ------
        ScenarioError
            On an unknown key or an invalid value.

        Examples
        --------
        >>> sc = scenario_from_dict({})
        >>> sc.with_overrides({"creator.followers": 500})["creator.followers"]
        500
        >>> sc.with_overrides({"creator.folowers": 500})
        Traceback (most recent call last):
        ...
        simkit.errors.ScenarioError: <dict>: `creator.folowers` must be a known key (did you mean `followers`?)
        """
        for key in overrides:
            if key not in self.values and key.rpartition(".")[0] not in SCHEMA:
                raise ScenarioError(self.source, key, "a known key"
                                    + _hint(key, self.values))
        _check_nesting(overrides, self.source)
        merged = _drop_correlations(
            _deep_merge(_thaw(self.raw), _dotted_to_nested(dict(overrides))),
            [k for k, v in overrides.items() if not isinstance(v, Mapping)])
        base = self.name.split(":")[0]
        return _build(merged, self.source, variant=self.variant_name, base_name=base,
                      variants=self._variants)

    def to_dict(self) -> dict:
        """Return the full nested mapping (defaults included), as in a TOML file.

        Returns
        -------
        dict
            New, plain dicts and lists (JSON-ready); changing them does not
            change the scenario.

        Examples
        --------
        An uncertain key is written as its distribution table (an empirical
        ``file`` as its ``samples``), and ``[correlations]`` as given, so
        :func:`scenario_from_dict` of the result gives the same draws.

        >>> d = scenario_from_dict({}).to_dict()
        >>> d["creator"]["followers"], d["schedule"]["slots"][0]
        (10000, [1, 20])
        >>> sc = scenario_from_dict({"habit": {"max_gain": {
        ...     "dist": "pert", "min": 0.0, "mode": 0.3, "max": 0.6}}})
        >>> sc.to_dict()["habit"]["max_gain"]
        {'dist': 'pert', 'min': 0.0, 'mode': 0.3, 'max': 0.6}
        """
        vals = {k: _thaw(v) for k, v in self.values.items() if v is not None}
        vals.update({k: d.spec() for k, d in self.uncertain.items()})
        out = _dotted_to_nested(vals)
        if self.correlations is not None:
            keys, m = self.correlations
            out["correlations"] = {f"{keys[i]}, {keys[j]}": float(m[i, j])
                                   for i in range(len(keys))
                                   for j in range(i + 1, len(keys)) if m[i, j] != 0}
        return out

    @property
    def horizon_days(self) -> int:
        """Days in the horizon (7 x weeks)."""
        return 7 * self["horizon.weeks"]

    @property
    def stream_duration_min(self) -> float:
        """Default stream length in minutes."""
        return self["stream.duration_min"]

    @property
    def sponsorship(self) -> dict | None:
        """The ``[sponsorship]`` table with defaults, or ``None``."""
        return self._section("sponsorship")

    @property
    def sweep(self) -> dict | None:
        """The ``[sweep]`` table with defaults, or ``None``."""
        return self._section("sweep")

    def _section(self, sec):
        if f"{sec}.{next(iter(SCHEMA[sec]))}" not in self.values:
            return None
        return {k.partition(".")[2]: v for k, v in self.values.items()
                if k.startswith(sec + ".")}


def _build(raw, source, *, variant=None, base_name=None, variants=None) -> Scenario:
    base = Path(source).parent if source != "<dict>" else None
    values, uncertain, corr = _validate(raw, source, base)
    variants = variants if variants is not None else raw.get("variants", {})
    if not isinstance(variants, Mapping):
        raise ScenarioError(source, "variants", "a table of named override tables",
                            variants)
    for vname, over in variants.items():
        if not isinstance(over, Mapping):
            raise ScenarioError(source, f"variants.{vname}", "a table of overrides",
                                over)
        if "variants" in over or "name" in over:
            raise ScenarioError(source, f"variants.{vname}", "overrides of scenario "
                                "keys (not name or variants)")
        _check_name(source, "variants", vname)
    if values["name"]:
        _check_name(source, "name", values["name"])
    cat = load_catalogue(values["catalogue.file"], base, source)
    name = base_name or values["name"] or (Path(source).stem if source != "<dict>"
                                           else "scenario")
    if variant is None:
        _check_file_names(source, name, variants)
    if variant:
        name = f"{name}:{variant}"
    raw = _freeze({k: v for k, v in raw.items() if k != "variants"})
    return Scenario(name, source, raw, MappingProxyType(values), cat, variant,
                    _freeze(variants), uncertain, corr)


def _check_name(source, key, name):
    """Refuse a scenario or variant name with control characters (NUL, newline,
    escape, ...): it could not be printed on one line or made a file name."""
    from .._names import bad_name_char

    if not isinstance(name, str) or (key == "variants" and not name):
        raise ScenarioError(source, key, "non-empty string names", name)
    ch = bad_name_char(name)
    if ch is not None:
        shown = name if len(name) <= 60 else name[:60] + "..."
        raise ScenarioError(source, key, "a name without control characters "
                            f"(found {ch!r})", shown)


def _check_file_names(source, name, variants):
    """Refuse two variants whose results would go to the same files (``"a b"``
    and ``"a_b"`` are both written as ``NAME_a_b.*``; case is ignored, as on
    case-insensitive file systems)."""
    from .._names import file_stem

    seen = {}
    for v in variants:
        stem = file_stem(f"{name}:{v}")
        other = seen.setdefault(stem.casefold(), v)
        if other != v:
            raise ScenarioError(source, f"variants.{v}", "a name whose file name "
                                f"differs from variant `{other}`'s (both would be "
                                f"written as {stem}.*)")


def _rekeyed(exc: ScenarioError, key: str) -> ScenarioError:
    """The same error as ``exc``, reported under ``key`` (with ``got`` only if
    ``exc`` had one)."""
    got = [exc.got] if str(exc).endswith(f", got {exc.got!r}") else []
    return ScenarioError(exc.file, key, exc.expected, *got)


def _scenario_from_dict_iv(data, source):
    """Input validation for :func:`scenario_from_dict`."""
    if not isinstance(data, Mapping):
        raise SimkitError(f"`data` must be a mapping (a dict of TOML tables), got "
                          f"{type(data).__name__}")
    return data, str(source)


def scenario_from_dict(data: dict, source: str = "<dict>") -> Scenario:
    """Validate a nested mapping (as parsed from TOML) into a :class:`Scenario`.

    Each variant is validated too, so a bad override fails at load time.

    Parameters
    ----------
    data : dict
        Nested mapping, as ``tomllib`` returns it; missing keys take defaults.
    source : str
        Name used in error messages (the file, or ``"<dict>"``).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With the file, dotted key and what was expected.

    Examples
    --------
    >>> sc = scenario_from_dict({"creator": {"followers": 20_000}})
    >>> sc["creator.followers"]
    20000
    >>> scenario_from_dict({"creator": {"folowers": 1}})
    Traceback (most recent call last):
    ...
    simkit.errors.ScenarioError: <dict>: `creator.folowers` must be a known key (did you mean `followers`?)
    """
    data, source = _scenario_from_dict_iv(data, source)
    _check_nesting(data, source)
    sc = _build(dict(data), source)
    for v in sc.variants:
        sc.variant(v)
    return sc


def _bundled_dir():
    """The folder of the scenarios that ship with simkit (package data)."""
    return resources.files("simkit") / "data" / "scenarios"


def bundled_scenarios() -> dict[str, str]:
    """Return the scenarios that ship with simkit: ``{name: description}``.

    Each loads by name from anywhere, e.g. ``load_scenario("mid_tier")``;
    ``simkit scenarios`` lists them.

    Examples
    --------
    >>> names = bundled_scenarios()
    >>> "mid_tier" in names and "micro" in names
    True
    >>> names["mid_tier"].startswith("Mid-tier creator")
    True
    """
    out = {}
    for f in sorted(_bundled_dir().iterdir(), key=lambda f: f.name):
        if f.name.endswith(".toml"):
            data = tomllib.loads(f.read_text(encoding="utf-8"))
            out[f.name[:-5]] = str(data.get("description", ""))
    return out


def _bundled_file(name: str):
    """The bundled file of ``name`` (``"mid_tier"`` or ``"mid_tier.toml"``), or None."""
    stem = name[:-5] if name.endswith(".toml") else name
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        return None
    f = _bundled_dir() / f"{stem}.toml"
    try:
        return f if f.is_file() else None
    except OSError:  # a name too long for the file system: not a bundled one
        return None


def as_scenario(scenario, name="scenario", *, load=True) -> Scenario:
    """Return ``scenario`` as a :class:`Scenario`, loading it if it is a path.

    The check the public functions that take a scenario share (their
    ``_<name>_iv`` functions call it).

    Parameters
    ----------
    scenario : Scenario, str or os.PathLike
        A scenario, or (with ``load``) a file or bundled name for
        :func:`load_scenario`.
    name : str
        The argument's name, for the message.
    load : bool
        Accept a path and load it.

    Examples
    --------
    >>> as_scenario("micro").name
    'micro'
    >>> as_scenario(3)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `scenario` must be a Scenario or a scenario file (see simkit.load_scenario), got int
    """
    import os

    if load and isinstance(scenario, str | os.PathLike):
        return load_scenario(scenario)
    if not isinstance(scenario, Scenario):
        what = "a Scenario or a scenario file" if load else "a Scenario"
        raise SimkitError(f"`{name}` must be {what} (see simkit.load_scenario), got "
                          f"{type(scenario).__name__}")
    return scenario


def _load_scenario_iv(path):
    """Input validation for :func:`load_scenario`: a path or a name."""
    import os

    if not isinstance(path, str | os.PathLike) or not str(path):
        raise SimkitError(f"`path` must be a scenario file or a bundled scenario's "
                          f"name, got {path!r}")
    return path


def load_scenario(path) -> Scenario:
    """Load and validate a scenario: a TOML file, or the name of a bundled one.

    Parameters
    ----------
    path : str or Path
        A ``.toml`` file; if no such file exists, the name of a scenario that
        ships with simkit (``"mid_tier"``; :func:`bundled_scenarios` lists
        them), which loads from any directory.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        On a missing file that is not a bundled name (the message names the
        argument and lists the bundled names), a TOML syntax error or an
        invalid value; the message names the file and the dotted key.

    Examples
    --------
    >>> sc = load_scenario("scenarios/mid_tier.toml")
    >>> sc["creator.followers"] >= 50_000
    True
    >>> load_scenario("mid_tier")["creator.followers"] == sc["creator.followers"]
    True
    """
    text = str(_load_scenario_iv(path))
    path = Path(path)
    try:
        exists = path.is_file()
    except OSError:  # a name too long for the file system, say
        exists = False
    if not exists:
        bundled = _bundled_file(text)
        if bundled is None:
            exc = ScenarioError(text, "file", "an existing TOML file")
            exc.args = (f"{text}: no such scenario file, and not a bundled scenario "
                        f"(bundled: {', '.join(bundled_scenarios())})",)
            raise exc
        with resources.as_file(bundled) as real:
            path = Path(real)
            if path.is_file():  # an installed package: a real file
                return _load_file(path)
    return _load_file(path)


def _load_file(path: Path) -> Scenario:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, "<toml>", f"valid TOML ({exc})") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ScenarioError(path, "<toml>", f"nested at most {MAX_NESTING} tables "
                            "or arrays deep") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "<file>", "UTF-8 text") from None
    except OSError as exc:  # e.g. an I/O error reading /proc/self/mem
        raise ScenarioError(path, "<file>", "a readable file "
                            f"({exc.strerror or exc})") from None
    return scenario_from_dict(data, str(path))
