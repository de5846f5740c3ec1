"""Reading cells: the one parser of a number, and whole columns read with exactly its results.

Private machinery of :mod:`earlywarning.profile`; its names are public within the package.
:func:`to_float` and :func:`is_missing` decide what one value is. :func:`number_column` and
:func:`text_column` apply them to a million cells at once without a Python call per cell where
the cells are plain: numbers as text go through numpy's cast (which calls Python's own
``float`` on each cell, in C), and only the cells it cannot read go through :func:`to_float`
one by one, so every accepted value and every message is the same as for one profile.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["distinct_map", "is_missing", "number_column", "text_column", "to_float"]

# Kinds of object column (pandas.api.types.infer_dtype) whose every present cell is read by
# float() exactly as by to_float: text without thousands commas, and numbers that are not bools
_FLOAT_LIKE = frozenset({"floating", "integer", "mixed-integer-float", "string", "decimal"})
# Commas are read only as thousands separators, in groups of three: "12,5" (a decimal comma, as
# a semicolon-separated European file writes it) is refused, never read as 125.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# cells cast at once; a block that holds a cell float() refuses is read cell by cell
_BLOCK = 2048


def to_float(value: Any) -> float:
    """The number in a present value, NaN when it is not one.

    The one parser for numbers, used for a single profile and for every cell of a frame, so the
    two accept the same text. A bool is not a number; text may carry spaces and thousands
    commas (in groups of three: a decimal comma is not read). An integer too large for a float
    is an infinity of its sign, so that it is refused as out of range rather than as not a
    number.

    Example:
        >>> to_float(" 1,310 "), to_float("12,5"), to_float(True), to_float(10**400)
        (1310.0, nan, nan, inf)
    """
    if isinstance(value, np.generic):
        value = value.item()  # as a single profile reads it: np.complex128 is complex
    if isinstance(value, bool | complex):
        return math.nan
    if isinstance(value, str):
        value = value.strip()
        if "," in value:
            if not _THOUSANDS.fullmatch(value):
                return math.nan
            value = value.replace(",", "")
    try:
        return float(value)
    except OverflowError:
        if isinstance(value, int):
            return math.inf if value > 0 else -math.inf
        return math.nan
    except (TypeError, ValueError):
        return math.nan


def is_missing(value: Any) -> bool:
    """Whether a value means 'no data': None, NaN, blank text, pandas' NA or NaT.

    Example:
        >>> is_missing("  "), is_missing(0), is_missing(float("nan"))
        (True, False, True)
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip() == "":
        return True
    return value is pd.NA or value is pd.NaT


def number_column(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of a column that is not of a plain numeric dtype, and where it has data.

    Returns ``(x, present)``: ``x`` is :func:`to_float` of every present cell (NaN where a
    present cell is not a number, and where nothing is present); ``present`` is the opposite of
    :func:`is_missing`.

    Example:
        >>> x, present = number_column(pd.Series(["12", " 1,310 ", "", "lots", None]))
        >>> x.tolist(), present.tolist()
        ([12.0, 1310.0, nan, nan, nan], [True, True, False, True, False])
    """
    cells = raw.to_numpy(dtype=object)
    x = np.full(len(cells), np.nan)
    present = ~pd.isna(cells)
    # what pandas calls missing, to_float's caller may not (a Decimal NaN): ask is_missing
    odd = [i for i in np.flatnonzero(~present).tolist() if not is_missing(cells[i])]
    present[odd] = True
    slow: list[int] = odd
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind == "string":
        # empty cells (a CSV's blanks) are missing; leave them out of the cast, which they
        # would make fail for their whole block
        have = np.flatnonzero(present)
        present[have[cells[have] == ""]] = False
    todo = np.flatnonzero(present)
    if kind in _FLOAT_LIKE:
        slow += _cast(cells, todo, x)
    else:
        slow += todo.tolist()
    for i in slow:
        v = cells[i]
        if is_missing(v):
            present[i] = False
        else:
            x[i] = to_float(v)
    return x, present


def _cast(cells: np.ndarray, todo: np.ndarray, x: np.ndarray) -> list[int]:
    """Cast the cells at ``todo`` into ``x``; the positions that need a cell-by-cell read."""
    try:
        x[todo] = cells[todo].astype(np.float64)
        return []
    except (TypeError, ValueError, OverflowError):
        pass
    slow: list[int] = []
    for begin in range(0, len(todo), _BLOCK):
        block = todo[begin : begin + _BLOCK]
        try:
            x[block] = cells[block].astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            slow += block.tolist()
    return slow


def distinct_map(raw: pd.Series, read: Any) -> np.ndarray:
    """``read`` of every cell as a float array, called once per distinct cell value.

    Cells pandas folds together as missing are each read on their own, so that ``read`` sees
    exactly what a single profile would.

    Example:
        >>> distinct_map(pd.Series(["a", "b", "a", None]), lambda v: float(v == "a")).tolist()
        [1.0, 0.0, 1.0, 0.0]
    """
    cells = raw.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    except TypeError:  # an unhashable cell: read every cell
        codes, uniques = np.arange(len(cells)), cells
    out = np.array([read(v) for v in uniques], dtype=float)[codes]
    for i in np.flatnonzero(pd.isna(cells)).tolist():
        out[i] = read(cells[i])
    return out


def text_column(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A text column stripped: ``(text, missing, not_text)``, each distinct value read once.

    ``text`` is the stripped text (None where missing or not text); ``missing`` is
    :func:`is_missing`; ``not_text`` marks present cells that are not text.

    Example:
        >>> text, missing, not_text = text_column(pd.Series([" Kent ", "", 3, None]))
        >>> text.tolist(), missing.tolist(), not_text.tolist()
        (['Kent', None, None, None], [False, True, False, True], [False, False, True, False])
    """
    cells = raw.to_numpy(dtype=object)
    try:
        # council names repeat a lot: strip each distinct one once
        codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    except TypeError:  # an unhashable cell: read every cell
        codes, uniques = np.arange(len(cells)), cells
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        # every cell is text (the usual case): is_missing of text is its being blank, and no
        # cell is one pandas calls missing
        stripped = np.array([v.strip() for v in uniques.tolist()], dtype=object)
        blank = stripped == ""
        stripped[blank] = None
        return stripped[codes], blank[codes], np.zeros(len(cells), dtype=bool)
    values = list(uniques)
    missing = np.array([is_missing(v) for v in values], dtype=bool)
    text = np.empty(len(values), dtype=object)
    text[:] = [
        v.strip() if isinstance(v, str) and not m else None
        for v, m in zip(values, missing, strict=True)
    ]
    not_text = ~missing & np.array([not isinstance(v, str) for v in values], dtype=bool)
    text, missing, not_text = text[codes], missing[codes], not_text[codes]
    # factorize folds every missing-looking cell into one; is_missing decides for each (a
    # Decimal NaN is not missing text, it is not text at all)
    for i in np.flatnonzero(pd.isna(cells)).tolist():
        missing[i] = is_missing(cells[i])
        not_text[i] = not missing[i] and not isinstance(cells[i], str)
    return text, missing, not_text
