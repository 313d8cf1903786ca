"""Hypothesis strategies of the fuzz suite (``tests/test_fuzz.py``).

Scenario documents are built from the live schema
(:data:`simkit.scenario._schema.SCHEMA`): its bounds, kinds and choices are
read when a document is drawn, so tightened bounds are followed without a
change here. Four classes of documents:

``valid``
    Every value within the schema's bounds and the cross-key rules of
    ``scenario/_load.py``; the keys that drive the cost of a simulation are
    capped (:data:`CHEAP`) so that one example runs in well under a second.
``nearly``
    A valid document with one mistake: a value just out of range, a wrong
    type, a misspelt key, a list of the wrong length, a broken cross-key rule
    (in the base scenario or in a variant).
``hostile``
    A valid document with one hostile value (extreme or non-finite numbers,
    huge integers, odd strings, deep nesting, long lists), odd names of the
    scenario, its variants and its file, or nesting deep enough to exhaust a
    recursive parser.
``damaged``
    The file's bytes damaged (truncated, not UTF-8, a BOM, NUL bytes, random
    bytes), or a damaged gift catalogue CSV.

Command lines for every subcommand come from :func:`command_lines`: flag
values mostly valid and small (2-50 paths), some hostile.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import math
import re
import string

from hypothesis import strategies as st

# ----- the cheap box ------------------------------------------------------------------
#: Upper caps on the keys that drive the cost of a simulation (viewers, streams,
#: minutes, scenarios). A valid document stays below them; values between a cap
#: and the schema's upper bound are valid but expensive, and are only validated.
CHEAP = {
    "horizon.weeks": 1,
    "schedule.streams_per_week": 3,
    "stream.duration_min": 90.0,
    "creator.followers": 5000,
    "creator.live_min_followers": 2000,  # not a cost: keeps most creators live
    "creator.organic_growth_per_day": 50.0,
    "audience.discovery_rate_per_min": 5.0,
    "audience.promotion": 3.0,
    "audience.virality": 0.8,
    "dwell.median_min": 120.0,
    "dwell.follower_factor": 10.0,
    "segments.gift_rate_per_min": 0.5,
    "collaboration.partner_followers": 5000,
    "collaboration.interest": 3.0,
    "brand.offers_per_week": 10.0,
    "sponsorship.streams": 2,
    "sponsorship.first_stream": 0,
    "sweep.n": 3,
    "sweep.paths": 10,
}
#: Caps of the fields of an explicit stream (``schedule.streams`` items).
CHEAP_STREAM = {"duration_min": 90.0, "promotion": 3.0}
#: Cap of an uncapped value with no upper bound (fees, prices): large, finite.
BIG = 1e6

#: Keys a valid document always sets (their defaults are expensive).
ALWAYS = ("horizon.weeks", "schedule.kind", "stream.duration_min",
          "creator.followers", "audience.discovery_rate_per_min")

#: Keys tied to others by a cross-key rule: not varied in variants or sweeps.
_TIED = ("horizon.", "schedule.", "segments.", "collaboration.", "catalogue.",
         "sponsorship.", "sweep.")

NAME_ALPHABET = string.ascii_lowercase + string.digits + "_"


def schema():
    """The live schema (imported late: other code may change it)."""
    from simkit.scenario._schema import SCHEMA

    return SCHEMA


def fields():
    """``[(dotted key, Field)]`` of every scenario key, in schema order."""
    return [(f"{s}.{k}" if s else k, f) for s, fs in schema().items()
            for k, f in fs.items()]


def field(dotted):
    sec, _, key = dotted.rpartition(".")
    return schema()[sec][key]


def cheap_hi(dotted, f):
    """Upper end of the cheap box of a numeric key (within the schema's bounds)."""
    hi = min(f.hi, CHEAP.get(dotted, BIG))
    return max(hi, f.lo)


def in_bounds(f, v):
    """Whether number ``v`` lies within the Field's bounds."""
    return (math.isfinite(v) and f.lo <= v <= f.hi
            and not (f.lo_open and v == f.lo))


def expensive(dotted, v):
    """Whether ``v`` is a valid number above the cheap cap of ``dotted``."""
    if dotted not in CHEAP or isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return v > CHEAP[dotted] and in_bounds(field(dotted), float(v))
    except OverflowError:
        return False


# ----- valid values -------------------------------------------------------------------
def number(dotted, f):
    """A valid (cheap) number of a ``float`` or ``int`` Field, endpoints included."""
    lo, hi = f.lo, cheap_hi(dotted, f)
    if f.kind == "int":
        a, b = math.ceil(lo if lo > -math.inf else -BIG), math.floor(hi)
        ints = st.integers(a, max(a, b))
        return st.one_of(ints, st.sampled_from(sorted({a, max(a, b)})))
    a = lo if lo > -math.inf else -BIG
    floats = st.floats(a, hi, exclude_min=f.lo_open, allow_nan=False,
                       allow_infinity=False)
    ends = [hi] + ([] if f.lo_open else [a])
    return st.one_of(floats, st.sampled_from(ends))


def simple_name(min_size=1):
    return st.text(NAME_ALPHABET, min_size=min_size, max_size=8)


@st.composite
def catalogue_csv(draw):
    """A valid gift catalogue CSV (1-6 gifts)."""
    n = draw(st.integers(1, 6))
    coins = draw(st.lists(st.integers(1, 1000), min_size=n, max_size=n))
    weights = draw(st.lists(st.floats(0, 10), min_size=n, max_size=n))
    if sum(weights) <= 0:
        weights[0] = 1.0
    rows = "".join(f"gift{i},{c},{w!r}\n"
                   for i, (c, w) in enumerate(zip(coins, weights)))
    return ("# fuzz catalogue\nname,coins,weight\n" + rows).encode()


@st.composite
def streams(draw, weeks):
    item = st.fixed_dictionaries(
        {"day": st.integers(0, 7 * weeks - 1), "hour": st.integers(0, 23)},
        optional={"duration_min": st.floats(1, CHEAP_STREAM["duration_min"]),
                  "collab": st.booleans(),
                  "promotion": st.floats(1, CHEAP_STREAM["promotion"])})
    return draw(st.lists(item, min_size=1, max_size=3))


def n_streams(doc):
    """A lower bound of the streams a valid document schedules."""
    sched = doc.get("schedule", {})
    weeks = doc["horizon"]["weeks"]
    kind = sched.get("kind", "consistent")
    if kind == "explicit":
        return len(sched["streams"])
    if kind == "ad_hoc":
        return sched.get("streams_per_week", 3) * weeks
    return len(sched.get("slots", field("schedule.slots").default)) * weeks


@st.composite
def sweep_table(draw, doc):
    """A valid, small ``[sweep]`` table for ``doc``."""
    numeric = [(k, f) for k, f in fields() if f.kind in ("float", "int")
               and not k.startswith(_TIED) and "." in k]
    picked = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=2,
                           unique_by=lambda kf: kf[0]))
    params = {}
    for k, f in picked:
        a, b = sorted(draw(st.lists(number(k, f), min_size=2, max_size=2)))
        if a < b:
            params[k] = [a, b]
    if not params:  # every range was empty: one key with a fixed range
        params["audience.join_rate"] = [0.01, 0.05]
    log = [k for k, (a, _) in params.items() if a > 0 and draw(st.booleans())]
    table = {"design": draw(st.sampled_from(field("sweep.design").choices)),
             "n": draw(number("sweep.n", field("sweep.n"))),
             "paths": draw(number("sweep.paths", field("sweep.paths"))),
             "params": params}
    if log:
        table["log"] = log
    return table


