"""Dates and financial years as local facts use them: private machinery of
:mod:`earlywarning.local`.

A council's financial year runs from 1 April to 31 March and is written ``2015-16``. Budgets
and investment are stated per financial year; everything else is dated by day.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = [
    "FIRST_YEAR",
    "day_text",
    "financial_year",
    "fy_start",
    "fy_text",
    "parse_day",
    "parse_financial_year",
    "years_before",
]

FIRST_YEAR = 1990
"""No local fact is dated before this year (the profile's own first year): an earlier date is
taken for a typing error, not for a fact."""

_FY = re.compile(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def fy_text(year: int) -> str:
    """The financial year starting in April of ``year``, as councils write it.

    Example:
        >>> fy_text(2015), fy_text(1999)
        ('2015-16', '1999-00')
    """
    return f"{year}-{(year + 1) % 100:02d}"


def fy_start(year: int) -> dt.date:
    """The first day of the financial year starting in ``year``: 1 April."""
    return dt.date(year, 4, 1)


def financial_year(day: dt.date) -> int:
    """The financial year a day falls in, by the calendar year it starts in.

    Example:
        >>> financial_year(dt.date(2016, 3, 31)), financial_year(dt.date(2016, 4, 1))
        (2015, 2016)
    """
    return day.year if day.month >= 4 else day.year - 1


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February falls back to the 28th.

    Example:
        >>> years_before(dt.date(2016, 2, 29), 3)
        datetime.date(2013, 2, 28)
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def parse_financial_year(value: object) -> tuple[int | None, str]:
    """The start year of a financial year written ``2015-16`` (or ``2015/16``, ``2015-2016``),
    or None and why it is refused.

    Example:
        >>> parse_financial_year("2015-16"), parse_financial_year("2015/2016")
        ((2015, ''), (2015, ''))
        >>> parse_financial_year(2015)[1]
        'is not a financial year: write it as 2015-16 (April 2015 to March 2016)'
    """
    text = value.strip() if isinstance(value, str) else None
    match = _FY.fullmatch(text) if text is not None else None
    if match is None:
        example = value if isinstance(value, int) and not isinstance(value, bool) else 2015
        if not isinstance(example, int) or not FIRST_YEAR <= example <= 2100:
            example = 2015
        return None, (
            f"is not a financial year: write it as {fy_text(example)} "
            f"(April {example} to March {example + 1})"
        )
    start, end = int(match[1]), match[2]
    if int(end) % 100 != (start + 1) % 100:
        return None, f"is not a financial year: {end} does not follow {start}"
    if start < FIRST_YEAR:
        return None, f"is before {FIRST_YEAR}: a typing error?"
    return start, ""


def parse_day(value: object) -> tuple[dt.date | None, str]:
    """A day given as a date or as ISO text (``2016-06-30``), or None and why it is refused.

    A time of day is refused rather than dropped: facts are dated by day.

    Example:
        >>> parse_day("2016-06-30"), parse_day(dt.date(2016, 6, 30))[0]
        ((datetime.date(2016, 6, 30), ''), datetime.date(2016, 6, 30))
        >>> parse_day("30/06/2016")[1]
        'is not a date: write it as YYYY-MM-DD (2016-06-30)'
    """
    if isinstance(value, dt.datetime):
        return None, "is a date and time: give the date alone (YYYY-MM-DD)"
    day: dt.date | None = value if isinstance(value, dt.date) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            # only YYYY-MM-DD: fromisoformat also reads week dates and 20160630
            day = dt.date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
        except ValueError:  # 2016-02-30
            day = None
    if day is None:
        return None, "is not a date: write it as YYYY-MM-DD (2016-06-30)"
    if day.year < FIRST_YEAR:
        return None, f"is before {FIRST_YEAR}: a typing error?"
    return day, ""


def day_text(day: dt.date) -> str:
    """A day as sentences write it: ``1 July 2013``.

    Example:
        >>> day_text(dt.date(2013, 7, 1))
        '1 July 2013'
    """
    return f"{day.day} {day:%B %Y}"
