"""Scenario and variant names become safe file names in one place
(``simkit._names.file_stem``): whatever the name, a run writes its files inside
``--out`` or is refused before anything is simulated, and a file the user left
there survives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import simkit
from simkit._names import MAX_STEM_BYTES, file_stem
from simkit.cli import main
from simkit.errors import ScenarioError

ODD = ["..", ".", "a/b", "../../escape", "a\\b", "x" * 5000, "ünïcødé ✓ 名前",
       "", ".hidden", "-rf", "micro:big", " "]


@pytest.mark.parametrize("name", ODD, ids=range(len(ODD)))
def test_file_stem_is_one_safe_name(name):
    stem = file_stem(name)
    assert stem not in ("", ".", "..")
    assert not stem.startswith(".")
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem
    assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES
    assert Path(stem).name == stem
    assert file_stem(name) == stem  # deterministic


def test_long_names_stay_distinct():
    a, b = "x" * 5000 + "a", "x" * 5000 + "b"
    assert file_stem(a) != file_stem(b)
    assert len(file_stem("é" * 5000).encode()) <= MAX_STEM_BYTES  # cut on a char


def test_names_that_were_safe_keep_their_file_names():
    assert file_stem("micro") == "micro"
    assert file_stem("consistent_vs_adhoc:ad_hoc") == "consistent_vs_adhoc_ad_hoc"
    assert file_stem("mid-tier.v2") == "mid-tier.v2"


def _scenario_file(tmp_path, name=None, variants=None):
    """micro.toml, one week, with ``name`` and ``variants`` (TOML strings written
    as JSON strings, which TOML reads the same)."""
    src = (Path(__file__).resolve().parents[1] / "scenarios" / "micro.toml")
    lines = [ln for ln in src.read_text().splitlines()
             if not ln.startswith("name =")]
    text = "\n".join(lines).replace("weeks = 4", "weeks = 1")
    if name is not None:
        text = f"name = {json.dumps(name)}\n" + text
    for v in variants or ():
        text += f"\n[variants.{json.dumps(v)}.creator]\nfollowers = 12000\n"
    f = tmp_path / "odd.toml"
    f.write_text(text, encoding="utf-8")
    return f


def _user_folder(tmp_path):
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    (out / "mine.txt").write_text("keep")
    (tmp_path / "work" / "sibling.txt").write_text("keep too")
    return out


def _all_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.mark.parametrize("name", ODD, ids=range(len(ODD)))
def test_odd_scenario_name_writes_only_inside_out(name, tmp_path, capsys):
    f = _scenario_file(tmp_path, name=name)
    out = _user_folder(tmp_path)
    before = set(_all_files(tmp_path))
    assert main(["run", str(f), "--paths", "5", "--quiet", "--out", str(out)]) == 0
    stem = file_stem(simkit.load_scenario(f).name)
    new = set(_all_files(tmp_path)) - before
    assert new == {f"work/out/{stem}{ext}" for ext in
                   (".json", ".csv", ".npz", "_summary.csv")}
    assert (out / "mine.txt").read_text() == "keep"
    assert (tmp_path / "work" / "sibling.txt").read_text() == "keep too"
    assert f"wrote 4 files to {out}/" in capsys.readouterr().out


@pytest.mark.parametrize("variant", ["..", ".", "a/b", "x" * 5000, "ünï ✓"],
                         ids=range(5))
def test_odd_variant_name_writes_only_inside_out(variant, tmp_path, capsys):
    f = _scenario_file(tmp_path, variants=[variant, "plain"])
    out = _user_folder(tmp_path)
    before = set(_all_files(tmp_path))
    assert main(["run", str(f), "--paths", "5", "--quiet", "--out", str(out)]) == 0
    stems = [file_stem(f"odd:{v}") for v in (variant, "plain")]
    new = set(_all_files(tmp_path)) - before
    assert new == {f"work/out/{s}{ext}" for s in stems for ext in
                   (".json", ".csv", ".npz", "_summary.csv")}
    assert (out / "mine.txt").read_text() == "keep"


@pytest.mark.parametrize("name", ["a\u0000b", "line\nbreak", "esc\u001b[31m",
                                  "del\u007f"], ids=["nul", "newline", "escape", "del"])
def test_control_characters_in_a_name_are_refused(name, tmp_path, capsys):
    f = _scenario_file(tmp_path, name=name)
    out = tmp_path / "out"
    assert main(["run", str(f), "--paths", "5", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "`name` must be a name without control characters" in err[0]
    assert not out.exists()


def test_an_empty_variant_name_is_refused(tmp_path):
    f = _scenario_file(tmp_path, variants=[""])
    with pytest.raises(ScenarioError, match="`variants` must be non-empty string "
                       "names, got ''"):
        simkit.load_scenario(f)


def test_control_characters_in_a_variant_name_are_refused(tmp_path):
    f = _scenario_file(tmp_path, variants=["a\u0000b"])
    with pytest.raises(ScenarioError, match="`variants` must be a name without "
                       "control characters"):
        simkit.load_scenario(f)


@pytest.mark.parametrize("pair", [("a b", "a_b"), ("a/b", "a:b"), ("Big", "big")],
                         ids=["space", "separators", "case"])
def test_variants_whose_file_names_collide_are_refused_at_load(pair, tmp_path,
                                                              capsys):
    f = _scenario_file(tmp_path, variants=list(pair))
    with pytest.raises(ScenarioError, match=f"`variants.{pair[1]}` must be a name "
                       "whose file name differs"):
        simkit.load_scenario(f)
    out = tmp_path / "out"
    assert main(["run", str(f), "--paths", "5", "--quiet", "--out", str(out)]) == 2
    assert "would be written as odd_" in capsys.readouterr().err
    assert not out.exists()


def test_sweep_default_folder_of_a_dot_dot_name():
    from simkit._cli.sweep import default_out

    assert default_out(simkit.scenario_from_dict({"name": ".."})).as_posix() == \
        "out/__-sweep"
