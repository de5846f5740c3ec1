"""The ``earlywarning report`` command: its arguments and its handler, for :mod:`earlywarning.cli`.

It only parses, calls :func:`earlywarning.report` or :func:`earlywarning.watchlist_report`,
writes the pages and says what it wrote. The names are public within the package's private
report machinery.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from earlywarning.cli._batch import STDIN, STDIN_NAME, input_file
from earlywarning.cli._common import NEIGHBOURS_HELP, council_code, local_of, with_local
from earlywarning.errors import EarlyWarningError
from earlywarning.io.output import check_output_folder, check_output_path, terminal_text
from earlywarning.rules import load_ruleset

__all__ = ["cmd_report", "report_arguments"]


def report_arguments(p: argparse.ArgumentParser) -> None:
    """write a self-contained HTML report for a council, or a watch list's pages"""
    p.description = (
        "One page per council for directors: score, band and reasons, the range the missing "
        "data allow, the smallest change that would lower the band, the comparison with "
        "statistical neighbours, region and England, and the trajectory. With --watchlist, one "
        "page per council of the year's watch list and an index.html, in the --output folder."
    )
    p.add_argument(
        "council_name",
        nargs="?",
        metavar="COUNCIL|FILE",
        help="with --year, a council's name or ONS code; without, a file holding the profile "
        "(- reads standard input)",
    )
    p.add_argument(
        "--year", type=int, help="the year of the national profile: as known on 1 January"
    )
    p.add_argument("--profile", metavar="FILE", help="report on this profile file")
    p.add_argument("--watchlist", action="store_true", help="a batch: the year's watch list")
    p.add_argument("--region", help="with --watchlist: only this region")
    p.add_argument(
        "--council", action="append", metavar="NAME", help="with --watchlist: only this council"
    )
    p.add_argument("--sliding-only", action="store_true", help="with --watchlist: only sliding")
    p.add_argument(
        "--output",
        required=True,
        metavar="PATH",
        help="FILE.html, or a folder for --watchlist: a report is HTML pages, not a table, so "
        "it takes no --format",
    )
    p.add_argument(
        "--judgements",
        metavar="FILE",
        help="Ofsted judgements beyond the data's (to 31 March 2025 bundled): Ofsted's outcomes "
        "workbook, Data to Insight's overview, or a CSV of council, date, overall",
    )
    p.add_argument("--neighbours", metavar="2021|2025|FILE", help=NEIGHBOURS_HELP)
    with_local(p)
    p.add_argument("--rules", metavar="DIR", help="a rules directory or file (default: bundled)")


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """Write a council's HTML report, or a batch of them with an index page."""
    if args.watchlist:
        return _batch(args, out)
    from earlywarning.report import report

    check_output_path(args.output, "report")  # refused before the page is built, not after
    rules = load_ruleset(args.rules) if args.rules else load_ruleset()
    if args.profile and (args.council_name or args.year is not None):
        raise EarlyWarningError("report: give a council and --year, or --profile, not both")
    # as for every command on one council: with --year a council, without it a profile file
    file = args.profile or (args.council_name if args.year is None else None)
    if file:
        if not args.profile and not Path(file).exists() and file != STDIN:
            council_code(file)  # an unknown council is said so, with the nearest name
            raise EarlyWarningError(f"{file}: no such file; for the council, give --year YEAR")
        with input_file(file) as path:
            profile = _one_profile(path)
        shown = STDIN_NAME if file == STDIN else file
        page = report(
            profile=profile,
            ruleset=rules,
            origin=f"From the profile in {shown}; no figure was added to it.",
            judgements=args.judgements,
            neighbours=args.neighbours,
            local=local_of(args),
        )
    else:
        if not args.council_name:
            raise EarlyWarningError("report: give a council and --year, or a profile FILE")
        council_code(args.council_name)  # an unknown council is said so, with the nearest name
        page = report(
            args.council_name,
            args.year,
            ruleset=rules,
            judgements=args.judgements,
            neighbours=args.neighbours,
            local=local_of(args),
        )
    path = page.write(args.output)
    a = page.assessment
    out.write(terminal_text(f"wrote {path}: {a.council} ({a.year}) scores {a.score:.0f}, {a.band}"))
    out.write("\n")
    return 0


def _batch(args: argparse.Namespace, out: TextIO) -> int:
    from earlywarning.report.batch import watchlist_report

    if args.profile or args.council_name:
        raise EarlyWarningError("report --watchlist takes no council and no --profile")
    if args.year is None:
        raise EarlyWarningError("report --watchlist needs --year")
    check_output_folder(args.output)  # refused before the pages are built, not after
    batch = watchlist_report(
        args.year,
        region=args.region,
        councils=args.council,
        sliding_only=args.sliding_only,
        ruleset=load_ruleset(args.rules) if args.rules else load_ruleset(),
        judgements=args.judgements,
        neighbours=args.neighbours,
        local=local_of(args),
    )
    written = batch.write(args.output)
    out.write(terminal_text(f"wrote {written[0]} and {len(written) - 1} council pages beside it"))
    out.write("\n")
    return 0


def _one_profile(path: Path) -> dict[str, Any]:
    from earlywarning.io import read_profiles

    frame = read_profiles(path)
    if len(frame) != 1:
        raise EarlyWarningError(f"{path}: a report needs exactly one profile, not {len(frame)}")
    # a blank cell is missing, as everywhere: leave it out rather than pass it on
    return {str(k): v for k, v in frame.iloc[0].items() if not pd.isna(v)}
