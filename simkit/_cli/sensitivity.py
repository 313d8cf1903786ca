"""``simkit sensitivity FILE``: Sobol' indices or Morris screening of the inputs."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import common

#: Parent of the default output directory, ``out/<scenario name>-sensitivity``.
DEFAULT_OUT_ROOT = Path("out")


def _conf_level(text):
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not 0.5 <= v < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0.5, 1), got {text!r}")
    return v


def add_parser(sub):
    """Register ``sensitivity``."""
    from ..analysis._sobol import DEFAULT_N, DEFAULT_PATHS

    p = sub.add_parser(
        "sensitivity",
        help="Sobol' indices or Morris screening of the uncertain inputs",
        description="How much of the spread of a metric's mean does each uncertain "
        "input explain, alone (S1) and with its interactions (ST)? Runs SALib's "
        "Saltelli design over the file's uncertain inputs (or its [sweep] ranges), "
        "simulates every design point in vectorized chunks on the same random numbers, "
        "prints the indices with bootstrap intervals, largest total effect first, and "
        "writes sensitivity.csv, sensitivity.json and sensitivity.png to --out DIR "
        "(default out/NAME-sensitivity). Each finished chunk is saved there; --resume "
        "continues an interrupted run. Files with [correlations] are refused.")
    common.add_file(p)
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol",
                   help="sobol: S1/ST indices (default); morris: mu*/sigma screening, "
                   "cheaper for many inputs")
    p.add_argument("--n", type=common._positive_int, default=None, metavar="N",
                   help=f"base samples, a power of 2 (sobol, default "
                   f"{DEFAULT_N['sobol']}) or trajectories (morris, default "
                   f"{DEFAULT_N['morris']})")
    p.add_argument("--metric", default="income_total",
                   help="per-path total analysed (default income_total)")
    p.add_argument("--paths", type=common._positive_int, default=DEFAULT_PATHS,
                   help=f"paths averaged per design point (default {DEFAULT_PATHS})")
    p.add_argument("--seed", type=common.nonneg_int, default=0,
                   help="seed of the design, the bootstrap and the simulation "
                   "(default 0)")
    p.add_argument("--second-order", action="store_true",
                   help="also estimate S2 of every pair (sobol; N (2D + 2) points)")
    p.add_argument("--conf-level", type=_conf_level, default=0.95, metavar="P",
                   help="level of the bootstrap intervals (default 0.95)")
    p.add_argument("--resamples", type=common._positive_int, default=200,
                   help="bootstrap resamples (default 200)")
    p.add_argument("--levels", type=common._positive_int, default=4,
                   help="grid levels of the Morris design, even (default 4)")
    p.add_argument("--variant", default=None, help="analyse this variant")
    p.add_argument("--threads", type=common._positive_int, default=None,
                   help="numba threads (default: all cores)")
    p.add_argument("--backend", choices=("cpu", "dask"), default="cpu",
                   help="cpu: in this process (default); dask: on a Dask cluster")
    p.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="Dask scheduler address (default with --backend dask: a "
                   "local cluster)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="directory for the results and the checkpoint (default "
                   "out/NAME-sensitivity, NAME the scenario name)")
    p.add_argument("--resume", action="store_true",
                   help="continue the interrupted analysis in the output directory")
    p.add_argument("--chunk-scenarios", type=common._positive_int, default=None,
                   metavar="K", help="design points per vectorized call and "
                   "checkpoint chunk (default: about 65,536 point-paths)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    common.add_view_options(p)
    common.set_help(p, details="print the full indices: scenario keys, S1 and ST "
                    "(or mu*, mu and sigma) with their bootstrap half-widths, the "
                    "design's size and the noise share")
    p.set_defaults(func=main)


def _out_dir(args, scenario):
    from ..errors import SimkitError
    from .._names import file_stem

    out = common.out_dir(args)
    if out is None:
        out = DEFAULT_OUT_ROOT / f"{file_stem(scenario.name)}-sensitivity"
        try:
            common.check_out_dir(out, flag="output directory")
        except SimkitError as exc:
            raise SimkitError(f"{exc} (choose another with --out DIR)") from None
    return out


def main(args):
    """Run the command; return the exit status."""
    from .._io import atomic_path
    from ..analysis import sensitivity
    from ..errors import SimkitError
    from ..plotting import sensitivity_indices

    sc = common.load(args)
    if args.scheduler is not None and args.backend != "dask":
        raise SimkitError("--scheduler needs --backend dask")
    kw = dict(method=args.method, n=args.n, metric=args.metric, paths=args.paths,
              seed=args.seed, second_order=args.second_order,
              conf_level=args.conf_level, resamples=args.resamples,
              num_levels=args.levels, chunk_scenarios=args.chunk_scenarios)
    flags = {"n": "--n", "metric": "--metric", "paths": "--paths",
             "second_order": "--second-order", "resamples": "--resamples",
             "num_levels": "--levels", "conf_level": "--conf-level"}
    out = _out_dir(args, sc)
    # sensitivity checks every flag and the scenario's inputs before it writes.
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with common.flag_errors(flags, {"method='sobol'": "--method sobol"}):
                res = sensitivity(sc, variant=args.variant, backend=args.backend,
                                  scheduler=args.scheduler, threads=args.threads,
                                  out=out, resume=args.resume,
                                  progress=common.progress_flag(args), **kw)
    except KeyboardInterrupt:
        print(f"simkit: finished chunks are saved in {out}/chunks; run the same "
              "command with --resume to continue", file=sys.stderr)
        raise
    # The files first: printing may fail (a closed pipe), the results must be on disk.
    res.to_csv(out / "sensitivity.csv")
    res.to_json(out / "sensitivity.json")
    fig = sensitivity_indices(res).figure
    with atomic_path(out / "sensitivity.png") as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    m = res.metadata
    print(res.render(details=args.details, wide=args.wide))
    common.emit_notes(caught)
    print(f"Took {m['elapsed_s']:.1f} s, backend {m['backend']}"
          + (f", {m['chunks_loaded']} of {m['chunks']} chunks resumed"
             if m["chunks_loaded"] else ""))
    print(f"wrote sensitivity.csv, sensitivity.json, sensitivity.png to {out}/")
    return 0
