"""DfE's statistical neighbour models: the April 2021 groupings and the 2025 model.

Both list, for each council by its DfE three-digit number, its ten nearest councils (by number),
nearest first, each with DfE's word for how close it is. They differ in layout:

* 2021 (``New_Statistical_Neighbour_Groupings_April_2021.csv``): ``LA num, LA Name, LA number,
  GOInd, GOReg`` then ``SN1, SNP, ..., SN10, SNP``, blank separator rows, and an "Old SNs:" row
  before the councils abolished in 2019, which keep their rows;
* 2025 (``sn_model_2025_wide.csv``): ``old_la_code, la_name, region_ind, region_name`` then
  ``SN_1, SN_1P, ..., SN_10, SN_10P``.

Neither file states the year of its model inside it, so the year is read from the file's name
(as DfE names them); a renamed file without a year is refused rather than guessed.
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
    read_text_table,
)

__all__ = ["CLOSENESS", "NEIGHBOUR_COLUMNS", "SOURCES", "model_year", "read_neighbours"]

CLOSENESS: tuple[str, ...] = (
    "Extremely close",
    "Very close",
    "Close",
    "Somewhat close",
    "Not close",
)
"""DfE's words for how close a neighbour is, nearest first (the files vary the capitals)."""

_SN = tuple(f"sn{i}" for i in range(1, 11))
NEIGHBOUR_COLUMNS: tuple[str, ...] = (
    "la_number",
    "la_name",
    "region",
    *_SN,
    *(f"{sn}_closeness" for sn in _SN),
)
"""The columns of a bundled neighbour model, one row per council."""

# Each layout: the columns of number, name and region, and the neighbour and closeness columns.
_LAYOUTS: dict[str, tuple[tuple[str, str, str], tuple[str, ...], tuple[str, ...]]] = {
    "dfe_neighbours_2021": (
        ("LA num", "LA Name", "GOReg"),
        tuple(f"SN{i}" for i in range(1, 11)),
        ("SNP",) * 10,
    ),
    "dfe_neighbours_wide": (
        ("old_la_code", "la_name", "region_name"),
        tuple(f"SN_{i}" for i in range(1, 11)),
        tuple(f"SN_{i}P" for i in range(1, 11)),
    ),
}
_NUMBER = re.compile(r"^\d{3}$", re.ASCII)  # digits 0-9 only
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)", re.ASCII)


def model_year(file: Path) -> str:
    """The year of a neighbour model, from the file's name.

    Raises:
        DataSourceError: when the name holds no year (or two).

    Example:
        >>> from pathlib import Path
        >>> model_year(Path("sn_model_2025_wide.csv"))
        '2025'
    """
    years = set(_YEAR_IN_NAME.findall(file.stem))
    if len(years) != 1:
        raise Where(file).error(
            "the file's name must give the year of the neighbour model (as DfE's "
            "sn_model_2025_wide.csv does): the files do not state it inside"
        )
    return str(years.pop())


def _closeness(text: str, where: Where) -> str:
    word = text.strip()
    if word.casefold() not in {c.casefold() for c in CLOSENESS}:
        raise where.error(f"closeness {excerpt(word)} is not one of DfE's: {', '.join(CLOSENESS)}")
    return word


def _positions(file: Path, header: list[str], name: str) -> tuple[list[int], list[int], list[int]]:
    ident, numbers, words = _LAYOUTS[name]
    at = column_positions(file, header, (*ident, *numbers))
    at_numbers = [at[c] for c in numbers]
    if name == "dfe_neighbours_2021":
        # every closeness column is called SNP: each follows its neighbour's column
        at_words = [i + 1 for i in at_numbers]
        if any(i >= len(header) or header[i] != "SNP" for i in at_words):
            raise Where(file, line=1).error("each SNk column must be followed by its SNP column")
    else:
        at_words = list(column_positions(file, header, words).values())
    return [at[c] for c in ident], at_numbers, at_words


def read_neighbours(file: Path, name: str) -> SourceTable:
    """Read a DfE neighbour model of the layout ``name`` (``dfe_neighbours_2021`` or ``_wide``).

    Raises:
        DataSourceError: a missing column, a council number that is not three digits, a
            closeness DfE does not use, a council listed twice, or no year in the file's name.
    """
    year = model_year(file)
    header, rows = read_text_table(file)
    ident, numbers, words = _positions(file, header, name)
    out: list[list[str]] = []
    seen: dict[str, int] = {}
    marked = 0
    for line, cells in rows:
        where = Where(file, line=line)
        number = cells[ident[0]].strip()
        if number == "" and any(c.strip().lower().startswith("old sn") for c in cells):
            marked += 1  # the 2021 file's heading over the councils abolished in 2019
            continue
        near = [cells[i].strip() for i in numbers]
        for value in (number, *near):
            if not _NUMBER.match(value):
                raise where.error(f"{excerpt(value)} is not a DfE council number (three digits)")
        if number in seen:
            raise where.error(f"council {number} again (first on line {seen[number]})")
        seen[number] = line
        labels = [_closeness(cells[i], where) for i in words]
        out.append([number, cells[ident[1]].strip(), cells[ident[2]].strip(), *near, *labels])
    frame = pd.DataFrame(out, columns=list(NEIGHBOUR_COLUMNS))
    notes = [f"{len(frame)} councils, each with ten neighbours (model {year})"]
    if marked:
        notes.append("the councils listed under 'Old SNs:' (abolished in 2019) are kept")
    return SourceTable(_BY_NAME[name], file, frame, notes=notes, model=year)


SOURCES: tuple[Source, ...] = (
    Source(
        name="dfe_neighbours_2021",
        title="Statistical neighbour groupings (April 2021 layout)",
        publisher="Department for Education",
        kind="neighbours",
        signature=("LA num", "LA Name", "GOReg", "SN1", "SNP", "SN10"),
        workbook=False,
        read=lambda file: read_neighbours(file, "dfe_neighbours_2021"),
        dated="model year",
    ),
    Source(
        name="dfe_neighbours_wide",
        title="Statistical neighbour model (2025 layout)",
        publisher="Department for Education",
        kind="neighbours",
        signature=("old_la_code", "la_name", "region_name", "SN_1", "SN_1P", "SN_10P"),
        workbook=False,
        read=lambda file: read_neighbours(file, "dfe_neighbours_wide"),
        dated="model year",
    ),
)
"""The DfE neighbour sources."""

_BY_NAME = {s.name: s for s in SOURCES}
