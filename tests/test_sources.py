"""One import path for every source: the publishers' layouts read and checked, the bundled data
rebuilt from the raw files, and a newer release imported over them (issue 16)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from helpers import BUNDLE_FILES, D2I_OVERVIEW, ROOT, run_cli, write_ods

import earlywarning as ew
from earlywarning import datasets
from earlywarning.datasets.importing import data_texts
from earlywarning.datasets.sources import SOURCES, read_source, recognise
from earlywarning.datasets.sources.ofsted_outcomes import GRADES
from earlywarning.errors import DataSourceError

BUNDLED = resources.files("earlywarning.datasets") / "data" / "england"
RAW = ROOT / "data" / "raw" / "dfe"


@pytest.fixture
def fresh_data() -> object:
    """Leave the data in use as the bundled data after a test that points elsewhere."""
    yield None
    datasets.use(None)


# ----------------------------------------------------------------------------------------------
# The bundled data are the raw files read by the import code


def test_the_bundled_data_are_rebuilt_from_the_raw_files_identically(raw_tables: list) -> None:
    built = data_texts(raw_tables)
    shipped = sorted(p.name for p in BUNDLED.iterdir() if p.name.endswith((".csv", ".json")))
    assert sorted(built) == shipped
    for name, text in built.items():
        assert (BUNDLED / name).read_text(encoding="utf-8") == text, name


def test_every_source_of_the_table_is_among_the_raw_files_but_data_to_insights(
    raw_tables: list,
) -> None:
    read = {t.source.name for t in raw_tables}
    assert read == {s.name for s in SOURCES} - {"d2i_overview"}
    assert recognise(D2I_OVERVIEW).name == "d2i_overview"
    assert len(BUNDLE_FILES) == len(raw_tables) == 13


def test_what_the_raw_files_hold(raw_tables: list) -> None:
    by_name = {t.source.name: t for t in raw_tables}
    workforce = by_name["dfe_workforce"]
    assert workforce.years == (2017, 2025) and workforce.councils == 161
    # every suppression code is counted, none read as a number
    assert workforce.suppressed == {"c": 4, "low": 6, "u": 9, "x": 23, "z": 10}
    outcomes = by_name["ofsted_outcomes"]
    assert outcomes.as_at == dt.date(2025, 3, 31) and outcomes.published == dt.date(2025, 9, 25)
    assert len(outcomes.frame) == 271
    assert by_name["ofsted_underlying"].as_at == dt.date(2023, 3, 31)
    assert by_name["dfe_neighbours_wide"].model == "2025"


def test_judgements_of_the_compiled_inspections_file_match_ofsteds(raw_tables: list) -> None:
    """The compiled inspections-with-inputs files (training and test periods) are carried, not
    rebuilt: their judgements are checked against the judgements read from Ofsted's workbook."""
    inspections = datasets.ilacs_inspections("all")
    assert len(inspections) == 136 + 135
    j = datasets.ofsted_judgements().set_index(["la_code", "date"])
    spelling = {"Outstanding": "outstanding", "Good": "good", "RI": "requires_improvement"}
    spelling["Inadequate"] = "inadequate"
    for row in inspections.itertuples():
        ofsted = j.loc[(row.la_code, row.inspection_start)]
        assert ofsted["rating"] == spelling[row.new_overall], row.la_name
        assert ofsted["leadership"] == spelling[row.new_leadership], row.la_name


# ----------------------------------------------------------------------------------------------
# Each reader refuses a malformed file with the file, the place and the reason


