"""The peer commands: ``compare`` with neighbours, the ``watchlist`` and ``trajectories``."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import TextIO

from earlywarning.cli._batch import STDIN, STDIN_NAME, input_file
from earlywarning.cli._common import (
    JUDGEMENTS_HELP,
    NEIGHBOURS_HELP,
    YEAR_HELP,
    YEARS_HELP,
    council_or_profile,
    council_year,
    local_of,
    one_profile,
    profile_file,
    ruleset_of,
    with_local,
    with_rules,
    writing_table,
)
from earlywarning.cli._output import stamp, write_result
from earlywarning.datasets import profile_years
from earlywarning.errors import EarlyWarningError
from earlywarning.io.output import check_output_path, image_format, terminal_text
from earlywarning.parameters import parse_number, parse_years

__all__ = [
    "cmd_compare",
    "cmd_trajectories",
    "cmd_watchlist",
    "compare_arguments",
    "trajectories_arguments",
    "watchlist_arguments",
]


def cmd_trajectories(args: argparse.Namespace, out: TextIO) -> int:
    """Score every council (or the ones named) for every year from 2017, with rising risk."""
    from earlywarning.trajectories import england_scores, trajectories_text

    if args.plot:
        image_format(args.plot)  # a name refused before the scoring, not after
        check_output_path(args.plot, "chart")
    rules = ruleset_of(args)
    years = None if args.years is None else parse_years(args.years, *profile_years())
    scores = england_scores(
        years,
        ruleset=rules,
        rise_margin=args.rise_margin,
        councils=args.council,
        neighbours=args.neighbours,
        local=local_of(args),
    )
    if args.plot:
        from earlywarning.plots import save_trajectory

        written = save_trajectory(scores, args.plot, ruleset=rules)
        print(terminal_text(f"wrote {written}"), file=sys.stderr)
    ruleset = stamp(rules)
    own = {
        "text": lambda: trajectories_text(scores) + "\n",
        # the ruleset in every row, as the json of score has it
        "json": lambda: scores.assign(**ruleset).to_json(orient="records", indent=2) + "\n",
    }
    write_result(args.format, args.output, out, ruleset, {"trajectories": scores}, own)
    return 0


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    """Compare one council, or a profile file's council, with its statistical neighbours, its
    region and England."""
    from earlywarning.compare import compare, peer_trajectory, render_compare

    if args.plot:
        image_format(args.plot)  # a name refused before the comparison, not after
        check_output_path(args.plot, "chart")
    rules = ruleset_of(args)
    facts = local_of(args)
    beside = {"judgements": args.judgements, "neighbours": args.neighbours, "local": facts}
    if args.year is None:
        if args.plot:
            raise EarlyWarningError(
                f"--plot {args.plot}: the chart is of the council's national scores by year; "
                "a profile file holds one year: give the council and --year to draw it"
            )
        with input_file(profile_file(args, peers=True)) as path:
            profile = one_profile(path, args.council)
        shown = STDIN_NAME if args.source == STDIN else args.source
        origin = f"The council's figures are from the profile in {shown}, not the national data."
        table = compare(ruleset=rules, profile=profile, origin=origin, **beside)
    else:
        council_year(args)  # an unknown council is said so, with the nearest name
        table = compare(args.source, args.year, rules, **beside)
    ruleset = stamp(rules)
    table.attrs.update(ruleset)  # the json's keys, as the csv's columns below
    own = {
        "text": partial(render_compare, table, "text"),
        "csv": partial(render_compare, table.assign(**ruleset), "csv"),
        "json": partial(render_compare, table, "json"),
    }
    tables = {
        "compare": table.reset_index(),
        "neighbours": table.attrs["neighbours"].reset_index(drop=True),
    }
    write_result(args.format, args.output, out, ruleset, tables, own)
    if args.format not in ("text", "json"):  # a table holds no notes: say what ratings rest on
        print(table.attrs["judgements"], file=sys.stderr)
        if args.year is None:
            print(terminal_text(table.attrs["origin"]), file=sys.stderr)
    if args.plot:
        from earlywarning.peer_plots import save_peers

        trajectory = peer_trajectory(args.source, ruleset=rules, **beside)
        written = save_peers(trajectory, args.plot, ruleset=rules)
        print(terminal_text(f"wrote {written}"), file=sys.stderr)
    return 0


def cmd_watchlist(args: argparse.Namespace, out: TextIO) -> int:
    """Every council in one year, the ones sliding from good or outstanding first."""
    from earlywarning.backtesting import band_frequencies, band_sentence
    from earlywarning.watchlist import render_watchlist, watchlist

    rules = ruleset_of(args)
    table = watchlist(
        args.year,
        rules,
        judgements=args.judgements,
        region=args.region,
        sliding_only=args.sliding_only,
        neighbours=args.neighbours,
        local=local_of(args),
    )
    # what each band on the list has meant at inspection, in words (the watch list's layer
    # sits below the evidence that counts it, so the command adds it)
    observed = band_frequencies(rules)
    table.attrs["band_observed"] = {
        band.name: band_sentence(observed, band.name)
        for band in rules.bands
        if band.name in set(table["band"])
    }
    ruleset = stamp(rules)
    table.attrs.update(ruleset)  # the json's keys, as the writer's columns of csv
    own = {fmt: partial(render_watchlist, table, fmt) for fmt in ("text", "json")}
    write_result(args.format, args.output, out, ruleset, {"watchlist": table}, own)
    if args.format not in ("text", "json"):  # a table holds no notes: say what ratings rest on
        print(table.attrs["judgements"], file=sys.stderr)
    return 0


def compare_arguments(p: argparse.ArgumentParser) -> None:
    """a council (or a profile of it) beside its neighbours, its region and England"""
    council_or_profile(
        p,
        "with --year, a council's name or ONS code; without, a file holding the council's "
        "profile, set in the place of its national one (its la_code or council and its year "
        "say whose neighbours and which year; - reads standard input)",
        peers=True,
    )
    writing_table(p)
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="with --year: draw the score by year beside neighbours and England (FILE.png, "
        ".svg or .pdf)",
    )


def watchlist_arguments(p: argparse.ArgumentParser) -> None:
    """every council in a year, those sliding from good or outstanding first"""
    p.add_argument("--year", type=int, required=True, help=YEAR_HELP)
    p.add_argument("--region", metavar="REGION", help="only this English region")
    p.add_argument(
        "--sliding-only", action="store_true", help="only the councils flagged as sliding"
    )
    writing_table(p)
    p.add_argument("--judgements", metavar="FILE", help=JUDGEMENTS_HELP)
    p.add_argument("--neighbours", metavar="2021|2025|FILE", help=NEIGHBOURS_HELP)
    with_local(p)
    p.add_argument("--rules", metavar="DIR", help="a rules directory or file (default: bundled)")


def trajectories_arguments(p: argparse.ArgumentParser) -> None:
    """score every council for every year from 2017 to the newest"""
    p.add_argument(
        "--council", action="append", metavar="NAME", help="only this council (repeatable)"
    )
    p.add_argument("--years", metavar="FIRST-LAST", help=YEARS_HELP)
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the one council's scores to a file (FILE.png, .svg or .pdf)",
    )
    p.add_argument(
        "--rise-margin",
        type=parse_number,
        default=10.0,
        help="a score rise over two years flagged as rising (default 10 points)",
    )
    writing_table(p)
    p.add_argument("--neighbours", metavar="2021|2025|FILE", help=NEIGHBOURS_HELP)
    with_local(p)
    with_rules(p)
