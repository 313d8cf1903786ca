"""Command-line interface: ``simkit COMMAND ...``.

Each subcommand lives in its own module under :mod:`simkit._cli` and defines
``add_parser(subparsers)`` (which sets ``func``) ; :func:`main` dispatches.
Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from ._version import __version__
from .errors import SimkitError, SimkitWarning

__all__ = ["make_parser", "main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (
    "run",
    "validate",
    "compare",
    "quote",
    "plot",
    "report",
    "sweep",
    "scenarios",
    "init",
    "sensitivity",
    "fit",
    "backtest",
    "bench",
)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors raise instead of exiting (one line, exit 2)."""

    def error(self, message):
        sub = self.prog.partition(" ")[2]
        raise SimkitError(f"{sub}: {message}" if sub else message)


def make_parser() -> argparse.ArgumentParser:
    """Build the ``simkit`` argument parser with every available subcommand."""
    parser = _Parser(
        prog="simkit",
        description="Monte Carlo simulation of live-stream creator income.",
    )
    from ._cli.common import add_examples

    parser.add_argument("--version", action="version", version=f"simkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"simkit._cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"simkit._cli.{name}":
                raise
            continue
        mod.add_parser(sub)
        add_examples(sub.choices[name], name)
    return parser


_SHOW_WARNING = warnings.showwarning


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Show simkit's own warnings as one ``simkit: warning:`` line on stderr."""
    if issubclass(category, SimkitWarning):
        print(f"simkit: warning: {message}", file=sys.stderr)
    else:
        _SHOW_WARNING(message, category, filename, lineno, file, line)


def main(argv=None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 bad input, 130 interrupted).

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    simkit 0.1.0
    """
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            warnings.simplefilter("always", SimkitWarning)
            return int(args.func(args) or 0)
    except SimkitError as exc:  # any subclass, raised anywhere: an input mistake
        message = " ".join(str(exc).splitlines())  # one line, whatever it holds
        print(f"simkit: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("simkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
