"""Scenario loading and validation: one clear ScenarioError naming file and key."""

from __future__ import annotations

import glob
import json
import math
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit
from simkit import ScenarioError, SimkitError, load_scenario, scenario_from_dict
from simkit._pack import n_streams
from simkit.scenario import SCHEMA, Catalogue, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FILES = sorted(glob.glob(str(ROOT / "scenarios" / "*.toml")))


def _err(d):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(d)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_scenarios_directory_is_not_empty():
    assert len(SCENARIO_FILES) >= 4


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: Path(p).name)
def test_every_shipped_scenario_validates(path):
    sc = load_scenario(path)
    assert sc.source == path and sc.name
    assert n_streams(sc) >= 1
    for v in sc.variants:
        vs = sc.variant(v)
        assert vs.name == f"{sc.name}:{v}" and vs.variant_name == v
    # The full mapping round-trips through validation unchanged.
    again = scenario_from_dict(sc.to_dict())
    assert dict(again.values) == dict(sc.values)


def test_defaults_filled_and_dotted_access():
    sc = scenario_from_dict({})
    for sec, fields in SCHEMA.items():
        if sec in ("sponsorship", "sweep"):
            continue
        for key, f in fields.items():
            dotted = f"{sec}.{key}" if sec else key
            if f.default is not None:
                assert dotted in sc.values
    assert sc.sponsorship is None and sc.sweep is None
    assert sc.horizon_days == 7 * sc["horizon.weeks"]
    assert sc.stream_duration_min == sc["stream.duration_min"]
    with pytest.raises(KeyError, match="did you mean"):
        sc["audience.join_rat"]


@pytest.mark.parametrize(("d", "key", "hint"), [
    ({"audience": {"join_rat": 0.1}}, "audience.join_rat", "join_rate"),
    ({"audiense": {"join_rate": 0.1}}, "audiense", "audience"),
    ({"creator": {"folowers": 10}}, "creator.folowers", "followers"),
    ({"schedule": {"kind": "explicit", "streams": [{"day": 0, "huor": 3}]}},
     "schedule.streams[0].huor", "hour"),
    ({"variants": {"x": {"audience": {"join_rat": 0.1}}}},
     "variants.x.audience.join_rat", "join_rate"),
    ({"variants": {"x": {"audiense": {"join_rate": 0.1}}}}, "variants.x.audiense",
     "audience"),
    ({"variants": {"x": {"schedule": {"kind": "explicit",
                                      "streams": [{"day": 0, "huor": 3}]}}}},
     "variants.x.schedule.streams[0].huor", "hour"),
])
def test_unknown_key_did_you_mean(d, key, hint):
    msg = _err(d)
    assert msg.startswith("<dict>: ") and f"`{key}`" in msg
    assert f"did you mean `{hint}`" in msg