@st.composite
def variant_overrides(draw):
    keys = [(k, f) for k, f in fields() if "." in k and not k.startswith(_TIED)
            and f.kind in ("float", "int", "bool", "str") and (f.kind != "str"
                                                               or f.choices)]
    picked = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2,
                           unique_by=lambda kf: kf[0]))
    over = {}
    for k, f in picked:
        sec, _, key = k.partition(".")
        over.setdefault(sec, {})[key] = draw(value(k, f))
    return over


def value(dotted, f):
    """A valid value of a scalar Field."""
    if f.kind in ("float", "int"):
        return number(dotted, f)
    if f.kind == "bool":
        return st.booleans()
    if f.kind == "str" and f.choices:
        return st.sampled_from(f.choices)
    raise ValueError(dotted)


@st.composite
def valid_doc(draw, *, sponsorship=None, sweep=None, variants=None):
    """A valid, cheap scenario as a nested dict, and the files it needs.

    Returns ``(doc, extra_files)``; ``extra_files`` maps a file name (next to
    the scenario) to its bytes (a catalogue CSV).
    """
    extra = {}
    doc = {}
    if draw(st.booleans()):
        doc["name"] = draw(simple_name())
    if draw(st.booleans()):
        doc["description"] = draw(st.text(max_size=20))
    weeks = draw(number("horizon.weeks", field("horizon.weeks")))
    doc["horizon"] = {"weeks": weeks}
    kind = draw(st.sampled_from(field("schedule.kind").choices))
    sched = {"kind": kind}
    if kind == "explicit" or draw(st.booleans()):
        sched["streams"] = draw(streams(weeks))
    if kind == "consistent" or draw(st.booleans()):
        sched["slots"] = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 23)),
                                       min_size=1, max_size=3, unique=True).map(
            lambda xs: [list(x) for x in xs]))
    f = field("schedule.streams_per_week")
    sched["streams_per_week"] = draw(number("schedule.streams_per_week", f))
    if draw(st.booleans()):
        a = draw(st.integers(0, 23))
        sched["waking_hours"] = [a, draw(st.integers(a + 1, 24))]
    doc["schedule"] = sched
    # Scalar keys of the plain sections: the expensive ones always, others at random.
    for k, f in fields():
        sec, _, key = k.partition(".")
        if not key or sec in ("horizon", "schedule", "segments", "catalogue",
                              "sponsorship", "sweep"):
            continue
        if f.kind not in ("float", "int", "bool", "str", "floats"):
            continue
        if f.kind == "str" and not f.choices:
            continue
        if k not in ALWAYS and not draw(st.booleans()):
            continue
        if f.kind == "floats":
            n = f.length or draw(st.integers(1, 4))
            v = draw(st.lists(number(k, f), min_size=n, max_size=n))
        else:
            v = draw(value(k, f))
        doc.setdefault(sec, {})[key] = v
    creator = doc["creator"]
    if draw(st.integers(0, 3)):  # mostly a creator who can go live
        creator["live_min_followers"] = draw(st.integers(0, creator["followers"]))
    coll = doc.get("collaboration", {})
    if coll.get("probability", 0) > 0 and coll.get("partner_followers", 0) == 0:
        coll["partner_followers"] = draw(st.integers(1, CHEAP[
            "collaboration.partner_followers"]))
    if draw(st.booleans()):
        n = draw(st.integers(1, 4))
        shares = [st.lists(st.integers(0, 100), min_size=n, max_size=n).filter(
            lambda x: sum(x) > 0).map(lambda x: [v / sum(x) for v in x])] * 2
        tilt = field("segments.catalogue_tilt")
        doc["segments"] = {
            "names": draw(st.lists(simple_name(), min_size=n, max_size=n, unique=True)),
            "follower_shares": draw(shares[0]), "newcomer_shares": draw(shares[1]),
            "gift_rate_per_min": draw(st.lists(
                number("segments.gift_rate_per_min",
                       field("segments.gift_rate_per_min")),
                min_size=n, max_size=n)),
            "catalogue_tilt": draw(st.lists(number("segments.catalogue_tilt", tilt),
                                            min_size=n, max_size=n))}
    if draw(st.integers(0, 3)) == 0:
        doc["catalogue"] = {"file": "cat.csv"}
        extra["cat.csv"] = draw(catalogue_csv())
    if sponsorship if sponsorship is not None else draw(st.booleans()):
        n = n_streams(doc)
        k = draw(st.integers(1, min(n, CHEAP["sponsorship.streams"])))
        f = field("sponsorship.levels")
        levels = draw(st.lists(st.floats(f.lo, f.hi), min_size=1, max_size=4))
        doc["sponsorship"] = {
            "deliverable": draw(st.sampled_from(
                field("sponsorship.deliverable").choices)),
            "streams": k, "first_stream": draw(st.integers(0, n - k)),
            "levels": levels}
        if draw(st.booleans()):
            doc["sponsorship"]["cpm_usd"] = draw(number("sponsorship.cpm_usd",
                                                        field("sponsorship.cpm_usd")))
    if sweep if sweep is not None else draw(st.integers(0, 4)) == 0:
        doc["sweep"] = draw(sweep_table(doc))
    nv = variants if variants is not None else draw(st.integers(0, 3))
    if nv:
        names = draw(st.lists(simple_name(), min_size=nv, max_size=nv, unique=True))
        doc["variants"] = {v: draw(variant_overrides()) for v in names}
    return doc, extra


