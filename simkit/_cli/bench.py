"""``simkit bench FILE``: time a scenario warm and print viewers/s and time per path."""

from __future__ import annotations

import time

from . import common

#: Columns of ``bench.csv`` (one row per timed scenario or variant).
CSV_COLUMNS = ("scenario", "variant", "paths", "threads", "repeat", "seed", "seconds",
               "viewers_per_s", "us_per_path", "viewers_per_path", "simkit_version")


def add_parser(sub):
    """Register ``bench`` with the subparsers ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``simkit`` subparsers.

    Examples
    --------
    >>> from simkit.cli import make_parser
    >>> make_parser().parse_args(["bench", "x.toml", "--out", "b"]).out
    'b'
    """
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
    p.add_argument("--seed", type=common.nonneg_int, default=0,
                   help="root seed (default 0)")
    p.add_argument("--variant", default=None, help="time only this variant")
    common.add_out(p, "bench.json and bench.csv")
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


def machine_info():
    """Describe this machine for a benchmark record (no host name).

    Examples
    --------
    >>> sorted(machine_info())
    ['cpus', 'machine', 'numba', 'numpy', 'platform', 'processor', 'python']
    """
    import os
    import platform

    import numba
    import numpy

    return {"platform": platform.platform(), "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "numba": numba.__version__}


def _csv_text(rows):
    from .._present import csv_text

    return csv_text(CSV_COLUMNS, [[r[k] for k in CSV_COLUMNS] for r in rows])


def main(args):
    """Run the command; return the exit status.

    Prints one line of timings per scenario or variant; with --out writes
    ``bench.json`` and ``bench.csv`` as one set.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``simkit bench`` arguments.

    Returns
    -------
    int
        0 (errors raise :class:`~simkit.errors.SimkitError`).

    Examples
    --------
    >>> from simkit.cli import make_parser
    >>> args = make_parser().parse_args(["bench", "scenarios/micro.toml", "--paths",
    ...                                  "10", "--repeat", "1"])
    >>> main(args)  # doctest: +ELLIPSIS
    simkit bench scenarios/micro.toml: 10 paths, ... thread(s), best of 1
    scenario ...
    micro ...
    0
    """
    import numba

    from .._io import atomic_files, atomic_write_text, write_json
    from ..scenario import choose_variants
    from .._version import __version__
    from .. import simulate

    sc = common.load(args)
    out = common.out_dir(args)
    scenarios = [s for _, s in choose_variants(
        sc, [args.variant] if args.variant else None, minimum=1)]
    threads = args.threads or numba.get_num_threads()
    print(f"simkit bench {args.file}: {args.paths:,} paths, {threads} thread(s), "
          f"best of {args.repeat}")
    print(f"{'scenario':28s} {'seconds':>8s} {'viewers/s':>12s} {'us/path':>10s} "
          f"{'viewers/path':>13s}")
    rows = []
    for s in scenarios:
        best, res = _time(simulate, s, args)
        viewers = float(res.totals["unique_viewers"].sum())
        print(f"{s.name[:28]:28s} {best:8.3f} {viewers / best:12,.0f} "
              f"{1e6 * best / args.paths:10.1f} {viewers / args.paths:13,.0f}")
        rows.append({"scenario": sc.name, "variant": s.variant_name,
                     "paths": args.paths, "threads": threads, "repeat": args.repeat,
                     "seed": args.seed, "seconds": best,
                     "viewers_per_s": viewers / best,
                     "us_per_path": 1e6 * best / args.paths,
                     "viewers_per_path": viewers / args.paths,
                     "simkit_version": __version__})
    if out is not None:
        record = {"file": str(args.file), "simkit_version": __version__,
                  "paths": args.paths, "threads": threads, "repeat": args.repeat,
                  "seed": args.seed, "machine": machine_info(),
                  "runs": [{k: v for k, v in r.items() if k != "simkit_version"}
                           for r in rows]}
        with atomic_files(out) as files:
            files.write("bench.json", lambda p: write_json(p, record))
            files.write("bench.csv", lambda p: atomic_write_text(p, _csv_text(rows)))
        print(f"wrote 2 files to {out}/")
    return 0
