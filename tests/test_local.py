"""Local facts: the file formats, every refusal with its file, line and value, the derivations
as of a day at the edges of each lookback, and the template."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning.local import (
    Appointment,
    CouncilFacts,
    Event,
    FieldValue,
    LocalFacts,
    PostCount,
    Provenance,
    YearAmount,
    local_template,
    read_local_facts,
)

TODAY = dt.date(2020, 1, 1)  # the day the files are read on: later dates are in the future
HERE = Provenance(file="test")


def write(tmp_path: Path, text: str, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def refusals(path: Path) -> list[tuple[int | None, object, str]]:
    """Each problem of a refused file as (line, value, message), the file checked too."""
    with pytest.raises(ew.LocalFactsError) as caught:
        read_local_facts(path, today=TODAY)
    assert all(p.file == str(path) for p in caught.value.problems)
    return [(p.line, p.value, p.message) for p in caught.value.problems]


def facts(**sections: object) -> LocalFacts:
    """Derbyshire's facts built directly, for the derivations."""
    council = CouncilFacts(council="Derbyshire", la_code="E10000007", provenance=HERE, **sections)
    return LocalFacts(councils=(council,))


def director(
    name: str, start: str, *, interim: bool = False, end: str | None = None
) -> Appointment:
    return Appointment(
        name=name,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end) if end else None,
        interim=interim,
        provenance=HERE,
    )


def budgets(**by_year: float) -> tuple[YearAmount, ...]:
    """Budgets by financial year: fy2015=95 is 2015-16."""
    return tuple(
        YearAmount(year=int(k[2:]), gbp_m=v, provenance=HERE) for k, v in sorted(by_year.items())
    )


# ----------------------------------------------------------------------------------------------
# Reading: YAML and CSV say the same


YAML = """
    council: Derbyshire
    directors:
      - {name: Ian Thomas, start: 2011-08-01, interim: no, source: report 000}
      - {name: Ian Johnson, start: 2015-01-01, interim: yes}
      - {name: Jane Parfrement, start: 2016-02-01, interim: no}
    budget_gbp_m:
      "2013-14": {value: 110, source: budget book, note: as set in February 2013}
      2016-17: 90
    management_posts:
      - {date: 2013-04-01, posts: 120}
      - {date: 2016-04-01, posts: 84}
    restructures:
      - {start: 2014-01-01, end: 2015-12-31}
    reinvestment_gbp_m: {2014-15: 0, 2015-16: 0, 2016-17: 2.2}
    fields:
      - {field: avg_caseload, value: 21, date: 2016-03-31}
"""

CSV = """
    council,fact,date,end,value,name,interim,source,note
    Derbyshire,directors,2011-08-01,,,Ian Thomas,no,report 000,
    Derbyshire,directors,2015-01-01,,,Ian Johnson,yes,,
    E10000007,directors,2016-02-01,,,Jane Parfrement,no,,
    Derbyshire,budget_gbp_m,2013-14,,110,,,budget book,as set in February 2013
    Derbyshire,budget_gbp_m,2016/17,,90,,,,
    Derbyshire,management_posts,2013-04-01,,120,,,,
    Derbyshire,management_posts,2016-04-01,,84,,,,
    Derbyshire,restructures,2014-01-01,2015-12-31,,,,,
    Derbyshire,reinvestment_gbp_m,2014-15,,0,,,,
    Derbyshire,reinvestment_gbp_m,2015-16,,0,,,,
    Derbyshire,reinvestment_gbp_m,2016-17,,2.2,,,,
    Derbyshire,avg_caseload,2016-03-31,,21,,,,
"""

EXPECTED_2016 = {
    "budget_baseline_gbp_m": 110.0,
    "budget_current_gbp_m": 90.0,
    "management_reduction_pct": pytest.approx(30.0),
    "dcs_changes": 2,
    "interim_dcs": False,
    "avg_caseload": 21.0,
    "restructure": True,
    "reinvestment_pct": pytest.approx(2.0),
}


