"""Per-path parameters (uncertain inputs) in the kernels.

* A path that drew the value ``a`` of an uncertain input gives exactly what
  the fixed-parameter run at ``a`` gives on that path (two-point ``empirical``
  inputs), because every kernel draw is keyed by (seed, path, ...), never by
  the parameter values or by which paths share them.
* Uncertain inputs and stream shocks give the same numbers on any thread
  count, block size, ``path_offset`` split, checkpoint/resume and backend.
"""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest

import simkit
from simkit import config, scenario_from_dict
from simkit._pack import PATH_KEYS, pack, path_arrays, seg_rate_rows, theta_rows
from simkit.backends import cpu
from simkit.metrics import TOTALS

ROOT = Path(__file__).resolve().parents[1]
#: Two-point inputs: theta (int and float keys, the consistent schedule's
#: promotion), the segment gift rates (engagement) and the shocks.
TWO_POINTS = {
    "creator.followers": [3000, 9000],
    "audience.engagement": [0.2, 0.9],
    "audience.promotion": [1.0, 2.5],
    "shocks.audience_sigma": [0.1, 0.8],
}


def micro(**extra):
    d = tomllib.loads((ROOT / "scenarios" / "micro.toml").read_text())
    d["horizon"] = {"weeks": 2}
    for dotted, v in extra.items():
        sec, key = dotted.split(".")
        d.setdefault(sec, {})[key] = v
    return scenario_from_dict(d)


def uncertain(**extra):
    """micro with the TWO_POINTS keys as two-point empirical inputs."""
    return micro(**{k: {"dist": "empirical", "samples": v}
                    for k, v in TWO_POINTS.items()}, **extra)


def assert_same(a, b, rows=slice(None)):
    for m in TOTALS:
        npt.assert_array_equal(a[m][rows], b[m][rows], err_msg=m)
    if a.per_stream is not None:
        for m in a.per_stream:
            npt.assert_array_equal(a.per_stream[m][rows], b.per_stream[m][rows],
                                   err_msg=m)


def test_path_keys():
    assert "audience.join_rate" in PATH_KEYS and "shocks.rho" in PATH_KEYS
    assert "segments.gift_rate_scale" in PATH_KEYS
    for k in ("horizon.weeks", "stream.duration_min", "schedule.streams_per_week",
              "sweep.n", "sponsorship.streams", "shocks.family", "brand.enabled"):
        assert k not in PATH_KEYS


def test_two_point_inputs_equal_the_fixed_runs_path_by_path():
    sc = uncertain()
    kw = {"paths": 96, "seed": 2024, "path_offset": 17, "per_stream": True,
          "progress": False}
    res = simkit.simulate(sc, **kw)
    drawn = res.inputs
    assert set(drawn) == set(TWO_POINTS)
    covered = 0
    for combo in itertools.product(*TWO_POINTS.values()):
        over = dict(zip(TWO_POINTS, combo))
        rows = np.all([drawn[k] == v for k, v in over.items()], axis=0)
        if not rows.any():
            continue
        fixed = simkit.simulate(micro(**over), **kw)
        assert not fixed.inputs
        assert_same(res, fixed, rows)
        covered += rows.sum()
    assert covered == kw["paths"]
    # Both values of every key were drawn, and the outputs moved with them.
    for k, v in TWO_POINTS.items():
        assert set(np.unique(drawn[k])) == set(map(float, v)), k


def test_per_path_rows_equal_the_fixed_rows():
    """theta and the gift rates of a path equal the fixed scenario's at its values."""
    sc = micro()
    spec = pack([sc]).specs[0]
    vals = {"audience.join_rate": np.array([0.01, 0.07, 0.01]),
            "dwell.median_min": np.array([3.0, 3.0, 11.0]),
            "audience.engagement": np.array([0.1, 0.5, 0.95]),
            "segments.gift_rate_scale": np.array([0.5, 1.0, 2.0])}
    th = theta_rows(spec, vals, 3)
    sr = seg_rate_rows(spec, vals, 3, 4)
    for p in range(3):
        one = pack([sc.with_overrides({k: float(v[p]) for k, v in vals.items()})])
        npt.assert_array_equal(th[p], one.theta[0])
        npt.assert_array_equal(sr[p], one.seg_rate[0])


