"""``simkit validate FILE``: check a scenario file without simulating."""

from __future__ import annotations

from . import common


def add_parser(sub):
    """Register ``validate``."""
    p = sub.add_parser("validate", help="check a scenario file",
                       description="Load and validate a scenario file and each of its "
                       "variants; print OK or one line naming the bad key.")
    common.add_file(p)
    p.set_defaults(func=main)


def main(args):
    """Run the command; return the exit status."""
    from .._pack import n_streams
    from .._text import wrap
    from .._words import period_phrase

    sc = common.load(args)
    extra = f", variants: {', '.join(sc.variants)}" if sc.variants else ""
    period = period_phrase(sc.horizon_days / 7.0, n_streams(sc)).removeprefix("over ")
    print(wrap(f"OK {args.file}: scenario {sc.name!r}, {period}{extra}"))
    return 0
