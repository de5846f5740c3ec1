"""Workbooks as their publishers release them: OpenDocument (``.ods``) and Excel (``.xlsx``).

Ofsted publishes its official statistics as OpenDocument spreadsheets and Data to Insight its
overview as an Excel workbook. :func:`read_workbook` reads either into plain rows of cell values,
keeping each row's number as the spreadsheet shows it, so that a reader checking the layout can
name the sheet and row of a bad cell.

OpenDocument is read with the standard library alone (the file is a zip of XML): the general
readers parse every cell of every sheet into objects, which takes over a minute on Ofsted's
2 MB underlying-data workbook (40 MB of XML); streaming the XML and keeping only the sheets asked
for takes about a second. Excel needs openpyxl (the ``excel`` extra).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from earlywarning._names import excerpt
from earlywarning.errors import DataSourceError, InputFileError
from earlywarning.io.excel import (
    EXCEL_ROWS,
    MAX_SHEET_CELLS,
    check_workbook,
    formula_cells,
    load_openpyxl,
)

__all__ = [
    "MAX_CELL_TEXT",
    "MAX_COLUMNS",
    "WORKBOOK_SUFFIXES",
    "Sheet",
    "read_workbook",
    "sheet_names",
]

WORKBOOK_SUFFIXES: tuple[str, ...] = (".ods", ".xlsx", ".xlsm")
"""The workbook formats :func:`read_workbook` reads."""

MAX_COLUMNS = 16_384
"""The most columns a sheet has (Excel's and LibreOffice's limit): a row with values further
right is refused."""

MAX_CELL_TEXT = 32_767
"""The most characters one cell holds (Excel's limit): a longer OpenDocument cell is refused."""

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name and its rows that hold a value, each with its 1-based row number.

    Cells are ``None`` (empty), ``str``, ``float``, ``bool``, :class:`datetime.date` or
    :class:`datetime.datetime`; trailing empty cells are dropped.
    """

    name: str
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    uncached: frozenset[tuple[int, int]] = frozenset()
    """The (row, 0-based column) of each formula cell with no value saved in the file (a
    workbook written by a program and never calculated), read as empty: a reader refuses one it
    reads. (For an Excel workbook only a second reading of the file can tell them from empty
    cells; an OpenDocument cell says so itself.)"""


def read_workbook(
    path: str | Path, sheets: Collection[str] | None = None, *, head: int | None = None
) -> dict[str, Sheet]:
    """Every sheet of a workbook (or only those named in ``sheets``), in the workbook's order.

    ``head`` keeps only each sheet's first rows holding a value (enough to recognise a layout).

    Raises:
        DataSourceError: the file is missing, not a workbook, or damaged.

    Example:
        >>> import tempfile, pathlib
        >>> from earlywarning.io.spreadsheet import read_workbook
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "not.ods"
        >>> _ = f.write_text("a,b")
        >>> read_workbook(f)
        Traceback (most recent call last):
        ...
        earlywarning.errors.DataSourceError: ...not.ods: is not an OpenDocument or Excel workbook...
    """
    file = Path(path)
    if not file.is_file():
        raise DataSourceError(file, "no such file")
    if not zipfile.is_zipfile(file):
        raise DataSourceError(
            file, "is not an OpenDocument or Excel workbook (not a zip file); read it as CSV?"
        )
    wanted = None if sheets is None else frozenset(sheets)
    try:
        check_workbook(file)  # its size, its expansion, no document type or entities
    except InputFileError as exc:
        raise DataSourceError(file, exc.message) from None
    try:
        with zipfile.ZipFile(file) as book:
            names = set(book.namelist())
            if "content.xml" in names:
                return _ods(file, book, wanted, head)
            if "xl/workbook.xml" in names:
                return _xlsx(file, wanted, head)
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, EOFError) as exc:
        raise DataSourceError(file, f"cannot be read as a workbook: {_said(exc)}") from None
    raise DataSourceError(file, "is a zip file but neither an OpenDocument nor an Excel workbook")


_ODS_TABLE = re.compile(rb"<table:table [^>]*?table:name=\"([^\"]*)\"")


def sheet_names(path: str | Path) -> list[str]:
    """A workbook's sheet names, in order, without reading its cells.

    An OpenDocument workbook's names are found by scanning its XML for the tables' opening tags,
    which takes a small part of the time a parse does (the names are XML-escaped there; the
    publishers' names are plain).

    Raises:
        DataSourceError: the file is missing, not a workbook, or damaged.
    """
    file = Path(path)
    if not zipfile.is_zipfile(file):
        raise DataSourceError(file, "is not an OpenDocument or Excel workbook (not a zip file)")
    try:
        with zipfile.ZipFile(file) as book:
            if "content.xml" in book.namelist():
                found = _ODS_TABLE.findall(book.read("content.xml"))
                return [html.unescape(n.decode("utf-8")) for n in found]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataSourceError(file, f"cannot be read as a workbook: {exc}") from None
    return list(read_workbook(file, head=0))


class _Refused(Exception):
    """A cell or row the OpenDocument reader refuses; :func:`_ods` adds the file and place."""


def _ods(
    file: Path, book: zipfile.ZipFile, wanted: frozenset[str] | None, head: int | None
) -> dict[str, Sheet]:
    out: dict[str, Sheet] = {}
    with book.open("content.xml") as fh:
        sheet = _SheetRows("")
        for event, element in ElementTree.iterparse(fh, events=("start", "end")):
            if event == "start":
                if element.tag == f"{_TABLE}table":
                    sheet = _SheetRows(element.get(f"{_TABLE}name", ""))
                    if sheet.name in out:
                        raise DataSourceError(file, f"has two sheets named {excerpt(sheet.name)}")
                continue
            if element.tag == f"{_TABLE}table-row":
                read = wanted is None or sheet.name in wanted
                try:
                    sheet.add(element, read and (head is None or len(sheet.rows) < head))
                except _Refused as exc:
                    raise DataSourceError(
                        file, str(exc), sheet=sheet.name, row=sheet.number + 1
                    ) from None
                element.clear()
            elif element.tag == f"{_TABLE}table":
                if wanted is None or sheet.name in wanted:
                    out[sheet.name] = Sheet(
                        sheet.name, tuple(sheet.rows), frozenset(sheet.uncached)
                    )
                element.clear()
    return out


@dataclass
class _SheetRows:
    """The rows of the sheet being read, as :func:`_ods` walks its XML."""

    name: str
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    number: int = 0  # rows passed, empty ones included
    built: int = 0  # cells built, repeated rows counted as often as they repeat

    def add(self, row: ElementTree.Element, keep: bool) -> None:
        """The next row (its values only if ``keep``), or :class:`_Refused`."""
        repeat = _count(row, f"{_TABLE}number-rows-repeated")
        cells, formulas = _ods_cells(row) if keep else ((), ())
        self.built += len(cells) * repeat
        if cells and (self.number + repeat > EXCEL_ROWS or self.built > MAX_SHEET_CELLS):
            raise _Refused(
                f"holds values in more than the {EXCEL_ROWS:,} rows or "
                f"{MAX_SHEET_CELLS:,} cells read from a sheet"
            )
        for _ in range(repeat if cells else 0):
            self.number += 1
            self.rows.append((self.number, cells))
            self.uncached.update((self.number, j) for j in formulas)
        self.number += 0 if cells else repeat


def _count(element: ElementTree.Element, attribute: str, most: int = EXCEL_ROWS) -> int:
    """A repeat count: a whole number from 1 to ``most`` (a sheet's rows or columns)."""
    text = element.get(attribute, "1")
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        raise _Refused(
            f"{attribute.split('}')[-1]} is {excerpt(text)}, not a count from 1 to {most:,}"
        )
    return int(text)


def _ods_cells(row: ElementTree.Element) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    """A row's values, and the 0-based columns of its formulas with no value saved (a file
    written by a program and never calculated: read as empty, see :attr:`Sheet.uncached`).
    Runs of empty cells are counted, not built, until a value or such a formula follows."""
    cells: list[Any] = []
    formulas: list[int] = []
    empty = 0
    for cell in row:
        if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
            continue
        repeat = _count(cell, f"{_TABLE}number-columns-repeated", MAX_COLUMNS)
        value = _ods_value(cell, len(cells) + empty + 1)
        uncalculated = value is None and cell.get(f"{_TABLE}formula") is not None
        if value is None and not uncalculated:
            empty += repeat
            continue
        if len(cells) + empty + repeat > MAX_COLUMNS:
            raise _Refused(f"has values beyond column {MAX_COLUMNS:,}, the last a sheet has")
        cells.extend([None] * empty)
        empty = 0
        if uncalculated:
            formulas.extend(range(len(cells), len(cells) + repeat))
        cells.extend([value] * repeat)
    return tuple(cells), tuple(formulas)


def _ods_value(cell: ElementTree.Element, column: int) -> Any:
    kind = cell.get(f"{_OFFICE}value-type")
    if kind is None:
        return None
    if kind in ("float", "percentage", "currency"):
        text = cell.get(f"{_OFFICE}value", "")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not text.isascii():
            raise _Refused(f"column {column}: a number cell holds {excerpt(text)}, not a number")
        return value
    if kind == "boolean":
        return cell.get(f"{_OFFICE}boolean-value") == "true"
    if kind == "date":
        text = cell.get(f"{_OFFICE}date-value", "")
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError:
            raise _Refused(
                f"column {column}: a date cell holds {excerpt(text)}, not a date"
            ) from None
        return stamp.date() if len(text) <= 10 or stamp.time() == dt.time() else stamp
    budget = [MAX_CELL_TEXT]
    text = "\n".join("".join(_paragraph(p, budget, column)) for p in cell.iter(f"{_TEXT}p"))
    return text if text != "" else None


def _paragraph(element: ElementTree.Element, budget: list[int], column: int) -> Iterator[str]:
    """The text of a paragraph, with OpenDocument's coded spaces, tabs and breaks spelt out;
    ``budget`` holds the characters the cell may still take (a coded run of spaces would
    otherwise expand a few bytes into gigabytes)."""

    def spend(text: str) -> str:
        budget[0] -= len(text)
        if budget[0] < 0:
            raise _Refused(f"column {column}: a cell holds more than {MAX_CELL_TEXT:,} characters")
        return text

    if element.text:
        yield spend(element.text)
    for child in element:
        if child.tag == f"{_TEXT}s":
            yield spend(" " * _count(child, f"{_TEXT}c", MAX_CELL_TEXT))
        elif child.tag == f"{_TEXT}tab":
            yield spend("\t")
        elif child.tag == f"{_TEXT}line-break":
            yield spend("\n")
        else:
            yield from _paragraph(child, budget, column)
        if child.tail:
            yield spend(child.tail)


def _xlsx(file: Path, wanted: frozenset[str] | None, head: int | None) -> dict[str, Sheet]:
    xl = load_openpyxl()
    try:
        book = xl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parsers raise on a broken file
        raise DataSourceError(file, f"cannot be read as an Excel workbook: {_said(exc)}") from None
    try:
        out: dict[str, Sheet] = {}
        for name in book.sheetnames:
            if wanted is not None and name not in wanted:
                continue
            try:
                out[name] = _xlsx_sheet(file, name, book[name], head)
            except DataSourceError:
                raise
            except Exception as exc:  # a sheet that opened but breaks while its rows are read
                raise DataSourceError(
                    file, f"cannot be read as an Excel workbook: {_said(exc)}", sheet=name
                ) from None
        return out
    finally:
        book.close()


def _said(exc: BaseException) -> str:
    return excerpt(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[1:-1]


def _xlsx_sheet(file: Path, name: str, sheet: Any, head: int | None) -> Sheet:
    rows = []
    uncached: set[tuple[int, int]] = set()
    cells_read = 0
    formulas = formula_cells(file, name) if head is None else set()
    for number, raw in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        cells_read += max(len(raw), 1)
        if number > EXCEL_ROWS or cells_read > MAX_SHEET_CELLS:
            raise DataSourceError(
                file,
                f"holds more than the {EXCEL_ROWS:,} rows or {MAX_SHEET_CELLS:,} cells read "
                "from a sheet",
                sheet=name,
                row=number,
            )
        cells = list(raw)
        blank = {j for j, v in enumerate(cells) if v is None and _ref(number, j) in formulas}
        uncached |= {(number, j) for j in blank}
        while cells and cells[-1] is None and len(cells) - 1 not in blank:
            cells.pop()
        if cells:
            rows.append((number, tuple(cells)))
        if head is not None and len(rows) >= head:
            break
    return Sheet(name, tuple(rows), frozenset(uncached))


def _ref(row: int, column: int) -> str:
    """A cell's reference (A1) from its 1-based row and 0-based column."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"
