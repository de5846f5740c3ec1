"""Tests of the bundled England data and the profile builder in earlywarning.datasets."""

from __future__ import annotations

import csv
import datetime as dt
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from earlywarning import datasets
from earlywarning.errors import EarlyWarningError
from earlywarning.profile import FIELD_NAMES, RATINGS, CouncilProfile

# The ILACS file's column for each profile field the builder fills from the panel.
ILACS_COLUMNS = {
    "avg_caseload": "caseload",
    "agency_rate_pct": "agency_rate_pct",
    "turnover_rate_pct": "turnover_rate_pct",
    "vacancy_rate_pct": "vacancy_rate_pct",
    "absence_rate_pct": "absence_rate_pct",
    "cla_rate_per_10k": "cla_rate_10k_yeMar",
    "cin_rate_per_10k": "cin_rate_10k_yeMar",
    "demand_change_pct": "referrals_rate_change_3y_pct",
    "early_help_spend_change_pct": "s251_prevent_pc_change_pct",
}
# The file rounds to one decimal; the builder does not round.
ROUNDING = 0.05 + 1e-9

OFSTED_SPELLING = {
    "Outstanding": "outstanding",
    "Good": "good",
    "RI": "requires_improvement",
    "Requires improvement to be good": "requires_improvement",
    "Inadequate": "inadequate",
}


def raw_rows(name: str) -> list[dict[str, str]]:
    """A bundled CSV as text, read without pandas, to check the loaders against."""
    path = resources.files("earlywarning.datasets") / "data" / "england" / name
    with path.open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def all_years() -> pd.DataFrame:
    return datasets.england_profiles(range(2011, 2027))


@pytest.fixture(scope="module")
def inspections() -> pd.DataFrame:
    return datasets.inspection_profiles()


# ----------------------------------------------------------------------------------------------
# Loaders


def test_loaders_have_every_row_of_their_files() -> None:
    assert len(datasets.england_panel()) == 2491
    # every judgement to 31 March 2025: SLAC, SIF and the ILACS history of Ofsted's release
    assert len(datasets.ofsted_judgements()) == 596
    assert len(raw_rows("ofsted_judgements.csv")) == 596
    assert len(datasets.ilacs_inspections()) == 136
    assert len(raw_rows(datasets.PANEL_FILE)) == 2491


def test_panel_is_typed_and_suppression_markers_are_missing() -> None:
    panel = datasets.england_panel()
    assert panel["year"].dtype == np.int64
    numeric = panel.drop(columns=["la_code", "la_name", "year"])
    assert all(dtype == np.float64 for dtype in numeric.dtypes)
    assert not panel.duplicated(["la_code", "year"]).any()
    # Brent's caseload for 30 September 2017 is "x" (suppressed) in the file
    raw = [
        r
        for r in raw_rows(datasets.PANEL_FILE)
        if r["la_code"] == "E09000005" and r["year"] == "2017"
    ]
    assert raw[0]["csww_caseload_fte"] == "x"
    brent = panel[(panel["la_code"] == "E09000005") & (panel["year"] == 2017)].iloc[0]
    assert math.isnan(brent["csww_caseload_fte"])
    assert brent["csww_agency_rate_fte"] == pytest.approx(34.0)


def test_judgements_dates_and_canonical_ratings() -> None:
    j = datasets.ofsted_judgements()
    assert pd.api.types.is_datetime64_any_dtype(j["date"])
    assert pd.api.types.is_datetime64_any_dtype(j["published"])
    expected = j["overall"].map(OFSTED_SPELLING)
    assert expected.notna().all()
    assert (j["rating"] == expected).all()
    assert set(j["rating"]) == set(RATINGS)
    # ILACS rows are dated by the start of the inspection and published later
    ilacs = j[j["framework"] == "ILACS"]
    assert len(ilacs) == 271
    assert len(ilacs[ilacs["date"] <= pd.Timestamp(datasets.TRAINING_CUTOFF)]) == 136
    assert ilacs["date"].max() <= pd.Timestamp(datasets.OUTCOMES_CUTOFF)
    assert (ilacs["published"] > ilacs["date"]).all()
    others = j[j["framework"] != "ILACS"]
    assert (others["published"] == others["date"]).all()