def _copy(tmp_path: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    text = (RAW / name).read_text(encoding="utf-8-sig").replace(old, new, count)
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    return out


def test_a_dfe_file_without_a_column_names_it() -> None:
    name = "csww_indicators_2017_to_2025.csv"
    with pytest.raises(DataSourceError) as err:
        ew.datasets.sources.dfe_statistics.read_statistics(RAW / name, "dfe_referrals")
    assert err.value.line == 1 and "'referral_count'" in err.value.reason


def test_a_dfe_cell_that_is_neither_a_number_nor_a_code_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    file = _copy(tmp_path, "csww_indicators_2017_to_2025.csv", ",16.2,", ",16.2 cases,")
    line = next(
        i for i, text in enumerate(file.read_text().splitlines(), 1) if "16.2 cases" in text
    )
    with pytest.raises(DataSourceError) as err:
        read_source(file)
    assert err.value.file == str(file) and err.value.line == line
    assert "neither a number nor a suppression code" in str(err.value)


def test_a_ragged_row_a_bad_code_and_a_repeated_council_are_refused(tmp_path: Path) -> None:
    name = "b1_children_in_need_2013_to_2025.csv"
    ragged = _copy(tmp_path, name, "Children in Need,", "Children in Need,,")
    with pytest.raises(DataSourceError, match=r":2: row has 20 fields, the header 19"):
        read_source(ragged)
    bad = _copy(tmp_path, name, ",E06000047,", ",Durham,")
    with pytest.raises(DataSourceError, match="new_la_code 'Durham' is not an ONS council code"):
        read_source(bad)
    lines = (RAW / name).read_text(encoding="utf-8").splitlines()
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("\n".join([*lines, lines[-1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match=f"a second row .* on line {len(lines)}"):
        read_source(doubled)


def test_a_file_in_no_known_layout_lists_the_layouts_known(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("council,year,caseload\nDerby,2025,17\n", encoding="utf-8")
    with pytest.raises(DataSourceError) as err:
        recognise(mine)
    assert err.value.line == 1
    for source in SOURCES:
        assert source.name in err.value.reason


def test_a_neighbour_file_must_say_its_models_year_in_its_name(tmp_path: Path) -> None:
    renamed = shutil.copy(RAW / "sn_model_2025_wide.csv", tmp_path / "sn_model_wide.csv")
    with pytest.raises(DataSourceError, match="must give the year of the neighbour model"):
        read_source(renamed)
    wrong = _copy(tmp_path, "sn_model_2025_wide.csv", "Very close", "Quite near")
    with pytest.raises(DataSourceError, match="closeness 'Quite near' is not one of DfE's"):
        read_source(wrong)


def _history(rows: list[list[object]]) -> dict[str, list[list[object]]]:
    header = [
        "Web link",
        "Local authority area code",
        "Local authority name",
        "Local authority status",
        "Ofsted region",
        "Inspection date",
        "Publication date",
        "Inspection type",
        *GRADES.values(),
    ]
    title = ["ILACS inspection history"]
    return {"ILACS_inspection_history": [title, ["A note"], header, *rows]}


def _inspection(code: str, name: str, start: str, *grades: str | None) -> list[object]:
    return [
        None,
        code,
        name,
        "Current",
        "Region",
        start,
        None,
        "ILACS Standard Inspection",
        *grades,
    ]


def test_an_ofsted_workbook_cell_is_refused_with_its_sheet_and_row(tmp_path: Path) -> None:
    rows = [
        _inspection("E10000007", "Derbyshire", "2026-05-11", "Good", "Good", "Good", "Good", None),
        _inspection("E06000015", "Derby", "2026-06-01", "Good!", "Good", "Good", "Good", None),
    ]
    book = write_ods(tmp_path / "outcomes.ods", _history(rows))
    with pytest.raises(DataSourceError) as err:
        read_source(book)
    assert (err.value.sheet, err.value.row) == ("ILACS_inspection_history", 5)
    assert "'Good!', not an Ofsted grade" in err.value.reason
    rows[1][5] = "soon"
    with pytest.raises(DataSourceError, match="row 5: Inspection date is 'soon', not a date"):
        read_source(write_ods(tmp_path / "outcomes.ods", _history(rows)))


# ----------------------------------------------------------------------------------------------
# Data to Insight's overview, as published


def test_data_to_insights_overview_is_read_as_published(tmp_path: Path) -> None:
    table = read_source(D2I_OVERVIEW)
    frame = table.frame.set_index("la_name")
    # dd/mm/yyyy dates, lower-case grades, DfE numbers, and the care leavers' judgement
    # "inspection_pre_dates_judgement" as no judgement
    assert frame.loc["barnsley", ["la_number", "date", "overall"]].tolist() == [
        "370",
        "2023-09-11",
        "good",
    ]
    assert frame.loc["blackpool", "sub_care_leavers"] == ""
    assert "2 inspection(s) with no start date, dated by publication" in table.notes
    assert frame.loc["brighton and hove", "date_kind"].startswith("publication")
    # blank rows between councils are skipped, not read as councils
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(D2I_OVERVIEW)
    sheet = book.active
    sheet.insert_rows(5, 2)
    spaced = tmp_path / "overview.xlsx"
    book.save(spaced)
    again = read_source(spaced).frame
    kept = [c for c in table.frame.columns if c not in ("src", "where")]
    assert again[kept].equals(table.frame[kept])
    assert again["where"].iloc[-1] == "row 113"  # rows are named as the sheet numbers them


# ----------------------------------------------------------------------------------------------
# Importing a newer release over the data in use


def _newer_census(tmp_path: Path) -> Path:
    """The workforce census with a 2026 year: 2025's rows again, Derbyshire's vacancy 30.0."""
    name = "csww_indicators_2017_to_2025.csv"
    rows = list(csv.reader(io.StringIO((RAW / name).read_text(encoding="utf-8-sig"))))
    header = rows[0]
    at = {c: header.index(c) for c in ("time_period", "la_name", "vacancy_rate_fte")}
    added = []
    for row in rows[1:]:
        if row[at["time_period"]] == "2025":
            new = list(row)
            new[at["time_period"]] = "2026"
            if new[at["la_name"]] == "Derbyshire":
                new[at["vacancy_rate_fte"]] = "30.0"
            added.append(new)
    out = tmp_path / "csww_indicators_2017_to_2026.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *added, *rows[1:]])
    return out


def test_a_newer_census_imported_moves_every_command_on_a_year(
    tmp_path: Path, fresh_data: object
) -> None:
    report = datasets.import_data([_newer_census(tmp_path)], tmp_path / "data")
    text = report.text()
    assert "csww_indicators_2017_to_2026.csv: Children's social work workforce" in text
    assert "161 councils, 2017-2026 (census at 30 September)" in text
    assert "la_year_panel: 151 council-years added (2026: 151 councils)" in text
    assert "Changes against the bundled data:" in text
    datasets.use(tmp_path / "data")
    assert datasets.profile_years() == (2011, 2027)
    derbyshire = datasets.england_profiles(2027, ["Derbyshire"]).iloc[0]
    assert derbyshire["vacancy_rate_pct"] == 30.0
    status = datasets.data_status(dt.date(2027, 2, 1))
    assert status.location == str(tmp_path / "data")
    assert "csww_indicators_2017_to_2026.csv" in status.text()
    assert "newest 30 September 2026, 4 months old" in status.text()
    w = ew.watchlist(2027)
    assert len(w) == 153
    datasets.use(None)
    with pytest.raises(ew.EarlyWarningError, match="2027 is not a whole year from 2011 to 2026"):
        ew.watchlist(2027)


def test_the_environment_variable_points_every_command_at_a_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_data: object
) -> None:
    code, out = run_cli("data", "import", str(_newer_census(tmp_path)), "-o", str(tmp_path / "d"))
    assert code == 0 and "Wrote" in out
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path / "d"))
    code, out = run_cli("data", "status", "--today", "2027-01-01")
    assert code == 0 and f"Data in use: the data in {tmp_path / 'd'}" in out
    code, out = run_cli("watchlist", "--year", "2027", "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 154
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path / "nothing"))
    code, _ = run_cli("watchlist", "--year", "2026")
    assert code == 1


def test_an_import_only_checks_without_an_output_and_refuses_a_bad_file(tmp_path: Path) -> None:
    code, out = run_cli("data", "import", str(RAW / "sn_model_2025_wide.csv"))
    assert code == 0 and "Changes against the bundled data:\n  none" in out
    name = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    lines = (RAW / name).read_text(encoding="utf-8").splitlines()
    at = next(i for i, text in enumerate(lines) if ",Local authority," in text)
    cells = lines[at].split(",")
    cells[lines[0].split(",").index("rereferral_percent")] = "18.7%"
    lines[at] = ",".join(cells)
    bad = tmp_path / name
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _ = run_cli("data", "import", str(bad), "-o", str(tmp_path / "out"))
    assert code == 1 and not (tmp_path / "out").exists()


def test_another_publishers_judgements_add_but_never_overrule_ofsteds() -> None:
    overview = datasets.import_data([D2I_OVERVIEW])
    # the overview spells Ofsted's grades in lower case: the same judgements, not revisions.
    # New are its two inspections dated by publication and Wakefield's inspection of March 2025,
    # which Ofsted published after its release's cut-off of 30 June 2025
    assert not any("revised" in c for c in overview.changes)
    assert "ofsted_judgements: 3 judgements added (5 September 2022 to 24 March 2025)" in (
        overview.changes
    )
    # where it differs from Ofsted's own release, Ofsted's is kept and the difference said
    (conflict,) = [c for c in overview.changes if "not taken" in c]
    assert conflict.startswith("ofsted_judgements: not taken: St Helens 2023-07-10: Data to")
    assert "care leavers good (Ofsted: Outstanding)" in conflict


def test_a_revision_by_ofsted_replaces_the_judgement_and_is_reported(tmp_path: Path) -> None:
    rows = [_inspection("E10000028", "Staffordshire", "2023-11-06", *(["Good"] * 5))]
    book = write_ods(tmp_path / "LA_Inspection_Outcomes_revised.ods", _history(rows))
    report = datasets.import_data([book], tmp_path / "out")
    assert any(
        c.startswith("ofsted_judgements: revised: Staffordshire 2023-11-06")
        for c in (report.changes)
    )


# ----------------------------------------------------------------------------------------------
# The sources' own record, and what data status says


def test_data_status_says_each_sources_publication_years_and_age() -> None:
    status = datasets.data_status(dt.date(2026, 12, 1))
    text = status.text()
    assert text.startswith("Data in use: the bundled data.\nOfsted judgements as at 31 March 2025")
    assert (
        "file: LA_Inspection_Outcomes_as_at_31_March_2025.ods; published: 25 September 2025" in text
    )
    assert (
        "covers: 2017-2025 (census at 30 September); newest 30 September 2025, "
        "1 year 2 months old" in text
    )
    record = json.loads((BUNDLED / "sources.json").read_text(encoding="utf-8"))
    assert [e["source"] for e in record][:2] == ["dfe_workforce", "dfe_children_in_need"]
    assert {e["file"] for e in record} == {p.name for p in BUNDLE_FILES}


def test_every_spelling_of_a_suppression_code_is_read_as_missing_after_an_import(
    tmp_path: Path, fresh_data: object
) -> None:
    name = "csww_indicators_2017_to_2025.csv"
    lines = (RAW / name).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = next(i for i, text in enumerate(lines) if ",Derbyshire," in text and text[:4] == "2025")
    cells = lines[at].split(",")
    cells[header.index("vacancy_rate_fte")] = "[c]"
    cells[header.index("agency_rate_fte")] = "X"
    lines[at] = ",".join(cells)
    file = tmp_path / name
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = datasets.import_data([file], tmp_path / "data")
    assert "X 1" in report.text() and "[c] 1" in report.text()
    datasets.use(tmp_path / "data")
    panel = datasets.england_panel().set_index(["la_code", "year"])
    derbyshire = panel.loc[("E10000007", 2025)]
    assert pd.isna(derbyshire["csww_vacancy_rate_fte"]) and pd.isna(
        derbyshire["csww_agency_rate_fte"]
    )
    assert derbyshire["csww_caseload_fte"] == 17.1
