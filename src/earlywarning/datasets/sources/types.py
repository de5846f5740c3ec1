"""What every source reader shares: the description of a source, what reading one gives, and the
small checks each reader makes on its cells.

A leaf of :mod:`earlywarning.datasets.sources`: the readers import it and never each other, so a
new publisher's layout is one new module and one entry in the table of sources.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from earlywarning._names import excerpt
from earlywarning.errors import DataSourceError, ProfileError
from earlywarning.io.spreadsheet import Sheet
from earlywarning.profile import check_value

__all__ = [
    "JUDGEMENT_COLUMNS",
    "MARKER_SPELLINGS",
    "MISSING_MARKERS",
    "Kind",
    "Source",
    "SourceTable",
    "Where",
    "check_cached",
    "clean_text",
    "column_positions",
    "cover_facts",
    "day",
    "find_header",
    "grade",
    "header_key",
    "number_or_marker",
    "read_text_table",
    "year_of",
]

Kind = Literal["panel", "neighbours", "judgements", "compiled"]
"""What a source feeds: the council-by-year panel, a neighbour model, the Ofsted judgements, or
one of the project's compiled files (series that exist only as compilations)."""

MISSING_MARKERS: tuple[str, ...] = ("x", "c", "z", "u", "k", "low", "..", ":")
"""Codes DfE and ONS publish in place of a number (suppressed, confidential, not applicable, low
reliability, fewer than five, rounds to zero, not available). They are kept as published in the
bundled files and read as missing; a reader counts them. The same list as
:data:`earlywarning.io.SUPPRESSION_CODES` without ``-``, which the judgements use as text."""

MARKER_SPELLINGS: tuple[str, ...] = tuple(
    sorted(
        {
            form
            for code in MISSING_MARKERS
            for case in (code, code.upper(), code.title())
            for form in (case, f"[{case}]")
        }
    )
)
"""Every spelling of :data:`MISSING_MARKERS` a publisher uses: any case, with or without the
square brackets of the GSS guidance (``[c]``). The readers accept exactly these, and the loaders
read exactly these as missing."""

JUDGEMENT_COLUMNS: tuple[str, ...] = (
    "la_code",
    "la_name",
    "framework",
    "inspection_type",
    "date",
    "date_kind",
    "overall",
    "sub_leadership",
    "sub_help_protection",
    "sub_cla",
    "sub_care_leavers",
    "src",
)
"""The columns of the bundled judgements file, one row per inspection."""


@dataclass(frozen=True)
class Source:
    """One publisher's layout: how to recognise a file of it, and how to read one.

    ``signature`` holds the column names (for a CSV) or sheet names (for a workbook) that only this
    layout has; ``dated`` says what a year of it means (as in "census at 30 September").
    """

    name: str
    title: str
    publisher: str
    kind: Kind
    signature: tuple[str, ...]
    workbook: bool
    read: Callable[[Path], SourceTable]
    dated: str = ""
    latest_day: tuple[int, int] | None = None  # (month, day) of a year's figures, for their age
    # each file of the layout is a table of its own (the inspections of one period of the frozen
    # split), not a newer release of one table: the record keeps an entry per file
    per_file: bool = False


@dataclass
class SourceTable:
    """A source file read and checked: its rows in the bundled data's form, and what was found.

    ``frame`` holds text as published (numbers keep their published digits, suppression codes
    stay codes); ``suppressed`` counts each code; ``published`` is the publication date when the
    file states one; ``as_at`` the date the data stand at, when the file states it.
    """

    source: Source
    file: Path
    frame: pd.DataFrame
    published: dt.date | None = None
    as_at: dt.date | None = None
    suppressed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    model: str = ""  # for a neighbour model: its year

    @property
    def years(self) -> tuple[int, int] | None:
        """The first and last year of the rows, where the rows have years."""
        if "year" in self.frame.columns and len(self.frame):
            years = self.frame["year"].astype(int)
            return int(years.min()), int(years.max())
        for column in ("date", "inspection_start"):
            if column in self.frame.columns and len(self.frame):
                dates = pd.to_datetime(self.frame[column])
                return int(dates.min().year), int(dates.max().year)
        return None

    @property
    def councils(self) -> int:
        """How many councils the rows cover (by code, else number, else name)."""
        for column in ("la_code", "la_number", "la_name"):
            if column in self.frame.columns:
                values = self.frame[column][self.frame[column] != ""]
                if len(values):
                    return int(values.nunique())
        return 0


