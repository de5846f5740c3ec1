"""The ``earlywarning`` command line.

Exit codes: 0 success; 1 bad input (a profile or rule file that cannot be used, an output that
cannot be written, with a message saying which field or file), or ``calibrate`` found a case
that disagrees or a failure of the bar; 2 wrong usage; 3 a batch ran but some rows failed (every
row is still written, with its error); 130 stopped by Ctrl-C and 143 by SIGTERM (quietly, and any
file being written is removed); 141 the output was closed early (``| head``).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from earlywarning._version import __version__
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
    backtest_arguments,
    calibrate_arguments,
    cmd_backtest,
    cmd_calibrate,
    cmd_fit,
    cmd_validate,
    fit_arguments,
    validate_arguments,
)
from earlywarning.cli.local import local_arguments
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
from earlywarning.io.output import terminal_text

__all__ = [
    "COMMANDS",
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_CALIBRATION_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_ROWS_FAILED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "TASKS",
    "build_parser",
    "cmd_backtest",
    "cmd_calibrate",
    "cmd_compare",
    "cmd_explain",
    "cmd_fit",
    "cmd_rules_check",
    "cmd_score",
    "cmd_trajectories",
    "cmd_validate",
    "cmd_watchlist",
    "commands_by_task",
    "main",
]

# The tasks the commands are grouped by in ``earlywarning --help``, in the order shown.
TASKS: dict[str, str] = {
    "scoring": "score profiles, explain them, check rule files",
    "decisions": "what a change would do, and the least change that lowers the band",
    "peers": "a council beside its neighbours, every council in a year, every year",
    "evidence": "how far the scores can be trusted",
    "reports": "pages for directors",
    "data": "the data in use, and a council's own facts",
}

# Every command: its name, its task (a key of TASKS), its handler and the function adding its
# arguments (whose docstring is the command's one-line help). A new command is one entry here.
COMMANDS: dict[str, tuple[str, Handler | None, Callable[[argparse.ArgumentParser], None]]] = {
    "score": ("scoring", cmd_score, score_arguments),
    "explain": ("scoring", cmd_explain, explain_arguments),
    "rules": ("scoring", None, rules_arguments),
    "what-if": ("decisions", cmd_what_if, what_if_arguments),
    "smallest-change": ("decisions", cmd_smallest_change, smallest_change_arguments),
    "compare": ("peers", cmd_compare, compare_arguments),
    "watchlist": ("peers", cmd_watchlist, watchlist_arguments),
    "trajectories": ("peers", cmd_trajectories, trajectories_arguments),
    "calibrate": ("evidence", cmd_calibrate, calibrate_arguments),
    "fit": ("evidence", cmd_fit, fit_arguments),
    "validate": ("evidence", cmd_validate, validate_arguments),
    "backtest": ("evidence", cmd_backtest, backtest_arguments),
    "report": ("reports", cmd_report, report_arguments),
    "data": ("data", None, data_arguments),
    "local": ("data", None, local_arguments),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="earlywarning",
        description="Early-warning risk scores for English councils' children's services.",
        epilog=commands_by_task(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"earlywarning {__version__}")
    # the commands are listed by task in the epilog, not one by one in argparse's own list
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="one of the commands below"
    )
    for name, (_, handler, arguments) in COMMANDS.items():
        p = sub.add_parser(name, description=arguments.__doc__)
        arguments(p)
        if handler is not None:
            p.set_defaults(handler=handler)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser :func:`main` reads arguments with, built once per process: parsing only reads
    it, and a notebook or a test suite calls ``main`` hundreds of times."""
    return build_parser()


def commands_by_task() -> str:
    """The commands under their tasks, for ``earlywarning --help``.

    Example:
        >>> print(commands_by_task().splitlines()[1])
        scoring: score profiles, explain them, check rule files
    """
    width = max(map(len, COMMANDS)) + 2
    lines = ["commands, by task:"]
    for task, said in TASKS.items():
        lines.append(f"{task}: {said}")
        for name, (group, _, arguments) in COMMANDS.items():
            if group == task:
                lines.append(f"  {name:<{width}}{(arguments.__doc__ or '').strip()}")
    lines.append("")
    lines.append("`earlywarning COMMAND --help` lists a command's options.")
    return "\n".join(lines)


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as the shell reports Ctrl-C

EXIT_TERMINATED = 143  # 128 + SIGTERM


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that files being written are cleaned up."""


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code.

    Example:
        >>> main(["rules", "check"])  # doctest: +ELLIPSIS
        ok: earlywarning-default ...
        0
    """
    out = out if out is not None else sys.stdout
    # on a terminal, whatever a command prints passes terminal_text: no escape sequence acts
    shown: Any = _TerminalStream(out) if _is_terminal(out) else out
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        with warnings.catch_warnings(), _on_sigterm():
            warnings.simplefilter("always", EarlyWarningWarning)
            warnings.showwarning = _show_warning
            return handler(args, shown)
    except EarlyWarningError as exc:
        print(terminal_text(f"earlywarning: error: {exc}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, and keep Python from complaining about
        # the unflushed output on its way out
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED  # Ctrl-C: the user knows; no traceback
    except _Terminated:
        return EXIT_TERMINATED


def _is_terminal(out: TextIO) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):  # a stream without one, or closed
        return False


class _TerminalStream:
    """A terminal as a text stream whose every write passes :func:`terminal_text`; anything
    else (``buffer``, ``flush``, ``isatty``) is the terminal's own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(terminal_text(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextmanager
def _on_sigterm() -> Iterator[None]:
    """SIGTERM raised as an exception while a command runs (Python's default ends the process
    at once, leaving a temporary file behind); the previous handler restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler; another caller keeps its own
        return

    def stop(signum: int, frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
    """The library's own warnings as one-line notes; any other warning as Python shows it."""
    if issubclass(category, EarlyWarningWarning):
        note(message)
    else:
        sys.stderr.write(terminal_text(warnings.formatwarning(message, category, *args[:2])))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
