"""``simkit run FILE``: simulate a scenario, print a summary, write results."""

from __future__ import annotations

import contextlib
import warnings

from . import common


def add_parser(sub):
    """Register ``run`` with the subparsers ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``simkit`` subparsers.

    Examples
    --------
    >>> from simkit.cli import make_parser
    >>> a = make_parser().parse_args(["run", "x.toml", "--precision", "0.01",
    ...                               "--statistic", "p5", "--target", "2000"])
    >>> a.statistic, a.metric, a.target
    (0.05, None, 2000.0)
    """
    import argparse

    p = sub.add_parser(
        "run", help="simulate a scenario and print a summary",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Simulate every variant of a scenario (or the one named) many "
        "times over\nand print, in plain words, what the creator typically earns over "
        "the\nhorizon and how widely it varies: the average of each figure with its\n"
        "error, and the low (P5), typical (P50) and high (P95) figures.\n"
        "--details prints every statistic with its interval.",
        epilog=_glossary())
    common.add_file(p)
    common.add_run_options(p)
    p.add_argument("--variant", default=None, help="simulate only this variant")
    p.add_argument("--target", type=common.finite_float, default=None, metavar="USD",
                   help="report P(income_total > USD) with its standard error (USD "
                   "finite)")
    p.add_argument("--per-stream", action="store_true",
                   help="also keep per-stream metrics (saved with --out)")
    common.add_precision_options(p, "--statistic of --metric (default: the mean of "
                                 "income_total)", statistic=True)
    common.add_backend(p)
    common.add_out(p, "NAME.json, NAME_summary.csv, NAME.csv and NAME.npz per "
                   "variant")
    common.add_view_options(p)
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run with the same --out, file, "
                   "seed and sizes: only the chunks of paths missing from "
                   "OUT/checkpoint/ are simulated")
    p.set_defaults(func=main)


def _glossary():
    """The ``--help`` epilog: every figure a run prints, one line each."""
    import textwrap

    from .. import _words
    from .._result import DEFAULT_SUMMARY_METRICS

    lines = ["what the figures mean (totals over the scenario's horizon; the files "
             "use the", "names in brackets; docs/glossary.md has more):"]
    for m in DEFAULT_SUMMARY_METRICS:
        lines += textwrap.wrap(f"{_words.metric_name(m)} ({m}): "
                               f"{_words.metric_meaning(m)}", 79,
                               initial_indent="  ", subsequent_indent="      ")
    lines += ["", "words in the output:"]
    for term, meaning in _words.TERMS.items():
        lines += textwrap.wrap(f"{term}: {meaning}", 79, initial_indent="  ",
                               subsequent_indent="      ")
    return "\n".join(lines)


