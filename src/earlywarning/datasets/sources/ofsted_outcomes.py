"""Ofsted's "Local authority inspection outcomes as at 31 March" workbook (ODS or XLSX).

Three sheets carry judgements of councils' children's services under the ILACS framework:

* ``ILACS_inspection_history``: every standard and short inspection since 2018;
* ``Inspections_as_at_31_March``: each council's latest judgement;
* ``In-year_inspections``: the year's inspections and visits (visits carry no judgement).

All three are read. The history is the list of inspections; a judgement on the other two sheets
must agree with the history's (a disagreement is refused, naming both places), and one that the
history lacks is added with a note. Each inspection has an overall effectiveness grade and four
sub-judgements (the impact of leaders; help and protection; children in care; care leavers,
judged from January 2023). From April 2026 Ofsted gives no overall grade: an empty overall grade
is accepted as long as a sub-judgement is given.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from earlywarning._names import excerpt
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
)
from earlywarning.io.spreadsheet import Sheet, read_workbook

__all__ = ["GRADES", "SHEETS", "SOURCE", "read_outcomes"]

GRADES: dict[str, str] = {
    "overall": "Overall effectiveness",
    "sub_leadership": "The impact of leaders on social work practice with children and families",
    "sub_help_protection": "The experiences and progress of children who need help and protection",
    "sub_cla": "The experiences and progress of children in care",
    "sub_care_leavers": "The experiences and progress of care leavers",
}
"""Each judgement column of the bundled file, and Ofsted's header for it."""

HISTORY = "ILACS_inspection_history"
SHEETS: dict[str, dict[str, str]] = {
    HISTORY: {"date": "Inspection date", "type": "Inspection type"},
    "Inspections_as_at_31_March": {"date": "Inspection date"},
    "In-year_inspections": {"date": "Inspection/Visit date", "type": "Inspection/Visit type"},
}
"""The sheets read, with the headers of their date and type columns (the latest-judgement sheet
has no type column)."""

_CODE = re.compile(r"^E\d{8}$", re.ASCII)  # digits 0-9 only


def _row(
    file: Path, sheet: Sheet, at: dict[str, int], cells: tuple[Any, ...], number: int
) -> dict[str, Any]:
    where = Where(file, sheet=sheet.name, row=number)

    def cell(header: str) -> Any:
        j = at[header]
        return cells[j] if j < len(cells) else None

    code = clean_text(cell("Local authority area code"))
    if not _CODE.match(code):
        raise where.error(
            f"Local authority area code {excerpt(code)} is not an ONS code (E06000001)"
        )
    names = SHEETS[sheet.name]
    row = {
        "la_code": code,
        "la_name": clean_text(cell("Local authority name")),
        "inspection_type": clean_text(cell(names["type"])) if "type" in names else "",
        "start": day(cell(names["date"]), names["date"], where),
        "published": day(cell("Publication date"), "Publication date", where),
    }
    for column, header in GRADES.items():
        row[column] = grade(cell(header), header, where)
    if row["start"] is None:
        raise where.error(f"{names['date']} is empty")
    row["where"] = f"sheet {sheet.name!r}, row {number}"
    return row


def _sheet_rows(file: Path, sheet: Sheet) -> list[dict[str, Any]]:
    needed = ["Local authority area code", "Local authority name", "Publication date"]
    needed += [*SHEETS[sheet.name].values(), *GRADES.values()]
    header, at = find_header(file, sheet, needed)
    rows = []
    for number, cells in sheet.rows:
        if number > header:
            check_cached(file, sheet, number, at)
            rows.append(_row(file, sheet, {k: at[k] for k in at}, cells, number))
    return rows


def _graded(row: dict[str, Any]) -> bool:
    return any(row[c] for c in GRADES)


def _merge(
    file: Path, history: list[dict[str, Any]], others: list[dict[str, Any]], notes: list[str]
) -> list[dict[str, Any]]:
    """The history, checked against the judgements of the other sheets."""
    by_key = {(r["la_code"], r["start"]): r for r in history}
    added = visits = 0
    for row in others:
        if not _graded(row):
            visits += 1
            continue
        first = by_key.get((row["la_code"], row["start"]))
        if first is None:
            by_key[(row["la_code"], row["start"])] = row
            history.append(row)
            added += 1
            continue
        differ = [c for c in GRADES if row[c] != first[c]]
        if differ:
            name = excerpt(row["la_name"])[1:-1]
            raise Where(file).error(
                f"{row['where']} judges {name} ({row['start']}) {differ[0]} "
                f"{row[differ[0]]!r}, but {first['where']} says {first[differ[0]]!r}"
            )
    if visits:
        notes.append(f"{visits} focused or monitoring visits carry no judgement")
    if added:
        notes.append(f"{added} judgement(s) of the other sheets are missing from the history")
    return history


def read_outcomes(file: Path) -> SourceTable:
    """Read Ofsted's inspection outcomes workbook: every judgement on its three sheets.

    Raises:
        DataSourceError: a missing sheet or column, a code, date or grade that is not one, an
            inspection with no judgement, or two sheets that disagree, with sheet and row.
    """
    book = read_workbook(file, {*SHEETS, "Cover"})
    if HISTORY not in book:
        raise Where(file).error(f"no sheet {HISTORY!r}: not Ofsted's inspection outcomes workbook")
    history = _sheet_rows(file, book[HISTORY])
    for row in history:
        if not _graded(row):
            raise Where(file).error(f"{row['where']}: an inspection with no judgement at all")
    others = [
        r
        for name in SHEETS
        if name != HISTORY and name in book
        for r in _sheet_rows(file, book[name])
    ]
    notes = [f"{len(history)} inspections on {HISTORY}"]
    rows = _merge(file, history, others, notes)
    published, as_at = cover_facts(book)
    src = f'Ofsted "{file.stem}" sheet {HISTORY}'
    out = pd.DataFrame(
        {
            "la_code": [r["la_code"] for r in rows],
            "la_name": [r["la_name"] for r in rows],
            "framework": "ILACS",
            "inspection_type": [r["inspection_type"] for r in rows],
            "date": [r["start"].isoformat() for r in rows],
            "date_kind": [_date_kind(r["published"]) for r in rows],
            **{c: [r[c] for r in rows] for c in GRADES},
            "src": src,
        },
        columns=list(JUDGEMENT_COLUMNS),
    )
    out["where"] = [r["where"] for r in rows]
    return SourceTable(SOURCE, file, out, published=published, as_at=as_at, notes=notes)


def _date_kind(published: dt.date | None) -> str:
    return "inspection start" + (f"; published {published.isoformat()}" if published else "")


SOURCE = Source(
    name="ofsted_outcomes",
    title="Local authority inspection outcomes as at 31 March (ILACS history)",
    publisher="Ofsted",
    kind="judgements",
    signature=(HISTORY,),
    workbook=True,
    read=read_outcomes,
    dated="inspection start",
)
"""Ofsted's inspection outcomes workbook."""
