"""National figures and a council's own facts in one profile: private machinery of
:mod:`earlywarning.datasets`, used by :func:`~earlywarning.datasets.profiles_at`.

The one record of where each figure came from is the ``local_fields`` column the builder adds
when it is given local facts: for each row, the fields its local facts settled. A field is then
*local* when it is named there, *missing* when it has no value, and *national* otherwise
(:func:`field_sources` reads it so; every output that marks figures calls it). Where a local
fact replaced a national figure, the builder lists it in ``attrs["local_overrides"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from earlywarning.errors import EarlyWarningError
from earlywarning.local import FORMATS, LocalFacts, read_local_facts
from earlywarning.profile import DERIVED, FIELD_NAMES

__all__ = [
    "FIELD_SOURCES",
    "LOCAL_COLUMN",
    "OVERRIDE_COLUMNS",
    "LocalLike",
    "as_local",
    "field_source",
    "field_sources",
    "local_columns",
    "local_note",
    "merge_local",
]

LocalLike: TypeAlias = LocalFacts | str | Path | None
"""Local facts as a caller may give them: read facts, the path of a facts file or of a folder of
them, or None."""

LOCAL_COLUMN = "local_fields"
"""The column naming, for each row, the fields its local facts settled (a tuple of names)."""

FIELD_SOURCES: tuple[str, ...] = ("national", "local", "missing")
"""Where a profile figure came from: the national statistics, the council's own facts, or
nowhere."""

OVERRIDE_COLUMNS: tuple[str, ...] = (
    "council",
    "la_code",
    "profile_date",
    "field",
    "national",
    "local",
    "reason",
    "facts",
)
"""The columns of ``attrs["local_overrides"]``: each national figure a local fact replaced,
the two values, how the local one was worked out and the facts (file:line) it rests on."""


# The fields a measure that no profile gives is worked out from (a measure a profile may give,
# such as the budget cut, is read first as a field).
_MEASURE_INPUTS: dict[str, tuple[str, ...]] = {
    **{d.name: d.inputs for d in DERIVED if d.kind == "fields"},
    "previous_rating_grade": ("previous_rating",),
}


def as_local(local: LocalLike) -> LocalFacts | None:
    """Read facts as given: a file is read and checked, a folder's facts files (``.yaml``,
    ``.yml``, ``.csv``, ``.tsv``) each in turn, and read facts are used as they are.

    Raises:
        LocalFactsError: for a file with a bad fact, naming each with its line.
        EarlyWarningError: for a folder with no facts file, or two files about one council.

    Example:
        >>> facts = as_local("examples/local")
        >>> sorted(c.council for c in facts.councils)
        ['Derbyshire', 'Durham', 'Kirklees', 'Oxfordshire']
    """
    if local is None or isinstance(local, LocalFacts):
        return local
    folder = Path(local)
    if not folder.is_dir():
        return read_local_facts(folder)
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() in FORMATS and f.is_file())
    if not files:
        known = ", ".join(FORMATS)
        raise EarlyWarningError(f"local facts: {folder} holds no facts file (they end in {known})")
    read = [read_local_facts(f) for f in files]
    where: dict[str, str] = {}
    for facts in read:
        for council in facts.councils:
            if council.la_code in where:
                raise EarlyWarningError(
                    f"local facts: {council.council} ({council.la_code}) has facts in both "
                    f"{where[council.la_code]} and {council.provenance.file}: keep one council's "
                    "facts in one file"
                )
            where[council.la_code] = council.provenance.file
    councils = tuple(c for facts in read for c in facts.councils)
    return LocalFacts(councils=councils, files=tuple(str(f) for f in files))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _column(out: pd.DataFrame, field: str) -> None:
    """An empty column for a field the national data do not give, typed for its values."""
    from earlywarning.profile import FIELDS

    kind = next(spec.kind for spec in FIELDS if spec.name == field)
    if kind in ("number", "integer"):
        out[field] = np.nan
    else:  # flags and text keep None for missing, as previous_rating does
        out[field] = pd.Series([None] * len(out), index=out.index, dtype=object)


def merge_local(
    out: pd.DataFrame, codes: Sequence[str], points: pd.Series, facts: LocalFacts
) -> pd.DataFrame:
    """Put the local facts of each row's council, as on its day, in place of the national
    figures (in place), add ``local_fields`` and return the overrides table.

    Only facts dated on or before each row's point in time are read (see
    :meth:`earlywarning.local.LocalFacts.derivations`), over the rules' lookback.
    """
    covered = {c.la_code for c in facts.councils}
    settled: list[tuple[str, ...]] = []
    overrides: list[dict[str, Any]] = []
    for i, (code, point) in enumerate(zip(codes, points, strict=True)):
        if code not in covered:
            settled.append(())
            continue
        day = pd.Timestamp(point).date()
        found = {f: d for f, d in facts.derivations(code, day).items() if d.value is not None}
        for field, d in found.items():
            if field not in out.columns:
                _column(out, field)
            national = out.at[i, field]
            if not _missing(national):
                overrides.append(
                    {
                        "council": out.at[i, "council"],
                        "la_code": code,
                        "profile_date": day,
                        "field": field,
                        "national": national,
                        "local": d.value,
                        "reason": d.reason,
                        "facts": "; ".join(str(p) for p in d.facts),
                    }
                )
            out.at[i, field] = d.value
        settled.append(tuple(found))
    out[LOCAL_COLUMN] = pd.Series(settled, index=out.index, dtype=object)
    return pd.DataFrame(overrides, columns=list(OVERRIDE_COLUMNS))


def local_columns(out: pd.DataFrame, first: Sequence[str]) -> list[str]:
    """The frame's columns in output order: ``first``, then the fields local facts added (in
    the profile's field order), then ``local_fields``."""
    added = [f for f in FIELD_NAMES if f in out.columns and f not in first]
    return [*first, *added, *([LOCAL_COLUMN] if LOCAL_COLUMN in out.columns else [])]


