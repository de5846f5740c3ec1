"""Ofsted's older "Children's social care data in England" underlying-data workbook (2023).

Its sheet ``LA_inspections_2009-2023`` holds every council's inspection history in two tables:
the councils of 2023, and (Table 11) the councils abolished in the reorganisations before it.
One row per council, with a block of columns per framework. Three kinds of inspection are read,
each dated by its publication (the workbook gives no start dates before ILACS):

* SLAC (2009-12): the safeguarding overall effectiveness, with the looked-after children's overall
  effectiveness as its one sub-judgement (kept as ``(SLAC CLA OE) <grade>``);
* the first SIF inspection (2013-17) and a SIF re-inspection, with the four SIF sub-judgements.

ILACS inspections are read from the newer outcomes workbook, which has their start dates. The
councils are named, not coded: the builder finds each council's code, and a name it cannot place
is refused with the sheet and row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from earlywarning.datasets.sources.types import (
    JUDGEMENT_COLUMNS,
    Source,
    SourceTable,
    Where,
    check_cached,
    clean_text,
    cover_facts,
    day,
    find_header,
    grade,
    header_key,
)
from earlywarning.errors import DataSourceError
from earlywarning.io.spreadsheet import Sheet, read_workbook

__all__ = ["INSPECTIONS", "SHEET", "SOURCE", "read_underlying"]

SHEET = "LA_inspections_2009-2023"
NAME = "Local authority name"
_SIF = "Single Inspection of LA Children's Services (SIF)"

# Each inspection read: (framework, inspection_type, the date column, then the columns of overall,
# leadership, help and protection, children looked after, care leavers; "" where there is none).
INSPECTIONS: tuple[tuple[str, str, str, tuple[str, str, str, str, str]], ...] = (
    (
        "SLAC",
        "SLAC safeguarding",
        "Safeguarding & Looked After Children (SLAC) Inspection publication date",
        (
            "SLAC Safeguarding Overall effectiveness (OE)",
            "",
            "",
            "SLAC Looked After Children Overall Effectiveness (OE)",
            "",
        ),
    ),
    (
        "SIF",
        "SIF first",
        f"{_SIF} First SIF publication date",
        (
            "First SIF Overall Judgement (OE)",
            "First SIF leadership, management and governance",
            "First SIF children who need help and protection",
            "First SIF children looked after and achieving permanence",
            "First SIF CLA Sub: Experiences and progress of care leavers",
        ),
    ),
    (
        "SIF",
        "SIF re-inspection",
        f"{_SIF} SIF Re-inspection publication date",
        (
            "SIF Re-inspection Overall Judgement (OE)",
            "SIF Re-inspection leadership, management and governance",
            "SIF Re-inspection children who need help and protection",
            "SIF Re-inspection children looked after and achieving permanence",
            "SIF Re-inspection CLA Sub: Experiences and progress of care leavers",
        ),
    ),
)
"""The inspections read from each council's row."""

_GRADE_COLUMNS = ("overall", "sub_leadership", "sub_help_protection", "sub_cla", "sub_care_leavers")
# Ofsted's "-" for a judgement not made (the Isles of Scilly have no looked-after children's
# service of their own): kept as published, read as no judgement
_NO_JUDGEMENT = ("-",)


def _needed() -> list[str]:
    out = [NAME]
    for _, _, date, grades in INSPECTIONS:
        out += [date, *(g for g in grades if g)]
    return out


def _inspections(cells: tuple[Any, ...], at: dict[str, int], where: Where) -> list[dict[str, str]]:
    def cell(header: str) -> Any:
        j = at[header_key(header)]
        return cells[j] if j < len(cells) else None

    out = []
    for framework, kind, date_column, grades in INSPECTIONS:
        when = day(cell(date_column), date_column, where)
        if when is None:
            continue
        row: dict[str, str] = {"framework": framework, "inspection_type": kind}
        row["date"], row["date_kind"] = when.isoformat(), "publication"
        for column, header in zip(_GRADE_COLUMNS, grades, strict=True):
            row[column] = grade(cell(header), header, where, kept=_NO_JUDGEMENT) if header else ""
        if framework == "SLAC" and row["sub_cla"]:
            row["sub_cla"] = f"(SLAC CLA OE) {row['sub_cla']}"
        if not row["overall"]:
            raise where.error(f"{kind} published {when} has no overall effectiveness grade")
        out.append(row)
    return out


def _tables(file: Path, sheet: Sheet) -> list[tuple[int, dict[str, int], bool]]:
    """Each table's header row, its columns, and whether it lists abolished councils."""
    first, at = find_header(file, sheet, _needed())
    tables = [(first, at, False)]
    try:
        second, at2 = find_header(file, sheet, _needed(), after=first)
    except DataSourceError:  # a workbook with only the first table is fine
        return tables
    return [*tables, (second, at2, True)]


def read_underlying(file: Path) -> SourceTable:
    """Read the SLAC and SIF judgements of Ofsted's 2023 underlying-data workbook.

    Raises:
        DataSourceError: a missing sheet or column, a date or grade that is not one, or a row
            that is neither a council nor a table's title, with the sheet and row.
    """
    book = read_workbook(file, {SHEET, "Cover"})
    if SHEET not in book:
        raise Where(file).error(f"no sheet {SHEET!r}: not Ofsted's underlying-data workbook")
    sheet = book[SHEET]
    tables = _tables(file, sheet)
    title = _policy_area(book)
    rows: list[dict[str, str]] = []
    for i, (header, at, abolished) in enumerate(tables):
        end = tables[i + 1][0] if i + 1 < len(tables) else None
        src = f'Ofsted "{title}" underlying data, sheet {SHEET}'
        src += " (Table 11: pre-restructure LAs)" if abolished else ""
        for number, cells in sheet.rows:
            if number <= header or (end is not None and number >= end):
                continue
            where = Where(file, sheet=SHEET, row=number)
            check_cached(file, sheet, number, at)
            name = clean_text(cells[at[NAME]] if at[NAME] < len(cells) else None)
            if not name:
                if clean_text(cells[0]).startswith("Table") and len(cells) == 1:
                    continue  # the title over the second table
                raise where.error("a row with no local authority name")
            for found in _inspections(cells, at, where):
                rows.append(
                    {
                        **found,
                        "la_name": name,
                        "src": src,
                        "where": where_text(number),
                        "abolished": "yes" if abolished else "",
                    }
                )
    columns = [*JUDGEMENT_COLUMNS, "where", "abolished"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
    published, as_at = cover_facts(book)
    notes = [f"{len(frame)} SLAC and SIF judgements of {frame['la_name'].nunique()} councils"]
    return SourceTable(SOURCE, file, frame, published=published, as_at=as_at, notes=notes)


def where_text(number: int) -> str:
    """A row of the sheet, as messages name it."""
    return f"sheet {SHEET!r}, row {number}"


def _policy_area(book: dict[str, Sheet]) -> str:
    cover = book.get("Cover")
    for _, cells in cover.rows if cover else ():
        if len(cells) > 1 and clean_text(cells[0]).lower().startswith("policy area"):
            return clean_text(cells[1])
    return "Children's social care data in England"


SOURCE = Source(
    name="ofsted_underlying",
    title="Children's social care data in England: LA inspections 2009-2023 (SLAC, SIF)",
    publisher="Ofsted",
    kind="judgements",
    signature=(SHEET,),
    workbook=True,
    read=read_underlying,
    dated="publication",
)
"""Ofsted's 2023 underlying-data workbook."""
