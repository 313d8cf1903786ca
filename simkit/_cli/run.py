"""``simkit run FILE``: simulate a scenario, print a summary, write results."""

from __future__ import annotations

import re

from . import common


def add_parser(sub):
    """Register ``run``."""
    p = sub.add_parser(
        "run", help="simulate a scenario and print a summary",
        description="Simulate every variant of a scenario (or the one named) and print "
        "the mean with its standard error and P5-P95 of each metric.")
    common.add_file(p)
    common.add_run_options(p)
    p.add_argument("--variant", default=None, help="simulate only this variant")
    p.add_argument("--target", type=float, default=None, metavar="USD",
                   help="report P(income_total > USD) with its standard error")
    p.add_argument("--per-stream", action="store_true",
                   help="also keep per-stream metrics (saved with --out)")
    common.add_backend(p)
    common.add_out(p)
    p.set_defaults(func=main)


def _slug(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def main(args):
    """Run the command; return the exit status."""
    from ..simulate import simulate

    sc = common.load(args)
    out = common.out_dir(args)
    scenarios = common.variants_of(sc, [args.variant] if args.variant else None)
    results = [simulate(s, paths=args.paths, seed=args.seed, threads=args.threads,
                        per_stream=args.per_stream, backend=args.backend,
                        scheduler=args.scheduler,
                        progress=common.progress_flag(args)) for s in scenarios]
    for res in results:
        print(res.summary(target=args.target))
        print()
    if out is not None:
        for res in results:
            stem = _slug(res.name)
            res.to_json(out / f"{stem}.json", target=args.target)
            res.to_csv(out / f"{stem}.csv")
            res.save(out / f"{stem}.npz")
        print(f"wrote {len(results) * 3} files to {out}/")
    return 0
