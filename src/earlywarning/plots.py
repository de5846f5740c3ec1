"""Charts of scores and their validation, drawn with matplotlib.

* :func:`plot_contributions`: one assessment's points, rule by rule;
* :func:`plot_band_edges`: the four bands of the 0..100 score, shaded behind other charts;
* :func:`plot_roc`: the ROC curves of the ruleset and the baseline for one outcome of a
  :class:`~earlywarning.ValidationReport`;
* :func:`plot_trajectory`: one council's score year by year over the shaded bands.

matplotlib is an optional dependency, so it is imported only when a chart is drawn. Without it,
every function here raises :class:`~earlywarning.errors.PlotDependencyError`, which says what to
install::

    pip install "earlywarning[plot]"
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from earlywarning._matplotlib import literal, new_figure, pyplot
from earlywarning.errors import EarlyWarningError, PlotDependencyError
from earlywarning.explain import Assessment, Contribution
from earlywarning.io.output import check_output_path, image_format, writing
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.vocabulary import BAND_COLOURS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from earlywarning.validation import ValidationReport

__all__ = [
    "BAND_COLOURS",
    "BASELINE_COLOUR",
    "MITIGATION_COLOUR",
    "RED_FLAG_COLOUR",
    "RISK_COLOUR",
    "RULESET_COLOUR",
    "PlotDependencyError",
    "contributions_size",
    "plot_band_edges",
    "plot_contributions",
    "plot_roc",
    "plot_trajectory",
    "save_figure",
    "save_trajectory",
]

RISK_COLOUR = "#c8553d"
"""Bars of risk indicators and combinations: they add points."""
MITIGATION_COLOUR = "#2a9d8f"
"""Bars of mitigations: they take points away."""
RED_FLAG_COLOUR = "#7b1113"
"""The outline and note on a rule whose level raises a red flag."""

# Long indicator labels are wrapped so the bars keep most of the figure's width.
_LABEL_WIDTH = 38


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
        >>> a = ew.score({"council": "Example", "year": 2020, "budget_cut_pct": 20,
        ...               "reinvestment_pct": 2})
        >>> ax = plot_contributions(a)
        >>> [(bar.get_gid(), float(bar.get_width())) for bar in ax.containers[0]]
        [('budget_cut', 6.0), ('reinvestment', -4.0)]
    """
    plt = pyplot()
    items = _order(assessment.contributions)
    if ax is None:
        _, ax = plt.subplots(figsize=contributions_size(assessment), layout="constrained")
    assert ax is not None  # for mypy: plt.subplots is untyped here

    lifted = " (lifted by a red flag)" if assessment.band != assessment.band_from_score else ""
    ax.set_title(
        literal(
            f"{assessment.council} ({assessment.year}): score {assessment.score:.0f} of 100, "
            f"{assessment.band} band{lifted}\n"
            f"data for {assessment.coverage:.0%} of the ruleset's weight"
        ),
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

    _contribution_bars(ax, items, assessment.labels)
    _contribution_legend(ax, items)
    return ax


def contributions_size(assessment: Assessment) -> tuple[float, float]:
    """The size in inches of :func:`plot_contributions`' figure: taller with more bars.

    Example:
        >>> import earlywarning as ew
        >>> contributions_size(ew.score({"council": "A", "year": 2020, "budget_cut_pct": 20}))
        (9.0, 2.02)
    """
    return (9.0, round(1.6 + 0.42 * max(len(assessment.contributions), 1), 2))


def _contribution_bars(ax: Axes, items: list[Contribution], labels: dict[str, str]) -> None:
    """The bars, their point labels and red-flag outlines, the rule names and the x range."""
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
            literal(
                (f"{c.points:+g}" if c.points else "0")
                + (f"  red flag: {c.red_flag}" if c.red_flag else "")
            )
            for c in items
        ],
        padding=3,
        fontsize="small",
    )
    ax.set_yticks(
        positions,
        [literal(textwrap.fill(labels.get(c.indicator, c.indicator), _LABEL_WIDTH)) for c in items],
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


def _contribution_legend(ax: Axes, items: list[Contribution]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=RISK_COLOUR, label="adds risk")]
    if any(c.kind == "mitigation" for c in items):
        handles.append(Patch(color=MITIGATION_COLOUR, label="mitigation"))
    if any(c.red_flag for c in items):
        handles.append(
            Patch(facecolor="white", edgecolor=RED_FLAG_COLOUR, linewidth=2, label="red flag")
        )
    ax.legend(handles=handles, loc="lower right", fontsize="small", frameon=False)


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
    pyplot()
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
            literal(band.name),
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


RULESET_COLOUR = "#1d3557"
"""The ruleset's line in validation and trajectory charts."""
BASELINE_COLOUR = "#8d99ae"
"""The logistic-regression baseline's line in a ROC chart."""


