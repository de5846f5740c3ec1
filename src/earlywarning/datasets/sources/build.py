"""Building a data directory from source files: the bundled data, or a user's newer import.

:func:`build` lays each source read (:class:`~.types.SourceTable`) over a base
:class:`DataSet` (the data in use, or nothing): a newer release of a source replaces that
source's figures for the councils and years it covers, and leaves the rest. The bundled data are
this function applied to the raw files in the repository's ``data/raw`` and the compiled files in
``data/compiled`` over nothing; the test suite rebuilds them and compares.

What a data directory holds (:data:`DATA_FILES`, and one file per neighbour model):

* ``la_year_panel.csv``: one row per council code and year, every figure as published;
  ``referrals_rate_10k_calc`` and ``cin_at31_rate_10k_calc`` are worked out here, per 10,000
  children aged 0-17 in the ONS mid-year estimate of the year before (the middle of the year to
  31 March), rounded to one decimal;
* ``la_codes.csv``: each pair of DfE number and ONS code seen in DfE's releases, with its region
  and the first and last year it appears;
* ``statistical_neighbours_<year>.csv``: each DfE neighbour model;
* ``ofsted_judgements.csv``: every judgement, coded as Ofsted codes the council;
* the compiled inspections-with-inputs files, carried unchanged;
* ``sources.json``: what each source was (file, checksum, publication, years, councils).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from earlywarning._names import excerpt
from earlywarning.datasets.sources.compiled import SERIES_COLUMNS
from earlywarning.datasets.sources.dfe_neighbours import NEIGHBOUR_COLUMNS
from earlywarning.datasets.sources.types import JUDGEMENT_COLUMNS, SourceTable, Where
from earlywarning.profile import check_value

__all__ = [
    "CODES_COLUMNS",
    "DATA_FILES",
    "PANEL_COLUMNS",
    "DataSet",
    "build",
    "data_files",
    "neighbours_file",
    "read_data",
    "write_data",
]

PANEL_COLUMNS: tuple[str, ...] = (
    "la_code",
    "la_name",
    "year",
    "csww_caseload_fte",
    "csww_agency_rate_fte",
    "csww_turnover_rate_fte",
    "csww_vacancy_rate_fte",
    "csww_absence_rate_fte",
    "csww_inpost_fte",
    "referrals_count",
    "referrals_rate_10k_calc",
    "rereferral_pct",
    "cin_at31_count",
    "cin_at31_rate_10k_calc",
    "cla_31mar_count",
    "cla_31mar_rate_10k",
    *SERIES_COLUMNS,
    "cpp_started_count",
    "cpp_subsequent_pct",
    "ons_population_0_17",
)
"""The panel's columns, in order."""

CODES_COLUMNS: tuple[str, ...] = (
    "la_number",
    "la_code",
    "la_name",
    "region_code",
    "region_name",
    "first_year",
    "last_year",
)
"""The columns of ``la_codes.csv``."""

DATA_FILES = {
    "panel": "la_year_panel.csv",
    "councils": "la_codes.csv",
    "judgements": "ofsted_judgements.csv",
    "manifest": "sources.json",
}
"""The files every data directory has (besides one per neighbour model)."""

# the releases whose councils make la_codes.csv: children in need and the workforce census (the
# looked-after and population files start later or earlier and add no pair of their own)
_CODES_FROM = ("dfe_workforce", "dfe_children_in_need", "dfe_referrals", "dfe_protection_plans")

# the rates worked out from a count and the population of the year before
_RATES = {"referrals_rate_10k_calc": "referrals_count", "cin_at31_rate_10k_calc": "cin_at31_count"}


def neighbours_file(model: str) -> str:
    """The file of one neighbour model in a data directory."""
    return f"statistical_neighbours_{model}.csv"


@dataclass
class DataSet:
    """A data directory's tables, as text as published (see the module docstring)."""

    panel: pd.DataFrame
    councils: pd.DataFrame
    judgements: pd.DataFrame
    neighbours: dict[str, pd.DataFrame] = field(default_factory=dict)
    compiled: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: list[dict[str, object]] = field(default_factory=list)
    # judgements of other publishers that differ from Ofsted's own (kept out, reported)
    conflicts: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls) -> DataSet:
        """A data set with no rows."""
        return cls(
            panel=pd.DataFrame(columns=list(PANEL_COLUMNS), dtype=object),
            councils=pd.DataFrame(columns=list(CODES_COLUMNS), dtype=object),
            judgements=pd.DataFrame(columns=list(JUDGEMENT_COLUMNS), dtype=object),
        )


# ----------------------------------------------------------------------------------------------
# Building


