"""Flags and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import tempfile
import warnings
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
    if v >= 2 ** 63:   # counts and indices are int64 in the kernels
        raise argparse.ArgumentTypeError(f"expected a positive integer below 2**63, "
                                         f"got {text!r}")
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


def finite_float(text):
    """Parse a finite number, for argparse (``nan``, ``inf`` are refused).

    Examples
    --------
    >>> finite_float("2000"), finite_float("-1.5")
    (2000.0, -1.5)
    >>> finite_float("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a finite number, got 'nan'
    """
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return v


def _statistic(text):
    """Parse ``mean``, ``median`` or a quantile ``pNN`` (e.g. ``p5``), for argparse."""
    from ..analysis.precision import parse_statistic

    try:
        return parse_statistic(text)
    except SimkitError:
        raise argparse.ArgumentTypeError(
            f"expected mean, median or pNN (e.g. p5, p95), got {text!r}") from None


def statistic_name(statistic, metric):
    """Readable name of a precision statistic: ``mean income_total``, ``P5 of ...``.

    Examples
    --------
    >>> statistic_name("mean", "income_total"), statistic_name(0.05, "gifts")
    ('mean income_total', 'P5 of gifts')
    """
    if statistic == "mean":
        return f"mean {metric}"
    return f"P{statistic * 100:g} of {metric}"


def add_precision_options(p, what, *, statistic=False):
    """Add --precision REL | --precision-abs X and --max-paths to a parser.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The subcommand's parser.
    what : str
        What the target applies to, for the help text.
    statistic : bool
        Also add --metric M and --statistic S (``mean``, ``median``, ``pNN``),
        choosing the statistic a precision run targets; read them with
        :func:`precision_statistic`.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_precision_options(p, "the mean", statistic=True)
    >>> a = p.parse_args(["--precision", "0.01", "--statistic", "p95"])
    >>> a.precision, a.statistic, a.metric
    (0.01, 0.95, None)
    """
    g = p.add_mutually_exclusive_group()
    g.add_argument("--precision", type=positive_float, default=None, metavar="REL",
                   help=f"add path batches until the 95%% interval of {what} is within "
                   "±REL relative (e.g. 0.02); then --paths is the batch size")
    g.add_argument("--precision-abs", type=positive_float, default=None, metavar="X",
                   help=f"like --precision, with an absolute half-width X for {what}")
    p.add_argument("--max-paths", type=_positive_int, default=None, metavar="N",
                   help="limit of a precision run (default 100 batches)")
    if statistic:
        from ..metrics import TOTALS

        p.add_argument("--metric", default=None, choices=TOTALS, metavar="M",
                       help="per-path total a precision run targets (default "
                       "income_total)")
        p.add_argument("--statistic", type=_statistic, default=None, metavar="S",
                       help="statistic of --metric a precision run targets: mean "
                       "(default), median or a quantile pNN such as p5 or p95")


def precision_statistic(args):
    """Return ``(metric, statistic)`` of a precision run from --metric/--statistic.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments of a parser set up by
        ``add_precision_options(..., statistic=True)``.

    Returns
    -------
    metric : str
        Default ``"income_total"``.
    statistic : str or float
        ``"mean"`` (default) or a quantile level.

    Raises
    ------
    SimkitError
        If --metric or --statistic is given without --precision or
        --precision-abs (it would be ignored).

    Examples
    --------
    >>> import argparse
    >>> a = argparse.Namespace(command="run", metric=None, statistic=0.05,
    ...                        precision=0.01, precision_abs=None)
    >>> precision_statistic(a)
    ('income_total', 0.05)
    """
    metric, stat = getattr(args, "metric", None), getattr(args, "statistic", None)
    if (metric is not None or stat is not None) and not (
            args.precision or args.precision_abs):
        flag = "--metric" if metric is not None else "--statistic"
        raise SimkitError(f"{args.command}: {flag} needs --precision or "
                          "--precision-abs")
    return metric or "income_total", "mean" if stat is None else stat


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
    from ..backends import session

    with session(args.backend, args.scheduler) as scheduler:
        yield scheduler


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


def check_out_dir(path, flag="--out"):
    """Check, before any work, that ``path`` can be (or is) a writable directory.

    The path must not be an existing file, and its nearest existing ancestor
    must be a directory in which a file can be created (checked by creating
    and removing an empty temporary file, which also catches read-only and
    virtual file systems, and works for root).

    Parameters
    ----------
    path : str or Path
        The output directory (it need not exist).
    flag : str
        Flag named in the error message.

    Returns
    -------
    Path

    Raises
    ------
    SimkitError
        One line naming the flag, the path and what is wrong.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_out_dir(d / "new" / "sub") == d / "new" / "sub"
    True
    >>> _ = (d / "afile").write_text("x")
    >>> check_out_dir(d / "afile" / "sub")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: --out .../afile/sub: .../afile is not a directory
    """
    d = base = Path(path)
    try:
        if d.exists() or d.is_symlink():
            if not d.is_dir():
                raise SimkitError(f"{flag} {path}: exists and is not a directory")
        else:
            base = d.parent
            while not (base.exists() or base.is_symlink()) and base != base.parent:
                base = base.parent
            if not base.is_dir():
                raise SimkitError(f"{flag} {path}: {base} is not a directory")
        fd, probe = tempfile.mkstemp(prefix=".simkit-probe-", dir=base)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SimkitError(f"{flag} {path}: cannot write in {base} "
                          f"({exc.strerror or exc})") from None
    return d


def out_dir(args):
    """Return the --out directory as a Path (None without --out), checked up front.

    See :func:`check_out_dir`: an existing file, a file among its parents or
    an unwritable location is a one-line :class:`SimkitError` before anything
    is simulated.

    Examples
    --------
    >>> import argparse
    >>> out_dir(argparse.Namespace(out=None)) is None
    True
    """
    if args.out is None:
        return None
    return check_out_dir(args.out)


def emit_notes(caught):
    """Print caught LowPrecisionWarnings as one ``note:`` line each (stdout).

    Other warnings are re-issued unchanged.

    Examples
    --------
    >>> import warnings
    >>> from simkit.errors import LowPrecisionWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn(LowPrecisionWarning("target not met"))
    >>> emit_notes(caught)
    note: target not met
    """
    from ..errors import LowPrecisionWarning

    for w in caught:
        if issubclass(w.category, LowPrecisionWarning):
            print(f"note: {w.message}")
        else:  # pragma: no cover - passed through unchanged
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


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
