"""The ``score`` and ``explain`` commands: a profile file scored, or explained, chunk by chunk."""

from __future__ import annotations

import argparse
import itertools
import sys
from contextlib import ExitStack
from typing import TextIO

from earlywarning.cli._batch import ProfileSource, input_file, profile_of, rows
from earlywarning.cli._common import (
    EXIT_ROWS_FAILED,
    national_profile,
    profile_file,
    reading,
    ruleset_of,
)
from earlywarning.cli._output import OUTPUT_FORMATS, open_output, stamp, write_assessment
from earlywarning.engine import score
from earlywarning.rules import Ruleset

__all__ = ["cmd_explain", "cmd_score", "explain_arguments", "score_arguments"]


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score a profile file, chunk by chunk; print text, JSON, CSV or an Excel workbook."""
    rules = ruleset_of(args)
    if args.year is not None:
        return _score(args, ProfileSource.national(national_profile(args), args), rules, out)
    with input_file(profile_file(args)) as path:
        return _score(args, ProfileSource.from_args(args, path), rules, out)


def _score(args: argparse.Namespace, source: ProfileSource, rules: Ruleset, out: TextIO) -> int:
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
    rules = ruleset_of(args)
    with ExitStack() as stack:
        if args.year is not None:
            source = ProfileSource.national(national_profile(args), args)
        else:
            path = stack.enter_context(input_file(profile_file(args)))
            source = ProfileSource.from_args(args, path)
        with open_output(args.output, out, binary=False) as stream:
            total, failed = source.write_explanations(stream, rules)
        source.notes()
    if failed:
        print(f"{failed} of {total} rows could not be scored", file=sys.stderr)
        return EXIT_ROWS_FAILED
    return 0


def score_arguments(p: argparse.ArgumentParser) -> None:
    """score a council's profile, or a file of profiles"""
    reading(p, tuple(OUTPUT_FORMATS))
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on standard error (default: when it is a terminal)",
    )


def explain_arguments(p: argparse.ArgumentParser) -> None:
    """explain a council's score, or every profile in a file"""
    reading(p, ("text",))
