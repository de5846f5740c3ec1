"""Data to Insight's ILACS overview: one row per council, its latest ILACS inspection.

Data to Insight (the national network of council data analysts) rebuilds this workbook from
Ofsted's reports, and many councils use it in their own workflows. It is read as published:

* dates as text, ``dd/mm/yyyy`` (the publication date as ``dd/mm/yy``), or as spreadsheet dates;
* grades in lower case (``requires improvement``); ``inspection_pre_dates_judgement`` in the care
  leavers column means the inspection came before that judgement existed (January 2023);
* ``la_code`` is DfE's three-digit council number, not an ONS code: the builder finds the code;
* blank rows are skipped.

An inspection with no start date (the workbook leaves a few blank) is dated by its publication,
and ``date_kind`` says so.
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
    day,
    find_header,
    grade,
)
from earlywarning.errors import DataSourceError
from earlywarning.io.spreadsheet import read_workbook

__all__ = ["COLUMNS", "SOURCE", "read_overview"]

COLUMNS: dict[str, str] = {
    "overall": "overall_effectiveness_grade",
    "sub_leadership": "impact_of_leaders_grade",
    "sub_help_protection": "help_and_protection_grade",
    "sub_cla": "in_care_grade",
    "sub_care_leavers": "care_leavers_grade",
}
"""Each judgement column of the bundled file, and Data to Insight's column for it."""

_IDENTITY = ("la_code", "local_authority", "inspection_framework", "inspection_start_date")
_TYPES = {"standard": "ILACS Standard Inspection", "short": "ILACS Short Inspection"}
_NONE = ("inspection_pre_dates_judgement",)
_NUMBER = re.compile(r"^\d{3}$", re.ASCII)  # digits 0-9 only


def _row(cells: tuple[Any, ...], at: dict[str, int], where: Where) -> dict[str, str]:
    def cell(header: str) -> Any:
        j = at[header]
        return cells[j] if j < len(cells) else None

    number = clean_text(cell("la_code"))
    if isinstance(cell("la_code"), float) and float(cell("la_code")).is_integer():
        number = str(int(cell("la_code")))
    if not _NUMBER.match(number):
        raise where.error(f"la_code {excerpt(number)} is not a DfE council number (three digits)")
    # the overview writes "None" where it knows no framework
    framework = clean_text(cell("inspection_framework")).lower().replace("none", "")
    if framework not in ("", *_TYPES):
        raise where.error(f"inspection_framework {excerpt(framework)} is not standard or short")
    start = day(cell("inspection_start_date"), "inspection_start_date", where)
    published = day(cell("publication_date"), "publication_date", where)
    row = {c: grade(cell(h), h, where, none=_NONE) for c, h in COLUMNS.items()}
    if not any(row.values()):
        raise where.error("no judgement at all")
    when, kind = _dated(start, published, where)
    return {
        "la_number": number,
        "la_name": clean_text(cell("local_authority")),
        "framework": "ILACS",
        "inspection_type": _TYPES.get(framework, ""),
        "date": when,
        "date_kind": kind,
        **row,
    }


def _dated(start: dt.date | None, published: dt.date | None, where: Where) -> tuple[str, str]:
    if start is not None:
        tail = f"; published {published.isoformat()}" if published else ""
        return start.isoformat(), "inspection start" + tail
    if published is None:
        raise where.error("neither inspection_start_date nor publication_date is given")
    return published.isoformat(), "publication (the overview gives no start date)"


def read_overview(file: Path) -> SourceTable:
    """Read Data to Insight's ILACS overview workbook (its first sheet with the columns).

    Raises:
        DataSourceError: no sheet with the overview's columns, or a bad number, date or grade,
            with the sheet and row.
    """
    book = read_workbook(file)
    needed = [*_IDENTITY, "publication_date", *COLUMNS.values()]
    problem: DataSourceError | None = None
    for sheet in book.values():
        try:
            header, at = find_header(file, sheet, needed)
        except DataSourceError as exc:  # try the next sheet; if none fits, report the first
            problem = problem or exc
            continue
        rows = []
        for n, cells in sheet.rows:
            if n > header:
                check_cached(file, sheet, n, at)
                rows.append(
                    {**_row(cells, at, Where(file, sheet=sheet.name, row=n)), "where": f"row {n}"}
                )
        columns = [*JUDGEMENT_COLUMNS, "la_number", "where"]
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        frame = frame.fillna("").assign(src=f"Data to Insight ILACS overview ({file.name})")
        undated = int(frame["date_kind"].str.startswith("publication").sum())
        notes = [f"{len(frame)} councils' latest ILACS judgements"]
        if undated:
            notes.append(f"{undated} inspection(s) with no start date, dated by publication")
        return SourceTable(SOURCE, file, frame, notes=notes)
    raise problem if problem else Where(file).error("has no sheets")


SOURCE = Source(
    name="d2i_overview",
    title="Data to Insight ILACS overview (latest judgement per council)",
    publisher="Data to Insight (grades: Ofsted)",
    kind="judgements",
    signature=("la_code", "local_authority", "overall_effectiveness_grade", "care_leavers_grade"),
    workbook=True,
    read=read_overview,
    dated="inspection start",
)
"""Data to Insight's ILACS overview."""
