"""Checkpoint and resume of sweeps: no work lost, identical results."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import numpy.testing as npt
import pytest

from simkit import scenario_from_dict
from simkit.errors import CheckpointWarning, SimkitError
from simkit._sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {"creator.followers": [2_000, 30_000], "audience.join_rate": [0.01, 0.06]}
KW = {"design": "lhs", "n": 7, "paths": 12, "seed": 12345, "chunk_scenarios": 2,
      "progress": False}
N_CHUNKS = 4  # ceil(7 / 2)


def scenario(**sweep_extra):
    d = tomllib.loads((ROOT / "scenarios" / "micro.toml").read_text())
    d["horizon"] = {"weeks": 1}
    d["sweep"] = {"params": PARAMS, **sweep_extra}
    return scenario_from_dict(d)


class Stop(Exception):
    """Raised by the test to interrupt a run."""


def stop_after(k, log):
    def on_chunk(i, n, loaded):
        log.append((i, n, loaded))
        if len(log) == k:
            raise Stop

    return on_chunk


@pytest.fixture(scope="module")
def full():
    """The uninterrupted run (no checkpoint)."""
    return run_sweep(scenario(), **KW)


def chunk_files(out):
    return sorted(p.name for p in (out / "chunks").glob("*"))


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path, full):
    out = tmp_path / "run"
    log = []
    with pytest.raises(Stop):
        run_sweep(scenario(), out=out, on_chunk=stop_after(2, log), **KW)
    assert log == [(0, N_CHUNKS, False), (1, N_CHUNKS, False)]
    # Finished chunks are on disk, nothing half-written next to them.
    assert chunk_files(out) == ["chunk-00000.npz", "chunk-00001.npz"]
    log2 = []
    res = run_sweep(scenario(), out=out, resume=True,
                    on_chunk=lambda i, n, loaded: log2.append((i, loaded)), **KW)
    # Only the missing chunks were simulated.
    assert log2 == [(0, True), (1, True), (2, False), (3, False)]
    assert res.metadata["chunks_loaded"] == 2
    npt.assert_array_equal(res.params, full.params)
    npt.assert_array_equal(res.stats, full.stats)
    assert len(chunk_files(out)) == N_CHUNKS


def test_resumed_csv_is_byte_identical(tmp_path, full):
    out = tmp_path / "run"
    with pytest.raises(Stop):
        run_sweep(scenario(), out=out, on_chunk=stop_after(3, []), **KW)
    res = run_sweep(scenario(), out=out, resume=True, **KW)
    res.to_csv(tmp_path / "a.csv")
    full.to_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_failure_inside_a_chunk_keeps_the_finished_ones(tmp_path, full, monkeypatch):
    """A crash while a chunk is simulated loses only that chunk."""
    sim = sys.modules["simkit._simulate"]  # the module (simkit.simulate is the function)

    real = sim.simulate_batch
    calls = []

    def flaky(*a, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise Stop
        return real(*a, **kw)

    monkeypatch.setattr(sim, "simulate_batch", flaky)
    out = tmp_path / "run"
    with pytest.raises(Stop):
        run_sweep(scenario(), out=out, **KW)
    monkeypatch.setattr(sim, "simulate_batch", real)
    assert chunk_files(out) == ["chunk-00000.npz", "chunk-00001.npz"]
    res = run_sweep(scenario(), out=out, resume=True, **KW)
    npt.assert_array_equal(res.stats, full.stats)


def test_damaged_chunk_is_recomputed(tmp_path, full):
    out = tmp_path / "run"
    run_sweep(scenario(), out=out, **KW)
    (out / "chunks" / "chunk-00001.npz").write_bytes(b"not a zip file")
    log = []
    res = run_sweep(scenario(), out=out, resume=True,
                    on_chunk=lambda i, n, loaded: log.append(loaded), **KW)
    assert log == [True, False, True, True]
    npt.assert_array_equal(res.stats, full.stats)


def test_manifest_records_the_sweep(tmp_path):
    out = tmp_path / "run"
    run_sweep(scenario(), out=out, **KW)
    m = json.loads((out / "manifest.json").read_text())
    assert (m["seed"], m["design"], m["n"], m["paths"], m["chunk_scenarios"],
            m["n_scenarios"]) == (12345, "lhs", 7, 12, 2, 7)
    assert m["keys"] == list(PARAMS)
    assert len(m["scenario_sha256"]) == 64


@pytest.mark.parametrize(("change", "field"), [
    ({"seed": 1}, "seed"),
    ({"paths": 13}, "paths"),
    ({"n": 8}, "n"),
    ({"design": "sobol"}, "design"),
    ({"chunk_scenarios": 3}, "chunk_scenarios"),
])
def test_resume_refuses_another_sweep(tmp_path, change, field):
    out = tmp_path / "run"
    run_sweep(scenario(), out=out, **KW)
    with pytest.raises(SimkitError, match=f"written for another sweep \\(`{field}`"):
        run_sweep(scenario(), out=out, resume=True, **{**KW, **change})


def test_resume_refuses_a_changed_scenario(tmp_path):
    out = tmp_path / "run"
    run_sweep(scenario(), out=out, **KW)
    changed = scenario().with_overrides({"audience.follow_prob": 0.05})
    with pytest.raises(SimkitError, match="`scenario_sha256`"):
        run_sweep(changed, out=out, resume=True, **KW)


def test_resume_keeps_a_foreign_manifest(tmp_path, full):
    """A manifest.json with content that simkit did not write is never replaced:
    the sweep runs without a checkpoint, warns, and gives the full sweep's
    numbers."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "my web app"}')
    for resume in (True, False):
        with pytest.warns(CheckpointWarning, match="manifest.json: a file simkit did "
                          "not write"):
            res = run_sweep(scenario(), out=out, resume=resume, **KW)
        npt.assert_array_equal(res.stats, full.stats)
        assert (out / "manifest.json").read_text() == '{"name": "my web app"}'
        assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_resume_without_checkpoint_starts_fresh(tmp_path, full):
    res = run_sweep(scenario(), out=tmp_path / "new", resume=True, **KW)
    assert res.metadata["chunks_loaded"] == 0
    npt.assert_array_equal(res.stats, full.stats)


def test_fresh_run_discards_stale_chunks(tmp_path):
    out = tmp_path / "run"
    run_sweep(scenario(), out=out, **KW)
    other = run_sweep(scenario(), out=out, **{**KW, "seed": 99, "n": 3})
    assert chunk_files(out) == ["chunk-00000.npz", "chunk-00001.npz"]
    again = run_sweep(scenario(), out=out, resume=True, **{**KW, "seed": 99, "n": 3})
    assert again.metadata["chunks_loaded"] == 2
    npt.assert_array_equal(again.stats, other.stats)


def test_out_must_be_a_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SimkitError, match="not a directory"):
        run_sweep(scenario(), out=f, **KW)


def test_chunk_writes_are_atomic(tmp_path, monkeypatch):
    """A crash while a chunk file is moved into place leaves neither it nor a
    temporary file behind."""
    import os

    out = tmp_path / "run"
    real = os.replace

    def crash_on_chunks(src, dst):
        if Path(dst).name.startswith("chunk-"):
            raise Stop
        return real(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_chunks)
    with pytest.raises(Stop):
        run_sweep(scenario(), out=out, **KW)
    monkeypatch.setattr(os, "replace", real)
    assert (out / "manifest.json").is_file()
    assert chunk_files(out) == []