def test_yaml_and_csv_files_of_the_same_facts_give_the_same_profile(tmp_path: Path) -> None:
    from_yaml = read_local_facts(write(tmp_path, YAML), today=TODAY)
    from_csv = read_local_facts(write(tmp_path, CSV, "facts.csv"), today=TODAY)
    for found in (from_yaml, from_csv):
        assert found.at("Derbyshire", "2016-06-30") == EXPECTED_2016
        # the council may be asked for by name or code, the day as a date or a datetime
        assert found.at("e10000007", dt.datetime(2016, 6, 30, 9)) == EXPECTED_2016
    budget = from_csv.derivations("Derbyshire", "2016-06-30")["budget_baseline_gbp_m"]
    assert budget.facts[0].source == "budget book" and budget.facts[0].line == 5
    assert budget.facts[0].note == "as set in February 2013"


def test_many_councils_in_one_yaml_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        councils:
          - council: Durham
            restructures: [{start: 2014-01-01}]
          - council: Kirklees
            practice_concerns: [{date: 2015-08-01}]
        """,
    )
    found = read_local_facts(path, today=TODAY)
    assert [c.la_code for c in found.councils] == ["E06000047", "E08000034"]
    assert found.at("Durham", "2016-01-31") == {"restructure": True}
    assert found.at("Kirklees", "2016-08-31") == {"practice_concerns_raised": True}
    assert found.at("Derbyshire", "2016-08-31") == {}  # a council without facts has none


def test_an_empty_section_is_no_facts_not_a_refusal(tmp_path: Path) -> None:
    path = write(tmp_path, "council: Derbyshire\ndirectors:\nbudget_gbp_m:\nfields: []\n")
    assert read_local_facts(path, today=TODAY).at("Derbyshire", "2016-01-01") == {}


# ----------------------------------------------------------------------------------------------
# Refusals: the file, the line and the value


def test_overlapping_tenures_are_refused_at_the_later_start(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Kirklees
        directors:
          - {name: Alison O'Sullivan, start: 2012-01-01, end: 2016-04-30, interim: no}
          - {name: Sarah Callaghan, start: 2016-03-01, interim: no}
        """,
    )
    [(line, value, message)] = refusals(path)
    assert (line, value) == (4, dt.date(2016, 3, 1))
    assert "overlaps Alison O'Sullivan's tenure, which ends on 2016-04-30 (line 3)" in message


def test_two_directors_starting_on_one_day_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Kirklees
        directors:
          - {name: A, start: 2015-01-01, interim: no}
          - {name: B, start: 2015-01-01, interim: yes}
        """,
    )
    [(line, _, message)] = refusals(path)
    assert line == 4 and "two directors cannot start on one day" in message


def test_dates_in_the_future_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Derbyshire
        directors:
          - {name: A, start: 2019-06-01, end: 2020-01-02, interim: no}
        budget_gbp_m: {2019-20: 90, 2020-21: 88}
        fields:
          - {field: avg_caseload, value: 19, date: 2020-01-01}
        """,
    )
    found = refusals(path)
    assert [(line, value) for line, value, _ in found] == [(3, dt.date(2020, 1, 2)), (4, "2020-21")]
    assert "is after today (2020-01-01)" in found[0][2]
    assert "has not begun (it starts on 1 April 2020)" in found[1][2]


def test_a_budget_in_pounds_or_in_another_unit_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Derbyshire
        budget_gbp_m:
          2013-14: 131000000
          2014-15: 95
          2015-16: 0.09
          2016-17: 90
        reinvestment_gbp_m: {2016-17: 120}
        """,
    )
    found = refusals(path)
    assert [(line, value) for line, value, _ in found] == [(3, 131000000), (5, 0.09), (7, 120)]
    assert "a figure in £ or £k? Give £m" in found[0][2]
    assert "under a tenth of the 2014-15 budget (95, line 4)" in found[1][2]
    assert "more than the whole 2016-17 budget (90, line 6)" in found[2][2]


def test_unknown_councils_keys_and_fields_are_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Derbyshre
        directors:
          - {nmae: A, start: 2011-08-01, interim: no}
        fields:
          - {field: agency_rate, value: 12, date: 2016-06-30}
          - {field: region, value: East Midlands, date: 2016-06-30}
        budget: {2015-16: 90}
        dcs_changes: 2
        """,
    )
    found = refusals(path)
    assert found[0] == (
        1,
        "Derbyshre",
        "is not a council in England's data (did you mean 'Derbyshire'?)",
    )
    assert found[1][:2] == (3, "nmae") and "did you mean 'name'?" in found[1][2]
    assert found[2][:2] == (3, None) and found[2][2] == "has no name: directors facts need one"
    assert found[3][:2] == (5, "agency_rate") and "did you mean 'agency_rate_pct'?" in found[3][2]
    assert found[4][:2] == (6, "region") and "comes from the national data" in found[4][2]
    assert found[5][:2] == (7, "budget") and "did you mean 'budget_gbp_m'?" in found[5][2]
    assert found[6][:2] == (8, "dcs_changes") and "give it under fields" in found[6][2]


