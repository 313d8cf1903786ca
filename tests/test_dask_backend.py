"""The Dask backend gives the in-process backend's numbers, bit for bit.

One module-scoped ``LocalCluster`` (2 worker processes, 1 thread each, no
dashboard) serves the tests; a test that kills a worker waits for the nanny to
restart it. ``BackendContract`` holds the checks every backend must pass
(as scipy's ``QMCEngineTests``); each backend subclasses it.
"""

from __future__ import annotations

import inspect
import os
import signal
import time
import tomllib
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest

from simkit import scenario_from_dict, simulate, simulate_batch
from simkit.backends import cpu as cpu_backend
from simkit.backends import cuda as cuda_backend
from simkit.errors import LowPrecisionWarning, SimkitError
from simkit.metrics import TOTALS
from simkit._simulate import root_key

distributed = pytest.importorskip("distributed")
dask_backend = pytest.importorskip("simkit.backends.dask")

# No warning filter is needed: the cluster binds free ports (no "port in use"
# warning) and shuts down cleanly, even after a worker was killed.
pytestmark = pytest.mark.dask

ROOT = Path(__file__).resolve().parents[1]


def micro(weeks=1, **overrides):
    d = tomllib.loads((ROOT / "scenarios" / "micro.toml").read_text())
    d["horizon"] = {"weeks": weeks}
    sc = scenario_from_dict(d)
    return sc.with_overrides(overrides) if overrides else sc


@pytest.fixture(scope="module")
def client():
    # The backend's own settings: 2 processes x 1 thread, no dashboard.
    with distributed.LocalCluster(**dask_backend.LOCAL_CLUSTER) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def batch():
    """Three scenarios that differ in size, stream length and schedule."""
    return [micro(), micro(**{"creator.followers": 30_000}),
            micro(**{"stream.duration_min": 45.0, "schedule.kind": "ad_hoc"})]


def assert_same(a, b):
    """Bitwise equality of totals, per-stream metrics and curves."""
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        for m in TOTALS:
            npt.assert_array_equal(x[m], y[m], err_msg=m)
        if x.per_stream is not None:
            for m in x.per_stream:
                npt.assert_array_equal(x.per_stream[m], y.per_stream[m], err_msg=m)
        if x.curves is not None:
            npt.assert_array_equal(x.curves, y.curves)


class BackendContract:
    """Checks every backend passes; subclasses set ``backend`` and ``options``."""

    backend = NotImplemented

    def options(self):
        return {}

    def run(self, scenarios, **kw):
        return simulate_batch(scenarios, seed=12345, backend=self.backend,
                              progress=False, **self.options(), **kw)

    def test_equals_in_process_backend(self, batch):
        kw = {"paths": 24, "per_stream": True, "curves": True}
        ref = simulate_batch(batch, seed=12345, backend="cpu", **kw)
        assert_same(self.run(batch, block_paths=10, **kw), ref)

    def test_block_size_invariant(self, batch):
        a = self.run(batch, paths=20, block_paths=64)
        b = self.run(batch, paths=20, block_paths=7)
        assert_same(a, b)

    def test_continuing(self, batch):
        """Paths 5..14 of a run equal a run of 10 paths from path_offset 5."""
        whole = self.run(batch[:1], paths=15)[0]
        tail = self.run(batch[:1], paths=10, path_offset=5)[0]
        for m in TOTALS:
            npt.assert_array_equal(whole[m][5:], tail[m])


class TestDask(BackendContract):
    backend = "dask"

    @pytest.fixture(autouse=True)
    def _client(self, client):
        self.client = client

    def options(self):
        return {"scheduler": self.client}


def test_local_cluster_workers_use_one_numba_thread(client):
    """Two worker processes on two cores must not each start all-core pools."""
    import numba

    assert set(client.run(numba.get_num_threads).values()) == {1}


def test_scheduler_address_string(client, batch):
    ref = simulate_batch(batch[:2], paths=16, seed=7)
    got = simulate_batch(batch[:2], paths=16, seed=7, backend="dask",
                         scheduler=client.scheduler.address, block_paths=8)
    assert_same(got, ref)


def test_default_local_cluster():
    """Without a scheduler the backend starts (and stops) its own LocalCluster."""
    sc = micro()
    got = simulate(sc, paths=12, seed=3, backend="dask", block_paths=4)
    assert_same([got], [simulate(sc, paths=12, seed=3)])
    assert got.metadata["backend"] == "dask"


