"""Scenario loading and validation: one clear ScenarioError naming file and key."""

from __future__ import annotations

import glob
import json
import math
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest

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


# ----- numbers that cannot be right (issue 9, item 4) -----------------------------
_NUMERIC = [(s, k, f) for s, fs in SCHEMA.items() for k, f in fs.items()
            if f.kind in ("float", "int", "floats")]
_MONEY = [f"{s}.{k}" for s, k, _ in _NUMERIC if k.endswith("_usd")]


def test_every_numeric_key_has_a_finite_upper_bound():
    for sec, key, f in _NUMERIC:
        assert math.isfinite(f.hi) and math.isfinite(f.lo), f"{sec}.{key}"
        assert f.hi < 1e10, f"{sec}.{key}"   # far below float64/int64 limits


def test_money_keys_are_listed():
    assert len(_MONEY) >= 12 and "brand.cpm_usd" in _MONEY


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
