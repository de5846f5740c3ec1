"""The ``local`` commands: ``local template`` writes a council's facts file to fill in."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from earlywarning.cli._common import YEAR_HELP
from earlywarning.errors import EarlyWarningError

__all__ = ["cmd_local_template", "local_arguments"]


def _national(council: str, year: int) -> dict[str, Any]:
    """The council's national figures as known on 1 January ``year``, for checking against."""
    from earlywarning.datasets import england_profiles

    rows = england_profiles(year, [council])
    if len(rows) != 1:
        found = ", ".join(f"{r.council} ({r.la_code})" for r in rows.itertuples())
        raise EarlyWarningError(
            f"local template: {council!r} names {len(rows)} councils in {year} "
            f"({found or 'none'}); give one ONS code"
        )
    return {str(k): v for k, v in rows.iloc[0].items()}


def cmd_local_template(args: argparse.Namespace, out: TextIO) -> int:
    """Write a local facts file for a council to fill in, the national figures beside it."""
    from earlywarning.io.output import check_output_path, write_file
    from earlywarning.local import local_template

    national = _national(args.council, args.year)
    if args.output is not None:
        path = check_output_path(args.output, "local facts template")
        if path.exists():  # a filled-in facts file is the council's work: never overwrite it
            raise EarlyWarningError(
                f"local template: {path} exists; the template is written to a new file only "
                "(give another --output, or remove it first)"
            )
    text = local_template(str(national["la_code"]), args.year, national)
    if args.output is None:
        out.write(text)
        return 0
    write_file(args.output, text, what="local facts template")
    print(f"wrote {args.output}: fill it in, then give it with --local", file=sys.stderr)
    return 0


def local_arguments(p: argparse.ArgumentParser) -> None:
    """a council's own facts: write a file to fill in"""
    lsub = p.add_subparsers(dest="local_command", required=True, metavar="ACTION")
    t = lsub.add_parser(
        "template",
        help="write a local facts file (YAML) for a council to fill in: each kind of fact with "
        "what it means and where councils usually hold it, the national figures beside it",
    )
    t.add_argument("council", metavar="COUNCIL", help="a council's name or ONS code")
    t.add_argument("--year", type=int, required=True, help=YEAR_HELP)
    t.add_argument("--output", "-o", metavar="FILE", help="write here (default: standard output)")
    t.set_defaults(handler=cmd_local_template)
