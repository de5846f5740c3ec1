"""What every command shares: exit codes, the ruleset option, the arguments of files and years.

Private to :mod:`earlywarning.cli`; each command group's module builds on these names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from earlywarning._names import did_you_mean
from earlywarning.cli._batch import STDIN, input_file
from earlywarning.cli._output import COLUMN_CHOICES, OUTPUT_FORMATS
from earlywarning.errors import EarlyWarningError
from earlywarning.io import SUPPRESSION_CODES, read_profiles
from earlywarning.local import LocalFacts
from earlywarning.parameters import parse_whole
from earlywarning.profile import FIELD_NAMES
from earlywarning.rules import Ruleset, load_ruleset

__all__ = [
    "CHUNK_ROWS",
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_CALIBRATION_FAILED",
    "EXIT_ROWS_FAILED",
    "EXIT_USAGE",
    "FORMAT_HELP",
    "JUDGEMENTS_HELP",
    "LOCAL_HELP",
    "NEIGHBOURS_HELP",
    "OUTPUT_FORMATS",
    "YEARS_HELP",
    "YEAR_HELP",
    "Handler",
    "blank",
    "chosen_profile",
    "council_code",
    "council_or_profile",
    "council_year",
    "local_of",
    "national_profile",
    "one_profile",
    "profile_file",
    "reading",
    "ruleset_of",
    "with_local",
    "with_rules",
    "writing_table",
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


FORMAT_HELP = (
    "text (the default, for reading), csv, json, xlsx (an Excel workbook, with the excel extra) "
    "or parquet (with the arrow extra); xlsx and parquet are files: give --output"
)


def writing_table(p: argparse.ArgumentParser) -> None:
    """The ``--format`` and ``--output`` options of a command that writes a table: the same
    formats, meaning the same, on every such command (:data:`OUTPUT_FORMATS`)."""
    p.add_argument("--format", choices=tuple(OUTPUT_FORMATS), default="text", help=FORMAT_HELP)
    p.add_argument("--output", metavar="FILE", help="write here (whole, or not at all)")


def reading(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """The arguments of the commands that read profiles: a file of them, or a council's."""
    council_or_profile(
        p,
        "with --year, a council's name or ONS code; without, a file of profiles: CSV, TSV, "
        "Excel .xlsx, YAML, JSON, Parquet or Feather (Arrow IPC); - reads standard input (its "
        "format told from its first bytes)",
    )
    p.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx file")
    p.add_argument(
        "--suppressed",
        choices=("missing", "refuse"),
        default="missing",
        help=f"suppression codes ({' '.join(SUPPRESSION_CODES)}): read as missing "
        "(default) or refuse the file",
    )
    if tuple(formats) == tuple(OUTPUT_FORMATS):
        writing_table(p)
        p.add_argument(
            "--columns",
            choices=COLUMN_CHOICES,
            help="beside the scores, every input column (all: the default for csv, json, xlsx "
            "and parquet, so that the output joins back to the input) or only council, year "
            "and la_code (scores: the default for text, to read on a screen)",
        )
    else:
        p.add_argument("--format", choices=formats, default="text")
        p.add_argument("--output", metavar="FILE", help="write here (whole, or not at all)")
    p.add_argument("--chunk-rows", type=parse_whole, default=CHUNK_ROWS, help=argparse.SUPPRESS)


def council_or_profile(
    p: argparse.ArgumentParser, what: str | None = None, *, peers: bool = False
) -> None:
    """The arguments of a command that works on a council's profile: a council's name or ONS
    code with ``--year`` (its profile from the national data), or a file holding the profile.

    ``--year`` decides: with it, ``COUNCIL|FILE`` is a council, even where a file has that name;
    without it, a file (``-`` for standard input). :func:`chosen_profile` reads what they name
    (:func:`national_profile` and :func:`profile_file` each half of it). ``what`` says what the
    argument is, where the command reads more than one profile. ``peers``: the command sets
    the profile beside other councils' national ones, which ``--judgements``, ``--neighbours``
    and ``--local`` shape with a file too.
    """
    national = "" if peers else "with --year: "
    p.add_argument(
        "source",
        metavar="COUNCIL|FILE",
        help=what
        or "with --year, a council's name or ONS code; without, a file holding the profile "
        "(CSV, TSV, xlsx, YAML, JSON, Parquet or Feather; - reads standard input)",
    )
    p.add_argument(
        "--year", type=int, help=f"{YEAR_HELP}; makes COUNCIL|FILE a council, not a file"
    )
    p.add_argument("--council", metavar="NAME", help="in a FILE of many profiles, this council's")
    p.add_argument("--judgements", metavar="FILE", help=f"{national}{JUDGEMENTS_HELP}")
    p.add_argument("--neighbours", metavar="2021|2025|FILE", help=f"{national}{NEIGHBOURS_HELP}")
    with_local(p)
    with_rules(p)


