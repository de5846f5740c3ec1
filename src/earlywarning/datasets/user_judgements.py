"""Ofsted judgements the user supplies, beside the judgements of the data in use.

The bundled judgements run to 31 March 2025 (Ofsted's release "as at 31 March 2025"); later
inspections are not in the data, so for a later date a profile's ``previous_rating`` may be
stale. A user who knows later judgements can pass them, in any of these forms:

* a table (DataFrame, or a CSV, TSV, JSON or YAML file) with one row per inspection:

  * ``council``: the council's name (any spelling the data know, any case) or ONS code (a
    column ``la_code`` may be given instead);
  * ``date``: the date of the judgement (ISO ``YYYY-MM-DD``; the start of the inspection, as the
    ILACS judgements are dated);
  * ``overall``: the overall judgement, in any of Ofsted's spellings (``judgement`` or ``rating``
    may name the column instead);
  * optionally the sub-judgements ``leadership``, ``help_protection``, ``children_in_care`` and
    ``care_leavers``. From April 2026 Ofsted gives no overall grade: a row may leave ``overall``
    empty if it gives a sub-judgement, and its previous rating is then read from them by the rule
    of :mod:`earlywarning.datasets.judgement_rule`;

* Ofsted's inspection outcomes workbook (``LA_Inspection_Outcomes_as_at_31_March_2025.ods`` or
  a later one, ODS or XLSX), as published;
* Data to Insight's ILACS overview workbook, as published.

:func:`check_judgements` refuses a table with any bad row, naming every one;
:func:`read_judgements` reads a file of any of these forms.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from earlywarning.datasets._england import (
    OUTCOMES_CUTOFF,
    data_location,
    judgements,
    outcomes_as_at,
    resolve_council,
)
from earlywarning.datasets.judgement_rule import rating_and_basis
from earlywarning.errors import EarlyWarningError, ProfileError
from earlywarning.io import read_table
from earlywarning.io.documents import read_document
from earlywarning.profile import check_value

__all__ = [
    "BUNDLED_JUDGEMENTS",
    "SUBJUDGEMENT_COLUMNS",
    "JudgementsLike",
    "all_judgements",
    "as_judgements",
    "check_judgements",
    "judgements_note",
    "read_judgements",
]

BUNDLED_JUDGEMENTS = (
    f"Previous ratings: the bundled Ofsted judgements, 2009 to {OUTCOMES_CUTOFF:%d %B %Y}; "
    "later inspections are not in the data"
)
"""What the bundled data know of Ofsted judgements, as said in outputs."""

JudgementsLike = pd.DataFrame | str | Path | None
"""A judgements table, or the path of a file of one, or None for the data's judgements only."""

_RATING_COLUMNS = ("overall", "judgement", "rating")

SUBJUDGEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "leadership": ("leadership", "sub_leadership", "impact_of_leaders"),
    "help_protection": ("help_protection", "sub_help_protection", "help_and_protection"),
    "children_in_care": ("children_in_care", "sub_cla", "in_care"),
    "care_leavers": ("care_leavers", "sub_care_leavers"),
}
"""Each sub-judgement a table may give, and the names its column may have."""

_WORKBOOKS = (".ods", ".xlsx", ".xlsm")


def _column(frame: pd.DataFrame, names: tuple[str, ...], what: str) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise EarlyWarningError(
        f"judgements: no {what} column (one of {list(names)}); the columns are "
        f"{[str(c) for c in frame.columns]}"
    )


