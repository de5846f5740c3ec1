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
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.datasets._england import judgements, outcomes_as_at
from earlywarning.datasets._inputs import rows_around
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
    return _judged(rating, pd.Timestamp(date), age_years(date, on))


def _judged(rating: Any, date: pd.Timestamp, age: float) -> str:
    return f"{rating_words(rating)} ({date:%d %b %Y}, {age:.1f} years before)"


_DAY = np.timedelta64(1, "D")


def _days(on: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Whole days from each ``then`` to its ``on`` (both datetime64[ns]; NaN where either is
    missing), rounded down as :func:`age_years` counts them."""
    missing = np.isnat(then) | np.isnat(on)
    gap = np.where(missing, np.timedelta64(0, "ns"), on - then)
    return np.where(missing, np.nan, (gap // _DAY).astype(float))


def _nanoseconds(values: Any) -> np.ndarray:
    return np.asarray(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]"))


def _later(codes: pd.Series, on: np.ndarray, user: pd.DataFrame | None) -> list[str | None]:
    """For each profile, the first judgement known on or after the profile's date (ties in the
    order they are known), as the note says it; None where there is none.

    The data's and a user's judgements are both refused without a date, so none is missing one.
    """
    known = judgements()
    known_codes = known["la_code"].to_numpy(dtype=object)
    known_days = _nanoseconds(known["date"])
    ratings = known["rating"].to_numpy(dtype=object)
    if user is not None and len(user):
        known_codes = np.concatenate([known_codes, user["la_code"].to_numpy(dtype=object)])
        known_days = np.concatenate([known_days, _nanoseconds(user["date"])])
        ratings = np.concatenate([ratings, user["rating"].to_numpy(dtype=object)])
    later = rows_around(known_codes, known_days, codes, on)[1]
    return [
        f"{rating_words(ratings[i])} ({pd.Timestamp(known_days[i]):%d %b %Y})" if i >= 0 else None
        for i in later.tolist()
    ]


def _stale(profiles: pd.DataFrame, on: np.ndarray) -> list[list[str]]:
    """Each profile's notes of figures more than :data:`STALE_YEARS` old, column by column."""
    notes: list[list[str]] = [[] for _ in range(len(profiles))]
    for column, (what, (month, day), fields) in FIGURE_DATES.items():
        if column not in profiles:
            continue
        shown = np.zeros(len(profiles), dtype=bool)
        for field in fields:
            if field in profiles:
                shown |= profiles[field].notna().to_numpy()
        years = profiles[column]
        rows = np.flatnonzero(years.notna().to_numpy() & shown)
        stands = [dt.date(int(year), month, day) for year in years.iloc[rows]]
        then = np.array(stands, dtype="datetime64[D]").astype("datetime64[ns]")
        ages = _days(on[rows], then) / _DAYS_PER_YEAR
        for row, when, age in zip(rows.tolist(), stands, ages.tolist(), strict=True):
            if age > STALE_YEARS:
                notes[row].append(f"{what} of {when:%B %Y} is {age:.1f} years old")
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
    on = _nanoseconds(profiles["profile_date"])
    judged = pd.to_datetime(profiles["previous_rating_date"])
    ages = _days(on, _nanoseconds(judged)) / _DAYS_PER_YEAR
    basis = profiles.get("previous_rating_basis", pd.Series(None, index=profiles.index))
    notes = []
    for here, nxt, read in zip(
        _stale(profiles, on), _later(profiles["la_code"], on, user), basis, strict=True
    ):
        if nxt is not None:
            here.insert(0, f"a later judgement is known: {nxt}")
        if read == "sub-judgements":
            here.insert(0, "previous rating read from the sub-judgements (no overall grade)")
        notes.append("; ".join(here))
    texts = [
        "none known" if r is None or pd.isna(r) else _judged(r, pd.Timestamp(d), age)
        for r, d, age in zip(profiles["previous_rating"], judged, ages.tolist(), strict=True)
    ]
    return pd.DataFrame(
        {"previous_rating_age_years": ages, "previous_rating_text": texts, "notes": notes},
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
