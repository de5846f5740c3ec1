"""The command-line sub-commands of the decision calls: ``what-if`` and ``smallest-change``.

Kept apart from :mod:`earlywarning.cli`, which registers them, so that each stays small.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, TextIO

from earlywarning.change import smallest_change
from earlywarning.cli._common import blank, chosen_profile, council_or_profile, one_profile
from earlywarning.errors import EarlyWarningError
from earlywarning.rules import BAND_NAMES, Ruleset, default_ruleset, load_ruleset
from earlywarning.whatif import what_if

__all__ = [
    "assignments",
    "blank",
    "cmd_smallest_change",
    "cmd_what_if",
    "one_profile",
    "rules_of",
    "smallest_change_arguments",
    "what_if_arguments",
]


def rules_of(args: argparse.Namespace) -> Ruleset:
    """The ruleset named by ``--rules``, or the bundled default."""
    return load_ruleset(args.rules) if args.rules else default_ruleset()


def assignments(items: Sequence[str]) -> dict[str, Any]:
    """``field=value`` pairs as changes; an empty value removes the field."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise EarlyWarningError(
                f"--set {item!r}: expected FIELD=VALUE, such as agency_rate_pct=9"
            )
        # the profile's own checks parse the text, as they do for a CSV cell
        out[name.strip()] = value.strip() or None
    return out


def cmd_what_if(args: argparse.Namespace, out: TextIO) -> int:
    """Score a profile as it is and with some fields changed; print what moved."""
    profile = chosen_profile(args)
    result = what_if(profile, assignments(args.set or []), rules_of(args))
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.text() + "\n")
    return 0


def cmd_smallest_change(args: argparse.Namespace, out: TextIO) -> int:
    """The smallest change that brings a profile into a lower band; exit 1 when none can."""
    result = smallest_change(
        chosen_profile(args),
        args.target,
        rules_of(args),
        controllable_only=not args.any_indicator,
        fixed=args.fixed or (),
    )
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.text() + "\n")
    # 1 as for any input that cannot be used; a search stopped at its budget still answers
    return 0 if result.reachable else 1


def _profile_arguments(p: argparse.ArgumentParser) -> None:
    council_or_profile(p)
    # a decision is one result, not a table: its text, or all of it as JSON
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (the default) or json: a decision is one result, not a table",
    )


def what_if_arguments(p: argparse.ArgumentParser) -> None:
    """score a profile as it is and with some fields changed"""
    _profile_arguments(p)
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="a changed field (repeatable); an empty value removes the field",
    )


def smallest_change_arguments(p: argparse.ArgumentParser) -> None:
    """the smallest change to a profile that lowers its band"""
    _profile_arguments(p)
    p.add_argument("--target", choices=BAND_NAMES, help="the band to reach (default: one lower)")
    p.add_argument(
        "--fixed", action="append", metavar="FIELD", help="hold this field as it is (repeatable)"
    )
    p.add_argument(
        "--any-indicator",
        action="store_true",
        help="also change indicators the council does not control",
    )
