"""The profile builder's vectorised readers against plain references kept here.

The builder reads the panel by array positions, takes every council's neighbours' median at once,
finds the judgements before and after each day by one binary search, and works out freshness
column by column. Each reference below is the obvious, slow way (one council, one cell, one
``np.median`` at a time); the fast path must give the same results bit for bit, NaN placement,
dtypes and index included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from earlywarning import datasets
from earlywarning.datasets import _inputs, freshness
from earlywarning.datasets._england import ALIASES, INPUT_SOURCES, judgements, panel
from earlywarning.datasets.neighbours import grouping, neighbour_codes, neighbour_median
from earlywarning.datasets.user_judgements import all_judgements, as_judgements
from earlywarning.outcomes import AREAS
from earlywarning.vocabulary import rating_words

YEARS = (2012, 2016, 2020, 2023, 2025, 2026)


# ----------------------------------------------------------------------------------------------
# References: one council, one cell at a time


def reference_council_inputs() -> pd.DataFrame:
    rows = panel()
    rows = rows[~rows["la_code"].str.contains("/", regex=False)]
    frames = []
    for code in sorted(set(rows["la_code"]) - set(ALIASES)):
        for rank, source in enumerate(INPUT_SOURCES.get(code, (code,))):
            part = rows[rows["la_code"] == source].copy()
            part["la_code"] = code
            part["_rank"] = rank
            frames.append(part)
    merged = pd.concat(frames, ignore_index=True).sort_values("_rank", kind="stable")
    merged = merged.groupby(["la_code", "year"]).first()
    out = pd.DataFrame(index=merged.index)
    for field, column in _inputs.CENSUS_FIELDS.items():
        out[field] = merged[column]
    out["referrals_dfe"] = merged["referrals_rate_10k_calc"]
    out["referrals_webb"] = merged["cjw_referrals_rate_10k"]
    out["cin_rate_per_10k"] = merged["cin_at31_rate_10k_calc"].fillna(merged["cjw_cin_rate_10k"])
    out["cla_dfe"] = merged["cla_31mar_rate_10k"]
    out["cla_webb"] = merged["cjw_cla_rate_10k"]
    out["cla_rate_per_10k"] = out["cla_dfe"].fillna(out["cla_webb"])
    out["prevent_per_child"] = merged["cjw_s251_prevent_per_child_gbp"]
    return out


def reference_lookup(column: str, codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    inputs = _inputs.council_inputs()
    values = inputs[column].to_dict()
    return np.array([values.get((c, int(y)), np.nan) for c, y in zip(codes, years, strict=True)])


def reference_latest_spend(codes: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    spend = _inputs.council_inputs()["prevent_per_child"].dropna()
    values, found_years = [], []
    for code, year in zip(codes, years, strict=True):
        mine = [(y, v) for (c, y), v in spend.items() if c == code and y <= year]
        y, v = max(mine) if mine else (np.nan, np.nan)
        later = y > 2011  # a change from the base year to itself is no change
        values.append(v if later else np.nan)
        found_years.append(float(y) if later else np.nan)
    return np.array(values, dtype=float), np.array(found_years, dtype=float)


def reference_neighbour_median(
    values: pd.Series, codes: Any, years: Any, minimum: int = 5, neighbours: Any = None
) -> np.ndarray:
    lookup = values.dropna().to_dict()
    model = grouping(neighbours)
    out = np.full(len(codes), np.nan)
    for i, (code, year) in enumerate(zip(codes, years, strict=True)):
        near = model.of(str(code))
        if near is None:
            continue
        found = [lookup[(c, int(year))] for c, _ in near if (c, int(year)) in lookup]
        if len(found) >= minimum:
            out[i] = float(np.median(found))
    return out


def reference_previous(codes: np.ndarray, points: pd.Series, user: Any) -> pd.DataFrame:
    known = all_judgements(user)
    rows = []
    for code, point in zip(codes, points, strict=True):
        before = known[(known["la_code"] == code) & (known["date"] < point)]
        last = before.sort_values("date", kind="stable").tail(1)
        rows.append(
            (last["date"].iloc[0], last["rating"].iloc[0], last["rating_basis"].iloc[0])
            if len(last)
            else (pd.NaT, None, None)
        )
    return pd.DataFrame(rows, columns=["date", "rating", "rating_basis"])


def reference_area_judgements(codes: pd.Series, days: pd.Series, before: bool) -> pd.DataFrame:
    """Each row's area judgements by a filter of the council's judgements, one row at a time."""
    by_council = dict(iter(judgements().groupby("la_code")))
    rows = []
    for code, day in zip(codes, days, strict=True):
        mine = by_council.get(code, judgements().iloc[:0])
        mine = mine[(mine["date"] < day) if before else (mine["date"] == day)]
        last = mine.sort_values("date", kind="stable").tail(1)
        rows.append([last[a].iloc[0] if len(last) else None for a in AREAS])
    found = pd.DataFrame(rows, columns=list(AREAS), index=codes.index, dtype=object)
    return found.where(found.notna(), None)


def _reference_stale(row: Mapping[Hashable, Any], on: pd.Timestamp) -> list[str]:
    notes = []
    for column, (what, (month, day), fields) in freshness.FIGURE_DATES.items():
        year = row.get(column)
        if year is None or pd.isna(year) or not any(pd.notna(row.get(f)) for f in fields):
            continue
        stands = dt.date(int(year), month, day)
        age = freshness.age_years(stands, on)
        if age > freshness.STALE_YEARS:
            notes.append(f"{what} of {stands:%B %Y} is {age:.1f} years old")
    return notes


def reference_freshness(profiles: pd.DataFrame, user: pd.DataFrame | None) -> pd.DataFrame:
    known = judgements()[["la_code", "date", "rating"]]
    if user is not None and len(user):
        known = pd.concat([known, user[["la_code", "date", "rating"]]], ignore_index=True)
    on = pd.to_datetime(profiles["profile_date"])
    notes, ages, texts = [], [], []
    for row, day in zip(profiles.to_dict("records"), on, strict=True):
        here = _reference_stale(row, day)
        mine = known[(known["la_code"] == row["la_code"]) & (known["date"] >= day)]
        mine = mine.sort_values("date", kind="stable")
        if len(mine):
            later = f"{rating_words(mine['rating'].iloc[0])} ({mine['date'].iloc[0]:%d %b %Y})"
            here.insert(0, f"a later judgement is known: {later}")
        if row.get("previous_rating_basis") == "sub-judgements":
            here.insert(0, "previous rating read from the sub-judgements (no overall grade)")
        notes.append("; ".join(here))
        ages.append(freshness.age_years(row["previous_rating_date"], day))
        texts.append(
            freshness.judgement_text(row["previous_rating"], row["previous_rating_date"], day)
        )
    return pd.DataFrame(
        {
            "previous_rating_age_years": np.array(ages, dtype=float),
            "previous_rating_text": texts,
            "notes": notes,
        },
        index=profiles.index,
    )


# ----------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def judgements_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Later judgements: two without an overall grade, one on the day of a bundled one."""
    file = tmp_path_factory.mktemp("judgements") / "later.csv"
    file.write_text(
        "council,date,overall,leadership,help_protection,children_in_care,care_leavers\n"
        "Swindon,2026-05-11,,Good,Requires improvement to be good,Good,Good\n"
        "Derbyshire,2026-06-01,,Good,Inadequate,Good,Good\n"
        "derbyshire,2025-05-15,Outstanding,,,,\n"
        "E10000023,2025-06-02,Requires improvement to be good,,,,\n"
        "Derbyshire,2023-10-30,Outstanding,,,,\n",
        encoding="utf-8",
    )
    return file