@pytest.mark.parametrize(("d", "key"), [
    ({"creator": {"followers": "many"}}, "creator.followers"),
    ({"creator": {"followers": 10.5}}, "creator.followers"),
    ({"creator": {"adult": 1}}, "creator.adult"),
    ({"audience": {"join_rate": True}}, "audience.join_rate"),
    ({"audience": {"join_rate": "0.1"}}, "audience.join_rate"),
    ({"audience": {"activity": [0.5] * 23}}, "audience.activity"),
    ({"audience": {"activity": [0.5] * 23 + ["x"]}}, "audience.activity[23]"),
    ({"schedule": {"kind": "sometimes"}}, "schedule.kind"),
    ({"schedule": {"slots": [[1, 20], [1, 20]]}}, "schedule.slots"),
    ({"schedule": {"slots": [[7, 20]]}}, "schedule.slots[0]"),
    ({"schedule": {"kind": "explicit", "streams": []}}, "schedule.streams"),
    ({"schedule": {"kind": "explicit", "streams": [{"hour": 3}]}},
     "schedule.streams[0].day"),
    ({"schedule": {"kind": "explicit", "streams": [{"day": 28, "hour": 3}]}},
     "schedule.streams[0].day"),
    ({"schedule": {"kind": "explicit", "streams": [{"day": 1, "hour": 3,
                                                     "collab": "yes"}]}},
     "schedule.streams[0].collab"),
    ({"schedule": {"waking_hours": [20, 20.5]}}, "schedule.waking_hours"),
    ({"audience": 3}, "audience"),
    ({"name": 7}, "name"),
    ({"segments": {"names": []}}, "segments.names"),
    ({"dwell": {"distribution": "gamma"}}, "dwell.distribution"),
    ({"variants": 3}, "variants"),
    ({"variants": {"v": 3}}, "variants.v"),
    # Errors inside a variant carry the variant's key path.
    ({"variants": {"v": {"audience": {"join_rate": 2}}}},
     "variants.v.audience.join_rate"),
    ({"variants": {"v": {"creator": {"followers": -1}}}},
     "variants.v.creator.followers"),
    ({"variants": {"v": {"audience": 3}}}, "variants.v.audience"),
    ({"variants": {"v": {"audience": {"activity": [0.5] * 23 + ["x"]}}}},
     "variants.v.audience.activity[23]"),
    ({"variants": {"v": {"schedule": {"kind": "explicit", "streams": [{"hour": 3}]}}}},
     "variants.v.schedule.streams[0].day"),
    ({"variants": {"v": {"catalogue": {"file": "missing.csv"}}}},
     "variants.v.catalogue.file"),
    # A relation the variant breaks is reported under the variant too.
    ({"variants": {"v": {"segments": {"names": ["a", "b"]}}}},
     "variants.v.segments.follower_shares"),
])
def test_wrong_types_and_shapes(d, key):
    assert f"`{key}`" in _err(d)


@pytest.mark.parametrize(("key", "value"), [
    ("audience.join_rate", -0.01), ("audience.join_rate", 1.5),
    ("audience.notify_decay_per_min", 0.0), ("audience.virality", 0.96),
    ("audience.promotion", 0.5), ("horizon.weeks", 0), ("horizon.weeks", 105),
    ("stream.duration_min", 0.5), ("creator.followers", -1),
    ("audience.join_rate", math.nan), ("audience.join_rate", math.inf),
    ("money.diamonds_per_coin", 0.0), ("habit.learning_rate", 0.0),
    ("dwell.median_min", 0.0),
])
def test_out_of_range(key, value):
    sec, k = key.split(".")
    msg = _err({sec: {k: value}})
    assert f"`{key}`" in msg and "must be" in msg
    assert SCHEMA[sec][k].expected() in msg


@pytest.mark.parametrize("which", ["follower_shares", "newcomer_shares"])
def test_shares_must_sum_to_one(which):
    msg = _err({"segments": {which: [0.5, 0.3, 0.1, 0.05]}})
    assert f"`segments.{which}`" in msg and "summing to 1" in msg


def test_segment_lists_must_match_names():
    msg = _err({"segments": {"gift_rate_per_min": [0.0, 0.1]}})
    assert "`segments.gift_rate_per_min`" in msg and "4" in msg


def test_collaboration_needs_partner():
    assert "`collaboration.partner_followers`" in _err(
        {"collaboration": {"probability": 0.5}})


def test_missing_file(tmp_path):
    p = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError, match="nope.toml") as info:
        load_scenario(p)
    assert isinstance(info.value, SimkitError)