def test_ilacs_dates_parsed() -> None:
    ilacs = datasets.ilacs_inspections()
    assert pd.api.types.is_datetime64_any_dtype(ilacs["inspection_start"])
    assert pd.api.types.is_datetime64_any_dtype(ilacs["prev_date"])
    assert ilacs["inspection_start"].min() == pd.Timestamp("2018-01-29")
    assert ilacs["inspection_start"].max() <= pd.Timestamp(datasets.OUTCOMES_CUTOFF)
    assert (
        ilacs["prev_date"].dropna() < ilacs.loc[ilacs["prev_date"].notna(), "inspection_start"]
    ).all()


def test_loaders_return_copies() -> None:
    panel = datasets.england_panel()
    panel.loc[:, "csww_caseload_fte"] = 0.0
    j = datasets.ofsted_judgements()
    j.loc[:, "rating"] = "outstanding"
    assert datasets.england_panel()["csww_caseload_fte"].isna().any()
    assert (datasets.ofsted_judgements()["rating"] != "outstanding").any()


# ----------------------------------------------------------------------------------------------
# Columns and councils


def test_every_column_is_a_profile_field(all_years: pd.DataFrame) -> None:
    assert list(all_years.columns) == list(datasets.PROFILE_COLUMNS)
    assert set(all_years.columns) <= set(FIELD_NAMES)


def test_every_row_is_a_valid_council_profile() -> None:
    frame = datasets.england_profiles([2013, 2020, 2026])
    for record in frame.to_dict("records"):
        given_fields = {k: v for k, v in record.items() if not pd.isna(v)}
        profile = CouncilProfile(**given_fields)
        assert profile.council == record["council"]


def test_one_row_per_council_and_year_through_reorganisations(all_years: pd.DataFrame) -> None:
    assert not all_years.duplicated(["year", "la_code"]).any()
    assert not all_years.duplicated(["year", "council"]).any()
    assert not all_years["la_code"].str.contains("/").any()  # joint workforce rows are not councils
    counts = all_years.groupby("year").size()
    assert counts[2018] == 152
    by_year = {y: set(g["la_code"]) for y, g in all_years.groupby("year")}
    # Dorset County, Bournemouth and Poole were replaced by Dorset and BCP on 1 April 2019
    assert {"E10000009", "E06000028", "E06000029"} <= by_year[2019]
    assert not {"E06000058", "E06000059"} & by_year[2019]
    assert {"E06000058", "E06000059"} <= by_year[2020]
    assert not {"E10000009", "E06000028", "E06000029"} & by_year[2020]
    # Northamptonshire split in 2021, Cumbria in 2023
    assert "E10000021" in by_year[2021] and "E10000021" not in by_year[2022]
    assert {"E06000061", "E06000062"} <= by_year[2022]
    assert "E10000006" in by_year[2023] and {"E06000063", "E06000064"} <= by_year[2024]
    # North Yorkshire keeps one row (its current code) before and after it became unitary
    north_yorks = all_years[all_years["council"] == "North Yorkshire"]
    assert list(north_yorks["year"]) == list(range(2011, 2027))
    assert set(north_yorks["la_code"]) == {"E06000065"}


