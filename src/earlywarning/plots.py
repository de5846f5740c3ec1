"""Charts of an assessment: the points rule by rule, and the four bands of the 0..100 score.

matplotlib is an optional dependency, so it is imported only when a chart is drawn. Without it,
every function here raises :class:`PlotDependencyError`, which says what to install::

    pip install "earlywarning[plot]"
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from earlywarning.errors import EarlyWarningError
from earlywarning.explain import Assessment, Contribution
from earlywarning.rules import Ruleset, load_ruleset

if TYPE_CHECKING:
    from matplotlib.axes import Axes

RISK_COLOUR = "#c8553d"
"""Bars of risk indicators and combinations: they add points."""
MITIGATION_COLOUR = "#2a9d8f"
"""Bars of mitigations: they take points away."""
RED_FLAG_COLOUR = "#7b1113"
"""The outline and note on a rule whose level raises a red flag."""
BAND_COLOURS: dict[str, str] = {
    "low": "#d8f3dc",
    "moderate": "#fff3b0",
    "high": "#ffd6a5",
    "severe": "#ffadad",
}
"""Light fills for the bands, pale enough that lines and points drawn over them stay legible."""

# Long indicator labels are wrapped so the bars keep most of the figure's width.
_LABEL_WIDTH = 38


class PlotDependencyError(EarlyWarningError, ImportError):
    """matplotlib is not installed, so no chart can be drawn.

    It is both an :class:`EarlyWarningError` and an :class:`ImportError`, so either kind of
    ``except`` catches it.

    Example:
        >>> from earlywarning.plots import PlotDependencyError
        >>> issubclass(PlotDependencyError, ImportError)
        True
    """


def _pyplot() -> Any:
    """Import and return ``matplotlib.pyplot``, or explain what to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotDependencyError(
            "plots need matplotlib, which is not installed: "
            'install earlywarning[plot] (pip install "earlywarning[plot]")'
        ) from exc
    return plt


def _order(contributions: list[Contribution]) -> list[Contribution]:
    # Biggest risks at the top, rules that scored nothing next, the largest mitigation last;
    # the stable sort keeps ruleset order among equal points.
    return sorted(contributions, key=lambda c: -c.points)


