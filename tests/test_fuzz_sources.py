"""Fuzzing the publishers' files and the local facts: hostile variants of real files, read.

Each test starts from a real file (a slice of a DfE statistics file or neighbour model from
data/raw, a small Ofsted outcomes workbook or Data to Insight overview holding rows of the real
ones, a local facts file of examples/local) and damages it as a careless copy or a hostile
sender would: cells changed to text, codes, non-numbers and huge values, headers renamed,
dropped or given twice, ragged and repeated rows, other encodings, cut-short bytes, workbook
attributes that repeat a row or cell millions of times, XML that declares entities.

Every outcome is a read, or the library's own error naming the file (and, where the problem has
a place, its line or sheet and row), never any other exception. A read is then checked against
a plain re-reading of the same bytes, so a damaged cell can never come out as a different
value: what the reader keeps is what the file says. Each input is counted in the fuzz total
("fuzz: N inputs") under its own name.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from fuzzcount import COUNTS, LONGEST_MESSAGE, fuzz
from helpers import ROOT
from hypothesis import given
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning.datasets.sources import read_source
from earlywarning.datasets.sources.d2i import COLUMNS as D2I_COLUMNS
from earlywarning.datasets.sources.dfe_neighbours import CLOSENESS
from earlywarning.datasets.sources.dfe_statistics import LAYOUTS
from earlywarning.datasets.sources.ofsted_outcomes import GRADES, HISTORY, SHEETS
from earlywarning.datasets.sources.types import MARKER_SPELLINGS
from earlywarning.local import read_local_facts

RAW = ROOT / "data" / "raw"
_folder = tempfile.TemporaryDirectory()
HERE = Path(_folder.name)
TODAY = dt.date(2026, 1, 1)

# A number as a publisher writes it: plain ASCII digits, nothing Python's float() also takes
PLAIN_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", re.ASCII)

# What a cell may be changed to: suppression codes in every spelling, numbers as people and
# programs write them, grades, codes and dates right and wrong, markup, control characters.
HOSTILE_CELL = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "x",
            "[c]",
            "Z",
            "low",
            "..",
            ":",
            "-",
            "nan",
            "NaN",
            "inf",
            "-Infinity",
            "1e999",
            "1e-400",
            "1_000",
            "\u0661\u0662",  # Arabic-Indic digits, which float() reads as 12
            "\uff11\uff12",  # full-width digits
            "0x10",
            "12 ",
            " 3.5",
            "1,234",
            "£5",
            "5%",
            "=1+1",
            "\x00",
            "\ufeff",
            '"',
            "é",
            "0",
            "-1",
            "N/A",
            "Good",
            "good",
            "Outstanding!",
            "requires improvement",
            "Requires Improvement to be good",
            "Inadequate",
            "E06000015",
            "E0600001",
            "E\u0660\u0660\u0660\u0660\u0660\u0660\u0661\u0665",
            "370",
            "37",
            "202425",
            "202426",
            "2025",
            "2025-02-30",
            "31/12/1899",
            "9999-12-31",
            "Very close",
            "VERY CLOSE",
            "Local authority",
            "y" * 40_000,
        ]
    ),
    st.text(max_size=12),
    st.floats().map(str),
    st.integers(-(10**20), 10**20).map(str),
)
# characters XML 1.0 cannot hold, which no spreadsheet program writes
_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"])


def check_refusal(exc: ew.InputFileError, path: Path, lines: int | None = None) -> None:
    """The library's refusal of ``path``: it names the file, a line the file has (if any), and
    quotes at most an excerpt of what it refused (a message may list what is known, such as the
    layouts of every source, but never echoes a whole hostile value)."""
    assert exc.file == str(path), exc
    assert len(str(exc)) <= len(str(path)) + 2 * LONGEST_MESSAGE, str(exc)[:3000]
    if lines is not None and exc.line is not None:
        assert 1 <= exc.line <= lines + 1, (exc.line, lines, exc)


# ---------------------------------------------------------------------------------------------
# CSV files: DfE's statistics and neighbour models, as slices of the real files


def _slice(name: str, rows: int) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``rows`` rows of a real file, with every local-authority row
    of a series a reader keeps among them."""
    table = list(csv.reader(io.StringIO((RAW / "dfe" / name).read_text(encoding="utf-8-sig"))))
    header, body = table[0], [r for r in table[1:] if any(c.strip() for c in r)]
    if "geographic_level" not in header:
        return header, body[:rows]
    # a few national and regional rows, then councils' rows, where the damage matters most
    level = header.index("geographic_level")
    councils = [r for r in body if r[level] == "Local authority"]
    return header, [r for r in body if r[level] != "Local authority"][:4] + councils[:rows]