def test_councils_filter_by_name_code_and_ofsted_spelling() -> None:
    full = datasets.england_profiles(2020).set_index("la_code")
    picked = datasets.england_profiles(
        2020, councils=["Derbyshire", "E08000005", "bristol", "Telford & Wrekin"]
    )
    assert sorted(picked["la_code"]) == ["E06000020", "E06000023", "E08000005", "E10000007"]
    assert picked.loc[picked["la_code"] == "E06000023", "council"].item() == "Bristol, City of"
    pd.testing.assert_frame_equal(
        picked.set_index("la_code").sort_index(),
        full.loc[sorted(picked["la_code"])],
    )
    # a former code finds the council under its current code
    assert datasets.england_profiles(2012, councils=["E10000023"])["la_code"].tolist() == [
        "E06000065"
    ]
    # one name can be two councils over time: each year holds the one that existed
    dorset = datasets.england_profiles([2019, 2020], councils="Dorset")
    assert dorset[["year", "la_code"]].values.tolist() == [[2019, "E10000009"], [2020, "E06000059"]]


def test_bad_arguments_raise() -> None:
    with pytest.raises(EarlyWarningError, match="Narnia"):
        datasets.england_profiles(2020, councils=["Derbyshire", "Narnia"])
    with pytest.raises(EarlyWarningError, match="2030"):
        datasets.england_profiles([2020, 2030])
    with pytest.raises(EarlyWarningError):
        datasets.england_profiles(2010)  # no census or demand for 2009
    with pytest.raises(EarlyWarningError):
        datasets.england_profiles(True)
    with pytest.raises(EarlyWarningError, match="pair"):
        datasets.profiles_at(["E10000007"], [])
    with pytest.raises(EarlyWarningError, match="E99999999"):
        datasets.profiles_at(["E99999999"], [dt.date(2020, 1, 1)])


# ----------------------------------------------------------------------------------------------
# No outcome from on or after the point in time


def _check_previous(frame: pd.DataFrame, points: pd.Series) -> None:
    """previous_rating is the latest judgement of that council strictly before each point."""
    j = datasets.ofsted_judgements()
    # each council's dates and ratings as plain arrays: a pandas filter per row was most of
    # the time of the tests that check every council and year
    by_code = {
        code: (pd.DatetimeIndex(g["date"]), g["rating"].tolist())
        for code, g in j.groupby("la_code")
    }
    none: tuple[pd.DatetimeIndex, list[str]] = (pd.DatetimeIndex([]), [])
    for row, at in zip(frame.itertuples(), points, strict=True):
        dates, ratings = by_code.get(row.la_code, none)
        before = np.flatnonzero(dates < at)
        if not len(before):
            assert row.previous_rating is None
            assert pd.isna(row.previous_rating_date)
            continue
        last = before[-1]
        assert row.previous_rating_date < at
        assert row.previous_rating_date == dates[last]
        assert row.previous_rating == ratings[last]


def test_previous_rating_is_dated_before_1_january(all_years: pd.DataFrame) -> None:
    points = pd.to_datetime(all_years["year"].astype(str) + "-01-01")
    frame = datasets.profiles_at(list(all_years["la_code"]), points, provenance=True)
    assert frame["previous_rating"].tolist() == all_years["previous_rating"].tolist()
    assert frame["previous_rating"].notna().sum() > 1500
    _check_previous(frame, points)


def test_inspection_is_never_its_own_previous_rating() -> None:
    ilacs = datasets.ilacs_inspections()
    start = ilacs["inspection_start"]
    on_the_day = datasets.profiles_at(list(ilacs["la_code"]), start, provenance=True)
    _check_previous(on_the_day, start)
    dated = on_the_day["previous_rating_date"].notna()
    assert dated.sum() == 134
    assert (on_the_day.loc[dated, "previous_rating_date"] < start[dated]).all()
    # a day later the inspection itself is the last judgement: the cut is at the start date
    next_day = datasets.profiles_at(
        list(ilacs["la_code"]), start + pd.Timedelta(days=1), provenance=True
    )
    assert (next_day["previous_rating_date"] == start).all()
    assert (
        next_day["previous_rating"].tolist() == ilacs["new_overall"].map(OFSTED_SPELLING).tolist()
    )