def test_progress_counts_every_pair(client, batch):
    seen = []
    s, p = len(batch), 23
    packed_key = root_key(1)
    from simkit._pack import pack

    tot = np.zeros((s, p, len(TOTALS)))
    dask_backend.run(pack(batch), packed_key, 0, tot, None, None, block_paths=10,
                     on_block=seen.append, scheduler=client)
    assert sum(seen) == s * p
    assert len(seen) == len(dask_backend.plan_tasks(s, p, 10))


@pytest.mark.parametrize(("s", "p", "b"), [(1, 1, 1), (3, 10, 4), (7, 5, 12),
                                           (5, 100, 4096), (2, 9, 9)])
def test_plan_covers_each_pair_once(s, p, b):
    seen = np.zeros((s, p), dtype=int)
    for s0, s1, b0, b1 in dask_backend.plan_tasks(s, p, b):
        assert (s1 - s0) * (b1 - b0) <= max(b, b1 - b0)
        seen[s0:s1, b0:b1] += 1
    assert (seen == 1).all()


def test_killed_worker_does_not_change_results(client, batch):
    """Kill one worker process mid-run: Dask reruns its tasks, results identical."""
    from simkit._pack import pack

    packed, key, paths = pack(batch), root_key(11), 120
    ref = np.zeros((len(batch), paths, len(TOTALS)))
    cpu_backend.run(packed, key, 0, ref, None, None, block_paths=paths)
    before = set(client.scheduler_info()["workers"])
    killed = []

    def kill_once(n):
        if killed:
            return
        busy = [w for w, keys in client.processing().items() if keys]
        if busy:
            killed.append(busy[0])
            nanny = next(n for n in client.cluster.workers.values()
                         if n.worker_address == busy[0])
            os.kill(nanny.process.pid, signal.SIGKILL)

    tot = np.zeros_like(ref)
    dask_backend.run(packed, key, 0, tot, None, None, block_paths=6,
                     on_block=kill_once, scheduler=client)
    assert killed, "no worker was busy to kill"
    npt.assert_array_equal(tot, ref)
    # The worker really died (its address is gone); the nanny brings up another.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = set(client.scheduler_info()["workers"])
        if killed[0] not in now and len(now) == 2:
            break
        time.sleep(0.2)
    now = set(client.scheduler_info()["workers"])
    assert killed[0] in before and killed[0] not in now
    client.wait_for_workers(2, timeout=30)


def test_sweep_on_dask_equals_in_process(client):
    from simkit._sweep import run_sweep

    d = tomllib.loads((ROOT / "scenarios" / "micro.toml").read_text())
    d["horizon"] = {"weeks": 1}
    d["sweep"] = {"params": {"creator.followers": [2000, 20000],
                             "audience.join_rate": [0.01, 0.05]}}
    sc = scenario_from_dict(d)
    kw = {"design": "sobol", "n": 6, "paths": 10, "seed": 5, "chunk_scenarios": 4,
          "progress": False}
    a = run_sweep(sc, backend="dask", scheduler=client, **kw)
    b = run_sweep(sc, **kw)
    npt.assert_array_equal(a.stats, b.stats)


def test_unreachable_scheduler_is_a_simkit_error(monkeypatch):
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(SimkitError, match="cannot connect"):
        simulate(micro(), paths=2, backend="dask", scheduler="tcp://127.0.0.1:9")


def test_bad_scheduler_type():
    with pytest.raises(SimkitError, match="`scheduler` must be"):
        simulate(micro(), paths=2, backend="dask", scheduler=8786)


# ----- signatures (every backend has the same parameters) ------------------------
def _params(f):
    params = inspect.signature(f).parameters.values()
    return [(p.name, p.kind, p.default) for p in params]


def test_backends_share_the_signature():
    cpu = _params(cpu_backend.run)
    assert _params(cuda_backend.run) == cpu
    assert _params(dask_backend.run)[:-1] == cpu
    kw_only = inspect.Parameter.KEYWORD_ONLY
    assert _params(dask_backend.run)[-1] == ("scheduler", kw_only, None)


def test_cuda_backend_is_a_clear_error():
    with pytest.raises(SimkitError, match="backend 'cuda' needs a CUDA GPU and "
                       "numba.cuda; use backend='cpu'"):
        simulate(micro(), paths=2, backend="cuda")


