"""The validation report: its figures, and their text and CSV layouts.

The report is built by :func:`earlywarning.validation.validate`; nothing here computes a figure.

The layouts are functions of a finished report, reached through its methods.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from earlywarning._display import band_badge, card, cells, note
from earlywarning.errors import EarlyWarningError
from earlywarning.outcomes import OUTCOME_LABELS, OUTCOMES

__all__ = ["ValidationReport", "validation_csv", "validation_html", "validation_text"]


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """The result of :func:`validate`: AUCs beside a baseline, outcomes by band, the scores.

    The report holds figures only; :meth:`to_text` and :meth:`to_csv` lay them out.

    Attributes:
        ruleset_id: the id of the ruleset validated.
        ruleset_version: its version.
        ruleset_hash: its content hash.
        folds: folds of the baseline's cross-validation.
        seed: the seed of the folds and of the bootstrap.
        resamples: bootstrap resamples behind each interval.
        baseline_inputs: the measures the baseline was fitted on (empty if it was not fitted).
        scores: one row per inspection: ``council``, ``la_code``, ``inspection_start``,
            ``year``, ``score``, ``band``, ``coverage``, ``reasons``, the ratings and outcome
            columns (True, False or None), and ``baseline_<outcome>``, the cross-validated
            probability of each outcome.

    Example:
        >>> import earlywarning as ew
        >>> report = ew.validate()
        >>> int(report.table().loc["below_good", "n"])
        136
    """

    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    folds: int
    seed: int
    resamples: int
    baseline_inputs: tuple[str, ...]
    scores: pd.DataFrame = field(repr=False)
    _table: pd.DataFrame = field(repr=False)
    _bands: pd.DataFrame = field(repr=False)
    _indicators: dict[str, pd.DataFrame] = field(repr=False)

    def table(self) -> pd.DataFrame:
        """One row per outcome: the ruleset's AUC and the baseline's, side by side.

        Columns: ``n`` (inspections with the outcome known), ``positives``, ``ruleset_auc`` and
        its 95% bootstrap interval ``ruleset_low``/``ruleset_high``, ``baseline_auc`` with
        ``baseline_low``/``baseline_high``, and the paired interval of ruleset minus baseline,
        ``difference_low``/``difference_high``. Baseline columns are NaN if it was not fitted.

        Example:
            >>> import earlywarning as ew
            >>> list(ew.validate().table().index)
            ['below_good', 'inadequate', 'declined', 'declined_from_good']
        """
        return self._table.copy()

    def bands(self) -> pd.DataFrame:
        """One row per band: inspections in it, and how many had each outcome.

        Columns: ``inspections``, then for each outcome its count (``below_good``, ...) and
        ``share_<outcome>``, the share of the band's inspections where the outcome applies that
        had it (NaN for an empty band).

        Example:
            >>> import earlywarning as ew
            >>> int(ew.validate().bands()["inspections"].sum())
            136
        """
        return self._bands.copy()

    def indicators(self, outcome: str = "below_good") -> pd.DataFrame:
        """How much each rule separates ``outcome`` on its own.

        One row per indicator and combination: ``kind``, ``measure``, ``with_data``
        (inspections where its measure was known), ``scored`` (where it gave points),
        ``auc_points`` (the AUC of its points alone, a missing measure scoring 0 as in the
        ruleset; NaN if it gave every inspection the same points) and ``auc_value`` (the AUC of
        the raw measure, turned so that higher is worse, among inspections with data; this shows
        what the thresholds keep or lose).

        Example:
            >>> import earlywarning as ew
            >>> t = ew.validate().indicators()
            >>> "auc_points" in t.columns
            True
        """
        if outcome not in self._indicators:
            raise EarlyWarningError(f"outcome {outcome!r} is not one of {list(OUTCOMES)}")
        return self._indicators[outcome].copy()

    def to_dict(self, *, indicators: bool = False) -> dict[str, Any]:
        """The report as plain data (for JSON): settings, the AUC table and the band table.

        With ``indicators=True`` the table of each rule alone (for judged below good) is added
        under ``indicators``.

        Example:
            >>> import earlywarning as ew
            >>> sorted(ew.validate().to_dict())
            ['auc', 'bands', 'baseline_inputs', 'folds', 'resamples', 'ruleset', 'seed']
        """
        data: dict[str, Any] = {
            "ruleset": {
                "id": self.ruleset_id,
                "version": self.ruleset_version,
                "hash": self.ruleset_hash,
            },
            "folds": self.folds,
            "seed": self.seed,
            "resamples": self.resamples,
            "baseline_inputs": list(self.baseline_inputs),
            "auc": _records(self._table, "outcome"),
            "bands": _records(self._bands, "band"),
        }
        if indicators:
            data["indicators"] = _records(self.indicators(), "rule")
        return data

    def to_text(self, *, indicators: bool = False) -> str:
        """The AUC table and the band table as text, with a line on how each was computed.

        With ``indicators=True`` the table of each rule alone follows.

        Example:
            >>> import earlywarning as ew
            >>> print(ew.validate().to_text())  # doctest: +ELLIPSIS
            Validation of earlywarning-default ...
        """
        return validation_text(self, indicators=indicators)

    def to_csv(self, *, indicators: bool = False) -> str:
        """The AUC table and the band table as CSV, one after the other, a blank line between.

        With ``indicators=True`` the table of each rule alone follows, after another blank line.

        Example:
            >>> import earlywarning as ew
            >>> ew.validate().to_csv().splitlines()[0]  # doctest: +ELLIPSIS
            'outcome,n,positives,ruleset_auc,...'
        """
        return validation_csv(self, indicators=indicators)

    def __repr__(self) -> str:
        # the settings and the ruleset's AUCs; to_text() and the notebook display show the rest
        auc = {str(k): round(float(v), 2) for k, v in self._table["ruleset_auc"].items()}
        return (
            f"ValidationReport(ruleset='{self.ruleset_id} {self.ruleset_version}', "
            f"inspections={len(self.scores)}, ruleset_auc={auc!r})"
        )

    def _repr_html_(self) -> str:
        """The report as a notebook shows it (:func:`validation_html`)."""
        return validation_html(self)


def _records(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
    out = frame.reset_index().rename(columns={"index": key})
    cleaned = out.astype(object).where(out.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in cleaned.to_dict("records")]


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
        >>> from earlywarning.validation._report import validation_text
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
        >>> from earlywarning.validation._report import validation_csv
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


def validation_html(report: ValidationReport) -> str:
    """The validation report as HTML for a notebook: how it was computed, the AUC table and
    the band table, the same figures as :func:`validation_text`. Every text is escaped.

    Example:
        >>> import earlywarning as ew
        >>> html = validation_html(ew.validate())
        >>> "Outcomes by band" in html and "judged below good" in html
        True
    """
    heading, _, *how = _heading(report)
    auc = [
        [
            OUTCOME_LABELS.get(str(name), str(name)),
            int(row["n"]),
            int(row["positives"]),
            _with_interval(row["ruleset_auc"], row["ruleset_low"], row["ruleset_high"]),
            _with_interval(row["baseline_auc"], row["baseline_low"], row["baseline_high"]),
            _with_interval(
                row["ruleset_auc"] - row["baseline_auc"],
                row["difference_low"],
                row["difference_high"],
                signed=True,
            ),
        ]
        for name, row in report.table().iterrows()
    ]
    bands = report.bands()
    shown = [o for o in OUTCOMES if o.name in bands.columns]
    band_rows = [
        [band_badge(str(band)), int(row["inspections"])]
        + [f"{int(row[o.name])} ({_share(row[f'share_{o.name}'])})" for o in shown]
        for band, row in bands.iterrows()
    ]
    return card(
        heading,
        note(" ".join(how)),
        cells(
            ["outcome", "n", "with it", "ruleset AUC (95%)", "baseline AUC (95%)", "difference"],
            auc,
            caption="How well the score separates each outcome",
        ),
        cells(
            ["band", "inspections", *(o.short for o in shown)],
            band_rows,
            caption="Outcomes by band",
        ),
        kind="validation",
    )
