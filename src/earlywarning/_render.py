"""Text and CSV layouts of the reports, kept apart from the code that computes their figures.

Each function takes a finished report (a :class:`~earlywarning.validate.ValidationReport`, a
calibration report, a frame of trajectories) and returns a string; nothing here computes a
figure. The names are public within this private module and reached through the reports'
own methods and functions.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from earlywarning.outcomes import OUTCOME_LABELS, OUTCOMES

if TYPE_CHECKING:
    from earlywarning.validate import ValidationReport

__all__ = ["trajectories_text", "validation_csv", "validation_text"]

# Text reports wrap their prose at this width.
_WIDTH = 88


def _fig(x: float) -> str:
    return "n/a" if np.isnan(x) else f"{x:.2f}"


def _with_interval(x: float, low: float, high: float, signed: bool = False) -> str:
    if np.isnan(x):
        return "n/a"
    head = f"{x:+.2f}" if signed else f"{x:.2f}"
    tail = f"{low:+.2f} to {high:+.2f}" if signed else f"{_fig(low)} to {_fig(high)}"
    return f"{head} ({tail})"


def _share(x: float) -> str:
    return "-" if np.isnan(x) else f"{x:.0%}"


def _heading(report: ValidationReport) -> list[str]:
    scores = report.scores
    span = ""
    if "inspection_start" in scores:
        dates = pd.to_datetime(scores["inspection_start"])
        if dates.notna().any():
            span = f", {dates.min():%d %b %Y} to {dates.max():%d %b %Y}"
    lines = [
        f"Validation of {report.ruleset_id} {report.ruleset_version} ({report.ruleset_hash}) "
        f"on {len(scores)} inspections{span}",
        "",
        "AUC: the chance that an inspection with the outcome scored higher than one without",
        "(0.5 is chance, 1 is perfect; ties count half). Intervals: 95%, bootstrap of "
        f"{report.resamples:,} resamples.",
    ]
    if report.baseline_inputs:
        lines += textwrap.wrap(
            f"Baseline: logistic regression on the same {len(report.baseline_inputs)} inputs "
            f"({', '.join(report.baseline_inputs)}), median-imputed and standardised, "
            f"{report.folds}-fold cross-validated (seed {report.seed}).",
            width=_WIDTH,
        )
    else:
        lines.append("Baseline: not fitted.")
    return lines


def _auc_lines(table: pd.DataFrame) -> list[str]:
    width = max([37, *(len(OUTCOME_LABELS.get(str(n), str(n))) + 1 for n in table.index)])
    lines = [
        f"{'outcome':<{width}} {'n':>4} {'yes':>4}  {'ruleset AUC (95%)':<21} "
        f"{'baseline AUC (95%)':<21} {'ruleset - baseline (95%)'}"
    ]
    for name, row in table.iterrows():
        ours = _with_interval(row["ruleset_auc"], row["ruleset_low"], row["ruleset_high"])
        theirs = _with_interval(row["baseline_auc"], row["baseline_low"], row["baseline_high"])
        gap = _with_interval(
            row["ruleset_auc"] - row["baseline_auc"],
            row["difference_low"],
            row["difference_high"],
            signed=True,
        )
        lines.append(
            f"{OUTCOME_LABELS.get(str(name), str(name)):<{width}} {int(row['n']):>4} "
            f"{int(row['positives']):>4}  {ours:<21} {theirs:<21} {gap}"
        )
    return lines


def _band_lines(bands: pd.DataFrame) -> list[str]:
    shown = [o for o in OUTCOMES if o.name in bands.columns]
    header = f"{'band':<10} {'inspections':>11}"
    for o in shown:
        header += f" {o.short:>{max(len(o.short), 11)}} {'share':>6}"
    lines = ["Outcomes by band", header]
    for band, row in bands.iterrows():
        line = f"{band!s:<10} {int(row['inspections']):>11}"
        for o in shown:
            line += f" {int(row[o.name]):>{max(len(o.short), 11)}} "
            line += f"{_share(row[f'share_{o.name}']):>6}"
        lines.append(line)
    return lines


def validation_text(report: ValidationReport, *, indicators: bool = False) -> str:
    """The validation report as text: how it was computed, the AUC table, the band table.

    With ``indicators``, the AUC of each rule alone for judged below good (rules with data).

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning._render import validation_text
        >>> validation_text(ew.validate()).splitlines()[-6]
        'Outcomes by band'
    """
    lines = [*_heading(report), "", *_auc_lines(report.table()), "", *_band_lines(report.bands())]
    if indicators:
        table = report.indicators()
        table = table[table["with_data"] > 0].drop(columns="kind")
        lines += ["", "Each rule alone: AUC for judged below good (rules with data only)"]
        with pd.option_context("display.width", 200, "display.max_colwidth", 45):
            lines.append(table.round(3).to_string())
    return "\n".join(lines)


def validation_csv(report: ValidationReport, *, indicators: bool = False) -> str:
    """The AUC table, then the band table (then the rules alone), as CSV with blank lines between.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning._render import validation_csv
        >>> lines = validation_csv(ew.validate()).splitlines()
        >>> next(line for line in lines if line.startswith("band"))  # doctest: +ELLIPSIS
        'band,inspections,below_good,share_below_good,...'
    """
    out = io.StringIO()
    report.table().to_csv(out, index_label="outcome", lineterminator="\n")
    out.write("\n")
    report.bands().to_csv(out, index_label="band", lineterminator="\n")
    if indicators:
        out.write("\n")
        report.indicators().to_csv(out, index_label="rule", lineterminator="\n")
    return out.getvalue()


def trajectories_text(scores: pd.DataFrame) -> str:
    """Scores by council and year as a text table: rising as yes/no/n/a, coverage rounded.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.trajectories import trajectories_text
        >>> scores = ew.england_scores([2020, 2022], councils=["Derbyshire"])
        >>> print(trajectories_text(scores.drop(columns="reasons")))
           council  year  score     band  coverage rising
        Derbyshire  2020   38.0     high      0.43    n/a
        Derbyshire  2022   26.0 moderate      0.43     no
    """
    shown = scores.drop(columns="la_code").assign(
        rising=scores["rising"].map({True: "yes", False: "no"}).fillna("n/a"),
        coverage=scores["coverage"].round(2),
    )
    with pd.option_context("display.max_rows", None, "display.width", 250):
        return str(shown.to_string(index=False))
