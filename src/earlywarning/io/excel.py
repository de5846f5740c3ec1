"""Excel workbooks through openpyxl (the ``excel`` extra): reading a sheet of profiles, and
writing results row by row (openpyxl's write-only mode keeps memory flat)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from earlywarning._optional import require
from earlywarning.errors import (
    EarlyWarningWarning,
    ExcelDependencyError,
    OutputFileError,
    ProfileFileError,
)
from earlywarning.io.output import CellGuard

__all__ = ["EXCEL_ROWS", "ExcelWriter", "load_openpyxl", "read_sheet"]

EXCEL_ROWS = 1_048_576
"""The most rows a worksheet holds, the header included."""


def load_openpyxl() -> Any:
    """The openpyxl module, or an error saying which extra installs it."""
    return require("openpyxl", ExcelDependencyError, "Excel files need", "excel")


def read_sheet(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[EarlyWarningWarning]]:
    """The profiles on one sheet (the first unless named): a header row, then one per profile."""
    xl = load_openpyxl()
    try:
        book = xl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ProfileFileError(path, f"cannot be read as an Excel workbook: {exc}") from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise ProfileFileError(path, f"has no sheet {sheet!r}; its sheets are {names}")
        name = sheet if sheet is not None else names[0]
        notices: list[EarlyWarningWarning] = []
        if sheet is None and len(names) > 1:
            notices.append(
                EarlyWarningWarning(
                    f"{path}: read the first sheet, {name!r}, of {len(names)} ({names}); "
                    "--sheet NAME reads another"
                )
            )
        rows = book[name].iter_rows(values_only=True)
        return _frame(path, name, rows), notices
    finally:
        book.close()


def _frame(path: Path, sheet: str, rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    header: list[str] | None = None
    records: list[list[Any]] = []
    for number, raw in enumerate(rows, start=1):
        cells = [None if isinstance(v, str) and not v.strip() else v for v in raw]
        if all(v is None for v in cells):
            continue
        if header is None:
            header = _header(path, sheet, cells, number)
            continue
        extra = [j for j, v in enumerate(cells[len(header) :], len(header)) if v is not None]
        if extra:
            raise ProfileFileError(
                path,
                f"sheet {sheet!r} row {number} has a value in column {extra[0] + 1}, beyond "
                f"the {len(header)} headed columns",
                line=number,
            )
        records.append(list(cells[: len(header)]) + [None] * (len(header) - len(cells)))
    if header is None:
        raise ProfileFileError(path, f"sheet {sheet!r} is empty")
    return pd.DataFrame(records, columns=header, dtype=object)


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
    """A workbook written row by row: one sheet of results and one stating the ruleset.

    Every cell passes ``guard`` (a :class:`~earlywarning.io.output.CellGuard`): no text becomes
    a live formula, control characters (which openpyxl refuses) are escaped, and a cell too
    long for Excel is refused rather than cut.
    """

    def __init__(self, stamp: dict[str, str]) -> None:
        self._book = load_openpyxl().Workbook(write_only=True)
        self._sheet = self._book.create_sheet("scores")
        self._stamp = stamp
        self._rows = 0
        self.guard = CellGuard(excel=True)

    def append(self, frame: pd.DataFrame, *, header: bool) -> None:
        """Add a frame's rows (and its column names first, if ``header``)."""
        if self._rows + len(frame) + int(header) > EXCEL_ROWS:
            raise OutputFileError(
                f"xlsx output: more than {EXCEL_ROWS - 1:,} rows, the most a sheet holds: "
                "write csv or json instead"
            )
        names = [str(c) for c in frame.columns]
        cells = frame.astype(object).where(frame.notna(), None)
        try:
            if header:
                self._sheet.append(self.guard.row_cells(names, names))
                self._rows += 1
            for row in cells.itertuples(index=False, name=None):
                self._sheet.append(self.guard.row_cells(row, names))
        except OutputFileError:
            self.discard()
            raise
        self._rows += len(frame)

    def discard(self) -> None:
        """Give up the workbook: finish and remove the sheet's temporary file (openpyxl keeps
        the rows there), so an abandoned workbook leaves nothing behind."""
        writer = getattr(self._sheet, "_writer", None)
        self._sheet.close()
        if writer is not None:
            writer.cleanup()

    def save(self, stream: IO[bytes]) -> None:
        """Write the ruleset sheet and the workbook."""
        info = self._book.create_sheet("ruleset")
        for key, value in self._stamp.items():
            info.append(self.guard.row_cells([key, value], ["key", "value"]))
        self._book.save(stream)