def build(tables: Iterable[SourceTable], base: DataSet | None = None) -> DataSet:
    """Lay the sources over ``base`` (nothing when None) and work out what derives from them.

    The sources are applied in the order given; a later one replaces an earlier one's figures
    for the same council, year and column.

    Raises:
        DataSourceError: a council of a judgements file that cannot be placed, with its row.
    """
    data = base or DataSet.empty()
    tables = list(tables)
    councils = _councils(data.councils, [t for t in tables if t.source.kind == "panel"])
    panel = data.panel
    for table in tables:
        if table.source.kind == "panel" or table.source.name == "compiled_series":
            panel = _overlay_panel(panel, table)
    panel = _with_rates(panel)
    judgements = data.judgements
    found = [t for t in tables if t.source.kind == "judgements"]
    # the codes Ofsted gives, in the base and in every file read, place the rows without one
    ofsted = pd.concat([judgements, *(t.frame for t in found)], ignore_index=True)
    ofsted = ofsted[ofsted["la_code"].fillna("") != ""]
    conflicts: list[str] = []
    for table in found:
        judgements = _overlay_judgements(judgements, _coded(table, councils, ofsted), conflicts)
    neighbours = dict(data.neighbours)
    compiled = dict(data.compiled)
    for table in tables:
        if table.source.kind == "neighbours":
            neighbours[table.model] = table.frame.loc[:, list(NEIGHBOUR_COLUMNS)]
        elif table.source.name == "compiled_inspections":
            compiled[table.file.name] = table.frame
    manifest = _manifest(data.manifest, tables)
    return DataSet(panel, councils, judgements, neighbours, compiled, manifest, conflicts)


def _overlay_panel(panel: pd.DataFrame, table: SourceTable) -> pd.DataFrame:
    """The panel with the table's columns replaced for the table's councils and years."""
    frame = table.frame
    columns = [c for c in frame.columns if c in PANEL_COLUMNS and c not in ("la_code", "year")]
    new = frame.loc[:, ["la_code", "year", *columns]].copy()
    new["year"] = new["year"].astype(int)
    old = panel.copy()
    old["year"] = old["year"].astype(int)
    keys = ["la_code", "year"]
    merged = old.merge(new, on=keys, how="outer", suffixes=("", "__new"), indicator=True)
    for column in columns:
        if column not in old.columns:
            merged[column] = merged.pop(f"{column}__new")
            continue
        fresh = merged.pop(f"{column}__new")
        take = merged["_merge"] != "left_only"
        if column == "la_name":  # a council's name: the source's where it names the row
            take &= fresh.notna()
        merged[column] = merged[column].where(~take, fresh)
    merged = merged.drop(columns="_merge")
    merged = merged.reindex(columns=list(PANEL_COLUMNS)).astype(object).fillna("")
    return merged.sort_values(keys, kind="stable", ignore_index=True).astype({"year": int})


def _with_rates(panel: pd.DataFrame) -> pd.DataFrame:
    """Referral and children-in-need rates per 10,000 children, from the year-before population."""
    out = panel.copy()
    population = _numbers(out["ons_population_0_17"])
    before = pd.Series(population, index=pd.MultiIndex.from_arrays([out["la_code"], out["year"]]))
    keys = pd.MultiIndex.from_arrays([out["la_code"], out["year"].astype(int) - 1])
    children = before.reindex(keys).to_numpy()
    for rate, count in _RATES.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            value = _numbers(out[count]) / children * 10_000
        out[rate] = [repr(round(float(v), 1)) if np.isfinite(v) else "" for v in value]
    return out


def _numbers(column: pd.Series) -> np.ndarray:
    """Published text as numbers; empty cells and suppression codes as NaN."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _councils(base: pd.DataFrame, tables: list[SourceTable]) -> pd.DataFrame:
    """Each (DfE number, ONS code) pair seen, with its name, region and first and last year."""
    parts = [base.astype({"first_year": int, "last_year": int})] if len(base) else []
    for table in tables:
        if table.source.name not in _CODES_FROM:
            continue
        rows = table.frame.astype({"year": int})
        parts.append(rows.assign(first_year=rows["year"], last_year=rows["year"]))
    if not parts:
        return base
    both = pd.concat(parts, ignore_index=True).sort_values("last_year", kind="stable")
    keys = ["la_number", "la_code"]
    # the name and region of each pair's latest year, and its whole span of years
    latest = both.groupby(keys, sort=False)[["la_name", "region_code", "region_name"]].last()
    span = both.groupby(keys).agg(first_year=("first_year", "min"), last_year=("last_year", "max"))
    out = latest.join(span).reset_index().sort_values(keys, ignore_index=True)
    return out.loc[:, list(CODES_COLUMNS)]


# ----------------------------------------------------------------------------------------------
# Judgements: every row coded as Ofsted codes the council


def _name_key(name: str) -> str:
    """A council's name as compared across publishers: case, "&", commas and DfE's ", City of"
    and Ofsted's " Borough" set aside ("Kingston Upon Hull" is "Kingston upon Hull, City of")."""
    key = name.casefold().replace("&", " and ").replace(",", " ")
    key = " ".join(key.split())
    for tail in (" city of", " county of", " borough"):
        if key.endswith(tail):
            key = key[: -len(tail)]
    return key


