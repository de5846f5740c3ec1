"""The evidence commands: ``calibrate`` on the documented cases, ``fit``, ``validate`` and
``backtest``."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import TextIO

import pandas as pd

from earlywarning.calibrate import (
    calibration_report,
    calibration_table,
    calibration_text,
    case_disagreements,
    case_outcomes,
    cases_after_fit,
    check_bar,
)
from earlywarning.cli._batch import STDIN, input_file
from earlywarning.cli._common import (
    EXIT_CALIBRATION_FAILED,
    EXIT_USAGE,
    NEIGHBOURS_HELP,
    local_of,
    ruleset_of,
    with_local,
    with_rules,
    writing_table,
)
from earlywarning.cli._output import open_output, stamp, write_result
from earlywarning.datasets.periods import PERIOD_CHOICES
from earlywarning.errors import EarlyWarningError
from earlywarning.fit import fit, split_outcome
from earlywarning.io import read_profiles
from earlywarning.io.output import check_output_path, image_format, json_text, terminal_text
from earlywarning.outcomes import OUTCOME_NAMES
from earlywarning.parameters import parse_whole, parse_years

__all__ = [
    "backtest_arguments",
    "calibrate_arguments",
    "cmd_backtest",
    "cmd_calibrate",
    "cmd_fit",
    "cmd_validate",
    "fit_arguments",
    "validate_arguments",
]


def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    """Score the documented cases; print the agreement table and check the bar."""
    rules = ruleset_of(args)
    report = calibration_report(rules, local=local_of(args))
    failures = case_disagreements(report)
    bar = check_bar(report)
    table = calibration_table(report)
    ruleset = stamp(rules)
    own = {
        "text": lambda: calibration_text(report, rules) + "\n",
        # csv is the table through its writer, which stamps the ruleset on every row; json
        # has the ruleset in every row too, as the json of score has it
        "json": lambda: table.assign(**ruleset).to_json(orient="records", indent=2) + "\n",
    }
    write_result(args.format, args.output, out, ruleset, {"calibration": table}, own)
    # the verdict follows the table in text, and goes to standard error beside data
    stream = out if args.format == "text" and not args.output else sys.stderr
    if failures:
        stream.write("Cases that disagree:\n" + "".join(f"  - {f}\n" for f in failures))
    if bar:
        stream.write("The bar fails:\n" + "".join(f"  - {f}\n" for f in bar))
    if not failures and not bar and args.format == "text":
        stream.write("Every case agrees and the bar holds.\n")
    return EXIT_CALIBRATION_FAILED if failures or bar else 0


def cmd_fit(args: argparse.Namespace, out: TextIO) -> int:
    """Fit the ruleset within its declared bounds; write the YAML and print what moved."""
    rules = ruleset_of(args)
    if args.cases:
        profiles, outcomes = case_outcomes()
    else:
        if not args.outcome:
            print(
                "earlywarning fit: error: --outcome COLUMN is required with --profiles "
                "and --inspections",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if args.inspections:
            frame = _inspections_with(args.outcome, args.period)
            where = f"the {args.period} period's inspections"
        else:
            with input_file(args.profiles) as path:
                frame = read_profiles(path)
            where = "standard input" if args.profiles == STDIN else args.profiles
        try:
            profiles, outcomes = split_outcome(frame, args.outcome)
        except EarlyWarningError as exc:
            raise EarlyWarningError(f"{where}: {exc}") from None
    result = fit(
        rules,
        profiles,
        outcomes,
        max_rounds=args.rounds,
        loo=args.loo,
        folds=args.folds,
        version=args.version,
        period=args.period,
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


def _inspections_with(outcome: str, period: str) -> pd.DataFrame:
    """The bundled inspections of a period where ``outcome`` applies, said on stderr."""
    from earlywarning.datasets import inspection_profiles

    frame = inspection_profiles(period=period)  # type: ignore[arg-type]
    if outcome not in OUTCOME_NAMES:
        raise EarlyWarningError(f"--outcome {outcome!r} is not one of {list(OUTCOME_NAMES)}")
    applies = frame[outcome].notna()
    print(
        f"earlywarning fit: {int(applies.sum())} of the {len(frame)} inspections of the "
        f"{period} period where {outcome} applies",
        file=sys.stderr,
    )
    return frame[applies]


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Check a ruleset on the ILACS inspections of both periods: AUCs beside a baseline, bands.

    Without scikit-learn the ruleset's figures are still printed, with a note that the baseline
    needs ``pip install "earlywarning[validation]"``.
    """
    from earlywarning.validation import ValidationDependencyError, validate

    rules = ruleset_of(args)
    try:
        report = validate(rules, folds=args.folds, seed=args.seed)
    except ValidationDependencyError as exc:
        print(f"earlywarning: note: {exc}; printing the ruleset alone", file=sys.stderr)
        report = validate(rules, folds=args.folds, seed=args.seed, baseline=False)
    said = args.indicators
    own = {
        "text": lambda: report.to_text(indicators=said) + "\n",
        "csv": lambda: report.to_csv(indicators=said),
        "json": lambda: json_text(report.to_dict(indicators=said), indent=2) + "\n",
    }
    # every period's rows, each marked with its period, as the csv and json carry them
    periods = report.periods()
    tables = {
        "auc": report.table("all"),
        "bands": pd.concat({str(r.period): r.bands() for r in periods}, names=["period"]),
    }
    if said:
        tables["indicators"] = pd.concat(
            {str(r.period): r.indicators() for r in periods}, names=["period"]
        )
    tables = {name: t.reset_index() for name, t in tables.items()}
    write_result(args.format, args.output, out, stamp(rules), tables, own)
    return 0


