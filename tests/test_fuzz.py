"""Fuzz suite of the command line (docs/testing.md).

Hypothesis draws scenario documents (valid, nearly valid, hostile and damaged;
``tests/fuzz_strategies.py``) and command lines of every subcommand, runs
:func:`simkit.cli.main` in-process in a fresh directory, and checks for each
example the CLI's contract (docs/cli.md, "Exit status and errors"):

* exit status 0 with the expected outputs, or 2 with exactly one line on
  standard error starting ``simkit: error:`` (no traceback, no warning);
* with status 2 nothing is written, changed or removed anywhere;
* with status 0 no file is written outside ``--out`` (or ``sweep``'s default
  directory) and the ``-o`` file, and no temporary file is left;
* the files already in ``--out`` (a sentinel ``out/KEEP.txt`` and
  ``out/keep/inner.txt``) and the input files are untouched;
* no non-finite number in any output: JSON is parsed strictly (``NaN``,
  ``Infinity`` and overflowing literals refused), every CSV cell, ``.npz``
  array and Parquet column that holds a number is finite, and neither the
  printed text nor an HTML report shows ``nan`` or ``inf``.

Profiles (tests/conftest.py): ``fuzz`` (the default: derandomized, the example
counts below) and ``fuzz-release`` (``SIMKIT_FUZZ=release``: random, 20 times
the examples, for release checks; docs/testing.md). Measured on 2 cores with
compiled kernels cached: see docs/testing.md.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import fuzz_strategies as fs
from conftest import FUZZ_PROFILE
from simkit.cli import main

#: Wall-clock limit of one example (a hang is a failure, not a stuck suite).
EXAMPLE_LIMIT_S = 120
SENTINEL = b"sentinel: keep me \x00\xff\n"


def _examples(n):
    """``n`` examples under ``fuzz``, 20 n under ``fuzz-release`` (see conftest)."""
    return max(1, n * settings.get_profile(FUZZ_PROFILE).max_examples // 100)


def fuzz(n):
    """Settings of one fuzz test: the fuzz profile with ``_examples(n)`` examples."""
    return settings(settings.get_profile(FUZZ_PROFILE), max_examples=_examples(n))


@pytest.fixture(scope="session")
def fuzz_root(tmp_path_factory):
    """The folder of every example's folder; the kernels compiled beforehand
    (a cold numba cache takes up to a minute, outside the per-example limit)."""
    import simkit

    sc = simkit.scenario_from_dict({"horizon": {"weeks": 1},
                                    "stream": {"duration_min": 5}})
    simkit.simulate(sc, paths=2, per_stream=True, curves=True)
    simkit.simulate_batch([sc, sc], paths=2)
    return tmp_path_factory.mktemp("fuzz")


# ----- running one example ------------------------------------------------------------
class ExampleTimeout(BaseException):
    """Raised in the main thread when an example runs past EXAMPLE_LIMIT_S."""


def _snapshot(d):
    """``(files: {relpath: sha1}, dirs: set of relpaths)`` of the tree under ``d``."""
    files, dirs = {}, set()
    for top, dnames, fnames in os.walk(d):
        rel = os.path.relpath(top, d)
        if rel != ".":
            dirs.add(rel)
        for f in fnames:
            p = os.path.join(top, f)
            key = os.path.normpath(os.path.join(rel, f))
            if os.path.islink(p) or not os.path.isfile(p):
                files[key] = "special"
                continue
            with open(p, "rb") as fh:
                files[key] = hashlib.sha1(fh.read()).hexdigest()
    return files, dirs


class Outcome:
    """What one CLI call did."""

    def __init__(self, doc, cmd, rc, out, err, exc, caught, before, after, siblings,
                 workdir):
        self.doc, self.cmd, self.rc, self.out, self.err = doc, cmd, rc, out, err
        self.exc, self.caught = exc, caught
        self.before, self.after, self.siblings, self.workdir = (before, after, siblings,
                                                                workdir)

    def describe(self):
        return (f"\nargv: {self.cmd.argv!r}\n{self.doc.describe()}"
                f"rc: {self.rc}\nexception: {self.exc!r}\n"
                f"stderr: {self.err[-3000:]!r}\nstdout: {self.out[-1500:]!r}\n")


def execute(root, doc, cmd, files_dir_hook=None):
    """Run ``simkit.cli.main(cmd.argv)`` in a fresh directory holding ``doc``'s
    files and the sentinels; return an :class:`Outcome` (checked by the caller)."""
    workdir = Path(tempfile.mkdtemp(dir=root))
    try:
        for rel, data in doc.files.items():
            p = workdir / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        (workdir / "out" / "keep").mkdir(parents=True)
        (workdir / "out" / "KEEP.txt").write_bytes(SENTINEL)
        (workdir / "out" / "keep" / "inner.txt").write_bytes(SENTINEL)
        (workdir / "dir").mkdir(exist_ok=True)
        if files_dir_hook:
            files_dir_hook(workdir)
        before = _snapshot(workdir)
        siblings = set(os.listdir(root))
        out, err = io.StringIO(), io.StringIO()
        rc, exc = None, None
        cwd = os.getcwd()

        def on_alarm(signum, frame):
            raise ExampleTimeout(f"example ran past {EXAMPLE_LIMIT_S} s")

        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(EXAMPLE_LIMIT_S)
        try:
            os.chdir(workdir)
            with warnings.catch_warnings(record=True) as caught, \
                    contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                warnings.simplefilter("always")
                try:
                    rc = main(list(cmd.argv))
                except ExampleTimeout:
                    raise
                except BaseException as e:  # noqa: BLE001 - a traceback for the user
                    exc = e
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
            os.chdir(cwd)
        after = _snapshot(workdir)
        return Outcome(doc, cmd, rc, out.getvalue(), err.getvalue(), exc,
                       list(caught), before, after,
                       set(os.listdir(root)) - siblings, workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


_IGNORED_WARNINGS = ("dask", "distributed", "tornado", "zmq", "bokeh")


def _user_warnings(caught):
    return [w for w in caught if not (
        issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
        and any(m in str(w.filename) for m in _IGNORED_WARNINGS))]


def check(r, *, expect_ok=False, mutable=()):
    """Check the CLI contract on :class:`Outcome` ``r``; remove its directory.

    Outcomes are counted as Hypothesis events (``--hypothesis-show-statistics``).
    """
    event(f"{r.cmd.argv[0]} exit {r.rc}")
    if r.rc == 2 and r.err.startswith("simkit: error: "):
        event("error: " + " ".join(r.err[15:].split()[:2])[:40])
    try:
        _check(r, expect_ok, mutable)
    finally:
        shutil.rmtree(r.workdir, ignore_errors=True)


def _check(r, expect_ok, mutable):
    why = r.describe()
    assert r.exc is None, f"uncaught exception (a traceback for the user){why}"
    assert r.rc in (0, 2), f"exit status {r.rc}{why}"
    assert "Traceback" not in r.err, f"traceback on stderr{why}"
    ws = _user_warnings(r.caught)
    assert not ws, (f"warning reached the user: {ws[0].category.__name__}: "
                    f"{ws[0].message} ({ws[0].filename}:{ws[0].lineno}){why}")
    assert not r.siblings, f"wrote outside its directory: {sorted(r.siblings)}{why}"
    bfiles, bdirs = r.before
    afiles, adirs = r.after
    removed = sorted(set(bfiles) - set(afiles))
    changed = sorted(k for k in bfiles if k in afiles and afiles[k] != bfiles[k])
    gone = sorted(bdirs - adirs)
    if r.rc == 0:  # what simkit may consume (a checkpoint it resumed from)
        removed, changed, gone = (
            [f for f in fs_ if not any(_under(f, m) for m in mutable)]
            for fs_ in (removed, changed, gone))
    assert not removed, f"files removed: {removed}{why}"
    assert not changed, f"existing files changed: {changed}{why}"
    assert not gone, f"directories removed: {gone}{why}"
    new_files = sorted(set(afiles) - set(bfiles))
    new_dirs = sorted(adirs - bdirs)
    if r.rc == 2:  # a checkpoint's own files may be rewritten even then
        new_files = [f for f in new_files if not any(_under(f, m) for m in mutable)]
        new_dirs = [d for d in new_dirs if not any(_under(d, m) for m in mutable)]
    temps = [f for f in new_files if re.match(r"(.*/)?\.(.*\.tmp|simkit-probe-.*)$", f)]
    assert not temps, f"temporary files left: {temps}{why}"
    # One-line warnings (``simkit: warning: ...``) may come with either status.
    lines = [ln for ln in r.err.splitlines() if not ln.startswith("simkit: warning: ")]
    if r.rc == 2:
        assert len(lines) == 1 and lines[0].startswith("simkit: error: "), \
            f"exit 2 without exactly one `simkit: error:` line{why}"
        assert not new_files and not new_dirs, \
            f"exit 2 but wrote {new_files + new_dirs}{why}"
        assert not expect_ok, f"valid input refused{why}"
        return
    assert not "".join(lines).strip(), f"exit 0 with text on stderr{why}"
    roots = _allowed(r)
    outside = [f for f in new_files if not any(_under(f, a) for a in roots)]
    assert not outside, f"wrote outside --out / -o: {outside} (allowed {roots}){why}"
    odd_dirs = [d for d in new_dirs
                if not any(_under(d, a) or _under(a, d) for a in roots)]
    assert not odd_dirs, f"created directories outside --out / -o: {odd_dirs}{why}"
    _check_expected(r, new_files, why)
    names = _names(r)
    for f in new_files:
        _check_finite_file(r.workdir / f, names, why)
    _check_finite_text(r.out, names, "stdout", why)


def _norm(workdir, p):
    """``p`` (as given on the command line) relative to ``workdir``, normalized."""
    full = os.path.normpath(os.path.join(workdir, p))
    return os.path.relpath(full, workdir)


def _allowed(r):
    roots = []
    if r.cmd.out is not None:
        roots.append(_norm(r.workdir, r.cmd.out))
    if r.cmd.output is not None:
        roots.append(_norm(r.workdir, r.cmd.output))
    return roots


def _under(path, root):
    return root == "." or path == root or path.startswith(root.rstrip("/") + "/")


def _names(r):
    """Names a user chose (longest first): they may read `nan` or `inf`."""
    names = set(r.doc.strings)
    for a in r.cmd.argv[1:]:
        flag, eq, v = a.partition("=")
        if not eq and not a.startswith("-"):
            v = a  # a positional file
        elif flag not in ("--variant", "--variants", "--out", "--output"):
            continue
        names |= {v, os.path.basename(v)} | set(v.split(","))
    return sorted((n for n in names if n), key=len, reverse=True)


_MAGIC = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml"}


def _check_expected(r, new_files, why):
    cmd = r.cmd.argv[0]
    out = _norm(r.workdir, r.cmd.out) if r.cmd.out is not None else None
    in_out = [f for f in new_files if out is not None and _under(f, out)]
    if cmd == "validate":
        assert r.out.startswith("OK "), f"validate: no OK line{why}"
    elif cmd == "run":
        assert re.search(r" (simulated )?(runs|paths)\b", r.out), f"run: no summary{why}"
        if any(a.startswith("--out=") for a in r.cmd.argv):
            m = re.search(r"^wrote (\d+) files to ", r.out, re.M)
            assert m, f"run --out: no `wrote N files` line{why}"
            n = int(m.group(1))
            results = [f for f in in_out if f.endswith((".json", ".csv", ".npz"))]
            assert n >= 4 and n % 4 == 0 and len(results) == n, \
                f"run --out: {n} files announced, {results} written{why}"
    elif cmd in ("compare", "quote") and any(a.startswith("--out=")
                                             for a in r.cmd.argv):
        want = ["compare.json"] if cmd == "compare" else ["quote.json", "quote.csv"]
        for w in want:
            assert any(os.path.basename(f) == w for f in in_out), \
                f"{cmd} --out: no {w}{why}"
    elif cmd in ("plot", "report"):
        if cmd == "report":
            _check_escaped(r, why)
        target = _norm(r.workdir, r.cmd.output)
        p = r.workdir / target
        assert p.is_file() and p.stat().st_size > 0, f"{cmd}: no {target}{why}"
        head = p.read_bytes()[:200]
        if cmd == "report":
            assert b"<html" in head.lower() or b"<!doctype html" in head.lower(), \
                f"report: not HTML{why}"
        else:
            magic = _MAGIC[p.suffix.lower()]
            assert head.startswith(magic) or (magic == b"<?xml" and b"<svg" in head), \
                f"plot: {target} is not a {p.suffix} file{why}"
    elif cmd == "sweep":
        assert any(os.path.basename(f) == "sweep.csv" for f in in_out), \
            f"sweep: no sweep.csv{why}"


def _check_escaped(r, why):
    """Names with markup appear escaped in the HTML report, never as markup."""
    text = (r.workdir / _norm(r.workdir, r.cmd.output)).read_text(encoding="utf-8")
    for n in r.doc.strings:
        if "<" in n and len(n) > 3:
            assert n not in text, f"report: {n!r} written as HTML markup{why}"


# ----- finiteness of outputs ----------------------------------------------------------
_NONFINITE = re.compile(r"(?i)(?<![\w.])[+-]?(nan|inf|infinity)(?!\w)")


def _mask(text, names):
    """``text`` with each user-chosen name (as a whole word) blanked out."""
    for n in names:
        if n in text:
            text = re.sub(r"(?<!\w)" + re.escape(n) + r"(?!\w)", " ", text)
    return text


def _check_finite_text(text, names, where, why):
    m = _NONFINITE.search(_mask(text, names))
    assert not m, f"non-finite number in {where}: {m.group(0)!r}{why}"


def _strict_float(s):
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(f"non-finite number {s}")
    return v


def _reject_constant(s):
    raise ValueError(f"non-finite JSON constant {s}")


def _check_finite_file(path, names, why):
    suffix = path.suffix.lower()
    name = path.name
    if suffix == ".json":
        text = path.read_text(encoding="utf-8")
        try:
            json.loads(text, parse_constant=_reject_constant, parse_float=_strict_float)
        except ValueError as exc:
            raise AssertionError(f"{name}: {exc}{why}") from None
    elif suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell in names:
                        continue
                    try:
                        v = float(cell)
                    except ValueError:
                        continue
                    assert math.isfinite(v), f"{name}: non-finite cell {cell!r}{why}"
    elif suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            for k in z.files:
                a = z[k]
                if a.dtype.kind in "fc":
                    assert np.isfinite(a).all(), f"{name}: non-finite in {k}{why}"
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        for col, vals in pq.read_table(path).to_pydict().items():
            bad = [v for v in vals if isinstance(v, float) and not math.isfinite(v)]
            assert not bad, f"{name}: non-finite in column {col}{why}"
    elif suffix == ".html":
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"data:[^\"')\s]+", " ", text)
        _check_finite_text(text, names, name, why)


# ----- the tests ----------------------------------------------------------------------
@fuzz(150)
@given(doc=fs.any_docs())
def test_validate_any_document(fuzz_root, doc):
    """`simkit validate` on documents of every class: valid ones are accepted."""
    r = execute(fuzz_root, doc, fs.Command(["validate", doc.path]))
    check(r, expect_ok=doc.valid)


@fuzz(40)
@given(doc=fs.valid_docs(), data=st.data())
def test_run_valid_documents(fuzz_root, doc, data):
    """`simkit run` on valid, cheap documents with valid flags: exit 0, results."""
    cmd = data.draw(fs.command_lines(doc, commands=("run",), hostile=False))
    check(execute(fuzz_root, doc, cmd), expect_ok=cmd.flags_ok)


@fuzz(100)
@given(doc=st.one_of(fs.nearly_docs(), fs.hostile_docs(), fs.damaged_docs()),
       data=st.data())
def test_run_bad_documents(fuzz_root, doc, data):
    """`simkit run` on nearly valid, hostile and damaged documents (valid but
    expensive ones are only validated)."""
    commands = ("run",) if doc.cheap else ("validate",)
    cmd = data.draw(fs.command_lines(doc, commands=commands, hostile=False))
    check(execute(fuzz_root, doc, cmd))


@fuzz(100)
@given(doc=fs.valid_docs(), data=st.data())
def test_command_lines(fuzz_root, doc, data):
    """Every simulating subcommand but report, flags valid and hostile, on a
    valid document (with variants, a [sponsorship] and a [sweep] table at random)."""
    cmd = data.draw(fs.command_lines(doc, commands=("run", "compare", "quote", "plot",
                                                    "sweep")))
    check(execute(fuzz_root, doc, cmd))


@fuzz(30)
@given(doc=st.one_of(fs.valid_docs(sweep=True), fs.hostile_docs(), fs.nearly_docs()),
       data=st.data())
def test_sweep(fuzz_root, doc, data):
    """`simkit sweep` on documents with a [sweep] table, valid or not."""
    if not doc.cheap:
        cmd = fs.Command(["validate", doc.path])
    else:
        cmd = data.draw(fs.command_lines(doc, commands=("sweep",), hostile=False))
    check(execute(fuzz_root, doc, cmd))


@fuzz(20)
@given(doc=st.one_of(fs.valid_docs(variants=2), fs.hostile_docs()), data=st.data())
def test_compare_and_quote_documents(fuzz_root, doc, data):
    """`compare` and `quote` on valid documents with variants and on hostile ones."""
    if not doc.cheap:
        cmd = fs.Command(["validate", doc.path])
    else:
        cmd = data.draw(fs.command_lines(doc, commands=("compare", "quote"),
                                         hostile=False))
    check(execute(fuzz_root, doc, cmd))


@fuzz(6)
@given(doc=fs.valid_docs(variants=1), data=st.data())
def test_report(fuzz_root, doc, data):
    """`simkit report` (about 2.5 s an example: few examples)."""
    cmd = data.draw(fs.command_lines(doc, commands=("report",)))
    check(execute(fuzz_root, doc, cmd))


_GOOD_NPZ = {}


def _good_npz():
    """Bytes of a real result file (two streams, per-stream metrics)."""
    if "b" not in _GOOD_NPZ:
        import simkit

        sc = simkit.scenario_from_dict({
            "horizon": {"weeks": 1}, "stream": {"duration_min": 20},
            "creator": {"followers": 1500}, "schedule": {"slots": [[0, 20], [2, 20]]}})
        d = Path(tempfile.mkdtemp())
        simkit.simulate(sc, paths=8, seed=1, per_stream=True).save(d / "r.npz")
        _GOOD_NPZ["b"] = (d / "r.npz").read_bytes()
        shutil.rmtree(d)
    return _GOOD_NPZ["b"]


@fuzz(40)
@given(data=st.data())
def test_plot_result_files(fuzz_root, data):
    """`simkit plot` on saved results (.npz), real or damaged, one or two files."""
    good = _good_npz()
    n = data.draw(st.integers(1, 2))
    files, whats = {}, []
    for i in range(n):
        b = data.draw(fs.damaged_npz(good))
        files[f"r{i}.npz"] = b
        whats.append(b.what)
    doc = fs.Doc(files, "r0.npz", "npz", ", ".join(whats))
    kind = data.draw(st.sampled_from(["distribution", "compare", "fan", "concurrency",
                                      "sources", "tornado"]))
    o = data.draw(st.sampled_from(["fig.png", "out/fig.svg", "fig.pdf"]))
    argv = ["plot", *files, f"--kind={kind}", f"--output={o}"]
    if data.draw(st.booleans()):
        argv.append("--log")
    if data.draw(st.booleans()):
        metric = data.draw(st.sampled_from(["gifts", "viewer_minutes"]))
        argv.append(f"--metric={metric}")
    if data.draw(st.booleans()):
        argv.append("--dpi=20")
    check(execute(fuzz_root, doc, fs.Command(argv, output=o)))


@fuzz(6)
@given(doc=fs.named_docs(), data=st.data())
def test_report_with_odd_names(fuzz_root, doc, data):
    """`simkit report` on a scenario, variants and description with odd names
    (markup, path separators, control characters, 5,000 characters)."""
    cmd = data.draw(fs.command_lines(doc, commands=("report",), hostile=False))
    check(execute(fuzz_root, doc, cmd))


@fuzz(30)
@given(doc=fs.named_docs(), data=st.data())
def test_run_with_odd_names(fuzz_root, doc, data):
    """`simkit run --out` with odd scenario and variant names: file names stay
    inside --out, no two results collide."""
    cmd = data.draw(fs.command_lines(doc, commands=("run", "compare"), hostile=False))
    check(execute(fuzz_root, doc, cmd))


def _leave_checkpoint(workdir, argv):
    """Run ``argv`` (``run ... --out out``) with the result files failing to
    save: the finished simulation's checkpoint stays in out/checkpoint/."""
    from unittest import mock

    import simkit

    def full_disk(self, path):
        raise OSError(28, "No space left on device", str(path))

    cwd = os.getcwd()
    try:
        os.chdir(workdir)
        with mock.patch.object(simkit.SimulationResult, "save", full_disk), \
                contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            main(argv)
    except Exception as exc:  # noqa: BLE001 - the resumed run meets it again
        return f"first run failed: {exc!r:.200}"
    finally:
        os.chdir(cwd)
    return "first run left its checkpoint"


