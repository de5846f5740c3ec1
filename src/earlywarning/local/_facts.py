"""The local facts of one or more councils, asked for as they stood on a day: private machinery
of :mod:`earlywarning.local`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from earlywarning.errors import EarlyWarningError
from earlywarning.local._councils import resolve
from earlywarning.local._derive import LOOKBACK_YEARS, Derivation, derive
from earlywarning.local._model import CouncilFacts
from earlywarning.local._years import parse_day

__all__ = ["MAX_LOOKBACK_YEARS", "LocalFacts", "as_day"]

MAX_LOOKBACK_YEARS = 20
"""The longest lookback asked for: a longer one is a typing error, not a question."""


def as_day(value: Any) -> dt.date:
    """A day given as a date, a datetime or pandas Timestamp (its date), or ISO text.

    Raises:
        EarlyWarningError: for anything else.

    Example:
        >>> as_day("2016-06-30"), as_day(dt.datetime(2016, 6, 30, 12))
        (datetime.date(2016, 6, 30), datetime.date(2016, 6, 30))
    """
    if isinstance(value, dt.datetime):  # pandas' Timestamp is a datetime: the day it falls on
        return value.date()
    day, problem = parse_day(value)
    if day is None:
        raise EarlyWarningError(f"local facts: the date {value!r} {problem}")
    return day


class LocalFacts(BaseModel):
    """A council's own facts, checked, for one or more councils: ask for them as on any day.

    Read a file with :func:`earlywarning.local.read_local_facts`. :meth:`at` gives the profile
    fields the facts settle on a day; :meth:`derivations` says how each was worked out.

    Example:
        >>> import datetime as dt
        >>> from earlywarning.local import Appointment, CouncilFacts, LocalFacts, Provenance
        >>> here = Provenance(file="example")
        >>> facts = LocalFacts(councils=(CouncilFacts(
        ...     council="Derbyshire", la_code="E10000007", provenance=here,
        ...     directors=(Appointment(name="A", start=dt.date(2011, 8, 1), interim=False,
        ...                            provenance=here),
        ...                Appointment(name="B", start=dt.date(2015, 1, 1), interim=True,
        ...                            provenance=here))),))
        >>> facts.at("Derbyshire", "2016-06-30")
        {'dcs_changes': 1, 'interim_dcs': True}
    """

    model_config = ConfigDict(frozen=True)

    councils: tuple[CouncilFacts, ...]
    files: tuple[str, ...] = ()

    def council(self, council: str, date: Any = None) -> CouncilFacts | None:
        """The facts about one council (a name or ONS code), or None when there are none.

        Raises:
            EarlyWarningError: for a council the bundled data do not know.
        """
        day = as_day(date) if date is not None else dt.date.max
        code = resolve(council, day)
        return next((c for c in self.councils if c.la_code == code), None)

    def derivations(
        self, council: str, date: Any, lookback_years: int = LOOKBACK_YEARS
    ) -> dict[str, Derivation]:
        """How each field the council's facts speak to was worked out as on ``date``.

        A field whose facts do not settle it on that day is listed with the value None and the
        reason (a budget year not given, a record of directors that starts too late).

        Raises:
            EarlyWarningError: for an unknown council, a date that is not one or a lookback
                that is not a whole number of years from 1 to :data:`MAX_LOOKBACK_YEARS`.
            LocalFactsError: for a derived value the profile refuses, naming the facts.

        Example:
            >>> import datetime as dt
            >>> from earlywarning.local import CouncilFacts, Event, LocalFacts, Provenance
            >>> here = Provenance(file="durham.yaml", line=4)
            >>> facts = LocalFacts(councils=(CouncilFacts(
            ...     council="Durham", la_code="E06000047", provenance=here,
            ...     restructures=(Event(start=dt.date(2014, 1, 1), provenance=here),)),))
            >>> d = facts.derivations("Durham", "2016-01-31")["restructure"]
            >>> d.value, str(d.facts[0])
            (True, 'durham.yaml:4')
            >>> d.reason
            'a restructure in the 3 years to 31 January 2016: from 1 January 2014'

        """
        ok = isinstance(lookback_years, int) and not isinstance(lookback_years, bool)
        if not ok or not 1 <= lookback_years <= MAX_LOOKBACK_YEARS:
            raise EarlyWarningError(
                f"local facts: lookback_years {lookback_years!r} is not a whole number of "
                f"years from 1 to {MAX_LOOKBACK_YEARS}"
            )
        day = as_day(date)
        facts = self.council(council, day)
        return {} if facts is None else derive(facts, day, lookback_years)

    def at(self, council: str, date: Any, lookback_years: int = LOOKBACK_YEARS) -> dict[str, Any]:
        """The profile fields the council's facts settle as on ``date``: ``{field: value}``.

        Only facts dated on or before ``date`` are read, and a field the facts do not settle is
        left out (see :meth:`derivations` for why). A council with no facts gives ``{}``.

        Raises:
            EarlyWarningError: as :meth:`derivations`.
            LocalFactsError: as :meth:`derivations`.
        """
        found = self.derivations(council, date, lookback_years)
        return {field: d.value for field, d in found.items() if d.value is not None}
