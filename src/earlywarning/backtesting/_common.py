"""What the backtest and the band frequencies share: the inspections they follow, the split's
periods, how an outcome is read, and how a share is written.

Private to :mod:`earlywarning.backtesting`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from earlywarning.datasets import TRAINING_CUTOFF, ofsted_judgements
from earlywarning.outcomes import derive_outcomes

__all__ = [
    "BACKTEST_NEIGHBOURS",
    "COMPARED",
    "FIRST_BACKTEST_YEAR",
    "FOLLOW_UP_YEARS",
    "GOOD",
    "GROUPS",
    "STATUSES",
    "ilacs_judgements",
    "interval_text",
    "outcome_of",
    "period_of",
    "share_text",
    "unpublished",
]

FIRST_BACKTEST_YEAR = 2019
"""The first 1 January backtested: ILACS judgements began in January 2018, so from 2019 the
watch list's previous ratings include a year of them and every follow-up is an ILACS one."""

FOLLOW_UP_YEARS = 3
"""How long each council is followed for its next inspection, from 1 January of the year."""

BACKTEST_NEIGHBOURS = "2021"
"""The neighbour model of the backtest and the band frequencies: DfE's April 2021 groupings,
the oldest in the data (the 2025 model is later than every date they look back from)."""

STATUSES: tuple[str, ...] = ("inspected", "not inspected", "not yet known")
"""What became of a council after 1 January: judged within the window; not judged in a window
that closed before the outcomes' date; not judged yet in a window still open then."""

GROUPS: tuple[str, ...] = ("flagged", "not flagged", "not good before", "judgement unpublished")
"""The councils of a year: good or outstanding before and flagged as sliding, or not flagged;
judged below good before (the watch list does not look for them); and councils whose last
inspection had begun but was not yet published on 1 January, so that the list's previous rating
was not known that day: set aside."""

COMPARED = ("flagged", "not flagged")

GOOD = ("outstanding", "good")


def ilacs_judgements() -> pd.DataFrame:
    """Every ILACS judgement in the data, with its rating, by council and date."""
    found = ofsted_judgements()
    found = found[(found["framework"] == "ILACS") & found["rating"].notna()]
    return found[["la_code", "date", "rating"]].sort_values("date").reset_index(drop=True)


def unpublished(day: dt.date) -> set[str]:
    """Councils whose last inspection began before ``day`` but was published on or after it.

    The data date an ILACS judgement by the start of its inspection, some weeks before Ofsted
    publishes it: on ``day`` such a council's previous rating was not yet known.
    """
    found = ofsted_judgements()
    when = pd.Timestamp(day)
    return set(found.loc[(found["date"] < when) & (found["published"] >= when), "la_code"])


def period_of(dates: pd.Series) -> pd.Series:
    """``training`` for an inspection to :data:`TRAINING_CUTOFF`, ``test`` after, else None."""
    cutoff = pd.Timestamp(TRAINING_CUTOFF)
    labels = np.where(dates <= cutoff, "training", "test")
    return pd.Series(labels, index=dates.index, dtype=object).where(dates.notna(), None)


def outcome_of(
    name: str,
    new: pd.Series,
    previous: pd.Series,
    new_areas: pd.DataFrame | None = None,
    prev_areas: pd.DataFrame | None = None,
) -> pd.Series:
    """The outcome ``name`` of each inspection (True, False, or None where it does not apply).

    The one place the backtest reads an outcome: an outcome added to
    :data:`~earlywarning.outcomes.OUTCOMES` is usable here by its name; the outcomes by area
    need the areas' judgements (:func:`earlywarning.datasets.area_judgements`), new and previous.
    """
    return derive_outcomes(new, previous, new_areas=new_areas, prev_areas=prev_areas)[name]


def share_text(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.0%}"


def interval_text(low: float, high: float, fmt: str = "{:.0%}") -> str:
    if pd.isna(low) or pd.isna(high):
        return "-"
    return f"{fmt.format(low)}-{fmt.format(high)}"