@dataclass(frozen=True)
class Where:
    """A place in a source file, for messages: a CSV line, or a workbook sheet and row."""

    file: Path
    line: int | None = None
    sheet: str | None = None
    row: int | None = None

    def error(self, reason: str) -> DataSourceError:
        """The error refusing the file at this place."""
        return DataSourceError(self.file, reason, line=self.line, sheet=self.sheet, row=self.row)


def header_key(text: object) -> str:
    """A header as compared: spaces and line breaks collapsed, case kept.

    Example:
        >>> header_key(" First SIF Overall Judgement\\n(OE)")
        'First SIF Overall Judgement (OE)'
    """
    return " ".join(str(text).split())


def find_header(
    file: Path, sheet: Sheet, needed: Sequence[str], *, after: int = 0
) -> tuple[int, dict[str, int]]:
    """The first row after row ``after`` holding every header of ``needed``, and their columns.

    Raises:
        DataSourceError: naming the sheet and the headers no row holds.
    """
    keys = [header_key(n) for n in needed]
    best: tuple[int, set[str]] = (0, set(keys))
    for number, cells in sheet.rows:
        if number <= after:
            continue
        found = {header_key(c): j for j, c in enumerate(cells) if isinstance(c, str)}
        missing = {k for k in keys if k not in found}
        if not missing:
            return number, {k: found[k] for k in keys}
        if len(missing) < len(best[1]):
            best = (number, missing)
    where = Where(file, sheet=sheet.name, row=best[0] or None)
    raise where.error(f"no header row with the columns {sorted(best[1])}")


def check_cached(file: Path, sheet: Sheet, row: int, columns: dict[str, int]) -> None:
    """Refuse a row whose cells read hold a formula with no value saved (see
    :attr:`~earlywarning.io.spreadsheet.Sheet.uncached`): read as empty, it would be a silent
    blank where the publisher's file has a value.

    Raises:
        DataSourceError: naming the sheet, row and column.
    """
    for header, j in columns.items():
        if (row, j) in sheet.uncached:
            raise Where(file, sheet=sheet.name, row=row).error(
                f"{header} holds a formula with no value saved in the file: not as published "
                "(open and save it in Excel or LibreOffice to keep the values)"
            )


def clean_text(value: Any) -> str:
    """A text cell as stored: surrounding spaces dropped, an empty cell as ``""``."""
    if value is None:
        return ""
    return str(value).strip()


_AS_AT = re.compile(r"as at (\d{1,2} \w+ \d{4})", re.IGNORECASE)


def cover_facts(book: dict[str, Sheet]) -> tuple[dt.date | None, dt.date | None]:
    """The publication date and the "as at" date an Ofsted workbook's cover states, if any."""
    published = as_at = None
    cover = book.get("Cover")
    for _, cells in cover.rows if cover else ():
        label = clean_text(cells[0]).lower() if cells else ""
        if label.startswith("published on") and len(cells) > 1:
            value = cells[1]
            published = value if isinstance(value, dt.date) else None
        found = _AS_AT.search(" ".join(clean_text(c) for c in cells))
        if found and as_at is None:
            as_at = dt.datetime.strptime(found.group(1), "%d %B %Y").date()
    return published, as_at


_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y")


