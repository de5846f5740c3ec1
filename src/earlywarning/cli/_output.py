"""Writing results: one table of output formats, and files written whole or not at all.

Each format is one entry of :data:`OUTPUT_FORMATS`: a writer that is given the results chunk by
chunk, so that csv, json, xlsx and parquet output never hold more than one chunk (text lays out
one aligned table, so it keeps every row). Every format states the ruleset the rows were scored
with. :func:`write_result` is the one way a command writes its result in the format asked for:
its own text (and csv or json, where it has them), or its tables through these writers.
:func:`open_output` writes through :func:`earlywarning.io.output.writing`: a temporary file
beside the target, renamed at the end, so a run that fails leaves no partial file. Cells of csv
and xlsx output pass a :class:`~earlywarning.io.output.CellGuard` (no live formulas, no raw
control characters, no cell cut short), and json output is strict JSON.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, ClassVar, TextIO

import numpy as np
import pandas as pd

from earlywarning.errors import OutputFileError
from earlywarning.explain import Assessment
from earlywarning.io.output import (
    CellGuard,
    ParquetTableWriter,
    json_text,
    terminal_text,
    writing,
)
from earlywarning.rules import Ruleset

__all__ = [
    "COLUMN_CHOICES",
    "OUTPUT_FORMATS",
    "RESULT_COLUMNS",
    "STAMP_COLUMNS",
    "CsvWriter",
    "JsonWriter",
    "ParquetWriter",
    "TextWriter",
    "Writer",
    "XlsxWriter",
    "open_output",
    "result_table",
    "stamp",
    "write_assessment",
    "write_result",
]

RESULT_COLUMNS = ("score", "band", "coverage", "reasons", "error", "red_flag")
STAMP_COLUMNS = ("ruleset_id", "ruleset_version", "ruleset_hash")
_IDENTITY = ("council", "year", "la_code")


def stamp(rules: Ruleset) -> dict[str, str]:
    """The ruleset's id, version and content hash, as stamped on every output."""
    return {
        "ruleset_id": rules.id,
        "ruleset_version": rules.version,
        "ruleset_hash": rules.content_hash,
    }


COLUMN_CHOICES = ("all", "scores")
"""What ``--columns`` keeps of the input beside the scores: every column, or its identity."""


def result_table(chunk: pd.DataFrame, result: pd.DataFrame, columns: str = "all") -> pd.DataFrame:
    """The input's columns, in the input's order, then the results.

    ``columns="all"`` keeps every input column, so the output joins back to whatever the input
    held; ``"scores"`` keeps only the identity (``council``, ``year``, ``la_code``). An input
    column named like a result or stamp column is kept as ``input_<name>``.
    """
    keep = [c for c in chunk.columns if columns == "all" or c in _IDENTITY]
    table = chunk[keep]  # a new frame (copied on write): the year below leaves the input be
    if "year" in table:
        # CSV cells are text: show the year as a number where it is a whole one
        year = pd.to_numeric(table["year"], errors="coerce")
        whole = (year == np.floor(year)) & (year.abs() < 1e9)
        table["year"] = year.where(whole).astype("Int64")
    clash = {c: f"input_{c}" for c in keep if c in RESULT_COLUMNS or c in STAMP_COLUMNS}
    return pd.concat([table.rename(columns=clash), result], axis=1)


