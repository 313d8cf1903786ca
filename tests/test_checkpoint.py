"""Checkpoint and resume of plain runs (``simulate(..., checkpoint=, resume=)``):
finished chunks on disk as they complete, a resumed run equal to an
uninterrupted one bit for bit, and a manifest that refuses another run."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys

import numpy as np
import numpy.testing as npt
import pytest

import simkit
from simkit import config
from simkit.backends import cpu
from simkit._checkpoint import LOCK_NAME, _digest, hold
from simkit.errors import CheckpointWarning, SimkitError

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


# ----- a checkpoint knows its run -----------------------------------------------------

CHUNK1 = "chunk-00001.npz"


def _chunk(d, name=CHUNK1):
    return d / "chunks" / name


def _listing(d):
    return sorted(p.relative_to(d).as_posix() for p in d.rglob("*"))


def _content(path):
    """The bytes of a file, or of every file under a folder (by relative name)."""
    if path.is_file():
        return path.read_bytes()
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*")
            if p.is_file()}


def test_manifest_and_chunks_record_the_run(tmp_path, scenario, small_chunks):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["seed"] == 12345 and m["paths"] == PATHS and m["path_offset"] == 0
    assert m["chunk_paths"] == 200 and m["variants"] == [None]
    assert m["simkit_version"] == simkit.__version__
    assert set(m["outputs"]) == {"totals", "per_stream"}
    assert m["root_key"] == str(sys.modules["simkit._simulate"].root_key(12345))
    with np.load(_chunk(tmp_path)) as z:
        run = json.loads(bytes(z["run"]))
        assert run == m
        assert str(z["run_id"]) == hashlib.sha256(json.dumps(
            m, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        assert len(str(z["sha256"])) == 64
    # The lock is gone once the run is over.
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_chunk_of_another_run_is_recomputed(tmp_path, scenario, full, small_chunks,
                                             monkeypatch):
    """Seed-7 chunks in a seed-12345 checkpoint are never loaded."""
    other = tmp_path / "other"
    simkit.simulate(scenario, checkpoint=other, **{**KW, "seed": 7})
    mine = tmp_path / "mine"
    simkit.simulate(scenario, checkpoint=mine, **KW)
    for name in (CHUNK1, "chunk-00003.npz"):
        _chunk(mine, name).write_bytes(_chunk(other, name).read_bytes())
    spy = spy_kernel(monkeypatch)
    res = simkit.simulate(scenario, checkpoint=mine, resume=True, **KW)
    assert spy["calls"] == [200, 600]
    _equal(res, full)


def test_two_interrupted_runs_then_resume_equal_an_uninterrupted_one(
        tmp_path, scenario, small_chunks, monkeypatch):
    """Runs with seeds 7 and 8 interrupted in one folder, then
    --resume with seed 8: the result is seed 8's, none of seed 7's chunks."""
    want = simkit.simulate(scenario, **{**KW, "seed": 8})
    spy = spy_kernel(monkeypatch, stop_after=3)
    with pytest.raises(Stop):
        simkit.simulate(scenario, checkpoint=tmp_path, **{**KW, "seed": 7})
    spy["calls"], spy["stop_after"] = [], 1
    with pytest.raises(Stop):
        simkit.simulate(scenario, checkpoint=tmp_path, **{**KW, "seed": 8})
    spy["calls"], spy["stop_after"] = [], None
    res = simkit.simulate(scenario, checkpoint=tmp_path, resume=True,
                          **{**KW, "seed": 8})
    assert spy["calls"] == [200, 400, 600]
    assert res.metadata["seed"] == 8
    _equal(res, want)


def _rewrite(path, **changes):
    """Rewrite a chunk file with some arrays changed (the rest kept)."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("damage", [
    "truncated", "empty", "bit-flip-early", "bit-flip-middle", "bit-flip-late",
    "tampered", "wrong-shape", "wrong-range", "wrong-dtype", "no-checksum",
    "empty-dir",
])
def test_damaged_chunk_is_recomputed(damage, tmp_path, scenario, full, small_chunks,
                                     monkeypatch):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    p = _chunk(tmp_path)
    data = p.read_bytes()
    if damage == "truncated":
        p.write_bytes(data[:len(data) // 2])
    elif damage == "empty":
        p.write_bytes(b"")
    elif damage.startswith("bit-flip"):
        at = {"early": 100, "middle": len(data) // 2, "late": len(data) - 30}[
            damage.rpartition("-")[2]]
        p.write_bytes(data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:])
    elif damage == "tampered":     # a value changed, the old checksum kept
        with np.load(p) as z:
            t = z["totals"].copy()
        t[0, 0, 0] += 1.0
        _rewrite(p, totals=t)
    elif damage == "wrong-shape":  # consistent checksum, but not this run's shape
        with np.load(p) as z:
            t = z["totals"][:, :-1].copy()
            arrays = {k: z[k] for k in z.files if k not in
                      ("index", "start", "stop", "run_id", "run", "sha256")}
        arrays["totals"] = t
        _rewrite(p, totals=t, sha256=np.array(_digest(arrays)))
    elif damage == "wrong-range":
        _rewrite(p, start=np.array(0))
    elif damage == "wrong-dtype":
        with np.load(p) as z:
            _rewrite(p, totals=z["totals"].astype(np.float32))
    elif damage == "no-checksum":
        with np.load(p) as z:
            arrays = {k: z[k] for k in z.files if k != "sha256"}
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        p.write_bytes(buf.getvalue())
    elif damage == "empty-dir":
        p.unlink()
        p.mkdir()
    spy = spy_kernel(monkeypatch)
    res = simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW)
    assert spy["calls"] == [200]
    _equal(res, full)
    assert p.is_file()   # written again, whole
    again = simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW)
    assert spy["calls"] == [200]     # now it loads
    _equal(again, full)


