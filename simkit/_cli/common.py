"""Flags and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import tempfile
import warnings
from pathlib import Path

from ..errors import SimkitError


#: Two or three examples per subcommand, shown at the end of its ``--help``. A
#: scenario may be a file or a bundled name (``simkit scenarios`` lists them).
EXAMPLES = {
    "run": ("simkit run mid_tier",
            "simkit run mid_tier --paths 50k --target 2000",
            "simkit run my_plan.toml --per-stream --out results/"),
    "validate": ("simkit validate my_plan.toml",
                 "simkit validate consistent_vs_adhoc"),
    "compare": ("simkit compare consistent_vs_adhoc",
                "simkit compare consistent_vs_adhoc --paths 1e5 "
                "--metric viewer_minutes"),
    "quote": ("simkit quote sponsorship_quote",
              "simkit quote sponsorship_quote --cpm 12 --levels 80,90,95"),
    "plot": ("simkit plot mid_tier --kind distribution -o income.png",
             "simkit plot consistent_vs_adhoc --kind compare -o compare.svg",
             "simkit plot mid_tier --kind fan --paths 20k -o fan.pdf"),
    "report": ("simkit report mid_tier -o mid_tier.html",
               "simkit report consistent_vs_adhoc -o plan.html --paths 20k"),
    "sweep": ("simkit sweep micro_sweep --out sweep/",
              "simkit sweep micro_sweep --design lhs --n 200 --paths 2k"),
    "sensitivity": ("simkit sensitivity micro_uncertain",
                    "simkit sensitivity micro_uncertain --method morris --n 16",
                    "simkit sensitivity micro_uncertain --metric viewer_minutes "
                    "--n 1024 --out sens/"),
    "fit": ("simkit fit my_lives.csv -o fitted.toml",
            "simkit fit export.csv --columns viewers=Viewers,diamonds=Diamonds "
            "-o fitted.toml --scenario mid_tier"),
    "backtest": ("simkit backtest my_lives.csv --holdout 12",
                 "simkit backtest my_lives.csv --holdout 6 --rolling 4 --out bt/"),
    "bench": ("simkit bench mid_tier",
              "simkit bench mid_tier --paths 1e5 --threads 4"),
    "scenarios": ("simkit scenarios",
                  "simkit scenarios mid_tier > my_plan.toml"),
    "init": ("simkit init",
             "simkit init --followers 25k --lives-per-week 3 --hours 19,21 "
             "-o plan.toml"),
}


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Wrap a one-paragraph description to the terminal; keep text laid out by
    hand (with line breaks: examples, glossaries) as it is."""

    def _fill_text(self, text, width, indent):
        if "\n" in text:
            return super()._fill_text(text, width, indent)
        return argparse.HelpFormatter._fill_text(self, text, width, indent)


def add_examples(p, name):
    """End the ``--help`` of subcommand ``name`` with its :data:`EXAMPLES`.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(prog="simkit run")
    >>> add_examples(p, "run")
    >>> print(p.format_help().rstrip().splitlines()[-1])
      simkit run my_plan.toml --per-stream --out results/
    """
    lines = EXAMPLES.get(name)
    if not lines:
        return
    p.epilog = (f"{p.epilog}\n\n" if p.epilog else "") + "examples:\n" + "\n".join(
        f"  {line}" for line in lines)
    p.formatter_class = HelpFormatter


_SUFFIX = {"k": 10 ** 3, "m": 10 ** 6}


def _positive_int(text):
    """argparse type: a positive integer below 2**63, written as people write counts.

    Accepts ``10000``, ``10_000``, ``10,000``, ``1e4``, ``10k`` and ``2.5M``;
    refuses a value that is not a whole number (``1.5``, ``1e-3``).

    Examples
    --------
    >>> [_positive_int(t) for t in ("10000", "10_000", "10,000", "1e4", "10k",
    ...                             "2.5M")]
    [10000, 10000, 10000, 10000, 10000, 2500000]
    >>> _positive_int("1.5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a positive whole number such as 10000, ... got '1.5'
    """
    from decimal import Decimal, InvalidOperation

    bad = argparse.ArgumentTypeError(
        f"expected a positive whole number such as 10000, 1e4 or 10k, got {text!r}")
    t = str(text).strip().replace("_", "").replace(",", "")
    mult = _SUFFIX.get(t[-1:].lower(), 1) if t else 1
    if mult != 1:
        t = t[:-1]
    try:
        d = Decimal(t) * mult
    except InvalidOperation:
        raise bad from None
    if not d.is_finite() or d != d.to_integral_value():
        raise bad
    v = int(d)
    if v < 1:
        raise bad
    if v >= 2 ** 63:   # counts and indices are int64 in the kernels
        raise argparse.ArgumentTypeError(f"expected a positive integer below 2**63, "
                                         f"got {text!r}")
    return v


def nonneg_int(text):
    """argparse type: an integer >= 0 (a seed, a 0-based index).

    Examples
    --------
    >>> nonneg_int("0"), nonneg_int("12345")
    (0, 12345)
    """
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
    return _float_from(text, lambda v: v > 0, "a positive number")


