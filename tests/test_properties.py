"""Property tests (Hypothesis): validation never leaks a foreign traceback, and
valid random scenarios give finite, non-negative, self-consistent outputs."""

from __future__ import annotations

import copy
import math

import numpy as np
import numpy.testing as npt
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import simkit
from naive import one_stream_dict
from simkit._pack import pack
from simkit.errors import ScenarioError, SimkitError
from simkit.metrics import INCOME_SOURCES
from simkit.scenario import SCHEMA


def _examples(n):
    """``n`` examples under the ``ci`` profile (30 by default, see conftest.py),
    scaled with the profile: cheap tests run more, and ``dev`` runs fewer.

    Measured on 2 cores with compiled kernels cached: about 7 s for this file.
    """
    return max(1, n * settings.default.max_examples // 30)


# ----- malformed scenario dicts ---------------------------------------------------
_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.sampled_from(["lognormal", "cpm", "explicit", "default", "grid", "ad_hoc"]))
_junk = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)

_KEYS = [f"{s}.{k}" if s else k for s, fs in SCHEMA.items() for k in fs]
_KEYS += ["variants", "variants.x", "variants.x.audience", "schedule.streams",
          "bogus", "audience.bogus", "audience", "sweep", "sweep.params",
          "sweep.params.audience.join_rate", "sponsorship"]


def _base():
    d = one_stream_dict()
    d["variants"] = {"more": {"creator": {"followers": 3000}}}
    return d


def _apply(d, dotted, op, value):
    parts = dotted.split(".")
    node = d
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    if op == "delete":
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


_mutation = st.tuples(st.sampled_from(_KEYS), st.sampled_from(["set", "delete"]),
                      _junk)


def _validate_and_pack(d):
    """Return the Scenario, or None when simkit rejected it with its own error."""
    try:
        sc = simkit.scenario_from_dict(d)
    except ScenarioError as exc:
        msg = str(exc)
        assert "\n" not in msg and msg.startswith("<dict>: `")
        return None
    pack([sc] + [sc.variant(v) for v in sc.variants])
    return sc


@settings(max_examples=_examples(500))
@given(st.lists(_mutation, min_size=1, max_size=4))
def test_malformed_dicts_raise_only_scenario_error(mutations):
    d = _base()
    for dotted, op, value in mutations:
        _apply(d, dotted, op, copy.deepcopy(value))
    _validate_and_pack(d)  # any exception other than ScenarioError fails the test


#: Keys whose valid values can break a relation checked (and reported) under
#: another key of the same scenario (see ``_cross_check`` in scenario/_load.py).
_RELATED = {
    "horizon.weeks": ("schedule.streams[0].day",),
    "schedule.kind": ("schedule.streams",),
    "collaboration.probability": ("collaboration.partner_followers",),
    # Any [sweep] key creates the table, which then needs `sweep.params`.
    **{f"sweep.{k}": ("sweep.params",) for k in SCHEMA["sweep"]},
    # _apply nests this as a table `audience = {join_rate = ...}` (as an unquoted
    # TOML dotted key would), which is then no numeric key.
    "sweep.params.audience.join_rate": ("sweep.params.audience",),
}
_SINGLE_KEYS = [k for k in _KEYS if "." in k and not k.startswith("variants")]
_FILE = "scenarios/s.toml"


def _check_single_bad_value(d, dotted, value, prefix=""):
    """A bad value at ``dotted`` is reported on one line naming the file and the
    key path (``prefix`` + ``dotted``, or a key below it, or a related key)."""
    try:
        simkit.scenario_from_dict(d, source=_FILE)
    except ScenarioError as exc:
        msg = str(exc)
        assert "\n" not in msg and exc.file == _FILE
        assert msg.startswith(f"{_FILE}: `{exc.key}` must be "), msg
        assert exc.key.startswith(prefix), msg
        key = exc.key.removeprefix(prefix)
        assert (key == dotted or key.startswith((dotted + ".", dotted + "["))
                or key in _RELATED.get(dotted, ())), (dotted, value, msg)
        if key == dotted and "a known key" not in msg:
            assert msg.endswith(f", got {value!r}"), msg