def _optional(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _date(value: Any) -> Any:
    """A date given as a date, a datetime or ISO text; NaT when it is none of them."""
    if isinstance(value, dt.date):  # datetime and pandas Timestamp are dates too
        return pd.Timestamp(value).normalize()
    if isinstance(value, str):
        return pd.to_datetime(value.strip(), format="%Y-%m-%d", errors="coerce")
    return pd.NaT


def _grades(row: int, values: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The row's grades in canonical spelling (None where not given); problems noted."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        try:
            out[name] = check_value("previous_rating", value)
        except ProfileError as exc:
            what = "judgement" if name == "overall" else name.replace("_", " ")
            problems.append(f"row {row}: {what} {value!r} {exc.problem}")
            out[name] = None
    return out


def _check_row(
    i: int, who: Any, when: Any, grades: dict[str, Any], problems: list[str]
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    try:
        row["la_code"] = resolve_council(str(who), "judgements")
    except EarlyWarningError:
        problems.append(f"row {i}: council {who!r} is not known")
    parsed = _date(when)
    if pd.isna(parsed):
        problems.append(f"row {i}: date {when!r} is not a date (YYYY-MM-DD)")
    row["date"] = parsed
    before = len(problems)
    checked = _grades(i, grades, problems)
    if len(problems) == before:
        subs = [v for k, v in checked.items() if k != "overall"]
        row["rating"], row["rating_basis"] = rating_and_basis(checked.get("overall"), *subs)
        if row["rating"] is None:
            problems.append(f"row {i}: judgement is missing (no overall grade or sub-judgement)")
    return row


def _disagreements(rows: list[dict[str, Any]], problems: list[str]) -> None:
    """Two rows judging one council's inspection of one day differently: noted as a problem,
    since keeping either would let the rows' order decide (the same judgement twice is kept)."""
    first: dict[tuple[str, pd.Timestamp], tuple[int, str]] = {}
    for i, row in enumerate(rows, start=1):
        code, day, rating = row.get("la_code"), row.get("date"), row.get("rating")
        if code is None or rating is None or pd.isna(day):
            continue  # a row with a problem of its own, already noted
        seen = first.setdefault((code, day), (i, rating))
        if seen[1] != rating:
            problems.append(
                f"row {i}: judges {code} on {day:%Y-%m-%d} {rating}, but row {seen[0]} judges "
                f"the same inspection {seen[1]}: keep the right one"
            )


def check_judgements(table: pd.DataFrame) -> pd.DataFrame:
    """Check a user's judgements table and put it in the data's judgements' form.

    Args:
        table: one row per judgement, with ``council`` (or ``la_code``), ``date`` and ``overall``
            (or ``judgement``, ``rating``) columns, and optionally the sub-judgements of
            :data:`SUBJUDGEMENT_COLUMNS`; other columns are ignored. ``overall`` may be left out,
            or empty in a row, where sub-judgements are given.

    Returns:
        One row per judgement in the table's order: ``la_code`` (the council's current ONS code),
        ``date`` (datetime), ``rating`` (outstanding, good, requires_improvement, inadequate) and
        ``rating_basis`` (``overall``, or ``sub-judgements`` where it was read from them).

    Raises:
        EarlyWarningError: naming every bad row (unknown council, a date that is not one, a
            judgement that is not one of Ofsted's, no judgement at all, two rows judging one
            council on one day differently) at once; or a required column is missing.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.datasets.user_judgements import check_judgements
        >>> t = check_judgements(pd.DataFrame({"council": ["Derbyshire", "Derby"],
        ...                                    "date": ["2026-05-11", "2026-06-01"],
        ...                                    "overall": ["Good", None],
        ...                                    "leadership": [None, "Good"],
        ...                                    "help_protection": [None, "Inadequate"]}))
        >>> t[["rating", "rating_basis"]].values.tolist()
        [['good', 'overall'], ['inadequate', 'sub-judgements']]
    """
    council = _column(table, ("council", "la_code"), "council")
    date = _column(table, ("date",), "date")
    subs = {k: _optional(table, names) for k, names in SUBJUDGEMENT_COLUMNS.items()}
    subs = {k: c for k, c in subs.items() if c is not None}
    overall = _column(table, _RATING_COLUMNS, "judgement") if not subs else None
    overall = overall or _optional(table, _RATING_COLUMNS)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, record in enumerate(table.to_dict("records"), start=1):
        grades = {"overall": record[overall] if overall else None}
        grades.update({k: record[c] for k, c in subs.items()})
        rows.append(_check_row(i, record[council], record[date], grades, problems))
    _disagreements(rows, problems)
    if problems:
        raise EarlyWarningError(
            f"judgements: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems)
        )
    out = pd.DataFrame(rows, columns=["la_code", "date", "rating", "rating_basis"])
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    for column in ("la_code", "rating", "rating_basis"):
        out[column] = out[column].astype(object)
    out.attrs["checked"] = True
    return out


def _from_workbook(file: Path) -> pd.DataFrame:
    """The judgements of Ofsted's outcomes workbook or Data to Insight's overview, as a table."""
    from earlywarning.datasets.neighbours import regions
    from earlywarning.datasets.sources import read_source

    table = read_source(file)
    if table.source.kind != "judgements":
        raise EarlyWarningError(
            f"{file}: is {table.source.title}, not a file of judgements (Ofsted's outcomes "
            "workbook, Data to Insight's overview, or a CSV of council, date, overall)"
        )
    frame = table.frame
    numbers = regions().dropna(subset=["la_number"]).set_index("la_number")["la_code"]
    council = [
        code or (numbers.get(number, f"DfE number {number}") if number else name)
        for code, number, name in zip(
            frame["la_code"],
            frame.get("la_number", pd.Series("", index=frame.index)),
            frame["la_name"],
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "council": council,
            "date": frame["date"],
            "overall": frame["overall"],
            "leadership": frame["sub_leadership"],
            "help_protection": frame["sub_help_protection"],
            # SLAC's one sub-judgement is on looked-after children as a whole: not comparable
            "children_in_care": frame["sub_cla"].where(frame["framework"] != "SLAC", ""),
            "care_leavers": frame["sub_care_leavers"],
        }
    ).replace("-", "")


def read_judgements(path: str | Path) -> pd.DataFrame:
    """Read and check a judgements file: CSV (or TSV), JSON/YAML (a list of mappings), Ofsted's
    inspection outcomes workbook or Data to Insight's ILACS overview (ODS or XLSX, as published).

    Returns:
        :func:`check_judgements` of the file's table; ``attrs["source"]`` names the file.

    Raises:
        EarlyWarningError: the file is missing or unreadable, or a row is bad; a
            :class:`~earlywarning.errors.DataSourceError` names the sheet and row of a workbook.

    Example:
        >>> import tempfile, pathlib
        >>> from earlywarning.datasets.user_judgements import read_judgements
        >>> with tempfile.TemporaryDirectory() as d:
        ...     f = pathlib.Path(d) / "j.csv"
        ...     _ = f.write_text("council,date,overall\\nE10000007,2023-05-15,Outstanding\\n")
        ...     read_judgements(f)["rating"].tolist()
        ['outstanding']
    """
    file = Path(path)
    if not file.is_file():
        raise EarlyWarningError(f"{file}: no such file")
    suffix = file.suffix.lower()
    if suffix in _WORKBOOKS:
        out = check_judgements(_from_workbook(file))
    elif suffix in (".csv", ".tsv", ".txt", ".tab"):
        # the guarded tabular reader: encodings, delimiter, ragged rows, each with file and line
        out = check_judgements(read_table(file, what="judgements"))
    else:
        out = check_judgements(_document(file))
    out.attrs["source"] = file.name
    return out


def _document(file: Path) -> pd.DataFrame:
    # the guarded document reader: no aliases, a depth limit, no key written twice, numbers
    # read as written; a refusal names the file and the line
    data = read_document(file, what="judgements")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise EarlyWarningError(f"{file}: expected a list of judgements (mappings)")
    return pd.DataFrame(data)


def as_judgements(judgements_: JudgementsLike) -> pd.DataFrame | None:
    """A checked judgements table from a table, a path, or None."""
    if judgements_ is None:
        return None
    if isinstance(judgements_, str | Path):
        return read_judgements(judgements_)
    if judgements_.attrs.get("checked"):
        return judgements_  # checked already (a second check would read the basis as given)
    return check_judgements(judgements_)


def _data_note() -> str:
    if data_location() is None:
        return BUNDLED_JUDGEMENTS
    return (
        f"Previous ratings: the Ofsted judgements of the data in {data_location()}, to "
        f"{outcomes_as_at():%d %B %Y}; later inspections are not in the data"
    )


def judgements_note(user: pd.DataFrame | None) -> str:
    """The sentence saying which judgements a result rests on, for outputs and ``attrs``.

    It names the user's file where the judgements came from one.

    Example:
        >>> from earlywarning.datasets.user_judgements import judgements_note
        >>> print(judgements_note(None))  # doctest: +ELLIPSIS
        Previous ratings: the bundled Ofsted judgements, 2009 to 31 March 2025; ...
    """
    if user is None or not len(user):
        return _data_note() + "."
    last = pd.Timestamp(user["date"].max()).date()
    source = user.attrs.get("source")
    where = f" from {source}" if source else " supplied by the user"
    derived = int((user["rating_basis"] == "sub-judgements").sum())
    rule = (
        f"; {derived} without an overall grade, rated from their sub-judgements" if derived else ""
    )
    return (
        f"{_data_note()}, with {len(user)} judgement(s){where} "
        f"(the latest dated {last:%d %B %Y}{rule})."
    )


def all_judgements(user: pd.DataFrame | None) -> pd.DataFrame:
    """The data's judgements (``la_code``, ``date``, ``rating``, ``rating_basis``) with the
    user's after them.

    Where a user's judgement has the same council and date as one of the data, the user's is kept.
    """
    known = judgements()[["la_code", "date", "rating", "rating_basis"]]
    if user is None or not len(user):
        return known
    both = pd.concat([known.assign(_user=0), user.assign(_user=1)], ignore_index=True)
    both = both.sort_values(["la_code", "date", "_user"], kind="stable")
    both = both.drop_duplicates(["la_code", "date"], keep="last")
    return both.drop(columns="_user").reset_index(drop=True)
