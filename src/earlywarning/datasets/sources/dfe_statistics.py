"""DfE's statistics files as published on Explore Education Statistics, one row per area and year.

Every DfE release (and the ONS population estimates DfE republishes beside them) shares one tidy
layout: ``time_period``, ``time_identifier``, ``geographic_level``, the area's codes and names
(``old_la_code`` is DfE's three-digit council number, ``new_la_code`` the ONS code), then one
column per measure. A release differs only in its measures, so each is one :class:`Layout` here:
the measures it publishes and the panel column each fills.

Only the local-authority rows are kept; the national and regional totals are counted in the
notes. Numbers and suppression codes are kept as published text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from earlywarning._names import excerpt
from earlywarning.datasets.sources.types import (
    Source,
    SourceTable,
    Where,
    column_positions,
    number_or_marker,
    read_text_table,
    year_of,
)

__all__ = [
    "AREA_COLUMNS",
    "LAYOUTS",
    "SOURCES",
    "SOURCES_BY_NAME",
    "Layout",
    "read_statistics",
]

AREA_COLUMNS: tuple[str, ...] = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
"""The columns every DfE statistics file has before its measures."""

_LA_LEVEL = "Local authority"
_ONS_CODE = re.compile(r"^E\d{8}( / E\d{8})*$", re.ASCII)  # digits 0-9 only
_DFE_NUMBER = re.compile(r"^\d{3}( / \d{3})*$", re.ASCII)


@dataclass(frozen=True)
class Layout:
    """One DfE release: its measures (published name -> panel column), and the rows it keeps.

    ``keep`` is a (column, value) pair for files that stack several series in one column (the
    looked-after file's ``population_type``, the population file's ``age_group``).
    """

    measures: dict[str, str]
    keep: tuple[str, str] | None = None


LAYOUTS: dict[str, Layout] = {
    "dfe_workforce": Layout(
        {
            "caseload_fte": "csww_caseload_fte",
            "agency_rate_fte": "csww_agency_rate_fte",
            "turnover_rate_fte": "csww_turnover_rate_fte",
            "vacancy_rate_fte": "csww_vacancy_rate_fte",
            "absence_rate_fte": "csww_absence_rate_fte",
            "inpost_fte": "csww_inpost_fte",
        }
    ),
    "dfe_referrals": Layout(
        {"referral_count": "referrals_count", "rereferral_percent": "rereferral_pct"}
    ),
    "dfe_children_in_need": Layout({"At31_episodes": "cin_at31_count"}),
    "dfe_looked_after": Layout(
        {"children_count": "cla_31mar_count", "rate_per_10000": "cla_31mar_rate_10k"},
        keep=("population_type", "Children looked after on 31 March each year"),
    ),
    "dfe_protection_plans": Layout(
        {"CPP_start": "cpp_started_count", "CPP_subsequent_percent": "cpp_subsequent_pct"}
    ),
    "ons_population": Layout(
        {"population_estimate": "ons_population_0_17"},
        keep=("age_group", "Children aged 0 to 17 years"),
    ),
}
"""Each DfE layout by source name."""


def read_statistics(file: Path, name: str) -> SourceTable:
    """Read one DfE statistics file of the layout ``name`` (a key of :data:`LAYOUTS`).

    Raises:
        DataSourceError: a missing column, a bad code, period or number, or two rows for one
            council and year, with the line.
    """
    layout = LAYOUTS[name]
    header, rows = read_text_table(file)
    needed = [*AREA_COLUMNS, *layout.measures, *([layout.keep[0]] if layout.keep else [])]
    at = column_positions(file, header, needed)
    counts: dict[str, int] = {}
    out: list[dict[str, object]] = []
    seen: dict[tuple[str, int], int] = {}
    other_levels = other_series = 0
    for line, cells in rows:
        if cells[at["geographic_level"]].strip() != _LA_LEVEL:
            other_levels += 1
            continue
        if layout.keep and cells[at[layout.keep[0]]].strip() != layout.keep[1]:
            other_series += 1
            continue
        row = _area(cells, at, Where(file, line=line))
        key = (str(row["la_code"]), int(str(row["year"])))
        if key in seen:
            raise Where(file, line=line).error(
                f"a second row for {key[0]} in {key[1]} (the first is on line {seen[key]})"
            )
        seen[key] = line
        for column, target in layout.measures.items():
            row[target] = number_or_marker(cells[at[column]], column, Where(file, line), counts)
        out.append(row)
    if layout.keep and not out:
        raise Where(file).error(f"no local-authority rows of {layout.keep[1]!r}")
    notes = [f"{len(out)} council rows; {other_levels} national and regional rows are totals"]
    if layout.keep and other_series:
        notes.append(f"{other_series} rows of other series than {layout.keep[1]!r}")
    columns = ["la_number", "la_code", "la_name", "region_code", "region_name", "year"]
    frame = pd.DataFrame(out, columns=[*columns, *layout.measures.values()])
    return SourceTable(SOURCES_BY_NAME[name], file, frame, suppressed=counts, notes=notes)


def _area(cells: list[str], at: dict[str, int], where: Where) -> dict[str, object]:
    code = cells[at["new_la_code"]].strip()
    number = cells[at["old_la_code"]].strip()
    if not _ONS_CODE.match(code):
        raise where.error(f"new_la_code {excerpt(code)} is not an ONS council code (E06000001)")
    if not _DFE_NUMBER.match(number):
        raise where.error(f"old_la_code {excerpt(number)} is not a DfE council number (370)")
    name = cells[at["la_name"]].strip()
    if not name:
        raise where.error("la_name is empty")
    return {
        "la_number": number,
        "la_code": code,
        "la_name": name,
        "region_code": cells[at["region_code"]].strip(),
        "region_name": cells[at["region_name"]].strip(),
        "year": year_of(cells[at["time_period"]], where),
    }


def _source(name: str, title: str, publisher: str, dated: str, day: tuple[int, int]) -> Source:
    layout = LAYOUTS[name]
    keep = (layout.keep[0],) if layout.keep else ()
    return Source(
        name=name,
        title=title,
        publisher=publisher,
        kind="panel",
        signature=(*AREA_COLUMNS, *layout.measures, *keep),
        workbook=False,
        read=lambda file: read_statistics(file, name),
        dated=dated,
        latest_day=day,
    )


_DFE = "Department for Education"
SOURCES: tuple[Source, ...] = (
    _source(
        "dfe_workforce",
        "Children's social work workforce: indicators (csww)",
        _DFE,
        "census at 30 September",
        (9, 30),
    ),
    _source(
        "dfe_children_in_need",
        "Children in need: episodes and children at 31 March (b1)",
        _DFE,
        "year to 31 March",
        (3, 31),
    ),
    _source(
        "dfe_referrals",
        "Children in need: referrals and re-referrals (c1)",
        _DFE,
        "year to 31 March",
        (3, 31),
    ),
    _source(
        "dfe_looked_after",
        "Children looked after: number and rate per 10,000 children",
        _DFE,
        "at 31 March",
        (3, 31),
    ),
    _source(
        "dfe_protection_plans",
        "Child protection plans: second or subsequent plans (d3)",
        _DFE,
        "year to 31 March",
        (3, 31),
    ),
    _source(
        "ons_population",
        "Mid-year population estimates: children aged 0 to 17",
        "Office for National Statistics (as republished by DfE)",
        "mid-year (30 June)",
        (6, 30),
    ),
)
"""The DfE statistics sources, in the order the table of sources lists them."""

SOURCES_BY_NAME = {s.name: s for s in SOURCES}
