"""matplotlib, imported only when a chart is drawn, with one message for when it is missing.

matplotlib is an optional dependency (the ``plot`` extra); every module that draws imports it
through here, so the message that says what to install is written once.
"""

from __future__ import annotations

from typing import Any

from earlywarning.errors import PlotDependencyError

__all__ = ["MISSING", "new_figure", "pyplot"]

MISSING = (
    "plots need matplotlib, which is not installed: "
    'install earlywarning[plot] (pip install "earlywarning[plot]")'
)


def pyplot() -> Any:
    """Import and return ``matplotlib.pyplot``, or raise :class:`PlotDependencyError`."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotDependencyError(MISSING) from exc
    return plt


def new_figure(**options: Any) -> Any:
    """A ``matplotlib.figure.Figure`` outside pyplot's state (so nothing needs closing)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlotDependencyError(MISSING) from exc
    return Figure(**options)