def plot_roc(report: ValidationReport, outcome: str = "below_good", ax: Axes | None = None) -> Axes:
    """Draw the ROC curves of the ruleset and the logistic baseline for one outcome.

    The ruleset's curve comes from its scores, the baseline's from its cross-validated
    probabilities (if it was fitted), each over the inspections where the outcome is known. The
    legend gives each AUC, the ruleset's with its 95% bootstrap interval; the diagonal is chance.

    Args:
        report: the result of :func:`earlywarning.validate`.
        outcome: ``"below_good"``, ``"inadequate"`` or ``"declined"``.
        ax: the axes to draw on; ``None`` makes a new square figure.

    Returns:
        The axes drawn on. The curves' ``gid`` are ``"roc-ruleset"`` and ``"roc-baseline"``.

    Raises:
        PlotDependencyError: if matplotlib is not installed.
        EarlyWarningError: if ``outcome`` is not one the report covers.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import earlywarning as ew
        >>> from earlywarning.plots import plot_roc
        >>> ax = plot_roc(ew.validate())
        >>> [line.get_gid() for line in ax.lines]
        ['roc-ruleset', 'roc-baseline', 'chance']
    """
    plt = pyplot()
    from earlywarning.metrics import roc_curve
    from earlywarning.outcomes import OUTCOME_LABELS

    table = report.table()
    if outcome not in table.index:
        raise EarlyWarningError(f"outcome {outcome!r} is not one of {list(table.index)}")
    row = {str(k): float(v) for k, v in table.loc[outcome].to_dict().items()}
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5.5), layout="constrained")
    assert ax is not None  # for mypy: plt.subplots is untyped here

    scores = report.scores
    fpr, tpr = roc_curve(scores["score"], scores[outcome])
    interval = ""
    if row["ruleset_low"] == row["ruleset_low"]:  # not NaN
        interval = f", 95% {row['ruleset_low']:.2f} to {row['ruleset_high']:.2f}"
    ax.plot(
        fpr,
        tpr,
        color=RULESET_COLOUR,
        linewidth=2.0,
        drawstyle="default",
        label=f"ruleset: AUC {row['ruleset_auc']:.2f}{interval}",
        gid="roc-ruleset",
    )
    column = f"baseline_{outcome}"
    if column in scores.columns:
        fpr, tpr = roc_curve(scores[column], scores[outcome])
        ax.plot(
            fpr,
            tpr,
            color=BASELINE_COLOUR,
            linewidth=1.6,
            linestyle="--",
            label=f"logistic baseline (cross-validated): AUC {row['baseline_auc']:.2f}",
            gid="roc-baseline",
        )
    ax.plot([0, 1], [0, 1], color="#bbbbbb", linewidth=0.8, label="chance", gid="chance")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_aspect("equal")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    label = OUTCOME_LABELS.get(outcome, outcome)
    ax.set_title(
        f"{label.capitalize()}: {int(row['positives'])} of {int(row['n'])} inspections", loc="left"
    )
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    ax.grid(color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    return ax


def plot_trajectory(
    scores: pd.DataFrame,
    council: str,
    ax: Axes | None = None,
    ruleset: Ruleset | None = None,
) -> Axes:
    """Draw one council's score year by year over the shaded bands.

    Years flagged as rising risk (``rising`` True) are marked with a triangle, and a dotted line
    after 2022 marks where the bundled Ofsted outcomes stop (from 2023 the previous rating may
    be stale). Pass the same ruleset the scores came from, so that the shaded band edges are the
    ones that banded them.

    Args:
        scores: the result of :func:`earlywarning.england_scores` (columns ``council``, ``year``,
            ``score``, and optionally ``la_code``, ``band`` and ``rising``).
        council: the council's name (any case) or ONS code.
        ax: the axes to draw on; ``None`` makes a new figure.
        ruleset: whose band edges to shade; ``None`` uses the bundled default ruleset.

    Returns:
        The axes drawn on. The score line's ``gid`` is ``"trajectory"``; the rising markers'
        is ``"rising"``.

    Raises:
        PlotDependencyError: if matplotlib is not installed.
        EarlyWarningError: if the council is not in ``scores``.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import earlywarning as ew
        >>> from earlywarning.plots import plot_trajectory
        >>> df = ew.england_scores(councils=["Derbyshire"])
        >>> ax = plot_trajectory(df, "Derbyshire")
        >>> [int(x) for x in ax.lines[0].get_xdata()][:3]
        [2017, 2018, 2019]
    """
    plt = pyplot()
    rows = _council_rows(scores, council)
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 4.0), layout="constrained")
    assert ax is not None  # for mypy: plt.subplots is untyped here

    plot_band_edges(ax, ruleset)
    years = rows["year"].astype(int).to_numpy()
    values = rows["score"].astype(float).to_numpy()
    ax.plot(
        years,
        values,
        color=RULESET_COLOUR,
        marker="o",
        linewidth=1.8,
        zorder=3,
        gid="trajectory",
        label="score",
    )
    if "rising" in rows.columns:
        _mark_rising(ax, rows, years, values)
    _mark_stale(ax, years)
    ax.set_xticks(list(years), [str(y) for y in years])
    ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
    ax.set_xlabel("Year (profile as known on 1 January)")
    ax.set_title(literal(f"{rows['council'].iloc[0]}: early-warning score by year"), loc="left")
    return ax


