"""``simkit sweep FILE``: simulate every scenario of a ``[sweep]`` design."""

from __future__ import annotations

import sys
from pathlib import Path

from . import common

#: Parent of the default output directory, ``out/<scenario name>-sweep``.
DEFAULT_OUT_ROOT = Path("out")


def add_parser(sub):
    """Register ``sweep``."""
    p = sub.add_parser(
        "sweep", help="simulate a grid or random design of scenarios",
        description="Vary the numeric keys of the file's [sweep] table over their "
        "ranges (grid, Latin hypercube or Sobol' design), simulate every scenario in "
        "vectorized chunks and write one row per scenario (parameters, mean, "
        "standard error, P5/P50/P95 of each metric) to sweep.csv and, with "
        "pyarrow, sweep.parquet in --out DIR (default out/NAME-sweep, NAME the "
        "scenario name). Each finished chunk is saved there as it completes; "
        "--resume continues an interrupted run.")
    common.add_file(p)
    p.add_argument("--design", choices=("grid", "lhs", "sobol"), default=None,
                   help="design (default: the file's sweep.design)")
    p.add_argument("--n", type=common._positive_int, default=None, metavar="N",
                   help="scenarios (lhs, sobol) or points per axis (grid) "
                   "(default: the file's sweep.n)")
    p.add_argument("--paths", type=common._positive_int, default=None,
                   help="paths per scenario (default: the file's sweep.paths)")
    p.add_argument("--seed", type=common.nonneg_int, default=0,
                   help="root seed of the design and the simulation (default 0)")
    p.add_argument("--threads", type=common._positive_int, default=None,
                   help="numba threads (default: all cores)")
    p.add_argument("--backend", choices=("cpu", "dask"), default="cpu",
                   help="cpu: in this process (default); dask: on a Dask cluster")
    p.add_argument("--scheduler", default=None, metavar="ADDR",
                   type=common.scheduler_address,
                   help="Dask scheduler address, e.g. tcp://host:8786 (default with "
                   "--backend dask: a local cluster of 2 worker processes)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="directory to write sweep.csv, sweep.parquet and the "
                   "checkpoint to, atomically (default out/NAME-sweep in the "
                   "current directory, NAME the scenario name)")
    p.add_argument("--resume", action="store_true",
                   help="continue the interrupted sweep in the output directory "
                   "(only missing chunks are simulated)")
    p.add_argument("--chunk-scenarios", type=common._positive_int, default=None,
                   metavar="K", help="scenarios per vectorized call and checkpoint "
                   "chunk (default: about 65,536 scenario-paths)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    common.add_view_options(p, details=False)
    p.set_defaults(func=main)


def default_out(scenario):
    """The output directory without ``--out``: ``out/<scenario name>-sweep``.

    Relative to the current directory; the name is made a safe file name by
    :func:`simkit._names.file_stem` (characters other than letters, digits,
    ``_``, ``.`` and ``-`` become ``_``, as does a leading dot).

    Examples
    --------
    >>> import simkit
    >>> sc = simkit.load_scenario("scenarios/micro_sweep.toml")
    >>> default_out(sc).as_posix()
    'out/micro_sweep-sweep'
    """
    from .._names import file_stem

    return DEFAULT_OUT_ROOT / f"{file_stem(scenario.name)}-sweep"


def _out_dir(args, scenario):
    """--out DIR, or the default directory; checked before simulating."""
    from ..errors import SimkitError

    out = common.out_dir(args)
    if out is None:
        out = default_out(scenario)
        try:
            common.check_out_dir(out, flag="output directory")
        except SimkitError as exc:
            raise SimkitError(f"{exc} (choose another with --out DIR)") from None
    return out


def _write(res, out):
    """Write sweep.csv (always) and sweep.parquet (with pyarrow).

    Returns the names written and the notes to print.
    """
    from ..errors import SimkitError

    written, notes = [], []
    for name, write in (("sweep.csv", res.to_csv), ("sweep.parquet", res.to_parquet)):
        try:
            write(out / name)
        except OSError as exc:  # a full disk, say
            raise SimkitError(f"cannot write {out / name}: {exc.strerror or exc}") \
                from None
        except SimkitError as exc:
            if name == "sweep.csv":
                raise
            notes.append(f"note: {exc}")  # no pyarrow
        else:
            written.append(name)
    return written, notes


def main(args):
    """Run the command; return the exit status."""
    from .. import run_sweep

    common.check_backend(args)
    sc = common.load(args)
    out = _out_dir(args, sc)
    try:
        res = run_sweep(sc, design=args.design, n=args.n, paths=args.paths,
                        seed=args.seed, backend=args.backend,
                        scheduler=args.scheduler, threads=args.threads, out=out,
                        resume=args.resume, chunk_scenarios=args.chunk_scenarios,
                        progress=common.progress_flag(args))
    except KeyboardInterrupt:
        print(f"simkit: finished chunks are saved in {out}/chunks; run the same "
              "command with --resume to continue", file=sys.stderr)
        raise
    # The files first: printing may fail (a closed pipe, as in `... | head -1`),
    # and the results must be on disk by then.
    written, notes = _write(res, out)
    print(res.render(sc, wide=args.wide))
    for note in notes:
        print(note)
    print(f"wrote {', '.join(written)} to {out}/")
    return 0
