"""Kernel throughput (viewers/s) on the star, mid and micro scenarios, judged
against the NumPy yardstick and the random-draw bound; one-stream latency.

``extra_info`` of each throughput benchmark holds ``viewers_per_s`` (best
round), ``numpy_viewers_per_s``, ``bound_viewers_per_s`` (raw draws/s on the
same thread count over draws per viewer), and the ratios ``simkit_over_numpy``
and ``simkit_over_bound`` that ``gate.py`` checks and tabulates.
"""

from __future__ import annotations

import numpy as np
import pytest
import yardstick
from conftest import CFG, SCENARIOS, thread_counts

from simkit import simulate


@pytest.mark.parametrize("threads", thread_counts())
@pytest.mark.parametrize("name", SCENARIOS)
def test_kernel_throughput(benchmark, scenarios, yard, name, threads):
    sc = scenarios[name]
    paths = CFG["paths"][name]
    simulate(sc, paths=2, seed=0, progress=False)   # compile/load outside timing
    res = benchmark.pedantic(
        simulate, args=(sc,),
        kwargs={"paths": paths, "seed": 0, "threads": threads, "progress": False},
        rounds=CFG["rounds"], warmup_rounds=1)
    viewers = float(np.sum(res["unique_viewers"]))
    vps = viewers / benchmark.stats.stats.min
    d = yardstick.draws_per_viewer(res, sc["audience.virality"])
    bound = yardstick.draw_bound(yard["draws_per_s"][threads], d)
    numpy_vps = yard["numpy_viewers_per_s"][name]
    benchmark.extra_info.update({
        "kind": "throughput", "scenario": name, "threads": threads, "paths": paths,
        "viewers": viewers, "viewers_per_s": vps,
        "us_per_path": 1e6 * benchmark.stats.stats.min / paths,
        "numpy_viewers_per_s": numpy_vps, "draws_per_viewer": d,
        "draws_per_s": yard["draws_per_s"][threads],
        "bound_viewers_per_s": bound,
        "simkit_over_numpy": vps / numpy_vps, "simkit_over_bound": vps / bound,
        "numpy_batched_viewers_per_s": yard["numpy_batched_viewers_per_s"][name],
        "simkit_over_numpy_batched":
            vps / yard["numpy_batched_viewers_per_s"][name],
    })


@pytest.mark.parametrize("name", SCENARIOS)
def test_numpy_yardstick(benchmark, scenarios, name):
    """The NumPy one-stream model itself, all streams in one call (for the record)."""
    sc = scenarios[name]
    n = CFG["numpy_streams"] // (8 if name == "star" else 1)
    rng = np.random.default_rng(12345)
    out = benchmark.pedantic(yardstick.numpy_streams, args=(sc, n, rng),
                             rounds=CFG["rounds"], warmup_rounds=1)
    benchmark.extra_info.update({
        "kind": "numpy", "scenario": name, "streams": n,
        "viewers_per_s": out["viewers"] / benchmark.stats.stats.min})


@pytest.mark.parametrize("threads", thread_counts())
def test_rng_block_throughput(benchmark, threads):
    """Raw uniform draws/s of numpy's Generator in 1 Mi blocks (the bound's base)."""
    rate = benchmark.pedantic(yardstick.rng_draws_per_s, args=(threads,),
                              rounds=3, warmup_rounds=0)
    benchmark.extra_info.update({"kind": "rng", "threads": threads,
                                 "draws_per_s": rate})


def test_one_stream_latency(benchmark, scenarios):
    """Wall time of ``simulate`` for one path of one mid-tier stream."""
    sc = scenarios["mid_tier"].with_overrides(
        {"horizon.weeks": 1, "schedule.slots": [[1, 20]]})
    simulate(sc, paths=1, seed=0, progress=False)
    res = benchmark.pedantic(simulate, args=(sc,),
                             kwargs={"paths": 1, "seed": 0, "progress": False},
                             rounds=5 * CFG["rounds"], warmup_rounds=1)
    benchmark.extra_info.update({"kind": "latency", "scenario": "mid_tier",
                                 "viewers": float(res["unique_viewers"][0])})
