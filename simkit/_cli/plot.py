"""``simkit plot FILE --kind KIND -o OUT``: draw one figure to PNG, SVG or PDF."""

from __future__ import annotations

import contextlib
from pathlib import Path

from . import common

KINDS = ("distribution", "compare", "fan", "concurrency", "sources", "tornado",
         "spider", "fit")
FORMATS = ("png", "svg", "pdf")

#: Default paths per kind (--paths overrides): a tornado makes two runs per input.
_DEFAULT_PATHS = {"tornado": 500, "spider": 500, "fit": 1000}
_PATHS = 2000


def add_parser(sub):
    """Register ``plot``."""
    from ..metrics import PER_STREAM, TOTALS

    p = sub.add_parser(
        "plot", help="draw one figure (PNG, SVG or PDF)",
        description="Simulate a scenario (or load results saved by `simkit run --out`) "
        "and draw one figure: the income distribution, a comparison of variants, a "
        "fan chart over the horizon, concurrent viewers through a stream, income by "
        "source, a tornado chart of the main inputs, a spider chart of the "
        "uncertain inputs (mean against each input's percentile), or (--kind fit) a "
        "LIVE history against its simulated LIVEs: quantile-quantile and through time.")
    p.add_argument("file", metavar="FILE", nargs="+",
                   help="scenario file (TOML), or one or more results (.npz); "
                   "--kind fit: a LIVE history (CSV), fitted first, or a scenario "
                   "with --history")
    p.add_argument("--kind", required=True, choices=KINDS, metavar="KIND",
                   help=f"which figure: {', '.join(KINDS)}")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file; the format follows its suffix: .png, .svg, .pdf")
    p.add_argument("--metric", default=None, metavar="M",
                   choices=sorted(set(TOTALS) | set(PER_STREAM)),
                   help="metric to plot (default income_total; deliverable metrics "
                   "such as viewer_minutes work with fan)")
    p.add_argument("--variant", default=None,
                   help="plot this variant of the scenario")
    p.add_argument("--variants", default=None, metavar="A,B,...",
                   help="compare: the variants to overlay (default: all defined)")
    p.add_argument("--log", action="store_true",
                   help="distribution/compare: logarithmic value axis")
    p.add_argument("--target", type=common.finite_float, default=None, metavar="USD",
                   help="distribution: mark this value and P(above) (USD finite)")
    p.add_argument("--by", default="cumulative",
                   choices=("cumulative", "day", "stream"),
                   help="fan: running total by day, value per day, or per stream")
    p.add_argument("--stream", type=_stream_index, default=None, metavar="K",
                   help="concurrency: only stream K (default: all streams pooled)")
    p.add_argument("--history", default=None, metavar="CSV",
                   help="fit: the LIVE history to set against the scenario FILE")
    p.add_argument("--dpi", type=common._positive_int, default=150,
                   help="resolution of PNG output (default 150)")
    common.add_run_options(p, paths=_PATHS)
    common.add_backend(p)
    for action in p._actions:  # the default depends on --kind
        if action.dest == "paths":
            action.default = None
            action.help = (f"Monte Carlo paths (default {_PATHS:,}; "
                           f"{_DEFAULT_PATHS['tornado']:,} per run for tornado "
                           "and spider)")
    p.set_defaults(func=main)


def _stream_index(text):
    """argparse type of ``--stream``: an integer >= 0."""
    import argparse

    try:
        v = int(text)
    except ValueError:
        v = -1
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a stream number >= 0, got {text!r}")
    return v


def _output(path):
    """``(Path, format)`` of ``-o``, checked writable before anything is simulated."""
    from ..errors import SimkitError

    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SimkitError(f"-o {path}: the suffix must be one of "
                          f"{', '.join('.' + f for f in FORMATS)}")
    return common.check_out_file(out), fmt


