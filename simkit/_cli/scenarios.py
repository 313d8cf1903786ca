"""``simkit scenarios [NAME]``: the scenarios that ship with simkit."""

from __future__ import annotations

import shutil

from . import common  # noqa: F401 - examples live in common.EXAMPLES

_WIDTH = 80


def add_parser(sub):
    """Register ``scenarios``."""
    p = sub.add_parser(
        "scenarios", help="list the bundled scenarios, or print one",
        description="List the scenarios that ship with simkit, one line each. Every "
        "command takes such a name where it takes a scenario file, from any "
        "directory. With NAME, print that scenario's TOML (a start for your own: "
        "redirect it into a file and edit it; `simkit init` writes one from a few "
        "answers).")
    p.add_argument("name", metavar="NAME", nargs="?", default=None,
                   help="print this bundled scenario's TOML")
    p.set_defaults(func=main)


def _hours(minutes):
    m = float(minutes)
    return f"{m / 60:g} h" if m >= 60 and (m / 60) * 4 == int((m / 60) * 4) \
        else f"{m:g} min"


def line(sc) -> str:
    """One line about a scenario: audience, schedule, horizon, what it is for.

    Examples
    --------
    >>> import simkit
    >>> line(simkit.load_scenario("mid_tier"))
    '100,000 followers, 3 × 2 h a week, 4 weeks'
    """
    kind = sc["schedule.kind"]
    if kind == "consistent":
        per_week = len(sc["schedule.slots"])
    elif kind == "ad_hoc":
        per_week = sc["schedule.streams_per_week"]
    else:
        per_week = None
    weeks = sc["horizon.weeks"]
    what = (f"{per_week} × {_hours(sc.stream_duration_min)} a week"
            if per_week is not None else "listed LIVEs")
    out = f"{sc['creator.followers']:,} followers, {what}, {weeks} weeks"
    extra = []
    if sc.sponsorship is not None:
        extra.append("quote")
    if sc.variants:
        extra.append("variants")
    if sc.sweep is not None:
        extra.append("sweep")
    return out + (f"; {', '.join(extra)}" if extra else "")


def _fit(text, width):
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def main(args):
    """Run the command; return the exit status."""
    from ..errors import SimkitError
    from ..scenario import load_scenario
    from ..scenario._load import _bundled_file, bundled_scenarios

    names = bundled_scenarios()
    if args.name is not None:
        f = _bundled_file(args.name)
        if f is None:
            raise SimkitError(f"scenarios: no bundled scenario {args.name!r} "
                              f"(bundled: {', '.join(names)})")
        print(f.read_text(encoding="utf-8"), end="")
        return 0
    width = min(_WIDTH, shutil.get_terminal_size((_WIDTH, 24)).columns)
    pad = max(len(n) for n in names) + 2
    for name in names:
        print(_fit(f"{name:<{pad}}{line(load_scenario(name))}", width))
    print(_fit("Use a name in place of a file: simkit run mid_tier", width))
    return 0
