"""The command-line sub-commands of the decision calls: ``what-if`` and ``smallest-change``.

Kept apart from :mod:`earlywarning.cli`, which registers them, so that each stays small.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from earlywarning.errors import EarlyWarningError
from earlywarning.rules import BAND_NAMES, Ruleset, default_ruleset, load_ruleset

__all__ = [
    "add_decision_commands",
    "assignments",
    "blank",
    "cmd_smallest_change",
    "cmd_what_if",
    "one_profile",
    "rules_of",
]


def rules_of(args: argparse.Namespace) -> Ruleset:
    """The ruleset named by ``--rules``, or the bundled default."""
    return load_ruleset(args.rules) if args.rules else default_ruleset()


def one_profile(path: str, council: str | None = None) -> dict[str, Any]:
    """The single profile in a file (or the one row of ``council``), its profile fields only."""
    from earlywarning.cli import read_profiles  # the command line's one reader of profile files
    from earlywarning.profile import FIELD_NAMES

    data = read_profiles(Path(path))
    rows: list[dict[str, Any]] = (
        [{str(k): v for k, v in r.items()} for r in data.to_dict("records")]
        if isinstance(data, pd.DataFrame)
        else list(data)
    )
    if council is not None:
        rows = [r for r in rows if str(r.get("council", "")).strip().lower() == council.lower()]
    if len(rows) != 1:
        which = f" for {council!r}" if council is not None else ""
        raise EarlyWarningError(
            f"{path}: holds {len(rows)} profiles{which}; give one (or --council NAME)"
        )
    # identifier columns a file may carry (a region, a note) are not profile fields
    return {str(k): v for k, v in rows[0].items() if str(k) in FIELD_NAMES and not blank(v)}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


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
    from earlywarning.whatif import what_if

    profile = one_profile(args.file, args.council)
    result = what_if(profile, assignments(args.set or []), rules_of(args))
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.text() + "\n")
    return 0


def cmd_smallest_change(args: argparse.Namespace, out: TextIO) -> int:
    """The smallest change that brings a profile into a lower band; exit 1 when none can."""
    from earlywarning.change import smallest_change

    result = smallest_change(
        one_profile(args.file, args.council),
        args.target,
        rules_of(args),
        controllable_only=not args.any_indicator,
        fixed=args.fixed or (),
    )
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.text() + "\n")
    return 0 if result.reachable else 1  # as for any input that cannot be used


def add_decision_commands(sub: Any, with_rules: Callable[[argparse.ArgumentParser], None]) -> None:
    """The what-if and smallest-change sub-commands."""
    p = sub.add_parser("what-if", help="score a profile as it is and with some fields changed")
    p.add_argument("file", help="a file holding one profile (YAML, JSON or a one-row CSV)")
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="a changed field (repeatable); an empty value removes the field",
    )
    p.add_argument("--council", metavar="NAME", help="the council's row, in a file of many")
    p.add_argument("--format", choices=("text", "json"), default="text")
    with_rules(p)
    p.set_defaults(handler=cmd_what_if)

    p = sub.add_parser(
        "smallest-change", help="the smallest change to a profile that lowers its band"
    )
    p.add_argument("file", help="a file holding one profile (YAML, JSON or a one-row CSV)")
    p.add_argument("--target", choices=BAND_NAMES, help="the band to reach (default: one lower)")
    p.add_argument(
        "--fixed", action="append", metavar="FIELD", help="hold this field as it is (repeatable)"
    )
    p.add_argument(
        "--any-indicator",
        action="store_true",
        help="also change indicators the council does not control",
    )
    p.add_argument("--council", metavar="NAME", help="the council's row, in a file of many")
    p.add_argument("--format", choices=("text", "json"), default="text")
    with_rules(p)
    p.set_defaults(handler=cmd_smallest_change)
