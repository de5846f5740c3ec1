"""Workbooks read with guards on their size, their expansion and their XML (issue 19, item 1).

On main a formula with no saved value read as missing without a word, malformed XML in a sheet
ended in a traceback, and a small file that unzips to hundreds of MB of empty rows took minutes.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pytest

import earlywarning as ew
from earlywarning.io import excel, read_profiles

openpyxl = pytest.importorskip("openpyxl")

SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def book(tmp_path: Path, rows: list[list[object]], name: str = "b.xlsx") -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def with_sheet(path: Path, sheet_xml: bytes) -> Path:
    """The workbook with its first sheet's XML replaced."""
    out = path.with_name("mangled.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, sheet_xml if item.filename == SHEET else src.read(item))
    return out


ROWS = [["council", "year", "agency_rate_pct"], ["Derby", 2020, 12.5]]


def test_a_formula_with_no_saved_value_is_read_as_missing_and_noted(tmp_path):
    f = book(tmp_path, [ROWS[0], ["Derby", 2020, "=10+2"], ["Leeds", 2020, 9]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_profiles(f)
    assert frame["agency_rate_pct"].tolist() == [None, 9]
    said = [str(w.message) for w in caught]
    assert any("1 cell holds a formula with no value saved" in s and "C2" in s for s in said)


def test_a_plain_workbook_reads_without_a_note(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_profiles(book(tmp_path, ROWS))["agency_rate_pct"].tolist() == [12.5]


@pytest.mark.parametrize(
    "xml",
    [
        HEAD + b"<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>council",
        HEAD + b"<sheetData><row r='1'><c r='A1' t='n'><v>notanumber</v></c></row></sheetData>"
        b"</worksheet>",
        b"\x00\x01 not xml at all",
    ],
)
def test_malformed_sheet_xml_is_refused_not_a_traceback(tmp_path, xml):
    f = with_sheet(book(tmp_path, ROWS), xml)
    with pytest.raises(ew.ProfileFileError, match="cannot be read as an Excel workbook"):
        read_profiles(f)


def test_xml_declaring_entities_is_refused_before_it_is_parsed(tmp_path):
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 9))
        + b"]>"
    )
    f = with_sheet(
        book(tmp_path, ROWS), laughs + HEAD[HEAD.index(b"<worksheet") :] + b"</worksheet>"
    )
    with pytest.raises(ew.ProfileFileError, match="declares a document type or entities"):
        read_profiles(f)


def test_a_small_file_of_millions_of_empty_rows_is_refused_at_once(tmp_path):
    xml = HEAD + b"<sheetData>" + b"<row/>" * 5_000_000 + b"</sheetData></worksheet>"
    f = with_sheet(book(tmp_path, ROWS), xml)
    assert f.stat().st_size < 200_000
    with pytest.raises(ew.ProfileFileError, match=r"expands [\d,]+ times"):
        read_profiles(f)


def test_a_sheet_declaring_more_cells_than_the_limit_is_refused_before_its_rows(tmp_path):
    xml = HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    f = with_sheet(book(tmp_path, ROWS), xml)
    with pytest.raises(ew.ProfileFileError, match="declares 1,048,576 rows by 16,384 columns"):
        read_profiles(f)


def test_cells_are_counted_while_they_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_SHEET_CELLS", 5)
    monkeypatch.setattr(excel, "_check_dimension", lambda *a: None)  # a sheet that lies
    f = book(tmp_path, [*ROWS, ["Leeds", 2021, 9]])
    with pytest.raises(ew.ProfileFileError, match="more than the 5 cells") as caught:
        read_profiles(f)
    assert caught.value.line == 2


def test_read_table_guards_any_table_and_names_what_it_holds(tmp_path):
    f = with_sheet(book(tmp_path, ROWS), HEAD + b"<sheetData>" + b"<row/>" * 5_000_000)
    with pytest.raises(ew.InputFileError) as caught:
        ew.io.read_table(f, what="judgements")
    assert type(caught.value) is ew.InputFileError and "expands" in caught.value.message


def test_read_table_reads_suppression_codes_as_missing_only_where_asked(tmp_path):
    f = tmp_path / "facts.csv"
    f.write_text("council,places,note\nDerby,c,x\nLeeds,12,c\n", encoding="utf-8")
    with pytest.warns(ew.SuppressedValuesWarning):
        frame = ew.io.read_table(f, coded=["places"])
    assert frame["places"].isna().tolist() == [True, False]
    assert frame["note"].tolist() == ["x", "c"] and frame.attrs["suppressed"] == {"places": 1}
