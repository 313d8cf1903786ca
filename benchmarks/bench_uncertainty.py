"""Cost of honest uncertainty on the mid tier (docs/benchmarks.md).

Three versions of ``scenarios/mid_tier.toml`` are timed in the same run,
interleaved round by round so that load from other processes hits all three
alike, best round each:

* ``fixed``: no uncertain input, shocks off (``audience_sigma = gift_sigma =
  0``): the model of simkit 0.1.0;
* ``shocks``: the default stream shocks;
* ``uncertain``: the shocks plus ten uncertain inputs (per-path parameter
  rows).

``extra_info`` holds viewers/s of each and the ratios ``shocks_over_fixed``
and ``uncertain_over_fixed`` (throughput in viewers per second, since the
shocks and inputs change how many viewers a path has). Seconds are the
process's CPU time (``time.process_time``, all threads), which another
process on a shared machine slows far less than wall time; the wall-time
ratios are kept too (``*_wall``). ``gate.py`` checks
``uncertain_over_fixed >= 0.8``.
"""

from __future__ import annotations

import time

import numpy as np
from conftest import CFG

from simkit import simulate

#: Ten uncertain inputs, each centred on the mid-tier scenario's value.
TEN = {
    "audience.join_rate": {"dist": "lognormal", "median": 0.01, "sigma": 0.3,
                           "hi": 0.2},
    "audience.discovery_rate_per_min": {"dist": "gamma", "mean": 5.0, "sd": 1.5,
                                        "hi": 100.0},
    "audience.engagement": {"dist": "beta", "alpha": 5.0, "beta": 5.0},
    "audience.follow_prob": {"dist": "pert", "min": 0.01, "mode": 0.02, "max": 0.04},
    "dwell.median_min": {"dist": "lognormal", "median": 6.0, "sigma": 0.25, "lo": 0.5,
                         "hi": 60.0},
    "dwell.sigma": {"dist": "uniform", "min": 0.8, "max": 1.2},
    "creator.followers": {"dist": "normal", "mean": 100_000, "sd": 10_000,
                          "lo": 50_000, "hi": 150_000},
    "segments.gift_rate_scale": {"dist": "lognormal", "median": 1.0, "sigma": 0.4,
                                 "hi": 20.0},
    "habit.max_gain": {"dist": "triangular", "min": 0.1, "mode": 0.3, "max": 0.5},
    "money.creator_share": {"dist": "empirical", "samples": [0.45, 0.5, 0.55]},
}
OFF = {"shocks.audience_sigma": 0.0, "shocks.gift_sigma": 0.0}


def _versions(sc):
    from simkit import scenario_from_dict

    d = sc.to_dict()
    for dotted, spec in TEN.items():
        sec, key = dotted.split(".")
        d.setdefault(sec, {})[key] = spec
    return {"fixed": sc.with_overrides(OFF), "shocks": sc,
            "uncertain": scenario_from_dict(d, source=sc.source)}


def test_uncertainty_overhead(benchmark, scenarios):
    versions = _versions(scenarios["mid_tier"])
    assert len(versions["uncertain"].uncertain) == 10
    paths = CFG["paths"]["mid_tier"]
    for sc in versions.values():   # compile/load outside timing
        simulate(sc, paths=2, seed=0, progress=False)
    best = dict.fromkeys(versions, np.inf)
    wall = dict.fromkeys(versions, np.inf)
    viewers = {}
    for _ in range(max(3, CFG["rounds"])):
        for name, sc in versions.items():
            t0, c0 = time.perf_counter(), time.process_time()
            res = simulate(sc, paths=paths, seed=0, progress=False)
            best[name] = min(best[name], time.process_time() - c0)
            wall[name] = min(wall[name], time.perf_counter() - t0)
            viewers[name] = float(np.sum(res["unique_viewers"]))
    benchmark.pedantic(simulate, args=(versions["uncertain"],),
                       kwargs={"paths": paths, "seed": 0, "progress": False},
                       rounds=1, warmup_rounds=0)
    vps = {n: viewers[n] / best[n] for n in versions}
    vps_wall = {n: viewers[n] / wall[n] for n in versions}
    benchmark.extra_info.update({
        "kind": "uncertainty", "scenario": "mid_tier", "paths": paths,
        **{f"{n}_viewers_per_s": v for n, v in vps.items()},
        **{f"{n}_cpu_s": best[n] for n in versions},
        **{f"{n}_wall_s": wall[n] for n in versions},
        "shocks_over_fixed": vps["shocks"] / vps["fixed"],
        "uncertain_over_fixed": vps["uncertain"] / vps["fixed"],
        "shocks_over_fixed_wall": vps_wall["shocks"] / vps_wall["fixed"],
        "uncertain_over_fixed_wall": vps_wall["uncertain"] / vps_wall["fixed"],
    })
