"""Cost of ``simkit.fit`` on a 60-LIVE history (docs/benchmarks.md).

The history is one simulated path of ``scenarios/mid_tier.toml`` over 20
weeks (its three weekly slots: 60 LIVEs). The fit (default 200 paths per
trial) is timed against one plain ``simulate`` call of the same 20-week
scenario with the same number of paths, in the same run, best of the rounds;
``extra_info`` holds both times, their ratio ``fit_over_simulate`` and the
seconds (target: under a minute on 2 cores).
"""

from __future__ import annotations

import time

import numpy as np
from conftest import CFG

import simkit
from simkit.calibrate import History, fit

LIVES_WEEKS = 20
PATHS = 200


def _history(sc):
    res = simkit.simulate(sc, paths=1, seed=7, per_stream=True, progress=False)
    ps = {k: v[0] for k, v in res.per_stream.items()}
    start = (np.datetime64("2026-01-05T00:00") + ps["day"].astype("timedelta64[D]")
             + ps["hour"].astype("timedelta64[h]"))
    return History.from_arrays(
        start=start, duration_min=ps["duration_min"], viewers=ps["unique_viewers"],
        peak_viewers=ps["peak_concurrent"], viewer_minutes=ps["viewer_minutes"],
        diamonds=ps["diamonds"], gifters=np.minimum(ps["gifts"], ps["unique_viewers"]),
        new_followers=ps["new_followers"], followers=ps["followers_start"])


def test_fit_60_lives(benchmark, scenarios):
    sc = scenarios["mid_tier"].with_overrides({"horizon.weeks": LIVES_WEEKS})
    hist = _history(sc)
    assert len(hist) == 60
    fit(hist.take(slice(0, 10)), scenario=sc, paths=10)   # compile outside timing
    best_fit = best_sim = np.inf
    for _ in range(max(2, CFG["rounds"] // 2)):
        t0 = time.perf_counter()
        res = fit(hist, scenario=sc, paths=PATHS)
        best_fit = min(best_fit, time.perf_counter() - t0)
        t0 = time.perf_counter()
        simkit.simulate(sc, paths=PATHS, seed=0, progress=False)
        best_sim = min(best_sim, time.perf_counter() - t0)
    benchmark.pedantic(fit, args=(hist,), kwargs={"scenario": sc, "paths": PATHS},
                       rounds=1, warmup_rounds=0)
    benchmark.extra_info.update({
        "kind": "fit", "scenario": "mid_tier", "lives": len(hist), "paths": PATHS,
        "fit_s": best_fit, "simulate_s": best_sim,
        "fit_over_simulate": best_fit / best_sim,
        "fitted_keys": len(res.keys),
    })
