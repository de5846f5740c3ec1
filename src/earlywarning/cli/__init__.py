"""The ``earlywarning`` command line.

Exit codes: 0 success; 1 bad input (a profile or rule file that cannot be used, an output that
cannot be written, with a message saying which field or file), or ``calibrate`` found a case
that disagrees or a failure of the bar; 2 wrong usage; 3 a batch ran but some rows failed (every
row is still written, with its error); 141 the output was closed early (``| head``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from earlywarning.calibrate import (
    calibration_report,
    calibration_table,
    calibration_text,
    case_disagreements,
    case_outcomes,
    cases_after_fit,
    check_bar,
)
from earlywarning.cli._batch import ProfileSource, note, profile_of, rows
from earlywarning.cli._output import OUTPUT_FORMATS, open_output, stamp, write_assessment
from earlywarning.cli.decisions import (
    cmd_smallest_change,
    cmd_what_if,
    smallest_change_arguments,
    what_if_arguments,
)
from earlywarning.cli.report import cmd_report, report_arguments
from earlywarning.engine import score
from earlywarning.errors import EarlyWarningError, EarlyWarningWarning
from earlywarning.fit import fit, split_outcome
from earlywarning.io import SUPPRESSION_CODES, read_profiles
from earlywarning.rules import Ruleset, load_ruleset

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

EXIT_BAD_INPUT = 1
EXIT_CALIBRATION_FAILED = 1
EXIT_USAGE = 2
EXIT_ROWS_FAILED = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a reader that went away

# Rows read, scored and written at a time: memory stays flat whatever the size of the file.
_CHUNK_ROWS = 50_000

Handler = Callable[[argparse.Namespace, TextIO], int]


def _ruleset(args: argparse.Namespace) -> Ruleset:
    return load_ruleset(args.rules) if args.rules else load_ruleset()


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score a profile file, chunk by chunk; print text, JSON, CSV or an Excel workbook."""
    rules = _ruleset(args)
    source = ProfileSource.from_args(args)
    chunks = source.chunks()
    first = next(chunks)
    if source.single(first) and args.format in ("text", "json"):
        a = score(profile_of(rows(first)[0]), ruleset=rules)
        with open_output(args.output, out, binary=False) as stream:
            write_assessment(a, args.format, stream)
        for _ in chunks:  # finish reading, so that the reader's counts and notices are complete
            pass
        source.notes()
        return 0
    writer = OUTPUT_FORMATS[args.format]
    show = sys.stderr.isatty() if args.progress is None else args.progress
    with open_output(args.output, out, binary=writer.binary) as stream:
        chunks = itertools.chain([first], chunks)
        total, failed = source.write_scores(chunks, writer(stream, stamp(rules)), rules, show)
    source.notes()
    if failed:
        print(
            f"{failed} of {total} rows could not be scored; see the error column", file=sys.stderr
        )
        return EXIT_ROWS_FAILED
    return 0


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    """Explain every profile in a file, one paragraph each."""
    rules = _ruleset(args)
    source = ProfileSource.from_args(args)
    with open_output(args.output, out, binary=False) as stream:
        total, failed = source.write_explanations(stream, rules)
    source.notes()
    if failed:
        print(f"{failed} of {total} rows could not be scored", file=sys.stderr)
        return EXIT_ROWS_FAILED
    return 0


def cmd_rules_check(args: argparse.Namespace, out: TextIO) -> int:
    """Check a rules directory or file; print a summary or every problem."""
    rules = load_ruleset(args.path) if args.path else load_ruleset()
    bands = ", ".join(f"{b.name} from {b.from_:g}" for b in rules.bands)
    out.write(
        f"ok: {rules.id} {rules.version} ({rules.content_hash}): {len(rules.indicators)} "
        f"indicators, {len(rules.combinations)} combinations, bands {bands}\n"
    )
    return 0


def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    """Score the documented cases; print the agreement table and check the bar."""
    rules = _ruleset(args)
    report = calibration_report(rules)
    failures = case_disagreements(report)
    bar = check_bar(report)
    if args.format == "csv":
        calibration_table(report).to_csv(out, index=False, lineterminator="\n")
    elif args.format == "json":
        out.write(calibration_table(report).to_json(orient="records", indent=2) + "\n")
    else:
        out.write(calibration_text(report, rules) + "\n")
    stream = out if args.format == "text" else sys.stderr
    if failures:
        stream.write("Cases that disagree:\n" + "".join(f"  - {f}\n" for f in failures))
    if bar:
        stream.write("The bar fails:\n" + "".join(f"  - {f}\n" for f in bar))
    if not failures and not bar and args.format == "text":
        out.write("Every case agrees and the bar holds.\n")
    return EXIT_CALIBRATION_FAILED if failures or bar else 0


