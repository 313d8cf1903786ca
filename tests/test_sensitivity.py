"""Tests of simkit.analysis.sensitivity: one-at-a-time tornado on common numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import numpy.testing as npt
import pytest

import simkit
from simkit.analysis._sensitivity import (
    DEFAULT_PARAMS,
    TornadoEntry,
    TornadoResult,
    _tornado_iv,
    tornado,
)
from simkit.errors import ScenarioError, SimkitError

SEED = 12345
PATHS = 80
JOIN = (0.003, 0.007)


@pytest.fixture(scope="module")
def micro():
    return simkit.load_scenario("scenarios/micro.toml")


@pytest.fixture(scope="module")
def tr(micro):
    # join rate around micro's 0.005 (docs/model.md §18)
    params = {"money.creator_share": (0.25, 0.75), "audience.join_rate": JOIN,
              "creator.followers": (9000, 11000)}
    return tornado(micro, params, metric="income_gifts", paths=PATHS, seed=SEED)


def test_linear_input_is_exact_under_common_random_numbers(tr):
    # Gift income is creator_share x diamond value, and the share changes no draw:
    # on common random numbers each path scales exactly, so the means do too.
    e = tr["money.creator_share"]
    npt.assert_allclose(e.low_mean, 0.5 * tr.base_mean, rtol=1e-12)
    npt.assert_allclose(e.high_mean, 1.5 * tr.base_mean, rtol=1e-12)
    # paired s.e. of x0/2 - x0 is sd(x0)/2/sqrt(n) = base s.e. / 2
    npt.assert_allclose(e.low_stderr, tr.base_stderr / 2, rtol=1e-9)
    assert (e.base_value, e.low_value, e.high_value) == (0.5, 0.25, 0.75)


def test_paired_stderr_matches_separate_runs(micro, tr):
    # The batch result equals separate simulate() calls with the same seed, and
    # the reported s.e. is that of the per-path difference.
    x0 = simkit.simulate(micro, paths=PATHS, seed=SEED)["income_gifts"]
    lo = micro.with_overrides({"audience.join_rate": JOIN[0]})
    xl = simkit.simulate(lo, paths=PATHS, seed=SEED)["income_gifts"]
    e = tr["audience.join_rate"]
    npt.assert_allclose(e.low_mean, xl.mean(), rtol=1e-12)
    npt.assert_allclose(e.low_stderr, (xl - x0).std(ddof=1) / math.sqrt(PATHS),
                        rtol=1e-9)
    # common random numbers make the paired s.e. far smaller than independent runs'
    se_indep = math.sqrt(xl.var(ddof=1) / PATHS + x0.var(ddof=1) / PATHS)
    assert e.low_stderr < 0.8 * se_indep


def test_sorted_by_swing_and_direction(tr):
    swings = [e.swing for e in tr.entries]
    assert swings == sorted(swings, reverse=True)
    assert tr.entries[0].key == "money.creator_share"
    e = tr["audience.join_rate"]
    # more joiners -> more gifts; the shift is many paired s.e. wide
    # (|z| > 4: a false alarm under a zero effect has probability ~6e-5)
    assert (e.high_mean - e.low_mean) / math.hypot(e.low_stderr, e.high_stderr) > 4


def test_unused_input_has_exactly_zero_swing(micro):
    off = micro.with_overrides({"brand.enabled": False})
    res = tornado(off, {"brand.cpm_usd": (1.0, 50.0)}, paths=40, seed=SEED)
    e = res.entries[0]
    assert e.low_mean == e.high_mean == res.base_mean
    assert e.low_stderr == e.high_stderr == 0.0


def test_default_ranges(micro):
    ranges, paths, seed = _tornado_iv(micro, None, "income_total", 10, 1, 0.25)
    # micro prices brand deals by flat fee: the flat fee is varied, not the CPM
    assert "brand.flat_fee_usd" in ranges and "brand.cpm_usd" not in ranges
    assert set(ranges) <= set(DEFAULT_PARAMS) | {"brand.flat_fee_usd"}
    assert ranges["creator.followers"] == (7500, 12500)
    assert isinstance(ranges["creator.followers"][0], int)
    lo, hi = ranges["audience.join_rate"]
    npt.assert_allclose([lo, hi], [0.005 * 0.75, 0.005 * 1.25])
    high_share = micro.with_overrides({"money.creator_share": 0.9,
                                       "merch.buy_prob": 0.0})
    ranges, _, _ = _tornado_iv(high_share, None, "income_total", 10, 1, 0.25)
    assert ranges["money.creator_share"] == (0.675, 1.0)  # clipped to [0, 1]
    assert "merch.buy_prob" not in ranges  # 0 has no +-25% range
    no_brand = micro.with_overrides({"brand.enabled": False})
    ranges, _, _ = _tornado_iv(no_brand, None, "income_total", 10, 1, 0.25)
    assert not {"brand.cpm_usd", "brand.flat_fee_usd"} & set(ranges)


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"params": {"audience.join_rate": 0.1}}, SimkitError, "pair of numbers"),
    ({"params": {}}, SimkitError, "non-empty dict"),
    ({"params": {"audience.nope": (1, 2)}}, ScenarioError, "audience.nope"),
    ({"params": {"audience.join_rate": (0.02, 2.0)}}, ScenarioError, "join_rate"),
    ({"metric": "nope"}, SimkitError, "unknown metric"),
    ({"paths": 1}, SimkitError, "`paths`"),
    ({"seed": -1}, SimkitError, "`seed`"),
    ({"step": 1.5}, SimkitError, "`step`"),
])
def test_errors(micro, kwargs, exc, match):
    kw = {"params": {"audience.join_rate": (0.02, 0.04)}, "paths": 10, "seed": 1}
    kw.update(kwargs)
    with pytest.raises(exc, match=match):
        tornado(micro, **kw)


def test_result_table_and_json(tr):
    text = str(tr)
    assert "tornado of income_gifts" in text and "money.creator_share" in text
    d = json.loads(json.dumps(tr.to_dict()))
    assert [e["key"] for e in d["entries"]] == [e.key for e in tr.entries]
    assert d["entries"][0]["swing"] == tr.entries[0].swing
    with pytest.raises(KeyError):
        tr["nope"]


def test_dataclasses_are_frozen():
    e = TornadoEntry("k", 1.0, 0.5, 1.5, 1.0, 2.0, 0.1, 0.1)
    r = TornadoResult("s", "income_total", 10, 0, 1.5, 0.1, (e,))
    assert e.swing == 1.0
    with pytest.raises(AttributeError):
        r.base_mean = 2.0  # type: ignore[misc]
    assert np.isfinite(r.entries[0].swing)
