"""A chart of one council's score by year beside its statistical neighbours' and England's.

:func:`plot_peers` draws the frame :func:`earlywarning.compare.peer_trajectory` returns, over the
shaded bands of :func:`earlywarning.plots.plot_band_edges`. matplotlib is optional; without it
:class:`~earlywarning.plots.PlotDependencyError` says what to install.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from earlywarning._matplotlib import literal, new_figure, pyplot
from earlywarning.errors import EarlyWarningError
from earlywarning.io.output import check_output_path, image_format
from earlywarning.plots import RULESET_COLOUR, plot_band_edges, save_figure
from earlywarning.rules import Ruleset

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["ENGLAND_COLOUR", "NEIGHBOURS_COLOUR", "plot_peers", "save_peers"]

NEIGHBOURS_COLOUR = "#6c757d"
"""The line of the statistical neighbours' median score."""
ENGLAND_COLOUR = "#8d99ae"
"""The line of England's median score."""


def plot_peers(
    trajectory: pd.DataFrame, ax: Axes | None = None, ruleset: Ruleset | None = None
) -> Axes:
    """Draw a council's score by year beside its neighbours' median and England's median.

    Args:
        trajectory: the result of :func:`earlywarning.compare.peer_trajectory` (columns
            ``year``, ``score``, ``neighbours_median``, ``england_median``).
        ax: the axes to draw on; ``None`` makes a new figure.
        ruleset: whose band edges to shade (the one the scores came from); ``None`` is the
            bundled default.

    Returns:
        The axes drawn on; the three lines have the ``gid`` ``"council"``, ``"neighbours"``
        and ``"england"``.

    Raises:
        PlotDependencyError: if matplotlib is not installed.
        EarlyWarningError: if the frame has no rows.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from earlywarning.compare import peer_trajectory
        >>> from earlywarning.peer_plots import plot_peers
        >>> ax = plot_peers(peer_trajectory("Derbyshire", [2019, 2020, 2021]))
        >>> [line.get_gid() for line in ax.lines]
        ['council', 'neighbours', 'england']
    """
    plt = pyplot()
    if trajectory.empty:
        raise EarlyWarningError("plot_peers: the trajectory has no rows")
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 4.0), layout="constrained")
    assert ax is not None  # for mypy: plt.subplots is untyped here
    plot_band_edges(ax, ruleset)
    rows = trajectory.sort_values("year")
    years = rows["year"].astype(int).to_numpy()
    council = str(trajectory.attrs.get("council", "the council"))
    lines = (
        ("score", council, RULESET_COLOUR, "o", "-", "council"),
        (
            "neighbours_median",
            "statistical neighbours' median",
            NEIGHBOURS_COLOUR,
            "s",
            "--",
            "neighbours",
        ),
        ("england_median", "England's median", ENGLAND_COLOUR, None, ":", "england"),
    )
    for column, label, colour, marker, style, gid in lines:
        ax.plot(
            years,
            rows[column].astype(float).to_numpy(),
            color=colour,
            marker=marker,
            linestyle=style,
            linewidth=1.8,
            zorder=3,
            gid=gid,
            label=literal(label),
        )
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    ax.set_xticks(list(years), [str(y) for y in years])
    ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
    ax.set_xlabel("Year (profile as known on 1 January)")
    ax.set_title(
        literal(f"{council}: score beside its statistical neighbours and England"), loc="left"
    )
    return ax


def save_peers(trajectory: pd.DataFrame, path: str | Path, ruleset: Ruleset | None = None) -> Path:
    """Draw :func:`plot_peers` and write it to ``path`` (PNG, SVG or PDF, by the suffix).

    Drawn without pyplot, so no window opens whatever matplotlib's backend, and nothing is left
    open afterwards.

    Raises:
        PlotDependencyError: if matplotlib is not installed.
        OutputFileError: for a name not ending ``.png``, ``.svg`` or ``.pdf`` (the file written
            is the one named, never another), or a folder that does not exist.

    Example:
        >>> import tempfile, pathlib
        >>> from earlywarning.compare import peer_trajectory
        >>> from earlywarning.peer_plots import save_peers
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = save_peers(peer_trajectory("Derbyshire", [2024, 2025]),
        ...                      pathlib.Path(d) / "derbyshire.png")
        ...     out.read_bytes()[:4]
        b'\\x89PNG'
    """
    fmt = image_format(path)  # refused before anything is drawn
    check_output_path(path, "chart")
    figure = new_figure(figsize=(8.0, 4.0), layout="constrained")
    plot_peers(trajectory, ax=figure.subplots(), ruleset=ruleset)
    return save_figure(figure, path, fmt)
