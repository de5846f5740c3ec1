"""Checking a delimited text file before it is read: encoding, delimiter, header and row lengths.

One pass with the csv module over the whole file finds the first row that is longer or shorter
than the header (pandas pads short rows silently and turns one extra field on the first data row
into an index), and the decoder finds the first byte that is not in the file's encoding. Only the
file's first bytes are held in memory.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field
from pathlib import Path

from earlywarning.errors import EarlyWarningWarning, FileEncodingWarning, ProfileFileError

__all__ = ["TextTable", "check_text_table", "first_bad_byte"]

_SAMPLE_BYTES = 1 << 16
_DELIMITERS = (",", "\t", ";", "|")
_NAMES = {",": "commas", "\t": "tabs", ";": "semicolons", "|": "vertical bars"}
EXCEL_HINT = "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8')"


@dataclass
class TextTable:
    """What the check learned: how to read the file, its header and its number of data rows."""

    encoding: str
    delimiter: str
    header: list[str]
    rows: int
    notices: list[EarlyWarningWarning] = field(default_factory=list)


def check_text_table(path: Path, *, tab: bool) -> TextTable:
    """Check a CSV (or, with ``tab``, a TSV) file from end to end; raise on the first problem."""
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if sample.startswith(b"PK\x03\x04"):
        raise ProfileFileError(path, "is a zip file, perhaps an Excel workbook: name it .xlsx")
    encoding = "utf-16" if sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else None
    if encoding is None and b"\x00" in sample:
        raise ProfileFileError(
            path,
            f"holds NUL bytes: not a text file (UTF-16 without its byte-order mark?); {EXCEL_HINT}",
        )
    notices: list[EarlyWarningWarning] = []
    try:
        table = _scan(path, encoding or "utf-8-sig", tab)
    except UnicodeDecodeError:
        if encoding:
            raise ProfileFileError(path, "starts as UTF-16 but is not valid UTF-16") from None
        offset, line, byte = first_bad_byte(path)
        where = f"byte 0x{byte:02x}, at byte {offset} of the file,"
        try:
            table = _scan(path, "cp1252", tab)
        except UnicodeDecodeError:
            raise ProfileFileError(
                path,
                f"{where} is not UTF-8, nor Windows-1252; {EXCEL_HINT}",
                line=line,
                byte=offset,
            ) from None
        notices.append(
            FileEncodingWarning(
                f"{path}: not UTF-8 (line {line} holds byte 0x{byte:02x}); read as Windows-1252 "
                "(cp1252), the encoding Excel uses on Windows"
            )
        )
    default = "\t" if tab else ","
    if table.delimiter != default:
        notices.append(
            EarlyWarningWarning(
                f"{path}: fields are separated by {_NAMES[table.delimiter]}, not "
                f"{_NAMES[default]}; read so"
            )
        )
    table.notices = notices
    return table


def _delimiter(first_line: str, tab: bool) -> str:
    """The delimiter that splits the header line into the most fields; the suffix's on a tie."""
    order = ("\t", *[d for d in _DELIMITERS if d != "\t"]) if tab else _DELIMITERS
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in order}
    return max(order, key=lambda d: counts[d])  # max keeps the first of equals


def _scan(path: Path, encoding: str, tab: bool) -> TextTable:
    with path.open(encoding=encoding, newline="") as fh:
        first = fh.readline()
        while first and not first.strip():
            first = fh.readline()
        delimiter = _delimiter(first, tab)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next((r for r in reader if r), None)
            if header is None or not any(h.strip() for h in header):
                # pandas would take a line of spaces for the header; say so rather than shift
                where = reader.line_num if header is not None else None
                raise ProfileFileError(
                    path, "has no header row (its first line is blank)", line=where
                )
            names = _header(path, header, reader.line_num)
            rows, before = 0, reader.line_num
            for record in reader:
                if record:
                    if len(record) != len(names):
                        raise _ragged(path, len(record), len(names), delimiter, before + 1)
                    rows += 1
                before = reader.line_num
        except csv.Error as exc:
            problem = f"cannot be read as CSV: {exc}"
            raise ProfileFileError(path, problem, line=reader.line_num) from None
    return TextTable(encoding, delimiter, names, rows)


def _header(path: Path, header: list[str], line: int) -> list[str]:
    names = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name and name in seen:
            raise ProfileFileError(
                path,
                f"column {name!r} appears twice (columns {seen[name] + 1} and {j + 1})",
                line=line,
            )
        seen[name] = j
    return [name or f"Unnamed: {j}" for j, name in enumerate(names)]


def _ragged(path: Path, got: int, want: int, delimiter: str, line: int) -> ProfileFileError:
    if got > want:
        hint = f"a value holding {delimiter!r} without quotes?"
    else:
        hint = "a missing field, or a line break inside a value without quotes?"
    return ProfileFileError(path, f"row has {got} fields, the header {want} ({hint})", line=line)


def first_bad_byte(path: Path) -> tuple[int, int, int]:
    """The offset, line (1-based) and value of the first byte of ``path`` that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset - pending + exc.start
                break
            offset += len(chunk)
        else:
            try:
                decoder.decode(b"", final=True)
                return offset, 0, 0
            except UnicodeDecodeError:
                bad = offset - len(decoder.getstate()[0])
        fh.seek(0)
        before = fh.read(bad + 1)
    return bad, before.count(b"\n", 0, bad) + 1, before[bad]