def calibrate_arguments(p: argparse.ArgumentParser) -> None:
    """score the documented cases; exit 1 if a case disagrees or the bar fails"""
    writing_table(p)
    p.add_argument(
        "--local",
        metavar="FILE|DIR",
        help="score each case as built from the national data and these local facts on its "
        "snapshot day (examples/local holds the four councils'), not as its file encodes it",
    )
    with_rules(p)


def fit_arguments(p: argparse.ArgumentParser) -> None:
    """fit thresholds and points within the rule files' bounds"""
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--profiles",
        metavar="CSV",
        help="profiles with an outcome column (- reads standard input)",
    )
    source.add_argument(
        "--cases", action="store_true", help="fit on the documented cases (preceded_decline)"
    )
    source.add_argument(
        "--inspections",
        action="store_true",
        help="fit on the bundled ILACS inspections of --period, outcome --outcome",
    )
    p.add_argument(
        "--period",
        choices=PERIOD_CHOICES,
        default="training",
        help="the period dated inspections may come from (default training: the test "
        "period is measured, never fitted on)",
    )
    p.add_argument("--outcome", metavar="COLUMN", help="the true/false outcome column")
    p.add_argument("--output", metavar="FILE.yaml", help="write the fitted ruleset here")
    p.add_argument("--loo", action="store_true", help="also report leave-one-out agreement")
    p.add_argument(
        "--folds", type=parse_whole, help="held-out fits for --loo (default: one per row)"
    )
    p.add_argument("--rounds", type=parse_whole, default=10, help="most search rounds (default 10)")
    p.add_argument("--version", help="version of the fitted ruleset (default: VERSION+fit.N)")
    with_rules(p)


def validate_arguments(p: argparse.ArgumentParser) -> None:
    """check the rules on the inspections of the training and test periods, with a baseline"""
    writing_table(p)
    p.add_argument("--folds", type=parse_whole, default=5, help="folds of the baseline (default 5)")
    p.add_argument(
        "--seed", type=parse_whole, default=0, help="seed of folds and bootstrap (default 0)"
    )
    p.add_argument("--indicators", action="store_true", help="also the AUC of each rule alone")
    with_rules(p)


def cmd_backtest(args: argparse.Namespace, out: TextIO) -> int:
    """The watch list as it stood each 1 January, against each council's next judgement."""
    from earlywarning.backtesting import (
        BACKTEST_NEIGHBOURS,
        backtest,
        backtest_years,
        render_backtest,
    )

    if args.plot:
        image_format(args.plot)  # a name refused before the backtest runs, not after
        check_output_path(args.plot, "chart")
    years = None if args.years is None else parse_years(args.years, *backtest_years())
    rules = ruleset_of(args)
    result = backtest(
        years,
        rules,
        outcome=args.outcome,
        neighbours=args.neighbours or BACKTEST_NEIGHBOURS,
        resamples=args.resamples,
        seed=args.seed,
        local=local_of(args),
    )
    own = {fmt: partial(render_backtest, result, fmt) for fmt in ("text", "csv", "json")}
    # a workbook or Parquet file holds the tables the csv and json hold
    years_pooled = pd.concat(
        [result.years.reset_index().rename(columns={"year": "years"}), result.pooled.reset_index()],
        ignore_index=True,
    )
    tables = {
        "years": years_pooled.astype({"years": str}),
        "bands": result.bands.reset_index(),
        "councils": result.councils,
    }
    write_result(args.format, args.output, out, stamp(rules), tables, own)
    if args.plot:
        from earlywarning.trust_plots import save_backtest

        written = save_backtest(result, args.plot)
        print(terminal_text(f"wrote {written}"), file=sys.stderr)
    if args.output:
        print(terminal_text(f"wrote {args.output}"), file=sys.stderr)
    return 0


def backtest_arguments(p: argparse.ArgumentParser) -> None:
    """the watch list as it stood each 1 January from 2019, against what happened next"""
    p.add_argument(
        "--years",
        metavar="FIRST-LAST",
        help="the 1 Januaries to look from, as FIRST-LAST or a comma list (default 2019 to the "
        "last before the outcomes' date: 2025 in the bundled data)",
    )
    p.add_argument(
        "--outcome",
        default="declined",
        metavar="NAME",
        help=f"the outcome to follow: {', '.join(OUTCOME_NAMES)} (default declined)",
    )
    writing_table(p)
    p.add_argument(
        "--plot", metavar="FILE.png", help="draw rates and lifts by year (FILE.png, .svg or .pdf)"
    )
    p.add_argument(
        "--resamples",
        type=parse_whole,
        default=2000,
        help="councils resampled for each pooled interval (default 2000)",
    )
    p.add_argument("--seed", type=parse_whole, default=0, help="seed of the resampling (default 0)")
    p.add_argument(
        "--neighbours",
        metavar="2021|2025|FILE",
        help=NEIGHBOURS_HELP + " (default here 2021: the 2025 model is later than every date "
        "backtested)",
    )
    with_local(p)
    with_rules(p)