_STATISTICS = {
    "dfe_workforce": "csww_indicators_2017_to_2025.csv",
    "dfe_children_in_need": "b1_children_in_need_2013_to_2025.csv",
    "dfe_referrals": "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "dfe_looked_after": "cla_number_and_rate_per_10k_children.csv",
    "dfe_protection_plans": "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "ons_population": "ons_mid-year_population_estimates_2012_to_2024.csv",
}
_NEIGHBOURS = {
    "dfe_neighbours_2021": "New_Statistical_Neighbour_Groupings_April_2021.csv",
    "dfe_neighbours_wide": "sn_model_2025_wide.csv",
}
SLICES = {name: _slice(file, 40) for name, file in {**_STATISTICS, **_NEIGHBOURS}.items()}


@st.composite
def damaged_tables(draw: st.DrawFn, name: str) -> tuple[str, bytes, str]:
    """A slice of a real CSV with one to four kinds of damage, and the damage done (for the
    message of a failure), as the bytes of a file."""
    header, rows = SLICES[name]
    header, rows = list(header), [list(r) for r in rows]
    done = []
    for _ in range(draw(st.integers(1, 4))):
        how = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "header", "ragged", "repeat", "blank", "drop column"]
            )
        )
        done.append(how)
        i = draw(st.integers(0, max(len(rows) - 1, 0)))
        j = draw(st.integers(0, len(header) - 1))
        if how == "cell" and name in LAYOUTS and draw(st.booleans()) and rows:
            # half the changed cells are measures, which the reader keeps as published
            measure = draw(st.sampled_from(sorted(LAYOUTS[name].measures)))
            j = header.index(measure) if measure in header else j
        if how == "cell" and rows:
            rows[i][j] = draw(HOSTILE_CELL)
        elif how == "header":
            header[j] = draw(
                st.sampled_from(
                    [header[j].upper(), header[j] + " ", "", header[(j + 1) % len(header)]]
                )
            )
        elif how == "ragged" and rows:
            rows[i] = rows[i][:-1] if draw(st.booleans()) else [*rows[i], "1"]
        elif how == "repeat" and rows:
            rows.insert(i, list(rows[i]))
        elif how == "blank":
            rows.insert(i, [""] * len(header))
        elif how == "drop column":
            header.pop(j)
            rows = [r[:j] + r[j + 1 :] for r in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    encoding = draw(ENCODINGS)
    content = out.getvalue().encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        content = content[: draw(st.integers(0, len(content)))]
        done.append("cut short")
    return ", ".join(done) + f" ({encoding})", content, name


def _reread(path: Path) -> tuple[list[str], list[list[str]]]:
    """The file read plainly, as a person would read it: a check on what the reader kept."""
    table = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    return [h.strip() for h in table[0]], [r for r in table[1:] if any(c.strip() for c in r)]


def check_statistics(table: Any, path: Path, name: str) -> None:
    """Every kept row is a local-authority row of the file, in order, its measures as written."""
    layout = LAYOUTS[name]
    header, rows = _reread(path)
    used = ["geographic_level", "new_la_code", *layout.measures, *(layout.keep or ())[:1]]
    assert all(header.count(c) == 1 for c in used), f"read a file giving a column twice: {header}"
    at = {c: header.index(c) for c in header}
    kept = [
        r
        for r in rows
        if r[at["geographic_level"]].strip() == "Local authority"
        and (layout.keep is None or r[at[layout.keep[0]]].strip() == layout.keep[1])
    ]
    assert len(kept) == len(table.frame)
    for row, (_, got) in zip(kept, table.frame.iterrows(), strict=True):
        assert got["la_code"] == row[at["new_la_code"]].strip()
        for column, target in layout.measures.items():
            value = got[target]
            assert value == row[at[column]].strip(), (column, value)
            assert value == "" or value in MARKER_SPELLINGS or PLAIN_NUMBER.fullmatch(value)


def check_neighbours(table: Any, path: Path) -> None:
    """Every council and neighbour is a DfE number of three digits, each closeness DfE's."""
    _, rows = _reread(path)
    assert len(table.frame) <= len(rows)
    words = {c.casefold() for c in CLOSENESS}
    for _, got in table.frame.iterrows():
        for k in range(1, 11):
            assert re.fullmatch(r"[0-9]{3}", got[f"sn{k}"]), got[f"sn{k}"]
            assert got[f"sn{k}_closeness"].casefold() in words
    assert table.frame["la_number"].is_unique


def read_damaged(damage: tuple[str, bytes, str], stem: str) -> tuple[Any, Path]:
    _, content, _ = damage  # the damage done is shown by hypothesis on a failure
    path = HERE / f"{stem}.csv"
    path.write_bytes(content)
    try:
        return read_source(path), path
    except ew.DataSourceError as exc:
        check_refusal(exc, path, content.count(b"\n") + 1)
        return None, path


@fuzz(60)
@given(st.sampled_from(sorted(_STATISTICS)).flatmap(damaged_tables))
def test_dfe_statistics_files_are_read_as_written_or_refused(damage):
    table, path = read_damaged(damage, "statistics")
    if table is not None and table.source.name in LAYOUTS:
        check_statistics(table, path, table.source.name)
    COUNTS["DfE statistics files"] += 1


@fuzz(40)
@given(st.sampled_from(sorted(_NEIGHBOURS)).flatmap(damaged_tables))
def test_dfe_neighbour_files_are_read_as_written_or_refused(damage):
    # DfE's files do not state their model's year inside: the name must
    table, path = read_damaged(damage, "sn_model_2025_neighbours")
    if table is not None and table.source.kind == "neighbours":
        check_neighbours(table, path)
    COUNTS["DfE neighbour files"] += 1


# ---------------------------------------------------------------------------------------------
# Workbooks: Ofsted's outcomes (ODS) and Data to Insight's overview (XLSX)

_HEADER = [
    "Web link",
    "Local authority area code",
    "Local authority name",
    "Ofsted region",
    "Inspection date",
    "Publication date",
    "Inspection type",
    *GRADES.values(),
]
# Judgements of the real workbook (Derbyshire, Derby, Kirklees), each as the history sheet holds
# them: code, name, start, publication, type, then the five grades.
_INSPECTIONS = [
    ["E10000007", "Derbyshire", "2019-07-08", "2019-08-09", "ILACS Standard Inspection",
     "Requires improvement to be good", "Requires improvement to be good", "Good",
     "Requires improvement to be good", "Requires improvement to be good"],
    ["E06000015", "Derby", "2023-01-16", "2023-03-03", "ILACS Standard Inspection",
     "Good", "Good", "Good", "Good", "Requires improvement to be good"],
    ["E08000034", "Kirklees", "2023-01-23", "2023-03-10", "ILACS Short Inspection",
     "Good", "Good", "Good", "Good", None],
]  # fmt: skip


# The choices of a cell and row, made once: a strategy built per cell costs more than the read
_ONE_IN_15 = st.integers(0, 14)
_COLUMN_COUNTS = st.sampled_from(["0", "-1", "abc", "2", "16384", "99999999", "\u0663"])
_ROW_COUNTS = st.sampled_from(["0", "abc", "2", "1048576", "99999999"])
_CELL_KINDS = st.sampled_from(["as is"] * 12 + ["text", "number", "date", "coded"])
_NUMBER_VALUES = st.sampled_from(["12", "3.5", "abc", "NaN", "inf", "1e999", "", "1_0"])
_DATE_VALUES = st.sampled_from(
    ["2020-01-31", "2020-13-45", "1899-12-30", "9999-12-31", "0000-01-01", "soon",
     "2020-01-31T10:00:00", ""]
)  # fmt: skip
_SPACE_COUNTS = st.sampled_from(["3", "0", "x", "40000", "1000000000"])


class Refused:
    """A cell or row written so that the reader must refuse it (its expected value)."""


REFUSED = Refused()


def ods_cell(draw: st.DrawFn, value: Any) -> tuple[str, list[Any]]:
    """One cell as OpenDocument XML, typed as LibreOffice types it, or damaged; and the values
    the reader should see in it (one per column it spans, or :data:`REFUSED`)."""
    repeat, span = "", 1
    if draw(_ONE_IN_15) == 0:
        count = draw(_COLUMN_COUNTS)
        repeat = f" table:number-columns-repeated={quoteattr(count)}"
        span = int(count) if count in ("2", "16384") else 0
    kind = draw(_CELL_KINDS)
    if kind == "text" or (kind == "as is" and value is not None):
        value = draw(HOSTILE_CELL) if kind == "text" else value
        text = _XML_TEXT.sub("", str(value))  # what XML can hold
        xml = (
            f'<table:table-cell{repeat} office:value-type="string"><text:p>{escape(text)}'
            "</text:p></table:table-cell>"
        )
        seen: Any = text if text else None
        seen = REFUSED if len(text) > 32_767 else seen
    elif kind == "number":
        number = draw(_NUMBER_VALUES)
        xml = (
            f'<table:table-cell{repeat} office:value-type="float" '
            f"office:value={quoteattr(number)}/>"
        )
        seen = float(number) if number in ("12", "3.5") else REFUSED
    elif kind == "date":
        day = draw(_DATE_VALUES)
        xml = (
            f'<table:table-cell{repeat} office:value-type="date" '
            f"office:date-value={quoteattr(day)}/>"
        )
        try:
            stamp = dt.datetime.fromisoformat(day)
            seen = stamp if "T" in day else stamp.date()
        except ValueError:
            seen = REFUSED
    elif kind == "coded":
        count = draw(_SPACE_COUNTS)
        xml = (
            f'<table:table-cell{repeat} office:value-type="string"><text:p>a'
            f"<text:s text:c={quoteattr(count)}/>b<text:tab/>c</text:p></table:table-cell>"
        )
        seen = "a   b\tc" if count == "3" else REFUSED
    else:
        xml, seen = f"<table:table-cell{repeat}/>", None
    if span == 0:
        return xml, [REFUSED]
    return xml, [seen] * span


def ods_row(draw: st.DrawFn, cells: list[Any]) -> tuple[str, int, list[Any]]:
    """One row as XML, how many rows it makes, and the values the reader should see."""
    repeat, span = "", 1
    if draw(_ONE_IN_15) == 0:
        count = draw(_ROW_COUNTS)
        repeat = f" table:number-rows-repeated={quoteattr(count)}"
        span = int(count) if count == "2" else 0
    body, seen = [], []
    for c in cells:
        xml, values = ods_cell(draw, c)
        body.append(xml)
        seen.extend(values)
    return f"<table:table-row{repeat}>{''.join(body)}</table:table-row>", span, seen


def _sheet_rows(sheet: str) -> tuple[list[str], list[list[Any]]]:
    """The header of one of the three sheets and its rows of the inspections above."""
    date, kind = SHEETS[sheet]["date"], SHEETS[sheet].get("type")
    header = [(date if h == "Inspection date" else h) for h in _HEADER]
    header = [h for h in header if h != "Inspection type"] + ([kind] if kind else [])
    rows = []
    for code, name, start, published, itype, *grades in _INSPECTIONS:
        row = [None, code, name, "East Midlands", start, published, *grades]
        rows.append(row + ([itype] if kind else []))
    return header, rows


@st.composite
def ofsted_workbooks(draw: st.DrawFn) -> tuple[bytes, dict[str, dict[int, list[Any]]], bool]:
    """An outcomes workbook of the inspections above on each of Ofsted's sheets, damaged; the
    values the reader should see in each sheet's rows by row number; and whether the workbook
    holds something the reader must refuse wherever it is."""
    tables, seen, refuse = [], {}, False
    for sheet in SHEETS:
        header, rows = _sheet_rows(sheet)
        rows = [list(r) for r in rows]
        for _ in range(draw(st.integers(0, 3))):
            how = draw(st.sampled_from(["cell", "cell", "header", "repeat", "grade"]))
            i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
            if how == "cell":
                rows[i][j] = draw(HOSTILE_CELL)
            elif how == "header":
                header = list(header)
                header[j] = draw(st.sampled_from(["", header[j].lower(), header[(j + 1) % 9]]))
            elif how == "repeat":
                rows.insert(i, list(rows[i]))
            else:  # the same inspection judged otherwise on this sheet
                rows[i][6] = draw(st.sampled_from(["Good", "Inadequate", "Outstanding"]))
        body, number, seen[sheet] = [], 0, {}
        for cells in [["Title of the sheet"], [None], header, *rows]:
            xml, span, values = ods_row(draw, cells)
            body.append(xml)
            refuse |= span == 0 or REFUSED in values
            for _ in range(max(span, 1)):
                number += 1
                seen[sheet][number] = values
        tables.append(f"<table:table table:name={quoteattr(sheet)}>{''.join(body)}</table:table>")
    prolog = draw(
        st.sampled_from(
            ["", "", "", '<!DOCTYPE d [<!ENTITY e "Good">]>', "<!DOCTYPE d [" + _LAUGHS + "]>"]
        )
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet>"
        "</office:body></office:document-content>"
    ).encode()
    if prolog:  # no workbook needs a document type, and entities can expand without bound
        content = content.replace(b"<text:p>Derby</text:p>", b"<text:p>&e;</text:p>")
        refuse = True
    if draw(st.integers(0, 9)) == 0:
        content, refuse = content[: draw(st.integers(0, len(content) - 1))], True
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    data = book.getvalue()
    if draw(st.integers(0, 19)) == 0:
        data, refuse = data[: draw(st.integers(0, len(data) - 1))], True  # a download cut short
    return data, seen, refuse


# a "billion laughs": five levels of ten, a few bytes that expand to 100,000 copies
_LAUGHS = '<!ENTITY a "lol">' + "".join(
    f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcd", "bcde", strict=True)
)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _day(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(str(value).strip(), form).date().isoformat()
        except ValueError:
            continue
    raise AssertionError(f"read {value!r} as a date")


@fuzz(40)
@given(ofsted_workbooks())
def test_ofsted_workbooks_are_read_as_written_or_refused(book):
    data, seen, refuse = book
    path = HERE / "LA_Inspection_Outcomes_fuzz.ods"
    path.write_bytes(data)
    try:
        table = read_source(path)
    except ew.DataSourceError as exc:
        check_refusal(exc, path)
    else:
        assert not refuse, "read a workbook holding a cell, row or entity it must refuse"
        # every judgement read is one written, on the sheet and row it names, as written
        for _, got in table.frame.iterrows():
            where = re.fullmatch(r"sheet '([^']+)', row (\d+)", got["where"])
            assert where is not None, got["where"]
            row = seen[where.group(1)][int(where.group(2))]
            assert [got["la_code"], got["la_name"]] == [_text(v) for v in row[1:3]]
            assert got["date"] == _day(row[4])
            assert [got[c] for c in GRADES] == [_text(v) for v in row[6:11]]
    COUNTS["Ofsted workbooks (ODS)"] += 1


# Data to Insight's overview: its header and rows as published, written as a small workbook
@functools.cache
def _overview() -> tuple[list[Any], list[list[Any]]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(RAW / "d2i" / "ofsted_csc_ilacs_overview_before_2025-04.xlsx")
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)][:6]


@st.composite
def overviews(draw: st.DrawFn, header: list[Any], rows: list[list[Any]]) -> list[list[Any]]:
    header, rows = list(header), [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["cell", "cell", "cell", "header", "repeat", "number"]))
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        if how == "cell":
            rows[i][j] = draw(HOSTILE_CELL)
        elif how == "header":
            header[j] = draw(st.sampled_from(["", str(header[j]).upper(), header[(j + 1) % 9]]))
        elif how == "repeat":
            rows.insert(i, list(rows[i]))
        else:
            rows[i][j] = draw(st.sampled_from([370.0, 370.5, -1, 1e300, dt.datetime(2020, 1, 31)]))
    return [header, *rows]