@settings(max_examples=examples(30), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(set(datasets.england_panel()["la_code"]))),
            st.dates(min_value=dt.date(2009, 1, 1), max_value=dt.date(2026, 12, 31)),
        ),
        min_size=1,
        max_size=20,
    ).map(
        lambda pairs: [p for p in pairs if "/" not in p[0]] or [("E10000007", dt.date(2020, 6, 1))]
    )
)
def test_previous_rating_at_any_date(pairs: list[tuple[str, dt.date]]) -> None:
    codes = [c for c, _ in pairs]
    points = pd.Series(pd.to_datetime([d for _, d in pairs]))
    frame = datasets.profiles_at(codes, points, provenance=True)
    assert len(frame) == len(pairs)
    assert (frame["census_year"] == points.dt.year - 1).all()
    _check_previous(frame, points)


# ----------------------------------------------------------------------------------------------
# The builder reproduces the ILACS file


def test_builder_reproduces_ilacs_inputs(inspections: pd.DataFrame) -> None:
    ilacs = datasets.ilacs_inspections()
    assert (inspections["la_code"] == ilacs["la_code"]).all()
    for field, column in ILACS_COLUMNS.items():
        ours = inspections[field].to_numpy(dtype=float)
        theirs = ilacs[column].to_numpy(dtype=float)
        assert (np.isnan(ours) == np.isnan(theirs)).all(), field
        both = ~np.isnan(ours)
        assert both.sum() >= 130, field
        worst = np.max(np.abs(ours[both] - theirs[both]))
        assert worst <= ROUNDING, f"{field}: off by {worst}"


def test_inspection_outcomes_match_the_file(inspections: pd.DataFrame) -> None:
    ilacs = datasets.ilacs_inspections()
    assert list(inspections.columns) == [*datasets.PROFILE_COLUMNS, *datasets.OUTCOME_COLUMNS]
    assert (inspections["inspection_start"] == ilacs["inspection_start"]).all()
    assert (inspections["year"] == ilacs["inspection_start"].dt.year).all()
    new = ilacs["new_overall"].map(OFSTED_SPELLING)
    prev = ilacs["prev_overall"].map(OFSTED_SPELLING)
    assert inspections["new_rating"].tolist() == new.tolist()
    assert inspections["prev_rating"].tolist() == [None if pd.isna(p) else p for p in prev]
    # prev_rating is the file's record and previous_rating the builder's, read from the
    # judgements file: they must agree, and both be None for the two new councils
    assert inspections["previous_rating"].tolist() == inspections["prev_rating"].tolist()
    assert (inspections["previous_rating"] == inspections["prev_rating"]).sum() == 134
    assert (
        inspections["below_good"].tolist()
        == new.isin(["requires_improvement", "inadequate"]).tolist()
    )
    assert inspections["inadequate"].tolist() == (new == "inadequate").tolist()
    assert int(inspections["inadequate"].sum()) == 19
    change = ilacs["change"].map({"declined": True, "improved": False, "same": False})
    assert inspections["declined"].tolist() == [None if pd.isna(c) else c for c in change]
    # Dorset and BCP were new councils with no earlier inspection
    no_prev = inspections[inspections["prev_rating"].isna()]
    assert sorted(no_prev["la_code"]) == ["E06000058", "E06000059"]


def test_inspection_profile_shares_inputs_with_that_years_profile(
    inspections: pd.DataFrame, all_years: pd.DataFrame
) -> None:
    # the census and demand of an inspection in year Y are those of the 1 January Y profile
    keyed = all_years.set_index(["la_code", "year"])
    fields = [f for f in ILACS_COLUMNS if f != "early_help_spend_change_pct"]
    same = keyed.loc[list(zip(inspections["la_code"], inspections["year"], strict=True)), fields]
    pd.testing.assert_frame_equal(
        same.reset_index(drop=True), inspections[fields].reset_index(drop=True)
    )


# ----------------------------------------------------------------------------------------------
# How each measure is built, and gaps


