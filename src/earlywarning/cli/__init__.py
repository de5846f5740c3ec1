"""The ``earlywarning`` command line.

Exit codes: 0 success; 1 bad input (a profile or rule file that cannot be used, an output that
cannot be written, with a message saying which field or file), or ``calibrate`` found a case
that disagrees or a failure of the bar; 2 wrong usage; 3 a batch ran but some rows failed (every
row is still written, with its error); 141 the output was closed early (``| head``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from earlywarning.cli._batch import note
from earlywarning.cli._common import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_CALIBRATION_FAILED,
    EXIT_ROWS_FAILED,
    EXIT_USAGE,
    Handler,
)
from earlywarning.cli.data import data_arguments
from earlywarning.cli.decisions import (
    cmd_smallest_change,
    cmd_what_if,
    smallest_change_arguments,
    what_if_arguments,
)
from earlywarning.cli.evidence import (
    calibrate_arguments,
    cmd_calibrate,
    cmd_fit,
    cmd_validate,
    fit_arguments,
    validate_arguments,
)
from earlywarning.cli.peers import (
    cmd_compare,
    cmd_trajectories,
    cmd_watchlist,
    compare_arguments,
    trajectories_arguments,
    watchlist_arguments,
)
from earlywarning.cli.report import cmd_report, report_arguments
from earlywarning.cli.rules import cmd_rules_check, rules_arguments
from earlywarning.cli.score import cmd_explain, cmd_score, explain_arguments, score_arguments
from earlywarning.errors import EarlyWarningError, EarlyWarningWarning

__all__ = [
    "COMMANDS",
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_CALIBRATION_FAILED",
    "EXIT_ROWS_FAILED",
    "EXIT_USAGE",
    "build_parser",
    "cmd_calibrate",
    "cmd_compare",
    "cmd_explain",
    "cmd_fit",
    "cmd_rules_check",
    "cmd_score",
    "cmd_trajectories",
    "cmd_validate",
    "cmd_watchlist",
    "main",
]

# Every command: its name, its handler and the function adding its arguments (whose docstring
# is the command's one-line help). A new command is one entry here.
COMMANDS: dict[str, tuple[Handler | None, Callable[[argparse.ArgumentParser], None]]] = {
    "score": (cmd_score, score_arguments),
    "explain": (cmd_explain, explain_arguments),
    "rules": (None, rules_arguments),
    "calibrate": (cmd_calibrate, calibrate_arguments),
    "fit": (cmd_fit, fit_arguments),
    "validate": (cmd_validate, validate_arguments),
    "trajectories": (cmd_trajectories, trajectories_arguments),
    "what-if": (cmd_what_if, what_if_arguments),
    "smallest-change": (cmd_smallest_change, smallest_change_arguments),
    "compare": (cmd_compare, compare_arguments),
    "watchlist": (cmd_watchlist, watchlist_arguments),
    "report": (cmd_report, report_arguments),
    "data": (None, data_arguments),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="earlywarning",
        description="Early-warning risk scores for English councils' children's services.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (handler, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=arguments.__doc__)
        arguments(p)
        if handler is not None:
            p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code.

    Example:
        >>> main(["rules", "check"])  # doctest: +ELLIPSIS
        ok: earlywarning-default ...
        0
    """
    out = out if out is not None else sys.stdout
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", EarlyWarningWarning)
            warnings.showwarning = _show_warning
            return handler(args, out)
    except EarlyWarningError as exc:
        print(f"earlywarning: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, and keep Python from complaining about
        # the unflushed output on its way out
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
    """The library's own warnings as one-line notes; any other warning as Python shows it."""
    if issubclass(category, EarlyWarningWarning):
        note(message)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, *args[:2]))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
