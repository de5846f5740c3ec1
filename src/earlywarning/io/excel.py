"""Excel workbooks through openpyxl (the ``excel`` extra): reading a sheet of profiles, and
writing results row by row (openpyxl's write-only mode keeps memory flat)."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from earlywarning._names import excerpt
from earlywarning._optional import require
from earlywarning.errors import (
    EarlyWarningWarning,
    ExcelDependencyError,
    OutputFileError,
    ProfileFileError,
)
from earlywarning.io.output import CellGuard

__all__ = [
    "EXCEL_ROWS",
    "MAX_EXPANSION",
    "MAX_SHEET_CELLS",
    "MAX_WORKBOOK_BYTES",
    "ExcelWriter",
    "check_workbook",
    "excel_value",
    "formula_cells",
    "load_openpyxl",
    "read_sheet",
]

EXCEL_ROWS = 1_048_576
"""The most rows a worksheet holds, the header included."""

MAX_SHEET_CELLS = 10_000_000
"""The most cells (rows times columns) read from one sheet, checked against the size the sheet
declares before it is read and counted while it is: ten times a large batch of profiles."""

MAX_WORKBOOK_BYTES = 1 << 30
"""The most bytes a workbook may unzip to (1 GiB)."""

MAX_EXPANSION = 100
"""The most times one part of a workbook may expand when unzipped (a sheet of data expands
five to twenty times; a sheet of a million empty rows, a thousand)."""

_RATIO_FLOOR = 1 << 20  # a part under 1 MiB unzipped costs nothing, whatever its ratio
_PROLOG_BYTES = 1 << 16
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def load_openpyxl() -> Any:
    """The openpyxl module, or an error saying which extra installs it."""
    return require("openpyxl", ExcelDependencyError, "Excel files need", "excel")


def read_sheet(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[EarlyWarningWarning]]:
    """The profiles on one sheet (the first unless named): a header row, then one per profile.

    The workbook is checked before openpyxl reads it (:func:`check_workbook`), the cells read
    are counted against :data:`MAX_SHEET_CELLS`, and a formula cell with no value saved with it
    (a workbook written by a program, never opened in Excel) is read as missing and noted.
    """
    xl = load_openpyxl()  # first: without openpyxl, say what to install, whatever the file
    check_workbook(path)
    try:
        book = xl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parsers raise on a broken file
        raise _unreadable(path, exc) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise ProfileFileError(path, f"has no sheet {sheet!r}; its sheets are {names}")
        if not names:
            raise ProfileFileError(path, "has no sheets")
        name = sheet if sheet is not None else names[0]
        notices: list[EarlyWarningWarning] = []
        if sheet is None and len(names) > 1:
            notices.append(
                EarlyWarningWarning(
                    f"{path}: read the first sheet, {name!r}, of {len(names)} ({names}); "
                    "--sheet NAME reads another"
                )
            )
        _check_dimension(path, name, book[name])
        try:
            formulas = formula_cells(path, name)
            frame, blanks = _frame(path, name, book[name].iter_rows(), formulas)
        except ProfileFileError:
            raise
        except Exception as exc:  # a sheet that opened but breaks while its rows are read
            raise _unreadable(path, exc) from None
        notices += _uncached_formulas(path, name, blanks)
        return frame, notices
    finally:
        book.close()


def _unreadable(path: Path, exc: BaseException) -> ProfileFileError:
    said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ProfileFileError(path, f"cannot be read as an Excel workbook: {excerpt(said)[1:-1]}")


def check_workbook(path: Path) -> None:
    """Refuse a workbook that would cost far more to read than its size suggests, before it is
    read: more than :data:`MAX_WORKBOOK_BYTES` once unzipped, a part that expands more than
    :data:`MAX_EXPANSION` times (a small file of hundreds of MB of empty rows), or XML that
    declares a document type or entities (which no workbook needs, and which can expand).

    Raises:
        ProfileFileError: naming the part and the figures.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            total = sum(p.file_size for p in parts)
            if total > MAX_WORKBOOK_BYTES:
                raise ProfileFileError(
                    path,
                    f"unzips to {total:,} bytes, more than the {MAX_WORKBOOK_BYTES:,} read "
                    "from a workbook: save the sheet as CSV UTF-8",
                )
            for part in parts:
                _check_part(path, archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise _unreadable(path, exc) from None


def _check_part(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    ratio = part.file_size / max(part.compress_size, 1)
    if part.file_size > _RATIO_FLOOR and ratio > MAX_EXPANSION:
        raise ProfileFileError(
            path,
            f"{part.filename} expands {ratio:,.0f} times ({part.compress_size:,} bytes to "
            f"{part.file_size:,}), more than the {MAX_EXPANSION} a workbook of data does: a "
            "sheet of mostly empty rows? save it as CSV UTF-8",
        )
    if part.filename.endswith((".xml", ".rels")):
        with archive.open(part) as fh:
            head = fh.read(_PROLOG_BYTES)
        start = _FIRST_ELEMENT.search(head)
        prolog = head[: start.start()] if start else head
        if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
            raise ProfileFileError(
                path,
                f"{part.filename} declares a document type or entities, which no workbook "
                "needs and which can expand without bound: refused",
            )


def _check_dimension(path: Path, name: str, sheet: Any) -> None:
    """The size the sheet declares, checked before its rows are read (they are counted too)."""
    rows, columns = getattr(sheet, "max_row", None), getattr(sheet, "max_column", None)
    if isinstance(rows, int) and isinstance(columns, int) and rows * columns > MAX_SHEET_CELLS:
        raise ProfileFileError(
            path,
            f"sheet {name!r} declares {rows:,} rows by {columns:,} columns, more than the "
            f"{MAX_SHEET_CELLS:,} cells read from a sheet: save it as CSV UTF-8",
        )


def _uncached_formulas(path: Path, sheet: str, cells: list[str]) -> list[EarlyWarningWarning]:
    if not cells:
        return []
    shown = ", ".join(cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
    noun = "cell holds a formula" if len(cells) == 1 else "cells hold formulas"
    return [
        EarlyWarningWarning(
            f"{path}: {len(cells)} {noun} with no value saved in the file (it was written by a "
            f"program, and never calculated in Excel), read as missing: sheet {sheet!r} "
            f"{shown}; open and save it in Excel to keep the values"
        )
    ]


def formula_cells(path: Path, sheet: str) -> set[str]:
    """The references of the sheet's formula cells, read without their values.

    Read with ``data_only``, openpyxl gives a formula cell its saved value, and a formula with
    none saved is an empty cell like any other; only this second reading tells them apart.
    """
    book = load_openpyxl().load_workbook(path, read_only=True, data_only=False)
    try:
        return {
            cell.coordinate
            for row in book[sheet].iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "f"
        }
    finally:
        book.close()


def _frame(
    path: Path, sheet: str, rows: Iterable[Sequence[Any]], formulas: set[str]
) -> tuple[pd.DataFrame, list[str]]:
    header: list[str] | None = None
    records: list[list[Any]] = []
    blanks: list[str] = []  # formula cells without a cached value, by their reference
    cells = 0
    for number, raw in enumerate(rows, start=1):
        cells += max(len(raw), 1)  # an empty row costs its reading too
        if number > EXCEL_ROWS:
            raise ProfileFileError(
                path,
                f"sheet {sheet!r} has more than the {EXCEL_ROWS:,} rows a sheet holds",
                line=number,
            )
        if cells > MAX_SHEET_CELLS:
            raise ProfileFileError(
                path,
                f"sheet {sheet!r} holds more than the {MAX_SHEET_CELLS:,} cells read from a "
                "sheet: save it as CSV UTF-8",
                line=number,
            )
        values = [_value(cell, formulas, blanks) for cell in raw]
        values = [None if isinstance(v, str) and not v.strip() else v for v in values]
        if all(v is None for v in values):
            continue
        if header is None:
            header = _header(path, sheet, values, number)
            continue
        extra = [j for j, v in enumerate(values[len(header) :], len(header)) if v is not None]
        if extra:
            raise ProfileFileError(
                path,
                f"sheet {sheet!r} row {number} has a value in column {extra[0] + 1}, beyond "
                f"the {len(header)} headed columns",
                line=number,
            )
        records.append(list(values[: len(header)]) + [None] * (len(header) - len(values)))
    if header is None:
        raise ProfileFileError(path, f"sheet {sheet!r} is empty")
    return pd.DataFrame(records, columns=header, dtype=object), blanks


def _value(cell: Any, formulas: set[str], blanks: list[str]) -> Any:
    """A cell's value; a formula cell with no saved value is None, and its reference noted."""
    value = cell.value
    if value is None and formulas and getattr(cell, "coordinate", None) in formulas:
        blanks.append(cell.coordinate)
    return value


def _header(path: Path, sheet: str, cells: list[Any], number: int) -> list[str]:
    while cells and cells[-1] is None:
        cells = cells[:-1]
    names = [str(v).strip() if v is not None else f"Unnamed: {j}" for j, v in enumerate(cells)]
    for j, name in enumerate(names):
        if name in names[:j]:
            raise ProfileFileError(
                path, f"sheet {sheet!r}: column {name!r} appears twice", line=number
            )
    return names


class ExcelWriter:
    """A workbook written row by row: sheets of results, and one stating the ruleset.

    Every sheet starts with a header row. Cells keep their kinds: numbers as numbers, dates as
    dates, true and false as booleans; a text cell that is a plain decimal number or an ISO date
    (as every cell read from a CSV file is text) is written as that number or date, except a
    number written with leading zeros (a code such as ``0123``). Every text cell passes
    ``guard`` (a :class:`~earlywarning.io.output.CellGuard`): no text becomes a live formula,
    control characters (which openpyxl refuses) are escaped, and a cell too long for Excel is
    refused rather than cut.
    """

    def __init__(self, stamp: dict[str, str]) -> None:
        self._book = load_openpyxl().Workbook(write_only=True)
        self._sheets: dict[str, Any] = {}
        self._rows: dict[str, int] = {}
        self._stamp = stamp
        self.guard = CellGuard(excel=True)

    def append(self, frame: pd.DataFrame, *, header: bool = True, sheet: str = "scores") -> None:
        """Add a frame's rows to ``sheet``, after its column names when the sheet is new.

        ``header`` is kept for callers that still pass it: a sheet's first rows always follow
        its header, and later rows never repeat it.
        """
        new = sheet not in self._sheets
        if new:
            self._sheets[sheet] = self._book.create_sheet(sheet)
            self._rows[sheet] = 0
        if self._rows[sheet] + len(frame) + int(new) > EXCEL_ROWS:
            raise OutputFileError(
                f"xlsx output: more than {EXCEL_ROWS - 1:,} rows, the most a sheet holds: "
                "write csv, json or parquet instead"
            )
        names = [str(c) for c in frame.columns]
        cells = frame.astype(object).where(frame.notna(), None)
        target = self._sheets[sheet]
        try:
            if new:
                target.append(self.guard.row_cells(names, names))
                self._rows[sheet] += 1
            for row in cells.itertuples(index=False, name=None):
                target.append([excel_value(v) for v in self.guard.row_cells(row, names)])
        except OutputFileError:
            self.discard()
            raise
        self._rows[sheet] += len(frame)

    def discard(self) -> None:
        """Give up the workbook: finish and remove the sheets' temporary files (openpyxl keeps
        the rows there), so an abandoned workbook leaves nothing behind."""
        for sheet in self._sheets.values():
            writer = getattr(sheet, "_writer", None)
            sheet.close()
            if writer is not None:
                writer.cleanup()

    def save(self, stream: IO[bytes]) -> None:
        """Write the ruleset sheet and the workbook."""
        if not self._sheets:
            self.append(pd.DataFrame(), sheet="scores")  # an empty result still has its sheet
        info = self._book.create_sheet("ruleset")
        info.append(["key", "value"])
        for key, value in self._stamp.items():
            info.append(self.guard.row_cells([key, value], ["key", "value"]))
        self._book.save(stream)


# A decimal number as text, without leading zeros (a code such as 0123 stays text) and with at
# most 15 significant digits, which a spreadsheet's number holds exactly.
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def excel_value(value: Any) -> Any:
    """A cell's value as a workbook holds it: its kind kept, or found in its text.

    Example:
        >>> [excel_value(v) for v in ("12.5", "0123", "2021-03-31", "x", True, 3)]
        [12.5, '0123', datetime.date(2021, 3, 31), 'x', True, 3]
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        return number if math.isfinite(number) else str(number)  # Excel holds no infinity
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.isoformat()  # Excel's dates have no time zone: keep it as text
        return value.date() if value == dt.datetime.combine(value.date(), dt.time()) else value
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value):
            return int(value) if value.lstrip("-").isdigit() else float(value)
        if _ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
    if isinstance(value, list | dict | tuple):
        return str(value)
    return value
