"""The local facts as checked data: private machinery of :mod:`earlywarning.local`.

Every model is frozen and holds facts already checked by :mod:`earlywarning.local._check`, each
with the :class:`Provenance` that says where it was read and what it rests on. The derivations
(:mod:`earlywarning.local._derive`) read these and nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from earlywarning.local._years import fy_text

__all__ = [
    "Appointment",
    "CouncilFacts",
    "Event",
    "FieldValue",
    "PostCount",
    "Provenance",
    "YearAmount",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(_Frozen):
    """Where a fact was read (file and line) and what it rests on (its source and a note).

    Example:
        >>> print(Provenance(file="derbyshire.yaml", line=12, source="budget book 2016-17"))
        derbyshire.yaml:12 (budget book 2016-17)
    """

    file: str
    line: int | None = None
    source: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} ({self.source})" if self.source else where


class Appointment(_Frozen):
    """A director of children's services: who, from and to when, and whether interim.

    ``end`` is the last day in post; None means in post until the next appointment starts (the
    day before it), or still in post.

    Example:
        >>> a = Appointment(name="Jane Parfrement", start=dt.date(2016, 2, 1), interim=False,
        ...                 provenance=Provenance(file="derbyshire.yaml", line=20))
        >>> a.name, a.end
        ('Jane Parfrement', None)
    """

    name: str
    start: dt.date
    end: dt.date | None = None
    interim: bool
    provenance: Provenance


class YearAmount(_Frozen):
    """An amount in £m for one financial year: a budget, or new recurrent investment.

    ``year`` is the calendar year the financial year starts in (2015 for 2015-16).

    Example:
        >>> YearAmount(year=2015, gbp_m=95.0, provenance=Provenance(file="f.yaml")).financial_year
        '2015-16'
    """

    year: int
    gbp_m: float
    provenance: Provenance

    @property
    def financial_year(self) -> str:
        return fy_text(self.year)


class PostCount(_Frozen):
    """Leadership and management posts on a day (FTE or a count; the same in one series).

    Example:
        >>> PostCount(date=dt.date(2013, 4, 1), posts=120, provenance=Provenance(file="f")).posts
        120.0
    """

    date: dt.date
    posts: float
    provenance: Provenance


class Event(_Frozen):
    """Something that happened from a day (and, for a restructure, perhaps to a day).

    Example:
        >>> Event(start=dt.date(2014, 1, 1), provenance=Provenance(file="f")).end is None
        True
    """

    start: dt.date
    end: dt.date | None = None
    provenance: Provenance


class FieldValue(_Frozen):
    """A profile field's value given directly, with the day it describes.

    Example:
        >>> FieldValue(field="management_reduction_pct", value=30.0,
        ...            date=dt.date(2016, 6, 30), provenance=Provenance(file="f")).value
        30.0
    """

    field: str
    value: Any
    date: dt.date
    provenance: Provenance


class CouncilFacts(_Frozen):
    """Every local fact about one council, each list in date order.

    ``restructures_listed_from`` and ``practice_concerns_listed_from`` are the days from which
    the file lists every restructure (every serious practice concern): from then on, none listed
    means none happened. Before them, none listed means not known.

    Example:
        >>> facts = CouncilFacts(council="Derbyshire", la_code="E10000007",
        ...                      provenance=Provenance(file="derbyshire.yaml", line=1))
        >>> facts.directors, facts.budgets
        ((), ())
    """

    council: str
    la_code: str
    directors: tuple[Appointment, ...] = ()
    budgets: tuple[YearAmount, ...] = ()
    reinvestments: tuple[YearAmount, ...] = ()
    management_posts: tuple[PostCount, ...] = ()
    restructures: tuple[Event, ...] = ()
    practice_concerns: tuple[Event, ...] = ()
    restructures_listed_from: dt.date | None = None
    practice_concerns_listed_from: dt.date | None = None
    fields: tuple[FieldValue, ...] = ()
    provenance: Provenance