def test_values_that_are_not_what_they_say_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Derbyshire
        directors:
          - {name: A, start: 30/06/2016, interim: no}
          - {name: B, start: 2016-07-01, end: 2016-06-30, interim: perhaps}
        budget_gbp_m: {2015: 90, 2016-18: 91}
        management_posts:
          - {date: 2016-01-01, posts: -3}
        fields:
          - {field: agency_rate_pct, value: "12%", date: 2016-06-30}
        """,
    )
    messages = {(line, str(value)): message for line, value, message in refusals(path)}
    assert messages[(3, "30/06/2016")].startswith("is not a date: write it as YYYY-MM-DD")
    assert messages[(4, "perhaps")] == "is not yes/no (true/false, 1/0)"
    assert messages[(5, "2015")].startswith("is not a financial year: write it as 2015-16")
    assert messages[(5, "2016-18")] == "is not a financial year: 18 does not follow 2016"
    assert messages[(7, "-3")] == "is below the minimum of 0"
    assert messages[(9, "12%")] == "is not a number"


def test_an_impossible_date_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "council: Derbyshire\ndirectors:\n  - {name: A, start: 2016-02-30, interim: no}\n"
    )
    [(line, value, message)] = refusals(path)
    assert (line, value) == (3, None) and "'2016-02-30' cannot be read as written" in message


def test_an_end_before_its_start_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Derbyshire
        directors:
          - {name: B, start: 2016-07-01, end: 2016-06-30, interim: no}
        restructures:
          - {start: 2015-01-01, end: 2014-12-31}
        """,
    )
    assert [(line, v) for line, v, _ in refusals(path)] == [
        (3, dt.date(2016, 6, 30)),
        (5, dt.date(2014, 12, 31)),
    ]


def test_a_fact_given_twice_or_both_directly_and_derived_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        councils:
          - council: Derbyshire
            directors: [{name: A, start: 2011-08-01, interim: no}]
            fields:
              - {field: dcs_changes, value: 2, date: 2016-06-30}
              - {field: avg_caseload, value: 20, date: 2016-06-30}
              - {field: avg_caseload, value: 21, date: 2016-06-30}
          - council: derbyshire
        """,
    )
    found = refusals(path)
    assert (
        found[0][:2] == (5, "dcs_changes") and "also derived from directors (line 3)" in found[0][2]
    )
    assert found[1][0] == 7 and "a second time (first at line 6)" in found[1][2]
    assert found[2][:2] == (8, "derbyshire") and "is given twice (first at line 2)" in found[2][2]


def test_csv_refusals_name_the_row_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council,fact,date,value,name,interim
        Derbyshire,directors,,,A,no
        Derbyshire,management_posts,2015-04-01,90,A,
        Derbyshire,budget_gbp_m,2015-16,90,,
        Derbyshire,budget_gbp_m,2015/16,91,,
        Derbyshire,restructure,2015-01-01,maybe,,
        Derbyshire,practice_concern,2015-08-01,,,
        Narnia,avg_caseload,2016-03-31,21,,
        """,
        "facts.csv",
    )
    found = refusals(path)
    assert found[0] == (2, None, "has no date: directors facts need one")
    assert found[1] == (
        3,
        None,
        "is not used by a management_posts fact: leave the name cell empty",
    )
    assert found[2][0] == 5 and "this year's budget a second time (first at line 4)" in found[2][2]
    assert found[3] == (6, "maybe", "is not yes/no (true/false, 1/0)")
    assert (
        found[4][:2] == (7, "practice_concern")
        and "did you mean 'practice_concerns'?" in found[4][2]
    )
    assert found[5][:2] == (8, "Narnia")


