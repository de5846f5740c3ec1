"""Reading profile files as analysts have them: CSV, TSV, Excel, YAML, JSON, Parquet, Feather.

:func:`read_profiles` reads a whole file into a DataFrame (or tidies a table already in memory:
pandas, polars or Arrow); :func:`iter_profiles` reads a large CSV
or TSV in chunks, so that the command line can score a file larger than memory. Both read every
CSV cell as text (the profile checks parse numbers and refuse what is not one), refuse what they
cannot read with the file and the line, and apply one declared policy to statistical suppression
codes (:data:`SUPPRESSION_CODES`): read as missing and counted, or refused.

Columns that are not profile fields are kept as they are, so that results join back to the
user's own data (:func:`earlywarning.profile.check_columns` decides which are carried).
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple, overload

import numpy as np
import pandas as pd

from earlywarning._frames import frame_kind, from_pandas, to_pandas
from earlywarning.errors import (
    EarlyWarningError,
    EarlyWarningWarning,
    ImplausibleValuesWarning,
    InputFileError,
    ProfileError,
    ProfileFileError,
    SuppressedValuesWarning,
)
from earlywarning.io._arrow import ParquetBatches, read_arrow_file
from earlywarning.io._textfile import check_text_table
from earlywarning.io.documents import load_document
from earlywarning.io.publishers import layout_of
from earlywarning.parameters import check_whole
from earlywarning.profile import FIELDS

__all__ = [
    "FILE_FORMATS",
    "SUPPRESSION_CODES",
    "ProfileReader",
    "TextRows",
    "file_format",
    "is_suppression_code",
    "iter_profiles",
    "read_profiles",
    "read_table",
    "read_text_rows",
]

SUPPRESSION_CODES: tuple[str, ...] = ("x", "c", "z", "u", "k", "low", "..", "-", ":")
"""Codes DfE and ONS tables publish in place of a number (suppressed, confidential, not
applicable, low reliability, fewer than five, rounds to zero, not available). They are matched in
lower, upper or title case, with or without the square brackets of the GSS guidance (``[c]``)."""

Suppressed = Literal["missing", "refuse"]

FILE_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".parquet": "parquet",
    ".feather": "feather",
    ".arrow": "feather",
}
"""The format read for each file suffix (Parquet and Feather, the Arrow IPC file format, need
the ``arrow`` extra)."""

_SPELLINGS = frozenset(
    form
    for code in SUPPRESSION_CODES
    for case in {code, code.upper(), code.title()}
    for form in (case, f"[{case}]")
)
# profile fields that hold numbers, flags or ratings: a code in a text field (a council named
# "X") is a name, not a suppressed number
_CODED_FIELDS = tuple(f.name for f in FIELDS if f.kind != "text")
_PCT_FIELDS = tuple(f.name for f in FIELDS if f.name.endswith("_pct"))


def is_suppression_code(value: object) -> bool:
    """True when ``value`` is one of :data:`SUPPRESSION_CODES` as published.

    Example:
        >>> [is_suppression_code(v) for v in ("x", "[c]", "LOW", "12", "-", "-3", None)]
        [True, True, True, False, True, False, False]
    """
    return isinstance(value, str) and value in _SPELLINGS


def file_format(path: str | Path) -> str:
    """The format of a profile file, from its suffix (one of the values of :data:`FILE_FORMATS`).

    Raises:
        ProfileFileError: for a suffix that is not a profile file, with the ones that are.

    Example:
        >>> file_format("councils.TSV"), file_format("case.yml")
        ('tsv', 'yaml')
    """
    suffix = Path(path).suffix.lower()
    if suffix in FILE_FORMATS:
        return FILE_FORMATS[suffix]
    if suffix == ".xls":
        problem = "is an old-style Excel file: save it as .xlsx or as CSV UTF-8"
    else:
        known = ", ".join(sorted(set(FILE_FORMATS)))
        problem = f"cannot tell the format from the name: profile files end in {known}"
    raise ProfileFileError(path, problem)


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise ProfileFileError(path, "is a directory, not a profile file")
    if not path.exists():
        raise ProfileFileError(path, "no such file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ProfileFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise ProfileFileError(path, "is empty")


class ProfileReader:
    """A profile file opened and checked, yielding DataFrames of at most ``chunk_rows`` rows.

    Opening reads the whole file once to check it (encoding, delimiter, a header without
    repeated names, every row as long as the header), so a broken file is refused before any
    row is scored. After iterating, ``suppressed`` counts the suppression codes read as missing
    per column and ``notices`` holds every warning worth showing (the encoding guessed, the
    suppressed cells, percentages that look like fractions).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "two.csv"
        >>> _ = f.write_text("council,year,agency_rate_pct\\nA,2020,x\\nB,2020,12\\n")
        >>> reader = iter_profiles(f, chunk_rows=1)
        >>> [len(chunk) for chunk in reader], reader.suppressed
        ([1, 1], {'agency_rate_pct': 1})
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    columns: list[str]
    rows: int
    _parquet: ParquetBatches | None

    def __init__(
        self,
        path: str | Path,
        *,
        chunk_rows: int = 50_000,
        suppressed: Suppressed = "missing",
        sheet: str | None = None,
        coded: Collection[str] | None = None,
    ) -> None:
        self._settings(Path(path), chunk_rows, suppressed, sheet, coded)
        _check_path(self.path)
        self.format = file_format(self.path)
        if self.format in ("csv", "tsv"):
            table = check_text_table(self.path, tab=self.format == "tsv")
            self.encoding, self.delimiter = table.encoding, table.delimiter
            self.columns = table.header
            self.rows = table.rows
            self.notices.extend(table.notices)
        elif self.format == "parquet":
            # read in batches as the rows are asked for: a large file is never held whole
            self._parquet = ParquetBatches(self.path)
            self.columns, self.rows = self._parquet.columns, self._parquet.rows
        else:
            self._hold(self._read_whole())
        self._find_layout(coded)

    @classmethod
    def of_table(cls, frame: pd.DataFrame, *, suppressed: Suppressed = "missing") -> ProfileReader:
        """A reader of a table already in memory, tidied as a file's rows are (in messages it is
        "the table given").

        Example:
            >>> import pandas as pd
            >>> reader = ProfileReader.of_table(pd.DataFrame({"agency_rate_pct": ["x", "9"]}))
            >>> [chunk["agency_rate_pct"].tolist() for chunk in reader], reader.suppressed
            ([[nan, '9']], {'agency_rate_pct': 1})
        """
        reader = cls.__new__(cls)
        reader._settings(Path("the table given"), 1 << 30, suppressed, None, None)
        reader.format = "table"
        reader._hold(frame)
        reader._find_layout(None)
        return reader

    def _settings(
        self,
        path: Path,
        chunk_rows: int,
        suppressed: Suppressed,
        sheet: str | None,
        coded: Collection[str] | None,
    ) -> None:
        if suppressed not in ("missing", "refuse"):
            raise EarlyWarningError(f"suppressed is 'missing' or 'refuse', not {suppressed!r}")
        self.path = path
        self.chunk_rows = check_whole(chunk_rows, "chunk_rows", 1, 1 << 30)
        self.policy: Suppressed = suppressed
        self.sheet = sheet
        # the columns where a suppression code stands for a missing number
        self.coded = frozenset(_CODED_FIELDS if coded is None else coded)
        self.encoding = None
        self.delimiter = None
        self.suppressed: dict[str, int] = {}
        self.notices: list[EarlyWarningWarning] = []
        self._fractions: dict[str, bool] = {c: False for c in _PCT_FIELDS}
        self._whole: pd.DataFrame | None = None
        self._parquet = None

    def _hold(self, frame: pd.DataFrame) -> None:
        """Keep a table read whole, to hand out in slices."""
        self._whole = frame
        self.columns = [str(c) for c in frame.columns]
        self.rows = len(frame)

    def _find_layout(self, coded: Collection[str] | None) -> None:
        """A publisher's layout (DfE's workforce census) is read as the profile fields it holds;
        a table of something else (judgements, local facts) is read as it is."""
        self.file_columns = list(self.columns)
        self.layout = layout_of(self.columns) if coded is None else None
        self.left_out = 0
        if self.layout is not None:
            self.notices.append(EarlyWarningWarning(f"{self.path}: {self.layout.describe()}"))
            self.columns = [self.layout.renames.get(c, c) for c in self.columns]
            if self.layout.year_from is not None:
                self.columns = [c for c in self.columns if c != self.layout.year_from] + ["year"]

    def _read_whole(self) -> pd.DataFrame:
        if self.format in ("parquet", "feather"):
            return read_arrow_file(self.path, self.format)
        if self.format == "xlsx":
            from earlywarning.io.excel import read_sheet

            frame, notices = read_sheet(self.path, self.sheet)
            self.notices.extend(notices)
            return frame
        return _read_document(self.path, self.format, self.notices)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for chunk in self._chunks():
            if self.layout is not None:
                chunk, left_out = self.layout.apply(chunk)
                self.left_out += left_out
            yield self._tidy(chunk)
        self.notices.extend(self._summary())

    def _chunks(self) -> Iterator[pd.DataFrame]:
        if self._whole is not None:
            for start in range(0, max(len(self._whole), 1), self.chunk_rows):
                yield self._whole.iloc[start : start + self.chunk_rows]
            return
        if self._parquet is not None:
            got = 0
            for frame in self._parquet.frames(self.chunk_rows):
                got += len(frame)
                yield frame
            if got == 0:
                yield pd.DataFrame({c: pd.Series([], dtype=object) for c in self.columns})
            return
        reader = pd.read_csv(
            self.path,
            sep=self.delimiter,
            encoding=self.encoding,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            names=self.file_columns,
            header=0,
            index_col=False,
            chunksize=self.chunk_rows,
            engine="c",
        )
        with reader:
            got = 0
            for chunk in reader:
                got += len(chunk)
                yield chunk
            if got == 0:
                yield pd.DataFrame({c: pd.Series([], dtype=object) for c in self.columns})

    def _tidy(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """Apply the suppression policy and note percentages that look like fractions."""
        chunk = chunk.copy() if self._whole is not None else chunk
        coded = {
            name: chunk[name].isin(_SPELLINGS).to_numpy()
            for name in chunk.columns
            if name in self.coded and _is_text(chunk[name])
        }
        coded = {name: mask for name, mask in coded.items() if mask.any()}
        if coded and self.policy == "refuse":
            # the first code in reading order: the earliest row, then the leftmost column
            at = min(int(np.argmax(mask)) for mask in coded.values())
            name = next(n for n in chunk.columns if n in coded and coded[n][at])
            raise ProfileError(
                name,
                chunk[name].iloc[at],
                f"is a suppression code ({self.path}, row {chunk.index[at] + 1}); "
                "suppression codes are refused here",
            )
        for name, mask in coded.items():
            chunk[name] = chunk[name].mask(mask)
            self.suppressed[name] = self.suppressed.get(name, 0) + int(mask.sum())
        for name, seen in list(self._fractions.items()):
            if name in chunk.columns:
                self._note_fractions(name, chunk[name], seen)
        return chunk

    def _note_fractions(self, name: str, column: pd.Series, seen: bool) -> None:
        x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        x = x[~np.isnan(x)]
        if ((x < 0) | (x > 1)).any():
            del self._fractions[name]  # a value outside 0..1: percentages as meant
        else:
            self._fractions[name] = seen or bool(((x > 0) & (x < 1)).any())

    def _summary(self) -> list[EarlyWarningWarning]:
        out: list[EarlyWarningWarning] = []
        if self.left_out:
            out.append(
                EarlyWarningWarning(
                    f"{self.path}: {self.left_out} national and regional rows are totals, "
                    "not councils: left out"
                )
            )
        if self.suppressed:
            total = sum(self.suppressed.values())
            counts = ", ".join(f"{c} {n}" for c, n in self.suppressed.items())
            cells = "cell holds" if total == 1 else "cells hold"
            out.append(
                SuppressedValuesWarning(
                    f"{self.path}: {total} {cells} a suppression code, read as missing: {counts}"
                )
            )
        for name, fractional in self._fractions.items():
            if fractional:
                out.append(
                    ImplausibleValuesWarning(
                        f"{self.path}: every value of {name} lies between 0 and 1: percentages "
                        f"given as fractions? (0.14 is read as 0.14%, not 14%)"
                    )
                )
        return out


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # a Parquet column stored as a dictionary
        dtype = dtype.categories.dtype
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def iter_profiles(
    path: str | Path,
    *,
    chunk_rows: int = 50_000,
    suppressed: Suppressed = "missing",
    sheet: str | None = None,
) -> ProfileReader:
    """Open a profile file to read it in chunks of at most ``chunk_rows`` rows.

    CSV and TSV files are read chunk by chunk (memory stays flat whatever the file size); the
    other formats are read whole and handed out in slices. See :class:`ProfileReader`.

    Raises:
        ProfileFileError: when the file cannot be read, with the file and, where it has one, the
            line.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "semicolons.csv"
        >>> _ = f.write_bytes("council;year\\nSaint-Étienne;2020\\n".encode("cp1252"))
        >>> reader = iter_profiles(f)
        >>> reader.rows, reader.delimiter, reader.encoding
        (1, ';', 'cp1252')
        >>> [type(n).__name__ for n in reader.notices]
        ['FileEncodingWarning', 'EarlyWarningWarning']
    """
    return ProfileReader(path, chunk_rows=chunk_rows, suppressed=suppressed, sheet=sheet)


@overload
def read_profiles(
    path: str | Path, *, suppressed: Suppressed = "missing", sheet: str | None = None
) -> pd.DataFrame: ...
@overload
def read_profiles(
    path: Any, *, suppressed: Suppressed = "missing", sheet: str | None = None
) -> Any: ...
def read_profiles(
    path: Any, *, suppressed: Suppressed = "missing", sheet: str | None = None
) -> Any:
    """Read a file of council profiles into a DataFrame, one row per profile.

    CSV (``.csv``, ``.txt``), TSV (``.tsv``), Excel (``.xlsx``, the first sheet unless ``sheet``
    names one; needs the ``excel`` extra), YAML and JSON (one profile, a list of profiles, or a
    documented case file with a ``profile:`` section), Parquet (``.parquet``) and Feather, the
    Arrow IPC file format (``.feather``, ``.arrow``), both with the ``arrow`` extra.

    ``path`` may also be a table already in memory (pandas, polars or Arrow, as
    :func:`~earlywarning.score_frame` takes): its rows are tidied as a file's are (the
    suppression codes below) and it is given back as the same kind of table, the caller's
    untouched. CSV cells are read as text and checked by
    the scoring; columns that are not profile fields are kept. Suppression codes in profile
    fields (:data:`SUPPRESSION_CODES`) read as missing, with a :class:`SuppressedValuesWarning`
    and a count per column in ``frame.attrs["suppressed"]``; ``suppressed="refuse"`` raises a
    :class:`ProfileError` instead. A file not in UTF-8 that reads as Windows-1252 is read so,
    with a :class:`FileEncodingWarning`.

    Raises:
        ProfileFileError: a missing, empty or unreadable file, a directory, a ragged row, a
            repeated column name, or bytes in no encoding that fits (with file, line and byte).
        ProfileError: a suppression code, when ``suppressed="refuse"``.
        ArrowDependencyError: a Parquet or Feather file, without pyarrow.

    Example:
        >>> import tempfile, pathlib, warnings
        >>> import earlywarning as ew
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "workforce.csv"
        >>> _ = f.write_text("la_code,council,year,agency_rate_pct\\n"
        ...                  "E10000007,Derbyshire,2021,12.4\\nE06000015,Derby,2021,c\\n")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     frame = ew.io.read_profiles(f)
        >>> frame.attrs["suppressed"], caught[0].category.__name__
        ({'agency_rate_pct': 1}, 'SuppressedValuesWarning')
        >>> ew.score_frame(frame).join(frame["la_code"])[["band", "la_code"]].values.tolist()
        [['low', 'E10000007'], ['low', 'E06000015']]
    """
    kind = frame_kind(path)
    if kind is not None:
        table, kind = to_pandas(path, "read_profiles")
        reader = ProfileReader.of_table(table, suppressed=suppressed)
    else:
        reader = iter_profiles(path, chunk_rows=1 << 30, suppressed=suppressed, sheet=sheet)
    frame = pd.concat(list(reader))
    frame.attrs.update(suppressed=dict(reader.suppressed), source=str(reader.path))
    for notice in reader.notices:
        warnings.warn(notice, stacklevel=2)
    return frame if kind is None else from_pandas(frame, kind)


class TextRows(NamedTuple):
    """A checked CSV or TSV file as text: the header, its line, and each row with its line."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


def read_text_rows(path: str | Path) -> TextRows:
    """A CSV or TSV file's header and rows, each with the line it starts on; cells as text.

    For files that are not tables of profiles but must be read as carefully (a file of local
    facts): the file is checked as :func:`read_profiles` checks it (encoding, delimiter, a header
    without repeated names, every row as long as the header) and the same notices are given as
    warnings. Blank lines are skipped; a row's line is the line it starts on, so a message can
    point at it even when a quoted cell holds a line break. Nothing is parsed: every cell is the
    text in the file.

    Raises:
        ProfileFileError: as :func:`read_profiles`, with the file and, where it has one, the line.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "facts.csv"
        >>> _ = f.write_text('council,note\\nDerbyshire,"two\\nlines"\\n\\nDurham,x\\n')
        >>> table = read_text_rows(f)
        >>> table.header, table.header_line, [(line, row[0]) for line, row in table.rows]
        (['council', 'note'], 1, [(2, 'Derbyshire'), (5, 'Durham')])
    """
    file = Path(path)
    _check_path(file)
    fmt = file_format(file)
    if fmt not in ("csv", "tsv"):
        raise ProfileFileError(file, f"is read as {fmt}, not as a CSV or TSV table")
    table = check_text_table(file, tab=fmt == "tsv")
    for notice in table.notices:
        warnings.warn(notice, stacklevel=2)
    rows: list[tuple[int, list[str]]] = []
    header_line, before = 0, 0
    with file.open(encoding=table.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=table.delimiter)
        for record in reader:
            if record and header_line:
                rows.append((before + 1, record))
            elif record:
                header_line = before + 1
            before = reader.line_num
    return TextRows(table.header, header_line, rows)


def _read_document(path: Path, fmt: str, notices: list[EarlyWarningWarning]) -> pd.DataFrame:
    """A YAML or JSON file of one profile or a list of them, as a frame of the values given,
    read by the guarded document reader (:func:`earlywarning.io.documents.load_document`)."""
    data, found = load_document(path, what="profile", error=ProfileFileError, fmt=fmt)
    notices.extend(found)
    return _records_frame(path, data)


def _records_frame(path: Path, data: Any) -> pd.DataFrame:
    if data is None:
        raise ProfileFileError(path, "is empty")
    if isinstance(data, dict) and isinstance(data.get("profile"), dict):
        data = data["profile"]  # a documented case file: its profile
    records = [data] if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ProfileFileError(path, "expected a profile (a mapping) or a list of profiles")
    for i, record in enumerate(records):
        bad = [k for k in record if not isinstance(k, str)]
        if bad:
            raise ProfileFileError(path, f"profile {i + 1}: the key {bad[0]!r} is not text")
    columns = list(dict.fromkeys(k for r in records for k in r))
    # object columns keep each value as given (2020 stays an int beside a row without a year)
    return pd.DataFrame(records, columns=columns, dtype=object)


_TABLES = ("csv", "tsv", "xlsx")


def read_table(
    path: str | Path,
    *,
    what: str = "table",
    sheet: str | None = None,
    suppressed: Suppressed = "missing",
    coded: Collection[str] = (),
    error: type[InputFileError] = InputFileError,
) -> pd.DataFrame:
    """Read a CSV, TSV or Excel table with every guard the profile reader has, for any table a
    user gives (judgements, local facts).

    The same checks as :func:`read_profiles`: encodings (UTF-8, or Windows-1252 with a
    :class:`~earlywarning.FileEncodingWarning`), the delimiter found from the header, a header
    without repeated names, every row as long as the header, and the workbook guards of
    :mod:`earlywarning.io.excel` (size, expansion, XML, cells counted, formulas without a saved
    value noted). CSV cells are read as text, for the caller to parse. Suppression codes in the
    ``coded`` columns read as missing (counted in ``frame.attrs["suppressed"]``, with a
    warning), or are refused with ``suppressed="refuse"``; elsewhere they are kept as written.

    Args:
        path: the file: ``.csv``, ``.txt``, ``.tsv``, ``.tab``, ``.xlsx`` or ``.xlsm``.
        what: what the table holds, as messages name it (``"judgements"``).
        sheet: the sheet of a workbook (the first unless named).
        suppressed: ``"missing"`` or ``"refuse"``, for codes in the ``coded`` columns.
        coded: the columns that hold numbers, where a suppression code means "no figure".
        error: the error class raised (:class:`~earlywarning.InputFileError` or a subclass).

    Raises:
        InputFileError: (or ``error``) with the file and, where it has one, the line.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "judgements.csv"
        >>> _ = f.write_text("council,date,overall\\nDerby,2023-05-15,Good\\n")
        >>> read_table(f, what="judgements").to_dict("records")
        [{'council': 'Derby', 'date': '2023-05-15', 'overall': 'Good'}]
        >>> _ = f.write_text("council,date,overall\\nDerby,2023-05-15\\n")
        >>> try:
        ...     read_table(f, what="judgements")
        ... except InputFileError as e:
        ...     print(type(e).__name__, e.line, e.message)  # doctest: +ELLIPSIS
        InputFileError 2 row has 2 fields, the header 3 (...)
    """
    try:
        if file_format(path) not in _TABLES:
            raise ProfileFileError(path, f"a {what} table is CSV, TSV or Excel (.xlsx)")
        reader = ProfileReader(
            path, chunk_rows=1 << 30, suppressed=suppressed, sheet=sheet, coded=coded
        )
        frame = pd.concat(list(reader))
    except ProfileFileError as exc:
        if error is ProfileFileError:
            raise
        said = exc.message.replace("profile file", f"{what} file")
        raise error(exc.file, said, line=exc.line, byte=exc.byte) from None
    frame.attrs.update(suppressed=dict(reader.suppressed), source=str(reader.path))
    for notice in reader.notices:
        warnings.warn(notice, stacklevel=2)
    return frame
