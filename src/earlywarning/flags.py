"""The one reading of yes/no: profile flags, outcome columns and labels all go through here.

:func:`parse_flag` reads one value; :func:`flag_column` reads a whole column and refuses, with
an :class:`~earlywarning.errors.OutcomeError` naming the column, the row and the value, anything
that is not a yes/no. Text such as ``"no"`` is read as False, never as a non-empty (so true)
string.

Example:
    >>> from earlywarning.flags import flag_column
    >>> flag_column(["yes", "no", True, 0], "below_good").tolist()
    [True, False, True, False]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.errors import OutcomeError

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "flag_column", "parse_flag"]

TRUE_WORDS: frozenset[str] = frozenset({"true", "yes", "y", "1", "t"})
"""Text read as true (any case, surrounding spaces ignored)."""

FALSE_WORDS: frozenset[str] = frozenset({"false", "no", "n", "0", "f"})
"""Text read as false (any case, surrounding spaces ignored)."""


def parse_flag(value: Any) -> bool | None:
    """A yes/no value as a bool, or None when it is not one (the caller decides what to refuse).

    Accepted: a bool (numpy's too); a number equal to 0 or 1; the text yes/no, y/n, true/false,
    t/f or 1/0 in any case. Everything else, missing values included, gives None.

    Example:
        >>> from earlywarning.flags import parse_flag
        >>> parse_flag("No"), parse_flag(1), parse_flag(" yes "), parse_flag("maybe")
        (False, True, True, None)
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    return None


def flag_column(values: Iterable[Any] | pd.Series | np.ndarray, column: str) -> np.ndarray:
    """Read a column of yes/no values (see :func:`parse_flag`) as a boolean array.

    A Series names its rows by index label; anything else by position. A missing value is
    refused like any other value that is not yes/no: leave unknown rows out before calling.

    Raises:
        OutcomeError: at the first value that is not yes/no, naming ``column``, the row and
            the value.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.flags import flag_column
        >>> flag_column(pd.Series(["no", "yes"], index=["a", "b"]), "declined").tolist()
        [False, True]
        >>> try:
        ...     flag_column(pd.Series(["no", "maybe"], index=["a", "b"]), "declined")
        ... except ValueError as e:
        ...     print(e)
        column 'declined', row 'b': 'maybe' is not true/false (yes/no, 1/0)
    """
    if isinstance(values, pd.Series):
        rows: Any = values.index
        array = values.to_numpy()
    else:
        array = np.asarray(values if isinstance(values, np.ndarray) else list(values))
        rows = range(len(array))
    if array.dtype == bool:
        return array.copy()
    if array.dtype.kind in "iuf":
        # the fast path for numbers: every value must be exactly 0 or 1 (NaN is neither)
        ok = (array == 0) | (array == 1)
        if ok.all():
            return np.asarray(array == 1, dtype=bool)
        first = int(np.argmin(ok))
        raise OutcomeError(column, rows[first], array[first].item())
    out = np.empty(len(array), dtype=bool)
    for i, value in enumerate(array):
        flag = parse_flag(value)
        if flag is None:
            raise OutcomeError(column, rows[i], value)
        out[i] = flag
    return out