def nonneg_float(text):
    """argparse type: a finite number >= 0 (a price).

    Examples
    --------
    >>> nonneg_float("0"), nonneg_float("12.5")
    (0.0, 12.5)
    """
    return _float_from(text, lambda v: v >= 0, "a number >= 0")


def _float_from(text, ok, what):
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not ok(v) or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return v


def level_fraction(text):
    """argparse type of a confidence level: a fraction in (0, 1), or percent.

    Examples
    --------
    >>> level_fraction("0.9"), level_fraction("95")
    (0.9, 0.95)
    """
    v = positive_float(text)
    if v > 1:
        v /= 100.0
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"expected a level in (0, 1) or in percent, "
                                         f"got {text!r}")
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


#: Schemes of the addresses ``distributed.Client`` connects to (its comm
#: backends; ``host:port`` alone means ``tcp://host:port``).
SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "inproc", "ws", "wss")

_HOST = re.compile(r"[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.%A-Za-z]+\]")


def scheduler_address(text):
    """Parse a Dask scheduler address, for argparse (``--scheduler``).

    Accepted: ``host:port`` (meaning ``tcp://host:port``) and
    ``SCHEME://host:port`` for the schemes of :data:`SCHEDULER_SCHEMES` (an
    IPv6 host in brackets, ``[::1]:8786``), and ``inproc://ADDRESS``. Only the
    form is checked here; whether a scheduler answers is known on connecting.

    Examples
    --------
    >>> scheduler_address("tcp://10.0.0.5:8786"), scheduler_address("[::1]:8786")
    ('tcp://10.0.0.5:8786', '[::1]:8786')
    >>> scheduler_address("notanaddress")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a Dask scheduler address such as tcp://host:8786 or host:8786 (schemes: tcp, tls, ucx, inproc, ws, wss), got 'notanaddress'
    """
    scheme, sep, loc = text.partition("://")
    if not sep:
        scheme, loc = "tcp", text
    ok = scheme in SCHEDULER_SCHEMES and bool(loc) and not any(
        c.isspace() for c in text)
    if ok and scheme != "inproc":
        host, colon, port = loc.rpartition(":")
        ok = (bool(colon) and _HOST.fullmatch(host) is not None
              and port.isascii() and port.isdigit() and 0 < int(port) < 65536)
    if not ok:
        raise argparse.ArgumentTypeError(
            "expected a Dask scheduler address such as tcp://host:8786 or host:8786 "
            f"(schemes: {', '.join(SCHEDULER_SCHEMES)}), got {text!r}")
    return text


def _statistic(text):
    """Parse ``mean``, ``median`` or a quantile ``pNN`` (e.g. ``p5``), for argparse."""
    from ..analysis._precision import parse_statistic

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
    p.add_argument("file", metavar="FILE", help="scenario file (TOML), or the name "
                   "of a bundled scenario (`simkit scenarios` lists them)")


def add_run_options(p, *, paths=None):
    """--paths, --seed, --threads, --quiet (default paths: simulate's)."""
    if paths is None:
        from .._simulate import DEFAULT_PATHS as paths
    p.add_argument("--paths", type=_positive_int, default=paths,
                   help=f"Monte Carlo paths, e.g. 5000, 1e4 or 20k (default "
                   f"{paths:,})")
    p.add_argument("--seed", type=nonneg_int, default=0, help="root seed (default 0)")
    p.add_argument("--threads", type=_positive_int, default=None,
                   help="numba threads (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def backends():
    """The backends this machine can run: ``cpu``, ``dask``, and ``cuda`` with a GPU.

    Examples
    --------
    >>> backends()[:2]
    ('cpu', 'dask')
    """
    try:
        from numba import cuda

        gpu = bool(cuda.is_available())
    except Exception:  # noqa: BLE001 - no driver, no toolkit: no GPU backend
        gpu = False
    return ("cpu", "dask", "cuda") if gpu else ("cpu", "dask")


def add_backend(p):
    """--backend and --scheduler (``cuda`` only offered where a GPU can run it)."""
    names = backends()
    where = "in-process (default), Dask" + (", CUDA GPU" if "cuda" in names else "")
    p.add_argument("--backend", choices=names, default="cpu",
                   help=f"where kernels run: {where}")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   type=scheduler_address,
                   help="Dask scheduler address, e.g. tcp://host:8786 (needs "
                   "--backend dask; default: start a local cluster)")


def check_backend(args):
    """Refuse ``--scheduler`` without ``--backend dask`` (call before any work).

    Examples
    --------
    >>> import argparse
    >>> check_backend(argparse.Namespace(backend="cpu", scheduler="h:8786"))
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: --scheduler needs --backend dask
    """
    if args.scheduler is not None and args.backend != "dask":
        raise SimkitError("--scheduler needs --backend dask")


@contextlib.contextmanager
def backend_session(args):
    """Yield the ``scheduler`` for simulate(): one Dask client per command, or None."""
    check_backend(args)
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