# ----- mistakes (nearly valid) --------------------------------------------------------
def _typos(key):
    """One-edit misspellings of ``key`` (deletion, transposition, doubling)."""
    out = {key[:i] + key[i + 1:] for i in range(len(key))}
    out |= {key[:i] + key[i + 1] + key[i] + key[i + 2:] for i in range(len(key) - 1)}
    out |= {key[:i] + key[i] + key[i:] for i in range(len(key))}
    out.discard(key)
    return sorted(o for o in out if o)


def _set(doc, path, v):
    node = doc
    for p in path[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    node[path[-1]] = v


@st.composite
def _where(draw, doc):
    """A prefix under which a mistake goes: the base scenario or a variant."""
    vs = list(doc.get("variants", {}))
    if vs and draw(st.integers(0, 3)) == 0:
        return ("variants", draw(st.sampled_from(vs)))
    return ()


@st.composite
def nearly_valid_doc(draw):
    """A valid document with one mistake; returns ``(doc, extra, what)``."""
    doc, extra = draw(valid_doc())
    kind = draw(st.sampled_from(["range", "type", "typo", "length", "cross"]))
    pre = draw(_where(doc))
    numeric = [(k, f) for k, f in fields() if f.kind in ("float", "int") and "." in k
               and (f.lo > -math.inf or f.hi < math.inf)]
    if kind == "range":
        k, f = draw(st.sampled_from(numeric))
        cands = []
        if f.hi < math.inf:
            cands += [f.hi + 1, f.hi * 2 + 1] + ([math.nextafter(f.hi, math.inf)]
                                                 if f.kind == "float" else [])
        if f.lo > -math.inf:
            cands += [f.lo - 1] + ([f.lo] if f.lo_open else []) + (
                [math.nextafter(f.lo, -math.inf)] if f.kind == "float" else [])
        v = draw(st.sampled_from(cands))
        if f.kind == "int":
            v = int(v)
        _set(doc, (*pre, *k.split(".")), v)
        return doc, extra, f"{k} out of range: {v!r}"
    if kind == "type":
        k, f = draw(st.sampled_from([kf for kf in fields() if "." in kf[0]]))
        wrong = {"float": ["0.5", True, [0.5], {"v": 0.5},
                           datetime.date(2025, 1, 1)],
                 "int": [1.5, "3", False, [3], {"v": 3}],
                 "bool": [1, 0, "true", [True]],
                 "str": [1, True, ["a"], {"a": "b"}],
                 "strs": ["a", [1, 2], [["a"]], {"a": 1}],
                 "floats": [0.5, "0.5", [[0.5]], ["0.5"], [True], {"a": 1}],
                 "slots": [[1, 20], [[1]], [[1, 20, 3]], [["1", "20"]], [[1.5, 20]],
                           [[7, 20]], [[1, 24]], [[1, 20], [1, 20]], "x"],
                 "streams": [{"day": 0, "hour": 1}, [1], [{"day": 0}],
                             [{"day": 0, "hour": 1, "dya": 2}],
                             [{"day": "0", "hour": 1}], [{"day": 0, "hour": 1.5}],
                             [{"day": 0, "hour": 1, "collab": 1}]],
                 "table": [1, "x", [1]]}.get(f.kind, [1])
        v = draw(st.sampled_from(wrong))
        _set(doc, (*pre, *k.split(".")), v)
        return doc, extra, f"{k} wrong type: {v!r}"
    if kind == "typo":
        k, f = draw(st.sampled_from([kf for kf in fields() if "." in kf[0]]))
        sec, _, key = k.partition(".")
        if draw(st.booleans()):
            bad = draw(st.sampled_from(_typos(key)))
            if bad in schema()[sec]:
                bad += "x"
            _set(doc, (*pre, sec, bad), 1)
            return doc, extra, f"misspelt key {sec}.{bad}"
        bad = draw(st.sampled_from(_typos(sec)))
        if bad in schema() or bad == "variants":
            bad += "x"
        _set(doc, (*pre, bad, key), 1)
        return doc, extra, f"misspelt section {bad}"
    if kind == "length":
        lists = [(k, f) for k, f in fields() if f.kind == "floats"]
        k, f = draw(st.sampled_from(lists))
        lo = f.lo if f.lo > -math.inf else 0.0
        n = f.length or 4
        v = draw(st.sampled_from([[], [lo] * (n + 1), [lo] * max(0, n - 1),
                                  [lo] * 1000]))
        if f.length is None and len(v) not in (0,):
            v = []  # any length is fine for this key: only an empty list is wrong
        _set(doc, (*pre, *k.split(".")), v)
        return doc, extra, f"{k} of length {len(v)}"
    # cross-key rules
    rule = draw(st.sampled_from(["shares", "waking", "day", "collab", "sweep_log",
                                 "sweep_key", "sweep_range", "variant_name",
                                 "explicit_empty", "first_stream"]))
    if rule == "shares":
        _set(doc, ("segments", "follower_shares"), [0.5, 0.6, 0.0, 0.0])
        _set(doc, ("segments", "names"), ["a", "b", "c", "d"])
    elif rule == "waking":
        _set(doc, (*pre, "schedule", "waking_hours"), [10, 10.5])
    elif rule == "day":
        _set(doc, ("schedule", "kind"), "explicit")
        _set(doc, ("schedule", "streams"), [{"day": 7 * doc["horizon"]["weeks"],
                                             "hour": 20}])
    elif rule == "collab":
        _set(doc, (*pre, "collaboration", "probability"), 0.5)
        _set(doc, (*pre, "collaboration", "partner_followers"), 0)
    elif rule == "sweep_log":
        doc["sweep"] = {"params": {"audience.join_rate": [0.01, 0.05]},
                        "log": ["creator.followers"]}
    elif rule == "sweep_key":
        doc["sweep"] = {"params": {"audience.join_rat": [0.01, 0.05]}}
    elif rule == "sweep_range":
        doc["sweep"] = {"params": {"audience.join_rate": draw(st.sampled_from(
            [[0.05, 0.01], [0.02, 0.02], [0.01], [0.01, 0.02, 0.03], ["a", "b"],
             0.01, [0.01, 5.0], [-1.0, 0.5]]))}}
    elif rule == "variant_name":
        doc.setdefault("variants", {})["v"] = {"name": "x"}
    elif rule == "explicit_empty":
        _set(doc, ("schedule", "kind"), "explicit")
        _set(doc, ("schedule", "streams"), [])
    else:
        doc["sponsorship"] = {"first_stream": 10_000, "streams": 1}
    return doc, extra, f"cross-key rule {rule} broken"


# ----- hostile values -----------------------------------------------------------------
HOSTILE_NUMBERS = [1e308, -1e308, math.inf, -math.inf, math.nan, -0.0, 5e-324,
                   -5e-324, 2**63 - 1, -2**63, 2**64, 10**30, -10**30, 0, -1,
                   1.7976931348623157e308, 1e-300]
ODD_NAMES = ["..", ".", "", " ", "a/b", "../x", "/abs", "x" * 5000, "é😀",
             "<script>alert(1)</script>", "a&amp;b\"'",
             "\u202eevil", "a\x00b", "a\nb", "\t", "-x", "--out", "checkpoint",
             "chunks", "KEEP.txt", "con", "nan", "inf", "a b", "a_b", "A", "a"]
#: Variant names that a careless slug turns into one file name.
COLLIDING = [["a b", "a_b"], ["a/b", "a_b"], ["x", "X"], ["..", "__"], ["é", "e"],
             ["a.b", "a_b"], ["a\tb", "a b"], ["v", "v "]]
HOSTILE_STRINGS = ["nan", "inf", "-inf", "1e308", "0.5", "", " ", "x" * 5000,
                   "\x00", "\x7f", "\n", "é😀", "\u202e", "default",
                   "../../etc/passwd",
                   "/dev/zero", "/proc/self/mem", "."]


def _nested_list(depth):
    v = [1]
    for _ in range(depth):
        v = [v]
    return v


def _nested_table(depth):
    v = {"a": 1}
    for _ in range(depth):
        v = {"a": v}
    return v


hostile_value = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from(HOSTILE_STRINGS),
    st.sampled_from([[], {}, [[]], [{}], [1e308] * 24, [math.nan] * 24, [-0.0] * 7,
                     [1e308, 1e308], [2**63 - 1] * 2, list(range(10_000)),
                     [1.0] * 10_000, datetime.datetime(2025, 1, 1, 12, 0),
                     datetime.time(12, 0)]),
    st.integers(1, 60).map(_nested_list),
    st.integers(1, 60).map(_nested_table),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-2**70, 2**70),
    st.text(max_size=30),
)


