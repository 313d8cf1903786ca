"""``simkit compare FILE``: compare variants on common random numbers."""

from __future__ import annotations

import argparse
import warnings

from . import common


def _fraction(text):
    v = common.positive_float(text)
    if v > 1:
        v /= 100.0
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"expected a level in (0, 1) or in percent, "
                                         f"got {text!r}")
    return v


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
    p.add_argument("--confidence", type=_fraction, default=0.95, metavar="C",
                   help="level of the interval of each difference (default 0.95)")
    common.add_precision_options(p, "every mean paired difference")
    common.add_out(p, "compare.json and CSV tables")
    common.add_view_options(p)
    p.set_defaults(func=main)


def emit_warnings(caught):
    """Print caught LowPrecisionWarnings as notes (stdout), not tracebacks."""
    from ..errors import LowPrecisionWarning

    for w in caught:
        if issubclass(w.category, LowPrecisionWarning):
            print(f"note: {w.message}")
        else:  # pragma: no cover - passed through unchanged
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def main(args):
    """Run the command; return the exit status."""
    from .._io import atomic_files, atomic_write_text, write_json
    from ..analysis import compare

    common.check_backend(args)
    sc = common.load(args)
    out = common.out_dir(args)
    variants = None
    if args.variants:
        variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    with warnings.catch_warnings(record=True) as caught, \
            common.backend_session(args) as scheduler:
        warnings.simplefilter("always")
        res = compare(sc, variants, paths=args.paths, seed=args.seed,
                      metric=args.metric, confidence=args.confidence,
                      precision=args.precision, precision_abs=args.precision_abs,
                      max_paths=args.max_paths, threads=args.threads,
                      progress=common.progress_flag(args), backend=args.backend,
                      scheduler=scheduler)
    print(res.render(details=args.details, wide=args.wide))
    emit_warnings(caught)
    if out is not None:
        from .._present import csv_text

        tables = res.csv_tables()
        with atomic_files(out) as files:  # all of them, or none
            files.write("compare.json", lambda p: write_json(p, res.to_dict()))
            for name, (head, rows) in tables.items():
                files.write(f"compare_{name}.csv", lambda p, h=head, r=rows:
                            atomic_write_text(p, csv_text(h, r)))
        print(f"wrote {1 + len(tables)} files to {out}/")
    return 0