@fuzz(15)
@given(st.data())
def test_data_to_insight_overviews_are_read_as_written_or_refused(data):
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = _overview()
    table = data.draw(overviews(header, rows))
    book = openpyxl.Workbook()
    for row in table:  # openpyxl refuses what XML cannot hold; a spreadsheet would too
        book.active.append([_XML_TEXT.sub("", v) if isinstance(v, str) else v for v in row])
    planted = data.draw(st.integers(0, 4)) == 0 and "overall_effectiveness_grade" in table[0]
    if planted:  # a formula no program has calculated: it has no value to read
        book.active.cell(2, table[0].index("overall_effectiveness_grade") + 1, "=B2")
    path = HERE / "overview.xlsx"
    book.save(path)
    try:
        read = read_source(path)
    except ew.DataSourceError as exc:
        check_refusal(exc, path)
    else:
        assert not planted, "read a grade the file has no value for"
        at = {h: j for j, h in reversed(list(enumerate(table[0])))}
        for _, got in read.frame.iterrows():
            row = table[int(got["where"].removeprefix("row ")) - 1]
            assert re.fullmatch(r"[0-9]{3}", got["la_number"]), got["la_number"]
            for column, header in D2I_COLUMNS.items():
                written = _text(row[at[header]]) if at[header] < len(row) else ""
                assert got[column] in (written, ""), (column, got[column], written)
                assert got[column] == written or written in ("", "inspection_pre_dates_judgement")
    COUNTS["Data to Insight overviews (XLSX)"] += 1