def _damage_checkpoint(workdir, how, where, pos):
    """Damage one file of out/checkpoint/ (``where``, ``pos`` in [0, 1))."""
    folder = workdir / "out" / "checkpoint"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files or how == "none":
        return "no checkpoint" if not files else "none"
    p = files[int(where * len(files))]
    data = p.read_bytes()
    i = int(pos * len(data))
    if how == "truncate":
        p.write_bytes(data[:i])
    elif how == "flip" and data:
        p.write_bytes(data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1:])
    elif how == "delete":
        p.unlink()
    elif how == "empty":
        p.write_bytes(b"")
    elif how == "dir":
        p.unlink()
        p.mkdir()
        (p / "x").write_bytes(b"x")
    elif how in ("foreign_manifest", "garbage_manifest"):
        m = p.parent / "manifest.json" if p.name != "manifest.json" else p
        if not m.exists():
            m = next((f for f in files if f.name == "manifest.json"), p)
        if how == "garbage_manifest":
            m.write_bytes(b"{\"simkit\": [" * 3000)
        else:
            try:
                d = json.loads(m.read_text())
                d["seed"] = d.get("seed", 0) + 1
                m.write_text(json.dumps(d))
            except ValueError:
                m.write_text("{}")
        p = m
    elif how in ("live_lock", "dead_lock", "garbage_lock"):
        p = files[0].parent / "simkit.lock"
        import socket

        pid = os.getpid() if how == "live_lock" else 2**22 + 7
        body = (json.dumps({"pid": pid, "host": socket.gethostname(),
                            "started": "2026-01-01T00:00:00"})
                if how != "garbage_lock" else "\x00garbage")
        p.write_text(body)
    elif how == "extra_file":
        p = p.parent / "notes.txt"
        p.write_text("the user's")
    return f"{how} {p.relative_to(workdir)} at {i}"


