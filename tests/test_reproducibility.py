"""Path i under seed s gives the same numbers whatever the thread count,
chunking (block size), path_offset split or batch it runs in
(docs/reproducibility.md)."""

from __future__ import annotations

import numba
import numpy as np
import numpy.testing as npt
import pytest

import simkit
from simkit.cli import main
from simkit.errors import SimkitError


@pytest.fixture(scope="module")
def scen():
    # Virality, collaboration, ad hoc days, brand deals and scaled rewards on:
    # every random mechanism is exercised.
    sc = simkit.load_scenario("scenarios/micro.toml")
    return sc.with_overrides({
        "horizon.weeks": 2, "stream.duration_min": 40, "schedule.kind": "ad_hoc",
        "audience.virality": 0.3, "collaboration.probability": 0.4,
        "collaboration.partner_followers": 3000, "brand.offers_per_week": 3.0,
        "money.scaled_rewards": True, "creator.followers": 3000})


def _assert_same(a, b):
    assert a.totals.keys() == b.totals.keys()
    for k in a.totals:
        npt.assert_array_equal(a.totals[k], b.totals[k], err_msg=k)
    if a.per_stream is not None:
        for k in a.per_stream:
            npt.assert_array_equal(a.per_stream[k], b.per_stream[k], err_msg=k)
    if a.curves is not None:
        # A batch pads curves to its longest stream (zeros after a stream ends).
        m = min(a.curves.shape[2], b.curves.shape[2])
        npt.assert_array_equal(a.curves[:, :, :m], b.curves[:, :, :m])
        assert not a.curves[:, :, m:].any() and not b.curves[:, :, m:].any()


def _run(sc, **kw):
    kw.setdefault("paths", 24)
    kw.setdefault("seed", 17)
    return simkit.simulate(sc, per_stream=True, curves=True, **kw)


def test_same_seed_same_numbers_different_seed_different(scen):
    a, b, c = _run(scen), _run(scen), _run(scen, seed=18)
    _assert_same(a, b)
    assert not np.array_equal(a["income_total"], c["income_total"])
    assert a["income_total"].std() > 0  # paths differ from each other


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_threads_1_and_2_agree(scen):
    _assert_same(_run(scen, threads=1), _run(scen, threads=2))


@pytest.mark.parametrize("block", [1, 7, 24])
def test_block_size_invariant(scen, block):
    _assert_same(_run(scen, block_paths=5), _run(scen, block_paths=block))


def test_path_offset_split_equals_one_run(scen):
    whole = _run(scen, paths=20)
    part = _run(scen, paths=10, path_offset=5)
    for k in whole.totals:
        npt.assert_array_equal(part.totals[k], whole.totals[k][5:15], err_msg=k)
    for k in whole.per_stream:
        npt.assert_array_equal(part.per_stream[k], whole.per_stream[k][5:15])
    npt.assert_array_equal(part.curves, whole.curves[5:15])


def test_batch_equals_separate_runs(scen):
    other = scen.with_overrides({"schedule.kind": "consistent",
                                 "stream.duration_min": 75})
    a, b = simkit.simulate_batch([scen, other], paths=16, seed=3, per_stream=True,
                                 curves=True)
    _assert_same(a, _run(scen, paths=16, seed=3))
    _assert_same(b, _run(other, paths=16, seed=3))


def test_seed_sequence_accepted_and_bad_seed_rejected(scen):
    ss = np.random.SeedSequence(17)
    _assert_same(_run(scen, seed=ss), _run(scen, seed=np.random.SeedSequence(17)))
    for bad in (-1, 1.5, "1", True):
        with pytest.raises(SimkitError, match="seed"):
            simkit.simulate(scen, paths=2, seed=bad)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_cli_threads_1_and_2_write_identical_results(tmp_path, capsys):
    outs = []
    for t in (1, 2):
        d = tmp_path / f"t{t}"
        assert main(["run", "scenarios/micro.toml", "--paths", "40", "--seed", "9",
                     "--threads", str(t), "--quiet", "--out", str(d)]) == 0
        outs.append(d)
    capsys.readouterr()
    csv = sorted(p.name for p in outs[0].glob("*.csv"))
    assert csv
    for name in csv:
        assert (outs[0] / name).read_text() == (outs[1] / name).read_text()
    a = simkit.SimulationResult.load(next(outs[0].glob("*.npz")))
    b = simkit.SimulationResult.load(next(outs[1].glob("*.npz")))
    _assert_same(a, b)


def test_batch_with_a_longer_catalogue_does_not_change_gift_draws(tmp_path):
    """Regression: gift counters were laid out over the batch's padded catalogue."""
    import numpy.testing as npt

    import simkit

    csv = tmp_path / "gifts.csv"
    csv.write_text("name,coins,weight\n" + "".join(
        f"g{i},{1 + 7 * i},{1.0 / (i + 1)}\n" for i in range(13)))
    base = simkit.scenario_from_dict({"creator": {"followers": 20_000},
                                      "brand": {"enabled": False}})
    other = simkit.scenario_from_dict({"catalogue": {"file": str(csv)}})
    alone = simkit.simulate(base, paths=40, seed=3)
    batched = simkit.simulate_batch([base, other], paths=40, seed=3)[0]
    assert len(other.catalogue.coins) > len(base.catalogue.coins)
    for m in ("gifts", "coins", "income_total"):
        npt.assert_array_equal(alone[m], batched[m])