# ---------------------------------------------------------------------------------------------
# Local facts: the examples' YAML and a CSV of the same kind

LOCAL_YAML = {
    p.name: p.read_text(encoding="utf-8") for p in (ROOT / "examples" / "local").glob("*.yaml")
}
LOCAL_CSV = (
    "council,fact,date,end,value,name,interim,source,note\n"
    "Derbyshire,directors,2011-08-01,,,Ian Thomas,no,report 000,\n"
    "Derbyshire,directors,2015-01-01,,,Ian Johnson,yes,,\n"
    "E10000007,directors,2016-02-01,,,Jane Parfrement,no,,\n"
    "Derbyshire,budget_gbp_m,2013-14,,110,,,budget book,as set in February 2013\n"
    "Derbyshire,budget_gbp_m,2016/17,,90,,,,\n"
    "Derbyshire,management_posts,2013-04-01,,120,,,,\n"
    "Derbyshire,management_posts,2016-04-01,,84,,,,\n"
    "Derbyshire,restructures,2014-01-01,2015-12-31,,,,,\n"
    "Derbyshire,reinvestment_gbp_m,2016-17,,2.2,,,,\n"
    "Derbyshire,avg_caseload,2016-03-31,,21,,,,\n"
)
_YAML_VALUE = re.compile(r"(?m)(^\s*(?:- )?[\w\"-]+: )(\S.*)$")
_YAML_KEY = re.compile(r"(?m)^(\s*(?:- )?)([\w\"-]+):")


