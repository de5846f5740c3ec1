"""Tables of any kind in and out: pandas, polars and Arrow (pyarrow, or any Arrow PyCapsule).

Shared machinery with no knowledge of councils. The engine works on pandas; this module turns
what the caller gave into a pandas frame the engine reads cheaply, and the engine's pandas
result back into the caller's kind. polars and pyarrow are never imported unless the caller's
table is one of theirs (or pyarrow is what pandas already uses for text), so neither is a
dependency.

Text is where the cost hides. An Arrow-backed text column (pandas' ``str`` dtype when pyarrow
is installed, a polars ``String``, an Arrow ``string``) read as Python objects makes a new
``str`` for every cell. Here such a column is factorised in Arrow instead, and only its distinct
values become Python objects: the engine then reads an object column whose cells share them.
On the way out the text columns are built in Arrow from codes into their few distinct values,
not from a million Python strings; without pyarrow, polars gathers them from those values, or
cuts them from blocks of joined text (:func:`polars_text`).

Numbers are where the memory goes. The engine keeps its own checked copy of each measure, so a
polars or Arrow table read for scoring keeps its decimal columns in Arrow (``numbers_in_arrow``)
rather than being copied whole into numpy first.

Example:
    >>> import pandas as pd
    >>> frame, kind = to_pandas(pd.DataFrame({"council": ["A"]}), "score_frame")
    >>> kind, list(frame.columns)
    ('pandas', ['council'])
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from earlywarning._optional import require
from earlywarning.errors import ArrowDependencyError

__all__ = [
    "Kind",
    "coded_text",
    "frame_kind",
    "from_pandas",
    "missing_last",
    "objects_text",
    "polars_text",
    "shared_text",
    "text_in_arrow",
    "to_pandas",
    "utf8_text",
]

Kind = Literal["pandas", "polars", "arrow"]
"""The kinds of table given back: a table of another kind is read as pandas, and given back as
pandas."""


def frame_kind(data: Any) -> Kind | None:
    """The kind of table ``data`` is, without importing polars or pyarrow; None if it is none.

    Anything that gives an Arrow C stream (``__arrow_c_stream__``: pyarrow, DuckDB, nanoarrow,
    ...) counts as Arrow, and comes back as a pyarrow Table.

    Example:
        >>> import pandas as pd
        >>> frame_kind(pd.DataFrame()), frame_kind([{"council": "A"}])
        ('pandas', None)
    """
    if isinstance(data, pd.DataFrame):
        return "pandas"
    cls = type(data)
    if cls.__module__.split(".")[0] == "polars" and cls.__name__ == "DataFrame":
        return "polars"
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return "arrow"
    return None


def to_pandas(data: Any, who: str, *, numbers_in_arrow: bool = False) -> tuple[pd.DataFrame, Kind]:
    """``data`` as a pandas frame, and the kind to give the result back as.

    A pandas frame is returned as it is; a polars frame goes through Arrow when pyarrow is
    installed (no copy of its buffers) and column by column through numpy when it is not;
    an Arrow table becomes pandas by pyarrow. A table of another kind that offers the
    dataframe interchange protocol (``__dataframe__``) is read by pandas and given back as
    pandas.

    With ``numbers_in_arrow``, a polars or Arrow table's decimal columns stay in Arrow's
    buffers (pandas' ``ArrowDtype``, a NaN made a null) instead of being copied into numpy:
    for a caller that reads each column once and keeps its own copy of what it read (the
    engine's checks), so that the whole table is not held twice.

    Raises:
        TypeError: for anything that is not a table, naming ``who`` and what it was given
            (a polars LazyFrame: collect it first).

    Example:
        >>> to_pandas([1, 2], "score_frame")
        Traceback (most recent call last):
        ...
        TypeError: score_frame needs a table (pandas, polars or Arrow), not list
    """
    kind = frame_kind(data)
    if kind == "pandas":
        return data, "pandas"
    if kind == "polars":
        return _polars_to_pandas(data, numbers_in_arrow), "polars"
    if kind == "arrow":
        table = _pyarrow().table(data)  # a pyarrow Table as it is; any other stream read once
        return _arrow_to_pandas(table, numbers_in_arrow), "arrow"
    if type(data).__name__ == "LazyFrame":
        raise TypeError(f"{who} needs a table, not a polars LazyFrame: collect() it first")
    if hasattr(data, "__dataframe__"):
        return pd.api.interchange.from_dataframe(data), "pandas"
    raise TypeError(f"{who} needs a table (pandas, polars or Arrow), not {type(data).__name__}")


def missing_last(values: Sequence[Any] | np.ndarray, missing: Any = None) -> np.ndarray:
    """``values`` as an object array with ``missing`` after them, so that taking code -1 from
    it gives the missing value.

    Example:
        >>> import numpy as np
        >>> missing_last(["a", "b"])[np.array([1, -1])].tolist()
        ['b', None]
    """
    return np.concatenate([np.asarray(values, dtype=object), np.array([missing], dtype=object)])


def _pyarrow() -> Any:
    # reached with Arrow in hand, so pyarrow is usually there; an Arrow stream from another
    # library (DuckDB, nanoarrow) without pyarrow is refused naming the extra
    return require("pyarrow", ArrowDependencyError, "Arrow tables need", "arrow")


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _arrow_to_pandas(table: Any, numbers_in_arrow: bool = False) -> pd.DataFrame:
    mapper = None
    if numbers_in_arrow:
        pa = _pyarrow()
        table = _nan_as_null(table)

        def mapper(dtype: Any) -> Any:
            return pd.ArrowDtype(dtype) if pa.types.is_floating(dtype) else None

    # a column apiece: one 2-D block of all the numbers would be a second copy of them
    frame: pd.DataFrame = table.to_pandas(split_blocks=True, types_mapper=mapper)
    return frame


def _nan_as_null(table: Any) -> Any:
    """``table`` with each NaN in a decimal column made a null: numpy holds both as NaN, and
    both mean no data, but Arrow keeps a NaN as a value. A column without NaN is not copied."""
    pa = _pyarrow()
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if pa.types.is_floating(field.type):
            nan = pc.is_nan(table.column(i))
            if pc.any(nan).as_py():
                table = table.set_column(i, field, pc.if_else(nan, None, table.column(i)))
    return table


def _polars_to_pandas(data: Any, numbers_in_arrow: bool) -> pd.DataFrame:
    if _has_pyarrow():
        return _arrow_to_pandas(data.to_arrow(), numbers_in_arrow)
    # Without pyarrow, numbers come through numpy (no copy where there are no nulls) and text
    # as Python objects, as pandas holds text without pyarrow.
    columns = {name: _polars_column(data.get_column(name)) for name in data.columns}
    return pd.DataFrame(columns, copy=False)


def _polars_column(series: Any) -> Any:
    """One polars column in numpy: text as an object column (None: missing) whose cells share
    one Python string per distinct value when values repeat (names, ratings, yes/no), so
    that a million rows do not make a million strings."""
    import polars

    if series.dtype != polars.String:
        return series.to_numpy()
    values = series.drop_nulls().unique()
    if len(values) > len(series) // 2:  # nearly all distinct: nothing to share
        return pd.Series(series.to_numpy(), dtype=object, copy=False)
    codes = series.cast(polars.Enum(values)).to_physical().cast(polars.Int64).fill_null(-1)
    cells = missing_last(values.to_list())[codes.to_numpy()]
    # object, not pandas' inferred text dtype, which would check every cell again
    return pd.Series(cells, dtype=object, copy=False)


def from_pandas(out: pd.DataFrame, kind: Kind) -> Any:
    """The engine's pandas result as the caller's kind of table (the index is dropped: polars
    and Arrow tables have none, and the rows keep the caller's order).

    Missing values become nulls: a failed row's NaN score is a null in polars and in Arrow.
    The frame's text ``attrs`` become an Arrow table's schema metadata.

    Example:
        >>> import pandas as pd
        >>> from_pandas(pd.DataFrame({"score": [1.0]}), "pandas").equals(
        ...     pd.DataFrame({"score": [1.0]}))
        True
    """
    if kind == "pandas":
        return out
    if _has_pyarrow():
        pa = _pyarrow()
        # a column of None alone (no red flag in any row) is text with nothing in it, not
        # Arrow's type of nulls, which polars would show as a column of no type
        empty = [
            pa.field(str(name), pa.large_string())
            for name in out.columns
            if out[name].dtype == object and out[name].isna().all()
        ]
        schema = pa.Schema.from_pandas(out, preserve_index=False)
        for field in empty:
            schema = schema.set(schema.get_field_index(field.name), field)
        table = pa.Table.from_pandas(out, schema=schema, preserve_index=False)
        # the frame's text attrs (the ruleset's identity) in place of pandas' notes on its index
        notes = {str(k): v for k, v in out.attrs.items() if isinstance(v, str)}
        table = table.replace_schema_metadata(notes or None)
        if kind == "arrow":
            return table
        import polars

        # the reasons come in a chunk per block of rows: polars reads them as they are
        # rather than copying them into one
        return polars.from_arrow(table, rechunk=False)
    import polars  # kind is polars: the caller gave a polars frame, so it is installed

    columns = []
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            # polars reads NaN as a number: a missing score is a null, as from Arrow
            columns.append(polars.Series(name, column.to_numpy(), nan_to_null=True))
        else:
            # text from its few distinct values (bands, red flags, errors): polars gathers
            # them by code, with no Python string handed over per row
            codes, values = pd.factorize(column)
            text = polars.Series(name, [*values.tolist(), None], dtype=polars.String)
            columns.append(text.gather(np.where(codes < 0, len(values), codes)))
    return polars.DataFrame(columns)


def polars_text(name: str, blocks: Iterable[str], missing: np.ndarray) -> Any:
    """A polars text column from blocks of rows, each row's text followed by a newline, cut
    into rows by polars; rows where ``missing`` is True are null. No Python string is made
    per row, and each block's text can go once polars holds it.

    Example:
        >>> import numpy as np
        >>> polars_text("r", ["a\\n\\n", "b; c\\n"], np.array([False, True, False])).to_list()
        ['a', None, 'b; c']
    """
    import polars

    rows = [polars.Series(name, [text]).str.split("\n").explode().head(-1) for text in blocks]
    column = polars.concat(rows) if rows else polars.Series(name, [], dtype=polars.String)
    if missing.any():
        column = column.scatter(np.flatnonzero(missing), None)
    return column


# Arrow's types of plain text; a dictionary of one of them is text too. A list or a struct of
# text is not: Arrow cannot find its distinct values, and the engine refuses its cells one by one.
_ARROW_TEXT = ("string", "large_string", "string_view")


def _coded(dtype: Any) -> bool:
    """Whether a column of ``dtype`` holds text in Arrow or as categories (:func:`_shared`)."""
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return True
    kind = str(getattr(dtype, "pyarrow_dtype", ""))
    values = kind.removeprefix("dictionary<values=").split(",")[0]
    return kind in _ARROW_TEXT or (kind.startswith("dictionary<") and values in _ARROW_TEXT)


# Up to this many rows, text in Arrow is read a string per cell: sharing a few strings saves
# nothing worth having, and finding the distinct values costs more than the strings (on this
# machine the two cost the same near 3,000 rows)
_SHARE_FROM = 1_000


def _shared(column: pd.Series) -> np.ndarray:
    """The cells of a text column held in Arrow or as categories (:func:`_coded`) as Python
    objects, NaN where missing; from codes into the distinct values, which the cells share."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), dtype.categories.to_numpy(dtype=object)
    elif len(column) < _SHARE_FROM and (
        isinstance(dtype, pd.StringDtype)
        or str(getattr(dtype, "pyarrow_dtype", "")) in ("string", "large_string")
    ):
        # (plain text only: other Arrow types that hold text go by codes, as they always have)
        cells: np.ndarray = column.to_numpy(dtype=object, na_value=np.nan)
        return cells
    else:
        codes, uniques = pd.factorize(column)  # in Arrow: dictionary_encode
        values = np.asarray(uniques, dtype=object)
    shared: np.ndarray = missing_last(values, np.nan)[codes]  # code -1 (missing) takes the NaN
    return shared


def shared_text(frame: pd.DataFrame, names: Collection[str]) -> pd.DataFrame:
    """``frame`` with each column named in ``names`` that holds text in Arrow (or categories)
    as an object column whose cells share one Python string per distinct value (from a
    thousand rows; in a smaller frame the strings are too few to be worth sharing).

    The engine reads text columns as Python objects; reading an Arrow column so would make a
    new string for every cell. Missing cells read as NaN, as Arrow text reads. The caller's
    frame is not changed.

    Example:
        >>> import pandas as pd
        >>> f = pd.DataFrame({"council": pd.Categorical(["A", "A", None])})
        >>> out = shared_text(f, {"council"})
        >>> out["council"].dtype, out["council"].tolist()
        (dtype('O'), ['A', 'A', nan])
        >>> out["council"][0] is out["council"][1]
        True
    """
    if not frame.columns.is_unique:
        return frame  # the engine refuses repeated names, naming them: leave that to it
    changed: dict[str, pd.Series] = {}
    # the dtypes first, all at once: on a small frame, taking each column out of the frame to
    # look at its dtype costs more than the rest
    for name, dtype in zip(frame.columns, frame.dtypes.tolist(), strict=True):
        if name in names and _coded(dtype):
            cells = _shared(frame[name])
            changed[name] = pd.Series(cells, index=frame.index, dtype=object, copy=False)
    if not changed:
        return frame
    out = frame.copy(deep=False)
    for name, column in changed.items():
        out[name] = column
    return out


@cache
def _inferred_text() -> Any:
    """The dtype pandas gives a column of Python strings."""
    return pd.Series(np.array(["a"], dtype=object)).dtype


def _arrow_str() -> pd.api.extensions.ExtensionDtype | None:
    """pandas' dtype for text when it holds text in Arrow (pandas 3 with pyarrow), else None.

    pyarrow is asked for each time (a lookup once it is imported): a caller may hide it after
    pandas found it, and then text is built as Python objects, which pandas takes too.
    """
    inferred = _inferred_text()
    if isinstance(inferred, pd.StringDtype) and inferred.storage == "pyarrow" and _has_pyarrow():
        return inferred
    return None


def coded_text(codes: np.ndarray, values: Sequence[str] | np.ndarray) -> Any:
    """A text column from codes into its distinct ``values`` (-1: missing), in the form pandas
    holds text: built in Arrow when pandas holds text in Arrow, else an object array (with None
    for missing, and so when every cell is missing, as pandas would infer from the objects).

    Example:
        >>> import numpy as np, pandas as pd
        >>> pd.Series(coded_text(np.array([1, -1, 0]), ["low", "high"])).tolist()
        ['high', nan, 'low']
    """
    dtype = _arrow_str()
    if dtype is None or not (codes >= 0).any():
        # pandas infers no text dtype for a column of None alone: it stays object, as here
        return missing_last(values)[codes]
    pa = _pyarrow()
    dictionary = pa.array(list(values), type=pa.large_string())
    indices = pa.array(codes.astype(np.int32, copy=False), mask=codes < 0)
    text = pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()
    return pd.array(text, dtype=dtype)


def objects_text(cells: np.ndarray) -> Any:
    """An object array of text (None: missing) in the form pandas holds text: one pass into
    Arrow when pandas holds text in Arrow (pandas' own conversion checks each cell in Python
    first), else the array as it is.

    Example:
        >>> import numpy as np, pandas as pd
        >>> pd.Series(objects_text(np.array(["a", None], dtype=object))).tolist()
        ['a', nan]
    """
    dtype = _arrow_str()
    if dtype is None or pd.isna(cells).all():
        return cells  # pandas infers no text dtype for a column of None alone: object, as here
    pa = _pyarrow()
    return pd.array(pa.array(cells, type=pa.large_string(), from_pandas=True), dtype=dtype)


def text_in_arrow() -> bool:
    """Whether pandas holds text in Arrow (pandas 3 with pyarrow installed).

    Example:
        >>> isinstance(text_in_arrow(), bool)
        True
    """
    return _arrow_str() is not None


def utf8_text(blocks: Sequence[tuple[np.ndarray, np.ndarray]], missing: np.ndarray) -> Any:
    """A pandas text column built in Arrow from UTF-8 in Arrow's layout, one chunk per block:
    in a block, row ``i`` is ``data[offsets[i]:offsets[i + 1]]``. Rows where ``missing`` is
    True are missing. Only when :func:`text_in_arrow`.

    Example:
        >>> import numpy as np, pandas as pd
        >>> if text_in_arrow():
        ...     block = (np.array([0, 1, 3]), np.frombuffer(b"abc", np.uint8))
        ...     column = utf8_text([block], np.array([False, True]))
        ...     assert pd.Series(column).tolist() == ["a", np.nan]
    """
    pa = _pyarrow()
    chunks = []
    begin = 0
    for offsets, data in blocks:
        n = len(offsets) - 1
        gone = missing[begin : begin + n]
        valid = pa.py_buffer(np.packbits(~gone, bitorder="little")) if gone.any() else None
        buffers = [valid, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(data)]
        chunks.append(
            pa.Array.from_buffers(pa.large_string(), n, buffers, null_count=int(gone.sum()))
        )
        begin += n
    return pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype=_arrow_str())