@st.composite
def hostile_doc(draw):
    """A valid document made hostile at one place; returns ``(doc, extra, what)``.

    ``what`` describes the change. The document may still be valid; when a
    valid value lies above the cheap cap of its key, ``what`` starts with
    ``expensive``.
    """
    doc, extra = draw(valid_doc(variants=draw(st.integers(0, 3))))
    how = draw(st.sampled_from(["value", "value", "value", "item", "stream", "name",
                                "variant_names", "sweep", "segment_names"]))
    pre = draw(_where(doc))
    if how == "value":
        k, f = draw(st.sampled_from(fields()))
        v = draw(hostile_value)
        _set(doc, (*pre, *k.split(".")), v)
        what = ("expensive " if expensive(k, v) else "") + f"{k} = {v!r:.80}"
        return doc, extra, what
    if how == "item":
        k, f = draw(st.sampled_from([kf for kf in fields() if kf[1].kind == "floats"]))
        n = f.length or 2
        lo = f.lo if f.lo > -math.inf else 0.0
        items = [lo] * n
        items[draw(st.integers(0, n - 1))] = draw(st.sampled_from(HOSTILE_NUMBERS
                                                                  + ["nan", None]))
        items = [x for x in items if x is not None]
        _set(doc, (*pre, *k.split(".")), items)
        return doc, extra, f"{k} = {items!r:.80}"
    if how == "stream":
        s = {"day": 0, "hour": 20}
        key = draw(st.sampled_from(["day", "hour", "duration_min", "promotion",
                                    "collab"]))
        s[key] = draw(st.sampled_from(HOSTILE_NUMBERS + ["1", True]))
        _set(doc, ("schedule", "kind"), "explicit")
        _set(doc, ("schedule", "streams"), [s])
        v = s[key]
        exp = (key in CHEAP_STREAM and isinstance(v, (int, float))
               and not isinstance(v, bool) and math.isfinite(v)
               and CHEAP_STREAM[key] < v <= {"duration_min": 1440,
                                             "promotion": 100}[key])
        return doc, extra, ("expensive " if exp else "") + f"stream {key} = {v!r}"
    if how == "name":
        doc["name"] = draw(st.one_of(st.sampled_from(ODD_NAMES), st.text(max_size=20)))
        return doc, extra, f"name = {doc['name']!r:.80}"
    if how == "variant_names":
        names = draw(st.one_of(
            st.lists(st.one_of(st.sampled_from(ODD_NAMES), st.text(max_size=10)),
                     min_size=1, max_size=3, unique=True),
            st.sampled_from(COLLIDING)))
        doc["variants"] = {n: draw(variant_overrides()) for n in names}
        return doc, extra, f"variant names {names!r:.120}"
    if how == "segment_names":
        names = draw(st.lists(st.sampled_from(ODD_NAMES), min_size=1, max_size=4))
        n = len(names)
        doc["segments"] = {"names": names, "follower_shares": [1 / n] * n,
                           "newcomer_shares": [1 / n] * n,
                           "gift_rate_per_min": [0.1] * n, "catalogue_tilt": [0.0] * n}
        return doc, extra, f"segment names {names!r:.120}"
    # a hostile [sweep] table
    sweep = draw(sweep_table(doc))
    k = draw(st.sampled_from(["design", "n", "paths", "log", "range", "key"]))
    v = draw(hostile_value)
    if k == "range":
        key = next(iter(sweep["params"]))
        sweep["params"][key] = [draw(hostile_value), draw(hostile_value)]
        v = sweep["params"][key]
    elif k == "key":
        v = draw(st.sampled_from(ODD_NAMES + ["audience", "audience.join_rate.x",
                                              "sweep.n", "name", "horizon.weeks"]))
        sweep["params"] = {v: [1, 2]}
    else:
        sweep[k] = v
    doc["sweep"] = sweep
    exp = k in ("n", "paths") and expensive(f"sweep.{k}", v)
    return doc, extra, ("expensive " if exp else "") + f"sweep {k} = {v!r:.80}"