@pytest.fixture(scope="module")
def every_year() -> pd.DataFrame:
    """Every council's profile, with provenance, on 1 January of each year of YEARS."""
    return datasets.england_profiles(list(YEARS), provenance=True)


def _pairs(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    codes = frame["la_code"].to_numpy(dtype=object)
    return codes, frame["year"].to_numpy(dtype=np.int64) - 1


# ----------------------------------------------------------------------------------------------
# The builder's readers


def test_council_inputs_match_the_frame_by_frame_merge() -> None:
    fast, slow = _inputs.council_inputs(), reference_council_inputs()
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert [level.dtype for level in fast.index.levels] == [
        level.dtype for level in slow.index.levels
    ]
    # the merge takes a council's own figure first and its former code's where it has none
    assert fast.loc[("E06000065", 2020), "avg_caseload"] == slow.loc[("E06000065", 2020)].iloc[0]


def test_every_column_read_by_position_matches_a_plain_lookup(every_year: pd.DataFrame) -> None:
    codes, years = _pairs(every_year)
    # unknown councils and years outside the panel read as missing
    codes = np.append(codes, ["E99999999", "E10000007", "E10000007"])
    years = np.append(years, [2020, 1990, 2040])
    read = _inputs.Reader(codes)
    for column in _inputs.council_inputs().columns:
        for shift in (0, 2, 3):
            fast = read.lookup(column, years - shift)
            slow = reference_lookup(column, codes, years - shift)
            np.testing.assert_array_equal(fast, slow, strict=True)
    assert np.isnan(read.lookup("avg_caseload", years)[-3:]).all()


def test_the_latest_spend_matches_a_search_of_each_councils_years(
    every_year: pd.DataFrame,
) -> None:
    codes, years = _pairs(every_year)
    codes = np.append(codes, ["E99999999", "E10000007", "E10000007", "E10000007"])
    years = np.append(years, [2020, 2009, 2011, 2040])
    fast = _inputs.Reader(codes).latest_spend(years)
    slow = reference_latest_spend(codes, years)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b, strict=True)
    assert np.isnan(fast[0][-3]) and fast[1][-1] == 2022.0  # the series ends in March 2022


