"""``simkit compare FILE``: compare variants on common random numbers."""

from __future__ import annotations

import warnings

from . import common


def add_parser(sub):
    """Register ``compare``."""
    from ..metrics import TOTALS

    p = sub.add_parser(
        "compare", help="compare variants on common random numbers",
        description="Simulate two or more variants of a scenario with the same luck "
        "(the same viewer draws on each run wherever the model allows: common random "
        "numbers) and say, in plain words, which earns more, by how much and how "
        "often: the low, typical and high figures side by side, and for each pair the "
        "average difference with its range. --details adds the paired standard "
        "error, P(one beats the other), P(tie), the gain from common random numbers "
        "and first-order stochastic dominance.")
    common.add_file(p)
    p.add_argument("--variants", default=None, metavar="A,B,...",
                   help="variants to compare (default: all the file defines; 'base' "
                   "is the scenario without a variant)")
    p.add_argument("--metric", default="income_total", choices=TOTALS, metavar="M",
                   help="per-path total to compare (default income_total)")
    common.add_run_options(p)
    common.add_backend(p)
    p.add_argument("--confidence", type=common.level_fraction, default=0.95,
                   metavar="C",
                   help="level of the interval of each difference (default 0.95)")
    common.add_precision_options(p, "every mean paired difference")
    common.add_out(p, "compare.json and CSV tables")
    common.add_view_options(p)
    p.set_defaults(func=main)


def main(args):
    """Run the command; return the exit status."""
    from .._io import atomic_files
    from ..analysis import compare

    common.check_backend(args)
    sc = common.load(args)
    out = common.out_dir(args)
    with warnings.catch_warnings(record=True) as caught, \
            common.backend_session(args) as scheduler:
        warnings.simplefilter("always")
        res = compare(sc, args.variants or None, paths=args.paths, seed=args.seed,
                      metric=args.metric, confidence=args.confidence,
                      precision=args.precision, precision_abs=args.precision_abs,
                      max_paths=args.max_paths, threads=args.threads,
                      progress=common.progress_flag(args), backend=args.backend,
                      scheduler=scheduler)
    print(res.render(details=args.details, wide=args.wide))
    common.emit_notes(caught)
    if out is not None:
        tables = res.csv_tables()
        with atomic_files(out) as files:  # all of them, or none
            files.write("compare.json", res.to_json)
            for name in tables:
                files.write(f"compare_{name}.csv",
                            lambda p, n=name: res.to_csv(p, table=n))
        print(f"wrote {1 + len(tables)} files to {out}/")
    return 0
