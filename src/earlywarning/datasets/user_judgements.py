"""Ofsted judgements the user supplies, beside the bundled ones that stop at March 2022.

The bundled judgements end on 31 March 2022 on purpose: later inspections are withheld so that
the default ruleset is judged on outcomes it has never seen. So from 2023 on a profile's
``previous_rating`` may be stale. A user who knows the later judgements can pass them as a
table with one row per inspection:

* ``council``: the council's name (any spelling the bundled data know, any case) or ONS code
  (a column ``la_code`` may be given instead);
* ``date``: the date of the judgement (ISO ``YYYY-MM-DD``; the start of the inspection, as the
  bundled ILACS rows are dated);
* ``overall``: the overall judgement, in any of Ofsted's spellings (``judgement`` or ``rating``
  may name the column instead).

:func:`check_judgements` refuses a table with any bad row, naming every one;
:func:`read_judgements` reads a CSV, JSON or YAML file of them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from earlywarning.datasets._england import OUTCOMES_CUTOFF, judgements, resolve_council
from earlywarning.errors import EarlyWarningError, ProfileError
from earlywarning.profile import check_value

__all__ = [
    "BUNDLED_JUDGEMENTS",
    "JudgementsLike",
    "all_judgements",
    "as_judgements",
    "check_judgements",
    "judgements_note",
    "read_judgements",
]

BUNDLED_JUDGEMENTS = (
    f"Previous ratings: the bundled Ofsted judgements, 2009 to {OUTCOMES_CUTOFF:%d %B %Y}; "
    "later inspections are withheld on purpose"
)
"""What the bundled data know of Ofsted judgements, as said in outputs."""

JudgementsLike = pd.DataFrame | str | Path | None
"""A judgements table, or the path of a file of one, or None for the bundled judgements only."""

_RATING_COLUMNS = ("overall", "judgement", "rating")


def _column(frame: pd.DataFrame, names: tuple[str, ...], what: str) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise EarlyWarningError(
        f"judgements: no {what} column (one of {list(names)}); the columns are "
        f"{[str(c) for c in frame.columns]}"
    )


def _date(value: Any) -> Any:
    """A date given as a date, a datetime or ISO text; NaT when it is none of them."""
    if isinstance(value, dt.date):  # datetime and pandas Timestamp are dates too
        return pd.Timestamp(value).normalize()
    if isinstance(value, str):
        return pd.to_datetime(value.strip(), format="%Y-%m-%d", errors="coerce")
    return pd.NaT


def check_judgements(table: pd.DataFrame) -> pd.DataFrame:
    """Check a user's judgements table and put it in the bundled judgements' form.

    Args:
        table: one row per judgement, with ``council`` (or ``la_code``), ``date`` and
            ``overall`` (or ``judgement``, ``rating``) columns; other columns are ignored.

    Returns:
        One row per judgement in the table's order: ``la_code`` (the council's current ONS code),
        ``date`` (datetime) and ``rating`` (outstanding, good, requires_improvement, inadequate).

    Raises:
        EarlyWarningError: naming every bad row (unknown council, a date that is not one, a
            judgement that is not one of Ofsted's) at once; or a required column is missing.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.datasets.user_judgements import check_judgements
        >>> t = check_judgements(pd.DataFrame({"council": ["Derbyshire"],
        ...                                    "date": ["2023-05-15"], "overall": ["Good"]}))
        >>> t.iloc[0].tolist()
        ['E10000007', Timestamp('2023-05-15 00:00:00'), 'good']
    """
    council = _column(table, ("council", "la_code"), "council")
    date = _column(table, ("date",), "date")
    rating = _column(table, _RATING_COLUMNS, "judgement")
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, (who, when, what) in enumerate(
        zip(table[council], table[date], table[rating], strict=True)
    ):
        row: dict[str, Any] = {}
        try:
            row["la_code"] = resolve_council(str(who), "judgements")
        except EarlyWarningError:
            problems.append(f"row {i + 1}: council {who!r} is not known")
        parsed = _date(when)
        if pd.isna(parsed):
            problems.append(f"row {i + 1}: date {when!r} is not a date (YYYY-MM-DD)")
        row["date"] = parsed
        try:
            row["rating"] = check_value("previous_rating", what)
        except ProfileError as exc:
            problems.append(f"row {i + 1}: judgement {what!r} {exc.problem}")
        if row.get("rating") is None and not any(p.startswith(f"row {i + 1}:") for p in problems):
            problems.append(f"row {i + 1}: judgement is missing")
        rows.append(row)
    if problems:
        raise EarlyWarningError(
            f"judgements: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems)
        )
    out = pd.DataFrame(rows, columns=["la_code", "date", "rating"])
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["la_code"] = out["la_code"].astype(object)
    out["rating"] = out["rating"].astype(object)
    return out


def read_judgements(path: str | Path) -> pd.DataFrame:
    """Read and check a judgements file: CSV (or TSV), or JSON/YAML (a list of mappings).

    Returns:
        :func:`check_judgements` of the file's table.

    Raises:
        EarlyWarningError: the file is missing or unreadable, or a row is bad.

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
    if suffix in (".csv", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        table = pd.read_csv(file, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
        return check_judgements(table)
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise EarlyWarningError(f"{file}: cannot be read: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise EarlyWarningError(f"{file}: expected a list of judgements (mappings)")
    return check_judgements(pd.DataFrame(data))


def as_judgements(judgements_: JudgementsLike) -> pd.DataFrame | None:
    """A checked judgements table from a table, a path, or None."""
    if judgements_ is None:
        return None
    if isinstance(judgements_, str | Path):
        return read_judgements(judgements_)
    return check_judgements(judgements_)


def judgements_note(user: pd.DataFrame | None) -> str:
    """The sentence saying which judgements a result rests on, for outputs and ``attrs``.

    Example:
        >>> from earlywarning.datasets.user_judgements import judgements_note
        >>> print(judgements_note(None))  # doctest: +ELLIPSIS
        Previous ratings: the bundled Ofsted judgements, 2009 to 31 March 2022; ...
    """
    if user is None or not len(user):
        return BUNDLED_JUDGEMENTS + "."
    last = pd.Timestamp(user["date"].max()).date()
    return (
        f"{BUNDLED_JUDGEMENTS}, with {len(user)} judgement(s) supplied by the user "
        f"(the latest dated {last:%d %B %Y})."
    )


def all_judgements(user: pd.DataFrame | None) -> pd.DataFrame:
    """The bundled judgements (``la_code``, ``date``, ``rating``) with the user's after them.

    Where a user's judgement has the same council and date as a bundled one, the user's is kept.
    """
    bundled = judgements()[["la_code", "date", "rating"]]
    if user is None or not len(user):
        return bundled
    both = pd.concat([bundled.assign(_user=0), user.assign(_user=1)], ignore_index=True)
    both = both.sort_values(["la_code", "date", "_user"], kind="stable")
    both = both.drop_duplicates(["la_code", "date"], keep="last")
    return both.drop(columns="_user").reset_index(drop=True)
