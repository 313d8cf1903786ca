"""``simkit fit HISTORY.csv -o FITTED.toml``: fit a scenario to a LIVE history."""

from __future__ import annotations

from ..errors import SimkitError
from . import common


def add_parser(sub):
    """Register ``fit``."""
    p = sub.add_parser(
        "fit", help="fit a scenario to a LIVE history",
        description="Estimate the join rate, feed discovery rate, stream-shock sigma "
        "and rho, dwell median, gift-rate scale and follow probability from a LIVE "
        "history CSV (one row per LIVE), each with its standard error, and write a "
        "scenario whose fitted keys are distributions (docs/calibration.md).")
    p.add_argument("history", metavar="HISTORY.csv", help="LIVE history (CSV)")
    p.add_argument("-o", "--output", metavar="FITTED.toml", required=True,
                   help="scenario file to write (atomically)")
    p.add_argument("--scenario", metavar="BASE.toml", default=None,
                   help="base scenario: keys the history cannot identify keep its "
                   "values, and its schedule is the forecast's (default: the "
                   "built-in defaults and the creator's usual slots)")
    p.add_argument("--columns", metavar="NAME=HEADER,...", default=None,
                   help='headers of an export with other names, e.g. '
                   'viewers="Total viewers",diamonds=Diamonds')
    p.add_argument("--replay", action="store_true",
                   help="write the replay scenario (the history's own LIVEs as an "
                   "explicit schedule) instead of the forecast")
    p.add_argument("--json", metavar="FILE", default=None,
                   help="also write the estimates, errors and correlations as JSON")
    p.add_argument("--paths", type=common._positive_int, default=200,
                   help="simulated paths per trial (default 200)")
    p.add_argument("--seed", type=common.nonneg_int, default=0,
                   help="root seed (default 0)")
    p.add_argument("--threads", type=common._positive_int, default=None,
                   help="numba threads (default: all cores)")
    common.add_view_options(p)
    common.set_help(
        p, details="print the full fit: scenario keys, estimate ± standard error, "
        "90%% interval and what informed each, every correlation and every key not "
        "fitted",
        wide="keep the 'from' column (what informed each estimate) past 80 columns")
    p.set_defaults(func=main)


def main(args):
    """Run the command; return the exit status."""
    from ..calibrate import fit, parse_columns, read_history
    from ..scenario import load_scenario

    if not 10 <= args.paths <= 100_000:
        raise SimkitError(f"fit: --paths must be in [10, 100000], got {args.paths}")
    out = common.check_new_file(args.output, "-o")
    if out.suffix != ".toml":
        raise SimkitError(f"-o {out}: expected a .toml file name")
    js = common.check_new_file(args.json, "--json") if args.json else None
    columns = parse_columns(args.columns) if args.columns else None
    base = load_scenario(args.scenario) if args.scenario else None
    hist = read_history(args.history, columns=columns)
    if args.threads:
        import numba

        numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    res = fit(hist, scenario=base, seed=args.seed, paths=args.paths)
    print(res.table(details=args.details, wide=args.wide))
    res.to_toml(out, replay=args.replay)
    if js is not None:
        from .._io import write_json

        write_json(js, res.to_dict())
    print(f"wrote {out} ({'replay' if args.replay else 'forecast'} scenario; "
          f"{len(res.keys)} fitted settings as distributions)")
    return 0
