"""Shared machinery of the England data: finding the data in use, reading its files, knowing the
councils.

Private to the package: :mod:`earlywarning.datasets` and its modules build their public functions
on these names. The data in use are the bundled data, or a data directory written by
``earlywarning data import`` that ``EARLYWARNING_DATA`` or :func:`use_data` points at. Everything
read here is cached per data directory (:func:`cached`), so each file is parsed once per process
and pointing at another directory starts afresh; callers copy what they hand out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from functools import cache, wraps
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd

from earlywarning.datasets.judgement_rule import rating_and_basis
from earlywarning.datasets.sources.types import MARKER_SPELLINGS
from earlywarning.errors import EarlyWarningError
from earlywarning.profile import check_value

__all__ = [
    "ALIASES",
    "CODES_FILE",
    "DATA_ENV",
    "ILACS_FILE",
    "ILACS_TEST_FILE",
    "INPUT_SOURCES",
    "JUDGEMENTS_FILE",
    "LIFETIMES",
    "MANIFEST_FILE",
    "OUTCOMES_CUTOFF",
    "PANEL_FILE",
    "Cached",
    "cached",
    "canonical_ratings",
    "council_names",
    "data_location",
    "exists",
    "ilacs",
    "judgements",
    "manifest",
    "name_lookup",
    "outcomes_as_at",
    "panel",
    "read_csv",
    "resolve_council",
    "resolve_councils",
    "use_data",
]

PANEL_FILE = "la_year_panel.csv"
JUDGEMENTS_FILE = "ofsted_judgements.csv"
ILACS_FILE = "ilacs_inspections_with_inputs_2018_to_2022-03.csv"
ILACS_TEST_FILE = "ilacs_inspections_with_inputs_2022-04_to_2025-03.csv"
CODES_FILE = "la_codes.csv"
MANIFEST_FILE = "sources.json"

DATA_ENV = "EARLYWARNING_DATA"
"""The environment variable naming a data directory to use instead of the bundled data."""

OUTCOMES_CUTOFF = dt.date(2025, 3, 31)
"""The date the bundled Ofsted outcomes stand at (Ofsted's release "as at 31 March 2025");
inspections after it are not in the bundled data."""

# Markers the DfE and Ofsted releases put in place of a number (x suppressed, u low reliability,
# c confidential, z not applicable, k fewer than five, low a positive value that rounds to zero),
# in every spelling the source readers accept. All are missing here: "low" is known to be small
# but not known to be zero, so it is not read as 0. "-" is not one: the judgements use it as text
# for "no judgement".
_MISSING_MARKERS = MARKER_SPELLINGS

_TEXT_COLUMNS = (
    "la_code",
    "la_name",
    "la_number",
    "region",
    "region_code",
    "region_name",
    "framework",
    "inspection_type",
    "overall",
    "sub_leadership",
    "sub_help_protection",
    "sub_cla",
    "sub_care_leavers",
    *(f"sn{i}" for i in range(1, 11)),
)

# Councils whose panel rows sit under more than one code. The first code is the council's current
# one; the others are read, in order, for any figure the first lacks. North Yorkshire, Somerset
# and Buckinghamshire became unitary councils with new codes, Dorset's new council takes the
# former county's workforce census (the data README's "mapped to their former county codes"),
# and Barnsley and Sheffield were recoded in 2025 (DfE's workforce census of 2025 uses the new
# codes, its children-in-need tables and Ofsted the old).
INPUT_SOURCES: dict[str, tuple[str, ...]] = {
    "E06000059": ("E06000059", "E10000009"),  # Dorset (council from 2019) <- Dorset County
    "E06000060": ("E06000060", "E10000002"),  # Buckinghamshire <- Buckinghamshire County
    "E06000065": ("E06000065", "E10000023"),  # North Yorkshire <- North Yorkshire County
    "E06000066": ("E06000066", "E10000027"),  # Somerset <- Somerset County
    "E08000038": ("E08000038", "E08000016"),  # Barnsley (recoded 2025) <- its former code
    "E08000039": ("E08000039", "E08000019"),  # Sheffield (recoded 2025) <- its former code
}
# Codes that are only another name for a council listed above (not councils in their own right).
# Dorset County (E10000009) is not here: it was a different council, abolished in 2019.
ALIASES: dict[str, str] = {
    "E10000002": "E06000060",
    "E10000023": "E06000065",
    "E10000027": "E06000066",
    "E08000016": "E08000038",
    "E08000019": "E08000039",
}
# Councils created or abolished by reorganisation: (first day, day abolished); None = open.
LIFETIMES: dict[str, tuple[dt.date | None, dt.date | None]] = {
    "E06000028": (None, dt.date(2019, 4, 1)),  # Bournemouth
    "E06000029": (None, dt.date(2019, 4, 1)),  # Poole
    "E10000009": (None, dt.date(2019, 4, 1)),  # Dorset County
    "E06000058": (dt.date(2019, 4, 1), None),  # Bournemouth, Christchurch and Poole
    "E06000059": (dt.date(2019, 4, 1), None),  # Dorset
    "E10000021": (None, dt.date(2021, 4, 1)),  # Northamptonshire
    "E06000061": (dt.date(2021, 4, 1), None),  # North Northamptonshire
    "E06000062": (dt.date(2021, 4, 1), None),  # West Northamptonshire
    "E10000006": (None, dt.date(2023, 4, 1)),  # Cumbria
    "E06000063": (dt.date(2023, 4, 1), None),  # Cumberland
    "E06000064": (dt.date(2023, 4, 1), None),  # Westmorland and Furness
}

# ----------------------------------------------------------------------------------------------
# The data in use

_CHOSEN: list[Path | None] = [None]  # set by use_data
_LOADED: list[object] = [None]  # the location the caches were filled from
_CACHES: list[Any] = []

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


def use_data(directory: str | Path | None) -> None:
    """Point every loader at a data directory (None: back to ``EARLYWARNING_DATA`` or bundled)."""
    _CHOSEN[0] = None if directory is None else Path(directory)


def data_location() -> Path | None:
    """The data directory in use: :func:`use_data`'s, else ``EARLYWARNING_DATA``'s, else None
    (the bundled data)."""
    if _CHOSEN[0] is not None:
        return _CHOSEN[0]
    named = os.environ.get(DATA_ENV, "").strip()
    return Path(named) if named else None


def _refresh() -> None:
    """Empty every cache when the data directory in use has changed since they were filled."""
    where = data_location()
    if where != _LOADED[0]:
        for clear in _CACHES:
            clear()
        _LOADED[0] = where


class Cached(Protocol[T_co]):
    """A loader of the data in use, cached per data directory; ``cache_clear`` empties it."""

    def __call__(self) -> T_co: ...

    def cache_clear(self) -> None: ...


def cached(function: Callable[[], T]) -> Cached[T]:
    """Cache a loader of the data in use: computed once per data directory."""
    inner = cache(function)
    _CACHES.append(inner.cache_clear)

    @wraps(function)
    def wrapper() -> T:
        _refresh()
        return inner()

    wrapper.cache_clear = inner.cache_clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _folder() -> Path | Traversable:
    where = data_location()
    if where is None:
        return resources.files("earlywarning.datasets") / "data" / "england"
    if not (where / MANIFEST_FILE).is_file():
        how = "ew.datasets.use()" if _CHOSEN[0] is not None else DATA_ENV
        raise EarlyWarningError(
            f"{where} ({how}) is not an earlywarning data directory: it has no {MANIFEST_FILE}; "
            "write one with `earlywarning data import FILE... --output DIR`"
        )
    return where


def read_csv(name: str) -> pd.DataFrame:
    """One file of the data in use, markers read as missing.

    Raises:
        EarlyWarningError: the data directory in use lacks the file.
    """
    source = _folder() / name
    if not source.is_file():
        raise EarlyWarningError(f"the data in use ({data_location()}) have no {name}")
    with source.open("rb") as fh:
        head = fh.readline().decode("utf-8").strip().split(",")
        fh.seek(0)
        return pd.read_csv(
            fh,
            na_values=list(_MISSING_MARKERS),
            keep_default_na=True,
            dtype={c: str for c in _TEXT_COLUMNS if c in head},
        )


def data_files() -> list[str]:
    """The names of the files of the data in use."""
    return sorted(p.name for p in _folder().iterdir() if p.name.endswith((".csv", ".json")))


@cached
def manifest() -> list[dict[str, Any]]:
    """The record of the sources the data in use were built from (shared, cached)."""
    source = _folder() / MANIFEST_FILE
    entries: list[dict[str, Any]] = json.loads(source.read_text(encoding="utf-8"))
    return entries


def outcomes_as_at() -> dt.date:
    """The date the Ofsted outcomes of the data in use stand at.

    The "as at" date of Ofsted's outcomes workbook where the data were built from one, else the
    date of the last judgement.
    """
    dates = [e["as_at"] for e in manifest() if e["source"] == "ofsted_outcomes" and e["as_at"]]
    if dates:
        return dt.date.fromisoformat(max(dates))
    return pd.Timestamp(judgements()["date"].max()).date()


@cached
def panel() -> pd.DataFrame:
    """The council-by-year panel (shared, cached: do not change it)."""
    raw = read_csv(PANEL_FILE)
    text = ("la_code", "la_name", "year")
    out = raw.astype({c: "float64" for c in raw.columns if c not in text})
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["la_code", "year"], ignore_index=True)


_SUBJUDGEMENTS = {
    "leadership": "sub_leadership",
    "help_protection": "sub_help_protection",
    "children_in_care": "sub_cla",
    "care_leavers": "sub_care_leavers",
}


def _grade(value: Any) -> str | None:
    """A grade cell in canonical spelling: SLAC's looked-after prefix and "-" set aside."""
    if not isinstance(value, str):
        return None
    text = value.removeprefix("(SLAC CLA OE)").strip()
    return None if text in ("", "-") else check_value("previous_rating", text)


@cached
def judgements() -> pd.DataFrame:
    """Every Ofsted judgement of the data in use, with canonical columns (shared, cached)."""
    out = read_csv(JUDGEMENTS_FILE)
    out["ofsted_code"] = out["la_code"]
    out["la_code"] = [ALIASES.get(c, c) for c in out["la_code"]]
    out["date"] = pd.to_datetime(out["date"], format="%Y-%m-%d")
    published = out["date_kind"].str.extract(r"published (\d{4}-\d{2}-\d{2})", expand=False)
    out["published"] = pd.to_datetime(published, format="%Y-%m-%d").where(
        published.notna(), out["date"].where(out["date_kind"].str.startswith("publication"))
    )
    for name, column in _SUBJUDGEMENTS.items():
        out[name] = pd.Series([_grade(v) for v in out[column]], index=out.index, dtype=object)
    found = [
        rating_and_basis(_grade(o), *subs)
        for o, *subs in zip(out["overall"], *(out[n] for n in _SUBJUDGEMENTS), strict=True)
    ]
    out["rating"] = pd.Series([r for r, _ in found], index=out.index, dtype=object)
    out["rating_basis"] = pd.Series([b for _, b in found], index=out.index, dtype=object)
    out = out[out["rating"].notna()]
    return out.sort_values(["la_code", "date"], ignore_index=True)


@cached
def _ilacs_files() -> dict[str, pd.DataFrame]:
    """The inspections files read so far from the data in use, by name (emptied with the rest)."""
    return {}


def ilacs(name: str = ILACS_FILE) -> pd.DataFrame:
    """An ILACS inspections file with its dates parsed and its councils' current codes (shared,
    cached: do not change it)."""
    files = _ilacs_files()
    if name not in files:
        out = read_csv(name)
        out["la_code"] = [ALIASES.get(c, c) for c in out["la_code"]]
        for col in ("inspection_start", "prev_date"):
            out[col] = pd.to_datetime(out[col], format="%Y-%m-%d")
        files[name] = out
    return files[name]


def canonical_ratings(values: pd.Series) -> pd.Series:
    """Ofsted judgements in any spelling as outstanding, good, requires_improvement, inadequate."""
    table = {v: check_value("previous_rating", v) for v in values.dropna().unique()}
    return pd.Series(
        [None if pd.isna(v) else table[v] for v in values], index=values.index, dtype=object
    )


@cached
def council_names() -> dict[str, str]:
    """The latest panel name of each council code (aliases resolved, joint rows left out)."""
    rows = panel().sort_values("year", kind="stable")
    rows = rows[~rows["la_code"].str.contains("/", regex=False)]
    names: dict[str, str] = {}
    for code, name in zip(rows["la_code"], rows["la_name"], strict=True):
        names[ALIASES.get(code, code)] = name
    return names


def exists(code: str, day: dt.date) -> bool:
    """Whether the council ``code`` was in existence on ``day``."""
    start, end = LIFETIMES.get(code, (None, None))
    return (start is None or start <= day) and (end is None or day < end)


@cached
def name_lookup() -> dict[str, frozenset[str]]:
    """Council codes for each name (panel, Ofsted or DfE spelling, case-folded) and code."""
    lookup: dict[str, set[str]] = {}

    def add(key: str, code: str) -> None:
        code = ALIASES.get(code, code)
        lookup.setdefault(key.strip().casefold(), set()).add(code)

    for code, name in council_names().items():
        add(code, code)
        add(name, code)
    for frame in (judgements(), read_csv(CODES_FILE)):
        for code, name in zip(frame["la_code"], frame["la_name"], strict=True):
            if "/" not in code:
                add(name, code)
    for alias, code in ALIASES.items():
        add(alias, code)
    # the DfE groupings spell a few names their own way ("Bournemouth, Christchurch & Poole")
    codes = read_csv(CODES_FILE).sort_values("last_year", kind="stable")
    by_number = dict(zip(codes["la_number"], codes["la_code"], strict=True))
    for name in data_files():
        if name.startswith("statistical_neighbours_"):
            groupings = read_csv(name)
            for number, label in zip(groupings["la_number"], groupings["la_name"], strict=True):
                if number in by_number and "/" not in by_number[number]:
                    add(label, by_number[number])
    return {key: frozenset(codes) for key, codes in lookup.items()}


def resolve_councils(councils: Iterable[str], caller: str) -> set[str]:
    """ONS codes for council names (panel or Ofsted spelling, any case) and codes.

    A name that two councils have borne (Dorset, before and after 2019) gives both codes.

    Raises:
        EarlyWarningError: naming every council that is not known, and ``caller``.

    Example:
        >>> from earlywarning.datasets import resolve_councils
        >>> sorted(resolve_councils(["Derbyshire", "dorset"], "example"))
        ['E06000059', 'E10000007', 'E10000009']
    """
    lookup = name_lookup()
    wanted: set[str] = set()
    unknown = []
    for council in councils:
        found = lookup.get(str(council).strip().casefold())
        if found is None:
            unknown.append(council)
        else:
            wanted |= found
    if unknown:
        raise EarlyWarningError(f"{caller}: council(s) not in the panel: {unknown}")
    return wanted


def resolve_council(council: str, caller: str, day: dt.date | None = None) -> str:
    """The one ONS code of a council name or code.

    A name two councils have borne resolves to the one in existence on ``day`` (today's
    council when ``day`` is None); give the ONS code to mean the other.

    Raises:
        EarlyWarningError: when the council is not known.

    Example:
        >>> import datetime as dt
        >>> from earlywarning.datasets import resolve_council
        >>> resolve_council("Dorset", "example")
        'E06000059'
        >>> resolve_council("Dorset", "example", dt.date(2018, 1, 1))
        'E10000009'
    """
    codes = sorted(resolve_councils([council], caller))
    if len(codes) == 1:
        return codes[0]
    when = day if day is not None else dt.date.max
    alive = [c for c in codes if exists(c, when)]
    return (alive or codes)[0]