@pytest.mark.parametrize("model", [None, "2021", "2025"])
def test_neighbour_medians_match_one_median_per_council(
    every_year: pd.DataFrame, model: str | None
) -> None:
    codes, years = _pairs(every_year)
    inputs = _inputs.council_inputs()
    for measure in ("vacancy_rate_pct", "agency_rate_pct", "avg_caseload", "cla_rate_per_10k"):
        for minimum in (1, 5, 10):
            fast = neighbour_median(
                inputs[measure], codes, years, minimum=minimum, neighbours=model
            )
            slow = reference_neighbour_median(inputs[measure], codes, years, minimum, model)
            np.testing.assert_array_equal(fast, slow, strict=True)
            assert np.isnan(fast).sum() < len(fast)  # the comparison has figures to compare


def test_neighbour_medians_of_odd_inputs_match_the_reference() -> None:
    near = list(neighbour_codes("E10000007"))
    # a repeated pair counts its last figure; all-missing figures give no median
    repeated = pd.Series(
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
        index=pd.MultiIndex.from_arrays([[*near, near[0]], [2020] * 11]),
    )
    empty = pd.Series(np.nan, index=repeated.index)
    # figures not indexed by (code, year) pairs have no pair to find
    by_code = pd.Series(range(10), index=near)
    by_three = pd.Series(range(10), index=pd.MultiIndex.from_arrays([near, [2020] * 10, [1] * 10]))
    for values in (repeated, empty, by_code, by_three):
        args = (["E10000007", "E99999999", "E10000007"], [2020, 2020, 2021])
        np.testing.assert_array_equal(
            neighbour_median(values, *args), reference_neighbour_median(values, *args), strict=True
        )
    assert neighbour_median(repeated, ["E10000007"], [2020]).tolist() == [6.5]  # 2 to 11
    with pytest.raises(ValueError, match="zip"):
        neighbour_median(repeated, ["E10000007"], [2020, 2021])


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 1.5, 2.5])
            ),
            min_size=10,
            max_size=10,
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 10),
)
def test_the_row_wise_median_is_numpys_median(rows: list[list[float | None]], minimum: int) -> None:
    near = list(neighbour_codes("E10000007"))
    codes, years, figures, index = [], [], [], []
    for year, row in enumerate(rows, start=2000):
        codes.append("E10000007")
        years.append(year)
        for code, value in zip(near, row, strict=True):
            index.append((code, year))
            figures.append(np.nan if value is None else value)
    values = pd.Series(figures, index=pd.MultiIndex.from_tuples(index))
    fast = neighbour_median(values, codes, years, minimum=minimum)
    slow = reference_neighbour_median(values, codes, years, minimum)
    np.testing.assert_array_equal(fast, slow, strict=True)


# ----------------------------------------------------------------------------------------------
# Judgements before and after a day