def test_csv_columns_are_checked_before_any_row(tmp_path: Path) -> None:
    path = write(tmp_path, "council,fact,dates,vaule\nDerbyshire,x,y,z\n", "facts.csv")
    found = refusals(path)
    assert [line for line, _, _ in found] == [1, 1, 1]
    assert "did you mean 'date'?" in found[0][2] and "did you mean 'value'?" in found[1][2]
    assert found[2][2] == "has no column date: every fact needs them"


def test_unreadable_files_are_refused_with_the_file(tmp_path: Path) -> None:
    for path, said in [
        (tmp_path / "none.yaml", "file not found"),
        (write(tmp_path, "council: [\n"), "not valid YAML"),
        (write(tmp_path, "x", "facts.txt"), "is not a local facts file"),
        (write(tmp_path, "council,fact,date\nA,b\n", "ragged.csv"), "row has 2 fields"),
    ]:
        [(_, _, message)] = refusals(path)
        assert said in message


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        council: Derbyshire
        directors:
          - {name: A, start: 2021-01-01, interim: no}
        budget_gbp_m: {2015-16: 9000}
        fields:
          - {field: nonsense, value: 1, date: 2016-01-01}
        """,
    )
    with pytest.raises(ew.LocalFactsError) as caught:
        read_local_facts(path, today=TODAY)
    assert len(caught.value.problems) == 3
    assert caught.value.line == 3 and caught.value.value == dt.date(2021, 1, 1)
    assert str(caught.value).startswith("3 problems in the local facts:\n  - ")
    assert isinstance(caught.value, ValueError)


# ----------------------------------------------------------------------------------------------
# Directors: the three-year window, interim, confirmations, an incomplete record

T = dt.date(2016, 6, 30)  # the window runs from 1 July 2013 to 30 June 2016


@pytest.mark.parametrize(
    ("start", "counted"),
    [
        ("2013-06-30", False),  # the day before the window opens
        ("2013-07-01", True),  # its first day
        ("2016-06-30", True),  # the day asked about
        ("2016-07-01", False),  # the day after: not yet known
    ],
)
def test_a_change_counts_only_inside_the_three_years_to_the_day(start: str, counted: bool) -> None:
    found = facts(directors=(director("A", "2010-01-01"), director("B", start)))
    assert found.at("Derbyshire", T)["dcs_changes"] == int(counted)


def test_interim_is_the_director_in_post_on_the_day() -> None:
    record = (
        director("A", "2010-01-01"),
        director("B", "2015-01-01", interim=True),
        director("C", "2016-06-30"),
    )
    found = facts(directors=record)
    assert found.at("Derbyshire", dt.date(2016, 6, 29))["interim_dcs"] is True
    assert found.at("Derbyshire", T)["interim_dcs"] is False
    assert found.at("Derbyshire", T)["dcs_changes"] == 2


def test_an_interim_made_permanent_is_one_change_not_two() -> None:
    record = (
        director("A", "2010-01-01"),
        director("B", "2014-01-01", interim=True),
        director("b", "2014-09-01"),
    )
    derived = facts(directors=record).derivations("Derbyshire", T)
    assert derived["dcs_changes"].value == 1 and derived["interim_dcs"].value is False


def test_a_record_that_starts_inside_the_window_gives_a_floor_or_nothing() -> None:
    found = facts(directors=(director("B", "2016-03-01"),))
    derived = found.derivations("Derbyshire", dt.date(2016, 8, 31))
    assert derived["dcs_changes"].value == 1
    assert derived["dcs_changes"].reason.startswith("at least 1 change of director")
    # eight months in, the same record shows no change since March, and cannot rule one out
    later = found.derivations("Derbyshire", dt.date(2016, 11, 30))
    assert later["dcs_changes"].value == 1
    earlier = facts(directors=(director("B", "2014-03-01"),)).derivations("Derbyshire", T)
    assert earlier["dcs_changes"].value == 1 and "at least" in earlier["dcs_changes"].reason
    blank = facts(
        directors=(director("B", "2016-01-01", end="2016-02-01"), director("C", "2016-05-01"))
    )
    assert blank.derivations("Derbyshire", dt.date(2016, 3, 1))["interim_dcs"].value is None


def test_a_gap_in_the_record_leaves_no_change_unknown_not_zero() -> None:
    record = (director("A", "2010-01-01", end="2014-01-31"), director("B", "2014-03-01"))
    derived = facts(directors=record).derivations("Derbyshire", T)
    assert derived["dcs_changes"].value == 1
    assert (
        "no director is recorded from 1 February 2014 to 28 February 2014"
        in derived["dcs_changes"].reason
    )
    quiet = facts(directors=(director("A", "2010-01-01", end="2015-01-31"),))
    assert quiet.at("Derbyshire", T) == {}


def test_before_the_record_starts_nothing_is_known() -> None:
    derived = facts(directors=(director("A", "2016-01-01"),)).derivations(
        "Derbyshire", "2015-12-31"
    )
    assert {f: d.value for f, d in derived.items()} == {"dcs_changes": None, "interim_dcs": None}
    assert "starts on 1 January 2016, after 31 December 2015" in derived["dcs_changes"].reason


# ----------------------------------------------------------------------------------------------
# Budgets and reinvestment: financial years


def test_the_current_budget_is_the_financial_year_the_day_falls_in() -> None:
    found = facts(budgets=budgets(fy2012=120, fy2013=110, fy2015=95, fy2016=90))
    # 31 March 2016 is in 2015-16; 1 April 2016 in 2016-17
    assert found.at("Derbyshire", "2016-03-31") == {
        "budget_baseline_gbp_m": 120.0,
        "budget_current_gbp_m": 95.0,
    }
    assert found.at("Derbyshire", "2016-04-01") == {
        "budget_baseline_gbp_m": 110.0,
        "budget_current_gbp_m": 90.0,
    }


def test_a_budget_year_without_a_figure_is_not_filled_from_its_neighbours() -> None:
    found = facts(budgets=budgets(fy2010=131, fy2016=90))
    derived = found.derivations("Derbyshire", T)
    assert derived["budget_baseline_gbp_m"].value is None
    assert "no budget is given for 2013-14" in derived["budget_baseline_gbp_m"].reason
    assert found.at("Derbyshire", T, lookback_years=6) == {
        "budget_baseline_gbp_m": 131.0,
        "budget_current_gbp_m": 90.0,
    }


def test_reinvestment_needs_every_year_of_the_lookback_and_the_baseline_budget() -> None:
    invested = (
        YearAmount(year=2014, gbp_m=1.0, provenance=HERE),
        YearAmount(year=2016, gbp_m=3.4, provenance=HERE),
    )
    found = facts(budgets=budgets(fy2013=110, fy2016=90), reinvestments=invested)
    derived = found.derivations("Derbyshire", T)["reinvestment_pct"]
    assert derived.value is None and "no investment figure for 2015-16" in derived.reason
    full = (*invested, YearAmount(year=2015, gbp_m=1.0, provenance=HERE))
    pct = facts(budgets=budgets(fy2013=110), reinvestments=full).at("Derbyshire", T)
    assert pct == {"reinvestment_pct": pytest.approx(5.4 / 110 * 100)}


# ----------------------------------------------------------------------------------------------
# Management posts, restructures, values given directly


def posts(*dated: tuple[str, float]) -> tuple[PostCount, ...]:
    return tuple(
        PostCount(date=dt.date.fromisoformat(d), posts=n, provenance=HERE) for d, n in dated
    )


def test_management_reduction_compares_counts_a_lookback_apart_each_within_a_year() -> None:
    found = facts(
        management_posts=posts(("2012-07-01", 130), ("2013-06-30", 120), ("2016-06-30", 90))
    )
    assert found.at("Derbyshire", T) == {"management_reduction_pct": pytest.approx(25.0)}
    # a day later the latest count is the same, and the baseline 120 still stands for 1 July 2013
    assert found.at("Derbyshire", "2016-07-01") == {"management_reduction_pct": pytest.approx(25.0)}
    # a year on, the last count is too old to stand for the day
    stale = found.derivations("Derbyshire", "2017-07-01")["management_reduction_pct"]
    assert stale.value is None and "in the year to 1 July 2017" in stale.reason


def test_a_management_count_that_more_than_doubles_is_refused_with_its_facts() -> None:
    found = facts(management_posts=posts(("2013-06-01", 40), ("2016-06-01", 100)))
    with pytest.raises(ew.LocalFactsError, match="below the minimum of -100"):
        found.at("Derbyshire", T)


@pytest.mark.parametrize(
    ("end", "expected"),
    [("2013-06-30", None), ("2013-07-01", True), (None, True)],
)
def test_a_restructure_counts_when_under_way_at_any_time_in_the_lookback(
    end: str | None, expected: bool | None
) -> None:
    event = Event(
        start=dt.date(2012, 1, 1), end=dt.date.fromisoformat(end) if end else None, provenance=HERE
    )
    assert facts(restructures=(event,)).at("Derbyshire", T).get("restructure") is expected


def test_no_restructure_is_false_only_where_every_one_is_listed() -> None:
    assert facts(restructures_listed_from=dt.date(2013, 7, 1)).at("Derbyshire", T) == {
        "restructure": False
    }
    later = facts(restructures_listed_from=dt.date(2013, 7, 2)).derivations("Derbyshire", T)
    assert (
        later["restructure"].value is None
        and "restructures_listed_from" in later["restructure"].reason
    )


def test_a_value_given_directly_holds_for_a_year() -> None:
    value = FieldValue(field="avg_caseload", value=21.0, date=dt.date(2016, 3, 31), provenance=HERE)
    found = facts(fields=(value,))
    assert found.at("Derbyshire", "2016-03-30") == {}
    assert found.at("Derbyshire", "2016-03-31") == {"avg_caseload": 21.0}
    assert found.at("Derbyshire", "2017-03-30") == {"avg_caseload": 21.0}
    assert found.at("Derbyshire", "2017-03-31") == {}


def test_bad_questions_are_refused() -> None:
    found = facts()
    with pytest.raises(ew.EarlyWarningError, match="not in the panel"):
        found.at("Narnia", T)
    with pytest.raises(ew.EarlyWarningError, match="is not a date"):
        found.at("Derbyshire", "30/06/2016")
    for lookback in (0, 2.5, True, 21):
        with pytest.raises(ew.EarlyWarningError, match="lookback_years"):
            found.at("Derbyshire", T, lookback_years=lookback)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# The template


def test_the_template_reads_back_and_shows_the_national_figures(tmp_path: Path) -> None:
    national = {
        "council": "Derbyshire",
        "agency_rate_pct": 4.3,
        "turnover_rate_pct": float("nan"),
        "demand_change_pct": -42.380216,
    }
    text = local_template("derbyshire", 2016, national)
    assert "#   agency_rate_pct: 4.3  (agency social workers, % of FTE)" in text
    assert "#   demand_change_pct: -42.38  (" in text  # to two decimals, enough to check by
    assert "turnover_rate_pct" not in text.split("# Missing")[0]  # NaN is not a figure
    for where in ("budget book", "section 251", "establishment lists", "democratic services"):
        assert where in text
    assert '#  "2012-13":' in text and '#  "2016-17":' not in text
    path = write(tmp_path, text, "derbyshire.yaml")
    assert read_local_facts(path, today=TODAY).at("Derbyshire", "2016-01-01") == {}
    with pytest.raises(ew.EarlyWarningError, match="Derbyshre"):
        local_template("Derbyshre", 2016)


# ----------------------------------------------------------------------------------------------
# The point in time: facts dated after the day change nothing

DAYS = st.dates(dt.date(2005, 1, 1), dt.date(2019, 12, 31))


@st.composite
def council_facts(
    draw: st.DrawFn, *, after: dt.date | None = None
) -> dict[str, tuple[object, ...]]:
    """Sections of valid facts; with ``after``, only facts dated after that day."""
    days = st.dates(after + dt.timedelta(days=1), dt.date(2024, 12, 31)) if after else DAYS
    starts = sorted(draw(st.sets(days, max_size=4)))
    record = []
    for i, start in enumerate(starts):
        following = starts[i + 1] if i + 1 < len(starts) else None
        gap = draw(st.integers(0, 40))
        end = following - dt.timedelta(days=1 + gap) if following and draw(st.booleans()) else None
        name = draw(st.sampled_from(["A", "B", "C"]))
        record.append(
            Appointment(
                name=name,
                start=start,
                end=end if end and end >= start else None,
                interim=draw(st.booleans()),
                provenance=HERE,
            )
        )
    first_year = (after.year if after.month >= 4 else after.year - 1) + 1 if after else 2004
    years = draw(st.sets(st.integers(first_year, 2024), max_size=5))
    events = [Event(start=d, end=None, provenance=HERE) for d in draw(st.sets(days, max_size=2))]
    counts = draw(st.dictionaries(days, st.integers(20, 40), max_size=4))
    values = draw(st.dictionaries(days, st.floats(5, 30), max_size=3))
    return {
        "directors": tuple(record),
        "budgets": tuple(
            YearAmount(year=y, gbp_m=draw(st.floats(60, 140)), provenance=HERE)
            for y in sorted(years)
        ),
        "reinvestments": tuple(
            YearAmount(year=y, gbp_m=draw(st.floats(0, 5)), provenance=HERE) for y in sorted(years)
        ),
        "management_posts": tuple(
            PostCount(date=d, posts=n, provenance=HERE) for d, n in sorted(counts.items())
        ),
        "restructures": tuple(events),
        "practice_concerns": tuple(events[:1]),
        "fields": tuple(
            FieldValue(field="avg_caseload", value=v, date=d, provenance=HERE)
            for d, v in sorted(values.items())
        ),
    }


def _joined(
    before: dict[str, tuple[object, ...]], later: dict[str, tuple[object, ...]], day: dt.date
) -> dict[str, tuple[object, ...]]:
    """``before`` with the facts of ``later``; the last appointment known by ``day`` keeps its
    tenure (an open one ends the day before a later appointment, as a file would say)."""
    joined = {k: (*before[k], *later[k]) for k in before}
    joined["directors"] = tuple(sorted(joined["directors"], key=lambda a: a.start))
    joined["budgets"] = tuple({b.year: b for b in joined["budgets"]}.values())
    joined["reinvestments"] = tuple({b.year: b for b in joined["reinvestments"]}.values())
    return joined


@settings(max_examples=examples(100), deadline=None)
@given(st.data(), DAYS, st.integers(1, 6))
def test_facts_dated_after_the_day_never_change_the_profile(
    data: st.DataObject, day: dt.date, lookback: int
) -> None:
    before = data.draw(council_facts())
    before = {k: tuple(x for x in v if _dated(x) <= day) for k, v in before.items()}
    later = data.draw(council_facts(after=max([day, *(_last_day(a) for a in before["directors"])])))
    then = facts(**before).at("Derbyshire", day, lookback)
    assert facts(**_joined(before, later, day)).at("Derbyshire", day, lookback) == then


def _dated(fact: object) -> dt.date:
    """The day a fact is dated: the day it starts, or the first day of its financial year."""
    if isinstance(fact, YearAmount):
        return dt.date(fact.year, 4, 1)
    return getattr(fact, "start", None) or fact.date  # type: ignore[attr-defined,no-any-return]


def _last_day(a: Appointment) -> dt.date:
    return a.end or a.start


def test_the_docs_page_lists_every_section_in_order() -> None:
    import re

    from earlywarning.local import SECTIONS

    page = (Path(__file__).resolve().parents[1] / "docs" / "local-facts.md").read_text("utf-8")
    assert re.findall(r"^\| `([a-z_]+)` \|", page, flags=re.MULTILINE) == list(SECTIONS)
