"""The ``earlywarning`` command line.

Exit codes: 0 success; 1 bad input (a profile or rule file that cannot be used, with a message
saying which field or file), or ``calibrate`` found a case that disagrees or a failure of the bar;
2 wrong usage; 3 a batch ran but some rows failed (every row is still written, with its error).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import yaml

from earlywarning._report_cli import cmd_report, report_arguments
from earlywarning.calibrate import (
    calibration_report,
    calibration_table,
    calibration_text,
    case_disagreements,
    case_outcomes,
    cases_after_fit,
    check_bar,
)
from earlywarning.engine import score, score_frame
from earlywarning.errors import EarlyWarningError, ProfileError
from earlywarning.explain import Assessment
from earlywarning.fit import fit, split_outcome
from earlywarning.rules import Ruleset, load_ruleset

EXIT_BAD_INPUT = 1
EXIT_CALIBRATION_FAILED = 1
EXIT_USAGE = 2
EXIT_ROWS_FAILED = 3

# Rows scored per chunk when progress is shown; large enough that chunking costs nothing.
_CHUNK_ROWS = 200_000

Handler = Callable[[argparse.Namespace, TextIO], int]


def read_profiles(path: Path) -> list[dict[str, Any]] | pd.DataFrame:
    """Read profiles from a file: a CSV gives a DataFrame, YAML or JSON a list of dicts.

    Raises:
        EarlyWarningError: if the file is missing, unreadable, or not profiles.
    """
    if not path.is_file():
        raise EarlyWarningError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        # read every cell as text: the profile checks parse numbers and refuse what is not one,
        # rather than pandas guessing a type per column
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise EarlyWarningError(
            f"{path}: cannot be read as {suffix.lstrip('.') or 'YAML'}: {exc}"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("profile"), dict):
        data = data["profile"]  # a documented case file: score its profile
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and all(isinstance(x, dict) for x in data):
        return data
    raise EarlyWarningError(f"{path}: expected a profile (a mapping) or a list of profiles")


def _ruleset(args: argparse.Namespace) -> Ruleset:
    return load_ruleset(args.rules) if args.rules else load_ruleset()


def _score_batch(frame: pd.DataFrame, rules: Ruleset, progress: bool) -> pd.DataFrame:
    if not progress or len(frame) <= _CHUNK_ROWS:
        return score_frame(frame, rules)
    parts = []
    for start in range(0, len(frame), _CHUNK_ROWS):
        parts.append(score_frame(frame.iloc[start : start + _CHUNK_ROWS], rules))
        done = min(start + _CHUNK_ROWS, len(frame))
        print(f"scored {done:,} of {len(frame):,} rows", file=sys.stderr)
    return pd.concat(parts)


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score a profile file; print text, JSON or CSV."""
    rules = _ruleset(args)
    data = read_profiles(Path(args.file))
    if isinstance(data, list) and len(data) == 1 and args.format != "csv":
        a = score(data[0], ruleset=rules)
        _print_assessments([a], args.format, out)
        return 0
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    result = _score_batch(frame, rules, progress=args.progress)
    ident = frame[[c for c in ("council", "year") if c in frame.columns]].copy()
    if "year" in ident:
        # a CSV is read as text; show the year as a number where it is one
        ident["year"] = pd.to_numeric(ident["year"], errors="coerce").astype("Int64")
    table = pd.concat([ident, result], axis=1)
    failed = int(result["error"].notna().sum())
    if args.format == "csv":
        table.to_csv(out, index=False, lineterminator="\n")
    elif args.format == "json":
        out.write(table.to_json(orient="records", indent=2) + "\n")
    else:
        with pd.option_context("display.max_rows", 200, "display.width", 200):
            # a blank reads better than NaN for "no error" and "no red flag" in a terminal
            shown = table.astype(object).where(table.notna(), "")
            out.write(shown.to_string(index=False) + "\n")
    if failed:
        print(
            f"{failed} of {len(table)} rows could not be scored; see the error column",
            file=sys.stderr,
        )
        return EXIT_ROWS_FAILED
    return 0


