"""Parquet and Feather (Arrow IPC) files, read through pyarrow (the ``arrow`` extra), and
Parquet written.

Private machinery of :mod:`earlywarning.io`. A table read is read whole and becomes pandas by
:func:`earlywarning._frames.to_pandas`, so text stays in Arrow where pandas holds it there. A
table written is written chunk by chunk (:class:`ParquetTableWriter`, which
:mod:`earlywarning.io.output` exports).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from earlywarning._frames import to_pandas
from earlywarning._optional import require
from earlywarning.errors import (
    ArrowDependencyError,
    EarlyWarningWarning,
    OutputFileError,
    ProfileFileError,
)

__all__ = ["ParquetBatches", "ParquetTableWriter", "read_arrow_file"]

_READERS = {"parquet": ("pyarrow.parquet", "Parquet"), "feather": ("pyarrow.feather", "Feather")}


def read_arrow_file(path: Path, fmt: str) -> pd.DataFrame:
    """The table in a Parquet or Feather file as pandas, its column names checked.

    Raises:
        ArrowDependencyError: when pyarrow is not installed.
        ProfileFileError: when the file is not a table of that format, or repeats a name.
    """
    module, name = _READERS[fmt]
    reader: Any = require(module, ArrowDependencyError, "Parquet and Feather files need", "arrow")
    try:
        table = reader.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ProfileFileError(path, f"cannot be read as {name}: {exc}") from None
    seen: set[str] = set()
    for column in table.column_names:
        if column in seen:
            raise ProfileFileError(path, f"column {column!r} appears twice")
        seen.add(column)
    frame, _ = to_pandas(table, "read_profiles")
    return frame


class ParquetBatches:
    """A Parquet file opened to be read in batches, so that a large file is never held whole:
    its columns (checked as :func:`read_arrow_file` checks them) and rows from its metadata,
    then :meth:`frames` of at most ``chunk_rows`` rows each, as pandas with the rows' places in
    the file as their index.

    Raises:
        ArrowDependencyError: when pyarrow is not installed.
        ProfileFileError: when the file is not Parquet, repeats a name, or a batch cannot be read.
    """

    def __init__(self, path: Path) -> None:
        pq: Any = require(
            "pyarrow.parquet", ArrowDependencyError, "Parquet and Feather files need", "arrow"
        )
        self.path = path
        try:
            self.file = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise ProfileFileError(path, f"cannot be read as Parquet: {exc}") from None
        self.columns = [str(name) for name in self.file.schema_arrow.names]
        seen: set[str] = set()
        for column in self.columns:
            if column in seen:
                raise ProfileFileError(path, f"column {column!r} appears twice")
            seen.add(column)
        self.rows = int(self.file.metadata.num_rows)

    def frames(self, chunk_rows: int) -> Iterator[pd.DataFrame]:
        pa: Any = require(
            "pyarrow", ArrowDependencyError, "Parquet and Feather files need", "arrow"
        )
        start = 0
        batches = self.file.iter_batches(batch_size=min(chunk_rows, 1 << 20))
        while True:
            try:
                batch = next(batches, None)
            except (OSError, ValueError) as exc:
                raise ProfileFileError(
                    self.path, f"cannot be read as Parquet after row {start}: {exc}"
                ) from None
            if batch is None:
                return
            frame, _ = to_pandas(pa.Table.from_batches([batch]), "read_profiles")
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame


class ParquetTableWriter:
    """A Parquet file written chunk by chunk (one row group each), so memory stays flat.

    The first chunk sets the columns' types: a column with no value yet (no error so far) is
    text. A later chunk whose column cannot take that type is refused, naming the column.
    ``metadata`` is written in the file's key-value metadata.
    """

    def __init__(self, stream: IO[bytes], metadata: dict[str, str]) -> None:
        self.pa: Any = require("pyarrow", ArrowDependencyError, "Parquet output needs", "arrow")
        self.pq: Any = require(
            "pyarrow.parquet", ArrowDependencyError, "Parquet output needs", "arrow"
        )
        self.stream = stream
        self.metadata = metadata
        self.schema: Any = None
        self.writer: Any = None
        self.rows = 0
        self.mixed: set[str] = set()

    def write(self, frame: pd.DataFrame) -> None:
        """Add one chunk of rows."""
        frame = self._one_kind(frame)
        if self.schema is None:
            table = self._table(frame, None)
            fields = [
                self.pa.field(f.name, self.pa.string()) if self.pa.types.is_null(f.type) else f
                for f in table.schema
            ]
            self.schema = self.pa.schema(fields).with_metadata(self.metadata)
            self.writer = self.pq.ParquetWriter(self.stream, self.schema)
        self.writer.write_table(self._table(frame, self.schema))
        self.rows += len(frame)

    def _one_kind(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame with each column that mixes text with numbers, dates or booleans (as a
        spreadsheet's column may) written as text, which a Parquet column of one type can hold;
        said once per column."""
        mixed = [
            name
            for name in frame.columns
            if frame[name].dtype == object and self._mixed(str(name), frame[name])
        ]
        if not mixed:
            return frame
        frame = frame.copy()
        for name in mixed:
            column = frame[name]
            frame[name] = column.where(column.isna(), column.astype(str))
            if name not in self.mixed:
                self.mixed.add(name)
                warnings.warn(
                    EarlyWarningWarning(
                        f"parquet output: column {name!r} holds text and other kinds of value "
                        "(numbers, dates): written as text"
                    ),
                    stacklevel=3,
                )
        return frame

    def _mixed(self, name: str, column: pd.Series) -> bool:
        """Whether a column of Python objects must be written as text: it mixes kinds, or an
        earlier chunk made it a text column and this one holds something else."""
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind.startswith("mixed"):
            return True
        if self.schema is None or name not in self.schema.names:
            return False
        text = self.pa.types.is_string(self.schema.field(name).type)
        return bool(text and kind not in ("string", "empty"))

    def _table(self, frame: pd.DataFrame, schema: Any) -> Any:
        try:
            return self.pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        except (self.pa.ArrowInvalid, self.pa.ArrowTypeError, ValueError, TypeError):
            pass
        for name in frame.columns:  # find the column, to name it
            field = schema.field(str(name)).type if schema is not None else None
            try:
                self.pa.array(frame[name], type=field, from_pandas=True)
            except (self.pa.ArrowInvalid, self.pa.ArrowTypeError, ValueError, TypeError) as exc:
                said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                typed = f" as {field}, its type in the rows before" if field else ""
                raise OutputFileError(
                    f"parquet output: column {name!r} cannot be written{typed} (rows from "
                    f"{self.rows + 1}): {said}; write csv or json instead"
                ) from None
        raise OutputFileError("parquet output: the rows cannot be written as a table")

    def close(self) -> None:
        """Finish the file (an empty table with no chunk written)."""
        if self.writer is None:
            self.write(pd.DataFrame())
        self.writer.close()