def _coded(table: SourceTable, councils: pd.DataFrame, ofsted: pd.DataFrame) -> pd.DataFrame:
    """The table's judgements, each with the ONS code Ofsted uses for its council."""
    frame = table.frame.copy()
    by_name = _codes_by(ofsted["la_name"].map(_name_key), ofsted["la_code"])
    used = set(ofsted["la_code"])
    codes = []
    for row in frame.astype(str).to_dict("records"):
        codes.append(row["la_code"] or _place(row, councils, by_name, used, table))
    frame["la_code"] = codes
    return frame.loc[:, list(JUDGEMENT_COLUMNS)]


def _codes_by(keys: pd.Series, codes: pd.Series) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, code in zip(keys, codes, strict=True):
        out.setdefault(key, set()).add(code)
    return out


def _place(
    row: Mapping[Hashable, str],
    councils: pd.DataFrame,
    by_name: dict[str, set[str]],
    used: set[str],
    table: SourceTable,
) -> str:
    """The code of a judgement given by council name or DfE number only.

    By number: the code Ofsted uses among the number's codes, else the latest. By name: Ofsted's
    code for the name; for a council the file lists as abolished (Ofsted's "pre-restructure"
    table), the DfE code that ended first (the former county of Dorset, not today's Dorset).
    """
    number = row.get("la_number", "")
    if number:
        rows = councils[councils["la_number"] == number].sort_values("last_year")
    else:
        key = _name_key(row["la_name"])
        ofsted = by_name.get(key, set())
        if ofsted and not row.get("abolished") and len(ofsted) == 1:
            return next(iter(ofsted))
        rows = councils[councils["la_name"].map(_name_key) == key].sort_values("last_year")
        rows = rows[~rows["la_code"].str.contains("/", regex=False)]
    if not len(rows):
        what = f"DfE number {number}" if number else f"name {excerpt(row['la_name'])}"
        raise Where(table.file).error(f"{row.get('where', '')}: no council has the {what}")
    if row.get("abolished"):
        return str(rows["la_code"].iloc[0])
    ofsted_codes = [c for c in rows["la_code"] if c in used]
    return str(ofsted_codes[-1] if ofsted_codes else rows["la_code"].iloc[-1])


_GRADE_COLUMNS = ("overall", "sub_leadership", "sub_help_protection", "sub_cla", "sub_care_leavers")


def _grades(row: Mapping[Hashable, object]) -> tuple[object, ...]:
    """A row's five grades in canonical spelling, to tell a revision from a respelling."""
    return tuple(_canonical(row.get(c, "")) for c in _GRADE_COLUMNS)


def _canonical(value: object) -> object:
    text = re.sub(r"^\(SLAC CLA OE\) ", "", str(value))
    try:
        return check_value("previous_rating", text) if text not in ("", "-") else text
    except ValueError:
        return text


def _overlay_judgements(old: pd.DataFrame, new: pd.DataFrame, conflicts: list[str]) -> pd.DataFrame:
    """Old and new judgements. For the same inspection (council, framework, date) the new row
    replaces the old only where it judges differently (a revision, as Ofsted corrected
    Staffordshire's care leavers in 2025), not where it only spells a grade differently; and
    another publisher's row never replaces Ofsted's own: the difference is noted in
    ``conflicts`` instead."""
    keys = ("la_code", "framework", "date")
    rows = {tuple(r[k] for k in keys): r for r in old.to_dict("records")}
    for row in new.to_dict("records"):
        key = tuple(row[k] for k in keys)
        if key in rows and _grades(rows[key]) == _grades(row):
            continue
        if key in rows and _is_ofsted(rows[key]) and not _is_ofsted(row):
            conflicts.append(_conflict(rows[key], row))
            continue
        rows[key] = row
    columns = list(JUDGEMENT_COLUMNS)
    out = pd.DataFrame(list(rows.values()), columns=columns, dtype=object).fillna("")
    return out.sort_values(["la_code", "date"], kind="stable", ignore_index=True)


def _is_ofsted(row: Mapping[Hashable, object]) -> bool:
    return str(row.get("src", "")).startswith("Ofsted")