def _print_assessments(items: Sequence[Assessment], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        out.write(items[0].model_dump_json(indent=2) + "\n")
        return
    for a in items:
        out.write(a.explain() + "\n\nContributions:\n")
        for c in sorted(a.contributions, key=lambda c: -abs(c.points)):
            out.write(f"  {c.reason}\n")


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    """Explain every profile in a file, one paragraph each."""
    rules = _ruleset(args)
    data = read_profiles(Path(args.file))
    rows: list[dict[str, Any]] = (
        [{str(k): v for k, v in r.items()} for r in data.to_dict("records")]
        if isinstance(data, pd.DataFrame)
        else data
    )
    failed = 0
    for i, row in enumerate(rows):
        if i:
            out.write("\n")
        try:
            assessment = score(row, ruleset=rules)
        except ProfileError as exc:
            # one bad row is reported in its place; the others are still explained
            failed += 1
            out.write(f"Row {i + 1} ({row.get('council')}): not scored: {exc}\n")
            continue
        _print_assessments([assessment], "text", out)
    if failed:
        print(f"{failed} of {len(rows)} rows could not be scored", file=sys.stderr)
        return EXIT_ROWS_FAILED
    return 0


def cmd_rules_check(args: argparse.Namespace, out: TextIO) -> int:
    """Check a rules directory or file; print a summary or every problem."""
    rules = load_ruleset(args.path) if args.path else load_ruleset()
    out.write(
        f"ok: {rules.id} {rules.version} ({rules.content_hash}): {len(rules.indicators)} "
        f"indicators, {len(rules.combinations)} combinations, bands "
        + ", ".join(f"{b.name} from {b.from_:g}" for b in rules.bands)
        + "\n"
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
        data = read_profiles(Path(args.profiles))
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
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
        Path(args.output).write_text(text, encoding="utf-8")
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
    """Score every council (or the ones named) for every year 2017-2025, with rising risk."""
    from earlywarning.trajectories import england_scores, trajectories_text

    rules = _ruleset(args)
    scores = england_scores(ruleset=rules, rise_margin=args.rise_margin, councils=args.council)
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="earlywarning",
        description="Early-warning risk scores for English councils' children's services.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_rules(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--rules", metavar="DIR", help="a rules directory or file (default: bundled)"
        )

    p = sub.add_parser("score", help="score a profile file (YAML, JSON or CSV)")
    p.add_argument("file", help="a YAML/JSON profile or list of profiles, or a CSV of many")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--progress", action="store_true", help="report progress on large batches")
    with_rules(p)
    p.set_defaults(handler=cmd_score)

    p = sub.add_parser("explain", help="print the explanation of every profile in a file")
    p.add_argument("file")
    with_rules(p)
    p.set_defaults(handler=cmd_explain)

    p = sub.add_parser("rules", help="work with rule files")
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    c = rsub.add_parser("check", help="check a rules directory or file and report every problem")
    c.add_argument("path", nargs="?", help="directory or file (default: the bundled rules)")
    c.set_defaults(handler=cmd_rules_check)

    p = sub.add_parser(
        "calibrate",
        help="score the documented cases; exit 1 if a case disagrees or the bar fails",
    )
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    with_rules(p)
    p.set_defaults(handler=cmd_calibrate)

    p = sub.add_parser("fit", help="fit thresholds and points within the rule files' bounds")
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
    with_rules(p)
    p.set_defaults(handler=cmd_fit)

    p = sub.add_parser(
        "validate",
        help="check the rules on the ILACS inspections 2018 to March 2022, beside a baseline",
    )
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--folds", type=int, default=5, help="folds of the baseline (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of folds and bootstrap (default 0)")
    p.add_argument("--indicators", action="store_true", help="also the AUC of each rule alone")
    with_rules(p)
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("trajectories", help="score every council for every year 2017-2025")
    p.add_argument(
        "--council", action="append", metavar="NAME", help="only this council (repeatable)"
    )
    p.add_argument("--plot", metavar="FILE.png", help="draw the one council's scores to a file")
    p.add_argument(
        "--rise-margin",
        type=float,
        default=10.0,
        help="a score rise over two years flagged as rising (default 10 points)",
    )
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    with_rules(p)
    p.set_defaults(handler=cmd_trajectories)

    p = sub.add_parser("report", help=report_arguments.__doc__)
    report_arguments(p)
    p.set_defaults(handler=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code.

    Example:
        >>> main(["rules", "check"])  # doctest: +ELLIPSIS
        ok: earlywarning-default ...
        0
    """
    out = out if out is not None else sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, out)
    except EarlyWarningError as exc:
        print(f"earlywarning: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
