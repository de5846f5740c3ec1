"""The ``rules`` command: ``rules check`` loads rules and reports every problem at once."""

from __future__ import annotations

import argparse
from typing import TextIO

from earlywarning.cli._batch import input_file
from earlywarning.rules import load_ruleset

__all__ = ["cmd_rules_check", "rules_arguments"]


def cmd_rules_check(args: argparse.Namespace, out: TextIO) -> int:
    """Check a rules directory or file; print a summary or every problem."""
    if args.path:
        with input_file(args.path) as path:
            rules = load_ruleset(path)
    else:
        rules = load_ruleset()
    bands = ", ".join(f"{b.name} from {b.from_:g}" for b in rules.bands)
    out.write(
        f"ok: {rules.id} {rules.version} ({rules.content_hash}): {len(rules.indicators)} "
        f"indicators, {len(rules.combinations)} combinations, bands {bands}\n"
    )
    return 0


def rules_arguments(p: argparse.ArgumentParser) -> None:
    """work with rule files"""
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    c = rsub.add_parser("check", help="check a rules directory or file and report every problem")
    c.add_argument(
        "path",
        nargs="?",
        help="directory or file (default: the bundled rules); - reads one YAML file from "
        "standard input",
    )
    c.set_defaults(handler=cmd_rules_check)