def test_bad_toml(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[audience\njoin_rate = 0.1\n")
    with pytest.raises(ScenarioError, match=r"bad\.toml.*valid TOML") as info:
        load_scenario(p)
    assert "\n" not in str(info.value)


def test_not_utf8(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ScenarioError, match="latin.toml"):
        load_scenario(p)


def test_error_names_the_file(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("[audience]\njoin_rate = 3\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    e = info.value
    assert str(e).startswith(f"{p}: `audience.join_rate` must be a number in [0, 1]")
    assert e.key == "audience.join_rate" and e.got == 3


def test_variants_merge_and_errors(tmp_path):
    p = tmp_path / "v.toml"
    p.write_text('name = "base"\n[creator]\nfollowers = 5000\n'
                 '[variants.big.creator]\nfollowers = 50000\n'
                 '[variants.slow.audience]\njoin_rate = 0.01\n')
    sc = load_scenario(p)
    assert sc.variants == ("big", "slow")
    big, slow = sc.variant("big"), sc.variant("slow")
    assert big["creator.followers"] == 50_000 and big.name == "base:big"
    assert slow["creator.followers"] == 5000 and slow["audience.join_rate"] == 0.01
    assert sc["creator.followers"] == 5000  # the base is untouched
    with pytest.raises(ScenarioError, match="did you mean `big`"):
        sc.variant("bigg")
    res = simkit.simulate(sc, variant="big", paths=2, seed=0)
    assert res.name == "base:big"


def test_bad_variant_fails_at_load(tmp_path):
    p = tmp_path / "v.toml"
    p.write_text("[variants.x.audience]\njoin_rat = 0.1\n")
    with pytest.raises(ScenarioError, match="did you mean `join_rate`") as info:
        load_scenario(p)
    assert info.value.key == "variants.x.audience.join_rat"
    assert str(info.value).startswith(f"{p}: `variants.x.audience.join_rat` must be")


def test_bad_value_in_variant_names_the_variant(tmp_path):
    p = tmp_path / "v.toml"
    p.write_text("[creator]\nfollowers = 5000\n[variants.a.creator]\nfollowers = -1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    e = info.value
    assert str(e) == (f"{p}: `variants.a.creator.followers` must be "
                      f"{SCHEMA['creator']['followers'].expected()}, got -1")
    assert e.key == "variants.a.creator.followers" and e.got == -1 and e.file == str(p)


def test_bad_variant_cli_one_line_exit_2(tmp_path, capsys):
    from simkit.cli import main

    p = tmp_path / "v.toml"
    p.write_text("[variants.a.creator]\nfollowers = -1\n")
    assert main(["run", str(p), "--paths", "2", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"{p}: `variants.a.creator.followers` must be" in err


def test_bad_catalogue_of_variant_names_the_csv(tmp_path):
    # The error is about the CSV file, not a key of the scenario: no prefix.
    (tmp_path / "bad.csv").write_text("name,coins,weight\nA,1.5,3\n")
    p = tmp_path / "v.toml"
    p.write_text('[variants.x.catalogue]\nfile = "bad.csv"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    assert info.value.key == "row 1" and info.value.file.endswith("bad.csv")


def test_with_overrides_validated():
    sc = scenario_from_dict({})
    assert sc.with_overrides({"audience.join_rate": 0.06})["audience.join_rate"] == 0.06
    assert sc["audience.join_rate"] == 0.04
    with pytest.raises(ScenarioError, match="audience.join_rate"):
        sc.with_overrides({"audience.join_rate": 2.0})
    with pytest.raises(ScenarioError, match="did you mean"):
        sc.with_overrides({"audience.join_rat": 0.1})


def test_custom_catalogue(tmp_path):
    (tmp_path / "gifts.csv").write_text("name,coins,weight\nA,1,3\nB,10,1\n")
    p = tmp_path / "c.toml"
    p.write_text('[catalogue]\nfile = "gifts.csv"\n')
    sc = load_scenario(p)
    assert list(sc.catalogue.coins) == [1, 10]
    res = simkit.simulate(sc, paths=50, seed=1)
    coins = res["coins"]
    assert coins.max() > 0
    (tmp_path / "bad.csv").write_text("name,coins,weight\nA,1.5,3\n")
    p.write_text('[catalogue]\nfile = "bad.csv"\n')
    with pytest.raises(ScenarioError, match="row 1"):
        load_scenario(p)
    p.write_text('[catalogue]\nfile = "missing.csv"\n')
    with pytest.raises(ScenarioError, match="catalogue.file"):
        load_scenario(p)


def test_sponsorship_and_sweep_sections():
    sc = scenario_from_dict({"sponsorship": {"streams": 3},
                             "sweep": {"params": {"audience.join_rate": [0.01, 0.05]}}})
    assert sc.sponsorship["streams"] == 3
    assert sc.sponsorship["deliverable"] == "viewer_minutes"
    assert sc.sweep["params"] == {"audience.join_rate": (0.01, 0.05)}
    assert sc.to_dict()["sweep"]["params"] == {"audience.join_rate": [0.01, 0.05]}
    assert "`sweep.params.audience.join_rat`" in _err(
        {"sweep": {"params": {"audience.join_rat": [0.01, 0.05]}}})
    assert "`sweep.params.audience.join_rate`" in _err(
        {"sweep": {"params": {"audience.join_rate": [0.05, 0.01]}}})


# ----- frozen all the way down --------------------------------------------------
def test_catalogue_arrays_are_read_only_and_cache_is_safe():
    sc = scenario_from_dict({})
    cat = sc.catalogue
    coins, weights = cat.coins.copy(), cat.weights.copy()
    for arr in (cat.coins, cat.weights, load_catalogue("default").coins):
        with pytest.raises(ValueError, match="read-only"):
            arr[-1] = 10**9
        with pytest.raises(ValueError):
            arr.setflags(write=True)
        with pytest.raises(ValueError, match="read-only"):
            arr *= 2
    # A later, unrelated scenario sees the catalogue as loaded.
    later = scenario_from_dict({}).catalogue
    npt.assert_array_equal(later.coins, coins)
    npt.assert_array_equal(later.weights, weights)
    assert not later.coins.flags.writeable and not later.weights.flags.writeable


def test_catalogue_copies_the_arrays_it_is_given():
    coins, weights = np.array([1, 10]), np.array([3.0, 1.0])
    cat = Catalogue(("A", "B"), coins, weights)
    coins[0], weights[0] = 99, 0.0
    assert cat.coins.tolist() == [1, 10] and cat.weights.tolist() == [3.0, 1.0]
    assert cat.coins.dtype == np.int64 and cat.weights.dtype == float
    with pytest.raises(ValueError):
        cat.coins[0] = 2


def test_raw_is_deeply_read_only():
    sc = scenario_from_dict({"creator": {"followers": 7},
                             "schedule": {"slots": [[1, 20], [3, 20]]},
                             "sweep": {"params": {"audience.join_rate": [0.01, 0.05]}}})
    with pytest.raises(TypeError):
        sc.raw["creator"]["followers"] = 5
    with pytest.raises(TypeError):
        sc.raw["schedule"]["slots"][0] = [2, 20]
    with pytest.raises(TypeError):
        sc.raw["schedule"]["slots"][0][1] = 21
    with pytest.raises(TypeError):
        sc.raw["sweep"]["params"]["audience.join_rate"][0] = 0.5
    with pytest.raises(TypeError):
        sc.values["sweep.params"]["audience.follow_prob"] = [0.1, 0.2]
    with pytest.raises(TypeError):
        sc.sweep["params"]["audience.join_rate"][0] = 0.5
    again = sc.with_overrides({})
    assert again["creator.followers"] == 7
    assert again["schedule.slots"] == ((1, 20), (3, 20))
    assert again.sweep["params"] == {"audience.join_rate": (0.01, 0.05)}


def test_scenario_does_not_share_the_callers_dict():
    d = {"creator": {"followers": 7}, "variants": {"a": {"creator": {"followers": 9}}},
         "schedule": {"kind": "explicit", "streams": [{"day": 0, "hour": 20}]}}
    sc = scenario_from_dict(d)
    d["creator"]["followers"] = 5
    d["variants"]["a"]["creator"]["followers"] = -1
    d["schedule"]["streams"][0]["day"] = 10**6
    assert sc.with_overrides({})["creator.followers"] == 7
    assert sc.variant("a")["creator.followers"] == 9
    assert sc.variant("a").with_overrides({})["schedule.streams"][0]["day"] == 0


def test_frozen_scenario_still_overrides_and_exports():
    sc = scenario_from_dict({"segments": {"names": ["a", "b"],
                                          "follower_shares": [0.5, 0.5],
                                          "newcomer_shares": [0.5, 0.5],
                                          "gift_rate_per_min": [0.0, 0.1],
                                          "catalogue_tilt": [0.0, 0.2]},
                             "variants": {"v": {"segments": {"gift_rate_per_min":
                                                             [0.0, 0.3]}}}})
    v = sc.variant("v").with_overrides({"creator.followers": 123})
    assert v["segments.gift_rate_per_min"] == (0.0, 0.3)
    assert v["segments.names"] == ("a", "b") and v["creator.followers"] == 123
    d = v.to_dict()
    json.dumps(d)  # plain lists and dicts only
    assert d["segments"]["names"] == ["a", "b"]
    assert dict(scenario_from_dict(d).values) == dict(v.values)


# ----- numbers that cannot be right -----------------------------------------------
_NUMERIC = [(s, k, f) for s, fs in SCHEMA.items() for k, f in fs.items()
            if f.kind in ("float", "int", "floats")]
_MONEY = [f"{s}.{k}" for s, k, _ in _NUMERIC if k.endswith("_usd")]


def test_every_numeric_key_has_a_finite_upper_bound():
    for sec, key, f in _NUMERIC:
        assert math.isfinite(f.hi) and math.isfinite(f.lo), f"{sec}.{key}"
        assert f.hi < 1e10, f"{sec}.{key}"   # far below float64/int64 limits


def test_money_keys_are_listed():
    assert len(_MONEY) == 12 and "brand.cpm_usd" in _MONEY \
        and "subscriptions.price_usd" in _MONEY


@pytest.mark.parametrize("dotted", [
    "segments.gift_rate_per_min", "audience.discovery_rate_per_min", *_MONEY])
def test_huge_values_refused_with_the_key(dotted):
    sec, k = dotted.split(".")
    f = SCHEMA[sec][k]
    value = [0.0] * 3 + [1e308] if f.kind == "floats" else 1e308
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({sec: {k: value}}, source="s.toml")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("s.toml: `")
    assert info.value.key.startswith(dotted)
    assert f.expected() in msg and "1e+308" in msg


def test_sweep_range_must_lie_inside_the_bounds():
    msg = _err({"sweep": {"params": {"audience.discovery_rate_per_min": [1.0, 1e308]}}})
    assert "`sweep.params.audience.discovery_rate_per_min`" in msg
    assert "inside the key's range" in msg
    assert "`sweep.params.audience.notify_decay_per_min`" in _err(
        {"sweep": {"params": {"audience.notify_decay_per_min": [0.0, 1.0]}}})


@pytest.mark.parametrize(("row", "name"), [
    ("A,inf,1", "inf"), ("A,1e20,1", "1e20"), ("A,nan,1", "nan"),
    ("A,1000001,1", "over a million"), ("A,5,inf", "inf weight"),
    ("A,5,1e13", "huge weight"),
])
def test_catalogue_with_impossible_numbers(tmp_path, row, name):
    (tmp_path / "g.csv").write_text(f"name,coins,weight\nRose,1,1\n{row}\n")
    p = tmp_path / "c.toml"
    p.write_text('[catalogue]\nfile = "g.csv"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    assert info.value.key == "row 2" and info.value.file.endswith("g.csv"), name
    assert "\n" not in str(info.value) and "1,000,000" in str(info.value)


def test_catalogue_dearest_real_gift_is_accepted(tmp_path):
    (tmp_path / "g.csv").write_text("name,coins,weight\nUniverse,44999,1\n"
                                    "Max,1000000,1e12\n")
    cat = load_catalogue(str(tmp_path / "g.csv"))
    assert cat.coins.tolist() == [44999, 1_000_000]


def test_catalogue_not_utf8(tmp_path):
    (tmp_path / "g.csv").write_bytes(b"name,coins,weight\nCaf\xe9,1,1\n")
    p = tmp_path / "c.toml"
    p.write_text('[catalogue]\nfile = "g.csv"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    assert info.value.file.endswith("g.csv") and "UTF-8" in str(info.value)


def test_catalogue_csv_errors_in_the_cli_are_one_line(tmp_path, capsys):
    from simkit.cli import main

    for i, data in enumerate([b"name,coins,weight\nA,inf,1\n",
                              b"name,coins,weight\nA,1e20,1\n",
                              b"name,coins,weight\n\xff\xfe,1,1\n"]):
        (tmp_path / f"g{i}.csv").write_bytes(data)
        p = tmp_path / f"c{i}.toml"
        p.write_text(f'[catalogue]\nfile = "g{i}.csv"\n')
        out = tmp_path / f"out{i}"
        assert main(["run", str(p), "--paths", "2", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("simkit: error: ") and err.count("\n") == 1, err
        assert f"g{i}.csv" in err and "Traceback" not in err
        assert not out.exists()


def _hi(dotted):
    sec, k = dotted.split(".")
    return SCHEMA[sec][k].hi


def test_kernel_products_at_the_bounds():
    """Every product the kernels form, with every factor at its schema bound,
    stays finite and far from float64/int64 overflow (a simulation at these
    bounds would take weeks, so the products are multiplied out here).

    Per stream, from the followers at its start (followers gained during the
    horizon compound across streams and are not bounded here; the result check
    of ``simulate_batch`` refuses anything that overflows).
    """
    from simkit.scenario._load import MAX_COINS

    z_max = 8.21                                  # ndtri of the largest u01
    t = _hi("stream.duration_min")
    a = _hi("audience.activity") * _hi("audience.weekday_factors")
    habit = 1 + _hi("habit.max_gain")
    promo = _hi("audience.promotion")
    join = _hi("audience.join_rate")
    followers = _hi("creator.followers")
    notified = followers * join * a * habit * promo
    partner = (_hi("collaboration.partner_followers") * join
               * _hi("collaboration.interest") * a * promo)
    feed = _hi("audience.discovery_rate_per_min") * a * t
    viewers = (notified + partner + feed) / (1 - _hi("audience.virality"))
    viewer_minutes = viewers * t
    g_max = math.exp(_hi("audience.gifting_elasticity") * 0.5)
    gifts = viewer_minutes * _hi("segments.gift_rate_per_min") * g_max
    coins = gifts * MAX_COINS
    gift_usd = coins * _hi("money.diamonds_per_coin") * _hi("money.diamond_value_usd")
    brand_cpm = _hi("brand.cpm_usd") * viewer_minutes / 1000
    reach = followers / 1e5
    brand_flat = (_hi("brand.flat_fee_usd") * reach ** _hi("brand.flat_fee_exponent")
                  * math.exp(_hi("brand.flat_fee_sigma") * z_max))
    deals_per_day = _hi("brand.offers_per_week") / 7 * reach ** _hi(
        "brand.reach_elasticity")
    merch = viewers * _hi("merch.order_median_usd") * math.exp(
        _hi("merch.order_sigma") * z_max)
    donations = viewers * _hi("donations.median_usd") * math.exp(
        _hi("donations.sigma") * z_max)
    days = 7 * _hi("horizon.weeks")
    organic = _hi("creator.organic_growth_per_day") * days
    # Counts are Poisson/binomial quantiles computed in int64 (and summed in
    # float64): below 2**63 / 8, and viewers exact in float64 (< 2**53).
    for name, v in (("viewers", viewers), ("gifts", gifts),
                    ("deals", deals_per_day * days),
                    ("followers gained from videos", organic)):
        assert v < 2.0**63 / 8, (name, v)
    assert viewers < 2.0**53
    assert gifts < 1e18 and viewer_minutes < 1e17
    # Money: per stream, times the most streams a horizon can hold (every hour
    # of 104 weeks), far below float64's 1.8e308.
    streams = days * 24
    for name, v in (("gifts", gift_usd), ("brand cpm", brand_cpm),
                    ("brand flat", brand_flat), ("merch", merch),
                    ("donations", donations)):
        assert v * streams < 1e45, (name, v)


# Audience-size keys stay small (the time of a simulation grows with the
# viewers), and three keys that would zero a money path (agency cut 1, fee rate
# 1, no brand deal at 1,000 followers) stay low; every other number is at its
# bound, or drawn within its bounds.
_SMALL = {"horizon.weeks": 1, "creator.followers": 1000,
          "creator.live_min_followers": 0, "creator.organic_growth_per_day": 10.0,
          "audience.join_rate": 0.05, "audience.discovery_rate_per_min": 1.0,
          "collaboration.partner_followers": 1000, "match.partner_followers": 1000,
          "subscriptions.initial": 100, "stream.duration_min": 240.0,
          "money.agency_cut": 0.0, "brand.reach_elasticity": 0.0,
          "donations.fee_rate": 0.079}
_SKIP = {"segments.follower_shares", "segments.newcomer_shares",
         "schedule.waking_hours", "schedule.streams_per_week"}


def _scenario_at(frac, csv_path):
    """Every numeric key at ``lo + frac(key) * (hi - lo)``, except _SMALL and _SKIP."""
    d = {"catalogue": {"file": str(csv_path)}, "schedule": {"kind": "ad_hoc"}}
    for sec, key, f in _NUMERIC:
        dotted = f"{sec}.{key}"
        if sec in ("sponsorship", "sweep") or dotted in _SKIP:
            continue
        if dotted in _SMALL:
            v = _SMALL[dotted]
        else:
            lo = f.lo if not f.lo_open else f.lo + 1e-6 * (f.hi - f.lo)
            v = lo + frac(dotted) * (f.hi - lo)
            v = int(v) if f.kind == "int" else v
        if f.kind == "floats":
            n = f.length or 4
            v = [v] * n
        d.setdefault(sec, {})[key] = v
    d["schedule"]["streams_per_week"] = 2
    return scenario_from_dict(d)


@pytest.fixture(scope="module")
def dearest_catalogue(tmp_path_factory):
    p = tmp_path_factory.mktemp("cat") / "dear.csv"
    p.write_text("name,coins,weight\nRose,1,1\nUniverse,44999,1e12\nMax,1000000,1e12\n")
    return p


def _assert_finite_nonnegative(res):
    for part in (res.totals, res.per_stream):
        for k, v in part.items():
            assert np.all(np.isfinite(v)) and np.all(v >= 0), k
    assert np.all(np.isfinite(res.curves)) and res.curves.min() >= 0


def test_every_other_number_at_its_upper_bound_simulates_finite(dearest_catalogue):
    sc = _scenario_at(lambda k: 1.0, dearest_catalogue)
    assert sc["money.diamond_value_usd"] == 1.0 and sc["audience.virality"] == 0.95
    res = simkit.simulate(sc, paths=2, seed=3, per_stream=True, curves=True)
    _assert_finite_nonnegative(res)
    for m in ("income_gifts", "income_brand", "income_merch", "income_donations"):
        assert res[m].max() > 0, m


# 10 examples under the ``ci`` profile (conftest.py), fewer under ``dev``.
@settings(max_examples=max(1, 10 * settings.default.max_examples // 30))
@given(fracs=st.fixed_dictionaries({f"{s}.{k}": st.floats(0, 1)
                                    for s, k, _ in _NUMERIC}),
       seed=st.integers(0, 2**32))
def test_numbers_within_bounds_simulate_finite(dearest_catalogue, fracs, seed):
    sc = _scenario_at(fracs.__getitem__, dearest_catalogue)
    _assert_finite_nonnegative(simkit.simulate(sc, paths=2, seed=seed,
                                               per_stream=True, curves=True))