@pytest.mark.parametrize("with_user", [False, True])
def test_the_judgement_before_each_day_matches_a_filter_per_profile(
    judgements_file: Path, with_user: bool
) -> None:
    user = as_judgements(judgements_file) if with_user else None
    table = datasets.ilacs_inspections("all")
    codes = np.array([*table["la_code"], "E10000007", "E10000007", "E06000063"], dtype=object)
    days = [*table["inspection_start"], *pd.to_datetime(["2023-10-30", "2023-10-31", "2010-01-01"])]
    points = pd.Series(pd.to_datetime(days)).astype("datetime64[ns]")
    fast = datasets._previous(codes, points, user)
    slow = reference_previous(codes, points, user)
    for column, name in (
        ("date", "previous_rating_date"),
        ("rating", "previous_rating"),
        ("rating_basis", "previous_rating_basis"),
    ):
        got, want = fast[name], slow[column]
        assert [None if pd.isna(v) else v for v in got] == [
            None if pd.isna(v) else v for v in want
        ], column
    assert fast["previous_rating_date"].dtype == all_judgements(user)["date"].dtype


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ABC"), st.integers(0, 6)), max_size=12),
    st.lists(st.tuples(st.sampled_from("ABCD"), st.integers(-1, 7)), max_size=8),
)
def test_rows_around_a_day_are_the_last_before_and_first_on_or_after(
    rows: list[tuple[str, int]], asked: list[tuple[str, int]]
) -> None:
    day = np.datetime64("2020-01-01", "ns")
    known_codes = np.array([c for c, _ in rows], dtype=object)
    known_days = np.array([day + np.timedelta64(d, "D") for _, d in rows], dtype="datetime64[ns]")
    codes = [c for c, _ in asked]
    days = np.array([day + np.timedelta64(d, "D") for _, d in asked], dtype="datetime64[ns]")
    before, after = _inputs.rows_around(known_codes, known_days, codes, days)
    for i, (code, when) in enumerate(asked):
        mine = sorted((d, n) for n, (c, d) in enumerate(rows) if c == code)  # ties: given order
        earlier = [n for d, n in mine if d < when]
        later = [n for d, n in mine if d >= when]
        assert before[i] == (earlier[-1] if earlier else -1)
        assert after[i] == (later[0] if later else -1)


@pytest.mark.parametrize("before", [False, True])
def test_area_judgements_match_a_filter_per_row(before: bool) -> None:
    """One search among the judgements finds what a filter of each council's would: every
    inspection's day, a time on a judgement's day and the day after, no day, an unknown council."""
    table = datasets.ilacs_inspections("all")
    days = [
        *table["inspection_start"],
        *pd.to_datetime(
            ["2014-02-10", "2014-02-10T09:00", "2014-02-11", "2023-10-30"], format="ISO8601"
        ),
        pd.NaT,
        pd.Timestamp("2020-01-01"),
    ]
    codes = [*table["la_code"], "E10000007", "E10000007", "E10000007", "E10000007"]
    codes += ["E10000007", "E99999999"]
    index = pd.Index(np.arange(len(codes))[::-1] * 3)  # any index: the result keeps it
    codes_s, days_s = pd.Series(codes, index=index), pd.Series(days, index=index)
    fast = datasets.area_judgements(codes_s, days_s, before=before)
    slow = reference_area_judgements(codes_s, days_s, before)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast.notna().any().all()  # every area judged somewhere


# ----------------------------------------------------------------------------------------------
# Freshness


@pytest.mark.parametrize("with_user", [False, True])
def test_freshness_matches_the_cell_by_cell_notes(
    every_year: pd.DataFrame, judgements_file: Path, with_user: bool
) -> None:
    user = as_judgements(judgements_file) if with_user else None
    profiles = (
        datasets.england_profiles(list(YEARS), provenance=True, judgements=judgements_file)
        if with_user
        else every_year
    )
    fast = freshness.freshness(profiles, user)
    pd.testing.assert_frame_equal(fast, reference_freshness(profiles, user), check_exact=True)
    assert fast["notes"].str.contains("a later judgement is known").any()
    assert fast["notes"].str.contains("years old").any()


def test_freshness_at_times_of_day_and_on_a_judgements_day_matches(judgements_file: Path) -> None:
    user = as_judgements(judgements_file)
    times = [
        dt.datetime(2019, 7, 8, 15, 30),
        dt.datetime(2019, 7, 7, 23, 59),
        dt.datetime(2023, 10, 30),  # the day of a bundled judgement and a user's
        dt.datetime(2024, 1, 1, 0, 0, 1),
        dt.datetime(2027, 1, 1),
    ]
    codes = ["E10000007", "E10000007", "E10000007", "E06000063", "E06000030"]
    profiles = datasets.profiles_at(codes, times, provenance=True, judgements=user)
    profiles.index = pd.Index([10, 3, 7, 1, 0])  # any index: the result keeps it
    fast = freshness.freshness(profiles, user)
    pd.testing.assert_frame_equal(fast, reference_freshness(profiles, user), check_exact=True)
    empty = datasets.profiles_at([], [], provenance=True)
    pd.testing.assert_frame_equal(
        freshness.freshness(empty), reference_freshness(empty, None), check_exact=True
    )
