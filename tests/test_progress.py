"""The progress bar of ``simulate`` (tqdm on standard error), tested from outside.

``simkit._simulate._progress_bar`` draws a tqdm bar with ``delay=1.0`` and
``mininterval=0.5``: nothing appears before a second has passed. Runs in tests
are shorter than that, so the tests that expect a bar replace tqdm's clock
(``tqdm.std.time``, which every bar reads through ``self._time``) by one that
advances 10 s per reading; the bar's own settings are left as they are.
"""

from __future__ import annotations

import importlib
import itertools
import re
import sys

import numpy.testing as npt
import pytest

import simkit
from simkit.cli import main

MICRO = "scenarios/micro.toml"
PATHS = 1000


@pytest.fixture
def fast_clock(monkeypatch):
    """tqdm's clock jumps 10 s per reading, so its delay and min. interval pass."""
    tick = itertools.count(1_000_000.0, 10.0)
    monkeypatch.setattr("tqdm.std.time", lambda: next(tick))


@pytest.fixture(scope="module")
def micro():
    return simkit.load_scenario(MICRO)


def test_bar_on_stderr_with_path_count(micro, fast_clock, capsys):
    simkit.simulate(micro, paths=PATHS, seed=3, progress=True)
    cap = capsys.readouterr()
    assert cap.out == ""
    assert f"{PATHS}/{PATHS}" in cap.err  # the bar reached the path count
    assert "micro" in cap.err and "path" in cap.err  # description and unit
    assert "\r" in cap.err  # redrawn in place


def test_no_bar_when_stderr_is_not_a_terminal(micro, fast_clock, capsys):
    assert not sys.stderr.isatty()  # capsys: not a terminal
    simkit.simulate(micro, paths=PATHS, seed=3, progress=None)
    assert capsys.readouterr() == ("", "")


def test_bar_when_stderr_is_a_terminal(micro, fast_clock, capsys, monkeypatch):
    """The counterpart of the test above: progress=None draws on a terminal."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    simkit.simulate(micro, paths=PATHS, seed=3, progress=None)
    assert f"{PATHS}/{PATHS}" in capsys.readouterr().err


def test_cli_quiet_writes_nothing_to_stderr(fast_clock, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a bar would show
    argv = ["run", MICRO, "--paths", str(PATHS), "--seed", "1"]
    assert main([*argv, "--quiet"]) == 0
    cap = capsys.readouterr()
    assert cap.err == "" and "micro — 1,000 " in cap.out
    # Without --quiet the same command on a terminal does draw the bar.
    assert main(argv) == 0
    cap2 = capsys.readouterr()
    assert f"{PATHS}/{PATHS}" in cap2.err
    assert cap2.out == cap.out  # the bar changes nothing else


def test_results_identical_with_and_without_bar(micro, fast_clock, capsys,
                                                monkeypatch):
    """The bar shortens the kernel blocks (about 20 updates per run); a path's
    numbers depend only on the seed and its index, so nothing changes."""
    cpu = importlib.import_module("simkit.backends.cpu")
    blocks = []
    real_run = cpu.run

    def spy(*args, block_paths, **kw):
        blocks.append(block_paths)
        return real_run(*args, block_paths=block_paths, **kw)

    monkeypatch.setattr(cpu, "run", spy)
    with_bar = simkit.simulate(micro, paths=PATHS, seed=11, progress=True,
                               per_stream=True)
    assert f"{PATHS}/{PATHS}" in capsys.readouterr().err  # the bar was drawn
    without = simkit.simulate(micro, paths=PATHS, seed=11, progress=False,
                              per_stream=True)
    assert capsys.readouterr().err == ""
    assert blocks[0] < min(blocks[1], PATHS)  # really a different blocking
    assert set(with_bar.totals) == set(without.totals)
    for k in with_bar.totals:
        npt.assert_array_equal(with_bar[k], without[k], err_msg=k)
    for k in with_bar.per_stream:
        npt.assert_array_equal(with_bar.per_stream[k], without.per_stream[k],
                               err_msg=k)


def test_done_line_after_the_bar(micro, fast_clock, capsys):
    """A shown bar leaves one "done in N s" line on stderr."""
    simkit.simulate(micro, paths=PATHS, seed=3, progress=True)
    err = capsys.readouterr().err
    assert err.endswith("\n")
    last = re.split(r"[\r\n]", err.rstrip("\n"))[-1].strip()
    assert re.fullmatch(r"micro: 1,000 paths done in \d+\.\d s", last), last
    assert err.count("done in") == 1


def test_no_done_line_without_a_bar(micro, capsys):
    # A run shorter than the bar's one-second delay never draws it: no line either.
    simkit.simulate(micro, paths=50, seed=3, progress=True)
    assert "done in" not in capsys.readouterr().err


def test_python_and_cli_default_paths_agree():
    import inspect

    from simkit.cli import make_parser
    from simkit._simulate import DEFAULT_PATHS

    assert inspect.signature(simkit.simulate).parameters["paths"].default \
        == DEFAULT_PATHS == 10_000
    args = make_parser().parse_args(["run", MICRO])
    assert args.paths == DEFAULT_PATHS
