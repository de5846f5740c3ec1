"""The ``earlywarning`` command line.

Exit codes: 0 success; 1 bad input (a profile or rule file that cannot be used, with a message
saying which field or file); 2 wrong usage; 3 a batch ran but some rows failed (every row is
still written, with its error).
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

from earlywarning.engine import score, score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.explain import Assessment
from earlywarning.rules import Ruleset, load_ruleset

EXIT_BAD_INPUT = 1
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
    ident = frame[[c for c in ("council", "year") if c in frame.columns]]
    table = pd.concat([ident, result], axis=1)
    failed = int(result["error"].notna().sum())
    if args.format == "csv":
        table.to_csv(out, index=False, lineterminator="\n")
    elif args.format == "json":
        out.write(table.to_json(orient="records", indent=2) + "\n")
    else:
        with pd.option_context("display.max_rows", 200, "display.width", 200):
            out.write(table.to_string(index=False) + "\n")
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
    for i, row in enumerate(rows):
        if i:
            out.write("\n")
        _print_assessments([score(row, ruleset=rules)], "text", out)
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