def test_gaps_stay_missing_never_zero() -> None:
    # Brent's caseload of 30 September 2017 is suppressed ("x"); its agency rate is not
    brent = datasets.england_profiles(2018, councils=["Brent"]).iloc[0]
    assert math.isnan(brent["avg_caseload"])
    assert brent["agency_rate_pct"] == pytest.approx(34.0)
    # Sunderland's agency rate of 30 September 2023 is "low": small, but not known to be zero
    sunderland = datasets.england_profiles(2024, councils=["Sunderland"]).iloc[0]
    assert math.isnan(sunderland["agency_rate_pct"])
    assert sunderland["avg_caseload"] == pytest.approx(16.1)
    # Kingston's census is only given jointly with Richmond's, and is not split or invented
    kingston = datasets.england_profiles(2020, councils=["Kingston upon Thames"]).iloc[0]
    assert math.isnan(kingston["avg_caseload"])
    # no council has a spend change before there are two years of spend
    early = datasets.england_profiles(2012)
    assert early["early_help_spend_change_pct"].isna().all()
    assert early["avg_caseload"].isna().all()  # the census starts in 2017


def test_measures_follow_the_documented_conventions() -> None:
    panel = datasets.england_panel().set_index(["la_code", "year"])
    code = "E06000001"  # Hartlepool

    def at(year: int, column: str) -> float:
        return float(panel.loc[(code, year), column])

    p2020 = datasets.england_profiles(2020, councils=[code]).iloc[0]
    assert p2020["avg_caseload"] == at(2019, "csww_caseload_fte")
    assert p2020["cin_rate_per_10k"] == at(2019, "cin_at31_rate_10k_calc")
    assert p2020["cla_rate_per_10k"] == at(2019, "cjw_cla_rate_10k")  # no DfE CLA rate before 2021
    dfe_change = (
        at(2019, "referrals_rate_10k_calc") / at(2016, "referrals_rate_10k_calc") - 1
    ) * 100
    assert p2020["demand_change_pct"] == pytest.approx(dfe_change)
    spend = (
        at(2019, "cjw_s251_prevent_per_child_gbp") / at(2011, "cjw_s251_prevent_per_child_gbp") - 1
    ) * 100
    assert p2020["early_help_spend_change_pct"] == pytest.approx(spend)

    p2023 = datasets.england_profiles(2023, councils=[code]).iloc[0]
    assert p2023["cla_rate_per_10k"] == at(2022, "cla_31mar_rate_10k")

    # before the DfE rates begin (2013) the change is taken wholly from the Webb compilation
    p2014 = datasets.england_profiles(2014, councils=[code]).iloc[0]
    webb = (at(2013, "cjw_referrals_rate_10k") / at(2010, "cjw_referrals_rate_10k") - 1) * 100
    assert p2014["demand_change_pct"] == pytest.approx(webb)

    # after the spend series ends (2022) the latest year is used
    late = datasets.profiles_at([code], [dt.date(2026, 1, 1)], provenance=True).iloc[0]
    assert late["spend_year"] == 2022
    spend_2022 = (
        at(2022, "cjw_s251_prevent_per_child_gbp") / at(2011, "cjw_s251_prevent_per_child_gbp") - 1
    ) * 100
    assert late["early_help_spend_change_pct"] == pytest.approx(spend_2022)


def test_former_county_codes_fill_a_reorganised_council() -> None:
    # North Yorkshire's census of 30 September 2019 is under the county code E10000023
    panel = datasets.england_panel().set_index(["la_code", "year"])
    assert ("E06000065", 2019) not in panel.index
    nyorks = datasets.england_profiles(2020, councils=["North Yorkshire"]).iloc[0]
    assert nyorks["la_code"] == "E06000065"
    assert nyorks["avg_caseload"] == panel.loc[("E10000023", 2019), "csww_caseload_fte"]
    assert nyorks["previous_rating"] == "outstanding"  # Ofsted files it under the new code