def test_fixed_scenario_costs_no_per_path_rows():
    """Without uncertain inputs or shocks every path reads one row (step 0)."""
    off = micro(**{"shocks.audience_sigma": 0.0, "shocks.gift_sigma": 0.0})
    p = pack([off, micro()])
    theta, seg, shocks, rowix = path_arrays(p, 1, 0, 50)
    assert theta.shape[0] == 2 and seg.shape[0] == 2
    npt.assert_array_equal(rowix[:, [0, 1]], [[0, 0], [1, 0]])
    assert rowix[0, 3] == 0 and rowix[1, 3] == 1     # only the second has shocks
    assert shocks.shape[0] == 1 + 50
    npt.assert_array_equal(shocks[0], 1.0)
    # Two scenarios with the same shock law share one block of shocks.
    two = pack([micro(), micro(**{"creator.followers": 50})])
    _, _, shocks2, rowix2 = path_arrays(two, 1, 0, 50)
    assert shocks2.shape[0] == 1 + 50 and rowix2[0, 2] == rowix2[1, 2] == 1


# ----- reproducibility of shocks and uncertain inputs ------------------------------
@pytest.fixture(scope="module")
def sc():
    return uncertain(**{"audience.join_rate": {"dist": "lognormal", "median": 0.04,
                                               "sigma": 0.3, "hi": 0.5},
                        "shocks.rho": {"dist": "uniform", "min": 0.0, "max": 0.8},
                        "shocks.family": "gamma"})


@pytest.fixture(scope="module")
def ref(sc):
    return simkit.simulate(sc, paths=60, seed=77, per_stream=True, progress=False)


def test_threads_and_blocks(sc, ref):
    for kw in ({"threads": 1}, {"threads": 2}, {"block_paths": 7}, {"block_paths": 1}):
        assert_same(simkit.simulate(sc, paths=60, seed=77, per_stream=True,
                                    progress=False, **kw), ref)


def test_path_offset_split(sc, ref):
    a = simkit.simulate(sc, paths=25, seed=77, per_stream=True, progress=False)
    b = simkit.simulate(sc, paths=35, seed=77, per_stream=True, progress=False,
                        path_offset=25)
    for k in ref.inputs:
        npt.assert_array_equal(np.concatenate([a.inputs[k], b.inputs[k]]),
                               ref.inputs[k])
    for m in TOTALS:
        npt.assert_array_equal(np.concatenate([a[m], b[m]]), ref[m])


def test_batch_shares_inputs_and_shocks_with_separate_runs(sc, ref):
    other = micro()
    got = simkit.simulate_batch([other, sc], paths=60, seed=77, per_stream=True,
                                progress=False)
    assert_same(got[1], ref)
    assert_same(got[0], simkit.simulate(other, paths=60, seed=77, per_stream=True,
                                        progress=False))


class Stop(Exception):
    pass


def test_checkpoint_resume(sc, ref, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CHECKPOINT_PAIRS", 16)
    real = cpu.run_paths
    calls = []

    def run_paths(packed, key, path_offset, *args):
        if len(calls) == 2:
            raise Stop
        calls.append(path_offset)
        return real(packed, key, path_offset, *args)

    monkeypatch.setattr(cpu, "run_paths", run_paths)
    kw = {"paths": 60, "seed": 77, "per_stream": True, "progress": False,
          "checkpoint": tmp_path}
    with pytest.raises(Stop):
        simkit.simulate(sc, **kw)
    monkeypatch.setattr(cpu, "run_paths", real)
    res = simkit.simulate(sc, resume=True, **kw)
    assert_same(res, ref)
    for k in ref.inputs:
        npt.assert_array_equal(res.inputs[k], ref.inputs[k])


@pytest.mark.dask
def test_dask_equals_in_process(sc, ref):
    distributed = pytest.importorskip("distributed")
    from simkit.backends.dask import LOCAL_CLUSTER

    with distributed.LocalCluster(**LOCAL_CLUSTER) as cluster, \
            distributed.Client(cluster) as client:
        got = simkit.simulate(sc, paths=60, seed=77, per_stream=True, progress=False,
                              backend="dask", scheduler=client, block_paths=13)
    assert_same(got, ref)