@settings(max_examples=_examples(300))
@given(st.sampled_from(_SINGLE_KEYS), _scalar)
def test_single_bad_value_names_the_key(dotted, value):
    d = _base()
    _apply(d, dotted, "set", value)
    _check_single_bad_value(d, dotted, value)


@settings(max_examples=_examples(300))
@given(st.sampled_from(_SINGLE_KEYS), _scalar)
def test_single_bad_value_in_a_variant_names_the_variant(dotted, value):
    d = _base()
    _apply(d, "variants.more." + dotted, "set", value)
    _check_single_bad_value(d, dotted, value, prefix="variants.more.")


@settings(max_examples=_examples(300))
@given(st.binary(max_size=200))
def test_random_file_bytes_raise_only_scenario_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("toml") / "x.toml"
    path.write_bytes(data)
    try:
        simkit.load_scenario(path)
    except ScenarioError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)


# ----- valid random scenarios -----------------------------------------------------
def _shares(n):
    return st.lists(st.integers(0, 100), min_size=n, max_size=n).filter(
        lambda x: sum(x) > 0).map(lambda x: [v / sum(x) for v in x])


@st.composite
def valid_scenarios(draw):
    n_seg = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["consistent", "ad_hoc", "explicit"]))
    weeks = draw(st.integers(1, 2))
    d = {
        "horizon": {"weeks": weeks},
        "schedule": {"kind": kind,
                     "slots": draw(st.lists(st.tuples(st.integers(0, 6),
                                                      st.integers(0, 23)),
                                            min_size=1, max_size=3, unique=True)),
                     "streams_per_week": draw(st.integers(1, 3)),
                     "waking_hours": [draw(st.integers(0, 12)), draw(st.integers(13, 24))],
                     "streams": draw(st.lists(st.fixed_dictionaries(
                         {"day": st.integers(0, 7 * weeks - 1),
                          "hour": st.integers(0, 23)},
                         optional={"duration_min": st.floats(1, 150),
                                   "collab": st.booleans(),
                                   "promotion": st.floats(1, 3)}),
                         min_size=1, max_size=3))},
        "stream": {"duration_min": draw(st.floats(1, 150))},
        "creator": {"followers": draw(st.integers(0, 8000)),
                    "adult": draw(st.booleans()),
                    "live_min_followers": draw(st.integers(0, 2000)),
                    "organic_growth_per_day": draw(st.floats(0, 50)),
                    "unfollow_rate_per_day": draw(st.floats(0, 0.05))},
        "audience": {"join_rate": draw(st.floats(0, 0.1)),
                     "notify_decay_per_min": draw(st.floats(0.01, 2)),
                     "discovery_rate_per_min": draw(st.floats(0, 2)),
                     "promotion": draw(st.floats(1, 3)),
                     "follow_prob": draw(st.floats(0, 1)),
                     "virality": draw(st.floats(0, 0.8)),
                     "engagement": draw(st.floats(0, 1))},
        "habit": {"enabled": draw(st.booleans()),
                  "max_gain": draw(st.floats(0, 2)),
                  "learning_rate": draw(st.floats(0.01, 1))},
        "dwell": {"distribution": draw(st.sampled_from(["lognormal", "weibull",
                                                        "exponential"])),
                  "median_min": draw(st.floats(0.05, 60)),
                  "sigma": draw(st.floats(0.05, 2)),
                  "shape": draw(st.floats(0.3, 5)),
                  "follower_factor": draw(st.floats(0.1, 5))},
        "segments": {"names": [f"s{i}" for i in range(n_seg)],
                     "follower_shares": draw(_shares(n_seg)),
                     "newcomer_shares": draw(_shares(n_seg)),
                     "gift_rate_per_min": draw(st.lists(st.floats(0, 0.5),
                                                        min_size=n_seg, max_size=n_seg)),
                     "catalogue_tilt": draw(st.lists(st.floats(-3, 3), min_size=n_seg,
                                                     max_size=n_seg))},
        "money": {"diamonds_per_coin": draw(st.floats(0.1, 2)),
                  "creator_share": draw(st.floats(0, 1)),
                  "scaled_rewards": draw(st.booleans()),
                  "agency_cut": draw(st.floats(0, 0.5)),
                  "withdraw_min_usd": draw(st.floats(0, 50)),
                  "withdraw_max_per_day_usd": draw(st.floats(0.5, 500)),
                  "withdraw_fee_rate": draw(st.floats(0, 0.1)),
                  "withdraw_fee_usd": draw(st.floats(0, 2)),
                  "payout_delay_days": draw(st.integers(0, 20))},
        "brand": {"enabled": draw(st.booleans()),
                  "offers_per_week": draw(st.floats(0, 5)),
                  "pricing": draw(st.sampled_from(["cpm", "flat"]))},
        "merch": {"buy_prob": draw(st.floats(0, 0.1))},
        "donations": {"donate_prob": draw(st.floats(0, 0.1)),
                      "fee_usd": draw(st.floats(0, 1))},
        "collaboration": {"probability": draw(st.floats(0, 1)),
                          "partner_followers": draw(st.integers(1, 5000))},
    }
    return simkit.scenario_from_dict(d)


