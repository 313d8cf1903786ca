"""Compile time: every kernel function compiles for exactly one signature.

numba compiles a jitted callee once more for each distinct Python-int literal
argument (and for a loop counter that starts as a literal 0), which once
doubled the first-run compile time. Checked in a subprocess with an empty
numba cache, so that nothing is loaded from a cache and every kernel the run
needs is compiled there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = textwrap.dedent("""
    import json, numba
    import simkit
    from simkit._kernels import horizon, money, rng, shocks, stream, vmath
    sc = simkit.load_scenario("scenarios/consistent_vs_adhoc.toml")
    for v in sc.variants:
        simkit.simulate(sc.variant(v), paths=4, seed=1, per_stream=True, curves=True,
                        progress=False)
    out = {}
    for mod in (horizon, money, rng, shocks, stream, vmath):
        for name, f in vars(mod).items():
            if isinstance(f, numba.core.registry.CPUDispatcher) and f.signatures:
                out[f"{mod.__name__}.{name}"] = [str(s) for s in f.signatures]
    print(json.dumps(out))
""")


def test_each_kernel_compiles_once(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT,
                          capture_output=True, text=True, check=False,
                          env={**_base_env(), **env})
    assert proc.returncode == 0, proc.stderr[-3000:]
    sigs = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "simkit._kernels.stream.run_stream" in sigs  # the check saw the kernels
    repeated = {k: v for k, v in sigs.items() if len(v) > 1}
    assert not repeated, f"compiled more than once: {repeated}"


def _base_env():
    import os

    return {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