@pytest.mark.parametrize("content", [b"[]", b"null", b"{not json", b"\x00\xff\xfe",
                                     b"", b"{}", b"42"],
                         ids=["list", "null", "garbage", "binary", "empty", "dict",
                              "number"])
def test_damaged_manifest_is_replaced_and_good_chunks_kept(content, tmp_path,
                                                           scenario, full,
                                                           small_chunks, monkeypatch):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    (tmp_path / "manifest.json").write_bytes(content)
    _chunk(tmp_path).write_bytes(b"damaged too")
    spy = spy_kernel(monkeypatch)
    res = simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW)
    assert spy["calls"] == [200]     # the chunks verify on their own
    _equal(res, full)
    assert json.loads((tmp_path / "manifest.json").read_text())["seed"] == 12345


def test_manifest_folder_is_replaced_when_empty(tmp_path, scenario, full,
                                                small_chunks):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    (tmp_path / "manifest.json").unlink()
    (tmp_path / "manifest.json").mkdir()
    _equal(simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW), full)
    assert (tmp_path / "manifest.json").is_file()


def test_empty_file_where_chunks_go_is_replaced(tmp_path, scenario, full,
                                               small_chunks):
    (tmp_path / "chunks").write_bytes(b"")
    _equal(simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW), full)
    assert (tmp_path / "chunks").is_dir()


@pytest.mark.parametrize("what", ["chunks-file", "manifest-folder", "chunk-folder",
                                  "foreign-manifest"])
def test_what_simkit_did_not_write_is_never_removed(what, tmp_path, scenario,
                                                    small_chunks, monkeypatch):
    """Anything with content in the way is kept; the run computes every chunk,
    gives the numbers of a run without checkpoint and warns (one line) that it
    was not checkpointed."""
    if what == "chunks-file":
        target = tmp_path / "chunks"
        target.write_text("the user's notes")
    elif what == "manifest-folder":
        target = tmp_path / "manifest.json"
        target.mkdir()
        (target / "inside.txt").write_text("the user's")
    elif what == "chunk-folder":
        target = _chunk(tmp_path)
        target.mkdir(parents=True)
        (target / "inside.txt").write_text("the user's")
    else:
        target = tmp_path / "manifest.json"
        target.write_text('{"name": "my project"}')
    before = _listing(tmp_path)
    content = _content(target)
    plain = simkit.simulate(scenario, **KW)
    spy = spy_kernel(monkeypatch)
    for resume in (False, True):
        spy["calls"].clear()
        with pytest.warns(CheckpointWarning, match="simkit did not write") as w:
            res = simkit.simulate(scenario, checkpoint=tmp_path, resume=resume, **KW)
        message = str(w[0].message)
        assert "\n" not in message and str(target) in message
        assert "without a checkpoint" in message
        assert spy["calls"], "every chunk is computed"
        npt.assert_array_equal(res.totals["income_total"], plain.totals["income_total"])
        assert _listing(tmp_path) == before and _content(target) == content