ADDITIVE = ("income_total", "income_gifts", "income_brand", "income_merch",
            "income_donations", "unique_viewers", "notified_viewers",
            "discovered_viewers", "new_followers", "viewer_minutes", "gifts", "coins",
            "diamonds")


@settings(max_examples=_examples(100))
@given(valid_scenarios(), st.integers(0, 2**32))
def test_valid_scenarios_give_consistent_outputs(sc, seed):
    res = simkit.simulate(sc, paths=3, seed=seed, per_stream=True, curves=True)
    t, ps = res.totals, res.per_stream
    for k, v in t.items():
        assert np.all(np.isfinite(v)) and np.all(v >= 0), k
    for k, v in ps.items():
        assert np.all(np.isfinite(v)) and np.all(v >= 0), k
    assert np.all(np.isfinite(res.curves)) and res.curves.min() >= 0
    total = sum(t[s] for s in INCOME_SOURCES)
    npt.assert_allclose(t["income_total"], total, rtol=1e-12, atol=1e-9)
    npt.assert_allclose(ps["income_total"], sum(ps[s] for s in INCOME_SOURCES),
                        rtol=1e-12, atol=1e-9)
    npt.assert_allclose(t["income_gifts"] + t["income_subscriptions"],
                        t["cash_paid_out"] + t["cash_pending"] + t["withdrawal_fees"],
                        rtol=1e-9, atol=1e-9)
    npt.assert_allclose(t["diamonds"], t["coins"] * sc["money.diamonds_per_coin"],
                        rtol=1e-12)
    for m in ADDITIVE:
        npt.assert_allclose(ps[m].sum(axis=1), t[m], rtol=1e-9, atol=1e-9,
                            err_msg=m)
    npt.assert_array_equal(t["peak_concurrent"], ps["peak_concurrent"].max(axis=1))
    npt.assert_array_equal(t["streams_live"], ps["live"].sum(axis=1))
    assert np.all(ps["income_gifts"][ps["live"] == 0] == 0)
    assert np.all(ps["coins"] == np.round(ps["coins"]))
    assert np.all(ps["creator_share"] <= 1.0)


@settings(max_examples=_examples(100))
@given(valid_scenarios(), st.floats(0, 1), st.floats(0, 1))
def test_gift_income_is_monotone_in_creator_share(sc, s1, s2):
    assume(not sc["money.scaled_rewards"])
    lo, hi = sorted((s1, s2))
    a, b = simkit.simulate_batch([sc.with_overrides({"money.creator_share": lo}),
                                  sc.with_overrides({"money.creator_share": hi})],
                                 paths=3, seed=1)
    # Common random numbers: same coins, so income scales with the share.
    npt.assert_array_equal(a["coins"], b["coins"])
    assert np.all(b["income_gifts"] >= a["income_gifts"])
    if lo > 0:
        npt.assert_allclose(b["income_gifts"] * lo, a["income_gifts"] * hi,
                            rtol=1e-12, atol=1e-12)
    assert math.isfinite(float(b["income_total"].sum()))