def cmd_fit(args: argparse.Namespace, out: TextIO) -> int:
    """Fit the ruleset within its declared bounds; write the YAML and print what moved."""
    rules = _ruleset(args)
    if args.cases:
        profiles, outcomes = case_outcomes()
    else:
        if not args.outcome:
            print(
                "earlywarning fit: error: --outcome COLUMN is required with --profiles",
                file=sys.stderr,
            )
            return EXIT_USAGE
        frame = read_profiles(Path(args.profiles))
        try:
            profiles, outcomes = split_outcome(frame, args.outcome)
        except EarlyWarningError as exc:
            raise EarlyWarningError(f"{args.profiles}: {exc}") from None
    result = fit(
        rules,
        profiles,
        outcomes,
        max_rounds=args.rounds,
        loo=args.loo,
        folds=args.folds,
        version=args.version,
    )
    summary = result.diff()
    text = "".join(f"# {line}\n" for line in summary.splitlines()) + result.ruleset.to_yaml()
    if args.output:
        with open_output(args.output, out, binary=False) as fh:
            fh.write(text)
        stream = out
    else:
        out.write(text)
        stream = sys.stderr
    stream.write(summary + "\n")
    if args.cases:
        stream.write(cases_after_fit(result))
    if args.output:
        stream.write(f"wrote {args.output}\n")
    return 0


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Check a ruleset on the ILACS inspections to March 2022: AUCs beside a baseline, bands.

    Without scikit-learn the ruleset's figures are still printed, with a note that the baseline
    needs ``pip install "earlywarning[validation]"``.
    """
    from earlywarning.validate import ValidationDependencyError, validate

    rules = _ruleset(args)
    try:
        report = validate(rules, folds=args.folds, seed=args.seed)
    except ValidationDependencyError as exc:
        print(f"earlywarning: note: {exc}; printing the ruleset alone", file=sys.stderr)
        report = validate(rules, folds=args.folds, seed=args.seed, baseline=False)
    if args.format == "json":
        out.write(json.dumps(report.to_dict(indicators=args.indicators), indent=2) + "\n")
    elif args.format == "csv":
        out.write(report.to_csv(indicators=args.indicators))
    else:
        out.write(report.to_text(indicators=args.indicators) + "\n")
    return 0


def cmd_trajectories(args: argparse.Namespace, out: TextIO) -> int:
    """Score every council (or the ones named) for every year 2017-2026, with rising risk."""
    from earlywarning.trajectories import england_scores, trajectories_text

    rules = _ruleset(args)
    years = {"years": args.years} if args.years else {}
    scores = england_scores(
        ruleset=rules, rise_margin=args.rise_margin, councils=args.council, **years
    )
    if args.plot:
        from earlywarning.plots import save_trajectory

        save_trajectory(scores, args.plot, ruleset=rules)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.format == "csv":
        scores.to_csv(out, index=False, lineterminator="\n")
    elif args.format == "json":
        out.write(scores.to_json(orient="records", indent=2) + "\n")
    else:
        out.write(trajectories_text(scores) + "\n")
    return 0


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    """Compare one council with its statistical neighbours, its region and England."""
    from earlywarning.compare import compare, peer_trajectory, render_compare

    rules = _ruleset(args)
    table = compare(args.council, args.year, rules, judgements=args.judgements)
    out.write(render_compare(table, args.format))
    if args.format == "csv":  # a CSV holds no notes: say what the ratings rest on beside it
        print(table.attrs["judgements"], file=sys.stderr)
    if args.plot:
        from earlywarning.peer_plots import save_peers

        trajectory = peer_trajectory(args.council, ruleset=rules, judgements=args.judgements)
        save_peers(trajectory, args.plot, ruleset=rules)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


def cmd_watchlist(args: argparse.Namespace, out: TextIO) -> int:
    """Every council in one year, the ones sliding from good or outstanding first."""
    from earlywarning.watchlist import render_watchlist, watchlist

    table = watchlist(
        args.year,
        _ruleset(args),
        judgements=args.judgements,
        region=args.region,
        sliding_only=args.sliding_only,
    )
    out.write(render_watchlist(table, args.format))
    if args.format == "csv":  # a CSV holds no notes: say what the ratings rest on beside it
        print(table.attrs["judgements"], file=sys.stderr)
    return 0


_YEARS_HELP = (
    "the years, as FIRST-LAST or a comma list (default 2017-2026); year Y is each council as "
    "known on 1 January Y, from the workforce census of 30 September Y-1 (2011 to 2026)"
)
_YEAR_HELP = (
    "the year of the England profiles: councils as known on 1 January YEAR, from the workforce "
    "census of 30 September YEAR-1 (2011 to 2026)"
)
_JUDGEMENTS_HELP = (
    "a CSV, JSON or YAML file of Ofsted judgements (council, date, overall) to use beside the "
    "bundled ones, which stop at 31 March 2022"
)


def _year_range(text: str) -> list[int]:
    """The years of ``--years``: ``FIRST-LAST`` (both included) or a comma list.

    Example:
        >>> _year_range("2018-2020"), _year_range("2017,2026")
        ([2018, 2019, 2020], [2017, 2026])
    """
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not FIRST-LAST or a comma list of years"
        ) from None


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    """a council beside its statistical neighbours, its region and England"""
    p.add_argument("council", help="a council name or ONS code")
    p.add_argument("--year", type=int, required=True, help=_YEAR_HELP)
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--judgements", metavar="FILE", help=_JUDGEMENTS_HELP)
    p.add_argument(
        "--plot", metavar="FILE.png", help="draw the score by year beside neighbours and England"
    )
    p.add_argument("--rules", metavar="DIR", help="a rules directory or file (default: bundled)")


def _watchlist_arguments(p: argparse.ArgumentParser) -> None:
    """every council in a year, those sliding from good or outstanding first"""
    p.add_argument("--year", type=int, required=True, help=_YEAR_HELP)
    p.add_argument("--region", metavar="REGION", help="only this English region")
    p.add_argument(
        "--sliding-only", action="store_true", help="only the councils flagged as sliding"
    )
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--judgements", metavar="FILE", help=_JUDGEMENTS_HELP)
    p.add_argument("--rules", metavar="DIR", help="a rules directory or file (default: bundled)")


def _with_rules(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", metavar="DIR", help="a rules directory or file (default: bundled)")


def _reading(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """The arguments of the commands that read a profile file."""
    p.add_argument("file", help="profiles: CSV, TSV, Excel .xlsx, YAML or JSON")
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
    p.add_argument("--chunk-rows", type=int, default=_CHUNK_ROWS, help=argparse.SUPPRESS)
    _with_rules(p)


def _score_arguments(p: argparse.ArgumentParser) -> None:
    """score a profile file (CSV, TSV, xlsx, YAML or JSON)"""
    _reading(p, tuple(OUTPUT_FORMATS))
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on standard error (default: when it is a terminal)",
    )


def _explain_arguments(p: argparse.ArgumentParser) -> None:
    """print the explanation of every profile in a file"""
    _reading(p, ("text",))


def _rules_arguments(p: argparse.ArgumentParser) -> None:
    """work with rule files"""
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    c = rsub.add_parser("check", help="check a rules directory or file and report every problem")
    c.add_argument("path", nargs="?", help="directory or file (default: the bundled rules)")
    c.set_defaults(handler=cmd_rules_check)


def _calibrate_arguments(p: argparse.ArgumentParser) -> None:
    """score the documented cases; exit 1 if a case disagrees or the bar fails"""
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    _with_rules(p)


def _fit_arguments(p: argparse.ArgumentParser) -> None:
    """fit thresholds and points within the rule files' bounds"""
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--profiles", metavar="CSV", help="profiles with an outcome column")
    source.add_argument(
        "--cases", action="store_true", help="fit on the documented cases (preceded_decline)"
    )
    p.add_argument("--outcome", metavar="COLUMN", help="the true/false outcome column")
    p.add_argument("--output", metavar="FILE.yaml", help="write the fitted ruleset here")
    p.add_argument("--loo", action="store_true", help="also report leave-one-out agreement")
    p.add_argument("--folds", type=int, help="held-out fits for --loo (default: one per row)")
    p.add_argument("--rounds", type=int, default=10, help="most search rounds (default 10)")
    p.add_argument("--version", help="version of the fitted ruleset (default: VERSION+fit.N)")
    _with_rules(p)


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    """check the rules on the ILACS inspections 2018 to March 2022, beside a baseline"""
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--folds", type=int, default=5, help="folds of the baseline (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of folds and bootstrap (default 0)")
    p.add_argument("--indicators", action="store_true", help="also the AUC of each rule alone")
    _with_rules(p)


def _trajectories_arguments(p: argparse.ArgumentParser) -> None:
    """score every council for every year 2017-2026"""
    p.add_argument(
        "--council", action="append", metavar="NAME", help="only this council (repeatable)"
    )
    p.add_argument("--years", type=_year_range, metavar="FIRST-LAST", help=_YEARS_HELP)
    p.add_argument("--plot", metavar="FILE.png", help="draw the one council's scores to a file")
    p.add_argument(
        "--rise-margin",
        type=float,
        default=10.0,
        help="a score rise over two years flagged as rising (default 10 points)",
    )
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    _with_rules(p)


# Every command: its name, its handler and the function adding its arguments (whose docstring
# is the command's one-line help). A new command is one entry here.
COMMANDS: dict[str, tuple[Handler | None, Callable[[argparse.ArgumentParser], None]]] = {
    "score": (cmd_score, _score_arguments),
    "explain": (cmd_explain, _explain_arguments),
    "rules": (None, _rules_arguments),
    "calibrate": (cmd_calibrate, _calibrate_arguments),
    "fit": (cmd_fit, _fit_arguments),
    "validate": (cmd_validate, _validate_arguments),
    "trajectories": (cmd_trajectories, _trajectories_arguments),
    "what-if": (cmd_what_if, what_if_arguments),
    "smallest-change": (cmd_smallest_change, smallest_change_arguments),
    "compare": (cmd_compare, _compare_arguments),
    "watchlist": (cmd_watchlist, _watchlist_arguments),
    "report": (cmd_report, report_arguments),
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
