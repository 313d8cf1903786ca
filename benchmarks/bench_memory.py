"""Peak memory of a large totals-only run (1,000,000 paths in the full profile).

The run happens in a fresh subprocess, which reports its peak resident set
(``ru_maxrss``) including the interpreter, numpy, numba and the loaded kernels.
The scenario is the micro creator cut to one 30-minute stream a week for one
week, so the path count, not the viewers, sets the memory.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CFG, ROOT, env_for_cli

_SCRIPT = """
import json, resource, sys, time
import simkit
sc = simkit.load_scenario("scenarios/micro.toml").with_overrides(
    {"horizon.weeks": 1, "schedule.slots": [[1, 20]], "stream.duration_min": 30})
simkit.simulate(sc, paths=2, seed=0, progress=False)
t0 = time.perf_counter()
res = simkit.simulate(sc, paths=int(sys.argv[1]), seed=0, progress=False)
elapsed = time.perf_counter() - t0
kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_rss_gib": kib / 2**20, "seconds": elapsed,
                  "paths": res.paths,
                  "viewers": float(res["unique_viewers"].sum())}))
"""


def _run(paths):
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(paths)], cwd=ROOT,
                          env=env_for_cli(), capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("paths", [CFG["memory_paths"]])
def test_peak_memory_totals_only(benchmark, paths):
    out = benchmark.pedantic(_run, args=(paths,), rounds=1, warmup_rounds=0)
    benchmark.extra_info.update({"kind": "memory", **out})
