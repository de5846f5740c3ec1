"""Shared machinery of the bundled England data: reading the files and knowing the councils.

Private to the package: :mod:`earlywarning.datasets` and
:mod:`earlywarning.datasets.neighbours` build their public functions on these names. Everything
read here is cached, so each file is parsed once per process; callers copy what they hand out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from importlib import resources

import pandas as pd

from earlywarning.errors import EarlyWarningError
from earlywarning.profile import check_value

__all__ = [
    "ALIASES",
    "CODES_FILE",
    "ILACS_FILE",
    "INPUT_SOURCES",
    "JUDGEMENTS_FILE",
    "LIFETIMES",
    "NEIGHBOURS_FILE",
    "OUTCOMES_CUTOFF",
    "PANEL_FILE",
    "canonical_ratings",
    "council_names",
    "exists",
    "ilacs",
    "judgements",
    "name_lookup",
    "panel",
    "read_csv",
    "resolve_council",
    "resolve_councils",
]

PANEL_FILE = "la_year_panel.csv"
JUDGEMENTS_FILE = "ofsted_judgements_2009_to_2022-03.csv"
ILACS_FILE = "ilacs_inspections_with_inputs_2018_to_2022-03.csv"
NEIGHBOURS_FILE = "statistical_neighbours_2021.csv"
CODES_FILE = "la_codes.csv"

OUTCOMES_CUTOFF = dt.date(2022, 3, 31)
"""The last date of the bundled Ofsted outcomes; later inspections are withheld on purpose."""

# Markers the DfE and Ofsted releases put in place of a number: x suppressed, u low reliability,
# c confidential, z not applicable, low a positive value that rounds to zero. All are missing here:
# "low" is known to be small but not known to be zero, so it is not read as 0. These are the codes
# the bundled files use; users' own files are read with the fuller list in io.SUPPRESSION_CODES
# ("-" is kept out here because the bundled judgements use it as text for "no judgement").
_MISSING_MARKERS = ("x", "u", "c", "z", "low")

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
    *(f"sn{i}" for i in range(1, 11)),
)

# Councils whose panel rows sit under more than one code. The first code is the one Ofsted uses
# for the council throughout the judgements file; the others are read, in order, for any figure
# the first lacks. North Yorkshire, Somerset and Buckinghamshire became unitary councils with new
# codes, Dorset's new council takes the former county's workforce census (the data README's
# "mapped to their former county codes"), and Barnsley and Sheffield were recoded in 2025.
INPUT_SOURCES: dict[str, tuple[str, ...]] = {
    "E06000059": ("E06000059", "E10000009"),  # Dorset (council from 2019) <- Dorset County
    "E06000060": ("E06000060", "E10000002"),  # Buckinghamshire <- Buckinghamshire County
    "E06000065": ("E06000065", "E10000023"),  # North Yorkshire <- North Yorkshire County
    "E06000066": ("E06000066", "E10000027"),  # Somerset <- Somerset County
    "E08000016": ("E08000016", "E08000038"),  # Barnsley (recoded 2025)
    "E08000019": ("E08000019", "E08000039"),  # Sheffield (recoded 2025)
}
# Codes that are only another name for a council listed above (not councils in their own right).
# Dorset County (E10000009) is not here: it was a different council, abolished in 2019.
ALIASES: dict[str, str] = {
    "E10000002": "E06000060",
    "E10000023": "E06000065",
    "E10000027": "E06000066",
    "E08000038": "E08000016",
    "E08000039": "E08000019",
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


def read_csv(name: str) -> pd.DataFrame:
    """One bundled file of ``earlywarning/data/england``, markers read as missing."""
    source = resources.files("earlywarning.datasets") / "data" / "england" / name
    with source.open("rb") as fh:
        head = fh.readline().decode("utf-8").strip().split(",")
        fh.seek(0)
        return pd.read_csv(
            fh,
            na_values=list(_MISSING_MARKERS),
            keep_default_na=True,
            dtype={c: str for c in _TEXT_COLUMNS if c in head},
        )


@cache
def panel() -> pd.DataFrame:
    """The council-by-year panel (shared, cached: do not change it)."""
    raw = read_csv(PANEL_FILE)
    text = ("la_code", "la_name", "year")
    out = raw.astype({c: "float64" for c in raw.columns if c not in text})
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["la_code", "year"], ignore_index=True)


@cache
def judgements() -> pd.DataFrame:
    """Every bundled Ofsted judgement, with ``published`` and ``rating`` (shared, cached)."""
    out = read_csv(JUDGEMENTS_FILE)
    out["date"] = pd.to_datetime(out["date"], format="%Y-%m-%d")
    published = out["date_kind"].str.extract(r"published (\d{4}-\d{2}-\d{2})", expand=False)
    out["published"] = pd.to_datetime(published, format="%Y-%m-%d").where(
        published.notna(), out["date"].where(out["date_kind"] == "publication")
    )
    out["rating"] = canonical_ratings(out["overall"])
    return out.sort_values(["la_code", "date"], ignore_index=True)


@cache
def ilacs() -> pd.DataFrame:
    """The ILACS file with its dates parsed (shared, cached)."""
    out = read_csv(ILACS_FILE)
    for col in ("inspection_start", "prev_date"):
        out[col] = pd.to_datetime(out[col], format="%Y-%m-%d")
    return out


def canonical_ratings(values: pd.Series) -> pd.Series:
    """Ofsted judgements in any spelling as outstanding, good, requires_improvement, inadequate."""
    table = {v: check_value("previous_rating", v) for v in values.dropna().unique()}
    return pd.Series(
        [None if pd.isna(v) else table[v] for v in values], index=values.index, dtype=object
    )


@cache
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


@cache
def name_lookup() -> dict[str, frozenset[str]]:
    """Council codes for each name (panel, Ofsted or DfE spelling, case-folded) and code."""
    lookup: dict[str, set[str]] = {}

    def add(key: str, code: str) -> None:
        code = ALIASES.get(code, code)
        lookup.setdefault(key.strip().casefold(), set()).add(code)

    for code, name in council_names().items():
        add(code, code)
        add(name, code)
    for frame in (judgements(), ilacs(), read_csv(CODES_FILE)):
        for code, name in zip(frame["la_code"], frame["la_name"], strict=True):
            if "/" not in code:
                add(name, code)
    for alias, code in ALIASES.items():
        add(alias, code)
    # the DfE groupings spell a few names their own way ("Bournemouth, Christchurch & Poole")
    codes = read_csv(CODES_FILE)
    by_number = dict(zip(codes["la_number"], codes["la_code"], strict=True))
    groupings = read_csv(NEIGHBOURS_FILE)
    for number, name in zip(groupings["la_number"], groupings["la_name"], strict=True):
        if number in by_number and "/" not in by_number[number]:
            add(name, by_number[number])
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