def save_trajectory(scores: pd.DataFrame, path: str | Path, ruleset: Ruleset | None = None) -> Path:
    """Draw the one council in ``scores`` with :func:`plot_trajectory` and write it to ``path``.

    The figure is drawn without pyplot, so no window opens whatever matplotlib's backend, and
    nothing is left open afterwards.

    Raises:
        PlotDependencyError: if matplotlib is not installed.
        OutputFileError: for a name not ending ``.png``, ``.svg`` or ``.pdf`` (the file written
            is the one named, never another), or a folder that does not exist.
        EarlyWarningError: if ``scores`` holds more or fewer than one council.

    Example:
        >>> import tempfile, pathlib
        >>> import earlywarning as ew
        >>> from earlywarning.plots import save_trajectory
        >>> df = ew.england_scores([2020, 2021], councils=["Derbyshire"])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = save_trajectory(df, pathlib.Path(d) / "derbyshire.png")
        ...     out.read_bytes()[:4]
        b'\\x89PNG'
    """
    key = "la_code" if "la_code" in scores.columns else "council"
    names = list(dict.fromkeys(scores[key]))
    if len(names) != 1:
        raise EarlyWarningError(
            f"a trajectory chart draws one council, but the scores hold {len(names)}: "
            "name exactly one (--council)"
        )
    fmt = image_format(path)  # refused before anything is drawn
    check_output_path(path, "chart")
    figure = new_figure(figsize=(8.0, 4.0), layout="constrained")
    plot_trajectory(scores, str(names[0]), ax=figure.subplots(), ruleset=ruleset)
    return save_figure(figure, path, fmt)


def save_figure(figure: Any, path: str | Path, fmt: str | None = None) -> Path:
    """Write a matplotlib figure to exactly ``path``, whole or not at all.

    The format is ``fmt`` or the one the name asks for (:func:`~earlywarning.io.output.
    image_format`); the file goes through :func:`~earlywarning.io.output.writing`, so a failed
    or interrupted save leaves nothing behind.

    Raises:
        OutputFileError: for a name without ``.png``, ``.svg`` or ``.pdf``, or a missing folder.

    Example:
        >>> import tempfile, pathlib
        >>> from earlywarning._matplotlib import new_figure
        >>> with tempfile.TemporaryDirectory() as d:
        ...     save_figure(new_figure(), pathlib.Path(d) / "empty.svg").suffix
        '.svg'
    """
    fmt = fmt or image_format(path)
    with writing(path, binary=True, what="chart") as stream:
        figure.savefig(stream, format=fmt, dpi=100)
    return Path(path)


def _council_rows(scores: pd.DataFrame, council: str) -> pd.DataFrame:
    """One council's rows of ``scores``, by name (any case) or ONS code, in year order."""
    wanted = str(council).strip().casefold()
    match = scores["council"].astype(str).str.casefold() == wanted
    if "la_code" in scores.columns:
        match |= scores["la_code"].astype(str).str.casefold() == wanted
    rows = scores[match].sort_values("year")
    if rows.empty:
        raise EarlyWarningError(f"plot_trajectory: council {council!r} is not in the scores")
    return rows


def _mark_rising(ax: Axes, rows: pd.DataFrame, years: Any, values: Any) -> None:
    """A triangle above each year flagged as rising risk."""
    rising = rows["rising"].map(lambda v: v is True).to_numpy(dtype=bool)
    if rising.any():
        ax.scatter(
            years[rising],
            values[rising] + 4.0,
            marker="^",
            color=RED_FLAG_COLOUR,
            zorder=4,
            gid="rising",
            label="rising risk",
        )
        ax.legend(loc="upper left", fontsize="small", frameon=False)


def _mark_stale(ax: Axes, years: Any) -> None:
    """A dotted line where the data's Ofsted outcomes stop, when the years cross it."""
    from earlywarning.datasets import outcomes_as_at

    # a profile of 1 January after the outcomes' date may miss a later inspection, so its
    # previous rating may be out of date; say so on the chart
    last = outcomes_as_at().year
    if years.min() <= last < years.max():
        ax.axvline(last + 0.5, color="#777777", linestyle=":", linewidth=1.0, zorder=2, gid="stale")
        ax.text(
            last + 0.55,
            97.0,
            "later Ofsted judgements\nnot in the data: previous\nrating may be stale",
            ha="left",
            va="top",
            fontsize="x-small",
            color="#555555",
            zorder=2,
        )
