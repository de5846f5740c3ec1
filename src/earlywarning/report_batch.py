"""Kept so that ``earlywarning.report_batch`` keeps working.

The code lives in :mod:`earlywarning.report.batch`."""

from earlywarning.report.batch import (
    WatchlistReport,
    page_name,
    watchlist_report,
)

__all__ = [
    "WatchlistReport",
    "page_name",
    "watchlist_report",
]
