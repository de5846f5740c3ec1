"""Importing newer publisher files, and saying which data are in use.

:func:`import_data` reads each file in its publisher's layout (recognised from its columns or
sheets, see :data:`earlywarning.datasets.sources.SOURCES`), checks it, lays it over the data in
use and writes a data directory; its report says what each file holds and what changed.
``EARLYWARNING_DATA=DIR`` or :func:`earlywarning.datasets.use` then points every function and
command at the new directory. :func:`data_status` says which data are in use: each source's
publication, the years it covers and how old its newest figure is.

The bundled data are built by the same path: ``import_data(files, base=None)`` from the raw files
in the repository (see ``data/README.md``).

Example:
    >>> import datetime as dt
    >>> from earlywarning.datasets.importing import data_status
    >>> status = data_status(today=dt.date(2026, 12, 1))
    >>> status.location, status.outcomes_as_at
    ('bundled', datetime.date(2025, 3, 31))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from earlywarning.datasets._england import data_location, manifest, outcomes_as_at
from earlywarning.datasets.sources import SOURCES, read_source
from earlywarning.datasets.sources.build import (
    DataSet,
    build,
    data_files,
    read_data,
    write_data,
)
from earlywarning.datasets.sources.types import SourceTable
from earlywarning.errors import EarlyWarningError, OutputFileError

__all__ = [
    "DataStatus",
    "FileCheck",
    "ImportReport",
    "data_in_use",
    "data_status",
    "import_data",
]

Base = Literal["in use"] | None


@dataclass(frozen=True)
class FileCheck:
    """What one file held: its layout, councils, years and suppression codes."""

    file: str
    source: str
    title: str
    councils: int
    years: tuple[int, int] | None
    dated: str
    suppressed: dict[str, int]
    notes: tuple[str, ...]

    def line(self) -> str:
        """One line describing the file."""
        years = f", {self.years[0]}-{self.years[1]} ({self.dated})" if self.years else ""
        codes = sum(self.suppressed.values())
        marks = ", ".join(f"{k} {v}" for k, v in self.suppressed.items())
        coded = f"; {codes} suppression codes ({marks})" if codes else "; no suppression codes"
        return f"{self.file}: {self.title} [{self.source}]: {self.councils} councils{years}{coded}"


@dataclass
class ImportReport:
    """What an import read, what it changed, and where it wrote the data."""

    files: list[FileCheck]
    changes: list[str]
    base: str
    output: Path | None = None
    written: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The report as printed by ``earlywarning data import``."""
        lines = [f"Checked {len(self.files)} file(s):"]
        for check in self.files:
            lines.append(f"  {check.line()}")
            lines += [f"      {note}" for note in check.notes]
        lines += ["", f"Changes against {self.base}:"]
        lines += [f"  {c}" for c in self.changes] or ["  none"]
        if self.output is not None:
            lines += [
                "",
                f"Wrote {self.output} ({len(self.written)} files). Use it with "
                f"EARLYWARNING_DATA={self.output}, or in Python "
                f"earlywarning.datasets.use({str(self.output)!r}).",
            ]
        return "\n".join(lines)


def data_in_use() -> DataSet:
    """The tables of the data in use, as text (the base of an import)."""
    where = data_location()
    if where is not None:
        return read_data(where)
    with resources.as_file(resources.files("earlywarning.datasets") / "data" / "england") as d:
        return read_data(d)


def _check(table: SourceTable) -> FileCheck:
    return FileCheck(
        file=table.file.name,
        source=table.source.name,
        title=table.source.title,
        councils=table.councils,
        years=table.years,
        dated=table.source.dated,
        suppressed=dict(sorted(table.suppressed.items())),
        notes=tuple(table.notes),
    )


def _in_table_order(tables: list[SourceTable]) -> list[SourceTable]:
    """The files in the table of sources' order (a stable sort: one source's files keep theirs,
    so that a later release given after an earlier one replaces it)."""
    order = {s.name: i for i, s in enumerate(SOURCES)}
    return sorted(tables, key=lambda t: order[t.source.name])


