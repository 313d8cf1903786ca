"""Benchmark of sweeps: N scenarios x 200 paths of the micro scenario.

The scenarios are the Latin hypercube of ``scenarios/micro_sweep.toml`` (the
micro creator, with followers, join rate, stream length, feed discovery and
engagement varied around it). ``n_scenarios=100`` runs in both profiles; the
issue's figure, 5,000 scenarios x 200 paths (about 70 s on 2 cores), is
marked ``full`` and skipped under ``SIMKIT_BENCH_PROFILE=short`` (CI)::

    python -m pytest benchmarks -k sweep --benchmark-only

Speed is judged as a ratio measured in the same run (docs/benchmarks.md): the sweep's
time per scenario-path over that of one plain :func:`simkit.simulate_batch`
call on the first 50 scenarios (``extra_info["ratio_to_batch"]``: the cost of
design, scenario building, chunking and summaries). No wall-clock time is
asserted.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simkit import load_scenario, simulate_batch
from simkit._sweep import _overrides, run_sweep, sweep_design

ROOT = Path(__file__).resolve().parents[1]
PATHS = 200


@pytest.fixture(scope="module")
def scenario():
    sc = load_scenario(ROOT / "scenarios" / "micro_sweep.toml")
    simulate_batch([sc], paths=2, seed=0)  # compile (or load the cache) untimed
    return sc


def _reference_seconds_per_pair(sc, n):
    keys, pts = sweep_design(sc, design="lhs", n=n, seed=0)
    scs = [sc.with_overrides(_overrides(keys, row)) for row in pts[:50]]
    t0 = time.perf_counter()
    simulate_batch(scs, paths=PATHS, seed=0, progress=False)
    return (time.perf_counter() - t0) / (len(scs) * PATHS)


@pytest.mark.parametrize("n_scenarios", [
    100,
    pytest.param(5_000, marks=pytest.mark.full),
])
def test_sweep_micro(benchmark, scenario, n_scenarios):
    ref = _reference_seconds_per_pair(scenario, n_scenarios)
    res = benchmark.pedantic(
        run_sweep, args=(scenario,),
        kwargs={"design": "lhs", "n": n_scenarios, "paths": PATHS, "seed": 0,
                "progress": False},
        rounds=1, iterations=1, warmup_rounds=0)
    assert len(res) == n_scenarios
    pairs = n_scenarios * PATHS
    secs = benchmark.stats.stats.mean
    benchmark.extra_info.update({
        "kind": "sweep", "scenarios": n_scenarios, "paths": PATHS, "scenario_paths": pairs,
        "scenario_paths_per_s": pairs / secs,
        "ratio_to_batch": secs / pairs / ref,
    })
