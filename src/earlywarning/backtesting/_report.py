"""The backtest's result and its layouts: text, CSV and JSON.

Private to :mod:`earlywarning.backtesting`; the result is built by
:func:`earlywarning.backtesting.backtest`, and nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from earlywarning._display import card, cells, note
from earlywarning.backtesting._common import (
    FOLLOW_UP_YEARS,
    STATUSES,
    interval_text,
    share_text,
)
from earlywarning.datasets import TRAINING_CUTOFF
from earlywarning.errors import EarlyWarningError
from earlywarning.outcomes import OUTCOME_LABELS

__all__ = ["Backtest", "backtest_html", "backtest_text", "records", "render_backtest"]


@dataclass(frozen=True, eq=False)
class Backtest:
    """The result of :func:`backtest`: the watch list each year against what happened next.

    Attributes:
        outcome: the outcome followed (a name of :data:`~earlywarning.outcomes.OUTCOME_NAMES`).
        ruleset: the ruleset's id, version and content hash.
        neighbours: the neighbour model of the peer measures.
        outcomes_as_at: the date the Ofsted outcomes stand at: later windows are open.
        resamples: councils resampled for each pooled interval; seed: their seed.
        councils: one row per council and year: ``year``, ``council``, ``la_code``, ``score``,
            ``band``, ``previous_rating`` and its date, ``sliding``, ``group`` (one of
            :data:`GROUPS`), ``next_date`` and ``next_rating`` of the
            next judgement in the window (NaT/None without one), ``status`` (one of
            :data:`STATUSES`), ``period`` (``training`` or ``test``, by the next judgement's
            date) and the outcome (True, False, or None when not inspected).
        years: one row per year: the window's end and whether it was complete; the councils,
            those whose last judgement was not yet published (set aside) and those good or
            outstanding before; for ``flagged`` and ``not_flagged``, how many,
            how many inspected in the window, how many with the outcome, the rate and its Wilson
            95% interval (``_low``, ``_high``); ``lift`` (the flagged rate over the not
            flagged) with Katz's 95% interval; ``not_inspected`` and ``not_yet_known``
            (councils good or outstanding before, set aside); and the follow-ups judged in each
            period (``inspected_training``, ``inspected_test``).
        pooled: the same over every year (``all``), then over the follow-ups judged in the
            training period and in the test period alone. A council counts once a year, so
            the years share councils: the lift's interval resamples whole councils.
        bands: every year pooled, one row per band, among councils good or outstanding before:
            how many, how many flagged, inspected, with the outcome, the rate, its interval,
            and the band's rate over the not-flagged rate (resampling councils).

    Example:
        >>> import earlywarning as ew
        >>> result = ew.backtest([2019], resamples=0)
        >>> row = result.years.loc[2019]
        >>> int(row["flagged_inspected"]) <= int(row["flagged"]) <= int(row["councils"])
        True
        >>> result.to_text().splitlines()[0][:40]
        'Backtest of the watch list, 1 January 20'
        >>> result.to_csv().split(",")[:2], sorted(result.to_dict())[:2]
        (['years', 'window_end'], ['bands', 'councils'])
    """

    outcome: str
    ruleset: str
    neighbours: str
    outcomes_as_at: dt.date
    resamples: int
    seed: int
    councils: pd.DataFrame = field(repr=False)
    years: pd.DataFrame = field(repr=False)
    pooled: pd.DataFrame = field(repr=False)
    bands: pd.DataFrame = field(repr=False)

    def to_text(self) -> str:
        """The per-year and pooled tables and the bands, with how each figure was counted."""
        return backtest_text(self)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data (for JSON): settings, then the years, pooled and bands."""
        return {
            "outcome": self.outcome,
            "ruleset": self.ruleset,
            "neighbours": self.neighbours,
            "outcomes_as_at": self.outcomes_as_at.isoformat(),
            "resamples": self.resamples,
            "seed": self.seed,
            "years": records(self.years, "year"),
            "pooled": records(self.pooled, "years"),
            "bands": records(self.bands, "band"),
            "councils": records(self.councils, None),
        }

    def to_csv(self) -> str:
        """The per-year and pooled rows as one CSV (``years`` is the year, or ``all``,
        ``training``, ``test``), a blank line, then the bands."""
        years = self.years.reset_index().rename(columns={"year": "years"})
        both = pd.concat([years, self.pooled.reset_index()], ignore_index=True)
        out = io.StringIO()
        both.to_csv(out, index=False, lineterminator="\n", float_format="%.6g")
        out.write("\n")
        self.bands.to_csv(out, lineterminator="\n", float_format="%.6g")
        return out.getvalue()

    def _repr_html_(self) -> str:
        """The backtest as a notebook shows it (:func:`backtest_html`)."""
        return backtest_html(self)

    def __repr__(self) -> str:
        lift = self.pooled["lift"].iloc[0]
        years = list(self.years.index)
        return (
            f"Backtest(years={years[0]}-{years[-1]}, outcome={self.outcome!r}, "
            f"pooled_lift={lift:.2f}, ruleset={self.ruleset!r})"
        )


def records(frame: pd.DataFrame, key: str | None) -> list[dict[str, Any]]:
    out = frame.reset_index() if key is not None else frame
    return list(json.loads(out.to_json(orient="records", date_format="iso")))


def _lift_text(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.2f}"