def import_data(
    files: Iterable[str | Path], output: str | Path | None = None, *, base: Base = "in use"
) -> ImportReport:
    """Check publisher files, lay them over the data in use, and write a data directory.

    Args:
        files: the files, each in a layout of :data:`~earlywarning.datasets.sources.SOURCES`.
        output: the directory to write (created if need be); None only checks and reports.
        base: ``"in use"`` (the data in use) or None (nothing: the files are all the data, as
            when the bundled data are built).

    Returns:
        The :class:`ImportReport`: each file's layout, councils, years and suppression codes,
        and what changed against the base.

    Raises:
        DataSourceError: a file in no known layout, or one that breaks its layout, with the
            file, line (or sheet and row) and reason; nothing is written.
        OutputFileError: the directory cannot be written.
    """
    tables = _in_table_order([read_source(f) for f in files])
    if not tables:
        raise EarlyWarningError("data import: no files given")
    before = data_in_use() if base == "in use" else DataSet.empty()
    after = build(tables, before)
    described = _describe_base() if base == "in use" else "nothing (a fresh build)"
    report = ImportReport([_check(t) for t in tables], changes(before, after), described)
    if output is not None:
        try:
            written = write_data(after, output)
        except OSError as exc:
            raise OutputFileError(f"{output}: cannot be written: {exc.strerror or exc}") from None
        report.output, report.written = Path(output), [p.name for p in written]
    return report


def _describe_base() -> str:
    where = data_location()
    return "the bundled data" if where is None else f"the data in {where}"


# ----------------------------------------------------------------------------------------------
# What changed


def _keys(frame: pd.DataFrame) -> set[tuple[str, int]]:
    return set(zip(frame["la_code"], frame["year"].astype(int), strict=True))


def _panel_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    added = sorted(_keys(after) - _keys(before))
    out = []
    if added:
        years = pd.Series([y for _, y in added]).value_counts().sort_index()
        per_year = ", ".join(f"{y}: {n} councils" for y, n in years.items())
        out.append(f"la_year_panel: {len(added)} council-years added ({per_year})")
    new_codes = sorted(set(after["la_code"]) - set(before["la_code"]))
    if new_codes and len(before):
        out.append(f"la_year_panel: councils new to the data: {', '.join(new_codes)}")
    keys = ["la_code", "year"]
    both = before.merge(after, on=keys, suffixes=("_before", ""))
    for column in (c for c in after.columns if c not in (*keys, "la_name")):
        if f"{column}_before" not in both.columns:
            continue
        old, new = both[f"{column}_before"].astype(str), both[column].astype(str)
        changed = both[(old != new) & (old != "") & (new != "")]
        filled = int(((old == "") & (new != "")).sum())
        emptied = int(((old != "") & (new == "")).sum())
        if len(changed) or filled or emptied:
            first = changed.iloc[0] if len(changed) else None
            example = (
                f", e.g. {first['la_name']} {first['year']}: "
                f"{first[f'{column}_before']} -> {first[column]}"
                if first is not None
                else ""
            )
            out.append(
                f"{column}: {len(changed)} values changed, {filled} filled, "
                f"{emptied} emptied{example}"
            )
    return out


def _judgement_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    keys = ["la_code", "framework", "date"]
    merged = before.merge(after, on=keys, how="right", suffixes=("_before", ""), indicator=True)
    added = merged[merged["_merge"] == "right_only"]
    grades = ("overall", "sub_leadership", "sub_help_protection", "sub_cla", "sub_care_leavers")
    both = merged[merged["_merge"] == "both"]
    revised = both[[any(r[f"{g}_before"] != r[g] for g in grades) for r in both.to_dict("records")]]
    out = []
    if len(added):
        dates = pd.to_datetime(added["date"])
        out.append(
            f"ofsted_judgements: {len(added)} judgements added "
            f"({_day_text(dates.min().date())} to {_day_text(dates.max().date())})"
        )
    for row in revised.head(5).to_dict("records"):
        out.append(f"ofsted_judgements: revised: {row['la_name']} {row['date']} ({row['src']})")
    if len(revised) > 5:
        out.append(f"ofsted_judgements: {len(revised) - 5} more revised")
    return out


