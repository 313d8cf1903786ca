"""``simkit`` CLI: exit codes, one-line errors, --help, --out files (``run``,
``validate`` and every other subcommand present)."""

from __future__ import annotations

import csv
import importlib
import json

import numpy.testing as npt
import pytest

import simkit
from simkit.cli import COMMANDS, main, make_parser

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
    assert "income_total" in out and "P(income_total > $100.00)" in out


def test_run_out_writes_json_csv_npz(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", MICRO, "--paths", "30", "--seed", "4", "--quiet",
                 "--per-stream", "--out", str(out)]) == 0
    capsys.readouterr()
    files = sorted(p.name for p in out.iterdir())
    assert files == ["micro.csv", "micro.json", "micro.npz"]
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
