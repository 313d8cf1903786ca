"""Flags and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from ..errors import SimkitError


def _positive_int(text):
    try:
        v = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") \
            from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _seed(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") \
            from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return v


def positive_float(text):
    """argparse type: a finite number > 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") \
            from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


def add_precision_options(p, what):
    """--precision REL | --precision-abs X, --batch, --max-paths."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--precision", type=positive_float, default=None, metavar="REL",
                   help=f"add path batches until the 95%% interval of {what} is within "
                   "±REL relative (e.g. 0.02); then --paths is the batch size")
    g.add_argument("--precision-abs", type=positive_float, default=None, metavar="X",
                   help=f"like --precision, with an absolute half-width X for {what}")
    p.add_argument("--max-paths", type=_positive_int, default=None, metavar="N",
                   help="limit of a precision run (default 100 batches)")


def add_file(p):
    """The positional scenario FILE."""
    p.add_argument("file", metavar="FILE", help="scenario file (TOML)")


def add_run_options(p, *, paths=10_000):
    """--paths, --seed, --threads, --quiet."""
    p.add_argument("--paths", type=_positive_int, default=paths,
                   help=f"Monte Carlo paths (default {paths:,})")
    p.add_argument("--seed", type=_seed, default=0, help="root seed (default 0)")
    p.add_argument("--threads", type=_positive_int, default=None,
                   help="numba threads (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_backend(p):
    """--backend and --scheduler."""
    p.add_argument("--backend", choices=("cpu", "dask", "cuda"), default="cpu",
                   help="where kernels run: in-process (default), Dask, CUDA GPU")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="Dask scheduler address (default: start a local cluster)")


@contextlib.contextmanager
def backend_session(args):
    """Yield the ``scheduler`` for simulate(): one Dask client per command, or None."""
    if args.scheduler is not None and args.backend != "dask":
        raise SimkitError("--scheduler needs --backend dask")
    if args.backend != "dask":
        yield None
        return
    from ..backends.dask import client_for

    with client_for(args.scheduler) as client:
        yield client


def add_out(p, what="results"):
    """--out DIR."""
    p.add_argument("--out", metavar="DIR", default=None,
                   help=f"directory to write {what} to (atomically)")


def progress_flag(args):
    """None (auto: only on a terminal) unless --quiet."""
    return False if getattr(args, "quiet", False) else None


def load(args):
    """Load the scenario named by ``args.file``."""
    from ..scenario import load_scenario

    return load_scenario(args.file)


def out_dir(args):
    """The --out directory as a Path, refusing an existing plain file."""
    if args.out is None:
        return None
    d = Path(args.out)
    if d.exists() and not d.is_dir():
        raise SimkitError(f"--out {args.out}: exists and is not a directory")
    return d


def variants_of(scenario, names=None):
    """Scenario objects for the named variants (all, or the base if none)."""
    if names:
        return [scenario.variant(n) for n in names]
    if scenario.variants:
        return [scenario.variant(n) for n in scenario.variants]
    return [scenario]


def threads_env_note():
    """Return the numba thread cap set by NUMBA_NUM_THREADS, if any."""
    return os.environ.get("NUMBA_NUM_THREADS")