def changes(before: DataSet, after: DataSet) -> list[str]:
    """What differs between two data sets, one line per kind of change."""
    out = _panel_changes(before.panel, after.panel)
    out += _judgement_changes(before.judgements, after.judgements)
    out += [f"ofsted_judgements: not taken: {c}" for c in after.conflicts]
    for model, table in sorted(after.neighbours.items()):
        old = before.neighbours.get(model)
        if old is None:
            out.append(f"neighbours: model {model} added ({len(table)} councils)")
        elif not old.reset_index(drop=True).equals(table.reset_index(drop=True)):
            out.append(f"neighbours: model {model} replaced")
    pairs = set(zip(after.councils["la_number"], after.councils["la_code"], strict=True))
    old_pairs = set(zip(before.councils["la_number"], before.councils["la_code"], strict=True))
    if old_pairs and pairs - old_pairs:
        new = ", ".join(f"{n} {c}" for n, c in sorted(pairs - old_pairs))
        out.append(f"la_codes: new DfE number and ONS code pairs: {new}")
    return out


# ----------------------------------------------------------------------------------------------
# Which data are in use


@dataclass(frozen=True)
class DataStatus:
    """Which data are in use, and each source's publication, years and age on ``today``."""

    location: str
    outcomes_as_at: dt.date
    today: dt.date
    sources: pd.DataFrame

    def text(self) -> str:
        """The status as printed by ``earlywarning data status``."""
        where = "the bundled data" if self.location == "bundled" else f"the data in {self.location}"
        lines = [
            f"Data in use: {where}.",
            f"Ofsted judgements as at {self.outcomes_as_at:%d %B %Y}; later inspections are "
            "not in these data.",
            "",
        ]
        for row in self.sources.to_dict("records"):
            lines += [
                f"{row['source']} ({row['publisher']})",
                f"    file: {row['file']}; published: {row['published']}",
            ]
            if row["covers"]:
                newest = f"; newest {row['latest figure']}" if row["latest figure"] else ""
                age = f", {row['age']} old" if row["age"] else ""
                lines.append(f"    covers: {row['covers']} ({row['dated']}){newest}{age}")
        lines += ["", f"Ages are as of {self.today.day} {self.today:%B %Y}."]
        return "\n".join(lines)


def age_text(then: dt.date, today: dt.date) -> str:
    """How long before ``today`` a date is, in years and months (``"1 year 2 months"``).

    Example:
        >>> import datetime as dt
        >>> age_text(dt.date(2025, 9, 30), dt.date(2026, 12, 1))
        '1 year 2 months'
    """
    months = (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)
    if months < 0:
        return "in the future"
    years, months = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    parts += [f"{months} month{'s' if months != 1 else ''}"] if months or not years else []
    return " ".join(parts)


def _row(entry: dict[str, Any], today: dt.date) -> dict[str, str]:
    latest = entry.get("latest")
    first, last = entry.get("first_year"), entry.get("last_year")
    covers = f"{first}-{last}" if first is not None else ""
    if entry.get("model"):
        covers = f"model {entry['model']}"
    return {
        "source": str(entry["title"]),
        "publisher": str(entry["publisher"]),
        "file": str(entry["file"]),
        "published": _day_text(entry["published"])
        if entry.get("published")
        else "not stated in the file",
        "covers": covers,
        "dated": str(entry.get("dated") or ""),
        "latest figure": _day_text(latest) if latest else "",
        "age": age_text(dt.date.fromisoformat(str(latest)), today) if latest else "",
    }


def _day_text(iso: object) -> str:
    day = dt.date.fromisoformat(str(iso))
    return f"{day.day} {day:%B %Y}"


def data_status(today: dt.date | None = None) -> DataStatus:
    """Which data are in use: each source's publication, the years it covers and its age.

    Args:
        today: the date ages are counted to (today by default).

    Returns:
        A :class:`DataStatus`; ``.text()`` is what ``earlywarning data status`` prints, and
        ``.sources`` a table with one row per source.
    """
    day = today or dt.date.today()
    rows = [_row(e, day) for e in manifest()]
    where = data_location()
    return DataStatus(
        location="bundled" if where is None else str(where),
        outcomes_as_at=outcomes_as_at(),
        today=day,
        sources=pd.DataFrame(rows),
    )


def data_texts(tables: Sequence[SourceTable], base: Base = None) -> dict[str, str]:
    """The files a build of ``tables`` would write, by name, as text (for comparing builds)."""
    before = data_in_use() if base == "in use" else DataSet.empty()
    return data_files(build(_in_table_order(list(tables)), before))