def _check_flags(args, kind_in, inputs):
    """Refuse, before simulating, flag values the figure would refuse later."""
    from .._pack import n_streams
    from ..errors import SimkitError
    from ..metrics import PER_STREAM, TOTALS

    kind, metric = args.kind, args.metric
    if kind in ("distribution", "compare", "tornado", "spider") and metric \
            and metric not in TOTALS:
        raise SimkitError(f"--metric {metric}: --kind {kind} needs a "
                          f"per-path total: {', '.join(TOTALS)}")
    if kind == "fan" and metric and metric not in PER_STREAM:
        raise SimkitError(f"--metric {metric}: --kind fan needs a per-stream "
                          f"metric: {', '.join(PER_STREAM)}")
    if kind_in == "scenario" and kind == "concurrency" and args.stream is not None:
        n = n_streams(inputs.variant(args.variant) if args.variant else inputs)
        if args.stream >= n:
            raise SimkitError(f"--stream {args.stream}: {inputs.source} schedules "
                              f"{n} streams (0 to {n - 1})")


def _load_inputs(args):
    """Return ("scenario", Scenario) or ("results", [SimulationResult, ...])."""
    from ..errors import SimkitError
    from .. import SimulationResult

    files = list(args.file)
    if all(f.lower().endswith(".npz") for f in files):
        return "results", [SimulationResult.load(f) for f in files]
    if len(files) != 1:
        raise SimkitError("give one scenario file, or one or more saved results (.npz)")
    args.file = files[0]
    return "scenario", common.load(args)


def _run_kw(args):
    """Options of every simulate call of the command (one shared Dask client)."""
    return {"seed": args.seed, "threads": args.threads, "backend": args.backend,
            "scheduler": args.client, "progress": common.progress_flag(args)}


def _simulate(sc, args, paths, **kw):
    from .. import simulate

    return simulate(sc, paths=paths, **_run_kw(args), **kw)


def _simulate_variants(sc, names, args, paths, *, minimum=2):
    """``{name: result}`` of the variants :func:`simkit.scenario.choose_variants`
    picks (one batch: the same paths, hence the same luck, for each)."""
    from .. import simulate_batch
    from ..scenario import choose_variants

    chosen = choose_variants(sc, names, minimum=minimum)
    rs = simulate_batch([s for _, s in chosen], paths=paths, **_run_kw(args))
    return {n: r for (n, _), r in zip(chosen, rs)}


def _one(kind_in, inputs, args, paths, **kw):
    from ..errors import SimkitError

    if kind_in == "results":
        if len(inputs) != 1:
            raise SimkitError(f"--kind {args.kind} takes one result file, got "
                              f"{len(inputs)}")
        return inputs[0]
    sc = inputs.variant(args.variant) if args.variant else inputs
    return _simulate(sc, args, paths, **kw)


def _figure(args, kind_in, inputs, paths):
    from .. import plotting
    from ..errors import SimkitError

    metric = args.metric or "income_total"
    kind = args.kind
    if kind == "distribution":
        res = _one(kind_in, inputs, args, paths)
        return plotting.income_distribution(res, metric, log=args.log,
                                            target=args.target).figure
    if kind == "fan":
        res = _one(kind_in, inputs, args, paths, per_stream=True)
        return plotting.fan_chart(res, metric, by=args.by).figure
    if kind == "concurrency":
        if kind_in == "scenario":  # curves cost paths x streams x minutes cells
            from .._memory import curve_paths_of

            sc = inputs.variant(args.variant) if args.variant else inputs
            cap = curve_paths_of(_simulate(sc, args, 2, per_stream=True), paths)
            if paths > cap:
                print(f"note: concurrency curves kept for the first {cap:,} paths "
                      f"(of {paths:,}) to bound memory")
                paths = cap
        res = _one(kind_in, inputs, args, paths, per_stream=True, curves=True)
        return plotting.concurrency_curve(res, stream=args.stream).figure
    if kind == "sources":
        if kind_in == "scenario" and inputs.variants and not args.variant:
            rs = _simulate_variants(inputs, None, args, paths, minimum=1)
            return plotting.income_sources(rs, kind="bar").figure
        if kind_in == "results" and len(inputs) > 1:
            return plotting.income_sources(inputs, kind="bar").figure
        res = _one(kind_in, inputs, args, paths, per_stream=True)
        return plotting.income_sources(res).figure
    if kind == "compare":
        if kind_in == "results":
            axes = plotting.compare_distributions(inputs, metric, log=args.log)
            return axes[0].figure
        rs = _simulate_variants(inputs, args.variants or None, args, paths)
        return plotting.compare_distributions(rs, metric, log=args.log)[0].figure
    if kind == "spider":
        if kind_in != "scenario":
            raise SimkitError("--kind spider needs a scenario file (it simulates "
                              "each uncertain input at several percentiles)")
        from ..analysis import spider

        sp = spider(inputs, metric=metric, paths=paths, variant=args.variant,
                    **_run_kw(args))
        return plotting.spider(sp).figure
    # tornado
    if kind_in != "scenario":
        raise SimkitError("--kind tornado needs a scenario file (it simulates each "
                          "input at a low and a high value)")
    from ..analysis import tornado

    tr = tornado(inputs, metric=metric, paths=paths, variant=args.variant,
                 **_run_kw(args))
    return plotting.tornado(tr).figure


