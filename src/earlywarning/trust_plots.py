"""Charts of how far to trust the watch list: the backtest, and what each band has meant.

:func:`backtest_figure` draws a :class:`~earlywarning.backtesting.Backtest`: each year's rate
of the outcome among the councils flagged as sliding and among those not flagged, and the lift
by year and pooled. :func:`reliability_figure` draws a
:class:`~earlywarning.backtesting.BandFrequencies`: per band, the share the training period
showed against the share the test period found, with the test's Wilson intervals. Both return a
matplotlib ``Figure`` made without pyplot, so nothing is left open; matplotlib is optional and
:class:`~earlywarning.errors.PlotDependencyError` says what to install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlywarning._matplotlib import new_figure
from earlywarning.backtesting import Backtest, BandFrequencies
from earlywarning.io.output import check_output_path, image_format
from earlywarning.outcomes import OUTCOME_LABELS
from earlywarning.plots import BASELINE_COLOUR, RULESET_COLOUR, save_figure
from earlywarning.vocabulary import BAND_COLOURS

__all__ = ["backtest_figure", "reliability_figure", "save_backtest"]


def _error_bars(rate: pd.Series, low: pd.Series, high: pd.Series) -> np.ndarray:
    """Distances below and above each rate, as matplotlib's ``yerr`` takes them (0 when NaN)."""
    below = (rate - low).to_numpy(dtype=float)
    above = (high - rate).to_numpy(dtype=float)
    return np.asarray(np.clip(np.nan_to_num(np.vstack([below, above]), nan=0.0), 0.0, None))


def _rates(ax: Any, result: Backtest) -> None:
    years = result.years
    x = years.index.to_numpy(dtype=float)
    for group, colour, shift, gid in (
        ("flagged", RULESET_COLOUR, -0.1, "flagged"),
        ("not_flagged", BASELINE_COLOUR, 0.1, "not-flagged"),
    ):
        rate = years[f"{group}_rate"]
        ax.errorbar(
            x + shift,
            rate.to_numpy(dtype=float),
            yerr=_error_bars(rate, years[f"{group}_low"], years[f"{group}_high"]),
            fmt="o",
            color=colour,
            capsize=3,
            label=group.replace("_", " "),
            gid=gid,
        )
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"share {OUTCOME_LABELS[result.outcome]}")
    ax.set_xticks(x, [str(int(y)) for y in x])
    ax.set_xlabel("watch list of 1 January")
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.set_title("Rate among councils good or outstanding before", loc="left", fontsize="medium")


def _lifts(ax: Any, result: Backtest) -> None:
    rows = pd.concat([result.years, result.pooled])
    labels = [str(i) for i in result.years.index] + ["pooled", "training", "test"]
    x = np.arange(len(rows), dtype=float)
    lift = rows["lift"].astype(float)
    shown = lift.notna().to_numpy()
    ax.errorbar(
        x[shown],
        lift[shown].to_numpy(),
        yerr=_error_bars(lift, rows["lift_low"].astype(float), rows["lift_high"].astype(float))[
            :, shown
        ],
        fmt="o",
        color=RULESET_COLOUR,
        capsize=3,
        gid="lift",
    )
    ax.axhline(1.0, color=BASELINE_COLOUR, linestyle=":", linewidth=1, gid="no-lift")
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    ticks = [t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64) if low <= t <= high]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xticks(x, labels)
    ax.set_xlabel("watch list of 1 January")
    ax.set_ylabel("lift (flagged rate / not flagged rate)")
    ax.set_title("Lift, with 95% intervals", loc="left", fontsize="medium")


def backtest_figure(result: Backtest) -> Any:
    """The backtest as a chart: rates by year (left) and the lift by year and pooled (right).

    Rates carry their Wilson 95% intervals; a year's lift Katz's interval and the pooled lifts
    (every year, then the follow-ups judged in the training and in the test period) the
    interval from resampling councils. A year with no lift (no outcome among the not
    flagged) has no point. The lift's axis is logarithmic, with a dotted line at 1 (no lift).

    Returns:
        A matplotlib ``Figure``, drawn without pyplot.

    Raises:
        PlotDependencyError: if matplotlib is not installed.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.trust_plots import backtest_figure
        >>> figure = backtest_figure(ew.backtest([2019, 2020], resamples=0))
        >>> len(figure.axes)
        2
    """
    figure = new_figure(figsize=(10.0, 4.0), layout="constrained")
    left, right = figure.subplots(1, 2)
    _rates(left, result)
    _lifts(right, result)
    return figure


def reliability_figure(freq: BandFrequencies) -> Any:
    """What each band has meant: the training period's share per band (across) against the test
    period's (up), one panel per outcome, with the test's Wilson 95% intervals.

    A band on the diagonal meant in the test period what it meant when the rules were chosen;
    a band with no inspection in either period has no point.

    Returns:
        A matplotlib ``Figure``, drawn without pyplot.

    Raises:
        PlotDependencyError: if matplotlib is not installed.

    Example:
        >>> from earlywarning.backtesting import band_frequencies
        >>> from earlywarning.trust_plots import reliability_figure
        >>> figure = reliability_figure(band_frequencies())
        >>> [ax.get_title(loc="left") for ax in figure.axes]
        ['judged below good', 'declined from the previous judgement']
    """
    outcomes = list(freq.brier.index)
    figure = new_figure(figsize=(4.5 * len(outcomes), 4.2), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(outcomes)))
    training = freq.table.xs("training", level="period")
    test = freq.table.xs("test", level="period")
    for ax, name in zip(axes, outcomes, strict=True):
        ax.plot([0, 1], [0, 1], color=BASELINE_COLOUR, linestyle=":", linewidth=1, gid="diagonal")
        for band in test.index:
            x, y = training.loc[band, f"{name}_share"], test.loc[band, f"{name}_share"]
            if pd.isna(x) or pd.isna(y):
                continue
            error = [[y - test.loc[band, f"{name}_low"]], [test.loc[band, f"{name}_high"] - y]]
            ax.errorbar(
                [x],
                [y],
                yerr=error,
                fmt="o",
                capsize=3,
                color=BAND_COLOURS[band],
                markeredgecolor=RULESET_COLOUR,
                ecolor=RULESET_COLOUR,
                gid=band,
            )
            n = int(test.loc[band, f"{name}_n"])
            ax.annotate(f"{band} (n={n})", (x, y), xytext=(6, 4), textcoords="offset points")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("share in the training period (to March 2022)")
        ax.set_ylabel("share in the test period")
        ax.set_title(OUTCOME_LABELS[name], loc="left", fontsize="medium")
    return figure


def save_backtest(result: Backtest, path: str | Path) -> Path:
    """Draw :func:`backtest_figure` and write it to ``path`` (PNG, SVG or PDF, by the suffix).

    Raises:
        PlotDependencyError: if matplotlib is not installed.
        OutputFileError: for a name not ending ``.png``, ``.svg`` or ``.pdf``, or a folder that
            does not exist.

    Example:
        >>> import tempfile, pathlib
        >>> import earlywarning as ew
        >>> from earlywarning.trust_plots import save_backtest
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = save_backtest(ew.backtest([2019], resamples=0), pathlib.Path(d) / "b.png")
        ...     out.read_bytes()[:4]
        b'\\x89PNG'
    """
    fmt = image_format(path)  # refused before anything is drawn
    check_output_path(path, "chart")
    return save_figure(backtest_figure(result), path, fmt)
