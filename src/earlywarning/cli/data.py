"""The ``data`` commands: ``data import`` reads publishers' files into a data directory, and
``data status`` says which data are in use."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TextIO

__all__ = ["cmd_data_import", "cmd_data_status", "data_arguments"]


def cmd_data_import(args: argparse.Namespace, out: TextIO) -> int:
    """Check each file, say what it changes against the data in use, write a data directory."""
    from earlywarning.datasets import import_data

    report = import_data(args.files, args.output, base=None if args.fresh else "in use")
    out.write(report.text() + "\n")
    if args.output is None:
        print("nothing written: give --output DIR to write a data directory", file=sys.stderr)
    return 0


def cmd_data_status(args: argparse.Namespace, out: TextIO) -> int:
    """Say which data are in use: each source's publication, its years and how old it is, and
    which measures have drifted from the training period since it ended."""
    from earlywarning.datasets import data_status
    from earlywarning.drift import DRIFTED, drift_lines

    out.write(data_status(args.today).text() + "\n")
    lines = drift_lines()
    if lines:
        out.write(
            f"\nMeasures drifted from the training period since it ended (population "
            f"stability index over {DRIFTED}, by year); their rules' thresholds may not cut "
            "where they did:\n"
        )
        out.write("".join(f"  - {line}\n" for line in lines))
    else:
        out.write(f"\nNo measure has drifted from the training period (PSI over {DRIFTED}).\n")
    return 0


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def data_arguments(p: argparse.ArgumentParser) -> None:
    """import publishers' files into a data directory, or say which data are in use"""
    dsub = p.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    i = dsub.add_parser(
        "import",
        help="check DfE, ONS, Ofsted or Data to Insight files as published and write a data "
        "directory; EARLYWARNING_DATA=DIR then uses it",
    )
    i.add_argument(
        "files", nargs="+", metavar="FILE", help="files as their publishers release them"
    )
    i.add_argument(
        "--output", "-o", metavar="DIR", help="the data directory to write (none: only check)"
    )
    i.add_argument(
        "--fresh",
        action="store_true",
        help="build from these files alone, not over the data in use (as the bundled data are)",
    )
    i.set_defaults(handler=cmd_data_import)
    s = dsub.add_parser("status", help="which data are in use, what each source covers, its age")
    s.add_argument(
        "--today", type=_day, metavar="YYYY-MM-DD", help="count ages to this date (default: today)"
    )
    s.set_defaults(handler=cmd_data_status)
