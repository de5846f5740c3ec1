"""Reading a local facts file, YAML or CSV: private machinery of :mod:`earlywarning.local`.

Both readers turn the file into :class:`~earlywarning.local._check.RawCouncil` items, each value
with its place, and hand them to the one set of checks; so the two formats accept the same facts
and refuse them with the same messages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from earlywarning._names import did_you_mean
from earlywarning._yaml import read_yaml
from earlywarning.errors import LocalFactProblem, LocalFactsError, ProfileFileError, RuleProblem
from earlywarning.io import read_text_rows
from earlywarning.local._check import Item, RawCouncil, check_councils
from earlywarning.local._facts import LocalFacts
from earlywarning.local._place import Place, Problems
from earlywarning.local._sections import COUNCIL_KEYS, CSV_COLUMNS, CSV_REQUIRED, SECTIONS, Section
from earlywarning.profile import FIELD_NAMES

__all__ = ["FORMATS", "read_local_facts"]

FORMATS: dict[str, str] = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".tsv": "csv"}
"""The format read for each file suffix."""


def read_local_facts(path: str | Path, *, today: dt.date | None = None) -> LocalFacts:
    """Read and check a file of local facts (YAML or CSV) about one or more councils.

    Every value is checked and every problem in the file reported at once, each with the file,
    the line and the value: an unknown council or key, a date that is not one or is after
    ``today`` (by default, the day it is read), a budget that is not in £m, directors whose
    tenures overlap, a fact given twice, a field given directly that the file also derives.

    Raises:
        LocalFactsError: listing every problem found.

    Example:
        >>> import tempfile, pathlib
        >>> from earlywarning.local import read_local_facts
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "derbyshire.yaml"
        >>> _ = f.write_text('council: Derbyshire\\nbudget_gbp_m: {2013-14: 110, 2016-17: 90}\\n')
        >>> read_local_facts(f).at("Derbyshire", "2016-06-30")
        {'budget_baseline_gbp_m': 110.0, 'budget_current_gbp_m': 90.0}
    """
    file = Path(path)
    problems = Problems()
    fmt = FORMATS.get(file.suffix.lower())
    if fmt is None:
        known = ", ".join(FORMATS)
        problems.add(Place(str(file)), None, f"is not a local facts file: they end in {known}")
        raise LocalFactsError(problems.found)
    raws = _yaml_councils(file, problems) if fmt == "yaml" else _csv_councils(file, problems)
    councils = check_councils(raws, problems, today or dt.date.today())
    if problems:
        raise LocalFactsError(sorted(problems.found, key=lambda p: p.line or 0))
    return LocalFacts(councils=tuple(councils), files=(str(file),))


# ----------------------------------------------------------------------------------------------
# YAML: one council's facts at the top, or a list of them under councils:


def _yaml_councils(file: Path, problems: Problems) -> list[RawCouncil]:
    found: list[RuleProblem] = []
    doc, node = read_yaml(file, found)
    for p in found:
        problems.found.append(LocalFactProblem(p.file, p.line, p.location, None, p.message))
    if doc is None:
        return []
    root = Place(str(file), (), node)
    if "councils" not in doc:
        raw = _block(doc, root, problems)
        return [raw] if raw else []
    for key in doc:
        if key != "councils":
            problems.add(root.at(key), key, "is not a key beside councils: put it in a council")
    blocks = doc["councils"]
    if not isinstance(blocks, list):
        problems.add(root.at("councils"), None, "must be a list of councils' facts")
        return []
    raws = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            problems.add(root.at("councils", i), None, "must be one council's facts (a mapping)")
        elif raw := _block(block, root.at("councils", i), problems):
            raws.append(raw)
    return raws


def _block(block: dict[Any, Any], place: Place, problems: Problems) -> RawCouncil | None:
    """One council's facts as read from a YAML mapping."""
    for key in block:
        if key not in COUNCIL_KEYS:
            problems.add(place.at(str(key)), key, _unknown_key(key))
    if "council" not in block:
        problems.add(place, None, "has no council: name the council the facts are about")
        return None
    la_code = (block["la_code"], place.at("la_code")) if "la_code" in block else None
    if "note" in block and not isinstance(block["note"], str):
        problems.add(place.at("note"), block["note"], "must be text")
    raw = RawCouncil((block["council"], place.at("council")), la_code, place)
    for name, section in SECTIONS.items():
        if name in block:
            raw.sections[name] = _items(block[name], place.at(name), section, problems)
    return raw


