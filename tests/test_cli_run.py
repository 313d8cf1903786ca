"""``simkit`` CLI: exit codes, one-line errors, --help, --out files (``run``,
``validate`` and every other subcommand present)."""

from __future__ import annotations

import csv
import importlib
import json
import os

import numpy.testing as npt
import pytest

import simkit
from simkit.cli import COMMANDS, main, make_parser
from simkit.metrics import TOTALS, UNITS

MICRO = "scenarios/micro.toml"


def _present_commands():
    out = []
    for name in COMMANDS:
        try:
            importlib.import_module(f"simkit._cli.{name}")
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def _one_line_error(capsys):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("simkit: error: ")
    return lines[0]


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"simkit {simkit.__version__}"


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: simkit" in capsys.readouterr().out


def test_every_present_subcommand_is_listed():
    names = _present_commands()
    assert {"run", "validate"} <= set(names)
    text = make_parser().format_help()
    for name in names:
        assert name in text


@pytest.mark.parametrize("cmd", _present_commands())
def test_subcommand_help(cmd, capsys):
    with pytest.raises(SystemExit) as info:
        main([cmd, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: simkit {cmd}")
    assert "-h, --help" in out


def test_unknown_command(capsys):
    assert main(["frobnicate"]) == 2
    assert "frobnicate" in _one_line_error(capsys)


@pytest.mark.parametrize("argv", [
    ["run", MICRO, "--paths", "0"],
    ["run", MICRO, "--paths", "ten"],
    ["run", MICRO, "--seed", "-3"],
    ["run", MICRO, "--threads", "0"],
    ["run", MICRO, "--bogus"],
    ["run"],
    ["run", MICRO, "--variant", "nope"],
])
def test_bad_flags_one_line_exit_2(argv, capsys):
    assert main(argv) == 2
    _one_line_error(capsys)


def test_missing_file(capsys, tmp_path):
    assert main(["run", str(tmp_path / "none.toml"), "--quiet"]) == 2
    assert "none.toml" in _one_line_error(capsys)


def test_bad_scenario_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[audience]\njoin_rat = 0.1\n")
    out = tmp_path / "out"
    assert main(["run", str(bad), "--paths", "10", "--quiet", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert "audience.join_rat" in line and "did you mean `join_rate`" in line
    assert not out.exists()


def test_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "taken"
    f.write_text("keep")
    assert main(["run", MICRO, "--paths", "5", "--quiet", "--out", str(f)]) == 2
    _one_line_error(capsys)
    assert f.read_text() == "keep"


def test_run_prints_summary(capsys):
    assert main(["run", MICRO, "--paths", "50", "--seed", "1", "--quiet",
                 "--target", "100"]) == 0
    out = capsys.readouterr().out
    assert "total income" in out and "chance of total income above $100: " in out
    assert out.splitlines()[1].startswith("Over 4 weeks (12 LIVEs) this creator ")
    assert main(["run", MICRO, "--paths", "50", "--seed", "1", "--quiet",
                 "--target", "100", "--details"]) == 0
    assert "P(total income > $100) = " in capsys.readouterr().out


def test_run_out_writes_json_csv_npz(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", MICRO, "--paths", "30", "--seed", "4", "--quiet",
                 "--per-stream", "--out", str(out)]) == 0
    capsys.readouterr()
    files = sorted(p.name for p in out.iterdir())
    assert files == ["micro.csv", "micro.json", "micro.npz", "micro_summary.csv"]
    res = simkit.SimulationResult.load(out / "micro.npz")
    direct = simkit.simulate(simkit.load_scenario(MICRO), paths=30, seed=4,
                             per_stream=True)
    for k in direct.totals:
        npt.assert_array_equal(res[k], direct[k])
    assert res.per_stream is not None
    npt.assert_array_equal(res.per_stream["income_total"],
                           direct.per_stream["income_total"])
    with open(out / "micro.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30
    npt.assert_allclose([float(r["income_total"]) for r in rows],
                        direct["income_total"], rtol=1e-15)
    js = json.loads((out / "micro.json").read_text())
    assert js["metadata"]["seed"] == 4 and js["metadata"]["paths"] == 30
    assert js["summary"]["income_total"]["mean"] == pytest.approx(
        float(direct["income_total"].mean()), rel=1e-12)
    # No temporary files left behind.
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_run_variants(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["run", "scenarios/consistent_vs_adhoc.toml", "--paths", "10",
                 "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "consistent_vs_adhoc:consistent" in text and "consistent_vs_adhoc:ad_hoc" \
        in text
    assert len(list(out.glob("*.npz"))) == 2
    assert main(["run", "scenarios/consistent_vs_adhoc.toml", "--paths", "10",
                 "--quiet", "--variant", "ad_hoc"]) == 0
    text = capsys.readouterr().out
    assert "ad_hoc" in text and ":consistent" not in text


def test_validate(capsys, tmp_path):
    assert main(["validate", MICRO]) == 0
    assert capsys.readouterr().out.startswith(f"OK {MICRO}")
    bad = tmp_path / "b.toml"
    bad.write_text("[horizon]\nweeks = 0\n")
    assert main(["validate", str(bad)]) == 2
    assert "`horizon.weeks`" in _one_line_error(capsys)


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "simkit", "validate", str(tmp_path / "x")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("simkit: error:")
    assert "Traceback" not in r.stderr


# ----- --out: checked up front, written as a set ------------------------------------
def _no_simulation(monkeypatch):
    """Make any simulation fail the test: --out must be refused before it."""
    mod = importlib.import_module("simkit._simulate")

    def boom(*a, **k):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(mod, "simulate", boom)


def test_out_under_a_file_is_refused_before_simulating(tmp_path, capsys, monkeypatch):
    f = tmp_path / "afile"
    f.write_text("keep")
    _no_simulation(monkeypatch)
    for out in (f / "sub", f / "sub" / "deeper"):
        assert main(["run", MICRO, "--paths", "5", "--quiet", "--out", str(out)]) == 2
        line = _one_line_error(capsys)
        assert line.startswith(f"simkit: error: --out {out}: ")
        assert f"{f} is not a directory" in line
    assert f.read_text() == "keep" and sorted(tmp_path.iterdir()) == [f]


@pytest.mark.parametrize("kind", ["proc", "chmod"])
def test_unwritable_out_is_refused_before_simulating(kind, tmp_path, capsys,
                                                     monkeypatch):
    if kind == "proc":
        if not os.path.isdir("/proc"):
            pytest.skip("no /proc")
        parent = "/proc"
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write in a 0o500 directory")
        parent = tmp_path / "ro"
        parent.mkdir()
        parent.chmod(0o500)
    _no_simulation(monkeypatch)
    out = os.path.join(parent, "x", "y")
    assert main(["run", MICRO, "--paths", "5", "--quiet", "--out", out]) == 2
    line = _one_line_error(capsys)
    assert line.startswith(f"simkit: error: --out {out}: cannot write in {parent} ")
    assert not os.path.exists(out)


def test_out_checked_for_bench_too(tmp_path, capsys, monkeypatch):
    f = tmp_path / "afile"
    f.write_text("")
    _no_simulation(monkeypatch)
    assert main(["bench", MICRO, "--paths", "5", "--out", str(f / "b")]) == 2
    assert "is not a directory" in _one_line_error(capsys)


def _listing(d):
    return sorted(p.name for p in d.iterdir()) if d.exists() else None


def test_write_error_is_one_line_naming_the_file(tmp_path, capsys, monkeypatch):
    import errno

    def full_disk(self, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(simkit.SimulationResult, "save", full_disk)
    out = tmp_path / "new" / "res"
    assert main(["run", MICRO, "--paths", "5", "--quiet", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: cannot write {out / 'micro.npz'}: "
                    "No space left on device")
    # No result file and no temporary: only the checkpoint of the finished
    # simulation, kept so that no work is lost ...
    assert _listing(out) == ["checkpoint"]
    assert _listing(out / "checkpoint" / "micro" / "chunks") == ["chunk-00000.npz"]
    # ... and --resume writes the results from it, then removes it.
    monkeypatch.undo()
    assert main(["run", MICRO, "--paths", "5", "--quiet", "--out", str(out),
                 "--resume"]) == 0
    assert _listing(out) == ["micro.csv", "micro.json", "micro.npz", "micro_summary.csv"]


@pytest.mark.parametrize("exc", [OSError(5, "Input/output error"), KeyboardInterrupt()],
                         ids=["oserror", "ctrl-c"])
def test_failure_mid_set_leaves_no_files(exc, tmp_path, capsys, monkeypatch):
    """The second file of the set fails: the first (already complete) is not
    renamed into place, its temporary is removed, earlier outputs are kept."""
    out = tmp_path / "res"
    out.mkdir()
    (out / "micro.json").write_text("previous run")
    calls = []

    def failing_to_csv(self, path):
        calls.append(path)
        raise exc

    monkeypatch.setattr(simkit.SimulationResult, "to_csv", failing_to_csv)
    status = main(["run", MICRO, "--paths", "5", "--quiet", "--out", str(out)])
    assert calls  # the failure happened after the first file was written
    if isinstance(exc, KeyboardInterrupt):
        assert status == 130
    else:
        assert status == 2
        assert "micro.csv" in _one_line_error(capsys)
    # The earlier output is untouched; besides it only the checkpoint of the
    # finished simulation (for --resume).
    assert _listing(out) == ["checkpoint", "micro.json"]
    assert (out / "micro.json").read_text() == "previous run"


def test_atomic_files_set(tmp_path):
    from simkit._io import atomic_files

    d = tmp_path / "a" / "b"
    with pytest.raises(ValueError, match="boom"), atomic_files(d) as fs:
        fs.write("x.txt", lambda p: p.write_text("x"))
        assert [p.name.startswith(".x.txt.") for p in d.iterdir()] == [True]
        assert not (d / "x.txt").exists()  # not before the set is complete
        raise ValueError("boom")
    assert _listing(tmp_path) == []  # temporaries and created directories gone
    with atomic_files(d) as fs:
        fs.write("x.txt", lambda p: p.write_text("x"))
        fs.write("y.txt", lambda p: p.write_text("y"))
        with pytest.raises(simkit.SimkitError, match="written twice"):
            fs.write("x.txt", lambda p: p.write_text("again"))
    assert _listing(d) == ["x.txt", "y.txt"] and (d / "x.txt").read_text() == "x"


# ----- --target ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e999", "ten"])
def test_target_must_be_finite(value, capsys):
    assert main(["run", MICRO, "--paths", "5", "--quiet", f"--target={value}"]) == 2
    line = _one_line_error(capsys)
    assert "argument --target: expected a finite number" in line and value in line


# ----- the summary: quantiles with intervals; JSON and summary CSV -----------------
def test_run_summary_quantiles_carry_intervals(tmp_path, capsys):
    from simkit._quantiles import quantile_ci
    from simkit._result import SUMMARY_QUANTILES

    out = tmp_path / "r"
    assert main(["run", MICRO, "--paths", "400", "--seed", "2", "--quiet",
                 "--target", "500", "--out", str(out), "--details"]) == 0
    text = capsys.readouterr().out.splitlines()
    head = next(line for line in text if line.startswith("metric"))
    assert head.split() == ["metric", "mean", "±", "s.e.", "P5", "P25", "P50", "P75",
                            "P95"]
    row = next(line for line in text if line.startswith("total income "))
    assert row.count(" ± ") == 6  # the mean and every quantile have their error
    assert any(line.startswith("P5 ... P95 ± the larger half of their 95% "
                               "order-statistic interval") for line in text)
    res = simkit.SimulationResult.load(out / "micro.npz")
    x = res["income_total"]
    est = quantile_ci(x, SUMMARY_QUANTILES)
    # P50 as printed: value ± half-width, two significant digits on the latter.
    hw = max(est.value[2] - est.lo[2], est.hi[2] - est.value[2])
    from simkit._text import value_pm

    assert value_pm(est.value[2], hw, "USD") in row
    js = json.loads((out / "micro.json").read_text())["summary"]["income_total"]
    for q, v, lo, hi in zip(SUMMARY_QUANTILES, est.value, est.lo, est.hi):
        name = f"p{round(q * 100):02d}"
        assert (js[name], js[f"{name}_lo"], js[f"{name}_hi"]) == (v, lo, hi)
    with open(out / "micro_summary.csv", newline="") as fh:
        rows = {r["metric"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(TOTALS)
    r = rows["income_total"]
    assert float(r["mean"]) == js["mean"] and float(r["se"]) == js["stderr"]
    for name in ("p05", "p50", "p95"):
        for suffix in ("", "_lo", "_hi"):
            assert float(r[name + suffix]) == js[name + suffix]
    assert float(r["p_exceed"]) == js["p_exceed"] and float(r["target"]) == 500.0
    assert rows["gifts"]["p_exceed"] == "" and rows["gifts"]["target"] == ""
    assert rows["gifts"]["unit"] == UNITS["gifts"] and r["unit"] == "USD"


def test_run_out_writes_four_files_per_variant(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["run", "scenarios/consistent_vs_adhoc.toml", "--paths", "10",
                 "--quiet", "--out", str(out)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"wrote 8 files to {out}/")
    stems = ("consistent_vs_adhoc_consistent", "consistent_vs_adhoc_ad_hoc")
    assert _listing(out) == sorted(f"{s}{e}" for s in stems
                                   for e in (".json", ".csv", ".npz", "_summary.csv"))


# ----- precision mode ---------------------------------------------------------------
def _run_out(argv, capsys):
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert cap.err == ""
    return cap.out


def test_precision_reaches_target_and_reports_paths(tmp_path, capsys):
    from simkit.analysis._precision import half_width

    out = tmp_path / "p"
    argv = ["run", MICRO, "--paths", "200", "--seed", "5", "--quiet", "--details",
            "--precision", "0.05", "--out", str(out)]
    text = _run_out(argv, capsys)
    first = text.splitlines()[0]
    assert first.startswith("95% interval of mean income_total within ±0.05 "
                            "relative: met after ")
    js = json.loads((out / "micro.json").read_text())
    pr = js["precision"]
    n = pr["paths"]
    assert pr["converged"] and n % 200 == 0 and n == 200 * pr["batches"]
    assert f"met after {n:,} paths ({pr['batches']} batches of 200)" in first
    assert f"micro — {n:,} paths" in text
    # The stop is where it should be: the half-width, recomputed from the saved
    # sample, is within 5% of the mean, and was not one batch earlier.
    x = simkit.SimulationResult.load(out / "micro.npz")["income_total"]
    est, hw = half_width(x)
    assert x.size == n and hw <= 0.05 * abs(est) and pr["half_width"] == hw
    if n > 200:
        est0, hw0 = half_width(x[:n - 200])
        assert hw0 > 0.05 * abs(est0)
    # Same seed, same answer (and equal to a plain run of n paths).
    assert _run_out(argv[:-2], capsys) == text.replace(f"\nwrote 4 files to {out}/\n",
                                                       "\n")
    direct = simkit.simulate(simkit.load_scenario(MICRO), paths=n, seed=5)
    npt.assert_array_equal(direct["income_total"], x)


def test_precision_on_a_quantile_of_another_metric(tmp_path, capsys):
    from simkit.analysis._precision import half_width

    out = tmp_path / "q"
    text = _run_out(["run", MICRO, "--paths", "200", "--seed", "1", "--quiet",
                     "--details",
                     "--precision-abs", "4", "--metric", "gifts", "--statistic",
                     "p95", "--out", str(out)], capsys)
    assert text.startswith("95% interval of P95 of gifts within ±4 absolute: met")
    x = simkit.SimulationResult.load(out / "micro.npz")["gifts"]
    est, hw = half_width(x, 0.95)
    pr = json.loads((out / "micro.json").read_text())["precision"]
    assert (pr["estimate"], pr["half_width"]) == (est, hw) and hw <= 4


def test_precision_unreachable_prints_one_note(capsys):
    text = _run_out(["run", MICRO, "--paths", "100", "--seed", "1", "--quiet",
                     "--precision", "0.0001", "--max-paths", "300", "--details"],
                    capsys)
    lines = text.splitlines()
    assert "NOT met (path limit reached) after 300 paths (3 batches of 100)" in lines[0]
    notes = [line for line in lines if line.startswith("note:")]
    assert len(notes) == 1 and lines[1] == notes[0]
    assert notes[0].startswith("note: precision target not met after 300 paths")
    assert "micro — 300 paths" in text
    assert "Warning" not in text  # no raw Python warning (pytest would fail on one)


@pytest.mark.parametrize("argv, needle", [
    (["--metric", "gifts"], "--metric needs --precision"),
    (["--statistic", "p5"], "--statistic needs --precision"),
    (["--precision", "0.1", "--statistic", "p0"], "argument --statistic"),
    (["--precision", "0.1", "--statistic", "mode"], "argument --statistic"),
    (["--precision", "0.1", "--metric", "income"], "argument --metric"),
])
def test_precision_flag_errors(argv, needle, capsys):
    assert main(["run", MICRO, "--paths", "5", "--quiet", *argv]) == 2
    assert needle in _one_line_error(capsys)


# ----- bench --out ------------------------------------------------------------------
def test_bench_out(tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["bench", "scenarios/consistent_vs_adhoc.toml", "--paths", "20",
                 "--repeat", "1", "--threads", "1", "--out", str(out)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"wrote 2 files to {out}/")
    assert _listing(out) == ["bench.csv", "bench.json"]
    js = json.loads((out / "bench.json").read_text())
    assert js["simkit_version"] == simkit.__version__
    assert (js["paths"], js["threads"], js["repeat"]) == (20, 1, 1)
    assert {"platform", "machine", "cpus", "python", "numba"} <= set(js["machine"])
    runs = js["runs"]
    assert [r["variant"] for r in runs] == ["consistent", "ad_hoc"]
    with open(out / "bench.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    for r, c in zip(runs, rows):
        assert r["scenario"] == c["scenario"] == "consistent_vs_adhoc"
        assert r["seconds"] > 0 and r["us_per_path"] == pytest.approx(
            1e6 * r["seconds"] / 20, rel=1e-12)
        assert r["viewers_per_s"] == pytest.approx(
            r["viewers_per_path"] * 20 / r["seconds"], rel=1e-12)
        for k in ("seconds", "viewers_per_s", "us_per_path"):
            assert float(c[k]) == r[k]
        assert c["simkit_version"] == simkit.__version__
    # The timed viewers are those of a plain run of the same paths and seed.
    sc = simkit.load_scenario("scenarios/consistent_vs_adhoc.toml")
    viewers = simkit.simulate(sc.variant("ad_hoc"), paths=20, seed=0)["unique_viewers"]
    assert runs[1]["viewers_per_path"] == pytest.approx(viewers.mean(), rel=1e-12)


# ----- checkpoint and --resume -------------------------------------------------------

def test_run_out_leaves_no_checkpoint_behind(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", MICRO, "--paths", "30", "--quiet", "--out", str(out)]) == 0
    assert not (out / "checkpoint").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "micro.csv", "micro.json", "micro.npz", "micro_summary.csv"]


def test_run_interrupted_then_resumed_equals_uninterrupted(tmp_path, capsys,
                                                           monkeypatch):
    from simkit import config
    from simkit.backends import cpu

    monkeypatch.setattr(config, "CHECKPOINT_PAIRS", 40)   # 100 paths: 3 chunks
    argv = ["run", MICRO, "--paths", "100", "--seed", "5", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "plain")]) == 0
    calls = []
    real = cpu.run_paths

    def run_paths(packed, key, path_offset, *args):
        if path_offset >= 80:
            raise KeyboardInterrupt     # Ctrl-C during the third chunk
        calls.append(path_offset)
        return real(packed, key, path_offset, *args)

    monkeypatch.setattr(cpu, "run_paths", run_paths)
    out = tmp_path / "resumed"
    assert main([*argv, "--out", str(out)]) == 130
    chunks = out / "checkpoint" / "micro" / "chunks"
    assert sorted(p.name for p in chunks.iterdir()) == [
        "chunk-00000.npz", "chunk-00001.npz"]
    assert not (out / "micro.npz").exists()
    calls.clear()
    monkeypatch.setattr(cpu, "run_paths", lambda *a: (calls.append(a[2]), real(*a))[1])
    assert main([*argv, "--out", str(out), "--resume"]) == 0
    assert calls == [80]                 # only the missing chunk was simulated
    a = simkit.SimulationResult.load(tmp_path / "plain" / "micro.npz")
    b = simkit.SimulationResult.load(out / "micro.npz")
    for m in TOTALS:
        npt.assert_array_equal(a[m], b[m])
    assert not (out / "checkpoint").exists()


@pytest.mark.parametrize("extra,match", [
    ([], "`--resume` needs `--out DIR`"),
    (["--out", "o", "--precision", "0.05"], "does not combine with `--precision`"),
])
def test_resume_errors(extra, match, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(os.path.join(os.path.dirname(__file__), "..", "scenarios"), "scenarios")
    assert main(["run", MICRO, "--paths", "10", "--resume", *extra]) == 2
    assert match in _one_line_error(capsys)
    assert not (tmp_path / "o").exists()