@st.composite
def damaged_local_yaml(draw: st.DrawFn) -> str:
    text = LOCAL_YAML[draw(st.sampled_from(sorted(LOCAL_YAML)))]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["value", "value", "key", "line", "insert"]))
        values = list(_YAML_VALUE.finditer(text))
        keys = list(_YAML_KEY.finditer(text))
        if how == "value" and values:
            m = values[draw(st.integers(0, len(values) - 1))]
            new = draw(
                st.one_of(
                    HOSTILE_CELL.map(lambda v: '"' + v.replace("\\", "").replace('"', "") + '"'),
                    st.sampled_from(
                        ["2031-01-01", "1066-10-14", "2016-02-30", "017", "1:30", "0x1F", "-5",
                         "1e400", ".nan", "yes", "null", "[1, 2]", "{a: 1}", "*x", "&x 3",
                         "!!python/object:os.system ls", "2015-16", "'2015-16'", "~"]
                    ),
                )
            )  # fmt: skip
            text = text[: m.start(2)] + new + text[m.end(2) :]
        elif how == "key" and keys:
            m = keys[draw(st.integers(0, len(keys) - 1))]
            new = draw(st.sampled_from(["council", "start", "value", "Council", "dates", "x"]))
            text = text[: m.start(2)] + new + text[m.end(2) :]
        elif how == "line":
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i]) if draw(st.booleans()) else lines.pop(i)
            text = "".join(lines)
        else:
            text += draw(
                st.sampled_from(["\nfields: [" + "[" * 80 + "]" * 80 + "]\n", "\t\n", "\x00"])
            )
    return text


