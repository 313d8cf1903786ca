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
    common.add_precision_options(p, "the mean of income_total")
    common.add_backend(p)
    common.add_out(p)
    p.set_defaults(func=main)


def _slug(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def main(args):
    """Run the command; return the exit status."""
    sc = common.load(args)
    out = common.out_dir(args)
    scenarios = common.variants_of(sc, [args.variant] if args.variant else None)
    with common.backend_session(args) as scheduler:
        results = _simulate_all(args, scenarios, scheduler)
    if out is not None:
        for res in results:
            stem = _slug(res.name)
            res.to_json(out / f"{stem}.json", target=args.target)
            res.to_csv(out / f"{stem}.csv")
            res.save(out / f"{stem}.npz")
        print(f"wrote {len(results) * 3} files to {out}/")
    return 0


def _simulate_all(args, scenarios, scheduler):
    """Simulate each scenario (to a precision target if asked); print summaries."""
    from ..simulate import simulate

    kw = dict(seed=args.seed, threads=args.threads, per_stream=args.per_stream,
              backend=args.backend, scheduler=scheduler,
              progress=common.progress_flag(args))
    results = []
    for s in scenarios:
        if args.precision or args.precision_abs:
            from ..analysis.precision import simulate_until

            res, prun = simulate_until(s, precision=args.precision,
                                       precision_abs=args.precision_abs,
                                       batch=args.paths, max_paths=args.max_paths, **kw)
            print(prun.to_dict(statistic="mean income_total", rel=args.precision,
                               absolute=args.precision_abs)["description"])
        else:
            res = simulate(s, paths=args.paths, **kw)
        results.append(res)
        print(res.summary(target=args.target))
        print()
    return results
