"""``simkit bench FILE``: time a scenario warm and print viewers/s and time per path."""

from __future__ import annotations

import time

from . import common


def add_parser(sub):
    """Register ``bench``."""
    p = sub.add_parser(
        "bench", help="time your scenario: viewers/s and time per path",
        description="Simulate FILE (each variant, or the one named) once to load or "
        "compile the kernels, then time --repeat warm runs of --paths paths and print "
        "the best: seconds, simulated viewers per second and microseconds per path. "
        "Compare thread counts with --threads (see docs/benchmarks.md).")
    common.add_file(p)
    p.add_argument("--paths", type=common._positive_int, default=1000,
                   help="paths per timed run (default 1,000)")
    p.add_argument("--threads", type=common._positive_int, default=None,
                   help="numba threads (default: all cores)")
    p.add_argument("--repeat", type=common._positive_int, default=3,
                   help="timed runs; the best is reported (default 3)")
    p.add_argument("--seed", type=common._seed, default=0, help="root seed (default 0)")
    p.add_argument("--variant", default=None, help="time only this variant")
    p.set_defaults(func=main)


def _time(simulate, sc, args):
    simulate(sc, paths=min(args.paths, 8), seed=args.seed, threads=args.threads,
             progress=False)                       # load or compile: not timed
    best, res = float("inf"), None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = simulate(sc, paths=args.paths, seed=args.seed, threads=args.threads,
                       progress=False)
        best = min(best, time.perf_counter() - t0)
    return best, res


def main(args):
    """Run the command; return the exit status."""
    import numba

    from ..simulate import simulate

    sc = common.load(args)
    scenarios = common.variants_of(sc, [args.variant] if args.variant else None)
    threads = args.threads or numba.get_num_threads()
    print(f"simkit bench {args.file}: {args.paths:,} paths, {threads} thread(s), "
          f"best of {args.repeat}")
    print(f"{'scenario':28s} {'seconds':>8s} {'viewers/s':>12s} {'us/path':>10s} "
          f"{'viewers/path':>13s}")
    for s in scenarios:
        best, res = _time(simulate, s, args)
        viewers = float(res.totals["unique_viewers"].sum())
        print(f"{s.name[:28]:28s} {best:8.3f} {viewers / best:12,.0f} "
              f"{1e6 * best / args.paths:10.1f} {viewers / args.paths:13,.0f}")
    return 0
