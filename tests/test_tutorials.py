"""The command outputs quoted in the docs are what the commands print.

Every ```console block of docs/tutorials/*.md, docs/cli.md and docs/sweeps.md
holds one or more ``$ simkit ...`` command lines, each followed by what it
prints on standard output. Each command runs in-process through
``simkit.cli.main`` from a temporary directory holding a ``scenarios`` link to
the repository's scenarios and one to its examples (so ``--out out/...``
writes land there), and its
standard output must match the quoted lines:

- every quoted line, in order, consecutively, from the first printed line to
  the last (trailing whitespace ignored);
- except that a line ``...`` stands for any run of printed lines (none too).

After changing what a command prints, or the random numbers, rerun the quoted
command and paste its output (keeping the ``...`` elisions), then update the
prose that quotes its figures.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from simkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FILES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.glob("tutorials/*.md")) + [
    "cli.md", "sweeps.md"]

#: Console blocks that are not run, by (file, index among the file's console
#: blocks), each with the reason.
SKIP = {
    # A sobol sweep of 1,024 scenarios x 200 paths takes ~15 s on 2 cores, for
    # an output that is elided to its layout ("lowest ... (scenario ...)").
    ("sweeps.md", 0): "1,024-scenario sweep: too slow for the suite (~15 s), output elided",
    # The first command is meant to be interrupted with Ctrl-C before --resume.
    ("sweeps.md", 1): "needs an interrupted run (Ctrl-C) before --resume",
}

_BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def _commands(body):
    """``[(argv, expected_lines)]`` of one console block."""
    lines = body.splitlines()
    joined = []  # shell line continuations
    for line in lines:
        if joined and joined[-1].startswith("$ ") and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line.strip()
        else:
            joined.append(line)
    cmds = []
    for line in joined:
        if line.startswith("$ "):
            argv = shlex.split(line[2:], comments=True)
            cmds.append((argv, []))
        elif not cmds:
            raise ValueError(f"output before the first `$ ` line: {line!r}")
        else:
            cmds[-1][1].append(line)
    return cmds


def _blocks():
    out = []
    for name in FILES:
        text = (DOCS / name).read_text(encoding="utf-8")
        for i, m in enumerate(_BLOCK.finditer(text)):
            lineno = text.count("\n", 0, m.start()) + 1
            out.append((name, i, lineno, m.group(1)))
    return out


BLOCKS = _blocks()


def _mismatch(expected, actual):
    """``None`` if the printed lines ``actual`` match the quoted ``expected``
    (``...`` = any run of lines), else a description of the first mismatch."""
    expected = [line.rstrip() for line in expected]
    actual = [line.rstrip() for line in actual]
    while expected and not expected[-1]:
        expected.pop()
    while actual and not actual[-1]:
        actual.pop()
    segments = [[]]
    for line in expected:
        if line == "...":
            segments.append([])
        else:
            segments[-1].append(line)
    first, last = segments[0], segments[-1]
    if len(segments) == 1:
        return None if actual == first else "the output differs from the quoted lines"
    if actual[:len(first)] != first:
        return "the first quoted lines are not the first printed lines"
    pos = len(first)
    for seg in segments[1:-1]:
        at = next((i for i in range(pos, len(actual) - len(seg) + 1)
                   if actual[i:i + len(seg)] == seg), None)
        if at is None:
            return f"quoted lines not printed (in order): {seg[0]!r} ..."
        pos = at + len(seg)
    if last and (len(actual) - len(last) < pos or actual[len(actual) - len(last):] != last):
        return "the last quoted lines are not the last printed lines"
    return None


def _diff(expected, actual):
    import difflib

    return "\n".join(difflib.unified_diff(
        [line.rstrip() for line in expected], [line.rstrip() for line in actual],
        "documented", "printed", lineterm="", n=2))


def _params():
    out = []
    for name, i, lineno, body in BLOCKS:
        reason = SKIP.get((name, i))
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(name, i, lineno, body, marks=marks, id=f"{name}-{i}"))
    return out


@pytest.mark.parametrize(("name", "index", "lineno", "body"), _params())
def test_console_block_output(name, index, lineno, body, tmp_path, monkeypatch, capsys):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for argv, expected in _commands(body):
        where = f"docs/{name}:{lineno} `{shlex.join(argv)}`"
        assert argv[0] == "simkit", f"{where}: not a simkit command (add it to SKIP)"
        capsys.readouterr()
        status = main(argv[1:])
        captured = capsys.readouterr()
        assert status == 0, f"{where} exited {status}:\n{captured.err}"
        printed = captured.out.splitlines()
        problem = _mismatch(expected, printed)
        assert problem is None, (
            f"{where}: {problem}; rerun it and update the docs\n"
            f"{_diff(expected, printed)}")


def test_blocks_are_found_and_skips_are_current():
    """The parametrization cannot silently shrink to nothing, and every SKIP
    entry names an existing block."""
    found = {(name, i) for name, i, _, _ in BLOCKS}
    for name in FILES:
        assert any(n == name for n, _ in found), f"no ```console block in docs/{name}"
    assert set(SKIP) <= found, f"stale SKIP entries: {set(SKIP) - found}"
    assert len(found) - len(SKIP) >= 9


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    (["a", "b"], ["a", "b", ""], True),
    (["a", "b  "], ["a", "b"], True),
    (["a"], ["a", "b"], False),
    (["b"], ["a", "b"], False),
    (["...", "b"], ["a", "b"], True),
    (["a", "..."], ["a", "b", "c"], True),
    (["a", "...", "c"], ["a", "c"], True),
    (["a", "...", "c", "...", "e"], ["a", "b", "c", "d", "e"], True),
    (["a", "...", "d", "...", "e"], ["a", "b", "c", "d", "e"], True),
    (["a", "...", "c", "d", "..."], ["a", "c", "x", "d"], False),
    (["a", "...", "c", "...", "b"], ["a", "b", "c"], False),
    (["a", "...", "b", "c"], ["a", "b"], False),
])
def test_matching_rules(expected, actual, ok):
    assert (_mismatch(expected, actual) is None) is ok
