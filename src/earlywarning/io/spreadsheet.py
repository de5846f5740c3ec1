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
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from earlywarning.errors import DataSourceError

__all__ = ["WORKBOOK_SUFFIXES", "Sheet", "read_workbook", "sheet_names"]

WORKBOOK_SUFFIXES: tuple[str, ...] = (".ods", ".xlsx", ".xlsm")
"""The workbook formats :func:`read_workbook` reads."""

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
        with zipfile.ZipFile(file) as book:
            names = set(book.namelist())
            if "content.xml" in names:
                return _ods(book, wanted, head)
            if "xl/workbook.xml" in names:
                return _xlsx(file, wanted, head)
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError) as exc:
        raise DataSourceError(file, f"cannot be read as a workbook: {exc}") from None
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


def _ods(
    book: zipfile.ZipFile, wanted: frozenset[str] | None, head: int | None
) -> dict[str, Sheet]:
    out: dict[str, Sheet] = {}
    with book.open("content.xml") as fh:
        name = ""
        rows: list[tuple[int, tuple[Any, ...]]] = []
        number = 0
        for event, element in ElementTree.iterparse(fh, events=("start", "end")):
            if event == "start":
                if element.tag == f"{_TABLE}table":
                    name, rows, number = element.get(f"{_TABLE}name", ""), [], 0
                continue
            if element.tag == f"{_TABLE}table-row":
                repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                keep = (wanted is None or name in wanted) and (head is None or len(rows) < head)
                cells = _ods_cells(element) if keep else ()
                for _ in range(repeat if cells else 0):
                    rows.append((number + 1, cells))
                    number += 1
                number += 0 if cells else repeat
                element.clear()
            elif element.tag == f"{_TABLE}table":
                if wanted is None or name in wanted:
                    out[name] = Sheet(name, tuple(rows))
                element.clear()
    return out


def _ods_cells(row: ElementTree.Element) -> tuple[Any, ...]:
    """A row's values; runs of empty cells are counted, not built, until a value follows."""
    cells: list[Any] = []
    empty = 0
    for cell in row:
        if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
            continue
        repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
        value = _ods_value(cell)
        if value is None:
            empty += repeat
            continue
        cells.extend([None] * empty)
        empty = 0
        cells.extend([value] * repeat)
    return tuple(cells)


def _ods_value(cell: ElementTree.Element) -> Any:
    kind = cell.get(f"{_OFFICE}value-type")
    if kind is None:
        return None
    if kind in ("float", "percentage", "currency"):
        return float(cell.get(f"{_OFFICE}value", "nan"))
    if kind == "boolean":
        return cell.get(f"{_OFFICE}boolean-value") == "true"
    if kind == "date":
        text = cell.get(f"{_OFFICE}date-value", "")
        stamp = dt.datetime.fromisoformat(text)
        return stamp.date() if len(text) <= 10 or stamp.time() == dt.time() else stamp
    text = "\n".join("".join(_paragraph(p)) for p in cell.iter(f"{_TEXT}p"))
    return text if text != "" else None


def _paragraph(element: ElementTree.Element) -> Iterator[str]:
    """The text of a paragraph, with OpenDocument's coded spaces, tabs and breaks spelt out."""
    if element.text:
        yield element.text
    for child in element:
        if child.tag == f"{_TEXT}s":
            yield " " * int(child.get(f"{_TEXT}c", "1"))
        elif child.tag == f"{_TEXT}tab":
            yield "\t"
        elif child.tag == f"{_TEXT}line-break":
            yield "\n"
        else:
            yield from _paragraph(child)
        if child.tail:
            yield child.tail


def _xlsx(file: Path, wanted: frozenset[str] | None, head: int | None) -> dict[str, Sheet]:
    from earlywarning.io.excel import load_openpyxl

    xl = load_openpyxl()
    try:
        book = xl.load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataSourceError(file, f"cannot be read as an Excel workbook: {exc}") from None
    try:
        out: dict[str, Sheet] = {}
        for name in book.sheetnames:
            if wanted is not None and name not in wanted:
                continue
            rows = []
            for number, raw in enumerate(
                book[name].iter_rows(min_row=1, values_only=True), start=1
            ):
                cells = list(raw)
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    rows.append((number, tuple(cells)))
                if head is not None and len(rows) >= head:
                    break
            out[name] = Sheet(name, tuple(rows))
        return out
    finally:
        book.close()