def _conflict(ofsted: Mapping[Hashable, object], other: Mapping[Hashable, object]) -> str:
    differ = [
        f"{c.removeprefix('sub_').replace('_', ' ')} {other.get(c) or 'none'!s} "
        f"(Ofsted: {ofsted.get(c) or 'none'!s})"
        for c in _GRADE_COLUMNS
        if _canonical(ofsted.get(c, "")) != _canonical(other.get(c, ""))
    ]
    return (
        f"{ofsted['la_name']} {ofsted['date']}: {other['src']} differs from Ofsted's release, "
        f"which is kept: {'; '.join(differ)}"
    )


# ----------------------------------------------------------------------------------------------
# The record of sources


def _digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()[:16]


def _latest(table: SourceTable) -> str | None:
    """The date of the source's newest figure: the end of its last year, or its last judgement."""
    for column in ("date", "inspection_start"):
        if column in table.frame.columns and len(table.frame):
            return str(table.frame[column].max())
    years = table.years
    day = table.source.latest_day
    if years is None or day is None:
        return None
    return dt.date(years[1], *day).isoformat()


def _entry(table: SourceTable) -> dict[str, object]:
    years = table.years
    return {
        "source": table.source.name,
        "title": table.source.title,
        "publisher": table.source.publisher,
        "file": table.file.name,
        "sha256": _digest(table.file),
        "published": table.published.isoformat() if table.published else None,
        "as_at": table.as_at.isoformat() if table.as_at else None,
        "model": table.model or None,
        "dated": table.source.dated,
        "first_year": years[0] if years else None,
        "last_year": years[1] if years else None,
        "latest": _latest(table),
        "councils": table.councils,
        "rows": len(table.frame),
        "suppressed": dict(sorted(table.suppressed.items())),
    }


def _manifest(base: list[dict[str, object]], tables: list[SourceTable]) -> list[dict[str, object]]:
    """The base's record with each source read replacing the entry of the same source (and,
    for a neighbour model, the same model year; for a source kept per file, the same file)."""
    from earlywarning.datasets.sources import SOURCES

    per_file = {s.name for s in SOURCES if s.per_file}

    def key(source: str, model: object, file: object) -> tuple[str, str, str]:
        return source, str(model or ""), str(file) if source in per_file else ""

    entries = {key(str(e["source"]), e.get("model"), e["file"]): e for e in base}
    for table in tables:
        entries[key(table.source.name, table.model, table.file.name)] = _entry(table)
    order = {s.name: i for i, s in enumerate(SOURCES)}
    return sorted(
        entries.values(),
        key=lambda e: (order.get(str(e["source"]), 99), str(e.get("model")), str(e["file"])),
    )


# ----------------------------------------------------------------------------------------------
# Writing and reading a data directory


def _csv_text(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(c) for c in frame.columns])
    writer.writerows(frame.astype(str).itertuples(index=False, name=None))
    return out.getvalue()


def data_files(data: DataSet) -> dict[str, str]:
    """Every file of a data directory, by name, as the text written."""
    files = {
        DATA_FILES["panel"]: _csv_text(data.panel),
        DATA_FILES["councils"]: _csv_text(data.councils),
        DATA_FILES["judgements"]: _csv_text(data.judgements),
    }
    for model, table in sorted(data.neighbours.items()):
        files[neighbours_file(model)] = _csv_text(table)
    for name, table in sorted(data.compiled.items()):
        files[name] = _csv_text(table)
    files[DATA_FILES["manifest"]] = json.dumps(data.manifest, indent=2) + "\n"
    return files


def write_data(data: DataSet, directory: str | Path) -> list[Path]:
    """Write a data directory (created if need be); returns the files written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in data_files(data).items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


def _read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def read_data(directory: str | Path) -> DataSet:
    """Read a data directory written by :func:`write_data` (as text, for a later build).

    Raises:
        DataSourceError: a file of a data directory is missing.
    """
    folder = Path(directory)
    for name in DATA_FILES.values():
        if not (folder / name).is_file():
            raise Where(folder / name).error("no such file: not an earlywarning data directory")
    panel = _read_text(folder / DATA_FILES["panel"]).astype({"year": int})
    neighbours = {
        re.sub(r"^statistical_neighbours_(.+)\.csv$", r"\1", p.name): _read_text(p)
        for p in sorted(folder.glob("statistical_neighbours_*.csv"))
    }
    compiled = {p.name: _read_text(p) for p in sorted(folder.glob("ilacs_inspections_*.csv"))}
    manifest = json.loads((folder / DATA_FILES["manifest"]).read_text(encoding="utf-8"))
    return DataSet(
        panel=panel,
        councils=_read_text(folder / DATA_FILES["councils"]),
        judgements=_read_text(folder / DATA_FILES["judgements"]),
        neighbours=neighbours,
        compiled=compiled,
        manifest=manifest,
    )
