"""DfE's workforce census scores as it is downloaded (issue 16): its columns read as the fields
they are, its year convention, its suppression codes, the same in Python and on the command line."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

import earlywarning as ew
from earlywarning.profile import check_columns

CSWW = ROOT / "data" / "raw" / "dfe" / "csww_indicators_2017_to_2025.csv"


@pytest.fixture(scope="module")
def census() -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ew.io.read_profiles(CSWW)
    return frame, [str(w.message) for w in caught]


def test_dfes_columns_are_read_as_the_fields_they_are(census: tuple) -> None:
    frame, notes = census
    assert len(frame) == 1355  # the council rows; 108 national and regional totals left out
    derbyshire = frame[(frame["council"] == "Derbyshire") & (frame["year"] == "2026")].iloc[0]
    # the census of 30 September 2025 is the profile of 1 January 2026
    assert derbyshire["la_code"] == "E10000007"
    assert derbyshire["avg_caseload"] == "17.1"  # caseload_fte of the census of 2025
    said = " ".join(notes)
    assert "read as DfE's children's social work workforce census" in said
    assert "caseload_fte -> avg_caseload" in said and "year = time_period + 1" in said
    assert "108 national and regional rows are totals, not councils: left out" in said
    assert frame.attrs["suppressed"] == {
        "turnover_rate_pct": 10,
        "agency_rate_pct": 14,
        "vacancy_rate_pct": 2,
        "avg_caseload": 5,
        "absence_rate_pct": 19,
    }


def test_no_dfe_column_is_suggested_as_another_measure() -> None:
    # caseload_fte is spelt like caseload_target: suggesting it would lose the caseload rules
    columns = ["council", "year", "caseload_fte", "agency_rate_headcount", "turnover_rate_fte"]
    assert check_columns(columns) == columns[2:]
    with pytest.raises(ew.ColumnNameError, match="agency_rate_pct"):
        check_columns(["council", "year", "agency_rate"])  # a misspelling is still caught


def test_python_and_the_command_line_score_the_census_alike(census: tuple) -> None:
    frame, _ = census
    scored = ew.score_frame(frame)
    code, out = run_cli("score", str(CSWW), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(scored) == 1355
    assert [float(r["score"]) for r in rows] == scored["score"].tolist()
    assert [r["year"] for r in rows] == frame["year"].tolist()


def test_a_census_year_that_is_not_one_is_refused_with_its_value(tmp_path: Path) -> None:
    text = CSWW.read_text(encoding="utf-8").replace(
        "2025,Reporting year,Local", "2025/26,Reporting year,Local", 1
    )
    bad = tmp_path / "csww.csv"
    bad.write_text(text, encoding="utf-8")
    frame = ew.io.read_profiles(bad)
    result = ew.score_frame(frame)
    assert "2025/26" in str(result["error"].dropna().iloc[0])
