"""End-to-end CLI: ``simkit run`` / ``compare`` / ``quote`` on the mid-tier creator,
and the cold (empty numba cache: first compile) versus warm start of ``run``.

Each command runs as ``python -m simkit`` in a subprocess from the checkout,
so the figures include interpreter start, imports, loading the compiled kernels
from numba's cache, simulating and printing: what a user waits for.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

import pytest
from conftest import CFG, ROOT, env_for_cli

DEMO = "scenarios/mid_tier.toml"          # Makefile DEMO
QUOTE = "scenarios/sponsorship_quote.toml"  # the mid-tier creator, with variants


def _cli(*args, env=None):
    cmd = [sys.executable, "-m", "simkit", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env or env_for_cli(),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n"
                             f"{proc.stderr[-2000:]}")
    return proc


@pytest.mark.parametrize("command,file,extra", [
    ("run", DEMO, ()),
    ("compare", QUOTE, ()),
    ("quote", QUOTE, ()),
], ids=["run", "compare", "quote"])
def test_cli_warm(benchmark, command, file, extra):
    """Warm start: the numba cache already holds the compiled kernels."""
    paths = CFG["cli_paths"]
    args = (command, file, "--paths", str(paths), "--quiet", *extra)
    benchmark.pedantic(_cli, args=args, rounds=1 if paths > 5000 else 2,
                       warmup_rounds=1)
    benchmark.extra_info.update({"kind": "cli", "command": command, "file": file,
                                 "paths": paths, "start": "warm",
                                 "seconds": benchmark.stats.stats.min})


@pytest.mark.full
def test_cli_cold_start(benchmark):
    """Cold start: a fresh ``NUMBA_CACHE_DIR``, so every kernel compiles first."""
    paths = CFG["cli_paths"]
    tmp = tempfile.TemporaryDirectory(prefix="simkit-cold-")

    def setup():
        cache = tempfile.mkdtemp(dir=tmp.name)
        return (("run", DEMO, "--paths", str(paths), "--quiet"),
                {"env": env_for_cli(NUMBA_CACHE_DIR=cache)})

    try:
        benchmark.pedantic(_cli, setup=setup, rounds=1, warmup_rounds=0)
    finally:
        tmp.cleanup()
    benchmark.extra_info.update({"kind": "cli", "command": "run", "file": DEMO,
                                 "paths": paths, "start": "cold",
                                 "seconds": benchmark.stats.stats.min})