# ----- TOML text ----------------------------------------------------------------------
_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")


def toml_key(k):
    return k if _BARE.match(k) else toml_str(k)


def toml_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}"
                               for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_dumps(doc):
    """TOML text of a nested dict (tables as ``[a.b]`` headers, lists inline)."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items()
             if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            _table([k], v, lines)
    return "\n".join(lines) + "\n"


def _table(path, d, lines):
    lines.append("")
    lines.append("[" + ".".join(toml_key(p) for p in path) + "]")
    lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in d.items()
                 if not isinstance(v, dict))
    for k, v in d.items():
        if isinstance(v, dict):
            if len(path) >= 4:
                lines.insert(len(lines), f"{toml_key(k)} = {toml_value(v)}")
            else:
                _table(path + [k], v, lines)


# ----- documents as files -------------------------------------------------------------
@dataclasses.dataclass
class Doc:
    """A scenario file to write, with the files it refers to.

    Attributes
    ----------
    files : dict
        Relative path -> bytes, written in the example's directory.
    path : str
        The scenario file as given on the command line.
    klass : str
        ``valid``, ``nearly``, ``hostile`` or ``damaged``.
    what : str
        What was done to the document (for failure reports).
    valid : bool
        Valid by construction (simkit must accept it).
    cheap : bool
        Safe to simulate (no valid value above a cheap cap).
    strings : frozenset
        Every string of the document (names that may appear in outputs).
    variants : tuple
        The variant names, when known.
    doc : dict or None
        The nested mapping (None for damaged bytes).
    """

    files: dict
    path: str
    klass: str
    what: str = ""
    valid: bool = False
    cheap: bool = True
    strings: frozenset = frozenset()
    variants: tuple = ()
    doc: dict | None = None

    def __repr__(self):
        return f"Doc({self.klass}: {self.what!r:.200}, path={self.path!r:.60})"

    def _repr_pretty_(self, p, cycle):  # Hypothesis prints examples with this
        p.text(repr(self))

    def describe(self):
        text = self.files.get(self.path)
        if isinstance(text, bytes):
            text = text[:3000]
        return (f"[{self.klass}] {self.what}\n--- {self.path!r:.300} ---\n{text!r}\n"
                + "".join(f"--- {k} ---\n{v[:600]!r}\n" for k, v in self.files.items()
                          if k != self.path and not k.endswith(".npz")))


def _values(obj, out):
    """Every string value in ``obj`` (not the keys)."""
    if isinstance(obj, str):
        out.add(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _values(v, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _values(v, out)
    return out


def user_strings(doc, path, extra):
    """Text a user chose that may appear in outputs: string values, variant
    names, the file name and stem, gift names of a catalogue."""
    out = _values(doc, set())
    variants = doc.get("variants")
    if isinstance(variants, dict):
        out |= set(map(str, variants))
    name = path.rpartition("/")[2]
    out |= {path, name, name.partition(".")[0], name.rpartition(".")[0]}
    for v in extra.values():
        for line in v.decode("utf-8", "replace").splitlines():
            out.add(line.partition(",")[0])
    return frozenset(x for x in out if x)


FILE_NAMES = ["s.toml", "s.toml", "s.toml", "a b.toml", "é.toml", "s", "S.TOML",
              "dir/s.toml", "..toml", "x" * 200 + ".toml", "-s.toml", "nan.toml"]


def make_doc(doc, extra, klass, what="", *, valid=False, cheap=True, path="s.toml"):
    files = {path: toml_dumps(doc).encode("utf-8", "surrogatepass")}
    parent = path.rpartition("/")[0]
    for k, v in extra.items():
        files[f"{parent}/{k}" if parent else k] = v
    return Doc(files, path, klass, what, valid, cheap, user_strings(doc, path, extra),
               tuple(doc.get("variants", {})) if isinstance(doc.get("variants"), dict)
               else (), doc)


@st.composite
def valid_docs(draw, **kw):
    doc, extra = draw(valid_doc(**kw))
    return make_doc(doc, extra, "valid", "valid", valid=True)


@st.composite
def nearly_docs(draw):
    doc, extra, what = draw(nearly_valid_doc())
    return make_doc(doc, extra, "nearly", what)


@st.composite
def hostile_docs(draw):
    how = draw(st.integers(0, 9))
    if how == 0:  # odd file names
        doc, extra = draw(valid_doc())
        path = draw(st.sampled_from(FILE_NAMES))
        d = make_doc(doc, extra, "hostile", f"file name {path!r:.80}", valid=True,
                     path=path)
        d.valid = not path.startswith("-")  # argparse takes -s.toml for a flag
        return d
    if how == 1:  # nesting deep enough for a recursive parser
        doc, extra = draw(valid_doc(variants=1))
        depth = draw(st.sampled_from([100, 900, 1100, 5000, 100_000]))
        form = draw(st.sampled_from(["array", "inline", "header", "variant_header"]))
        text = toml_dumps({k: v for k, v in doc.items() if k != "variants"})
        if form == "array":
            text = "description = " + "[" * depth + "]" * depth + "\n" + text
        elif form == "inline":
            text = "description = " + "{a = " * depth + "1" + "}" * depth + "\n" + text
        elif form == "header":
            text += "\n[" + ".".join(["audience"] + ["a"] * depth) + "]\nx = 1\n"
        else:
            head = ".".join(["variants", "deep"] + ["a"] * depth)
            text += "\n[" + head + "]\nx = 1\n"
        d = make_doc(doc, extra, "hostile", f"{form} nested {depth} deep")
        d.files[d.path] = text.encode()
        return d
    doc, extra, what = draw(hostile_doc())
    return make_doc(doc, extra, "hostile", what,
                    cheap=not what.startswith("expensive"))


# ----- damaged files ------------------------------------------------------------------
BAD_BYTES = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
             b"\x80", b"\x00", b"\xef\xbb\xbf", b"\r", b"\x1b[31m"]


@st.composite
def damaged_catalogue(draw):
    header = draw(st.sampled_from(["name,coins,weight", "name,coins,weight",
                                   "name,coins", "name;coins;weight", "",
                                   "\ufeffname,coins,weight",
                                   "coins,weight,name,extra"]))
    cells = st.sampled_from(["inf", "-inf", "nan", "NaN", "1e308", "1e400", "-1", "0",
                             "1.5", "", "x", "9" * 400, str(2**63), str(2**62),
                             "1e18", "1e-320", " 3", "1_000", "0x10", "2", "10"])
    rows = draw(st.lists(st.tuples(st.sampled_from(["rose", "", "é", '"q', "a,b"]),
                                   cells, cells), min_size=0, max_size=5))
    text = header + "\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    data = text.encode()
    if draw(st.integers(0, 4)) == 0:
        i = draw(st.integers(0, len(data)))
        data = data[:i] + draw(st.sampled_from(BAD_BYTES)) + data[i:]
    return data


@st.composite
def damaged_docs(draw):
    how = draw(st.sampled_from(["truncate", "bytes", "bom", "utf16", "random",
                                "empty", "catalogue", "catalogue_path", "dup_line"]))
    doc, extra = draw(valid_doc())
    text = toml_dumps(doc).encode()
    what = how
    if how == "truncate":
        i = draw(st.integers(0, len(text)))
        text, what = text[:i], f"truncated at byte {i} of {len(text)}"
    elif how == "bytes":
        i = draw(st.integers(0, len(text)))
        b = draw(st.sampled_from(BAD_BYTES))
        text, what = text[:i] + b + text[i:], f"{b!r} inserted at byte {i}"
    elif how == "bom":
        text = b"\xef\xbb\xbf" + text
    elif how == "utf16":
        text = text.decode().encode("utf-16")
    elif how == "random":
        text = draw(st.binary(max_size=300))
    elif how == "empty":
        text = b""
    elif how == "dup_line":
        lines = text.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
        text = b"\n".join(lines)
    elif how == "catalogue":
        doc["catalogue"] = {"file": "cat.csv"}
        extra = {**extra, "cat.csv": draw(damaged_catalogue())}
        text = toml_dumps(doc).encode()
        what = f"catalogue {extra['cat.csv'][:300]!r}"
    else:
        spec = draw(st.sampled_from(["missing.csv", ".", "..", "s.toml", "/dev/null",
                                     "/dev/zero", "/proc/self/mem", "/etc/passwd",
                                     "dir", "", "x" * 5000, "cat.csv\x00x"]))
        doc["catalogue"] = {"file": spec}
        text = toml_dumps(doc).encode()
        what = f"catalogue.file = {spec!r:.60}"
    d = make_doc(doc, extra, "damaged", what)
    d.files[d.path] = text
    return d


def any_docs():
    """A document of any class (valid ones a quarter of the time)."""
    return st.one_of(valid_docs(), nearly_docs(), hostile_docs(), damaged_docs())


# ----- command lines ------------------------------------------------------------------
#: Where the output goes, relative to the example's directory; ``out`` exists and
#: holds the sentinel ``KEEP.txt``.
OUT_DIRS = ["out", "out", "out/new", "out/a/b", ".", "", "out/KEEP.txt",
            "out/KEEP.txt/sub", "s.toml", "/proc/fuzz", "/dev/null", "out/..",
            "out/é ü", "out/" + "x" * 300, "out/-x", "out/\x01"]

#: Scenario files that are not (files a user may still name).
INPUTS_BAD = ["missing.toml", "dir", "out", "out/KEEP.txt", "/proc/self/mem",
              "/dev/null", "/", "", "-", "cat.csv", "s.toml/x", "/proc/self/status"]
PATHS_OK = st.integers(2, 50).map(str)
PATHS_BAD = st.sampled_from(["0", "-1", "ten", "", "1e3", "2.5", " 7", "0x10",
                             str(10**30), str(2**63), "1_0"])
SEED_BAD = st.sampled_from(["-1", "x", str(2**64), str(10**30), "1e3", "", "0.5"])
THREADS_BAD = st.sampled_from(["0", "-2", "1000000", "x", str(2**63)])
FLOAT_BAD = st.sampled_from(["nan", "inf", "-inf", "1e999", "1e308", "-1e308", "-0",
                             "0", "-1", "x", "", "1e-320", "NaN", "infinity"])


@st.composite
def pick(draw, ok, bad, p_bad=0.15, p_none=0.4):
    """``(value, is_bad)``: value None (flag left out), valid, or (rarely) bad."""
    u = draw(st.floats(0, 1, exclude_max=True))
    if u < p_none:
        return None, False
    if u < p_none + p_bad:
        return draw(bad), True
    return draw(ok), False


@dataclasses.dataclass
class Command:
    """A command line and what it may write.

    Attributes
    ----------
    argv : list of str
    out : str or None
        The --out directory (or the default directory of ``sweep``), relative
        to the example's directory.
    output : str or None
        The -o file.
    flags_ok : bool
        Every flag value drawn from the valid ones.
    """

    argv: list
    out: str | None = None
    output: str | None = None
    flags_ok: bool = True


GOOD_OUT = ["out", "out/new", "out/a/b"]


@st.composite
def command_lines(draw, doc, commands=("run", "validate", "compare", "quote", "plot",
                                       "report", "sweep"), hostile=True):
    """A command line for scenario ``doc`` (a :class:`Doc`), flags mostly valid.

    With ``hostile`` some flag values are bad (each one with probability 0.08,
    about half the command lines have one), an option is unknown or an
    unavailable backend asked for (one in ten).
    """
    cmd = draw(st.sampled_from(commands))
    argv = [cmd, doc.path]
    state = {"ok": True}
    if hostile and draw(st.integers(0, 19)) == 0:  # another input file
        argv[1] = draw(st.sampled_from(INPUTS_BAD))
        state["ok"] = False
    p_bad = 0.08 if hostile else 0.0

    def flag(name, ok, bad=st.nothing(), p_none=0.4):
        v, is_bad = draw(pick(ok, bad, p_bad=p_bad, p_none=p_none))
        if v is None:
            return None
        state["ok"] &= not is_bad
        argv.append(f"{name}={v}")
        return v

    def variant_flag():
        if variant is not None:
            flag("--variant", variant, bad_variant)
        elif hostile and draw(st.integers(0, 9)) == 0:
            argv.append(f"--variant={draw(bad_variant)}")
            state["ok"] = False

    def switch(name):
        if draw(st.booleans()):
            argv.append(name)

    def out_flag(p_none=0.5):
        return flag("--out", st.sampled_from(GOOD_OUT), st.sampled_from(OUT_DIRS),
                    p_none=p_none)

    if cmd == "validate":
        return Command(argv)
    flag("--paths", st.integers(2, 10 if cmd == "sweep" else 50).map(str), PATHS_BAD,
         p_none=0.3 if cmd == "sweep" else 0)
    flag("--seed", st.integers(0, 2**32).map(str), SEED_BAD)
    flag("--threads", st.sampled_from(["1", "2"]), THREADS_BAD)
    if draw(st.integers(0, 4)):
        argv.append("--quiet")
    if hostile and draw(st.integers(0, 9)) == 0:
        argv += draw(st.sampled_from([["--backend", "cuda"], ["--scheduler", "x:1"],
                                      ["--backend", "dask", "--scheduler", "nonsense"],
                                      ["--backend", "dask", "--scheduler", ""],
                                      ["--backend", "gpu"], ["--bogus"], ["--"],
                                      ["extra.toml"]]))
        state["ok"] = False
    variant = st.sampled_from(list(doc.variants)) if doc.variants else None
    bad_variant = st.sampled_from(["nope", "", "..", "a/b", "x" * 300])
    metric_ok = st.sampled_from(["income_total", "gifts", "viewer_minutes",
                                 "income_brand"])
    metric_bad = st.sampled_from(["nope", "", "income", "duration_min", "live"])
    floats_bad = FLOAT_BAD
    if cmd == "run":
        variant_flag()
        flag("--target", st.floats(-1e6, 1e6).map(repr), floats_bad)
        switch("--per-stream")
        if draw(st.integers(0, 3)) == 0:
            _precision(draw, argv, flag, floats_bad)
            flag("--metric", metric_ok, metric_bad)
            flag("--statistic", st.sampled_from(["mean", "median", "p5", "p95", "p50"]),
                 st.sampled_from(["p0", "p100", "pnan", "p1e400", "p-5", "x", "p"]))
        out = out_flag()
        if out is not None and draw(st.integers(0, 4)) == 0:
            argv.append("--resume")
        return Command(argv, out=out, flags_ok=state["ok"])
    if cmd == "compare":
        if draw(st.booleans()):
            argv.append(f"--variants={_variants_arg(draw, doc)}")
            state["ok"] = False  # maybe fewer than two, or unknown
        flag("--metric", metric_ok, metric_bad)
        flag("--confidence", st.sampled_from(["0.9", "0.95", "95", "50"]),
             floats_bad | st.sampled_from(["1", "100", "0.0", "1e308"]))
        if draw(st.integers(0, 3)) == 0:
            _precision(draw, argv, flag, floats_bad)
        return Command(argv, out=out_flag(), flags_ok=state["ok"])
    if cmd == "quote":
        flag("--deliverable", st.sampled_from(["viewer_minutes", "unique_viewers",
                                               "peak_concurrent"]),
             st.sampled_from(["income_total", "x"]))
        flag("--streams", st.sampled_from(["1", "2"]),
             st.sampled_from(["0", "-1", "1000000", str(10**30)]))
        flag("--first-stream", st.sampled_from(["0", "1"]),
             st.sampled_from(["-1", "1000000", str(10**30), "x"]))
        if draw(st.booleans()):
            flag("--cpm", st.floats(0, 100).map(repr), floats_bad)
        else:
            flag("--flat-rate", st.floats(0, 1).map(repr), floats_bad)
        flag("--levels", st.lists(st.floats(1, 99), min_size=1, max_size=3).map(
            lambda xs: ",".join(map(repr, xs))),
            st.sampled_from(["0", "100", "nan", "0.95", "50,,", ",", "1e-300",
                             "99.99999", "-5", "inf", "50,x"]))
        variant_flag()
        flag("--confidence", st.sampled_from(["0.9", "0.95", "95"]),
             floats_bad | st.sampled_from(["1", "100"]))
        if draw(st.booleans()):
            flag("--bands", st.sampled_from(["stream", "day", "cumulative"]),
                 st.sampled_from(["week", ""]), p_none=0)
            flag("--band-levels", st.sampled_from(["5,95", "50", "10,50,90"]),
                 st.sampled_from(["nan", "0", "100", "-5", "1e308", "x", "inf"]))
        return Command(argv, out=out_flag(), flags_ok=state["ok"])
    if cmd == "plot":
        kind = draw(st.sampled_from(["distribution", "compare", "fan", "concurrency",
                                     "sources", "tornado"]))
        argv.append(f"--kind={kind}")
        o = flag("--output", st.sampled_from(["fig.png", "out/fig.svg", "fig.PDF",
                                              "é.svg"]),
                 st.sampled_from(["fig.jpg", "fig", ".png", "out", "out/KEEP.txt/f.png",
                                  "out/new/fig.pdf",
                                  "/proc/f.png", "x" * 300 + ".png", "s.toml",
                                  "out/KEEP.txt", "", "nope/../fig.png"]), p_none=0)
        flag("--metric", metric_ok, metric_bad)
        variant_flag()
        if kind == "compare" and draw(st.booleans()):
            argv.append(f"--variants={_variants_arg(draw, doc)}")
        switch("--log")
        flag("--target", st.floats(0, 1e4).map(repr), floats_bad)
        flag("--by", st.sampled_from(["cumulative", "day", "stream"]),
             st.sampled_from(["week"]))
        flag("--stream", st.sampled_from(["0", "1"]),
             st.sampled_from(["-1", "1000000", str(10**30), "x"]))
        flag("--dpi", st.sampled_from(["10", "30"]),
             st.sampled_from(["0", "-1", "1000000", str(10**30), "x"]))
        return Command(argv, output=o, flags_ok=state["ok"])
    if cmd == "report":
        o = flag("--output", st.sampled_from(["r.html", "out/r.html", "é.html"]),
                 st.sampled_from(["out", "out/KEEP.txt/r.html", "/proc/r.html",
                                  "out/new/r.html", "r",
                                  "x" * 300 + ".html", ""]), p_none=0)
        variant_flag()
        flag("--target", st.floats(0, 1e4).map(repr), floats_bad)
        flag("--tornado-paths", st.integers(2, 20).map(str), PATHS_BAD, p_none=0)
        return Command(argv, output=o, flags_ok=state["ok"])
    # sweep
    flag("--design", st.sampled_from(["grid", "lhs", "sobol"]),
         st.sampled_from(["random", ""]))
    flag("--n", st.integers(1, 3).map(str), PATHS_BAD)
    flag("--chunk-scenarios", st.integers(1, 4).map(str), PATHS_BAD)
    out = out_flag()
    if draw(st.integers(0, 4)) == 0:
        argv.append("--resume")
    return Command(argv, out="out" if out is None else out, flags_ok=state["ok"])


def _precision(draw, argv, flag, floats_bad):
    """--precision REL with a small batch (--paths, or 10,000 paths a batch) and
    --max-paths at least the batch."""
    flag("--precision", st.sampled_from(["0.5", "0.2", "1"]), floats_bad, p_none=0)
    paths = next((int(a.partition("=")[2]) for a in argv if a.startswith("--paths=")
                  and a.partition("=")[2].isdigit()), None)
    if paths is None or paths > 50:
        paths = draw(st.integers(2, 50))
        argv.append(f"--paths={paths}")
    flag("--max-paths", st.integers(paths, 200).map(str), PATHS_BAD, p_none=0)


def _variants_arg(draw, doc):
    names = list(doc.variants)
    return draw(st.one_of(
        st.lists(st.sampled_from(names or ["base"]), min_size=1, max_size=3).map(
            ",".join),
        st.sampled_from(["base", "nope", ",", "", "a,,b", " ", "base,base"])))


# ----- damaged result files (.npz) ----------------------------------------------------
def npz_bytes(arrays):
    import numpy as np

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


class Blob(bytes):
    """Bytes with a short description (Hypothesis prints the description)."""

    def __new__(cls, data, what):
        self = super().__new__(cls, data)
        self.what = what
        return self

    def __repr__(self):
        return f"<{len(self)} bytes: {self.what}>"


@st.composite
def damaged_npz(draw, good):
    """A result file (:class:`Blob`): ``good`` (a real one) or damaged."""
    return Blob(*draw(_damaged_npz(good)))


@st.composite
def _damaged_npz(draw, good):
    import zipfile

    import numpy as np

    how = draw(st.sampled_from(["good", "truncate", "flip", "nan", "inf", "shape",
                                "drop_meta", "drop_totals", "extra", "meta_json",
                                "meta_deep", "object", "random", "empty", "npy",
                                "big_header"]))
    if how == "good":
        return good, how
    if how == "truncate":
        i = draw(st.integers(0, len(good) - 1))
        return good[:i], f"truncated at {i} of {len(good)}"
    if how == "flip":
        i = draw(st.integers(0, len(good) - 1))
        return good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1:], f"byte {i} flipped"
    if how == "random":
        return draw(st.binary(max_size=400)), how
    if how == "empty":
        return b"", how
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        arrays = {n.removesuffix(".npy"): np.lib.format.read_array(
            io.BytesIO(zf.read(n))) for n in zf.namelist()}
    keys = [k for k in arrays if k.startswith("totals/")]
    k = draw(st.sampled_from(keys))
    if how in ("nan", "inf"):
        a = arrays[k].astype(float)
        a[draw(st.integers(0, len(a) - 1))] = math.nan if how == "nan" else math.inf
        arrays[k] = a
    elif how == "shape":
        arrays[k] = draw(st.sampled_from([arrays[k][:-1], arrays[k].reshape(-1, 1),
                                          np.zeros(0), np.array(3.0)]))
    elif how == "drop_meta":
        del arrays["__meta__"]
    elif how == "drop_totals":
        arrays = {a: v for a, v in arrays.items() if not a.startswith("totals/")}
    elif how == "extra":
        arrays[draw(st.sampled_from(["totals/zzz", "per_stream/x", "curves", "x"]))] = \
            draw(st.sampled_from([np.zeros(3), np.array(["a"]), np.zeros((2, 2, 2))]))
    elif how == "meta_json":
        text = draw(st.sampled_from([b"{}", b"[]", b"null", b"{\"name\": 1}",
                                     b"{\"name\": \"x\", \"metadata\": []}",
                                     b"\xff\xfe", b"{", b"NaN"]))
        arrays["__meta__"] = np.frombuffer(text, dtype=np.uint8)
    elif how == "meta_deep":
        depth = draw(st.sampled_from([500, 5000, 100_000]))
        text = ("{\"name\": \"x\", \"metadata\": " + "[" * depth + "]" * depth
                + "}").encode()
        arrays["__meta__"] = np.frombuffer(text, dtype=np.uint8)
    elif how == "object":
        arrays[k] = np.array([{"a": 1}, None], dtype=object)
        buf = io.BytesIO()
        np.savez(buf, **{a: v for a, v in arrays.items()}, allow_pickle=True)
        return buf.getvalue(), how
    elif how == "npy":
        buf = io.BytesIO()
        np.save(buf, arrays[k])
        return buf.getvalue(), how
    else:  # a header claiming a huge shape
        data = npz_bytes(arrays)
        return data.replace(b"'shape': (", b"'shape': (99999999999, ", 1), how
    return npz_bytes(arrays), how


@st.composite
def named_docs(draw):
    """A valid document with odd names: the scenario, its variants, its
    description (markup included)."""
    doc, extra = draw(valid_doc(variants=0))
    odd = st.one_of(st.sampled_from(ODD_NAMES), st.text(max_size=12))
    doc["name"] = draw(odd)
    doc["description"] = draw(odd)
    names = draw(st.one_of(st.lists(odd, min_size=0, max_size=2, unique=True),
                           st.sampled_from(COLLIDING)))
    if names:
        doc["variants"] = {n: draw(variant_overrides()) for n in names}
    return make_doc(doc, extra, "hostile", f"names {doc['name']!r:.60}, variants "
                    f"{names!r:.80}, description {doc['description']!r:.40}")


#: Ways to damage a checkpoint folder (``out/checkpoint/NAME/``).
CHECKPOINT_DAMAGE = ("truncate", "flip", "delete", "empty", "dir", "foreign_manifest",
                     "garbage_manifest", "live_lock", "dead_lock", "garbage_lock",
                     "extra_file", "none")
