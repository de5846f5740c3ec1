"""Publishers' own layouts read as profiles: DfE's workforce census scores as it is downloaded.

A file with DfE's columns (``la_name``, ``new_la_code``, ``time_period``, ``caseload_fte`` and the
``_fte`` rates) is read with each column as the profile field it is, and DfE's year convention:
``time_period`` is the year of the census of 30 September, and a profile's ``year`` Y is a council
as known on 1 January Y, so the census of September 2025 is the profile of 2026. Only the
local-authority rows are scored (the national and regional rows are totals, and are counted in
the notice). The reader says what it mapped in a notice.

Columns in DfE's other units (``agency_rate_headcount``, ``inpost_fte``) are DfE's own measures,
not misspelt profile fields: they are carried through, never suggested as a field.

Example:
    >>> import pandas as pd
    >>> from earlywarning.io.publishers import layout_of
    >>> layout = layout_of(["time_period", "geographic_level", "la_name", "new_la_code",
    ...                     "caseload_fte", "agency_rate_fte", "agency_rate_headcount"])
    >>> list(layout.renames.items())[2:]
    [('caseload_fte', 'avg_caseload'), ('agency_rate_fte', 'agency_rate_pct')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["DFE_WORKFORCE_FIELDS", "Layout", "layout_of"]

DFE_WORKFORCE_FIELDS: dict[str, str] = {
    "caseload_fte": "avg_caseload",
    "agency_rate_fte": "agency_rate_pct",
    "turnover_rate_fte": "turnover_rate_pct",
    "vacancy_rate_fte": "vacancy_rate_pct",
    "absence_rate_fte": "absence_rate_pct",
}
"""DfE's workforce census columns, and the profile field each one is."""

_IDENTITY = {"la_name": "council", "new_la_code": "la_code"}
_LA_LEVEL = "Local authority"
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Layout:
    """How to read a publisher's file as profiles: columns renamed, the year, the rows kept."""

    name: str
    renames: dict[str, str]
    year_from: str | None  # the column the year is read from (DfE's census year, plus one)

    def apply(self, chunk: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        """The chunk as profiles, and how many rows of totals (national, regional) were left out."""
        left_out = 0
        if "geographic_level" in chunk.columns:
            council = chunk["geographic_level"].astype(str).str.strip() == _LA_LEVEL
            left_out = int((~council).sum())
            chunk = chunk[council.to_numpy()]
        out = chunk.rename(columns=self.renames)
        if self.year_from is not None:
            years = pd.Series([_next_year(v) for v in chunk[self.year_from]], dtype=object)
            out = out.drop(columns=[self.year_from]).assign(year=years.to_numpy())
        return out, left_out

    def describe(self) -> str:
        """What was mapped, as the reader's notice says it."""
        pairs = ", ".join(f"{a} -> {b}" for a, b in self.renames.items())
        year = (
            f"; {self.year_from} is the census of 30 September, so year = {self.year_from} + 1 "
            "(a council as known on 1 January after it)"
            if self.year_from
            else ""
        )
        return f"read as {self.name}: {pairs}{year}"


def _next_year(value: object) -> object:
    """DfE's census year as the profile's year; anything else is left for the checks to refuse."""
    found = _YEAR.match(str(value)) if value is not None else None
    return str(int(found.group(1)) + 1) if found else value


def layout_of(columns: Sequence[str]) -> Layout | None:
    """The publisher's layout a file's columns show, or None for a file of profile fields.

    A layout is recognised from DfE's workforce measures (``caseload_fte`` and the ``_fte``
    rates); a column is renamed only where the field it stands for is not a column already.
    """
    present = set(columns)
    measures = {c: f for c, f in DFE_WORKFORCE_FIELDS.items() if c in present}
    if not measures or set(measures.values()) & present:
        return None
    renames = {c: f for c, f in _IDENTITY.items() if c in present and f not in present}
    renames.update(measures)
    year = "time_period" if "time_period" in present and "year" not in present else None
    return Layout("DfE's children's social work workforce census", renames, year)
