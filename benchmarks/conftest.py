"""Shared set-up of the benchmark suite (docs/benchmarks.md).

Files are named ``bench_<module>.py`` (as numpy's and scipy's asv suites);
:func:`pytest_collect_file` collects them, so ``pytest benchmarks
--benchmark-only`` needs no ini change.

The profile comes from ``SIMKIT_BENCH_PROFILE``: ``full`` (default, what
``make bench`` runs: the speed targets, cold start, 1,000,000-path memory) or
``short`` (CI: a few seconds per benchmark, no cold start, no 1M-path run).
The yardsticks (:mod:`yardstick`) are measured once per session and written into
every throughput benchmark's ``extra_info``, so each figure is judged as a
ratio to references timed in the same run, never as raw seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROFILE = os.environ.get("SIMKIT_BENCH_PROFILE", "full")
if PROFILE not in ("full", "short"):
    raise pytest.UsageError(
        f"SIMKIT_BENCH_PROFILE must be full or short, got {PROFILE!r}")

#: Scenarios of the kernel benchmarks (files under scenarios/).
SCENARIOS = ("star", "mid_tier", "micro")

#: Per profile: paths per kernel call by scenario, rounds, CLI paths, extras.
PROFILES = {
    "full": {"paths": {"star": 40, "mid_tier": 1000, "micro": 5000}, "rounds": 5,
             "cli_paths": 10_000, "numpy_streams": 512, "cold": True,
             "memory_paths": 1_000_000},
    "short": {"paths": {"star": 8, "mid_tier": 300, "micro": 1500}, "rounds": 3,
              "cli_paths": 1000, "numpy_streams": 192, "cold": False,
              "memory_paths": 100_000},
}
CFG = PROFILES[PROFILE]


def pytest_collect_file(file_path, parent):
    """Collect ``bench_*.py`` modules as test modules."""
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and not parent.session.isinitpath(file_path)):   # named: pytest collects it
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "full: only in the full profile")


def pytest_collection_modifyitems(config, items):
    if PROFILE == "full":
        return
    skip = pytest.mark.skip(reason="SIMKIT_BENCH_PROFILE=short")
    for item in items:
        if "full" in item.keywords:
            item.add_marker(skip)


def thread_counts():
    """1 and 2 threads (capped by ``NUMBA_NUM_THREADS``): the speed-up pair."""
    import numba

    return sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)})


@pytest.fixture(scope="session")
def scenarios():
    """The benchmark scenarios by name."""
    import simkit

    return {n: simkit.load_scenario(ROOT / "scenarios" / f"{n}.toml")
            for n in SCENARIOS}


@pytest.fixture(scope="session")
def yard(scenarios):
    """Yardsticks measured once: NumPy model viewers/s per scenario (one stream
    per call, and all streams batched), and raw random draws/s per thread count."""
    import yardstick

    numpy_vps, batched = {}, {}
    for n, sc in scenarios.items():
        k = CFG["numpy_streams"] // (8 if n == "star" else 1)
        numpy_vps[n] = yardstick.numpy_rate(sc, streams=k // 4, batch=1)
        batched[n] = yardstick.numpy_rate(sc, streams=k, batch=k)
    # Best of three windows: the bound is the machine's limit, so a window
    # slowed by another process must not lower it.
    draws = {t: max(yardstick.rng_draws_per_s(t, seconds=0.2) for _ in range(3))
             for t in thread_counts()}
    return {"numpy_viewers_per_s": numpy_vps, "numpy_batched_viewers_per_s": batched,
            "draws_per_s": draws}


def env_for_cli(**extra):
    """Environment for a ``python -m simkit`` subprocess run from the checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(extra)
    return env