# ----- analysis drivers on Dask: same numbers, one client per job ----------------
CVA = str(ROOT / "scenarios" / "consistent_vs_adhoc.toml")
SPONSOR = str(ROOT / "scenarios" / "sponsorship_quote.toml")


def test_compare_on_dask_equals_in_process(client):
    from simkit.analysis import compare

    kw = {"paths": 24, "seed": 12345, "progress": False}
    got = compare(CVA, backend="dask", scheduler=client, **kw)
    ref = compare(CVA, **kw)
    assert got.pairs == ref.pairs  # every statistic, compared exactly
    assert got.metadata["backend"] == "dask"


def test_quote_on_dask_equals_in_process(client):
    from simkit.analysis import quote

    kw = {"paths": 24, "seed": 12345, "progress": False}
    got = quote(SPONSOR, backend="dask", scheduler=client.scheduler.address, **kw)
    ref = quote(SPONSOR, **kw)
    assert got.tables == ref.tables
    assert_same([got.simulation], [ref.simulation])


@pytest.fixture
def local_clusters(monkeypatch, client):
    """Count the LocalClusters simkit starts; each one is the module's cluster."""
    started = []

    class CountingLocalCluster:
        def __init__(self, **kwargs):
            started.append(kwargs)

        def __enter__(self):
            return client.cluster

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(distributed, "LocalCluster", CountingLocalCluster)
    return started


def test_compare_without_scheduler_starts_one_cluster(local_clusters):
    from simkit.analysis import compare

    # two variants in two batches (an unreachable target): four simulate calls
    with pytest.warns(LowPrecisionWarning):
        res = compare(CVA, paths=8, batch=4, max_paths=8, precision_abs=1e-9,
                      seed=3, backend="dask", progress=False)
    assert res.paths == 8
    assert len(local_clusters) == 1


@pytest.mark.parametrize("job", ["quote", "simulate_until", "tornado"])
def test_other_drivers_without_scheduler_start_one_cluster(job, local_clusters):
    from simkit.analysis import quote, simulate_until
    from simkit.analysis._sensitivity import tornado

    kw = {"seed": 3, "backend": "dask", "progress": False}
    if job == "quote":  # precision runs of two batches (an unreachable target)
        with pytest.warns(LowPrecisionWarning):
            quote(SPONSOR, paths=4, max_paths=8, precision_abs=1e-9, **kw)
    elif job == "simulate_until":
        with pytest.warns(LowPrecisionWarning):
            simulate_until(micro(), batch=4, max_paths=8, precision_abs=1e-9, **kw)
    else:
        tornado(micro(), {"audience.join_rate": (0.02, 0.04)}, paths=4, **kw)
    assert len(local_clusters) == 1


def _strip_times(html):
    """The report without its generation time and duration (they differ per run)."""
    import re

    return re.sub(r"generated [^<]*?(?= by simkit|<)", "", html)


@pytest.mark.parametrize("cmd", ["compare", "quote", "plot", "report"])
def test_cli_backend_dask_matches_in_process(cmd, client, tmp_path, capsys,
                                             monkeypatch):
    """--backend dask --scheduler ADDRESS writes what the in-process run writes."""
    import simkit._report
    from simkit.cli import main

    if cmd == "report":  # compare the tables; encoding ~10 PNGs twice is slow
        monkeypatch.setattr(simkit._report, "_figure", lambda ax, alt, cap, **kw: alt)

    src = {"compare": CVA, "quote": SPONSOR}.get(cmd, str(ROOT / "scenarios" /
                                                       "micro.toml"))

    def run(name, *extra):
        out = tmp_path / name
        argv = {"compare": ["--out", str(out)], "quote": ["--out", str(out)],
                "plot": ["--kind", "tornado", "-o", f"{out}.png"],
                "report": ["-o", f"{out}.html", "--tornado-paths", "4"]}[cmd]
        assert main([cmd, src, "--paths", "12", "--seed", "9", "--quiet", *argv,
                     *extra]) == 0, capsys.readouterr().err
        if cmd == "plot":
            return (tmp_path / f"{name}.png").read_bytes()
        if cmd == "report":
            return _strip_times((tmp_path / f"{name}.html").read_text())
        return {p.name: p.read_text().replace('"backend": "dask"', '"backend": "cpu"')
                for p in sorted(out.iterdir())}

    assert run("dask", "--backend", "dask", "--scheduler",
               client.scheduler.address) == run("cpu")
