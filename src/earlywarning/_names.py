"""Suggestions for misspelt names, written once for every message that offers one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest of ``choices``, or ``""`` when none is close.

    The caller decides how to attach it to its message, so each message keeps its own shape.

    Example:
        >>> did_you_mean("pionts", ["points", "label", "from"])
        "did you mean 'points'?"
        >>> did_you_mean("zzz", ["points"])
        ''
    """
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"did you mean {close[0]!r}?" if close else ""
