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
from earlywarning.datasets import PERIODS
from earlywarning.errors import EarlyWarningError
from earlywarning.outcomes import OUTCOME_LABELS, OUTCOMES

# What each period is for, as the report's heading says it.
PERIOD_ROLES: dict[str, str] = {p.name: p.role for p in PERIODS}

__all__ = ["ValidationReport", "validation_csv", "validation_html", "validation_text"]


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """The result of :func:`validate`: AUCs beside a baseline, outcomes by band, the scores.

    The report holds figures only; :meth:`to_text` and :meth:`to_csv` lay them out. A report of
    :func:`validate` is the training period's, and holds the test period's in ``test``: every
    layout shows the two side by side.

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
            columns (True, False or None), and ``baseline_<outcome>``, the baseline's
            probability of each outcome (cross-validated, or from the training period's fit).
        period: the period of the frozen split the inspections belong to (``"training"`` or
            ``"test"``), or None for rows of no period (:func:`validate_profiles` on a frame).
        baseline_fitted_on: the number of rows the baseline was fitted on when it was fitted
            on other rows (the training period) and applied to these; None when its
            predictions were cross-validated within these rows.
        test: the same ruleset validated on the test period (:func:`validate`), or None.
        notes: sentences on what to bear in mind, such as the measures that drifted from the
            training period (:func:`earlywarning.drift.drift_notes`).

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
    period: str | None = None
    baseline_fitted_on: int | None = None
    test: ValidationReport | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()

    def periods(self) -> list[ValidationReport]:
        """This report and, when it has one, its test period's, in that order.

        Example:
            >>> import earlywarning as ew
            >>> [r.period for r in ew.validate().periods()]
            ['training', 'test']
        """
        return [self] if self.test is None else [self, self.test]

    def table(self, period: str | None = None) -> pd.DataFrame:
        """One row per outcome: the ruleset's AUC and the baseline's, side by side.

        Columns: ``n`` (inspections with the outcome known), ``positives``, ``ruleset_auc`` and
        its 95% bootstrap interval ``ruleset_low``/``ruleset_high``, ``baseline_auc`` with
        ``baseline_low``/``baseline_high``, and the paired interval of ruleset minus baseline,
        ``difference_low``/``difference_high``. Baseline columns are NaN if it was not fitted.

        ``period`` picks whose: None (this report's own, the training period's for
        :func:`validate`), a period's name (``"training"``, ``"test"``), or ``"all"``: every
        period's rows, indexed by period and outcome.

        Example:
            >>> import earlywarning as ew
            >>> list(ew.validate().table().index)[:4]
            ['below_good', 'inadequate', 'declined', 'declined_from_good']
            >>> t = ew.validate().table("all")
            >>> int(t.loc[("test", "below_good"), "n"])
            135
        """
        if period is None:
            return self._table.copy()
        if period == "all":
            return pd.concat(
                {str(r.period): r._table for r in self.periods()}, names=["period", "outcome"]
            )
        return self._of(period)._table.copy()

    def _of(self, period: str) -> ValidationReport:
        for r in self.periods():
            if r.period == period:
                return r
        have = [r.period for r in self.periods()]
        raise EarlyWarningError(f"validation: period {period!r} is not in the report ({have})")

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
        """The report as plain data (for JSON): settings, the periods, the AUC and band tables.

        Each record of ``auc`` and ``bands`` carries its ``period`` (None for rows of no
        period); ``periods`` describes each (inspections, first and last start, how the
        baseline was fitted) and ``notes`` holds the report's notes. With ``indicators=True``
        the table of each rule alone (for judged below good, on this report's rows) is added
        under ``indicators``.

        Example:
            >>> import earlywarning as ew
            >>> sorted(ew.validate().to_dict())  # doctest: +NORMALIZE_WHITESPACE
            ['auc', 'bands', 'baseline_inputs', 'folds', 'notes', 'periods', 'resamples',
             'ruleset', 'seed']
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
            "periods": [_period_record(r) for r in self.periods()],
            "auc": [
                {"period": r.period, **row}
                for r in self.periods()
                for row in _records(r._table, "outcome")
            ],
            "bands": [
                {"period": r.period, **row}
                for r in self.periods()
                for row in _records(r._bands, "band")
            ],
            "notes": list(self.notes),
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
            'period,outcome,n,positives,ruleset_auc,...'
        """
        return validation_csv(self, indicators=indicators)

    def __repr__(self) -> str:
        # the settings and the ruleset's AUCs of the overall judgement; to_text() and the
        # notebook display show the rest
        overall = [o.name for o in OUTCOMES if o.area == "overall"]
        auc = {
            str(k): round(float(v), 2)
            for k, v in self._table["ruleset_auc"].items()
            if str(k) in overall
        }
        test = "" if self.test is None else f", test_inspections={len(self.test.scores)}"
        return (
            f"ValidationReport(ruleset='{self.ruleset_id} {self.ruleset_version}', "
            f"inspections={len(self.scores)}{test}, ruleset_auc={auc!r})"
        )

    def _repr_html_(self) -> str:
        """The report as a notebook shows it (:func:`validation_html`)."""
        return validation_html(self)


def _span(report: ValidationReport) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last inspection start of the report's rows, when they have dates."""
    if "inspection_start" not in report.scores:
        return None
    dates = pd.to_datetime(report.scores["inspection_start"])
    return (dates.min(), dates.max()) if dates.notna().any() else None


def _baseline_words(report: ValidationReport) -> str:
    if report.baseline_fitted_on is not None:
        return (
            f"fitted on the training period's {report.baseline_fitted_on} inspections and "
            "applied unchanged"
        )
    return f"{report.folds}-fold cross-validated (seed {report.seed})"


def _period_record(report: ValidationReport) -> dict[str, Any]:
    span = _span(report)
    return {
        "period": report.period,
        "inspections": len(report.scores),
        "first": None if span is None else f"{span[0]:%Y-%m-%d}",
        "last": None if span is None else f"{span[1]:%Y-%m-%d}",
        "baseline": _baseline_words(report) if report.baseline_inputs else None,
    }


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


def _name(report: ValidationReport) -> str:
    return report.period or "inspections"


def _title(report: ValidationReport) -> str:
    return f"Validation of {report.ruleset_id} {report.ruleset_version} ({report.ruleset_hash})"


def _period_sentences(report: ValidationReport) -> list[str]:
    """One sentence per period: its inspections, their dates, what the period is for."""
    out = []
    for r in report.periods():
        span = _span(r)
        when = "" if span is None else f", {span[0]:%d %b %Y} to {span[1]:%d %b %Y}"
        role = f"; {PERIOD_ROLES[r.period]}" if r.period in PERIOD_ROLES else ""
        out.append(f"{_name(r)}: {len(r.scores)} inspections{when}{role}")
    return out


def _how(report: ValidationReport) -> list[str]:
    """How the figures were computed: the AUC, the intervals, the baseline (one per item)."""
    reports = report.periods()
    out = [
        "AUC: the chance that an inspection with the outcome scored higher than one without "
        "(0.5 is chance, 1 is perfect; ties count half). Intervals: 95%, bootstrap of "
        f"{report.resamples:,} resamples."
    ]
    if report.baseline_inputs:
        how = "; ".join(
            f"{_name(r)}: {_baseline_words(r)}" if len(reports) > 1 else _baseline_words(r)
            for r in reports
        )
        out.append(
            f"Baseline: logistic regression on the same {len(report.baseline_inputs)} inputs "
            f"({', '.join(report.baseline_inputs)}), median-imputed and standardised; {how}."
        )
    else:
        out.append("Baseline: not fitted.")
    return out


def _heading(report: ValidationReport) -> list[str]:
    lines = [_title(report)]
    for sentence in _period_sentences(report):
        lines += textwrap.wrap(
            sentence,
            width=_WIDTH,
            initial_indent="  ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
    lines.append("")
    for item in _how(report):
        lines += textwrap.wrap(item, width=_WIDTH)
    return lines


# The figures of one outcome in one period, as the text and the notebook show them.
_METRICS = (
    "inspections (with it)",
    "ruleset AUC (95%)",
    "baseline AUC (95%)",
    "ruleset - baseline",
)


def _cells(row: pd.Series | None) -> list[str]:
    if row is None:
        return ["-"] * len(_METRICS)
    return [
        f"{int(row['n'])} ({int(row['positives'])})",
        _with_interval(row["ruleset_auc"], row["ruleset_low"], row["ruleset_high"]),
        _with_interval(row["baseline_auc"], row["baseline_low"], row["baseline_high"]),
        _with_interval(
            row["ruleset_auc"] - row["baseline_auc"],
            row["difference_low"],
            row["difference_high"],
            signed=True,
        ),
    ]


def _outcome_cells(report: ValidationReport) -> list[tuple[str, list[list[str]]]]:
    """Per outcome, its label and, per metric, one cell per period."""
    tables = [r._table for r in report.periods()]
    names = list(dict.fromkeys(n for t in tables for n in t.index))
    out = []
    for name in names:
        per_period = [_cells(t.loc[name] if name in t.index else None) for t in tables]
        by_metric = [list(m) for m in zip(*per_period, strict=True)]
        out.append((OUTCOME_LABELS.get(str(name), str(name)), by_metric))
    return out


def _auc_lines(report: ValidationReport) -> list[str]:
    width = max(len(m) for m in _METRICS) + 4
    head = f"{'outcome':<{width}}" + "".join(f"{_name(r):<26}" for r in report.periods())
    lines = [head.rstrip()]
    for label, metrics in _outcome_cells(report):
        lines.append(label)
        for metric, shown in zip(_METRICS, metrics, strict=True):
            lines.append((f"  {metric:<{width - 2}}" + "".join(f"{c:<26}" for c in shown)).rstrip())
    return lines


def _band_lines(report: ValidationReport) -> list[str]:
    lines: list[str] = []
    for r in report.periods():
        bands = r._bands
        shown = [o for o in OUTCOMES if o.name in bands.columns]
        width = max(len(o.short) for o in shown) + 2
        title = "Outcomes by band" + ("" if r.period is None else f", {r.period}")
        lines += [
            title,
            f"{'':<{width}}" + "".join(f"{b!s:>14}" for b in bands.index),
            f"{'inspections':<{width}}" + "".join(f"{int(n):>14}" for n in bands["inspections"]),
        ]
        for o in shown:
            cells = [
                f"{int(row[o.name])} ({_share(row[f'share_{o.name}'])})"
                for _, row in bands.iterrows()
            ]
            lines.append(f"{o.short:<{width}}" + "".join(f"{c:>14}" for c in cells))
        lines.append("")
    return lines[:-1]


def validation_text(report: ValidationReport, *, indicators: bool = False) -> str:
    """The validation report as text: how it was computed, one table of every outcome with a
    column per period, the band tables, and the notes.

    With ``indicators``, the AUC of each rule alone for judged below good (rules with data).

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.validation._report import validation_text
        >>> text = validation_text(ew.validate())
        >>> "Outcomes by band, test" in text
        True
    """
    lines = [*_heading(report), "", *_auc_lines(report), "", *_band_lines(report)]
    if report.notes:
        lines += ["", "Notes"]
        for n in report.notes:
            lines += textwrap.wrap(n, width=_WIDTH, initial_indent="- ", subsequent_indent="  ")
    if indicators:
        table = report.indicators()
        table = table[table["with_data"] > 0].drop(columns="kind")
        where = "" if report.period is None else f", {report.period} period"
        lines += ["", f"Each rule alone: AUC for judged below good (rules with data only{where})"]
        with pd.option_context("display.width", 200, "display.max_colwidth", 45):
            lines.append(table.round(3).to_string())
    return "\n".join(lines)


def _with_period(report: ValidationReport, frame: pd.DataFrame, key: str) -> pd.DataFrame:
    out = frame.reset_index().rename(columns={"index": key})
    out.insert(0, "period", report.period)
    return out


def validation_csv(report: ValidationReport, *, indicators: bool = False) -> str:
    """The AUC table, then the band table (then the rules alone), as CSV with blank lines between.

    The AUC and band tables have a row per period and outcome (or band), the ``period`` first;
    every row ends with the ruleset's ``ruleset_id``, ``ruleset_version`` and ``ruleset_hash``.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.validation._report import validation_csv
        >>> lines = validation_csv(ew.validate()).splitlines()
        >>> lines[0]  # doctest: +ELLIPSIS
        'period,outcome,n,positives,ruleset_auc,...'
        >>> next(line for line in lines if ",band," in line)  # doctest: +ELLIPSIS
        'period,band,inspections,below_good,share_below_good,...'
    """
    out = io.StringIO()
    # every row names the ruleset, as every csv the package writes does
    ruleset = {
        "ruleset_id": report.ruleset_id,
        "ruleset_version": report.ruleset_version,
        "ruleset_hash": report.ruleset_hash,
    }
    auc = pd.concat([_with_period(r, r._table, "outcome") for r in report.periods()])
    auc.assign(**ruleset).to_csv(out, index=False, lineterminator="\n")
    out.write("\n")
    bands = pd.concat([_with_period(r, r._bands, "band") for r in report.periods()])
    bands.assign(**ruleset).to_csv(out, index=False, lineterminator="\n")
    if indicators:
        out.write("\n")
        rules = report.indicators().assign(**ruleset)
        rules.to_csv(out, index_label="rule", lineterminator="\n")
    return out.getvalue()


def validation_html(report: ValidationReport) -> str:
    """The validation report as HTML for a notebook: how it was computed, the AUC table with a
    column per period, and each period's band table, the same figures as
    :func:`validation_text`. Every text is escaped.

    Example:
        >>> import earlywarning as ew
        >>> html = validation_html(ew.validate())
        >>> "Outcomes by band" in html and "judged below good" in html
        True
    """
    rows = [
        [label if i == 0 else "", metric, *cells]
        for label, metrics in _outcome_cells(report)
        for i, (metric, cells) in enumerate(zip(_METRICS, metrics, strict=True))
    ]
    parts = [
        *(note(sentence) for sentence in _period_sentences(report)),
        *(note(item) for item in _how(report)),
        cells(
            ["outcome", "figure", *(_name(r) for r in report.periods())],
            rows,
            caption="How well the score separates each outcome",
        ),
    ]
    for r in report.periods():
        bands = r._bands
        shown = [o for o in OUTCOMES if o.name in bands.columns]
        band_rows = [
            [band_badge(str(band)), int(row["inspections"])]
            + [f"{int(row[o.name])} ({_share(row[f'share_{o.name}'])})" for o in shown]
            for band, row in bands.iterrows()
        ]
        title = "Outcomes by band" + ("" if r.period is None else f", {r.period}")
        parts.append(
            cells(["band", "inspections", *(o.short for o in shown)], band_rows, caption=title)
        )
    parts += [note(n) for n in report.notes]
    return card(_title(report), *parts, kind="validation")
