"""``simkit quote FILE``: price a sponsored stream or campaign, with risk bands."""

from __future__ import annotations

import argparse
import warnings

from . import common


def _percent_levels(text):
    """argparse type of ``--levels``: percentages strictly in (0, 100), as fractions.

    Examples
    --------
    >>> _percent_levels("50,90,99.99")
    [0.5, 0.9, 0.9999]
    """
    vals = _levels(text)
    for t, v in zip((t for t in text.split(",") if t.strip()), vals, strict=True):
        if not 0.0 < v < 100.0:
            raise argparse.ArgumentTypeError(
                f"{t.strip()} is not a percentage in (0, 100); confidence levels "
                "are percentages, e.g. --levels 50,90,99.5 (95 for 95%, not 0.95)")
    return [round(v / 100.0, 12) for v in vals]


def _levels(text):
    try:
        vals = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 50,80,90,95, got "
                                         f"{text!r}") from None
    if not vals:
        raise argparse.ArgumentTypeError(f"expected numbers like 50,80,90,95, got "
                                         f"{text!r}")
    return vals


def add_parser(sub):
    """Register ``quote``."""
    from ..analysis import BANDS_BY, DELIVERABLES

    p = sub.add_parser(
        "quote", help="price a sponsored stream or campaign",
        description="Simulate the scenario per stream and answer, in plain words: "
        "what can be promised to a sponsor so that it is met in a given share of "
        "runs (the confidence), what is it worth at the CPM (or flat rate), how "
        "likely is a shortfall, and what does making good a missed promise cost on "
        "average. --details prints each guarantee with its order-statistic interval "
        "and the exact terms. Quotes the single stream --first-stream and, with "
        "--streams K > 1, the campaign of K consecutive streams. Defaults come from "
        "the scenario's [sponsorship] table.")
    common.add_file(p)
    p.add_argument("--deliverable", choices=DELIVERABLES, default=None,
                   help="what the sponsor buys (default: sponsorship.deliverable)")
    p.add_argument("--streams", type=common._positive_int, default=None, metavar="K",
                   help="streams in the campaign (default: sponsorship.streams)")
    p.add_argument("--first-stream", type=common.nonneg_int, default=None, metavar="I",
                   help="first sponsored stream, 0-based (default: "
                   "sponsorship.first_stream)")
    rate = p.add_mutually_exclusive_group()
    rate.add_argument("--cpm", type=common.nonneg_float, default=None, metavar="USD",
                      help="price per 1,000 units delivered, at most 1,000 "
                      "(default: sponsorship.cpm_usd)")
    rate.add_argument("--flat-rate", type=common.nonneg_float, default=None,
                      metavar="USD",
                      help="price per unit delivered, at most 100, instead of a CPM")
    p.add_argument("--levels", type=_percent_levels, default=None,
                   metavar="L1,L2,...",
                   help="confidence levels in percent, each strictly between 0 and "
                   "100 (e.g. 50,90,99.5; default: sponsorship.levels, else "
                   "50,80,90,95)")
    p.add_argument("--variant", default=None, help="quote this variant")
    common.add_run_options(p)
    common.add_backend(p)
    p.add_argument("--confidence", type=common.level_fraction, default=0.95,
                   metavar="C",
                   help="level of the interval on each guarantee (default 0.95)")
    p.add_argument("--bands", choices=BANDS_BY, default=None,
                   help="also print risk bands of the deliverable per stream, per day "
                   "or cumulative (fan-chart data)")
    p.add_argument("--band-levels", type=_levels, default=None, metavar="P1,P2,...",
                   help="band levels in percent (default 5,25,50,75,95)")
    common.add_precision_options(p, "every guaranteed delivery")
    common.add_out(p, "quote.json, quote.csv (and bands)")
    common.add_view_options(p)
    p.set_defaults(func=main)


def main(args):
    """Run the command; return the exit status."""
    from .._io import atomic_files, atomic_write_text
    from ..analysis import BAND_LEVELS, bands, quote
    from ..errors import SimkitError

    sc = common.load(args)
    out = common.out_dir(args)
    if args.bands is None and args.band_levels is not None:
        raise SimkitError("--band-levels needs --bands stream|day|cumulative")
    with warnings.catch_warnings(record=True) as caught, \
            common.backend_session(args) as scheduler:
        warnings.simplefilter("always")
        q = quote(sc, deliverable=args.deliverable, streams=args.streams,
                  first_stream=args.first_stream, cpm=args.cpm,
                  flat_rate=args.flat_rate, levels=args.levels, paths=args.paths,
                  seed=args.seed, variant=args.variant, confidence=args.confidence,
                  precision=args.precision, precision_abs=args.precision_abs,
                  max_paths=args.max_paths, threads=args.threads,
                  progress=common.progress_flag(args), backend=args.backend,
                  scheduler=scheduler)
    print(q.render(details=args.details, wide=args.wide))
    common.emit_notes(caught)
    b = None
    if args.bands:
        b = bands(q.simulation, q.deliverable,
                  levels=args.band_levels or BAND_LEVELS, by=args.bands,
                  confidence=q.metadata["confidence"])
        print()
        print(b.render(details=args.details, wide=args.wide))
    if out is not None:
        with atomic_files(out) as files:  # all of them, or none
            files.write("quote.json", q.to_json)
            files.write("quote.csv", lambda p: atomic_write_text(p, q.csv_text()))
            if b is not None:
                files.write(f"bands_{args.bands}.json", lambda p: b.to_json(
                    p, metadata={"quote": q.metadata}))
                files.write(f"bands_{args.bands}.csv", b.to_csv)
        print(f"wrote {2 if b is None else 4} files to {out}/")
    return 0
