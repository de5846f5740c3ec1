"""How old each judgement and figure behind a profile is, and the notes outputs show about it.

Every output that shows a council's previous judgement shows its date and its age on the
profile's date, and adds a note where a reader could be misled:

* the judgement is older than the council's last inspection known to the data: a later judgement
  exists (the profile describes a date before it, as a watch list of past years does);
* a figure is more than :data:`STALE_YEARS` years older than the profile's date (the section 251
  spend series ends in March 2022, so a 2026 profile's early-help spend change is four years
  old);
* the profile's date is after the date the data's judgements stand at (31 March 2025 in the
  bundled data): a later inspection would not be known (one note per output, not per council).

Example:
    >>> import datetime as dt
    >>> from earlywarning.datasets.freshness import age_years, judgement_text
    >>> round(age_years(dt.date(2023, 7, 17), dt.date(2026, 1, 1)), 1)
    2.5
    >>> judgement_text("inadequate", dt.date(2023, 7, 17), dt.date(2026, 1, 1))
    'inadequate (17 Jul 2023, 2.5 years before)'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.datasets._england import judgements, outcomes_as_at
from earlywarning.vocabulary import rating_words

__all__ = [
    "FIGURE_DATES",
    "STALE_YEARS",
    "age_years",
    "freshness",
    "judgement_text",
    "outcomes_note",
]

STALE_YEARS = 2.0
"""A figure more than this many years older than the profile's date is noted."""

FIGURE_DATES: dict[str, tuple[str, tuple[int, int], tuple[str, ...]]] = {
    "census_year": (
        "workforce census",
        (9, 30),
        ("avg_caseload", "agency_rate_pct", "vacancy_rate_pct"),
    ),
    "demand_year": (
        "demand figures",
        (3, 31),
        ("cla_rate_per_10k", "cin_rate_per_10k", "demand_change_pct"),
    ),
    "spend_year": ("early-help spend change", (3, 31), ("early_help_spend_change_pct",)),
}
"""Each provenance column of :func:`~earlywarning.datasets.profiles_at`, what it dates, the day
of the year its figures stand at, and the fields that carry them (noted only when one has a
value)."""

_DAYS_PER_YEAR = 365.25


def age_years(then: Any, on: Any) -> float:
    """Years from ``then`` to ``on`` (NaN when ``then`` is missing)."""
    if then is None or pd.isna(then):
        return float("nan")
    return (pd.Timestamp(on) - pd.Timestamp(then)).days / _DAYS_PER_YEAR


def judgement_text(rating: Any, date: Any, on: Any) -> str:
    """A previous judgement as outputs show it: the rating, its date and its age."""
    if rating is None or pd.isna(rating):
        return "none known"
    when = f"{pd.Timestamp(date):%d %b %Y}, {age_years(date, on):.1f} years before"
    return f"{rating_words(rating)} ({when})"


def _later(
    codes: pd.Series, on: pd.Series, user: pd.DataFrame | None
) -> list[tuple[str, pd.Timestamp] | None]:
    """For each profile, the first judgement known after the profile's date, if any.

    The judgements are sorted once by council and date (ties in the order they are known),
    and each profile's is found by a binary search within its council's: a watch list asks
    this for every council, and a filter of the table per profile was most of its time.
    """
    known = judgements()[["la_code", "date", "rating"]]
    if user is not None and len(user):
        known = pd.concat([known, user[["la_code", "date", "rating"]]], ignore_index=True)
    # only the councils asked about are sorted: a report asks about one of some 150
    known = known[known["la_code"].isin(set(codes))]
    known = known.sort_values(["la_code", "date"], kind="stable", ignore_index=True)
    dates = pd.DatetimeIndex(known["date"])
    ratings = known["rating"].tolist()
    spans = {code: (at[0], at[-1] + 1) for code, at in known.groupby("la_code").indices.items()}
    out: list[tuple[str, pd.Timestamp] | None] = []
    for code, day in zip(codes, on, strict=True):
        first, end = spans.get(code, (0, 0))
        i = first + int(dates[first:end].searchsorted(day, side="left"))
        out.append((ratings[i], dates[i]) if i < end else None)
    return out


def _stale(row: Mapping[Hashable, Any], on: pd.Timestamp) -> list[str]:
    notes = []
    for column, (what, (month, day), fields) in FIGURE_DATES.items():
        year = row.get(column)
        if year is None or pd.isna(year) or not any(pd.notna(row.get(f)) for f in fields):
            continue
        stands = dt.date(int(year), month, day)
        age = age_years(stands, on)
        if age > STALE_YEARS:
            notes.append(f"{what} of {stands:%B %Y} is {age:.1f} years old")
    return notes


def freshness(profiles: pd.DataFrame, user: pd.DataFrame | None = None) -> pd.DataFrame:
    """The age of each profile's previous judgement, and its notes.

    Args:
        profiles: :func:`~earlywarning.datasets.profiles_at` with ``provenance=True``.
        user: the user's checked judgements, if any (they count as known judgements).

    Returns:
        One row per profile, on its index: ``previous_rating_age_years`` (NaN without a
        judgement), ``previous_rating_text`` (rating, date and age) and ``notes`` (text, ``""``
        when there is nothing to say).
    """
    on = pd.to_datetime(profiles["profile_date"])
    ages = [age_years(d, o) for d, o in zip(profiles["previous_rating_date"], on, strict=True)]
    later = _later(profiles["la_code"], on, user)
    notes = []
    for row, day, nxt in zip(profiles.to_dict("records"), on, later, strict=True):
        here = _stale(row, day)
        if nxt is not None:
            said = f"{rating_words(nxt[0])} ({nxt[1]:%d %b %Y})"
            here.insert(0, f"a later judgement is known: {said}")
        if row.get("previous_rating_basis") == "sub-judgements":
            here.insert(0, "previous rating read from the sub-judgements (no overall grade)")
        notes.append("; ".join(here))
    texts = [
        judgement_text(r, d, o)
        for r, d, o in zip(
            profiles["previous_rating"], profiles["previous_rating_date"], on, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "previous_rating_age_years": np.array(ages, dtype=float),
            "previous_rating_text": texts,
            "notes": notes,
        },
        index=profiles.index,
    )


def outcomes_note(on: dt.date, user: pd.DataFrame | None = None) -> str:
    """The note for an output dated after the data's judgements stand (else ``""``)."""
    as_at = outcomes_as_at()
    latest = as_at
    if user is not None and len(user):
        latest = max(as_at, pd.Timestamp(user["date"].max()).date())
    if on <= latest:
        return ""
    return (
        f"Ofsted judgements are known to {latest.day} {latest:%B %Y}, "
        f"{age_years(latest, on):.1f} years before {on.day} {on:%B %Y}: a council inspected "
        "since may have a newer judgement."
    )