def _fit_figure(args):
    """``--kind fit``: the history against the fitted (or given) scenario's
    simulation of the same LIVEs."""
    import numpy as np

    from .. import plotting
    from ..calibrate import fit, predict, read_history
    from ..errors import SimkitError

    if args.kind != "fit":
        raise SimkitError(f"--history applies to --kind fit, not --kind {args.kind}")
    for flag, v in (("--metric", args.metric), ("--variant", args.variant),
                    ("--variants", args.variants), ("--target", args.target),
                    ("--stream", args.stream), ("--scheduler", args.scheduler)):
        if v is not None:
            raise SimkitError(f"{flag} does not apply to --kind fit (it shows viewers, "
                              "viewer-minutes, peak viewers and diamonds)")
    if args.log or args.by != "cumulative":
        raise SimkitError("--log and --by do not apply to --kind fit")
    files = list(args.file)
    if len(files) != 1:
        raise SimkitError("--kind fit takes one file: a history (CSV), or a scenario "
                          "(TOML) with --history CSV")
    f = files[0]
    paths = args.paths or _DEFAULT_PATHS["fit"]
    if f.lower().endswith(".csv"):
        if args.history is not None:
            raise SimkitError("--history: FILE is already a history; give a scenario "
                              "FILE to set against --history")
        hist = read_history(f)
        sc = fit(hist, seed=args.seed).scenario
        what = "fitted"
    else:
        if args.history is None:
            raise SimkitError(f"{f}: --kind fit needs a history: a CSV FILE, or "
                              "--history CSV with a scenario FILE")
        args.file = f
        sc = common.load(args)
        hist = read_history(args.history)
        what = "given"
    sim = predict(sc, hist, np.arange(len(hist)), paths=paths, seed=args.seed,
                  warmup_days=0, threads=args.threads, backend=args.backend,
                  progress=common.progress_flag(args))
    axes = plotting.fit_diagnostics(
        hist, sim, title=f"{hist.source}: {len(hist)} LIVEs against the {what} "
        f"scenario ({paths:,} simulated paths)")
    return axes[0, 0].figure


def main(args):
    """Run the command; return the exit status."""
    common.check_backend(args)
    out, fmt = _output(args.output)
    if fmt == "png":   # a raster too big to draw is refused before simulating
        from .._memory import check_figure
        from ..plotting._style import FIGSIZE

        check_figure(FIGSIZE, args.dpi)
    if args.kind == "fit" or args.history is not None:
        fig = _fit_figure(args)
        if fmt == "png":
            check_figure(fig.get_size_inches(), args.dpi)
        with common.output_file(out) as tmp:
            fig.savefig(tmp, format=fmt, dpi=args.dpi)
        print(f"wrote {out}")
        return 0
    kind_in, inputs = _load_inputs(args)
    paths = args.paths or _DEFAULT_PATHS.get(args.kind, _PATHS)
    _check_flags(args, kind_in, inputs)
    # One Dask client for every simulation of the figure (none for saved results).
    session = (common.backend_session(args) if kind_in == "scenario"
               else contextlib.nullcontext(None))
    with session as client:
        args.client = client
        fig = _figure(args, kind_in, inputs, paths)
    if fmt == "png":   # this figure's own size (some kinds are taller)
        check_figure(fig.get_size_inches(), args.dpi)
    from ..plotting._style import quiet_missing_glyphs

    with common.output_file(out) as tmp, quiet_missing_glyphs():
        fig.savefig(tmp, format=fmt, dpi=args.dpi)
    print(f"wrote {out}")
    return 0
