"""Every numeric argument checked in one place, by the Python API and the command line alike.

Each function takes the value a caller gave and returns it checked (a whole number as an
``int``, a margin as a ``float``), or raises :class:`~earlywarning.EarlyWarningError` naming the
argument, the value and what it may be. The API functions call these at their start, and the
command line parses text with :func:`parse_years`, :func:`parse_whole` and :func:`parse_number`
and then passes the value on to the same API, so the two refuse exactly the same things with
exactly the same words. Nothing is rounded, truncated or replaced: ``2020.5`` is not a year,
``nan`` is not a margin, and ``2020-2017`` is not a range.
"""

from __future__ import annotations

import argparse
import math
import numbers
import re
from collections.abc import Iterable

from earlywarning._names import excerpt
from earlywarning.errors import EarlyWarningError

__all__ = [
    "MAX_FOLDS",
    "MAX_RESAMPLES",
    "MAX_ROUNDS",
    "MAX_SEED",
    "check_margin",
    "check_whole",
    "check_year",
    "check_years",
    "parse_number",
    "parse_whole",
    "parse_years",
]

MAX_ROUNDS = 1000
"""The most rounds a search may be asked for: each is a pass over every number it may move."""
MAX_FOLDS = 10_000
"""The most folds a cross-validation or held-out fit may be asked for."""
MAX_RESAMPLES = 1_000_000
"""The most bootstrap resamples an interval may be asked for."""
MAX_SEED = 2**32 - 1
"""The largest seed: numpy's and scikit-learn's generators take seeds below 2**32."""

# The most years one call may name: the bundled data hold 16, and a range is checked before any
# list is built, so "1-300000000" is refused at once instead of filling memory.
_MOST_YEARS = 200


def _whole(value: object) -> int | None:
    """``value`` as an int if it is a whole number (not a bool, not text), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    return int(number) if math.isfinite(number) and number.is_integer() else None


def check_whole(value: object, name: str, low: int, high: int, kind: str = "whole number") -> int:
    """``value`` as a whole number from ``low`` to ``high``, or an error naming ``name`` (and
    the ``kind`` of number it should be).

    Example:
        >>> check_whole(5, "folds", 2, 100), check_whole(5.0, "folds", 2, 100)
        (5, 5)
        >>> try:
        ...     check_whole(2.5, "folds", 2, 100)
        ... except EarlyWarningError as e:
        ...     print(e)
        folds: 2.5 is not a whole number from 2 to 100
    """
    whole = _whole(value)
    if whole is None or not low <= whole <= high:
        raise EarlyWarningError(f"{name}: {excerpt(value)} is not a {kind} from {low} to {high}")
    return whole


def check_margin(value: object, name: str, low: float, high: float) -> float:
    """``value`` as a number from ``low`` to ``high`` (not NaN, not infinite, not text).

    Example:
        >>> check_margin(10, "rise_margin", 0, 100)
        10.0
        >>> try:
        ...     check_margin(float("nan"), "rise_margin", 0, 100)
        ... except EarlyWarningError as e:
        ...     print(e)
        rise_margin: nan is not a number from 0 to 100
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        number = math.nan
    else:
        number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise EarlyWarningError(
            f"{name}: {excerpt(value)} is not a number from {low:g} to {high:g}"
        )
    return number


def check_year(value: object, low: int, high: int, name: str = "year") -> int:
    """One year, a whole number from ``low`` to ``high`` (the years of the data).

    Example:
        >>> try:
        ...     check_year(2020.5, 2011, 2026)
        ... except EarlyWarningError as e:
        ...     print(e)
        year: 2020.5 is not a whole year from 2011 to 2026
    """
    return check_whole(value, name, low, high, kind="whole year")


def check_years(values: Iterable[object], low: int, high: int, name: str = "years") -> list[int]:
    """Years, each a whole number from ``low`` to ``high``, sorted and without repeats.

    Raises:
        EarlyWarningError: for an empty list, a list of more than 200, a value that is not a
            whole year, or one outside the data; text (``"2020"``) is not a list of years.

    Example:
        >>> check_years([2021, 2020, 2021], 2011, 2026)
        [2020, 2021]
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise EarlyWarningError(f"{name}: {excerpt(values)} is not a list of years")
    given: list[object] = []
    for value in values:
        given.append(value)
        if len(given) > _MOST_YEARS:
            raise EarlyWarningError(
                f"{name}: more than {_MOST_YEARS} years; the data hold "
                f"{high - low + 1}, {low} to {high}"
            )
    if not given:
        raise EarlyWarningError(f"{name}: no years given; the data hold {low} to {high}")
    return sorted({check_year(v, low, high, name) for v in given})


_RANGE = re.compile(r"\s*(\d{1,9})\s*-\s*(\d{1,9})\s*")
_LIST = re.compile(r"\s*\d{1,9}\s*(?:,\s*\d{1,9}\s*)*")


def parse_years(text: str, low: int, high: int, name: str = "--years") -> list[int]:
    """The years of a ``FIRST-LAST`` range (both included) or a comma list, checked.

    A reversed range, a malformed one and years outside the data are refused, never replaced;
    a range's ends are checked before its years are listed.

    Example:
        >>> parse_years("2018-2020", 2011, 2026), parse_years("2017, 2026", 2011, 2026)
        ([2018, 2019, 2020], [2017, 2026])
        >>> for text in ("2020-2017", "1-300000000", "2018-", "2018.5"):
        ...     try:
        ...         parse_years(text, 2011, 2026)
        ...     except EarlyWarningError as e:
        ...         print(e)
        --years: '2020-2017' runs backwards: write the first year first (2017-2020)
        --years: 1 is not a whole year from 2011 to 2026
        --years: '2018-' is not FIRST-LAST or a comma list of years
        --years: '2018.5' is not FIRST-LAST or a comma list of years
    """
    if (match := _RANGE.fullmatch(text)) is not None:
        first, last = int(match[1]), int(match[2])
        if first > last:
            raise EarlyWarningError(
                f"{name}: {excerpt(text)} runs backwards: write the first year first "
                f"({last}-{first})"
            )
        check_years([first, last], low, high, name)  # the ends, before any list is built
        return list(range(first, last + 1))
    if _LIST.fullmatch(text):
        return check_years([int(part) for part in text.split(",")], low, high, name)
    raise EarlyWarningError(f"{name}: {excerpt(text)} is not FIRST-LAST or a comma list of years")


def parse_whole(text: str) -> int:
    """Command-line text as a whole number, for ``argparse``'s ``type=``; the range is checked
    by the API the value is passed to.

    Example:
        >>> parse_whole(" 12 ")
        12
    """
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{excerpt(text)} is not a whole number") from None


def parse_number(text: str) -> float:
    """Command-line text as a number, for ``argparse``'s ``type=``: ``nan`` and ``inf`` are
    refused here, as the API would refuse them.

    Example:
        >>> parse_number("7.5")
        7.5
    """
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{excerpt(text)} is not a number")
    return number