def field_source(row: Mapping[str, Any], field: str) -> str:
    """Where one figure of a profile came from: ``national``, ``local`` or ``missing``.

    ``row`` is a row of :func:`~earlywarning.datasets.profiles_at` (or any profile: without
    ``local_fields`` every figure with a value is national). ``field`` may also be a measure a
    rule reads: one worked out from other fields (the budget cut from the two budgets) is local
    when any of them is, missing when any is missing.

    Example:
        >>> row = {"dcs_changes": 2, "agency_rate_pct": None, "local_fields": ("dcs_changes",)}
        >>> [field_source(row, f) for f in ("dcs_changes", "agency_rate_pct", "avg_caseload")]
        ['local', 'missing', 'missing']
        >>> row = {"budget_baseline_gbp_m": 131, "budget_current_gbp_m": 90,
        ...        "local_fields": ("budget_baseline_gbp_m", "budget_current_gbp_m")}
        >>> field_source(row, "budget_cut_pct")
        'local'
    """
    if not _missing(row.get(field)):
        local = row.get(LOCAL_COLUMN)
        return "local" if isinstance(local, tuple) and field in local else "national"
    inputs = _MEASURE_INPUTS.get(field)
    if inputs is None:
        return "missing"
    found = {field_source(row, f) for f in inputs}
    return "missing" if "missing" in found else "local" if "local" in found else "national"


def field_sources(frame: pd.DataFrame, fields: Sequence[str] | None = None) -> pd.DataFrame:
    """Where each figure of each profile came from: one column per field, on the frame's index.

    Args:
        frame: profiles from :func:`~earlywarning.datasets.profiles_at` (with or without local
            facts).
        fields: the fields to mark (default: every profile field but the identity).

    Example:
        >>> import datetime as dt
        >>> from earlywarning.datasets import field_sources, profiles_at
        >>> p = profiles_at(["E10000007"], [dt.date(2020, 1, 1)])
        >>> field_sources(p, ["agency_rate_pct", "dcs_changes"]).iloc[0].tolist()
        ['national', 'missing']
    """
    wanted = [f for f in FIELD_NAMES if f not in ("council", "year", "la_code")]
    names = list(fields) if fields is not None else wanted
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    table = {f: [field_source(r, f) for r in rows] for f in names}
    return pd.DataFrame(table, index=frame.index, columns=names)


def local_note(facts: LocalFacts, day: dt.date | None = None) -> str:
    """One sentence naming the local facts files read, for a page's or a table's notes."""
    files = ", ".join(facts.files) or "the local facts given"
    when = f" dated on or before {day.day} {day:%B %Y}" if day is not None else ""
    return f"Local facts from {files}: the council's own records{when}."
