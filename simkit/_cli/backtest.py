"""``simkit backtest HISTORY.csv --holdout K``: are the fitted intervals honest?"""

from __future__ import annotations

import argparse

from . import common

_PATHS = 1000


def _splits_arg(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of splits >= 2, got "
                                         f"{text!r}") from None
    if v < 2:
        raise argparse.ArgumentTypeError(f"expected a number of splits >= 2, got "
                                         f"{text!r}")
    return v


def add_parser(sub):
    """Register ``backtest``."""
    from ..calibrate._backtest import ROLLING_SPLITS

    p = sub.add_parser(
        "backtest", help="score a fitted scenario on held-out LIVEs",
        description="Fit a scenario on all but the last K LIVEs of a history, "
        "simulate those K LIVEs at their real start times and lengths, and report "
        "for viewers, viewer-minutes, peak viewers and diamonds how many fell inside "
        "the 50%, 80% and 90% prediction intervals (with the binomial standard "
        "error), the PIT histogram and the mean interval width. --rolling repeats "
        "it on earlier blocks of K LIVEs and pools the scores.")
    p.add_argument("file", metavar="HISTORY", help="LIVE history (CSV)")
    p.add_argument("--holdout", type=common._positive_int, required=True,
                   metavar="K", help="LIVEs held out (per split)")
    p.add_argument("--rolling", type=_splits_arg, nargs="?", const=ROLLING_SPLITS,
                   default=None, metavar="N",
                   help=f"rolling origin: N splits of K LIVEs (default N = "
                   f"{ROLLING_SPLITS})")
    p.add_argument("--scenario", default=None, metavar="FILE",
                   help="starting scenario of each fit (TOML; default: the model's "
                   "defaults)")
    p.add_argument("--columns", default=None, metavar="MAP",
                   help='header of each column in the file, e.g. '
                   'viewers="Total viewers",diamonds=Diamonds')
    common.add_run_options(p, paths=_PATHS)
    common.set_help(
        p, paths=f"simulated paths per held-out LIVE (default {_PATHS:,})")
    p.add_argument("--json", default=None, metavar="FILE",
                   help="also write the scores as JSON to FILE (atomically)")
    common.add_view_options(p)
    common.set_help(p, details="print the full scores: coverage ± standard error "
                    "against the nominal level ± its tolerance, and the PIT "
                    "histograms")
    common.add_out(p, "backtest.json and backtest.csv (one row per LIVE and metric)")
    p.set_defaults(func=main)


def main(args):
    """Run the command; return the exit status."""
    from .._io import atomic_write_text, write_json
    from ..calibrate import backtest, read_history

    out = common.out_dir(args)
    js = common.check_new_file(args.json, "--json") if args.json else None
    sc = common.load(argparse.Namespace(file=args.scenario)) if args.scenario else None
    h = read_history(args.file, columns=args.columns)
    rolling = args.rolling if args.rolling is not None else False
    # backtest checks its arguments before it fits: nothing is written on bad input
    r = backtest(h, holdout=args.holdout, rolling=rolling, scenario=sc,
                 paths=args.paths, seed=args.seed, threads=args.threads,
                 progress=common.progress_flag(args))
    print(r.render(details=args.details, wide=args.wide))
    if js is not None:
        write_json(js, r.to_dict())
        print(f"wrote {js}")
    if out is not None:
        write_json(out / "backtest.json", r.to_dict())
        atomic_write_text(out / "backtest.csv", r.csv_text())
        print(f"wrote 2 files to {out}/")
    return 0