# ----- the lock -----------------------------------------------------------------------

HOLDER = """
import sys
from simkit._checkpoint import hold
with hold(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


def _holder(folder):
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def _stop(p, kill=False):
    if kill:
        p.kill()
    p.stdin.close()
    p.wait(timeout=60)
    p.stdout.close()


def test_a_second_run_is_refused_while_the_first_holds_the_folder(
        tmp_path, scenario, small_chunks, monkeypatch):
    p = _holder(tmp_path)
    try:
        spy = spy_kernel(monkeypatch)
        with pytest.raises(SimkitError) as e:
            simkit.simulate(scenario, checkpoint=tmp_path, **KW)
        msg = str(e.value)
        assert "\n" not in msg and msg.startswith(f"{tmp_path}: in use by another run")
        assert f"process {p.pid} on {socket.gethostname()}" in msg
        assert spy["calls"] == []
    finally:
        _stop(p)
    # Released on exit: the folder is free again.
    assert not (tmp_path / LOCK_NAME).exists()
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)


def test_a_lock_whose_process_was_killed_is_stale(tmp_path, scenario, full,
                                                 small_chunks):
    p = _holder(tmp_path)
    _stop(p, kill=True)
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == p.pid
    _equal(simkit.simulate(scenario, checkpoint=tmp_path, **KW), full)
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.mark.parametrize("holder,stale", [
    ({"pid": os.getpid()}, True),        # this pid, an earlier process (containers)
    ({"pid": 1}, False),                  # a live process
    ({"pid": 2 ** 22 + 12345}, True),     # no such process
    ({"pid": 1, "host": "elsewhere"}, False),  # another host: cannot tell
    (None, True),                         # damaged lock file
])
def test_stale_locks(holder, stale, tmp_path, scenario, small_chunks):
    lock = tmp_path / LOCK_NAME
    if holder is None:
        lock.write_bytes(b"\x00garbage")
    else:
        lock.write_text(json.dumps({"host": socket.gethostname(), **holder}))
    if stale:
        simkit.simulate(scenario, checkpoint=tmp_path, **KW)
        assert not lock.exists()
    else:
        with pytest.raises(SimkitError, match="in use by another run"):
            simkit.simulate(scenario, checkpoint=tmp_path, **KW)
        assert lock.exists()


def test_hold_is_reentrant_and_releases_on_error(tmp_path):
    with pytest.raises(ZeroDivisionError), hold(tmp_path), hold(tmp_path):
        assert (tmp_path / LOCK_NAME).is_file()
        1 / 0
    assert not (tmp_path / LOCK_NAME).exists()


# ----- nothing left behind ------------------------------------------------------------

def test_refused_run_leaves_no_checkpoint(tmp_path, scenario, small_chunks):
    d = tmp_path / "new" / "ck"
    with pytest.raises(SimkitError, match="backend 'cuda'"):
        simkit.simulate(scenario, checkpoint=d, backend="cuda", **KW)
    assert _listing(tmp_path) == []


def test_refused_run_leaves_an_earlier_checkpoint_as_it_was(tmp_path, scenario,
                                                           small_chunks):
    simkit.simulate(scenario, checkpoint=tmp_path, **KW)
    before = {p: (tmp_path / p).read_bytes() for p in _listing(tmp_path)
              if (tmp_path / p).is_file()}
    with pytest.raises(SimkitError, match="backend 'cuda'"):
        simkit.simulate(scenario, checkpoint=tmp_path, backend="cuda",
                        **{**KW, "seed": 1})
    assert {p: (tmp_path / p).read_bytes() for p in _listing(tmp_path)
            if (tmp_path / p).is_file()} == before


def test_temporaries_of_a_killed_write_are_removed(tmp_path, scenario, full,
                                                  small_chunks):
    chunks = tmp_path / "chunks"
    chunks.mkdir()
    dead = 2 ** 22 + 12345    # above Linux's pid_max: no such process
    stale = [chunks / f".chunk-00001.npz.{dead}.abcd_123.tmp",
             tmp_path / f".manifest.json.{dead}.zz99zz99.tmp"]
    for s in stale:
        s.write_bytes(b"half a file")
    alive = chunks / ".chunk-00002.npz.1.abcdefgh.tmp"   # pid 1 runs
    alive.write_bytes(b"being written")
    mine = [chunks / ".notes.tmp", tmp_path / "notes.tmp.bak"]
    for m in mine:
        m.write_text("the user's")
    _equal(simkit.simulate(scenario, checkpoint=tmp_path, resume=True, **KW), full)
    assert not any(s.exists() for s in stale)
    assert alive.exists() and all(m.exists() for m in mine)


# ----- simkit run --out: the user's files, locks and leftovers ------------------------

MICRO = "scenarios/micro.toml"


def _run(*argv):
    from simkit.cli import main

    return main(["run", MICRO, "--paths", "100", "--seed", "5", "--quiet", *argv])


def test_cli_a_users_file_survives_every_run_failure_and_resume(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(config, "CHECKPOINT_PAIRS", 40)   # 100 paths: 3 chunks
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    (out / "checkpoint").mkdir()
    (out / "checkpoint" / "notes.txt").write_text("keep too")

    def kept():
        return ((out / "mine.txt").read_text(),
                (out / "checkpoint" / "notes.txt").read_text()) == ("keep", "keep too")

    assert _run("--out", str(out), "--backend", "cuda") == 2        # refused
    assert kept() and sorted(p.name for p in (out / "checkpoint").iterdir()) == [
        "notes.txt"]
    real = cpu.run_paths

    def ctrl_c(packed, key, path_offset, *args):
        if path_offset >= 80:
            raise KeyboardInterrupt
        return real(packed, key, path_offset, *args)

    monkeypatch.setattr(cpu, "run_paths", ctrl_c)
    assert _run("--out", str(out)) == 130                             # interrupted
    assert kept()
    monkeypatch.setattr(cpu, "run_paths", real)
    assert _run("--out", str(out), "--resume") == 0                   # resumed
    assert kept()
    assert _run("--out", str(out)) == 0                               # again
    assert kept()
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint", "micro.csv", "micro.json", "micro.npz", "micro_summary.csv",
        "mine.txt"]
    assert sorted(p.name for p in (out / "checkpoint").iterdir()) == ["notes.txt"]


def test_cli_second_run_refused_while_the_first_holds_the_checkpoint(tmp_path,
                                                                     capsys):
    out = tmp_path / "out"
    p = _holder(out / "checkpoint" / "micro")
    try:
        assert _run("--out", str(out)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith(f"simkit: error: {out / 'checkpoint' / 'micro'}: in use "
                              f"by another run (simkit process {p.pid} on ")
    finally:
        _stop(p)
    assert not (out / "micro.npz").exists()
    assert _run("--out", str(out)) == 0
    assert sorted(x.name for x in out.iterdir()) == [
        "micro.csv", "micro.json", "micro.npz", "micro_summary.csv"]


def test_cli_temporaries_of_a_killed_run_are_removed(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    dead = 2 ** 22 + 12345
    left = out / f".micro.npz.{dead}.k1ll3d__.tmp"
    left.write_bytes(b"half a result")
    assert _run("--out", str(out)) == 0
    assert not left.exists()


def test_cli_runs_without_checkpoint_when_a_users_file_is_in_the_way(tmp_path, capsys):
    """A file with content where ``chunks/`` goes: the run still completes (every
    chunk computed), warns in one line, writes its results and keeps the file."""
    out = tmp_path / "out"
    blocker = out / "checkpoint" / "micro" / "chunks"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("the user's notes")
    assert _run("--out", str(out)) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"simkit: warning: {blocker}: a file simkit did not write")
    assert blocker.read_text() == "the user's notes"
    assert (out / "micro.npz").is_file()
    assert sorted(p.name for p in blocker.parent.iterdir()) == ["chunks"]
