"""What every command shares: exit codes, the ruleset option, the arguments of files and years.

Private to :mod:`earlywarning.cli`; each command group's module builds on these names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TextIO

from earlywarning.cli._output import OUTPUT_FORMATS
from earlywarning.io import SUPPRESSION_CODES
from earlywarning.local import LocalFacts
from earlywarning.parameters import parse_whole
from earlywarning.rules import Ruleset, load_ruleset

__all__ = [
    "CHUNK_ROWS",
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_CALIBRATION_FAILED",
    "EXIT_ROWS_FAILED",
    "EXIT_USAGE",
    "JUDGEMENTS_HELP",
    "LOCAL_HELP",
    "NEIGHBOURS_HELP",
    "OUTPUT_FORMATS",
    "YEARS_HELP",
    "YEAR_HELP",
    "Handler",
    "local_of",
    "reading",
    "ruleset_of",
    "with_local",
    "with_rules",
]

EXIT_BAD_INPUT = 1

EXIT_CALIBRATION_FAILED = 1

EXIT_USAGE = 2

EXIT_ROWS_FAILED = 3

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a reader that went away

# Rows read, scored and written at a time: memory stays flat whatever the size of the file.
CHUNK_ROWS = 50_000

Handler = Callable[[argparse.Namespace, TextIO], int]


def ruleset_of(args: argparse.Namespace) -> Ruleset:
    """The ruleset a command was given with ``--rules``, or the bundled one."""
    return load_ruleset(args.rules) if args.rules else load_ruleset()


YEARS_HELP = (
    "the years, as FIRST-LAST or a comma list (default 2017 to the newest); year Y is each "
    "council as known on 1 January Y, from the workforce census of 30 September Y-1 (the data's "
    "years: 2011 to 2026 in the bundled data; `earlywarning data status` says which)"
)


YEAR_HELP = (
    "the year of the England profiles: councils as known on 1 January YEAR, from the workforce "
    "census of 30 September YEAR-1 (the data's years: 2011 to 2026 in the bundled data)"
)


JUDGEMENTS_HELP = (
    "Ofsted judgements to use beside the data's (the bundled ones stop at 31 March 2025): "
    "Ofsted's outcomes workbook or Data to Insight's overview as published, or a CSV, JSON or "
    "YAML file of council, date, overall (and optionally leadership, help_protection, "
    "children_in_care, care_leavers; overall may be empty from April 2026)"
)


NEIGHBOURS_HELP = (
    "the DfE statistical neighbour model: 2025 (the default, the newest in the data), 2021, "
    "or a DfE neighbour FILE in either of DfE's layouts"
)


LOCAL_HELP = (
    "the council's own facts (YAML or CSV, or a folder of such files; `earlywarning local "
    "template COUNCIL --year YEAR` writes one to fill in): directors, budgets, management posts, "
    "restructures and reinvestment, read as on the profile's day in place of national figures "
    "for the same fields"
)


def with_local(p: argparse.ArgumentParser) -> None:
    """The ``--local FILE`` option, for every command that builds a council's profile."""
    p.add_argument("--local", metavar="FILE|DIR", help=LOCAL_HELP)


def local_of(args: argparse.Namespace) -> LocalFacts | None:
    """The local facts a command was given with ``--local`` (a file, or a folder of them),
    read and checked, or None."""
    from earlywarning.datasets import as_local

    path = getattr(args, "local", None)
    return as_local(path) if path else None


def with_rules(p: argparse.ArgumentParser) -> None:
    """The ``--rules`` option."""
    p.add_argument("--rules", metavar="DIR", help="a rules directory or file (default: bundled)")


def reading(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """The arguments of the commands that read a profile file."""
    p.add_argument(
        "file", help="profiles: CSV, TSV, Excel .xlsx, YAML, JSON, Parquet or Feather (Arrow IPC)"
    )
    p.add_argument("--council", metavar="NAME", help="only this council's rows")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx file")
    p.add_argument(
        "--suppressed",
        choices=("missing", "refuse"),
        default="missing",
        help=f"suppression codes ({' '.join(SUPPRESSION_CODES)}): read as missing "
        "(default) or refuse the file",
    )
    p.add_argument("--format", choices=formats, default="text")
    p.add_argument("--output", metavar="FILE", help="write here (whole, or not at all)")
    p.add_argument("--chunk-rows", type=parse_whole, default=CHUNK_ROWS, help=argparse.SUPPRESS)
    with_rules(p)