@fuzz(60)
@given(damaged_local_yaml(), ENCODINGS)
def test_local_facts_in_yaml_are_read_or_refused_with_their_lines(text, encoding):
    path = HERE / "facts.yaml"
    content = text.encode(encoding, errors="replace")
    path.write_bytes(content)
    _read_local(path, content)
    COUNTS["local facts files (YAML)"] += 1


@st.composite
def damaged_local_csv(draw: st.DrawFn) -> str:
    rows = list(csv.reader(io.StringIO(LOCAL_CSV)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["cell", "cell", "header", "ragged", "repeat"]))
        i, j = draw(st.integers(1, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1))
        if how == "cell":
            rows[i][j] = draw(HOSTILE_CELL)
        elif how == "header":
            rows[0][j] = draw(st.sampled_from(["", "Council", "dates", rows[0][(j + 1) % 9]]))
        elif how == "ragged":
            rows[i] = rows[i][:-1] if draw(st.booleans()) else [*rows[i], "x"]
        else:
            rows.insert(i, list(rows[i]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@fuzz(60)
@given(damaged_local_csv(), ENCODINGS)
def test_local_facts_in_csv_are_read_or_refused_with_their_lines(text, encoding):
    path = HERE / "facts.csv"
    content = text.encode(encoding, errors="replace")
    path.write_bytes(content)
    _read_local(path, content)
    COUNTS["local facts files (CSV)"] += 1


def _read_local(path: Path, content: bytes) -> None:
    lines = content.count(b"\n") + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ew.EarlyWarningWarning)  # notices, not failures
        try:
            facts = read_local_facts(path, today=TODAY)
        except ew.LocalFactsError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.file == str(path), problem
                assert problem.line is None or 1 <= problem.line <= lines + 1, problem
                assert len(str(problem)) <= len(str(path)) + LONGEST_MESSAGE, str(problem)[:3000]
            return
    for council in facts.councils:  # what was read derives a profile, or says why not
        for day in ("2016-06-30", "2025-12-31"):
            try:
                fields = facts.at(council.la_code, day)
            except ew.EarlyWarningError:
                continue
            for name, value in fields.items():
                ew.CouncilProfile.model_validate({"council": "x", "year": 2016, name: value})


# ---------------------------------------------------------------------------------------------
# Regressions: what the readers took before these tests, each kept as a plain test


def _statistics_with(column: str, value: str, extra_header: str = "") -> tuple[Path, int]:
    """The workforce slice with one council's ``column`` set to ``value``, and its line."""
    header, rows = SLICES["dfe_workforce"]
    rows = [list(r) for r in rows]
    line = next(i for i, r in enumerate(rows) if r[2] == "Local authority")
    rows[line][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [header + ([extra_header] if extra_header else []), *rows]
    )
    text = out.getvalue()
    if extra_header:  # every row one field longer, the header naming a column twice
        text = "\n".join(r + ",1" if i else r for i, r in enumerate(text.splitlines())) + "\n"
    path = HERE / "csww_regression.csv"
    path.write_text(text, encoding="utf-8")
    return path, line + 2


@pytest.mark.parametrize(
    "value",
    ["nan", "inf", "-Infinity", "1e999", "1_000", "\u0661\u0662", "\uff11\uff12", " 0x10"],
)
def test_a_number_python_reads_but_no_publisher_writes_is_refused(value: str) -> None:
    # float() takes each of these; the reader kept them, and the loader then read NaN, infinity
    # or 12 where the file holds no such number
    path, line = _statistics_with("caseload_fte", value)
    with pytest.raises(ew.DataSourceError, match="neither a number nor a suppression code") as err:
        read_source(path)
    assert err.value.line == line and "caseload_fte" in err.value.reason


def test_a_council_code_in_other_digits_is_refused() -> None:
    path, line = _statistics_with(
        "new_la_code", "E\u0660\u0660\u0660\u0660\u0660\u0660\u0661\u0665"
    )
    with pytest.raises(ew.DataSourceError, match="is not an ONS council code") as err:
        read_source(path)
    assert err.value.line == line


def test_a_cell_past_the_csv_modules_limit_is_refused_with_its_line() -> None:
    # the csv module raised its own error (field larger than field limit), a bare traceback
    path, line = _statistics_with("la_name", "y" * 200_000)
    with pytest.raises(ew.DataSourceError, match="cannot be read as CSV") as err:
        read_source(path)
    assert err.value.line == line and len(str(err.value)) < LONGEST_MESSAGE


def test_a_column_given_twice_is_refused_not_read_from_either() -> None:
    path, _ = _statistics_with("caseload_fte", "12", extra_header="caseload_fte")
    with pytest.raises(ew.DataSourceError, match="gives the column 'caseload_fte' twice") as err:
        read_source(path)
    assert err.value.line == 1


def _outcomes(cell: str, *, row: str = "<table:table-row>", prolog: str = "") -> Path:
    """A history sheet whose first inspection's name cell is ``cell`` (raw XML)."""
    header, rows = _sheet_rows(HISTORY)
    xml = []
    for n, cells in enumerate([header, *rows]):
        parts = [
            cell
            if (n, j) == (1, 2)
            else f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}'
            "</text:p></table:table-cell>"
            if v is not None
            else "<table:table-cell/>"
            for j, v in enumerate(cells)
        ]
        xml.append((row if n == 1 else "<table:table-row>") + "".join(parts) + "</table:table-row>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        f'<office:spreadsheet><table:table table:name="{HISTORY}">{"".join(xml)}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = HERE / "LA_Inspection_Outcomes_regression.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return path


_TEXT_CELL = (
    '<table:table-cell office:value-type="string"><text:p>Derbyshire</text:p></table:table-cell>'
)


@pytest.mark.parametrize(
    ("cell", "row", "said"),
    [
        # each raised ValueError from int(), float() or fromisoformat(): a bare traceback
        (_TEXT_CELL, '<table:table-row table:number-rows-repeated="abc">', "number-rows-repeated"),
        ('<table:table-cell office:value-type="float" office:value="abc"/>', "", "a number cell"),
        ('<table:table-cell office:value-type="float" office:value="NaN"/>', "", "a number cell"),
        (
            '<table:table-cell office:value-type="date" office:date-value="2020-13-45"/>',
            "",
            "a date",
        ),
        # each built millions of cells or a string of a gigabyte from a few bytes
        (_TEXT_CELL, '<table:table-row table:number-rows-repeated="1048576">', "rows"),
        (
            _TEXT_CELL.replace(
                "<table:table-cell", '<table:table-cell table:number-columns-repeated="99999999"'
            ),
            "",
            "number-columns-repeated",
        ),
        (_TEXT_CELL.replace("Derby", 'Derby<text:s text:c="1000000000"/>'), "", "'c' is|c is"),
    ],
)
def test_an_ofsted_workbook_that_would_crash_or_expand_is_refused_with_its_row(
    cell: str, row: str, said: str
) -> None:
    path = _outcomes(cell, row=row or "<table:table-row>")
    with pytest.raises(ew.DataSourceError, match=said) as err:
        read_source(path)
    assert (err.value.sheet, err.value.row) == (HISTORY, 2)


def test_an_ofsted_workbook_declaring_entities_is_refused() -> None:
    path = _outcomes(
        _TEXT_CELL.replace("Derbyshire", "&e;"), prolog="<!DOCTYPE d [" + _LAUGHS + "]>"
    )
    with pytest.raises(ew.DataSourceError, match="declares a document type or entities"):
        read_source(path)


_NAME_FORMULA = 'table:formula="of:=UPPER([.C3])"'


def test_an_ofsted_workbook_cell_left_as_a_formula_with_no_value_is_refused() -> None:
    # an OpenDocument formula cell with no value type (never calculated) read as an empty name
    path = _outcomes(f"<table:table-cell {_NAME_FORMULA}/>")
    with pytest.raises(ew.DataSourceError, match="holds a formula with no value saved") as err:
        read_source(path)
    assert (err.value.sheet, err.value.row) == (HISTORY, 2)


def test_an_ofsted_workbooks_calculated_formulas_are_read_as_their_values() -> None:
    from earlywarning.io.spreadsheet import read_workbook

    calculated = (
        f'<table:table-cell {_NAME_FORMULA} office:value-type="string">'
        "<text:p>Derbyshire</text:p></table:table-cell>"
    )
    sheet = read_workbook(_outcomes(calculated))[HISTORY]
    assert sheet.uncached == frozenset()
    assert dict(sheet.rows)[2][2] == "Derbyshire"
    # two uncalculated columns in one run: both are known, the row keeps them as empty cells
    repeated = f'<table:table-cell table:number-columns-repeated="2" {_NAME_FORMULA}/>'
    sheet = read_workbook(_outcomes(repeated))[HISTORY]
    assert sheet.uncached == {(2, 2), (2, 3)}
    assert dict(sheet.rows)[2][2:4] == (None, None)


def test_a_grade_left_as_a_formula_with_no_value_is_refused() -> None:
    # read with openpyxl's data_only, the formula's cell was an empty grade: a silent blank
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = _overview()
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    column = header.index("overall_effectiveness_grade") + 1
    book.active.cell(3, column, "=LOWER(B3)")
    path = HERE / "overview_formula.xlsx"
    book.save(path)
    with pytest.raises(
        ew.DataSourceError, match="overall_effectiveness_grade holds a formula"
    ) as err:
        read_source(path)
    assert err.value.row == 3