@fuzz(25)
@given(doc=fs.valid_docs(variants=0), how=st.sampled_from(fs.CHECKPOINT_DAMAGE),
       where=st.floats(0, 1, exclude_max=True), pos=st.floats(0, 1, exclude_max=True),
       paths=st.integers(2, 30), seed=st.sampled_from(["0", "1"]))
def test_resume_from_damaged_checkpoint(fuzz_root, doc, how, where, pos, paths, seed):
    """`simkit run --out out --resume` over a checkpoint that was damaged (a
    truncated or bit-flipped chunk or manifest, a file missing or replaced by a
    folder, a foreign manifest, a lock held by a live or dead process)."""
    first = ["run", doc.path, f"--paths={paths}", "--quiet", "--out=out"]
    damage = []

    def hook(workdir):
        damage.append(_leave_checkpoint(workdir, first))
        damage.append(_damage_checkpoint(workdir, how, where, pos))

    argv = ["run", doc.path, f"--paths={paths}", f"--seed={seed}", "--quiet",
            "--out=out", "--resume"]
    r = execute(fuzz_root, doc, fs.Command(argv, out="out"), files_dir_hook=hook)
    r.doc = dataclasses.replace(doc, what=f"{doc.what}; checkpoint: {damage}")
    check(r, mutable=("out/checkpoint",))


