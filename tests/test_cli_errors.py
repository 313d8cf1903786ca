"""Every input mistake is one line on stderr, exit 2, no traceback, nothing written,
and every flag is checked before anything is simulated (issue 9, item 6)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import simkit
from simkit.cli import main

MICRO = "scenarios/micro.toml"


def _one_line_error(capsys):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("simkit: error: "), err
    return lines[0]


@pytest.fixture
def no_simulation(monkeypatch):
    """Make every way of simulating fail loudly: a flag check that comes too late
    then shows up as an AssertionError instead of a one-line error."""

    def boom(*args, **kwargs):
        raise AssertionError("simulated before checking the flags")

    import importlib

    import simkit.analysis.sensitivity
    import simkit.report

    module = importlib.import_module("simkit.simulate")  # the package's simulate
    for name in ("simulate", "simulate_batch"):            # is the function
        monkeypatch.setattr(module, name, boom)
        monkeypatch.setattr(simkit, name, boom)
    monkeypatch.setattr(simkit.analysis.sensitivity, "tornado", boom)
    monkeypatch.setattr(simkit.report, "build_report", boom)


# ----- scenario files nested too deeply ------------------------------------------
def _nested_tables(n):
    return "[creator]\nfollowers = " + "{a = " * n + "1" + "}" * n + "\n"


@pytest.mark.parametrize("text, key", [
    (_nested_tables(1000), "<toml>"),                    # tomllib's RecursionError
    ("x = " + "[" * 1000 + "]" * 1000 + "\n", "<toml>"),
    (_nested_tables(100), "creator.followers"),           # parsed, then refused
    ("[variants.v." + ".".join(["a"] * 1000) + "]\nb = 1\n", "variants.v"),
    ("[variants.v.creator]\nfollowers = " + "[" * 200 + "]" * 200 + "\n",
     "variants.v"),
])
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_deeply_nested_scenario_is_one_line(tmp_path, capsys, text, key, cmd,
                                            no_simulation):
    f = tmp_path / "deep.toml"
    f.write_text(text)
    assert main([cmd, str(f)]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: {f}: `{key}` must be nested at most 32 tables "
                    "or arrays deep")


def test_nesting_at_the_cap_is_not_refused_for_depth():
    from simkit.errors import ScenarioError
    from simkit.scenario._load import MAX_NESTING, _check_nesting

    ok, deep = 1, 1
    for _ in range(MAX_NESTING):
        ok = [ok]
    for _ in range(MAX_NESTING + 1):
        deep = [deep]
    _check_nesting({"x": ok[0]}, "<dict>")  # containers at depths 1..32 of the dict
    with pytest.raises(ScenarioError, match="nested at most"):
        _check_nesting({"x": deep[0]}, "<dict>")


def test_self_containing_mapping_is_refused():
    d = {"creator": {}}
    d["creator"]["followers"] = d
    with pytest.raises(simkit.ScenarioError, match="`creator.followers` must be "
                       "nested at most 32"):
        simkit.scenario_from_dict(d)


def test_deep_override_is_refused():
    sc = simkit.scenario_from_dict({})
    v = 1
    for _ in range(2000):
        v = [v]
    with pytest.raises(simkit.ScenarioError, match="`audience.join_rate` must be "
                       "nested at most 32"):
        sc.with_overrides({"audience.join_rate": v})
