"""Sweeps (simkit.sweep, ``simkit sweep``): designs, summaries, effects, output."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest

from simkit import load_scenario, scenario_from_dict, simulate
from simkit.cli import main
from simkit.errors import ScenarioError, SimkitError
from simkit._sweep import SWEEP_STATS, SweepResult, run_sweep, sweep_design

ROOT = Path(__file__).resolve().parents[1]


def micro_dict(weeks=1, **sweep):
    """The micro scenario as a dict, shortened to ``weeks``, with a sweep table."""
    d = tomllib.loads((ROOT / "scenarios" / "micro.toml").read_text())
    d["horizon"] = {"weeks": weeks}
    if sweep:
        d["sweep"] = sweep
    return d


def micro(weeks=1, **sweep):
    return scenario_from_dict(micro_dict(weeks, **sweep))


TWO_FLOATS = {"audience.join_rate": [0.01, 0.05], "stream.duration_min": [30.0, 120.0]}


# ----- designs ---------------------------------------------------------------------
@pytest.mark.parametrize("design", ["grid", "lhs", "sobol"])
@pytest.mark.parametrize("n", [1, 5, 8])
def test_design_size_and_bounds(design, n):
    sc = micro(params=TWO_FLOATS)
    keys, pts = sweep_design(sc, design=design, n=n, seed=12345)
    assert keys == tuple(TWO_FLOATS)
    assert pts.shape == ((n ** 2 if design == "grid" else n), 2)
    for j, k in enumerate(keys):
        lo, hi = TWO_FLOATS[k]
        assert (pts[:, j] >= lo).all() and (pts[:, j] <= hi).all()
    if design == "grid" and n > 1:
        # Every axis point appears, endpoints included, n times each.
        for j, k in enumerate(keys):
            vals, counts = np.unique(pts[:, j], return_counts=True)
            npt.assert_allclose(vals, np.linspace(*TWO_FLOATS[k], n))
            assert (counts == n).all()


def test_lhs_puts_one_point_in_each_stratum():
    n = 50
    sc = micro(params=TWO_FLOATS)
    _, pts = sweep_design(sc, design="lhs", n=n, seed=12345)
    for j, k in enumerate(TWO_FLOATS):
        lo, hi = TWO_FLOATS[k]
        strata = np.floor((pts[:, j] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_log_keys_and_integer_keys():
    params = {"creator.followers": [1000, 100_000], "audience.join_rate": [0.01, 0.1]}
    sc = micro(params=params, log=["creator.followers", "audience.join_rate"])
    _, grid = sweep_design(sc, design="grid", n=3)
    npt.assert_array_equal(np.unique(grid[:, 0]), [1000, 10_000, 100_000])
    npt.assert_allclose(np.unique(grid[:, 1]), [0.01, 10 ** -1.5, 0.1])
    _, pts = sweep_design(sc, design="sobol", n=256, seed=3)
    assert (pts[:, 0] == np.rint(pts[:, 0])).all()
    assert pts[:, 0].min() >= 1000 and pts[:, 0].max() <= 100_000
    # Log scale: log10(followers) is uniform on [3, 5], so about half the points
    # lie below 10**4. Binomial(256, 1/2): |z| < 4, false alarm ~6e-5 (Sobol'
    # points are even more balanced than independent draws).
    below = int((pts[:, 0] < 10_000).sum())
    assert abs(below - 128) / math.sqrt(256 * 0.25) < 4


def test_integer_grid_axis_keeps_distinct_values():
    sc = micro(params={"horizon.weeks": [1, 3]})
    _, pts = sweep_design(sc, design="grid", n=10)
    npt.assert_array_equal(pts[:, 0], [1, 2, 3])


def test_design_is_seed_controlled():
    sc = micro(params=TWO_FLOATS)
    for design in ("lhs", "sobol"):
        a = sweep_design(sc, design=design, n=16, seed=1)[1]
        b = sweep_design(sc, design=design, n=16, seed=1)[1]
        c = sweep_design(sc, design=design, n=16, seed=2)[1]
        npt.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_design_defaults_come_from_the_table():
    sc = micro(params=TWO_FLOATS, design="sobol", n=4)
    assert sweep_design(sc)[1].shape == (4, 2)


@pytest.mark.parametrize(("kw", "match"), [
    ({"design": "random"}, "`design` must be one of"),
    ({"n": 0}, "`n` must be a positive integer"),
    ({"seed": -1}, "`seed` must be a non-negative integer"),
])
def test_design_argument_errors(kw, match):
    with pytest.raises(SimkitError, match=match):
        sweep_design(micro(params=TWO_FLOATS), **kw)


def test_design_needs_a_sweep_table():
    with pytest.raises(SimkitError, match="`sweep` table"):
        sweep_design(load_scenario(ROOT / "scenarios" / "micro.toml"))


def test_log_key_needs_positive_low():
    sc = micro(params={"audience.virality": [0.0, 0.5]}, log=["audience.virality"])
    with pytest.raises(SimkitError, match="low > 0"):
        sweep_design(sc)


def test_range_outside_the_schema_names_the_key():
    # Refused when the scenario is loaded, before any point is drawn.
    with pytest.raises(ScenarioError, match="`sweep.params.audience.join_rate` must "
                       "be \\[low, high\\] inside the key's range"):
        micro(params={"audience.join_rate": [0.5, 1.5]}, n=3)


def test_grid_too_large_is_refused():
    params = {k: [0.1, 0.2] for k in ("audience.join_rate", "audience.follow_prob",
                                     "audience.engagement", "merch.buy_prob")}
    with pytest.raises(SimkitError, match="more than"):
        sweep_design(micro(params=params), design="grid", n=100)


# ----- simulation and summaries ----------------------------------------------------
def test_rows_equal_direct_simulation_and_chunking_does_not_matter():
    sc = micro(params=TWO_FLOATS)
    a = run_sweep(sc, design="lhs", n=5, paths=30, seed=12345, chunk_scenarios=2,
                  progress=False)
    b = run_sweep(sc, design="lhs", n=5, paths=30, seed=12345, chunk_scenarios=5,
                  progress=False)
    npt.assert_array_equal(a.params, b.params)
    npt.assert_array_equal(a.stats, b.stats)
    assert a.metadata["chunks"] == 3 and b.metadata["chunks"] == 1
    # Row 3 is the scenario with those overrides simulated on its own.
    row = dict(zip(a.keys, a.params[3], strict=True))
    res = simulate(sc.with_overrides(row), paths=30, seed=12345)
    for m in a.metrics:
        s = res.summary([m])[m]
        npt.assert_allclose(
            [a[f"{m}_{st}"][3] for st in SWEEP_STATS],
            [s.mean, s.stderr, s.quantiles[0.05], s.quantiles[0.5], s.quantiles[0.95]],
            rtol=1e-12)


def test_more_followers_more_income():
    """A known monotone effect: income and reach grow with the audience."""
    sc = micro(params={"creator.followers": [2_000, 50_000]}, log=["creator.followers"])
    res = run_sweep(sc, design="grid", n=4, paths=200, seed=12345, progress=False)
    f = res["creator.followers"]
    npt.assert_allclose(f[1:] / f[:-1], (50_000 / 2_000) ** (1 / 3), rtol=1e-3)
    for m in ("income_total", "unique_viewers"):
        mean, se = res[f"{m}_mean"], res[f"{m}_stderr"]
        z = np.diff(mean) / np.hypot(se[1:], se[:-1])
        # Each step multiplies the audience by ~2.9; with 200 paths the expected z
        # of a step (unpaired errors, conservative under common random numbers)
        # is about 5 or more, so a non-increase has probability < 1e-6 per step.
        assert (z > 0).all(), (m, z)
        # End to end: z > 4 (false alarm of a no-effect null ~3e-5, one-sided).
        assert (mean[-1] - mean[0]) / math.hypot(se[-1], se[0]) > 4


def test_sweep_argument_errors(tmp_path):
    sc = micro(params=TWO_FLOATS, n=2)
    with pytest.raises(SimkitError, match="`paths` must be an integer >= 2"):
        run_sweep(sc, paths=1, progress=False)
    with pytest.raises(SimkitError, match="`scheduler` needs backend='dask'"):
        run_sweep(sc, paths=2, scheduler="tcp://127.0.0.1:1", progress=False)
    with pytest.raises(SimkitError, match="`resume` needs an output directory"):
        run_sweep(sc, paths=2, resume=True, progress=False)
    with pytest.raises(SimkitError, match="unknown metric"):
        run_sweep(sc, paths=2, metrics=("income",), progress=False)
    with pytest.raises(SimkitError, match="`chunk_scenarios`"):
        run_sweep(sc, paths=2, chunk_scenarios=0, progress=False)


def test_cuda_backend_is_a_clear_error():
    with pytest.raises(SimkitError, match="backend 'cuda' needs a CUDA GPU"):
        run_sweep(micro(params=TWO_FLOATS, n=1), paths=2, backend="cuda",
                  progress=False)


# ----- output ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_result():
    sc = micro(params={"creator.followers": [2000, 20000], **TWO_FLOATS})
    return run_sweep(sc, design="sobol", n=4, paths=10, seed=7, progress=False)


def test_columns_and_lookup(small_result):
    res = small_result
    cols = res.columns()
    assert cols[:4] == ["scenario", "creator.followers", *TWO_FLOATS]
    assert len(cols) == 1 + 3 + len(res.metrics) * len(SWEEP_STATS)
    npt.assert_array_equal(res["scenario"], np.arange(4))
    with pytest.raises(KeyError, match="unknown sweep column"):
        res["nope"]


def test_csv_round_trip_is_exact(small_result, tmp_path):
    res = small_result
    res.to_csv(tmp_path / "s.csv")
    with open(tmp_path / "s.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(res)
    assert list(rows[0]) == res.columns()
    for c in res.columns():
        npt.assert_array_equal([float(r[c]) for r in rows], res[c])
    assert rows[0]["creator.followers"].isdigit()
    assert not list(tmp_path.glob(".*tmp"))


def test_parquet_round_trip(small_result, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    res = small_result
    res.to_parquet(tmp_path / "s.parquet")
    t = pq.read_table(tmp_path / "s.parquet")
    assert t.column_names == res.columns()
    for c in res.columns():
        npt.assert_array_equal(t.column(c).to_numpy(), res[c])
    assert b"simkit" in t.schema.metadata


def test_to_frame(small_result):
    pytest.importorskip("pandas")
    df = small_result.to_frame()
    assert df.shape == (4, len(small_result.columns()))
    assert isinstance(small_result, SweepResult)


# ----- CLI ------------------------------------------------------------------------
def _write_toml(path, d):
    import json

    lines = []

    def emit(prefix, table):
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        subs = {k: v for k, v in table.items() if isinstance(v, dict)}
        if prefix:
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{json.dumps(k)} = {json.dumps(v)}")
        for k, v in subs.items():
            emit(f"{prefix}.{k}" if prefix else k, v)

    emit("", d)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_sweep_writes_csv_and_resumes(tmp_path, capsys):
    f = _write_toml(tmp_path / "s.toml",
                    micro_dict(params=TWO_FLOATS, design="lhs", n=6, paths=10))
    out = tmp_path / "out"
    args = ["sweep", str(f), "--paths", "10", "--seed", "3", "--out", str(out),
            "--chunk-scenarios", "4", "--quiet"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Across 6 scenarios" in text and "10 simulated runs each" in text
    assert "rank correlation" in text
    first = (out / "sweep.csv").read_bytes()
    assert first.count(b"\n") == 7
    assert len(list((out / "chunks").glob("chunk-*.npz"))) == 2
    assert main([*args, "--resume"]) == 0
    assert "2 of 2 chunks resumed" in capsys.readouterr().out
    assert (out / "sweep.csv").read_bytes() == first


def test_cli_sweep_without_out_writes_the_default_directory(tmp_path, monkeypatch,
                                                           capsys):
    """CSV always: without --out the files go to out/<scenario name>-sweep/."""
    d = micro_dict(params=TWO_FLOATS, design="lhs", n=3, paths=10)
    d["name"] = "my sweep"
    _write_toml(tmp_path / "s.toml", d)
    monkeypatch.chdir(tmp_path)
    args = ["sweep", "s.toml", "--seed", "3", "--quiet"]
    assert main(args) == 0
    out = tmp_path / "out" / "my_sweep-sweep"
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        "to out/my_sweep-sweep/")
    first = (out / "sweep.csv").read_bytes()
    assert first.count(b"\n") == 4  # header + 3 scenarios
    assert (out / "manifest.json").is_file()
    if importlib.util.find_spec("pyarrow") is not None:
        assert (out / "sweep.parquet").is_file()
    # --resume continues the run in the default directory.
    assert main([*args, "--resume"]) == 0
    assert "1 of 1 chunks resumed" in capsys.readouterr().out
    assert (out / "sweep.csv").read_bytes() == first


class _PipeClosedAfterOneLine(io.TextIOBase):
    """A stdout whose reader went away after the first line (``| head -1``)."""

    def __init__(self, fd):
        self.text = ""
        self._fd = fd

    def writable(self):
        return True

    def write(self, s):
        if "\n" in self.text:
            raise BrokenPipeError(32, "Broken pipe")
        self.text += s
        return len(s)

    def fileno(self):  # cli.main points it at /dev/null after a broken pipe
        return self._fd


def test_cli_sweep_writes_files_before_printing(tmp_path, monkeypatch):
    f = _write_toml(tmp_path / "s.toml",
                    micro_dict(params=TWO_FLOATS, design="lhs", n=3, paths=10))
    out = tmp_path / "out"
    fd = os.open(tmp_path / "stdout.txt", os.O_WRONLY | os.O_CREAT)
    try:
        stdout = _PipeClosedAfterOneLine(fd)
        monkeypatch.setattr(sys, "stdout", stdout)
        code = main(["sweep", str(f), "--out", str(out), "--quiet"])
        monkeypatch.undo()
    finally:
        os.close(fd)
    assert code == 0  # a closed pipe is not an error...
    assert stdout.text.startswith("Across ")  # (the pipe did close early)
    # ... and the results were written all the same.
    assert (out / "sweep.csv").read_bytes().count(b"\n") == 4
    if importlib.util.find_spec("pyarrow") is not None:
        assert (out / "sweep.parquet").is_file()


def test_cli_errors(tmp_path, capsys, monkeypatch):
    f = _write_toml(tmp_path / "s.toml", micro_dict(params=TWO_FLOATS, n=2))
    (tmp_path / "file").write_text("x")
    assert main(["sweep", str(f), "--out", str(tmp_path / "file")]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert main(["sweep", str(f), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --backend dask" in capsys.readouterr().err
    assert main(["sweep", str(ROOT / "scenarios" / "micro.toml")]) == 2
    assert "`sweep` table" in capsys.readouterr().err
    assert main(["sweep", str(f), "--design", "halton"]) == 2
    assert "invalid choice: 'halton'" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "micro-sweep").write_text("x")  # the default directory
    assert main(["sweep", str(f)]) == 2
    err = capsys.readouterr().err
    assert err == ("simkit: error: output directory out/micro-sweep: exists and is "
                   "not a directory (choose another with --out DIR)\n")


def test_shipped_sweep_scenario_loads():
    sc = load_scenario(ROOT / "scenarios" / "micro_sweep.toml")
    keys, pts = sweep_design(sc, n=16)
    assert len(keys) >= 3 and pts.shape == (16, len(keys))


# ----- sweep checkpoints: damage, locks, the user's files ----------------------------

def _ck_scenario():
    return micro(params=TWO_FLOATS, design="lhs", n=5, paths=10)


CK_KW = {"paths": 10, "seed": 4, "chunk_scenarios": 2, "progress": False}


@pytest.fixture(scope="module")
def ck_full():
    return run_sweep(_ck_scenario(), **CK_KW)


def _loaded(out, **kw):
    log = []
    res = run_sweep(_ck_scenario(), out=out, resume=True,
                    on_chunk=lambda i, n, loaded: log.append(loaded), **CK_KW, **kw)
    return res, log


@pytest.mark.parametrize("damage", ["bit-flip", "truncated", "empty-dir",
                                    "wrong-shape", "other-sweep"])
def test_sweep_damaged_chunk_is_recomputed(damage, tmp_path, ck_full):
    out = tmp_path / "out"
    run_sweep(_ck_scenario(), out=out, **CK_KW)
    p = out / "chunks" / "chunk-00001.npz"
    data = p.read_bytes()
    if damage == "bit-flip":
        at = len(data) // 2
        p.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
    elif damage == "truncated":
        p.write_bytes(data[:-40])
    elif damage == "empty-dir":
        p.unlink()
        p.mkdir()
    elif damage == "wrong-shape":   # chunk 2 (one scenario) where chunk 1 goes
        p.write_bytes((out / "chunks" / "chunk-00002.npz").read_bytes())
    else:
        other = tmp_path / "other"
        run_sweep(_ck_scenario(), out=other, **{**CK_KW, "seed": 5})
        p.write_bytes((other / "chunks" / "chunk-00001.npz").read_bytes())
    res, log = _loaded(out)
    assert log == [True, False, True]
    npt.assert_array_equal(res.stats, ck_full.stats)


@pytest.mark.parametrize("content", [b"[]", b"null", b"\x00garbage{"],
                         ids=["list", "null", "garbage"])
def test_sweep_damaged_manifest_is_replaced(content, tmp_path, ck_full):
    out = tmp_path / "out"
    run_sweep(_ck_scenario(), out=out, **CK_KW)
    (out / "manifest.json").write_bytes(content)
    res, log = _loaded(out)
    assert log == [True, True, True]       # every chunk verifies on its own
    npt.assert_array_equal(res.stats, ck_full.stats)
    assert (out / "manifest.json").read_text().startswith("{")


def test_sweep_refused_while_another_process_holds_the_folder(tmp_path, capsys):
    import json
    import socket

    out = tmp_path / "out"
    out.mkdir()
    lock = out / "simkit.lock"
    lock.write_text(json.dumps({"pid": 1, "host": socket.gethostname(),
                                "since": "earlier"}))   # pid 1 always runs
    with pytest.raises(SimkitError, match=f"{out}: in use by another sweep "
                       r"\(simkit process 1 on "):
        run_sweep(_ck_scenario(), out=out, **CK_KW)
    f = _write_toml(tmp_path / "s.toml",
                    micro_dict(params=TWO_FLOATS, design="lhs", n=5, paths=10))
    assert main(["sweep", str(f), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in use by another sweep" in err
    assert sorted(p.name for p in out.iterdir()) == ["simkit.lock"]


def test_sweep_keeps_the_users_files(tmp_path, capsys, ck_full):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    (out / "chunks").mkdir()
    (out / "chunks" / "notes.md").write_text("keep too")
    with pytest.raises(ZeroDivisionError):
        run_sweep(_ck_scenario(), out=out,
                  on_chunk=lambda i, n, loaded: 1 / (i - 1), **CK_KW)
    res, _ = _loaded(out)
    npt.assert_array_equal(res.stats, ck_full.stats)
    run_sweep(_ck_scenario(), out=out, **{**CK_KW, "seed": 9})  # afresh
    assert (out / "mine.txt").read_text() == "keep"
    assert (out / "chunks" / "notes.md").read_text() == "keep too"
    assert not (out / "simkit.lock").exists()


def test_sweep_refused_run_creates_nothing(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(SimkitError, match="backend 'cuda'"):
        run_sweep(_ck_scenario(), out=out, backend="cuda", **CK_KW)
    assert not out.exists()