def _shown(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The columns a reader needs, as text: counts, rates with intervals, the lift."""
    shown = pd.DataFrame(index=table.index)
    for group, name in (("flagged", "flagged"), ("not_flagged", "not flagged")):
        shown[name] = [
            f"{int(k)}/{int(n)} of {int(m)}"
            for k, n, m in zip(
                table[f"{group}_{outcome}"], table[f"{group}_inspected"], table[group], strict=True
            )
        ]
        shown[f"{name} rate"] = [
            f"{share_text(r)} ({interval_text(lo, hi)})"
            for r, lo, hi in zip(
                table[f"{group}_rate"], table[f"{group}_low"], table[f"{group}_high"], strict=True
            )
        ]
    shown["lift"] = [
        f"{_lift_text(x)} ({interval_text(lo, hi, '{:.2f}')})"
        for x, lo, hi in zip(table["lift"], table["lift_low"], table["lift_high"], strict=True)
    ]
    for status in STATUSES[1:]:
        column = table[status.replace(" ", "_")]
        shown[status] = ["" if pd.isna(v) else str(int(v)) for v in column]
    return shown


def _heading(result: Backtest) -> str:
    years = result.years.index
    return (
        f"Backtest of the watch list, 1 January {years[0]} to 1 January {years[-1]}: councils "
        f"good or outstanding before, followed {FOLLOW_UP_YEARS} years to their next ILACS "
        f"judgement; outcome: {OUTCOME_LABELS[result.outcome]}."
    )


_COUNTS = "Counts are k/n of m: k with the outcome of n inspected in the window, of m councils."
_POOLED = (
    "Pooled (all years; then only the follow-ups judged in the training period, to "
    f"{TRAINING_CUTOFF:%d %B %Y}, and in the test period after it):"
)
_BANDS = "By band, all years pooled (rate of the band; lift over the not flagged):"


def _tables(result: Backtest) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The years, pooled and band tables as a reader sees them, every cell text."""
    years = _shown(result.years, result.outcome)
    years.insert(0, "window", [f"to {d:%b %Y}" for d in result.years["window_end"]])
    pooled = _shown(result.pooled, result.outcome)
    return years, pooled, _band_shown(result.bands, result.outcome)


def backtest_text(result: Backtest) -> str:
    """The backtest as text (:meth:`Backtest.to_text`)."""
    years, pooled, bands = _tables(result)
    with pd.option_context("display.width", 250, "display.max_columns", None):
        lines = [
            _heading(result),
            _COUNTS,
            "",
            years.to_string(),
            "",
            _POOLED,
            pooled.to_string(),
            "",
            _BANDS,
            bands.to_string(),
            "",
            *_notes(result),
        ]
    return "\n".join(lines)


def backtest_html(result: Backtest) -> str:
    """The backtest as HTML for a notebook: the same tables and notes as
    :func:`backtest_text`, every text escaped.

    Example:
        >>> import earlywarning as ew
        >>> html = backtest_html(ew.backtest([2022], resamples=0))
        >>> "Pooled" in html and "not yet known" in html
        True
    """
    years, pooled, bands = _tables(result)

    def table(frame: pd.DataFrame, caption: str) -> str:
        rows = [[str(i), *row] for i, row in zip(frame.index, frame.to_numpy(), strict=True)]
        return cells([str(frame.index.name), *frame.columns], rows, caption=caption)

    return card(
        _heading(result),
        note(_COUNTS),
        table(years, "By year"),
        table(pooled, _POOLED),
        table(bands, _BANDS),
        *(note(line) for line in _notes(result)),
        kind="backtest",
    )


def _band_shown(bands: pd.DataFrame, outcome: str) -> pd.DataFrame:
    shown = pd.DataFrame(index=bands.index)
    shown["councils"] = bands["councils"].astype(int)
    shown["flagged"] = bands["flagged"].astype(int)
    shown[OUTCOME_LABELS[outcome]] = [
        f"{int(k)}/{int(n)}" for k, n in zip(bands[outcome], bands["inspected"], strict=True)
    ]
    shown["rate"] = [
        f"{share_text(r)} ({interval_text(lo, hi)})"
        for r, lo, hi in zip(bands["rate"], bands["low"], bands["high"], strict=True)
    ]
    shown["lift"] = [
        f"{_lift_text(x)} ({interval_text(lo, hi, '{:.2f}')})"
        for x, lo, hi in zip(bands["lift"], bands["lift_low"], bands["lift_high"], strict=True)
    ]
    return shown


def _notes(result: Backtest) -> list[str]:
    unpublished = int(result.years["judgement_unpublished"].sum())
    open_years = [str(y) for y, done in result.years["window_complete"].items() if not done]
    notes = [
        "Rates have Wilson 95% intervals. A year's lift has Katz's 95% interval; a pooled "
        f"lift's interval resamples whole councils ({result.resamples} times, seed "
        f"{result.seed}), since the years share councils.",
        "Not inspected (a window closed with no judgement) and not yet known (a window still "
        "open) are set aside, never counted as holding their grade; so are councils whose last "
        f"inspection was not yet published on 1 January ({unpublished} council-years).",
        f"The rules were chosen on inspections to {TRAINING_CUTOFF:%d %B %Y}: follow-ups "
        "judged by then are in-sample; the test period's are not.",
    ]
    if open_years:
        notes.append(
            f"Windows open at {result.outcomes_as_at:%d %B %Y} (the outcomes' date): "
            f"{', '.join(open_years)}; their early inspections may not be typical."
        )
    notes.append(f"Neighbours: DfE's {result.neighbours} model. Ruleset {result.ruleset}.")
    return notes


def render_backtest(result: Backtest, fmt: str) -> str:
    """The backtest as ``text``, ``csv`` or ``json``.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.backtesting import render_backtest
        >>> render_backtest(ew.backtest([2019], resamples=0), "json")[:1]
        '{'
    """
    if fmt == "text":
        return backtest_text(result) + "\n"
    if fmt == "csv":
        return result.to_csv()
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    raise EarlyWarningError(f"backtest: format {fmt!r} is not text, csv or json")