def check_out_file(path, flag="-o"):
    """Check, before any work, that the output file ``path`` can be written.

    Its directory must exist and accept a new file (checked by creating and
    removing an empty temporary file there, as :func:`check_out_dir` does),
    and ``path`` must not be a directory or another non-regular file (a
    device, a pipe: the file is replaced by a rename).

    Parameters
    ----------
    path : str or Path
        The output file (it need not exist).
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
    >>> check_out_file(d / "fig.png") == d / "fig.png"
    True
    >>> check_out_file(d / "missing" / "fig.png")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: -o .../missing/fig.png: no directory .../missing
    >>> check_out_file(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: -o ...: is a directory
    """
    out = Path(path)
    parent = out.parent
    try:
        if out.is_dir():
            raise SimkitError(f"{flag} {path}: is a directory")
        if (out.exists() or out.is_symlink()) and not (out.is_file()
                                                       or out.is_symlink()):
            raise SimkitError(f"{flag} {path}: exists and is not a regular file")
        if not parent.is_dir():
            what = ("is not a directory" if parent.exists() or parent.is_symlink()
                    else "")
            raise SimkitError(f"{flag} {path}: {parent} {what}" if what
                              else f"{flag} {path}: no directory {parent}")
        fd, probe = tempfile.mkstemp(prefix=".simkit-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SimkitError(f"{flag} {path}: cannot write in {parent} "
                          f"({exc.strerror or exc})") from None
    return out


def check_new_file(path, flag):
    """Check, before any work, that the file ``path`` can be written, its
    directory perhaps still to be created (as ``--out DIR`` may be).

    ``path`` (str or Path) must not be a directory, and its directory must
    pass :func:`check_out_dir`; unlike :func:`check_out_file`, a missing
    directory is fine: it is made when the file is written. Returns ``path``
    as a Path; raises a one-line :class:`SimkitError` naming ``flag``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_new_file(d / "new" / "x.json", "--json") == d / "new" / "x.json"
    True
    >>> check_new_file(d, "--json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: --json ...: is a directory
    """
    out = Path(path)
    if out.is_dir():
        raise SimkitError(f"{flag} {path}: is a directory")
    check_out_dir(out.parent if str(out.parent) else Path("."), flag=flag)
    return out


@contextlib.contextmanager
def flag_errors(flags, texts=None):
    """Name command-line flags, not keyword arguments, in the errors raised inside.

    A library function's :class:`SimkitError` names a refused argument as
    ``` `name` ```; the command that called it with its flags' values
    reraises it with ``flags[name]`` (``--n``) in its place, still one line.

    Parameters
    ----------
    flags : dict of str -> str
        Keyword argument name -> its flag.
    texts : dict of str -> str, optional
        More replacements, text for text (``"method='sobol'"`` ->
        ``"--method sobol"``).

    Examples
    --------
    >>> with flag_errors({"paths": "--paths"}):
    ...     raise SimkitError("`paths` must be an integer >= 2, got 1")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: --paths must be an integer >= 2, got 1
    """
    try:
        yield
    except SimkitError as exc:
        msg = str(exc)
        for name, flag in flags.items():
            msg = msg.replace(f"`{name}`", flag)
        for text, flag in (texts or {}).items():
            msg = msg.replace(text, flag)
        if msg == str(exc):
            raise
        raise SimkitError(msg) from None


@contextlib.contextmanager
def output_file(path):
    """Yield a temporary path next to ``path``; move it into place on success.

    As :func:`simkit._io.atomic_path`, with any ``OSError`` (a full disk, a
    directory made read-only meanwhile) turned into one line naming ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with output_file(f) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> f.read_text()
    'hi'
    >>> with output_file(f) as tmp:
    ...     raise OSError(28, "No space left on device")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: cannot write .../x.txt: No space left on device
    """
    from .._io import atomic_path

    try:
        with atomic_path(path) as tmp:
            yield tmp
    except OSError as exc:
        raise SimkitError(f"cannot write {path}: {exc.strerror or exc}") from None


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


def threads_env_note():
    """Return the numba thread cap set by NUMBA_NUM_THREADS, if any."""
    return os.environ.get("NUMBA_NUM_THREADS")


def set_help(p, **helps):
    """Replace the help text of already added flags, by destination name.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_view_options(p)
    >>> set_help(p, details="print the full fit")
    >>> [a.help for a in p._actions if a.dest == "details"]
    ['print the full fit']
    """
    for action in p._actions:
        if action.dest in helps:
            action.help = helps[action.dest]


def add_view_options(p, *, details=True):
    """--details (the full statistical view) and --wide (tables past 80 columns).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_view_options(p)
    >>> a = p.parse_args(["--details", "--wide"])
    >>> a.details, a.wide
    (True, True)
    """
    if details:
        p.add_argument("--details", action="store_true",
                       help="print every statistic with its interval and the exact "
                       "statistical terms (mean ± standard error, quantiles ± "
                       "order-statistic interval, ...), each explained in one line")
    p.add_argument("--wide", action="store_true",
                   help="let tables run past 80 columns instead of leaving columns "
                   "out (the files with --out always have every column)")
