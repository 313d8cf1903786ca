"""Scenario loading and validation: one clear ScenarioError naming file and key."""

from __future__ import annotations

import glob
import math
from pathlib import Path

import pytest

import simkit
from simkit import ScenarioError, SimkitError, load_scenario, scenario_from_dict
from simkit._pack import n_streams
from simkit.scenario import SCHEMA

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
    ({"variants": {"v": {"audience": {"join_rate": 2}}}}, "audience.join_rate"),
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
    with pytest.raises(ScenarioError, match="did you mean `join_rate`"):
        load_scenario(p)


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
    assert sc.sweep["params"] == {"audience.join_rate": [0.01, 0.05]}
    assert "`sweep.params.audience.join_rat`" in _err(
        {"sweep": {"params": {"audience.join_rat": [0.01, 0.05]}}})
    assert "`sweep.params.audience.join_rate`" in _err(
        {"sweep": {"params": {"audience.join_rate": [0.05, 0.01]}}})
