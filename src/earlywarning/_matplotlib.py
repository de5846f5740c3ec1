"""matplotlib, imported only when a chart is drawn, with one message for when it is missing.

matplotlib is an optional dependency (the ``plot`` extra); every module that draws imports it
through here, and here through :func:`earlywarning._optional.require`.
"""

from __future__ import annotations

from typing import Any

from earlywarning._optional import require
from earlywarning.errors import PlotDependencyError

__all__ = ["literal", "new_figure", "pyplot"]


def pyplot() -> Any:
    """Import and return ``matplotlib.pyplot``, or raise :class:`PlotDependencyError`."""
    return require("matplotlib.pyplot", PlotDependencyError, "plots need", "plot")


def new_figure(**options: Any) -> Any:
    """A ``matplotlib.figure.Figure`` outside pyplot's state (so nothing needs closing)."""
    figure = require("matplotlib.figure", PlotDependencyError, "plots need", "plot")
    return figure.Figure(**options)


def literal(text: object) -> str:
    """``text`` as matplotlib shows it literally: every ``$`` escaped, so that a council's name
    or a rule's label holding two dollar signs is never read as mathematics (which typesets it
    wrongly, or raises on a stray ``^``). matplotlib removes the escape when it draws. Control
    characters, which no font draws and XML does not allow, are written as ``\\xNN``.

    Example:
        >>> print(literal("Costs $5 to $6m"))
        Costs \\$5 to \\$6m
    """
    text = str(text)
    if not text.isprintable():
        # a control character cannot be drawn, and is not allowed in the SVG's XML at all
        text = "".join(c if c.isprintable() or c == "\n" else f"\\x{ord(c):02x}" for c in text)
    return text.replace("$", r"\$")