def main(args):
    """Run the command; return the exit status.

    Prints a summary per scenario or variant; with --out writes, as one set,
    ``NAME.json``, ``NAME.csv``, ``NAME.npz`` and ``NAME_summary.csv`` each
    (``NAME`` the scenario or ``base:variant`` name made a safe file name by
    :func:`simkit._names.file_stem`). While it runs, finished chunks of paths
    are kept in ``OUT/checkpoint/NAME/`` (:mod:`simkit._checkpoint`), locked to
    this run, so that ``--resume`` loses no work; they are removed once the
    results are written (only the files simkit wrote there).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``simkit run`` arguments.

    Returns
    -------
    int
        0 (errors raise :class:`~simkit.errors.SimkitError`).

    Examples
    --------
    >>> from simkit.cli import make_parser
    >>> args = make_parser().parse_args(["run", "scenarios/micro.toml", "--paths",
    ...                                  "20", "--quiet"])
    >>> main(args)  # doctest: +ELLIPSIS
    micro — 20 simulated runs
    ...
    0
    """
    from .._io import atomic_files
    from .._names import file_stem
    from .._checkpoint import discard, hold
    from ..errors import SimkitError
    from ..scenario import choose_variants

    sc = common.load(args)
    out = common.out_dir(args)
    metric, statistic = common.precision_statistic(args)
    precise = bool(args.precision or args.precision_abs)
    if args.resume and out is None:
        raise SimkitError("`--resume` needs `--out DIR`: the checkpoint lives there")
    if args.resume and precise:
        raise SimkitError("`--resume` does not combine with `--precision`: a "
                          "precision run's length is not known in advance")
    scenarios = [s for _, s in choose_variants(
        sc, [args.variant] if args.variant else None, minimum=1)]
    stems = {}
    for s in scenarios:
        other = stems.setdefault(file_stem(s.name).casefold(), s.name)
        if other != s.name:  # the scenario loader refuses these; a second guard
            raise SimkitError(f"{sc.source}: `{other}` and `{s.name}` would be "
                              "written to the same files")
    checkpoints = ({} if out is None or precise else
                   {s.name: out / "checkpoint" / file_stem(s.name) for s in scenarios})
    with contextlib.ExitStack() as held:
        # Each checkpoint folder is this run's alone until the end (a second run
        # into it is refused now, before anything is simulated); folders made
        # here are removed again if the run leaves nothing in them.
        for d in checkpoints.values():
            held.enter_context(hold(d))
        with common.backend_session(args) as scheduler:
            results = _simulate_all(args, scenarios, scheduler, metric, statistic,
                                    checkpoints)
        if out is not None:
            # Every file of the run goes to a temporary name first; all are
            # renamed into place only once every one is complete (or removed on
            # an error).
            with atomic_files(out) as files:
                for res, precision in results:
                    stem = file_stem(res.name)
                    files.write(f"{stem}.json", lambda p, r=res, pr=precision:
                                r.to_json(p, target=args.target, precision=pr))
                    files.write(f"{stem}.csv", res.to_csv)
                    files.write(f"{stem}.npz", res.save)
                    files.write(f"{stem}_summary.csv", lambda p, r=res:
                                r.to_summary_csv(p, target=args.target))
            # The results are in place: the checkpoint has served its purpose.
            # Only the files simkit wrote there are removed.
            for d in checkpoints.values():
                discard(d)
    if checkpoints:
        with contextlib.suppress(OSError):  # only if empty
            (out / "checkpoint").rmdir()
    if out is not None:
        print(f"wrote {len(results) * 4} files to {out}/")
    return 0


def _simulate_all(args, scenarios, scheduler, metric, statistic, checkpoints):
    """Simulate each scenario (to a precision target if asked, with a checkpoint
    directory from ``checkpoints`` by name if given); print summaries.

    Returns ``[(result, precision dict or None)]``.
    """
    from .. import _words
    from .. import simulate

    kw = {"seed": args.seed, "threads": args.threads, "per_stream": args.per_stream,
          "backend": args.backend, "scheduler": scheduler,
          "progress": common.progress_flag(args)}
    results = []
    for s in scenarios:
        precision = None
        if args.precision or args.precision_abs:
            from ..analysis import simulate_until

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res, prun = simulate_until(
                    s, metric=metric, statistic=statistic, precision=args.precision,
                    precision_abs=args.precision_abs, batch=args.paths,
                    max_paths=args.max_paths, **kw)
            precision = prun.to_dict(statistic=common.statistic_name(statistic, metric),
                                     rel=args.precision, absolute=args.precision_abs)
            print(precision["description"] if args.details else prun.plain(
                _words.statistic_phrase(statistic, metric), metric, rel=args.precision,
                absolute=args.precision_abs))
            common.emit_notes(caught)
        else:
            res = simulate(s, paths=args.paths, checkpoint=checkpoints.get(s.name),
                           resume=args.resume, **kw)
        results.append((res, precision))
        print(res.summary(target=args.target).render(details=args.details,
                                                     wide=args.wide))
        print()
    return results