def _unknown_key(key: Any) -> str:
    if isinstance(key, str) and key in FIELD_NAMES:
        return "is a profile field: give it under fields, with the date its value describes"
    hint = did_you_mean(key, COUNCIL_KEYS)
    return "is not a key of a council's facts" + (f" ({hint})" if hint else "")


def _mapping_item(value: dict[Any, Any], place: Place) -> Item:
    return {str(k): (v, place.at(str(k))) for k, v in value.items()}


def _items(
    value: Any, place: Place, section: Section, problems: Problems
) -> list[tuple[Item, Place]]:
    """A section's items; an empty section (``directors:`` with nothing under it) has none."""
    if value is None:
        return []
    if section.shape == "day":
        item = _mapping_item(value, place) if isinstance(value, dict) else {"date": (value, place)}
        return [(item, place)]
    if section.shape == "years":
        if not isinstance(value, dict):
            problems.add(place, None, 'must map financial years to £m ("2015-16": 95.0)')
            return []
        out = []
        for year, amount in value.items():
            entry = place.at(str(year))
            item = (
                _mapping_item(amount, entry)
                if isinstance(amount, dict)
                else {"value": (amount, entry)}
            )
            out.append(({"year": (year, entry), **item}, entry))
        return out
    if not isinstance(value, list):
        problems.add(place, None, f"must be a list of {section.name} (each a mapping)")
        return []
    out = []
    for i, element in enumerate(value):
        if isinstance(element, dict):
            out.append((_mapping_item(element, place.at(i)), place.at(i)))
        else:
            problems.add(place.at(i), element, "must be a mapping of keys to values")
    return out


# ----------------------------------------------------------------------------------------------
# CSV: one fact a row


def _csv_councils(file: Path, problems: Problems) -> list[RawCouncil]:
    try:
        table = read_text_rows(file)
    except ProfileFileError as exc:
        problems.found.append(LocalFactProblem(exc.file, exc.line, "", None, exc.message))
        return []
    head = Place(str(file), (), row_line=table.header_line)
    for name in table.header:
        if name not in CSV_COLUMNS:
            hint = did_you_mean(name, CSV_COLUMNS)
            problems.add(
                head.at(name),
                name,
                "is not a column of local facts" + (f" ({hint})" if hint else ""),
            )
    missing = [c for c in CSV_REQUIRED if c not in table.header]
    if missing:
        problems.add(head, None, f"has no column {', '.join(missing)}: every fact needs them")
    if problems:
        return []
    raws = []
    for line, row in table.rows:
        raw = _row(
            dict(zip(table.header, row, strict=True)), Place(str(file), (), row_line=line), problems
        )
        if raw is not None:
            raws.append(raw)
    return raws


def _row(cells: dict[str, str], row: Place, problems: Problems) -> RawCouncil | None:
    """One row's fact, as the council's one item of its section."""
    fact = cells["fact"].strip()
    given = {
        c: v for c, v in cells.items() if v.strip() and c not in ("council", "la_code", "fact")
    }
    if fact in SECTIONS and fact != "fields":
        section = SECTIONS[fact]
        item = {section.csv.get(c, c): (v, row.at(c)) for c, v in given.items()}
    elif fact in FIELD_NAMES:
        section = SECTIONS["fields"]
        item = {
            "field": (fact, row.at("fact")),
            **{section.csv.get(c, c): (v, row.at(c)) for c, v in given.items()},
        }
    else:
        kinds = [s for s in SECTIONS if s != "fields"]
        hint = did_you_mean(fact, [*kinds, *FIELD_NAMES])
        what = "is empty" if not fact else "is neither a kind of local fact nor a profile field"
        problems.add(
            row.at("fact"),
            fact or None,
            what + (f" ({hint})" if hint else f": one of {', '.join(kinds)}, or a profile field"),
        )
        return None
    la = cells.get("la_code", "").strip()
    raw = RawCouncil(
        (cells["council"], row.at("council")), (la, row.at("la_code")) if la else None, row
    )
    raw.sections[section.name] = [(item, row)]
    return raw