# ----- regression tests of findings fixed with this suite -----------------------------
@pytest.mark.skipif(not os.path.isfile("/proc/self/mem"), reason="no /proc")
@pytest.mark.parametrize("where", ["scenario", "catalogue"])
def test_unreadable_file_is_one_line(where, tmp_path, capsys):
    """A file that exists but cannot be read (an I/O error): one line, exit 2
    (was an OSError traceback)."""
    path = "/proc/self/mem"
    if where == "catalogue":
        path = tmp_path / "s.toml"
        path.write_text('[catalogue]\nfile = "/proc/self/mem"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == ("simkit: error: /proc/self/mem: `<file>` must be a readable file "
                   "(Input/output error)\n")


def test_catalogue_cache_follows_the_file(tmp_path, monkeypatch):
    """The same relative catalogue path in two directories, and a catalogue
    edited between two loads, give each its own gifts (the cache was keyed by
    the path as written)."""
    import simkit

    for d, gift in (("a", "rose"), ("b", "lion")):
        (tmp_path / d).mkdir()
        (tmp_path / d / "s.toml").write_text('[catalogue]\nfile = "cat.csv"\n')
        (tmp_path / d / "cat.csv").write_text(f"name,coins,weight\n{gift},1,1\n")
    monkeypatch.chdir(tmp_path / "a")
    assert simkit.load_scenario("s.toml").catalogue.names == ("rose",)
    monkeypatch.chdir(tmp_path / "b")
    assert simkit.load_scenario("s.toml").catalogue.names == ("lion",)
    (tmp_path / "b" / "cat.csv").write_text("name,coins,weight\ntiger,5,1\n")
    assert simkit.load_scenario("s.toml").catalogue.names == ("tiger",)


