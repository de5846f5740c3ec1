"""The project's compiled files: series that exist only as compilations, kept as documented files.

* ``compiled_series_2010_to_2022.csv``: the section 251 spend series in real terms and the demand
  rates of C. Webb's compilation (``cjw_*``, 2010-2022), and MHCLG revenue outturn for children's
  social care (``ro_csc_net_current_exp_k``, 2012-2018). No publisher releases these per council
  in one file; they are columns of the panel as compiled.
* ``ilacs_inspections_with_inputs_*.csv``: the inspections of the frozen split with the inputs
  known before each one, as compiled for the analysis (their judgements are checked against the
  judgements rebuilt from Ofsted's files by the test suite).

They are read as any source is (every column checked), and carried into the data unchanged.
"""

from __future__ import annotations

import re
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
)

__all__ = ["ILACS_COLUMNS", "SERIES_COLUMNS", "SOURCES", "read_ilacs", "read_series"]

SERIES_COLUMNS: tuple[str, ...] = (
    "cjw_referrals_rate_10k",
    "cjw_cin_rate_10k",
    "cjw_cpp_rate_10k",
    "cjw_cla_rate_10k",
    "ro_csc_net_current_exp_k",
    "cjw_s251_cla_gbp",
    "cjw_s251_safeguarding_gbp",
    "cjw_s251_prevent_earlyhelp_gbp",
    "cjw_s251_cla_per_child_gbp",
    "cjw_s251_safeguarding_per_child_gbp",
    "cjw_s251_prevent_per_child_gbp",
    "cjw_price_factor",
)
"""The compiled series, as columns of the panel."""

ILACS_COLUMNS: tuple[str, ...] = (
    "la_code",
    "la_name",
    "inspection_type",
    "inspection_start",
    "prev_type",
    "prev_date",
    "prev_overall",
    "new_overall",
    "new_leadership",
    "change",
    "csww_snapshot_30sep",
)
"""The leading columns of an inspections-with-inputs file (its inputs follow)."""

_CODE = re.compile(r"^E\d{8}( / E\d{8})*$", re.ASCII)  # digits 0-9 only


def read_series(file: Path) -> SourceTable:
    """Read the compiled series: ``la_code``, ``la_name``, ``year`` and :data:`SERIES_COLUMNS`.

    Raises:
        DataSourceError: a missing column, a bad code or year, a cell that is not a number, or a
            council and year given twice, with the line.
    """
    header, rows = read_text_table(file)
    at = column_positions(file, header, ("la_code", "la_name", "year", *SERIES_COLUMNS))
    counts: dict[str, int] = {}
    out = []
    seen: set[tuple[str, str]] = set()
    for line, cells in rows:
        where = Where(file, line=line)
        code, year = cells[at["la_code"]].strip(), cells[at["year"]].strip()
        if not _CODE.match(code) or not re.fullmatch(r"\d{4}", year, re.ASCII):
            raise where.error(f"{excerpt(code)} in {excerpt(year)} is not an ONS code and a year")
        if (code, year) in seen:
            raise where.error(f"{code} in {year} is given twice")
        seen.add((code, year))
        values = [number_or_marker(cells[at[c]], c, where, counts) for c in SERIES_COLUMNS]
        out.append([code, cells[at["la_name"]].strip(), int(year), *values])
    frame = pd.DataFrame(out, columns=["la_code", "la_name", "year", *SERIES_COLUMNS])
    return SourceTable(SOURCES[0], file, frame, suppressed=counts, notes=[f"{len(frame)} rows"])


def read_ilacs(file: Path) -> SourceTable:
    """Read an inspections-with-inputs file, kept as it is (every row as long as the header).

    Raises:
        DataSourceError: a missing leading column or a bad council code, with the line.
    """
    header, rows = read_text_table(file)
    missing = [c for c in ILACS_COLUMNS if c not in header]
    if missing:
        raise Where(file, line=1).error(f"no column {', '.join(map(repr, missing))}")
    for line, cells in rows:
        if not _CODE.match(cells[header.index("la_code")].strip()):
            raise Where(file, line=line).error("la_code is not an ONS council code")
    frame = pd.DataFrame([cells for _, cells in rows], columns=header)
    return SourceTable(SOURCES[1], file, frame, notes=[f"{len(frame)} inspections"])


SOURCES: tuple[Source, ...] = (
    Source(
        name="compiled_series",
        title="Section 251 spend (real terms) and demand rates, C. Webb's compilation; "
        "MHCLG revenue outturn 2012-2018",
        publisher="compiled for earlywarning from DfE and MHCLG tables (C. Webb, Sheffield)",
        kind="compiled",
        signature=("la_code", "la_name", "year", "cjw_s251_prevent_per_child_gbp"),
        workbook=False,
        read=read_series,
        dated="financial year ending in the year",
        latest_day=(3, 31),
    ),
    Source(
        name="compiled_inspections",
        title="ILACS inspections with the inputs known before each one",
        publisher="compiled for earlywarning from the panel and Ofsted's judgements",
        kind="compiled",
        signature=ILACS_COLUMNS,
        workbook=False,
        read=read_ilacs,
        dated="inspection start",
        per_file=True,
    ),
)
"""The compiled sources."""
