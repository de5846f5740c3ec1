"""The frozen split of the inspections into a training and a test period, defined once.

Rules and thresholds are chosen on the inspections of the training period (to 31 March 2022:
the default ruleset was chosen on them). The inspections of the test period (April 2022 to
March 2025) are measured, never tuned on: they are the out-of-time evidence. Inspections after
March 2025 are not in the project.

Every part of the library that picks inspections by period reads :data:`PERIODS`:
:func:`~earlywarning.datasets.ilacs_inspections` and
:func:`~earlywarning.datasets.inspection_profiles` (``period=``), validation (both periods side
by side), fitting (training rows unless another period is named) and the drift measure
(:mod:`earlywarning.drift`, against the training period).

Example:
    >>> from earlywarning.datasets.periods import PERIODS
    >>> [(p.name, str(p.first), str(p.last)) for p in PERIODS]
    [('training', '2018-01-01', '2022-03-31'), ('test', '2022-04-01', '2025-03-31')]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from earlywarning.datasets._england import ILACS_FILE, ILACS_TEST_FILE, OUTCOMES_CUTOFF
from earlywarning.errors import EarlyWarningError

__all__ = [
    "PERIODS",
    "PERIOD_CHOICES",
    "PERIOD_NAMES",
    "TRAINING_CUTOFF",
    "Period",
    "PeriodChoice",
    "check_in_period",
    "periods_named",
]

TRAINING_CUTOFF = dt.date(2022, 3, 31)
"""The end of the frozen split's training period: rules are chosen on inspections to this date
and measured, never tuned, on the inspections after it."""


@dataclass(frozen=True)
class Period:
    """One period of the frozen split: its name, its days (both ends inclusive), its file.

    Example:
        >>> from earlywarning.datasets.periods import PERIODS
        >>> PERIODS[1].label
        'test (April 2022 to March 2025)'
    """

    name: str
    first: dt.date
    last: dt.date
    file: str
    role: str

    @property
    def label(self) -> str:
        """The name with the months it spans, as reports print it."""
        return f"{self.name} ({self.first:%B %Y} to {self.last:%B %Y})"

    def holds(self, dates: pd.Series) -> pd.Series:
        """Which of ``dates`` fall in the period (False for a missing date)."""
        days = pd.to_datetime(dates)
        return (days >= pd.Timestamp(self.first)) & (days <= pd.Timestamp(self.last))


PERIODS: tuple[Period, ...] = (
    Period(
        "training",
        # ILACS began in January 2018; the period starts with it
        dt.date(2018, 1, 1),
        TRAINING_CUTOFF,
        ILACS_FILE,
        "the default ruleset and its thresholds were chosen on these",
    ),
    Period(
        "test",
        TRAINING_CUTOFF + dt.timedelta(days=1),
        OUTCOMES_CUTOFF,
        ILACS_TEST_FILE,
        "measured, never tuned on (the out-of-time evidence)",
    ),
)
"""The two periods, training first."""

PERIOD_NAMES: tuple[str, ...] = tuple(p.name for p in PERIODS)
"""The periods' names, training first."""

PeriodChoice = Literal["training", "test", "all"]
"""A period by name, or ``"all"`` for both."""

PERIOD_CHOICES: tuple[str, ...] = (*PERIOD_NAMES, "all")
"""What a ``period=`` argument (and ``--period``) accepts."""


def periods_named(period: object, caller: str) -> tuple[Period, ...]:
    """The periods a ``period=`` argument names: one, or both for ``"all"``.

    Raises:
        EarlyWarningError: naming the caller and the value, for anything else.

    Example:
        >>> from earlywarning.datasets.periods import periods_named
        >>> [p.name for p in periods_named("all", "example")]
        ['training', 'test']
    """
    if period == "all":
        return PERIODS
    for p in PERIODS:
        if period == p.name:
            return (p,)
    raise EarlyWarningError(
        f"{caller}: period {period!r} is not one of {', '.join(map(repr, PERIOD_CHOICES))}"
    )


def check_in_period(dates: pd.Series, period: object, caller: str) -> None:
    """Refuse rows dated outside the named period(s), naming the first such row and its date.

    Used where rules or thresholds are chosen, so that no test-period row reaches the choice
    unless the caller names that period.

    Raises:
        EarlyWarningError: a row's date is outside the period, missing or not a date (or the
            period is unknown).

    Example:
        >>> import pandas as pd
        >>> from earlywarning.datasets.periods import check_in_period
        >>> check_in_period(pd.Series(pd.to_datetime(["2021-05-01"])), "training", "fit")
    """
    named = periods_named(period, caller)
    if pd.api.types.is_datetime64_any_dtype(dates):
        days = dates
    else:
        days = pd.to_datetime(dates, errors="coerce", format="ISO8601")
        unread = days.isna() & dates.notna()
        if unread.any():
            row = dates.index[unread.to_numpy()][0]
            raise EarlyWarningError(
                f"{caller}: row {row!r} has inspection_start {dates.loc[row]!r}, not a date "
                "(write it as YYYY-MM-DD)"
            )
    inside = pd.Series(False, index=dates.index)
    for p in named:
        inside |= p.holds(days)
    if not inside.all():
        row = inside.index[~inside.to_numpy()][0]
        day = days.loc[row]
        shown = "missing" if pd.isna(day) else f"{pd.Timestamp(day):%d %B %Y}"
        names = " or ".join(p.label for p in named)
        raise EarlyWarningError(
            f"{caller}: row {row!r} is dated {shown}, outside the {names} period; rules are "
            "chosen on the training period: pass period='test' or 'all' (--period) to use "
            "other rows on purpose"
        )
