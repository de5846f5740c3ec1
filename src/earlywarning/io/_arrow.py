"""Parquet and Feather (Arrow IPC) files, read through pyarrow (the ``arrow`` extra).

Private machinery of :mod:`earlywarning.io`. The table is read whole and becomes pandas by
:func:`earlywarning._frames.to_pandas`, so text stays in Arrow where pandas holds it there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from earlywarning._frames import to_pandas
from earlywarning._optional import require
from earlywarning.errors import ArrowDependencyError, ProfileFileError

__all__ = ["read_arrow_file"]

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
