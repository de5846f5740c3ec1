"""Reading profile files as analysts have them: earlywarning.io."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

import earlywarning as ew
from earlywarning.io import (
    SUPPRESSION_CODES,
    file_format,
    is_suppression_code,
    iter_profiles,
    read_profiles,
)

# The shape of DfE's published children's social work workforce CSV (explore-education-statistics),
# with the measure columns renamed to profile fields and DfE's own identifier columns kept.
DFE_WORKFORCE = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_code,council,year,agency_rate_pct,vacancy_rate_pct,"
    "turnover_rate_pct,avg_caseload,absence_rate_pct\n"
    "2021,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,830,"
    "E10000007,Derbyshire,2021,12.4,14.0,15.2,17.9,3.1\n"
    "2021,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,831,"
    "E06000015,Derby,2021,c,x,15.0,low,z\n"
    "2021,Reporting year,Local authority,E92000001,England,E12000009,South West,908,"
    "E06000052,Cornwall,2021,27.1,[c],u,21.0,4.0\n"
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    f = tmp_path / name
    if isinstance(text, bytes):
        f.write_bytes(text)
    else:
        f.write_text(text, encoding="utf-8")
    return f


def read_quietly(path: Path, **kw: object) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ew.EarlyWarningWarning)
        return read_profiles(path, **kw)  # type: ignore[arg-type]


# suppression codes ---------------------------------------------------------------------------


def test_dfe_workforce_file_reads_suppressed_cells_as_missing_and_counts_them(tmp_path):
    f = write(tmp_path, "workforce.csv", DFE_WORKFORCE)
    with pytest.warns(ew.SuppressedValuesWarning, match="6 cells hold a suppression code") as got:
        frame = read_profiles(f)
    message = str(got[0].message)
    assert "agency_rate_pct 1" in message and "vacancy_rate_pct 2" in message
    assert frame.attrs["suppressed"] == {
        "agency_rate_pct": 1,
        "vacancy_rate_pct": 2,
        "turnover_rate_pct": 1,
        "avg_caseload": 1,
        "absence_rate_pct": 1,
    }
    assert frame["agency_rate_pct"].isna().tolist() == [False, True, False]
    # identifiers are kept exactly as written, as text
    assert list(frame["old_la_code"]) == ["830", "831", "908"]
    assert list(frame["region_name"]) == ["East Midlands", "East Midlands", "South West"]
    out = ew.score_frame(frame)
    assert out["error"].isna().all()
    derby = ew.score({"council": "Derby", "year": 2021, "turnover_rate_pct": 15.0})
    assert out.loc[1, "score"] == derby.score and out.loc[1, "coverage"] == derby.coverage


def test_suppressed_refuse_names_the_field_and_value(tmp_path):
    f = write(tmp_path, "workforce.csv", DFE_WORKFORCE)
    with pytest.raises(ew.ProfileError) as info:
        read_profiles(f, suppressed="refuse")
    assert info.value.field == "agency_rate_pct" and info.value.value == "c"
    assert "suppression code" in str(info.value) and "row 2" in str(info.value)


def test_anything_else_not_a_number_stays_an_error(tmp_path):
    f = write(tmp_path, "p.csv", "council,year,agency_rate_pct\nA,2020,n/a\nB,2020,x\n")
    out = ew.score_frame(read_quietly(f))
    assert out.loc[0, "error"] == "agency_rate_pct: 'n/a' is not a number"
    assert pd.isna(out.loc[1, "error"])


@pytest.mark.parametrize("code", SUPPRESSION_CODES)
def test_every_declared_code_in_every_casing(code):
    for form in (code, code.upper(), code.title(), f"[{code}]"):
        assert is_suppression_code(form), form


def test_numbers_and_names_are_not_codes():
    for value in ("-1", "0", "x1", "lowest", "", " ", 3, None):
        assert not is_suppression_code(value), value


def test_a_council_called_x_is_a_name_not_a_code(tmp_path):
    f = write(tmp_path, "p.csv", "council,year,la_code\nx,2020,c\n")
    frame = read_profiles(f)
    assert frame.loc[0, "council"] == "x" and frame.loc[0, "la_code"] == "c"
    assert frame.attrs["suppressed"] == {}


# encodings --------------------------------------------------------------------------------


def test_utf8_with_and_without_bom(tmp_path):
    text = "council,year,la_code\nSt Helens – Merseyside,2020,E08000013\n"
    plain = write(tmp_path, "a.csv", text.encode("utf-8"))
    bom = write(tmp_path, "b.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    for f in (plain, bom):
        frame = read_profiles(f)
        assert list(frame.columns) == ["council", "year", "la_code"]
        assert frame.loc[0, "council"] == "St Helens – Merseyside"


def test_cp1252_from_excel_is_read_and_said(tmp_path):
    text = "council,year,note\nCafé Town,2020,budget £3m – cut\n"
    f = write(tmp_path, "w.csv", text.encode("cp1252"))
    with pytest.warns(ew.FileEncodingWarning, match=r"Windows-1252 \(cp1252\)"):
        frame = read_profiles(f)
    assert frame.loc[0, "council"] == "Café Town"
    assert frame.loc[0, "note"] == "budget £3m – cut"


def test_bytes_in_no_encoding_that_fits_are_refused_with_line_and_byte(tmp_path):
    f = write(tmp_path, "bad.csv", b"council,year\nA,2020\nB\x81,2021\n")
    with pytest.raises(ew.ProfileFileError) as info:
        read_profiles(f)
    err = info.value
    assert (err.file, err.line, err.byte) == (str(f), 3, 21)  # 13 + 7 bytes, then "B"
    assert "0x81" in str(err) and "UTF-8" in str(err) and str(err).startswith(f"{f}:3:")


def test_utf16_with_its_mark_is_read(tmp_path):
    # Excel's "Unicode text" is UTF-16 with tabs between fields
    f = write(tmp_path, "u.tsv", "council\tyear\nA\t2020\n".encode("utf-16"))
    assert read_profiles(f).loc[0, "year"] == "2020"


# delimiters, ragged rows, headers ------------------------------------------------------------


def test_delimiter_detected_from_the_header_with_a_notice(tmp_path):
    f = write(tmp_path, "semi.csv", "council;year;agency_rate_pct\nA;2020;12,5\n")
    with pytest.warns(ew.EarlyWarningWarning, match="separated by semicolons"):
        frame = read_profiles(f)
    assert list(frame.columns) == ["council", "year", "agency_rate_pct"]


def test_tsv_by_suffix(tmp_path):
    f = write(tmp_path, "p.tsv", "council\tyear\tregion\nA, B and C\t2020\tNorth, East\n")
    frame = read_profiles(f)
    assert frame.loc[0, "council"] == "A, B and C" and frame.loc[0, "region"] == "North, East"


def test_first_data_row_with_one_field_too_many_is_refused(tmp_path):
    # pandas alone turns the first column into an index and shifts every value left
    f = write(tmp_path, "r.csv", "council,year,agency_rate_pct\nA,2020,12,9\nB,2020,13\n")
    with pytest.raises(ew.ProfileFileError) as info:
        read_profiles(f)
    assert info.value.line == 2 and "4 fields, the header 3" in str(info.value)


def test_short_row_is_refused_with_its_line(tmp_path):
    # pandas alone pads a short row with missing values
    f = write(tmp_path, "r.csv", "council,year,agency_rate_pct\nA,2020,12\n\nB,2020\n")
    with pytest.raises(ew.ProfileFileError) as info:
        read_profiles(f)
    assert info.value.line == 4 and "2 fields, the header 3" in str(info.value)


def test_quoted_values_may_hold_delimiters_and_line_breaks(tmp_path):
    f = write(tmp_path, "q.csv", 'council,year,note\n"Bristol, City of",2020,"two\nlines"\n')
    frame = read_profiles(f)
    assert frame.loc[0, "council"] == "Bristol, City of" and frame.loc[0, "note"] == "two\nlines"


def test_repeated_column_is_refused(tmp_path):
    f = write(tmp_path, "d.csv", "council,year,year\nA,2020,2021\n")
    with pytest.raises(ew.ProfileFileError, match="'year' appears twice"):
        read_profiles(f)


def test_header_only_gives_an_empty_frame(tmp_path):
    f = write(tmp_path, "h.csv", "council,year\n")
    frame = read_profiles(f)
    assert list(frame.columns) == ["council", "year"] and frame.empty
    assert ew.score_frame(frame).empty


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("empty.csv", lambda p: p.write_bytes(b""), "is empty"),
        ("blank.csv", lambda p: p.write_bytes(b"\n\n  \n"), "no header row"),
        ("folder.csv", lambda p: p.mkdir(), "is a directory"),
        ("missing.csv", lambda p: None, "no such file"),
        ("book.csv", lambda p: p.write_bytes(b"PK\x03\x04rest"), "name it .xlsx"),
        ("old.xls", lambda p: p.write_bytes(b"x"), "old-style Excel"),
        ("notes.docx", lambda p: p.write_bytes(b"x"), "cannot tell the format"),
        ("empty.yaml", lambda p: p.write_text("", encoding="utf-8"), "is empty"),
        ("list.yaml", lambda p: p.write_text("- 1\n", encoding="utf-8"), "expected a profile"),
        ("bad.json", lambda p: p.write_text('{"a": }', encoding="utf-8"), "not valid JSON"),
    ],
)
def test_unreadable_files_get_one_line_errors(tmp_path, name, make, message):
    f = tmp_path / name
    make(f)
    with pytest.raises(ew.ProfileFileError) as info:
        read_profiles(f)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, ew.EarlyWarningError)


def test_yaml_error_has_its_line(tmp_path):
    f = write(tmp_path, "p.yaml", "council: A\nyear: 2020\nagency_rate_pct: [unclosed\n")
    with pytest.raises(ew.ProfileFileError) as info:
        read_profiles(f)
    assert info.value.line == 4 or info.value.line == 3


# YAML, JSON, Excel -------------------------------------------------------------------------


def test_yaml_json_and_case_files(tmp_path):
    profile = {"council": "A", "year": 2020, "agency_rate_pct": 12, "region": "North"}
    for name, text in (
        ("p.yaml", yaml.safe_dump(profile)),
        ("p.json", json.dumps([profile, {"council": "B", "year": 2021}])),
        ("case.yaml", yaml.safe_dump({"id": "x", "profile": profile})),
    ):
        frame = read_profiles(write(tmp_path, name, text))
        assert frame.loc[0, "year"] == 2020 and frame.loc[0, "region"] == "North"
    assert pd.isna(frame.loc[0, "dcs_changes"]) if "dcs_changes" in frame else True


def test_non_text_keys_are_refused(tmp_path):
    f = write(tmp_path, "p.yaml", "council: A\nyear: 2020\n1: x\n")
    with pytest.raises(ew.ProfileFileError, match="the key 1 is not text"):
        read_profiles(f)


def test_xlsx_written_with_openpyxl(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "councils"
    sheet.append(["la_code", "council", "year", "agency_rate_pct", "vacancy_rate_pct"])
    sheet.append(["E10000007", "Derbyshire", 2016, 14.1, "x"])
    sheet.append([None, None, None, None, None])  # Excel leaves empty rows about
    sheet.append(["E06000015", "Derby", 2016, 30, 20])
    book.create_sheet("notes").append(["about these figures"])
    f = tmp_path / "councils.xlsx"
    book.save(f)
    with pytest.warns(ew.EarlyWarningWarning) as got:
        frame = read_profiles(f)
    assert any("first sheet, 'councils'" in str(w.message) for w in got)
    assert list(frame["council"]) == ["Derbyshire", "Derby"]
    assert frame.attrs["suppressed"] == {"vacancy_rate_pct": 1}
    out = ew.score_frame(frame)
    expect = ew.score({"council": "Derbyshire", "year": 2016, "agency_rate_pct": 14.1})
    assert out.loc[0, "score"] == expect.score
    assert read_profiles(f, sheet="notes").columns.tolist() == ["about these figures"]
    with pytest.raises(ew.ProfileFileError, match="no sheet 'nope'"):
        read_profiles(f, sheet="nope")


def test_xlsx_value_beyond_the_header_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["council", "year"])
    book.active.append(["A", 2020, "stray"])
    f = tmp_path / "r.xlsx"
    book.save(f)
    with pytest.raises(ew.ProfileFileError) as info:
        read_profiles(f)
    assert info.value.line == 2 and "column 3" in str(info.value)


def test_corrupt_xlsx_is_refused(tmp_path):
    pytest.importorskip("openpyxl")
    f = write(tmp_path, "broken.xlsx", b"PK\x03\x04 not really a workbook")
    with pytest.raises(ew.ProfileFileError, match="cannot be read as an Excel workbook"):
        read_profiles(f)


# plausibility ------------------------------------------------------------------------------


def test_percentages_given_as_fractions_are_warned_not_changed(tmp_path):
    f = write(
        tmp_path,
        "f.csv",
        "council,year,agency_rate_pct,vacancy_rate_pct,management_reduction_pct\n"
        "A,2020,0.141,12,0\nB,2020,0.27,0.5,0\n",
    )
    with pytest.warns(ew.ImplausibleValuesWarning) as got:
        frame = read_profiles(f)
    messages = [str(w.message) for w in got if issubclass(w.category, ew.ImplausibleValuesWarning)]
    assert len(messages) == 1
    assert "agency_rate_pct" in messages[0] and "fractions" in messages[0]
    assert list(frame["agency_rate_pct"]) == ["0.141", "0.27"]  # nothing changed


# streaming ---------------------------------------------------------------------------------


def test_iter_profiles_reads_in_chunks_and_counts_over_all_of_them(tmp_path):
    lines = ["council,year,agency_rate_pct"] + [
        f"C{i},2020,{'x' if i % 3 == 0 else i % 40}" for i in range(25)
    ]
    f = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    reader = iter_profiles(f, chunk_rows=10)
    assert reader.rows == 25
    chunks = list(reader)
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert reader.suppressed == {"agency_rate_pct": 9}
    whole = pd.concat(chunks)
    assert list(whole.index) == list(range(25))
    assert whole.equals(read_quietly(f))


def test_file_format_by_suffix():
    assert file_format("a.CSV") == "csv" and file_format("b.xlsx") == "xlsx"
    with pytest.raises(ew.ProfileFileError):
        file_format("c.parquet")


# score_frame and carried columns ------------------------------------------------------------


def test_score_frame_accepts_extra_columns_and_keeps_its_own():
    frame = pd.DataFrame(
        {
            "la_name": ["Derbyshire"],
            "council": ["Derbyshire"],
            "year": [2016],
            "dcs_changes": [2],
            "region_name": ["East Midlands"],
        }
    )
    out = ew.score_frame(frame)
    assert list(out.columns) == ["score", "band", "coverage", "reasons", "error", "red_flag"]
    expect = ew.score({"council": "Derbyshire", "year": 2016, "dcs_changes": 2})
    assert out.loc[0, "score"] == expect.score and out.join(frame).loc[0, "la_name"] == "Derbyshire"


def test_near_misses_are_refused_all_at_once_but_a_neighbour_of_a_present_field_is_carried():
    frame = pd.DataFrame(
        {"council": ["A"], "year": [2020], "agency_rate": [1], "dcs_change": [1], "Year ": [1]}
    )
    with pytest.raises(ew.ColumnNameError) as info:
        ew.score_frame(frame)
    assert info.value.suggestions == {"agency_rate": "agency_rate_pct", "dcs_change": "dcs_changes"}
    assert info.value.field == "agency_rate" and isinstance(info.value, ew.ProfileError)
    # DfE publishes agency_rate_fte beside the field it was renamed from: data, not a typo
    beside = pd.DataFrame(
        {"council": ["A"], "year": [2020], "agency_rate_pct": [12], "agency_rate_fte": [12]}
    )
    assert ew.score_frame(beside).loc[0, "error"] is None


def test_dates_from_a_spreadsheet_are_carried_into_json(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime

    from earlywarning.cli import main

    book = openpyxl.Workbook()
    book.active.append(["council", "year", "published"])
    book.active.append(["A", 2020, datetime.datetime(2021, 3, 31)])
    f = tmp_path / "d.xlsx"
    book.save(f)
    out = tmp_path / "d.json"
    assert main(["score", str(f), "--format", "json", "--output", str(out)]) == 0
    (record,) = json.loads(out.read_text(encoding="utf-8"))
    assert record["published"].startswith("2021-03-31")


def test_windows_line_endings_and_a_trailing_delimiter(tmp_path):
    f = write(tmp_path, "w.csv", b"council,year,agency_rate_pct,\r\nA,2020,12,\r\nB,2021,c,\r\n")
    frame = read_quietly(f)
    assert list(frame.columns) == ["council", "year", "agency_rate_pct", "Unnamed: 3"]
    assert list(frame["year"]) == ["2020", "2021"] and frame["Unnamed: 3"].isna().all()
    assert frame.attrs["suppressed"] == {"agency_rate_pct": 1}


def test_read_text_rows_gives_each_row_its_line_and_refuses_what_read_profiles_refuses(
    tmp_path: Path,
) -> None:
    from earlywarning.io import read_text_rows

    f = tmp_path / "facts.tsv"
    f.write_text('\ncouncil\tnote\nA\t"one\ntwo"\n\nB\t 3 \n', encoding="utf-8")
    table = read_text_rows(f)
    assert (table.header, table.header_line) == (["council", "note"], 2)
    assert table.rows == [(3, ["A", "one\ntwo"]), (6, ["B", " 3 "])]  # text, as written
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("council,note\nA,b,c\n", encoding="utf-8")
    with pytest.raises(ew.ProfileFileError, match="row has 3 fields") as caught:
        read_text_rows(ragged)
    assert caught.value.line == 2
    document = tmp_path / "x.yaml"
    document.write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(ew.ProfileFileError, match="not as a CSV or TSV table"):
        read_text_rows(document)