class Writer:
    """Receives result tables chunk by chunk; :meth:`close` finishes the output."""

    binary: ClassVar[bool] = False
    contributions: ClassVar[bool] = False  # whether rows need their contributions

    def __init__(self, stream: IO[Any], ruleset: dict[str, str]) -> None:
        self.stream = stream
        self.ruleset = ruleset
        self.first = True

    def write(
        self, table: pd.DataFrame, contributions: Iterable[Any] | None = None, sheet: str = ""
    ) -> None:
        """Write one chunk of results (of the table ``sheet``, where a format holds several)."""
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (a closing bracket, a footer, a workbook)."""


def _guarded(table: pd.DataFrame, guard: CellGuard) -> pd.DataFrame:
    """The table with its text cells (and column names) made safe for a spreadsheet."""
    columns = [str(guard.cell(str(c), c)) for c in table.columns]
    cells = {name: guard.column(table.iloc[:, j], name) for j, name in enumerate(columns)}
    return pd.DataFrame(cells, index=table.index)


def _show(notices: Iterable[Warning]) -> None:
    for notice in notices:
        warnings.warn(notice, stacklevel=3)


class CsvWriter(Writer):
    """One row per profile; the ruleset in three columns at the end of every row. Text cells
    that would start a formula get a leading quote (see :class:`CellGuard`)."""

    def __init__(self, stream: IO[Any], ruleset: dict[str, str]) -> None:
        super().__init__(stream, ruleset)
        self.guard = CellGuard(excel=False)

    def write(
        self, table: pd.DataFrame, contributions: Iterable[Any] | None = None, sheet: str = ""
    ) -> None:
        """Write the rows (with the header before the first chunk)."""
        table = _guarded(table.assign(**self.ruleset), self.guard)
        table.to_csv(self.stream, index=False, header=self.first, lineterminator="\n")
        self.first = False

    def close(self) -> None:
        """Say what the guard changed."""
        _show(self.guard.notices("csv output"))


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    cells = table.astype(object).where(table.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in cells.to_dict("records")]


class JsonWriter(Writer):
    """A JSON list of rows, one a line, each with its contributions and the ruleset; valid JSON
    as a whole."""

    contributions = True

    def write(
        self, table: pd.DataFrame, contributions: Iterable[Any] | None = None, sheet: str = ""
    ) -> None:
        """Write the rows as list items (the opening bracket before the first)."""
        details = iter(contributions) if contributions is not None else None
        for record in _records(table):
            record |= self.ruleset
            record["contributions"] = next(details) if details is not None else None
            self.stream.write("[\n" if self.first else ",\n")
            # one row a line: without indent, json uses its C encoder, several times faster on
            # a big file; a date carried from a spreadsheet is written as ISO text, NaN as null
            self.stream.write(json_text(record))
            self.first = False

    def close(self) -> None:
        """Close the list (an empty list when no row was written)."""
        self.stream.write("[]\n" if self.first else "\n]\n")


class TextWriter(Writer):
    """An aligned table for a terminal, then the ruleset; holds every row until the end."""

    def __init__(self, stream: IO[Any], ruleset: dict[str, str]) -> None:
        super().__init__(stream, ruleset)
        self.tables: list[pd.DataFrame] = []

    def write(
        self, table: pd.DataFrame, contributions: Iterable[Any] | None = None, sheet: str = ""
    ) -> None:
        """Keep the rows for the table."""
        self.tables.append(table)

    def close(self) -> None:
        """Lay out the table and name the ruleset."""
        table = pd.concat(self.tables) if self.tables else pd.DataFrame()
        with pd.option_context("display.max_rows", 200, "display.width", 200):
            # a blank reads better than NaN for "no error" and "no red flag" in a terminal
            shown = table.astype(object).where(table.notna(), "")
            if "coverage" in table:  # a share of the ruleset's weight reads as a percentage
                known = table["coverage"].notna()
                shown.loc[known, "coverage"] = [f"{c:.0%}" for c in table.loc[known, "coverage"]]
            self.stream.write(terminal_text(shown.to_string(index=False)) + "\n")
        r = self.ruleset
        self.stream.write(
            terminal_text(
                f"Ruleset {r['ruleset_id']} {r['ruleset_version']} ({r['ruleset_hash']})."
            )
            + "\n"
        )


class XlsxWriter(Writer):
    """A workbook: a sheet of rows (``scores``, or one per table a command writes), the ruleset
    in three columns of each row as in csv, and a ``ruleset`` sheet (needs the excel extra).
    Every sheet has a header row; numbers, dates and booleans keep their kinds."""

    binary = True

    def __init__(self, stream: IO[Any], ruleset: dict[str, str]) -> None:
        from earlywarning.io.excel import ExcelWriter

        super().__init__(stream, ruleset)
        self.book = ExcelWriter(ruleset)

    def write(
        self, table: pd.DataFrame, contributions: Iterable[Any] | None = None, sheet: str = ""
    ) -> None:
        """Add the rows to the sheet."""
        self.book.append(table.assign(**self.ruleset), sheet=sheet or "scores")

    def close(self) -> None:
        """Write the workbook, and say what the guard changed."""
        self.book.save(self.stream)
        _show(self.book.guard.notices("xlsx output"))


class ParquetWriter(Writer):
    """A Parquet file, one row group per chunk (needs the arrow extra): the columns with their
    types, the ruleset in three columns of every row as in csv and in the file's metadata."""

    binary = True

    def __init__(self, stream: IO[Any], ruleset: dict[str, str]) -> None:
        super().__init__(stream, ruleset)
        self.file = ParquetTableWriter(stream, {f"earlywarning.{k}": v for k, v in ruleset.items()})

    def write(
        self, table: pd.DataFrame, contributions: Iterable[Any] | None = None, sheet: str = ""
    ) -> None:
        """Add the rows as a row group."""
        self.file.write(table.assign(**self.ruleset))

    def close(self) -> None:
        """Finish the file."""
        self.file.close()


