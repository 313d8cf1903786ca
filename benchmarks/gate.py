"""Read a pytest-benchmark JSON, print a one-screen table, gate on simkit/numpy.

Usage::

    python benchmarks/gate.py [FILE.json]   # default: newest under .benchmarks/

Exit status 1 when the mid-tier kernel throughput on the largest thread count
measured is below ``MIN_MID_OVER_NUMPY`` times the NumPy yardstick timed in the
same run; 2 when the file lacks that benchmark. docs/benchmarks.md explains
the columns and how the threshold was set.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: Gate: mid-tier simkit viewers/s (most threads) over the NumPy yardstick.
#: Measured on the 2-core development machine (AMD EPYC, shared), 2026-12-01:
#: 19.9x on 2 threads (96 M viewers/s against 4.8 M), 10.2x on 1 thread, and
#: 23.3x on 2 threads while another process held one core (it slows the
#: yardstick too). The gate, the speed target of 8x, sits 20% below the
#: one-thread figure: a busy shared runner passes, while losing the SIMD draw
#: loops (about half the speed) fails. See docs/benchmarks.md.
MIN_MID_OVER_NUMPY = 8.0
GATE_SCENARIO = "mid_tier"
#: Gate: mid-tier viewers/s with the stream shocks and ten uncertain inputs over
#: the fixed-parameter case without shocks, timed interleaved in the same run
#: (``bench_uncertainty.py``; at least 80%, docs/benchmarks.md).
MIN_UNCERTAIN_OVER_FIXED = 0.8
#: Gate: mid-tier viewers/s with LIVE Subscriptions and LIVE Match off over the
#: kernel before they (and the expected-gifters metric) existed, timed
#: interleaved in the same run (``bench_live_features.py``). The target is at
#: most 10% slower (measured 0.92, docs/benchmarks.md); the gate leaves 5 more
#: points for the timing noise of a shared 2-core CI machine (0.80-1.11 seen).
MIN_FEATURES_OFF_OVER_BEFORE = 0.85


def _newest(root):
    files = sorted(Path(root).glob("**/*.json"), key=lambda p: p.stat().st_mtime)
    if not files:
        raise SystemExit(f"gate: no benchmark JSON under {root}/")
    return files[-1]


def _rate(x):
    return f"{x / 1e6:8.1f}M" if x else "       -"


def table(data):
    """Rows of the summary table (list of str) and the gated ratio (or None).

    Examples
    --------
    >>> rows, ratio = table({"benchmarks": []})
    >>> ratio is None
    True
    """
    rows = []
    thr = {}
    gate = None
    best_threads = -1
    out = {"throughput": [], "numpy": [], "rng": [], "latency": [], "cli": [],
           "memory": [], "sweep": []}
    for b in data.get("benchmarks", []):
        info = b.get("extra_info", {})
        out.setdefault(info.get("kind", "other"), []).append((b, info))
    # The bound is the machine's limit: take the best raw draw rate measured in
    # this run on each thread count (the yardstick's and the rng benchmark's),
    # so that one window slowed by another process does not lower it.
    draws = {}
    for _b, i in out["throughput"] + out["rng"]:
        draws[i["threads"]] = max(draws.get(i["threads"], 0.0), i["draws_per_s"])
    rows.append(f"{'kernel throughput':14s} {'thr':>3s} {'viewers/s':>9s} "
                f"{'numpy':>9s} {'np-batch':>9s} {'bound':>9s} {'x numpy':>7s} "
                f"{'x batch':>7s} {'% bound':>7s}")
    for _b, i in out["throughput"]:
        bound = draws[i["threads"]] / i["draws_per_viewer"]
        rows.append(
            f"  {i['scenario']:12s} {i['threads']:3d} {_rate(i['viewers_per_s'])}"
            f" {_rate(i['numpy_viewers_per_s'])}"
            f" {_rate(i.get('numpy_batched_viewers_per_s', 0.0))}"
            f" {_rate(bound)} {i['simkit_over_numpy']:7.1f}"
            f" {i.get('simkit_over_numpy_batched', float('nan')):7.1f}"
            f" {100 * i['viewers_per_s'] / bound:6.1f}%")
        thr[(i["scenario"], i["threads"])] = i["viewers_per_s"]
        if i["scenario"] == GATE_SCENARIO and i["threads"] > best_threads:
            best_threads, gate = i["threads"], i["simkit_over_numpy"]
    for (name, t), v in sorted(thr.items()):
        if t > 1 and (name, 1) in thr:
            rows.append(f"  speed-up {name} {t} vs 1 thread: {v / thr[(name, 1)]:.2f}x")
    for b, i in out["rng"]:
        rows.append(f"  raw draws/s on {i['threads']} thread(s): "
                    f"{_rate(i['draws_per_s'])}")
    for b, i in out["latency"]:
        rows.append(f"  one-stream latency ({i['scenario']}): "
                    f"{1e3 * b['stats']['min']:.2f} ms")
    for b, i in out["cli"]:
        rows.append(f"  simkit {i['command']:8s} {i['start']:4s} "
                    f"{i['paths']:>7,} paths: {b['stats']['min']:6.2f} s")
    for b, i in out["sweep"]:
        rows.append(f"  sweep {i['scenarios']:,} scenarios x {i['paths']} paths: "
                    f"{b['stats']['min']:6.1f} s ({i['ratio_to_batch']:.2f}x one "
                    f"simulate_batch per scenario-path)")
    for b, i in out["memory"]:
        rows.append(f"  peak memory {i['paths']:,} paths totals-only: "
                    f"{i['peak_rss_gib']:.2f} GiB ({i['seconds']:.1f} s)")
    for b, i in out.get("uncertainty", []):
        rows.append(f"  {i['scenario']} fixed {_rate(i['fixed_viewers_per_s'])}, "
                    f"shocks {_rate(i['shocks_viewers_per_s'])} "
                    f"({i['shocks_over_fixed']:.2f}x), shocks + 10 uncertain "
                    f"{_rate(i['uncertain_viewers_per_s'])} "
                    f"({i['uncertain_over_fixed']:.2f}x)")
    for b, i in out.get("live_features", []):
        before = (f", before {_rate(i['before_viewers_per_s'])} (off "
                  f"{i['off_over_before']:.2f}x)" if "off_over_before" in i else "")
        rows.append(f"  {i['scenario']} LIVE features off "
                    f"{_rate(i['off_viewers_per_s'])}{before}, subscriptions "
                    f"{i['subscriptions_over_off']:.2f}x, match "
                    f"{i['match_over_off']:.2f}x")
    return rows, gate


def uncertainty_ratio(data):
    """``uncertain_over_fixed`` of the uncertainty benchmark, or None.

    Examples
    --------
    >>> uncertainty_ratio({"benchmarks": []}) is None
    True
    """
    for b in data.get("benchmarks", []):
        info = b.get("extra_info", {})
        if info.get("kind") == "uncertainty":
            return info["uncertain_over_fixed"]
    return None


def features_off_ratio(data):
    """``off_over_before`` of the LIVE features benchmark, or None.

    Examples
    --------
    >>> features_off_ratio({"benchmarks": []}) is None
    True
    """
    for b in data.get("benchmarks", []):
        info = b.get("extra_info", {})
        if info.get("kind") == "live_features":
            return info.get("off_over_before")
    return None


def main(argv=None):
    """Print the table; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else _newest(".benchmarks")
    data = json.loads(path.read_text())
    rows, gate = table(data)
    mi = data.get("machine_info", {})
    print(f"benchmarks: {path}  ({mi.get('cpu', {}).get('brand_raw', '?')}, "
          f"{mi.get('cpu', {}).get('count', '?')} cpus)")
    print("\n".join(rows))
    if gate is None:
        print(f"gate: no {GATE_SCENARIO} throughput benchmark in {path}")
        return 2
    ok = gate >= MIN_MID_OVER_NUMPY
    print(f"gate: {GATE_SCENARIO} simkit/numpy = {gate:.1f} "
          f"({'>=' if ok else '<'} {MIN_MID_OVER_NUMPY}): {'PASS' if ok else 'FAIL'}")
    unc = uncertainty_ratio(data)
    if unc is not None:
        ok_u = unc >= MIN_UNCERTAIN_OVER_FIXED
        print(f"gate: {GATE_SCENARIO} shocks + 10 uncertain / fixed = {unc:.2f} "
              f"({'>=' if ok_u else '<'} {MIN_UNCERTAIN_OVER_FIXED}): "
              f"{'PASS' if ok_u else 'FAIL'}")
        ok = ok and ok_u
    off = features_off_ratio(data)
    if off is not None:
        ok_f = off >= MIN_FEATURES_OFF_OVER_BEFORE
        print(f"gate: {GATE_SCENARIO} LIVE features off / before = {off:.2f} "
              f"({'>=' if ok_f else '<'} {MIN_FEATURES_OFF_OVER_BEFORE}): "
              f"{'PASS' if ok_f else 'FAIL'}")
        ok = ok and ok_f
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
