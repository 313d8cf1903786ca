"""Bundled scenarios, ``simkit scenarios``, ``simkit init`` and CLI habits."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import simkit
from simkit._cli import common
from simkit.cli import COMMANDS, main, make_parser
from simkit.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]


# ----- bundled scenarios ---------------------------------------------------------

def test_scenarios_dir_is_the_package_data():
    # One source of truth: scenarios/ is a link to simkit/data/scenarios.
    assert (ROOT / "scenarios").resolve() == (ROOT / "simkit/data/scenarios").resolve()
    names = simkit.scenario.bundled_scenarios()
    assert set(names) == {p.stem for p in (ROOT / "simkit/data/scenarios").glob("*.toml")}


def test_load_by_name_from_anywhere(tmp_path):
    code = ("import simkit; sc = simkit.load_scenario('mid_tier'); "
            "print(sc.name, sc['creator.followers'])")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["mid_tier", "100000"]


def test_a_path_wins_over_a_bundled_name(tmp_path, monkeypatch):
    (tmp_path / "micro").write_text('name = "mine"\n')
    monkeypatch.chdir(tmp_path)
    assert simkit.load_scenario("micro").name == "mine"
    assert simkit.load_scenario("micro.toml").name == "micro"  # no such file here


def test_not_found_names_the_argument_and_the_bundled_names():
    with pytest.raises(ScenarioError) as info:
        simkit.load_scenario("no/such/plan.toml")
    msg = str(info.value)
    assert msg.startswith("no/such/plan.toml: no such scenario file")
    assert "<file>" not in msg and "mid_tier" in msg and "micro" in msg


def test_cli_scenarios_lists_one_line_each(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = simkit.scenario.bundled_scenarios()
    assert [ln.split()[0] for ln in lines[:len(names)]] == list(names)
    assert all(len(ln) <= 80 for ln in lines)
    mid = next(ln for ln in lines if ln.split()[0] == "mid_tier")
    assert "100,000 followers, 3 × 2 h a week, 4 weeks" in mid


def test_cli_scenarios_name_prints_the_toml(capsys):
    assert main(["scenarios", "micro"]) == 0
    text = capsys.readouterr().out
    assert tomllib.loads(text)["name"] == "micro"
    assert main(["scenarios", "nope"]) == 2
    assert "bundled: consistent_vs_adhoc" in capsys.readouterr().err


def test_cli_runs_a_bundled_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "starter"]) == 0
    assert "OK starter: scenario 'starter'" in capsys.readouterr().out


# ----- simkit init ------------------------------------------------------------------

def test_init_writes_a_valid_commented_scenario(tmp_path, capsys):
    out = tmp_path / "plan.toml"
    argv = ["init", "--followers", "25k", "--lives-per-week", "2", "--hours", "19,21",
            "--duration", "60", "--weeks", "6", "-o", str(out)]
    assert main(argv) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = out.read_text()
    assert text.count("\n#") >= 5  # commented
    sc = simkit.load_scenario(out)
    assert sc.name == "plan"
    assert sc["creator.followers"] == 25_000 and sc["horizon.weeks"] == 6
    assert sc["schedule.slots"] == ((1, 19), (4, 21))
    assert sc["stream.duration_min"] == 60.0
    # It runs.
    res = simkit.simulate(sc, paths=20, seed=1, progress=False)
    assert res.paths == 20


def test_init_defaults_without_a_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    out = tmp_path / "s.toml"
    assert main(["init", "-o", str(out)]) == 0
    sc = simkit.load_scenario(out)
    assert sc["creator.followers"] == 10_000 and len(sc["schedule.slots"]) == 3


def test_init_prompts_on_a_terminal(tmp_path, monkeypatch, capsys):
    answers = iter(["5000", "9", "2", "", "x", "30", ""])  # 9 and x are refused
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    out = tmp_path / "s.toml"
    assert main(["init", "--weeks", "2", "-o", str(out)]) == 0
    sc = simkit.load_scenario(out)
    assert sc["creator.followers"] == 5000 and sc["horizon.weeks"] == 2
    assert sc["schedule.slots"] == ((1, 20), (4, 20)) and sc["stream.duration_min"] == 30
    assert "expected 1 to 7 LIVEs a week" in capsys.readouterr().err


def test_init_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "mine.toml"
    out.write_text("keep me")
    assert main(["init", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists; pass --force" in err
    assert out.read_text() == "keep me"
    assert main(["init", "-o", str(out), "--force"]) == 0
    assert simkit.load_scenario(out).name == "mine"


@pytest.mark.parametrize("argv", [["--hours", "25"], ["--lives-per-week", "0"],
                                  ["--duration", "2"], ["--followers", "1.5"]])
def test_init_bad_flags_one_line(tmp_path, capsys, argv):
    out = tmp_path / "x.toml"
    assert main(["init", *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simkit: error: init:") and err.count("\n") == 1
    assert not out.exists()


# ----- CLI habits -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("10000", 10_000), ("10_000", 10_000), ("10,000", 10_000), ("1e4", 10_000),
    ("10k", 10_000), ("10K", 10_000), ("2.5M", 2_500_000), ("1.5e3", 1500)])
def test_paths_as_people_write_them(text, value):
    assert make_parser().parse_args(["run", "micro", "--paths", text]).paths == value


@pytest.mark.parametrize("text", ["0", "-5", "1.5", "1e-3", "ten", "", "inf", "nan",
                                  "1e30", str(2 ** 63)])
def test_paths_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        common._positive_int(text)


def test_every_help_ends_with_examples():
    parser = make_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
    for name, p in sub.choices.items():
        lines = p.format_help().rstrip().splitlines()
        i = lines.index("examples:")
        examples = lines[i + 1:]
        assert 2 <= len(examples) <= 3, name
        assert all(ln.startswith(f"  simkit {name}") for ln in examples), name


def test_examples_parse():
    parser = make_parser()
    for name, lines in common.EXAMPLES.items():
        for line in lines:
            argv = line.split()[1:]
            if ">" in argv:
                argv = argv[:argv.index(">")]
            parser.parse_args(argv)  # raises on a bad example


def test_cuda_offered_only_with_a_gpu(monkeypatch):
    from numba import cuda

    monkeypatch.setattr(cuda, "is_available", lambda: False)
    assert "cuda" not in common.backends()
    with pytest.raises(simkit.SimkitError, match="invalid choice: 'cuda'"):
        make_parser().parse_args(["run", "micro", "--backend", "cuda"])
    monkeypatch.setattr(cuda, "is_available", lambda: True)
    assert make_parser().parse_args(["run", "micro", "--backend", "cuda"]).backend \
        == "cuda"


@pytest.mark.parametrize("name", ["scenarios", "init", "report", "plot", "validate"])
def test_help_fits_80_columns(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    parser = make_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = sub.choices[name].format_help()
    assert max(len(line) for line in text.splitlines()) <= 80, text
