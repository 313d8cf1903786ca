"""``simkit report FILE -o report.html``: a self-contained HTML report."""

from __future__ import annotations

from . import common

_PATHS = 2000


def add_parser(sub):
    """Register ``report``."""
    p = sub.add_parser(
        "report", help="write a self-contained HTML report",
        description="Simulate a scenario and write one HTML file (figures embedded, "
        "no network needed): summary tables, income by source, the income "
        "distribution, a fan chart, concurrent viewers, a tornado chart of the main "
        "inputs, and a comparison of variants and a sponsorship quote when the file "
        "defines them.")
    common.add_file(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the HTML file to write (atomically)")
    common.add_run_options(p, paths=_PATHS)
    common.add_backend(p)
    p.add_argument("--variant", default=None,
                   help="report on this variant (the comparison covers all)")
    p.add_argument("--target", type=common.finite_float, default=None, metavar="USD",
                   help="report P(income_total > USD) with its standard error (USD "
                   "finite)")
    p.add_argument("--history", default=None, metavar="CSV",
                   help="add a Calibration section: this LIVE history against the "
                   "scenario, and a backtest of its last LIVEs")
    p.add_argument("--holdout", type=common._positive_int, default=None, metavar="K",
                   help="LIVEs the backtest holds out (default a fifth; needs "
                   "--history)")
    p.add_argument("--tornado-paths", type=common._positive_int, default=None,
                   metavar="N", help="paths per run of the tornado (default "
                   "paths / 10, at least 100)")
    p.set_defaults(func=main)


def main(args):
    """Run the command; return the exit status."""
    from ..errors import SimkitError
    from .. import build_report

    from .._report import _history_iv

    for flag, v in (("--paths", args.paths), ("--tornado-paths", args.tornado_paths)):
        if v is not None and v < 2:  # quantiles and the tornado need two paths
            raise SimkitError(f"report: argument {flag}: expected an integer >= 2, "
                              f"got '{v}'")
    common.check_backend(args)
    out = common.check_out_file(args.output)
    sc = common.load(args)
    history, holdout = _history_iv(args.history, args.holdout)
    with common.backend_session(args) as scheduler:  # one client for the report
        try:
            out = build_report(sc, paths=args.paths, seed=args.seed,
                               out_path=out, variant=args.variant,
                               target=args.target, tornado_paths=args.tornado_paths,
                               threads=args.threads,
                               progress=common.progress_flag(args),
                               backend=args.backend, scheduler=scheduler,
                               history=history, holdout=holdout)
        except OSError as exc:
            raise SimkitError(f"cannot write {out}: {exc.strerror or exc}") from None
    size = out.stat().st_size
    print(f"wrote {out} ({size / 1e6:.1f} MB)")
    return 0