OUTPUT_FORMATS: dict[str, type[Writer]] = {
    "text": TextWriter,
    "csv": CsvWriter,
    "json": JsonWriter,
    "xlsx": XlsxWriter,
    "parquet": ParquetWriter,
}
"""Every output format by name: a new format is one writer and one entry here."""


def write_assessment(a: Assessment, fmt: str, out: IO[Any]) -> None:
    """One profile's result: its explanation and every contribution, or its JSON."""
    if fmt == "json":
        out.write(a.model_dump_json(indent=2) + "\n")
        return
    out.write(terminal_text(a.explain()) + "\n\nContributions:\n")
    for c in sorted(a.contributions, key=lambda c: -abs(c.points)):
        out.write(f"  {terminal_text(c.reason)}\n")


def write_result(
    fmt: str,
    path: str | None,
    out: TextIO,
    ruleset: dict[str, str],
    tables: Mapping[str, pd.DataFrame],
    own: Mapping[str, Callable[[], str]],
) -> None:
    """A command's result in ``fmt``, to ``path`` or ``out``: the command's own rendering where it
    has one for that format (``own``: text always, and csv and json where they say more than
    rows, such as notes), else its tables through the format's writer of
    :data:`OUTPUT_FORMATS`, stamped with the ruleset. A format holding one table takes several
    as one, each row led by the name of its ``table``; a workbook gives each its own sheet.
    """
    if fmt in own:
        with open_output(path, out, binary=False) as stream:
            stream.write(own[fmt]())
        return
    kind = OUTPUT_FORMATS[fmt]
    with open_output(path, out, binary=kind.binary) as stream:
        writer = kind(stream, ruleset)
        if kind is XlsxWriter or len(tables) == 1:
            for name, table in tables.items():
                writer.write(table, sheet=name)
        else:
            parts = [t.assign(table=name) for name, t in tables.items()]
            stacked = pd.concat(parts, ignore_index=True)
            writer.write(stacked[["table", *[c for c in stacked if c != "table"]]])
        writer.close()


@contextmanager
def open_output(path: str | None, out: TextIO, *, binary: bool) -> Iterator[IO[Any]]:
    """A stream to write to: ``out`` when no path is given, else a file that appears whole.

    Raises:
        OutputFileError: when the file cannot be written; nothing is left behind.
    """
    if path is None:
        if not binary:
            yield out
            return
        buffer = getattr(out, "buffer", None)
        if buffer is None or out.isatty():
            raise OutputFileError(
                "xlsx and parquet output are binary files: name one with --output FILE.xlsx "
                "(or FILE.parquet), or send standard output to a file"
            )
        yield buffer
        buffer.flush()
        return
    with writing(path, binary=binary, what="--output") as stream:
        yield stream
