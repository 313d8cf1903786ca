"""``simkit init``: write a starter scenario from a few answers or flags."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import common

#: Answers asked for when a flag is missing and stdin is a terminal, with defaults.
_QUESTIONS = (
    ("followers", "Followers now", "10k"),
    ("lives_per_week", "LIVEs per week", "3"),
    ("hours", "Start hour(s), 0-23, comma-separated", "20"),
    ("duration", "Minutes per LIVE", "90"),
    ("weeks", "Weeks to simulate", "4"),
)


def _hours(text):
    """argparse type of ``--hours``: start hours 0-23, comma-separated.

    Examples
    --------
    >>> _hours("19, 21")
    [19, 21]
    """
    try:
        hours = [int(t) for t in str(text).replace(" ", "").split(",") if t != ""]
    except ValueError:
        hours = []
    if not hours or any(not 0 <= h <= 23 for h in hours):
        raise argparse.ArgumentTypeError(
            f"expected start hours 0-23, comma-separated (e.g. 20 or 19,21), got "
            f"{text!r}")
    return hours


def _lives(text):
    v = common._positive_int(text)
    if v > 7:
        raise argparse.ArgumentTypeError(f"expected 1 to 7 LIVEs a week, got {text!r}")
    return v


def _minutes(text):
    v = common.positive_float(text)
    if not 5 <= v <= 720:
        raise argparse.ArgumentTypeError(f"expected 5 to 720 minutes, got {text!r}")
    return v


def _weeks(text):
    v = common._positive_int(text)
    if v > 104:
        raise argparse.ArgumentTypeError(f"expected 1 to 104 weeks, got {text!r}")
    return v


_TYPES = {"followers": common._positive_int, "lives_per_week": _lives,
          "hours": _hours, "duration": _minutes, "weeks": _weeks}


def add_parser(sub):
    """Register ``init``."""
    p = sub.add_parser(
        "init", help="write a starter scenario file from a few answers",
        description="Write a commented starter scenario (TOML) for one creator: "
        "followers, LIVEs per week, start hours, minutes per LIVE and weeks. Missing "
        "answers are asked for when the input is a terminal, and take their "
        "defaults otherwise. The file is checked by loading it before it is "
        "written; an existing file is kept unless --force.")
    p.add_argument("--followers", type=common._positive_int, default=None,
                   metavar="N", help="followers now, e.g. 25000 or 25k (default 10k)")
    p.add_argument("--lives-per-week", type=_lives, default=None, metavar="N",
                   help="LIVEs per week, 1-7, on evenly spread weekdays (default 3)")
    p.add_argument("--hours", type=_hours, default=None, metavar="H[,H...]",
                   help="start hour(s) of the LIVEs, 0-23, used in turn (default 20)")
    p.add_argument("--duration", type=_minutes, default=None, metavar="MIN",
                   help="minutes per LIVE (default 90)")
    p.add_argument("--weeks", type=_weeks, default=None, metavar="N",
                   help="weeks to simulate (default 4)")
    p.add_argument("--name", default=None, help="scenario name (default: the file "
                   "name without .toml)")
    p.add_argument("-o", "--output", default="scenario.toml", metavar="FILE",
                   help="file to write (default scenario.toml)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=main)


def _ask(args):
    """Fill missing answers: prompts on a terminal, defaults otherwise."""
    from ..errors import SimkitError

    interactive = sys.stdin is not None and sys.stdin.isatty()
    for key, question, default in _QUESTIONS:
        if getattr(args, key) is not None:
            continue
        text = default
        if interactive:
            while True:
                try:
                    answer = input(f"{question} [{default}]: ").strip()
                except EOFError:
                    answer = ""
                try:
                    setattr(args, key, _TYPES[key](answer or default))
                    break
                except argparse.ArgumentTypeError as exc:
                    print(f"  {exc}", file=sys.stderr)
            continue
        try:
            setattr(args, key, _TYPES[key](text))
        except argparse.ArgumentTypeError as exc:  # pragma: no cover - defaults valid
            raise SimkitError(f"init: {exc}") from None


def _slots(lives, hours):
    """Weekly ``[weekday, hour]`` slots: evenly spread days, hours used in turn.

    Examples
    --------
    >>> _slots(3, [20])
    [[1, 20], [3, 20], [5, 20]]
    >>> _slots(2, [19, 21])
    [[1, 19], [4, 21]]
    """
    days = [(1 + i * 7 // lives) % 7 for i in range(lives)]
    return [[d, hours[i % len(hours)]] for i, d in enumerate(days)]


def _join_rate(followers):
    """Join rate by audience size, following the shipped scenarios' calibration."""
    if followers <= 20_000:
        return 0.005
    if followers <= 200_000:
        return 0.01
    return 0.008


