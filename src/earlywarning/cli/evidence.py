"""The evidence commands: ``calibrate`` on the documented cases, ``fit`` and ``validate``."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from earlywarning.calibrate import (
    calibration_report,
    calibration_table,
    calibration_text,
    case_disagreements,
    case_outcomes,
    cases_after_fit,
    check_bar,
)
from earlywarning.cli._batch import input_file
from earlywarning.cli._common import (
    EXIT_CALIBRATION_FAILED,
    EXIT_USAGE,
    ruleset_of,
    with_rules,
    writing_table,
)
from earlywarning.cli._output import open_output, stamp, write_result
from earlywarning.errors import EarlyWarningError
from earlywarning.fit import fit, split_outcome
from earlywarning.io import read_profiles
from earlywarning.io.output import json_text
from earlywarning.parameters import parse_whole

__all__ = [
    "calibrate_arguments",
    "cmd_calibrate",
    "cmd_fit",
    "cmd_validate",
    "fit_arguments",
    "validate_arguments",
]


def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    """Score the documented cases; print the agreement table and check the bar."""
    rules = ruleset_of(args)
    report = calibration_report(rules)
    failures = case_disagreements(report)
    bar = check_bar(report)
    table = calibration_table(report)
    ruleset = stamp(rules)
    own = {
        "text": lambda: calibration_text(report, rules) + "\n",
        "csv": lambda: table.to_csv(index=False, lineterminator="\n"),
        # the ruleset in every row, as the json of score has it
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
                "earlywarning fit: error: --outcome COLUMN is required with --profiles",
                file=sys.stderr,
            )
            return EXIT_USAGE
        with input_file(args.profiles) as path:
            frame = read_profiles(path)
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
    tables = {"auc": report.table(), "bands": report.bands()}
    if said:
        tables["indicators"] = report.indicators()
    tables = {name: t.reset_index() for name, t in tables.items()}
    write_result(args.format, args.output, out, stamp(rules), tables, own)
    return 0


def calibrate_arguments(p: argparse.ArgumentParser) -> None:
    """score the documented cases; exit 1 if a case disagrees or the bar fails"""
    writing_table(p)
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
    """check the rules on the ILACS inspections 2018 to March 2022, beside a baseline"""
    writing_table(p)
    p.add_argument("--folds", type=parse_whole, default=5, help="folds of the baseline (default 5)")
    p.add_argument(
        "--seed", type=parse_whole, default=0, help="seed of folds and bootstrap (default 0)"
    )
    p.add_argument("--indicators", action="store_true", help="also the AUC of each rule alone")
    with_rules(p)
