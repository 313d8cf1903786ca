"""Benchmark of Sobol' indices: 8 uncertain inputs of the mid tier.

The mid-tier scenario with eight of its inputs made uncertain (lognormal
around the file's value, creator share uniform), analysed with
:func:`simkit.sensitivity` at ``PATHS`` paths per design point. ``n=64`` base
samples (640 points) runs in both profiles; the issue's figure, ``n=1024``
(10,240 design points x 16 paths, a few minutes on 2 cores), is marked
``full`` and skipped under ``SIMKIT_BENCH_PROFILE=short`` (CI)::

    SIMKIT_BENCH_PROFILE=full python -m pytest benchmarks -k sensitivity \\
        --benchmark-only

Speed is reported as ratios measured in the same run (docs/benchmarks.md), in
``extra_info``: ``ratio_to_simulate``, the analysis time over one plain
:func:`simkit.simulate` call of the mid tier at ``REF_PATHS`` paths; and
``ratio_per_path``, the analysis time per (point, path) over the plain call's
time per path (the cost of the design, building one scenario per point,
chunking and SALib's estimators). No wall-clock time is asserted.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("SALib")

from simkit import load_scenario, sensitivity, simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PATHS = 16
REF_PATHS = 1000

#: The eight uncertain inputs: lognormal (sigma) around the file's value.
LOGNORMAL = {"creator.followers": 0.3, "audience.join_rate": 0.3,
             "audience.discovery_rate_per_min": 0.4, "audience.engagement": 0.15,
             "dwell.median_min": 0.25, "habit.max_gain": 0.3,
             "segments.gift_rate_scale": 0.35}


@pytest.fixture(scope="module")
def scenario():
    base = load_scenario(ROOT / "scenarios" / "mid_tier.toml")
    # truncated to [median / 10, 10 x median] (probabilities at 1): the schema
    over = {k: {"dist": "lognormal", "median": float(base[k]), "sigma": s,
                "lo": float(base[k]) / 10.0,
                "hi": 1.0 if k in ("audience.join_rate", "audience.engagement")
                else 10.0 * float(base[k])}
            for k, s in LOGNORMAL.items()}
    over["money.creator_share"] = {"dist": "uniform", "min": 0.4, "max": 0.6}
    sc = base.with_overrides(over)
    simulate(sc, paths=2, seed=0)  # compile (or load the cache) untimed
    return sc


def _reference_seconds(sc):
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        simulate(sc, paths=REF_PATHS, seed=0, progress=False)
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("n", [64, pytest.param(1024, marks=pytest.mark.full)])
def test_sobol_mid_tier(benchmark, scenario, n):
    assert len(scenario.uncertain) == 8
    ref = _reference_seconds(scenario)
    res = benchmark.pedantic(
        sensitivity, args=(scenario,),
        kwargs={"n": n, "paths": PATHS, "seed": 0, "progress": False},
        rounds=1, iterations=1, warmup_rounds=0)
    assert res.n_points == n * (8 + 2)
    secs = benchmark.stats.stats.mean
    pairs = res.n_points * PATHS
    benchmark.extra_info.update({
        "kind": "sensitivity", "inputs": 8, "n": n, "points": res.n_points,
        "paths": PATHS, "noise_share": res.noise_share,
        "ratio_to_simulate": secs / ref,
        "ratio_per_path": (secs / pairs) / (ref / REF_PATHS),
    })