def render(*, name, followers, lives_per_week, hours, duration, weeks) -> str:
    """The starter scenario's TOML text, with comments.

    Examples
    --------
    >>> import tomllib
    >>> text = render(name="me", followers=25_000, lives_per_week=2, hours=[21],
    ...               duration=60.0, weeks=6)
    >>> tomllib.loads(text)["schedule"]["slots"]
    [[1, 21], [4, 21]]
    """
    slots = ", ".join(f"[{d}, {h}]" for d, h in _slots(lives_per_week, hours))
    jr = _join_rate(followers)
    dur = f"{duration:g}"
    small = followers <= 20_000
    desc = (f"{followers:,} followers, {lives_per_week} x {dur}-minute LIVEs a week "
            f"for {weeks} weeks.")
    segments = ("\n[segments]\n# Small audiences of regulars gift more per viewer "
                "(calibrated in micro.toml).\ngift_rate_scale = 4.5\n"
                if small else "")
    return f'''# Starter scenario written by `simkit init`. Every key is documented in
# docs/scenario-format.md; docs/model.md gives the model and the source of each
# default. Check it with `simkit validate FILE`, run it with `simkit run FILE`.
name = "{name}"
description = "{desc}"

[horizon]
weeks = {weeks}

[schedule]
# The same weekly slots every week, as [weekday, start hour]; weekday 0 = Monday.
# kind = "ad_hoc" streams on random days and hours instead (streams_per_week).
kind = "consistent"
slots = [{slots}]

[stream]
duration_min = {dur}

[creator]
followers = {followers:_}
# New followers a day from short videos (an assumption: set your own).
organic_growth_per_day = {max(1, round(followers / 500))}

[audience]
# Share of followers who join when notified, and feed arrivals per minute at the
# evening peak: the values of the shipped scenarios for an account this size
# (micro: 10,000 followers; mid_tier: 100,000). Not known for you: a distribution
# says so, e.g. join_rate = {{ dist = "lognormal", median = {jr}, sigma = 0.4 }}
join_rate = {jr}
discovery_rate_per_min = {0.8 if small else 5.0}
{segments}
[money]
# Disputed conventions (docs/model.md section 13): 1 diamond per coin (0.5 in
# some guides) and a $10 withdrawal minimum (others say $50 or $100).
diamonds_per_coin = 1.0
withdraw_min_usd = 10.0
# In the US since 10 February 2025 the creator's share depends on LIVE length and
# LIVEs per week (Scaled LIVE Rewards, 20%-53%; TikTok Creator Academy): uncomment.
# scaled_rewards = true
'''


def main(args):
    """Run the command; return the exit status."""
    import tomllib

    from .._io import atomic_write_text
    from ..errors import SimkitError
    from ..scenario import scenario_from_dict

    out = Path(args.output)
    if out.exists() and not args.force:
        raise SimkitError(f"init: {out} exists; pass --force to overwrite it")
    if out.is_dir():
        raise SimkitError(f"init: {out} is a directory")
    _ask(args)
    name = args.name or (out.stem if out.suffix == ".toml" else out.name)
    text = render(name=name, followers=args.followers,
                  lives_per_week=args.lives_per_week, hours=args.hours,
                  duration=args.duration, weeks=args.weeks)
    scenario_from_dict(tomllib.loads(text), str(out))  # valid before it is written
    try:
        atomic_write_text(out, text)
    except OSError as exc:
        raise SimkitError(f"init: cannot write {out} ({exc.strerror or exc})") \
            from None
    print(f"wrote {out}: {args.followers:,} followers, {args.lives_per_week} LIVEs a "
          f"week of {args.duration:g} minutes, {args.weeks} weeks")
    print(f"next: simkit run {out}")
    return 0
