"""Checkpoint and resume of plain runs (``simulate(..., checkpoint=, resume=)``):
finished chunks on disk as they complete, a resumed run equal to an
uninterrupted one bit for bit, and a manifest that refuses another run."""

from __future__ import annotations

import numpy.testing as npt
import pytest

import simkit
from simkit import config
from simkit.backends import cpu
from simkit.checkpoint import load_chunk
from simkit.errors import SimkitError

PATHS = 700
KW = {"paths": PATHS, "seed": 12345, "per_stream": True, "progress": False}


@pytest.fixture()
def small_chunks(monkeypatch):
    """Checkpoint chunks of 200 paths: a 700-path run has 4 (200, 200, 200, 100)."""
    monkeypatch.setattr(config, "CHECKPOINT_PAIRS", 200)


@pytest.fixture(scope="module")
def scenario():
    return simkit.load_scenario("scenarios/micro.toml").with_overrides(
        {"horizon.weeks": 1})


@pytest.fixture(scope="module")
def full(scenario):
    """The uninterrupted run, without a checkpoint."""
    return simkit.simulate(scenario, **KW)


class Stop(Exception):
    """Raised by the test to interrupt a run."""


def spy_kernel(monkeypatch, stop_after=None):
    """Record the path offsets the kernel driver is called with, in
    ``spy["calls"]``; once ``spy["stop_after"]`` calls are recorded, the next
    call raises :class:`Stop` (an interruption)."""
    spy = {"calls": [], "stop_after": stop_after}
    real = cpu.run_paths

    def run_paths(packed, key, path_offset, *args):
        if spy["stop_after"] is not None and len(spy["calls"]) == spy["stop_after"]:
            raise Stop
        spy["calls"].append(path_offset)
        return real(packed, key, path_offset, *args)

    monkeypatch.setattr(cpu, "run_paths", run_paths)
    return spy


def _equal(a, b):
    for m in a.totals:
        npt.assert_array_equal(a.totals[m], b.totals[m])
    for m in a.per_stream:
        npt.assert_array_equal(a.per_stream[m], b.per_stream[m])


def test_checkpointed_run_equals_plain_run(tmp_path, scenario, full, small_chunks):
    res = simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    _equal(res, full)
    chunks = sorted(p.name for p in (tmp_path / "chunks").iterdir())
    assert chunks == [f"chunk-{i:05d}.npz" for i in range(4)]
    assert (tmp_path / "manifest.json").is_file()


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path, scenario, full,
                                                       small_chunks, monkeypatch):
    # block_paths=100: two kernel calls per 200-path chunk; stop in chunk 2.
    spy = spy_kernel(monkeypatch, stop_after=5)
    with pytest.raises(Stop):
        simkit.simulate(scenario, checkpoint=tmp_path, block_paths=100, **KW)
    assert spy["calls"] == [0, 100, 200, 300, 400]
    # Chunks 0 and 1 are on disk; nothing of the half-done chunk 2.
    assert sorted(p.name for p in (tmp_path / "chunks").iterdir()) == [
        "chunk-00000.npz", "chunk-00001.npz"]
    spy["calls"], spy["stop_after"] = [], None
    res = simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW)
    # Only the missing paths were simulated (default block: one call a chunk).
    assert spy["calls"] == [400, 600]
    _equal(res, full)


def test_resume_recomputes_a_damaged_chunk(tmp_path, scenario, full, small_chunks,
                                          monkeypatch):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    (tmp_path / "chunks" / "chunk-00001.npz").write_bytes(b"not an npz")
    assert load_chunk(tmp_path, 1, 200, 400, ("totals",)) is None
    spy = spy_kernel(monkeypatch)
    res = simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW)
    assert spy["calls"] == [200]
    _equal(res, full)


@pytest.mark.parametrize("change", [
    {"paths": PATHS + 1}, {"seed": 1}, {"per_stream": False},
])
def test_resume_refuses_another_run(tmp_path, scenario, small_chunks, change):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    with pytest.raises(SimkitError, match="was written for another run"):
        simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **{**KW, **change})


def test_resume_refuses_another_scenario(tmp_path, scenario, small_chunks):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    other = scenario.with_overrides({"creator.followers": 12_345})
    with pytest.raises(SimkitError, match="scenario_sha256"):
        simkit.simulate(other, checkpoint=tmp_path, resume=True, **KW)


def test_fresh_run_replaces_stale_chunks(tmp_path, scenario, small_chunks):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    simkit.simulate(scenario, checkpoint=tmp_path, **{**KW, "paths": 150})
    assert sorted(p.name for p in (tmp_path / "chunks").iterdir()) == [
        "chunk-00000.npz"]


def test_checkpoint_must_be_a_directory(tmp_path, scenario):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SimkitError, match="not a directory"):
        simkit.simulate(scenario, checkpoint=f, **KW)
