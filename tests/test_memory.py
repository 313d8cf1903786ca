"""Requests too big for the machine are refused up front (simkit._memory), and
Ctrl-C stops a run whose kernel calls are long (simkit.backends.cpu)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import simkit
from simkit import _memory, config
from simkit.cli import main
from simkit.errors import SimkitError
from simkit.scenario._schema import SCHEMA
from simkit._sweep import run_sweep, sweep_design

ROOT = Path(__file__).resolve().parents[1]
#: A laptop's free memory: the refusals below do not depend on this machine's.
LAPTOP = 16 * 10 ** 9


@pytest.fixture(autouse=True)
def laptop(monkeypatch):
    monkeypatch.setattr(config, "MEMORY_BYTES", LAPTOP)
    yield
    config._reset()


@pytest.fixture(scope="module")
def mid():
    return simkit.load_scenario(ROOT / "scenarios" / "mid_tier.toml")


# ----- simulate ------------------------------------------------------------------
def test_two_billion_paths_refused_before_anything_is_allocated(mid):
    tracemalloc.start()
    try:
        with pytest.raises(SimkitError) as exc:
            simkit.simulate(mid, paths=2_000_000_000, seed=1, progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(exc.value)
    # 2e9 paths x N_TOTALS totals x 8 bytes, twice (arrays and the results' copies).
    from simkit._kernels.layout import N_TOTALS

    gb = round(2 * 2e9 * N_TOTALS * 8 / 1e9)
    assert msg.startswith(f"`paths` = 2,000,000,000 needs about {gb} GB for the totals")
    assert "16 GB free" in msg and "use fewer paths (at most about" in msg
    assert "\n" not in msg
    assert peak < 50 * 10 ** 6   # nothing like those GB (nor a block) was allocated


def test_per_stream_million_paths_year_refused_totals_only_fits(mid):
    year = mid.with_overrides({"horizon.weeks": 52})
    with pytest.raises(SimkitError, match=r"per-stream metrics [0-9.]+ GB.*keep the "
                       r"totals only \(drop --per-stream/per_stream\)"):
        simkit.simulate(year, paths=10 ** 6, seed=1, per_stream=True, progress=False)
    from simkit._pack import n_streams

    # The same run without per-stream outputs would fit (checked, not run).
    _memory.check_simulate(1, 10 ** 6, n_streams(year), 181)


def test_the_budget_is_the_fraction_of_free_memory(monkeypatch):
    need = sum(_memory.simulate_bytes(1, 10 ** 6, 12, 180).values())   # 304 MB
    monkeypatch.setattr(config, "MEMORY_BYTES", need)
    with pytest.raises(SimkitError, match="up to 80% of it"):
        _memory.check_simulate(1, 10 ** 6, 12, 180)
    monkeypatch.setattr(config, "MEMORY_FRACTION", 1.0)
    _memory.check_simulate(1, 10 ** 6, 12, 180)


def test_available_memory_is_measured_capped_and_has_a_fallback(monkeypatch):
    monkeypatch.setattr(config, "MEMORY_BYTES", None)
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: 8 * 10 ** 9)
    monkeypatch.setattr(_memory, "_cgroup_free", lambda: None)
    assert _memory.available_bytes() == 8 * 10 ** 9
    monkeypatch.setattr(_memory, "_cgroup_free", lambda: 2 * 10 ** 9)
    assert _memory.available_bytes() == 2 * 10 ** 9
    monkeypatch.setattr(_memory, "_cgroup_free", lambda: None)
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: None)

    def no_sysconf(name):
        raise ValueError(name)

    monkeypatch.setattr(os, "sysconf", no_sysconf)
    assert _memory.available_bytes() == config.MEMORY_FALLBACK_BYTES


def test_path_indices_must_fit_int64(mid):
    with pytest.raises(SimkitError, match="below 2\\*\\*63"):
        simkit.simulate(mid, paths=10, path_offset=2 ** 63 - 5, progress=False)


# ----- sweeps ----------------------------------------------------------------------
def test_billion_point_design_refused():
    sc = simkit.load_scenario(ROOT / "scenarios" / "micro_sweep.toml")
    with pytest.raises(SimkitError, match=r"^a sweep design of 1,000,000,000 points "
                       r"needs about [0-9.]+ GB for the design matrix .*smaller --n$"):
        sweep_design(sc, design="lhs", n=10 ** 9)
    with pytest.raises(SimkitError, match=r"^a sweep of 1,000,000,000 scenarios needs "
                       r"about [0-9.]+ TB .*at most about [0-9,]+ scenarios fit\)$"):
        run_sweep(sc, design="sobol", n=10 ** 9, paths=10, progress=False)


# ----- figures ---------------------------------------------------------------------
def test_figure_raster_refused_by_side_and_by_memory():
    with pytest.raises(SimkitError, match="more than 65,535 pixels a side: use --dpi"):
        _memory.check_figure((7.5, 4.4), 100_000)
    # 64,000 x 64,000 pixels is drawable, but 2 x 4 bytes x 4.1e9 is not 16 GB.
    with pytest.raises(SimkitError, match=r"needs about 33 GB for the RGBA raster"):
        _memory.check_figure((40.0, 40.0), 1600)
    _memory.check_figure((7.5, 4.4), 150)


def test_plot_dpi_100000_one_line_before_simulating(tmp_path, capsys):
    out = tmp_path / "f.png"
    rc = main(["plot", str(ROOT / "scenarios" / "micro.toml"), "--kind",
               "distribution", "-o", str(out), "--dpi", "100000"])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert err.count("\n") == 1 and err.startswith("simkit: error: `--dpi` = 100,000")
    assert "use --dpi 8738 or less" in err


def test_paths_beyond_int64_is_a_one_line_error(capsys):
    rc = main(["run", str(ROOT / "scenarios" / "micro.toml"), "--paths",
               "99999999999999999999"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1
    assert "--paths: expected a positive integer below 2**63" in err


def test_two_billion_paths_cli_one_line(capsys):
    rc = main(["run", str(ROOT / "scenarios" / "micro.toml"), "--paths",
               "2_000_000_000", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "needs about" in err


def test_curve_paths_bounds_the_cells():
    assert _memory.curve_paths(2000, 12, 181) == 2000
    cap = _memory.curve_paths(10 ** 6, 364, 1441)
    assert cap == 50   # the floor: 20e6 cells / (364 x 1441) is 38
    assert _memory.curve_paths(10 ** 6, 12, 181) * 12 * 181 <= config.MAX_CURVE_CELLS


# ----- kernel calls ------------------------------------------------------------------
def test_heavy_paths_get_small_blocks_and_the_same_numbers(mid):
    from simkit._pack import pack
    from simkit.backends.cpu import block_size

    packed = pack([mid])
    assert block_size(packed, 4096, threads=2) < 4096   # ~2.3e4 viewers a path
    a = simkit.simulate(mid, paths=12, seed=7, progress=False)
    config.KERNEL_VIEWERS = 1   # two paths per call (one per thread)
    assert block_size(packed, 4096, threads=2) == 2
    b = simkit.simulate(mid, paths=12, seed=7, threads=2, progress=False)
    for m in ("income_total", "unique_viewers", "followers_end"):
        np.testing.assert_array_equal(a[m], b[m])


def test_a_failing_kernel_call_raises_in_the_caller(mid, monkeypatch):
    import simkit.backends.cpu as cpu

    def boom(*args, **kwargs):
        raise RuntimeError("kernel failed")

    monkeypatch.setattr(cpu, "run_paths", boom)
    with pytest.raises(RuntimeError, match="kernel failed"):
        simkit.simulate(mid, paths=4, seed=1, progress=False)


def _cpu_seconds(stat):
    fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kernels_running(pid):
    """True once two threads besides the main one have used CPU (the kernel
    worker and a numba pool thread), or the process has used 8 CPU seconds."""
    busy = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            cpu = _cpu_seconds(f"/proc/{pid}/task/{tid}/stat")
        except (OSError, IndexError, ValueError):   # a thread that just ended
            continue
        busy += int(tid) != pid and cpu >= 0.3
    return busy >= 2 or _cpu_seconds(f"/proc/{pid}/stat") >= 8.0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_a_run_whose_paths_take_minutes(tmp_path):
    # The biggest audience the schema allows: one path takes many minutes, so
    # without the worker thread SIGINT would wait for the kernel call to end.
    hi = {k: SCHEMA[s][n].hi for k, (s, n) in {
        "followers": ("creator", "followers"), "join": ("audience", "join_rate"),
        "mu": ("audience", "discovery_rate_per_min")}.items()}
    f = tmp_path / "huge.toml"
    f.write_text(f'name = "huge"\n[creator]\nfollowers = {int(hi["followers"])}\n'
                 f'[audience]\njoin_rate = {hi["join"]!r}\n'
                 f'discovery_rate_per_min = {hi["mu"]!r}\n')
    p = subprocess.Popen([sys.executable, "-m", "simkit", "run", str(f), "--paths",
                          "4", "--threads", "2", "--quiet"], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Signal only once the kernels run (imports and loading the compiled
        # kernels take a few CPU seconds), or the test could not fail.
        start = time.monotonic()
        while p.poll() is None and time.monotonic() - start < 120:
            if _kernels_running(p.pid):
                break
            time.sleep(0.1)
        time.sleep(0.5)
        assert p.poll() is None, p.communicate()
        p.send_signal(signal.SIGINT)
        # Generous for a loaded machine: without the fix it runs for minutes.
        out, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 130, err
    assert err.strip() == "simkit: interrupted"
    assert "Traceback" not in err and out == ""