def chosen_profile(args: argparse.Namespace) -> dict[str, Any]:
    """The one profile the arguments of :func:`council_or_profile` name: the council's national
    profile as known on 1 January ``--year``, or the one profile in the file.

    Raises:
        EarlyWarningError: for an unknown council (with the nearest name), a year outside the
            data, a council not in existence that day, options that do not go together, or a
            file that does not hold one profile.
    """
    if args.year is None:
        with input_file(profile_file(args)) as path:
            return one_profile(path, args.council)
    return _fields({str(k): v for k, v in national_profile(args).iloc[0].items()})


def profile_file(args: argparse.Namespace, *, peers: bool = False) -> str:
    """The file the arguments of :func:`council_or_profile` name, without ``--year``.

    Raises:
        EarlyWarningError: for options of the national data (unless the command sets the
            profile beside its ``peers``), or a council given as a file.
    """
    if not peers and (args.judgements or args.neighbours or getattr(args, "local", None)):
        raise EarlyWarningError(
            f"{args.source}: --judgements, --neighbours and --local build a profile from the "
            "national data, with a council and --year; a profile file is read as it is"
        )
    if args.source != STDIN and not Path(args.source).exists() and _known(args.source):
        raise EarlyWarningError(f"{args.source}: no such file; for the council, give --year YEAR")
    return str(args.source)


def national_profile(args: argparse.Namespace) -> pd.DataFrame:
    """The national profile (one row) of the council the arguments of
    :func:`council_or_profile` name with ``--year``.

    Raises:
        EarlyWarningError: for an unknown council (with the nearest name), a year outside the
            data, a council not in existence that day, or ``--council`` beside it.
    """
    from earlywarning.datasets import england_profiles

    code = council_year(args)
    found = england_profiles(
        args.year,
        [code],
        judgements=args.judgements,
        neighbours=args.neighbours,
        local=local_of(args),
    )
    if found.empty:
        raise EarlyWarningError(
            f"{args.source}: the council did not exist on 1 January {args.year}"
        )
    return found


def council_year(args: argparse.Namespace) -> str:
    """The ONS code of the council the arguments of :func:`council_or_profile` name with
    ``--year``, once the year is in the data and no option picks a part of a file.

    Raises:
        EarlyWarningError: for an unknown council (with the nearest name), a year outside the
            data, or ``--council`` or ``--sheet`` beside it.
    """
    for option, value in (("--council", args.council), ("--sheet", getattr(args, "sheet", None))):
        if value is not None:
            raise EarlyWarningError(
                f"{option} {value!r} picks a part of a file; with --year, "
                f"{args.source!r} is the council"
            )
    from earlywarning.datasets import profile_years

    first, last = profile_years()
    if not first <= args.year <= last:
        raise EarlyWarningError(
            f"--year {args.year}: not in the data, whose profiles run from {first} to {last}"
        )
    return council_code(args.source)


def _known(council: str) -> bool:
    from earlywarning.datasets.councils import resolve_councils

    try:
        resolve_councils([council], "")
    except EarlyWarningError:
        return False
    return True


def council_code(council: str) -> str:
    """The ONS code of a council's name or code (any case), for a command's arguments; a name
    two councils have borne gives the one in existence today, their codes the others.

    Raises:
        EarlyWarningError: for a council the data do not know, with the nearest name, and a
            file of that name where there is one.
    """
    from earlywarning.datasets.councils import council_names, resolve_council

    try:
        return resolve_council(council, "")
    except EarlyWarningError:
        pass
    hint = did_you_mean(council.strip(), sorted(set(council_names().values())))
    problem = f"{council!r} is not a council in the data" + (f"; {hint}" if hint else "")
    if Path(council).is_file():
        problem += f"; {council} is a file: leave out --year to read it"
    raise EarlyWarningError(problem)


def one_profile(path: str | Path, council: str | None = None) -> dict[str, Any]:
    """The single profile in a file (or the one row of ``council``), its profile fields only."""
    data = read_profiles(Path(path))
    rows = [{str(k): v for k, v in r.items()} for r in data.to_dict("records")]
    if council is not None:
        rows = [r for r in rows if str(r.get("council", "")).strip().lower() == council.lower()]
    if len(rows) != 1:
        which = f" for {council!r}" if council is not None else ""
        raise EarlyWarningError(
            f"{path}: holds {len(rows)} profiles{which}; give one (or --council NAME)"
        )
    return _fields(rows[0])


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    # identifier columns a file may carry (a region, a note) are not profile fields
    return {str(k): v for k, v in row.items() if str(k) in FIELD_NAMES and not blank(v)}


def blank(value: Any) -> bool:
    """True for a missing cell (None or NaN)."""
    return value is None or (isinstance(value, float) and value != value)