def plot_contributions(assessment: Assessment, ax: Axes | None = None) -> Axes:
    """Draw an assessment's points rule by rule as a horizontal bar chart.

    One bar per contribution, in points order: the largest risk at the top, then rules that had
    data but scored nothing, then mitigations (negative bars). Risks and combinations share one
    colour and mitigations have another. A rule whose level carries a red flag has a dark
    outline and a note naming the band it lifts to. The title gives the council, the year, the
    score, the band and the coverage.

    Args:
        assessment: the result of :func:`earlywarning.score`.
        ax: the axes to draw on; ``None`` makes a new figure sized to the number of bars.

    Returns:
        The axes drawn on. Each bar's ``gid`` is the indicator or combination id.

    Raises:
        PlotDependencyError: if matplotlib is not installed.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import earlywarning as ew
        >>> from earlywarning.plots import plot_contributions
        >>> a = ew.score({"council": "Example", "year": 2020, "agency_rate_pct": 28,
        ...               "reinvestment_pct": 2})
        >>> ax = plot_contributions(a)
        >>> [(bar.get_gid(), float(bar.get_width())) for bar in ax.containers[0]]
        [('agency_rate', 8.0), ('reinvestment', -4.0)]
    """
    plt = _pyplot()
    from matplotlib.patches import Patch

    items = _order(assessment.contributions)
    if ax is None:
        height = 1.6 + 0.42 * max(len(items), 1)
        _, ax = plt.subplots(figsize=(9.0, height), layout="constrained")
    assert ax is not None  # for mypy: plt.subplots is untyped here

    lifted = " (lifted by a red flag)" if assessment.band != assessment.band_from_score else ""
    ax.set_title(
        f"{assessment.council} ({assessment.year}): score {assessment.score:.0f} of 100, "
        f"{assessment.band} band{lifted}\n"
        f"data for {assessment.coverage:.0%} of the ruleset's weight",
        loc="left",
    )
    ax.set_xlabel("Points")
    ax.axvline(0, color="#555555", linewidth=0.8, zorder=1)
    if not items:
        ax.text(
            0.5,
            0.5,
            "No indicator had data",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
        ax.set_yticks([])
        return ax

    positions = list(range(len(items)))
    colours = [MITIGATION_COLOUR if c.kind == "mitigation" else RISK_COLOUR for c in items]
    bars = ax.barh(positions, [c.points for c in items], color=colours, height=0.7, zorder=2)
    for bar, c in zip(bars, items, strict=True):
        bar.set_gid(c.indicator)
        if c.red_flag:
            bar.set_edgecolor(RED_FLAG_COLOUR)
            bar.set_linewidth(2.0)
    ax.bar_label(
        bars,
        labels=[
            (f"{c.points:+g}" if c.points else "0")
            + (f"  red flag: {c.red_flag}" if c.red_flag else "")
            for c in items
        ],
        padding=3,
        fontsize="small",
    )
    ax.set_yticks(
        positions,
        [
            textwrap.fill(assessment.labels.get(c.indicator, c.indicator), _LABEL_WIDTH)
            for c in items
        ],
        fontsize="small",
    )
    ax.invert_yaxis()  # first item at the top
    # room on both sides for the point labels
    low = min(0.0, *(c.points for c in items))
    high = max(0.0, *(c.points for c in items))
    span = max(high - low, 1.0)
    ax.set_xlim(low - (0.15 * span if low < 0 else 0.02 * span), high + 0.3 * span)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)

    handles = [Patch(color=RISK_COLOUR, label="adds risk")]
    if any(c.kind == "mitigation" for c in items):
        handles.append(Patch(color=MITIGATION_COLOUR, label="mitigation"))
    if any(c.red_flag for c in items):
        handles.append(
            Patch(facecolor="white", edgecolor=RED_FLAG_COLOUR, linewidth=2, label="red flag")
        )
    ax.legend(handles=handles, loc="lower right", fontsize="small", frameon=False)
    return ax


def plot_band_edges(ax: Axes, ruleset: Ruleset | None = None) -> Axes:
    """Shade the four bands of the score across an axes whose y axis is the 0..100 score.

    Each band is a full-width strip from its ``from`` edge to its ``below`` edge (the last band
    runs to 100), drawn behind everything else and named at the right-hand edge. The y axis is
    set to 0..100. Draw scores over the top, for example a council's trajectory over years.

    Args:
        ax: the axes to shade.
        ruleset: whose band edges to use; ``None`` uses the bundled default ruleset.

    Returns:
        The same axes. Each strip is a patch whose ``gid`` is ``"band-"`` and the band name.

    Raises:
        PlotDependencyError: if matplotlib is not installed.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from earlywarning.plots import plot_band_edges
        >>> fig, ax = plt.subplots()
        >>> ax = plot_band_edges(ax)
        >>> _ = ax.plot([2016, 2019], [46, 20], marker="o")
        >>> [float(y) for y in ax.get_ylim()]
        [0.0, 100.0]
    """
    _pyplot()
    from matplotlib.patches import Rectangle

    rules = ruleset if ruleset is not None else load_ruleset()
    # x in axes coordinates (0 to 1, the full width), y in score units
    strip = ax.get_yaxis_transform()
    for band in rules.bands:
        low = band.from_
        high = band.below if band.below is not None else 100.0
        ax.add_patch(
            Rectangle(
                (0.0, low),
                1.0,
                high - low,
                transform=strip,
                facecolor=BAND_COLOURS[band.name],
                edgecolor="none",
                zorder=0,
                gid=f"band-{band.name}",
            )
        )
        ax.text(
            0.99,
            (low + high) / 2,
            band.name,
            transform=strip,
            ha="right",
            va="center",
            fontsize="small",
            color="#555555",
            zorder=1,
        )
    ax.set_ylim(0.0, 100.0)
    if not ax.get_ylabel():
        ax.set_ylabel("Score (0 to 100)")
    return ax