@pytest.mark.parametrize("argv", [["plot", "s.toml", "--kind=compare", "-o", "f.png"],
                                  ["report", "s.toml", "-o", "r.html",
                                   "--tornado-paths=2"]])
def test_names_with_missing_glyphs_draw_without_a_warning(argv, tmp_path, monkeypatch,
                                                         capsys):
    """Names with characters the font lacks (an emoji) are drawn without a
    Python warning on stderr (was matplotlib's two-line "Glyph ... missing")."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(
        'name = "\U0001f525 live"\n[horizon]\nweeks = 1\n[stream]\nduration_min = 20\n'
        '[creator]\nfollowers = 2000\n'
        '[variants."\u0fff"]\ncreator = {followers = 1000}\n'
        '[variants."b\U0010fffd"]\ncreator = {followers = 1500}\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*argv, "--paths=5", "--quiet"]) == 0
    assert not caught and capsys.readouterr().err == ""


@pytest.mark.parametrize("where", ["scenario", "catalogue"])
def test_file_name_too_long_is_one_line(where, tmp_path, capsys):
    """A 5,000-character file name: one line, exit 2 (was an OSError traceback
    from the existence check)."""
    name = "x" * 5000
    path = name
    if where == "catalogue":
        path = tmp_path / "s.toml"
        path.write_text(f'[catalogue]\nfile = "{name}"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simkit: error: ") and err.count("\n") == 1


def test_compare_plot_log_of_nothing_positive_is_one_line(tmp_path, monkeypatch,
                                                          capsys):
    """`plot --kind compare --log` when no path of any variant is positive: one
    line, exit 2 (was matplotlib's "Data has no positive values" warning)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(
        "[horizon]\nweeks = 1\n[stream]\nduration_min = 5\n[creator]\n"
        "followers = 0\n[variants.a.stream]\nduration_min = 6\n"
        "[variants.b.stream]\nduration_min = 7\n")
    assert main(["plot", "s.toml", "--kind=compare", "--log", "--metric=gifts",
                 "-o", "f.png", "--paths=5", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == ("simkit: error: `log=True` needs positive values of `gifts`; "
                   "every path of every variant is <= 0\n")
    assert not (tmp_path / "f.png").exists()