def day(value: Any, column: str, where: Where) -> dt.date | None:
    """A date cell: a spreadsheet date, or text as ISO (2025-03-31) or dd/mm/yyyy (dd/mm/yy).

    Returns None for an empty cell.

    Raises:
        DataSourceError: for a cell that is not a date.

    Example:
        >>> from pathlib import Path
        >>> here = Where(Path("overview.xlsx"), sheet="s", row=2)
        >>> day("11/09/2023", "start", here), day("27/10/23", "published", here)
        (datetime.date(2023, 9, 11), datetime.date(2023, 10, 27))
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for form in _DAY_FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), form).date()
            except ValueError:
                continue
    raise where.error(f"{column} is {excerpt(value)}, not a date (2025-03-31 or 31/03/2025)")


_PUBLISHED_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", re.ASCII)


def number_or_marker(value: str, column: str, where: Where, counts: dict[str, int]) -> str:
    """A published number or suppression code, kept as text; the code counted.

    Raises:
        DataSourceError: for anything else, with the column and the value.
    """
    text = value.strip()
    if text == "":
        return ""
    if text in MARKER_SPELLINGS:
        counts[text] = counts.get(text, 0) + 1
        return text
    # digits as publishers write them: Python's float() would also take nan, inf, 1_000, 1e999
    # and other scripts' digits, none of which a statistics file holds
    if not _PUBLISHED_NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise where.error(
            f"{column} is {excerpt(text)}: neither a number nor a suppression code "
            f"({', '.join(MISSING_MARKERS)})"
        )
    return text


def read_text_table(file: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV file's header and its rows with their line numbers, every row checked for length.

    Raises:
        DataSourceError: bytes that are not UTF-8, an empty file, or a ragged row.
    """
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Where(file, line=line).error(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8: the file is not as published"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise Where(file).error("is empty")
        header = [h.strip() for h in header]
        rows: list[tuple[int, list[str]]] = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise Where(file, line=reader.line_num).error(
                    f"row has {len(cells)} fields, the header {len(header)}"
                )
            rows.append((reader.line_num, cells))
    except csv.Error as exc:  # a field past the csv module's limit (128 KiB): no cell is that long
        raise Where(file, line=reader.line_num).error(f"cannot be read as CSV: {exc}") from None
    return header, rows


def column_positions(file: Path, header: list[str], needed: Sequence[str]) -> dict[str, int]:
    """Where each column of ``needed`` is in a CSV header.

    Raises:
        DataSourceError: on line 1, naming the columns missing, or a column the header gives
            twice (which of the two would be read is no choice to make silently).
    """
    missing = [c for c in needed if c not in header]
    if missing:
        raise Where(file, line=1).error(f"no column {', '.join(map(repr, missing))}")
    twice = [c for c in needed if header.count(c) > 1]
    if twice:
        raise Where(file, line=1).error(f"the header gives the column {twice[0]!r} twice")
    return {c: header.index(c) for c in needed}


_YEAR = re.compile(r"^(\d{4})(\d{2})?$", re.ASCII)  # digits 0-9 only


def year_of(text: str, where: Where) -> int:
    """A ``time_period`` as the year it ends in: ``2025``, or ``202425`` (a year to March 2025).

    Raises:
        DataSourceError: for a period that is neither.
    """
    match = _YEAR.match(text.strip())
    if match is None:
        raise where.error(f"time_period {excerpt(text)} is not a year (2025) or a span (202425)")
    first = int(match.group(1))
    if match.group(2) is None:
        return first
    if int(match.group(2)) != (first + 1) % 100:
        raise where.error(f"time_period {excerpt(text)} is not two consecutive years")
    return first + 1


def grade(
    value: Any, column: str, where: Where, *, none: Iterable[str] = (), kept: Iterable[str] = ()
) -> str:
    """A judgement cell checked and kept as published.

    An empty cell, or one of ``none`` (a publisher's words for "no judgement"), is ``""``; one of
    ``kept`` (such as Ofsted's ``-``) is kept as published.

    Raises:
        DataSourceError: when the cell is not one of Ofsted's grades in any spelling.
    """
    text = clean_text(value)
    if text == "" or text.lower() in none:
        return ""
    if text in kept:
        return text
    try:
        check_value("previous_rating", text)
    except ProfileError:
        raise where.error(f"{column} is {excerpt(text)}, not an Ofsted grade") from None
    return text
